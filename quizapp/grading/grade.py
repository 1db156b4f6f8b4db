"""Grading a question's answers, part by part, with error carried forward and diagnosis.

Answers may name any part of the question or any step of its worked solution (an intermediate
value, a graph node), so a student can check a whole worked page. Answers are judged in solution
order. Each one is compared with the right answer; when it is wrong, it is compared again with
what the student's own earlier answers imply (the solver re-run with those answers in place of
its own values, ``Question.solve_with``), so a single slip is not punished again in every part
that follows from it. The first answer, in solution order, that is wrong in both senses is where
the student's working left the right path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from question_bank.question import Question
from question_bank.schema import PartSpec
from quizapp.answers import Undecided
from quizapp.grading.compare import NUMERIC, Target, accepts, read, shape_problem, step_kind
from quizapp.grading.diagnose import SOLVE_ERRORS, Diagnoser
from quizapp.grading.results import GradeResult, PartResult

# What reading hostile text may raise besides AnswerError (a ValueError): never a traceback.
READ_ERRORS = (ValueError, ArithmeticError, RecursionError)


class GradingError(ValueError):
    """Answers that name something the question does not have."""


def targets(question: Question) -> dict[str, Target]:
    """Everything a student may answer, by name: the solution's steps, then the parts over them."""
    steps = question.solution.steps
    judgement = question.judgement
    carried, bounds = judgement.propagated, judgement.bounds
    figures = judgement.sigfigs
    out: dict[str, Target] = {}
    for i, s in enumerate(steps):
        if s.name not in out:
            kind = step_kind(s.value)
            out[s.name] = Target(s.name, s.label, kind, _step_spec(question, s.name, kind), s.name, i, False,
                                 carried.get(s.name, 0.0), figures, bound=bounds.get(s.name, 0.0))
    step_names = {s.name: i for i, s in reversed(list(enumerate(steps)))}
    for j, p in enumerate(question.parts):
        step = next((k for k in (p.answer_key, p.name) if k in step_names), None)
        order = step_names[step] if step else len(steps) + j
        given = next((c.value for c in judgement.candidates.get(p.name, ()) if c.id == "unchanged"), None)
        out[p.name] = Target(p.name, question.label(p), p.type, p, step, order, True,
                             carried.get(p.name, 0.0), figures, given, bounds.get(p.name, 0.0))
    return out


def _step_spec(question: Question, name: str, kind: str) -> PartSpec:
    # A step that is also a part's answer is read as that part is (percentages, options).
    spec = next((p for p in question.parts if p.answer_key == name), None)
    return replace(spec, name=name, type=kind) if spec else PartSpec(name=name, type=kind)


def grade(question: Question, answers: Mapping[str, str]) -> GradeResult:
    """Grade ``answers`` (name -> the text the student wrote) for ``question``; pure, no I/O.

    A blank or unreadable answer is handed back, not graded (``PartResult.handed_back``).
    Raises GradingError when an answer names neither a part nor a step of the solution.
    """
    known = targets(question)
    unknown = [name for name in answers if name not in known]
    if unknown:
        raise GradingError(_unknown_message(question, unknown[0], known))
    given = {k: v for k, v in answers.items() if isinstance(v, str) and v.strip()}
    return _Grading(question, known).run(given)


def _unknown_message(question: Question, name: str, known: Mapping[str, Target]) -> str:
    parts = [p.name for p in question.parts]
    steps = [n for n, t in known.items() if not t.part]
    listed = f"parts: {', '.join(parts)}" + (f"; steps: {', '.join(steps)}" if steps else "")
    return f"{question.template.id!r} has no part or step named {name!r} ({listed})"


