"""Recognising a wrong answer: a template's misconceptions first, then a generic sign error.

A misconception is recomputed for the question's own numbers (question_bank.solving.run with the
misconception's arguments), both from scratch and from the student's own earlier answers (so a
slip in ``m`` does not hide a forgotten bias correction in ``w``). Only a misconception whose
answer is distinguishable from the right one can be recognised.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from question_bank import solving
from question_bank.question import Question
from question_bank.schema import Misconception
from quizapp.grading.compare import NUMERIC, Target, accepts
from quizapp.grading.results import CONVENTION, MISTAKE, Diagnosis

# Errors a solver may raise when a misconception's arguments make no sense for these numbers.
SOLVE_ERRORS = (ValueError, TypeError, KeyError, ArithmeticError)
Values = tuple[dict[str, Any], dict[str, Any]]  # (by part name, by step name)


class Diagnoser:
    """Diagnoses the answers of one question; caches the misconceptions' solutions."""

    def __init__(self, question: Question) -> None:
        self.question = question
        self._cache: dict[tuple[str, tuple[str, ...]], Values | None] = {}

    def diagnose(self, target: Target, value: Any, expected: Any, implied: Any,
                 overrides: Mapping[str, Any]) -> Diagnosis | None:
        """Which misconception (or chosen distractor, or sign error) explains ``value``, or None."""
        if target.kind == "choice" and target.spec.options:
            return _distractor(target, value)
        for m in self.question.template.misconceptions:
            for given in ({}, overrides) if overrides else ({},):
                candidate = self._candidate(m, target, given)
                if candidate is None or _indistinct(target, candidate, expected, implied):
                    continue
                if accepts(target, value, candidate):
                    return Diagnosis(m.id, m.kind, self._message(m))
        return sign_error(target, value, expected if implied is None else implied)

    def _candidate(self, m: Misconception, target: Target, overrides: Mapping[str, Any]) -> Any:
        values = self._values(m, overrides)
        if values is None:
            return None
        by_part, by_step = values
        if target.part:
            return by_part.get(target.name)
        return by_step.get(target.step) if target.step else None

    def _values(self, m: Misconception, overrides: Mapping[str, Any]) -> Values | None:
        key = (m.id, tuple(sorted(overrides)))
        if key not in self._cache:
            self._cache[key] = self._solve(m, overrides)
        return self._cache[key]

    def _solve(self, m: Misconception, overrides: Mapping[str, Any]) -> Values | None:
        q = self.question
        try:
            sol = solving.run(q.template, q.params, overrides=dict(overrides) or None, misconception=m)
            by_part = solving.answers(q.template, sol, m.parts, only_mapped=True)
        except SOLVE_ERRORS:
            return None
        by_step: dict[str, Any] = {}
        if m.solver is None:  # another solver's steps may reuse names for other quantities
            for s in sol.steps:
                by_step.setdefault(s.name, s.value)
        return by_part, by_step

    def _message(self, m: Misconception) -> str:
        if m.kind != CONVENTION:
            return m.message
        assumed = "; ".join(c.rstrip(".") for c in self.question.conventions)
        tail = f" This question assumes: {assumed}." if assumed else " This question assumes its stated default."
        return f"{m.message} Under that convention your answer is right, but not as the question is stated." + tail


def _distractor(target: Target, value: Any) -> Diagnosis | None:
    """A wrong option explains itself: its ``why`` says why it is wrong."""
    option = next((o for o in target.spec.options if o.id == value), None)
    if option is None or not option.why:
        return None
    return Diagnosis(option.id, MISTAKE, option.why)


def _indistinct(target: Target, candidate: Any, expected: Any, implied: Any) -> bool:
    """A misconception's answer that the right answer also accepts cannot be told apart from it."""
    if np.shape(candidate) != np.shape(expected) and target.kind in NUMERIC:
        return True
    if accepts(target, candidate, expected):
        return True
    return implied is not None and accepts(target, candidate, implied)


def sign_error(target: Target, value: Any, ref: Any) -> Diagnosis | None:
    """The whole answer, or some of its entries, with the opposite sign of the right one."""
    if target.kind not in NUMERIC or np.shape(value) != np.shape(ref):
        return None
    got = np.asarray(value, dtype=np.float64)
    want = np.asarray(ref, dtype=np.float64)
    limit = np.maximum(target.spec.abs_tol, target.spec.rel_tol * np.abs(want))
    same = np.abs(got - want) <= limit
    flipped = (np.abs(got + want) <= limit) & ~same
    if not np.all(same | flipped) or not np.any(flipped):
        return None
    if target.kind == "number" or np.all(flipped):
        return Diagnosis("sign-error", MISTAKE, "Sign error: your answer has the right size but the opposite sign.")
    where = ", ".join(_entry(idx) for idx in zip(*np.nonzero(flipped)))
    return Diagnosis("sign-error", MISTAKE, f"Sign error in {where}: the size is right, the sign is not.")


def _entry(index: tuple[Any, ...]) -> str:
    if len(index) == 1:
        return f"entry {int(index[0]) + 1}"
    return "entry (" + ", ".join(str(int(i) + 1) for i in index) + ")"