class _Grading:
    def __init__(self, question: Question, known: dict[str, Target]) -> None:
        self.question = question
        self.known = known
        self.diagnoser = Diagnoser(question, known)
        self._implied: dict[tuple[str, ...], tuple[Any, dict[str, Any]] | None] = {}
        self._values: dict[str, Any] = {}  # each readable answer as read (formulas as trees)

    def run(self, answers: Mapping[str, str]) -> GradeResult:
        order = sorted(answers, key=lambda n: (self.known[n].order, not self.known[n].part))
        results = {name: self._read(self.known[name], answers[name]) for name in order}
        self.diagnoser.sheet(self._values)
        overrides: dict[str, Any] = {}
        slipped = False  # an earlier answer was wrong
        for name in order:
            target, result = self.known[name], results[name]
            if result.unreadable:
                continue
            self._judge(target, result, overrides, slipped)
            if target.step and target.kind in (*NUMERIC, "integer") and name in self._values:
                overrides[target.step] = self._values[name]
            slipped = slipped or not result.correct
        first = next((n for n in order if results[n].status == "wrong"), None)
        q = self.question
        parts = {p.name: results.get(p.name) or self._unanswered(self.known[p.name]) for p in q.parts}
        steps = {n: results[n] for n in order if not self.known[n].part}
        return GradeResult(q.template.id, q.seed, dict(q.params), parts, steps, first, order,
                           q.precision_text(), q.precision_problem() or "")

    def _expected(self, target: Target) -> Any:
        if target.part:
            return self.question.expected[target.name]
        return self.question.solution.step(target.name).value

    def _unanswered(self, target: Target) -> PartResult:
        return PartResult(target.name, target.label, False, self._expected(target), message="not answered")

    def _read(self, target: Target, text: str) -> PartResult:
        """The answer as read; an unreadable one is marked and keeps the reason (it is handed back)."""
        expected = self._expected(target)
        result = PartResult(target.name, target.label, False, expected, text=text, is_step=not target.part)
        try:
            value = read(target, text, self.question)
        except READ_ERRORS as exc:
            result.message, result.unreadable = str(exc), True
            return result
        result.given = _shown(target, value)
        self._values[target.name] = value
        problem = shape_problem(target, value, expected)
        if problem:
            result.diagnosis = self.diagnoser.reshaped(target, value, expected)
            result.message, result.unreadable = problem, result.diagnosis is None
            del self._values[target.name]  # a value of another shape is never carried into later parts
        return result

    def _judge(self, target: Target, result: PartResult, overrides: Mapping[str, Any], slipped: bool) -> None:
        """The verdict on one readable answer, written into ``result``."""
        if result.message:  # a named wrong shape (a transposed matrix): wrong, already diagnosed
            return
        try:
            self._verdict(target, result, overrides, slipped)
        except Undecided as exc:  # a formula SymPy could not settle in time: handed back, not graded
            result.correct, result.diagnosis = False, None
            result.message, result.unreadable = str(exc), True

    def _verdict(self, target: Target, result: PartResult, overrides: Mapping[str, Any], slipped: bool) -> None:
        value, expected = self._values[target.name], result.expected
        implied = self._implied_value(target, overrides) if overrides else None
        if implied is not None and (accepts(target, implied, expected) or _shape_differs(target, implied, expected)):
            implied = None  # the earlier answers change nothing here
        result.implied = implied
        try:
            right = accepts(target, value, expected)
        except Undecided as exc:  # a formula SymPy could not settle in time: say so, show the expected form
            result.message = str(exc)
            return
        if right:
            # The nearer explanation wins: an answer closer to a named mistake is that mistake.
            result.diagnosis = self.diagnoser.nearer(target, value, expected)
            result.correct = result.diagnosis is None
        elif implied is not None and accepts(target, value, implied, own_values=True):
            result.diagnosis = self.diagnoser.nearer(target, value, implied, overrides)
            result.correct = result.diagnosis is None
            result.carried_forward = result.correct and slipped
        else:
            result.diagnosis = self.diagnoser.diagnose(target, value, expected, implied, overrides)

    def _implied_value(self, target: Target, overrides: Mapping[str, Any]) -> Any:
        """What the student's earlier answers imply for ``target`` (None when it cannot be computed)."""
        key = tuple(sorted(overrides))
        if key not in self._implied:
            try:
                sol, parts = self.question.solve_with(dict(overrides))
                steps: dict[str, Any] = {}
                for s in sol.steps:
                    steps.setdefault(s.name, s.value)
                self._implied[key] = (parts, steps)
            except SOLVE_ERRORS:
                self._implied[key] = None
        solved = self._implied[key]
        if solved is None:
            return None
        parts, steps = solved
        return parts.get(target.name) if target.part else steps.get(target.step)


def _shape_differs(target: Target, a: Any, b: Any) -> bool:
    return target.kind in NUMERIC and np.shape(a) != np.shape(b)


def _shown(target: Target, value: Any) -> Any:
    """The value as reported back: formulas as text, everything else as read."""
    if target.kind == "expression":
        from solvers.expr import to_text

        return to_text(value)
    return value
