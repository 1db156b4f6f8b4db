"""Reading one answer and judging it against a reference value.

A *target* is anything a student may answer: a part of the question, or an intermediate step of
its solution (a value the solver recorded, such as Adam's ``m_hat`` or a graph node). Numbers,
vectors and matrices are compared entry by entry with the question's band
(question_bank.judging): what honest work at the stated precision explains, every intermediate
rounded and reused, plus the final rounding. The same band serves any reference value (the right
answer, what the student's own earlier answers imply, a named mistake's answer): the rounding
carried from intermediates stays, the final rounding is that of the reference.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np

from question_bank import judging
from question_bank.question import Question
from question_bank.schema import NUMERIC_TYPES, PartSpec
from quizapp import answers

NUMERIC = NUMERIC_TYPES


@dataclass(frozen=True)
class Target:
    """Something a student may answer, and how to read and compare it."""

    name: str
    label: str
    kind: str  # a part type, or "text" for a step whose value is a word
    spec: PartSpec  # tolerance and options (a default spec for steps)
    step: str | None  # the solution step it stands for (error carried forward overrides it)
    order: int  # position in the solution: earlier answers are carried into later ones
    part: bool  # an answer part (counts for the score) rather than an intermediate step
    carried: Any = 0.0  # rounding error honest work carries into this answer (per entry; 0 when none)
    figures: int = judging.DEFAULT_SIGFIGS  # the stated precision
    given: Any = None  # the value this part updates (an optimizer's w): judged on its change too
    bound: Any = 0.0  # the most rounding can carry here from earlier values the student wrote themselves

    def band(self, ref: Any, own_values: bool = False) -> np.ndarray:
        """The accepted half-width around ``ref``, entry by entry; ``own_values``: ``ref`` was worked from
        the student's own earlier answers, whose rounding is not known (the half-unit bound)."""
        carried = np.asarray(self.bound if own_values else self.carried, dtype=np.float64)
        shape = np.shape(ref)
        if carried.shape != shape:  # a transposed or reshaped reference: the largest carried error, everywhere
            carried = np.full(shape, float(np.max(carried)) if carried.size else 0.0)
        return judging.band_around(ref, carried, self.figures)


def step_kind(value: Any) -> str:
    """The answer kind of a solver's step value."""
    if isinstance(value, (bool, np.bool_, str)):
        return "text"
    if isinstance(value, (int, np.integer)):
        return "integer"
    if isinstance(value, np.ndarray) and value.dtype.kind in "fiu":
        return {0: "number", 1: "vector", 2: "matrix"}.get(value.ndim, "text")
    if isinstance(value, (float, np.floating)):
        return "number"
    if isinstance(value, (list, tuple)) and value:
        try:
            return step_kind(np.asarray(value, dtype=np.float64))
        except (TypeError, ValueError):  # words, or ragged
            return "text"
    return "text"


def read(target: Target, text: str, question: Question) -> Any:
    """The student's ``text`` as a value of the target's kind; AnswerError when it cannot be read."""
    kind = target.kind
    if kind == "choice":
        return _read_choice(target, text, question)
    if kind == "expression":
        return answers.parse_expression(text, _variables(target, question) or None)
    if kind == "text":
        if not text.strip():
            raise answers.AnswerError("empty answer")
        return " ".join(text.split())
    if kind == "number":
        return answers.parse_number(text, allow_percent=target.spec.percent)
    if kind == "vector" and target.spec.percent and "%" in text:
        return _percentages(text)
    return answers.parse_answer(text, kind)


def _percentages(text: str) -> Any:
    """A vector of probabilities written as percentages ("11.4% 4.2% 84.4%"): every entry or none."""
    values = answers.parse_vector(text.replace("%", " "))
    if text.count("%") != values.size:
        raise answers.AnswerError("give every entry as a percentage, or none: "
                                  f"{text.count('%')} of {values.size} entries have '%'", None, text)
    return values / 100.0


def _read_choice(target: Target, text: str, question: Question) -> str:
    if not target.spec.options:  # a word chosen by the solver (e.g. "saddle"): compared as text
        return read(replace(target, kind="text"), text, question)
    by_id = question.option_id(target.spec, text)
    if by_id is not None:
        return by_id
    shown = question.options(target.spec)
    chosen = answers.parse_choice(text, [opt.text for _, opt in shown])
    return next(opt.id for _, opt in shown if opt.text == chosen)


def _variables(target: Target, question: Question) -> list[str]:
    ref = reference_node(str(question.expected.get(target.name, "")))
    return [] if ref is None else _expr().variables(ref)


def _expr() -> Any:
    import solvers.expr

    return solvers.expr


@lru_cache(maxsize=256)
def reference_node(text: str) -> Any:
    """A solver's formula as an expression tree, or None when our grammar cannot read it."""
    try:
        return _expr().parse(text.replace("**", "^"))
    except ValueError:
        return None


def shape_problem(target: Target, value: Any, ref: Any) -> str | None:
    """Why ``value`` cannot be compared with ``ref`` entry by entry, or None."""
    if target.kind not in ("vector", "matrix"):
        return None
    got, want = np.shape(value), np.shape(ref)
    if got == want:
        return None
    return f"wrong shape: expected {describe_shape(want)}, got {describe_shape(got)}"


def describe_shape(shape: tuple[int, ...]) -> str:
    if len(shape) == 0:
        return "a single number"
    if len(shape) == 1:
        return f"{shape[0]} entr{'y' if shape[0] == 1 else 'ies'}"
    return "a " + "×".join(str(n) for n in shape) + " matrix"


def accepts(target: Target, value: Any, ref: Any, own_values: bool = False) -> bool:
    """Whether ``value`` is a right answer when ``ref`` is the reference (``own_values``: worked from the
    student's own earlier answers)."""
    kind = target.kind
    if kind in NUMERIC:
        if np.shape(value) != np.shape(ref):
            return False
        return judging.inside(value, ref, target.band(ref, own_values)) and _changes_like(target, value, ref)
    if kind == "integer":
        return _as_int(value) == _as_int(ref)
    if kind == "expression":
        return _same_formula(value, ref)
    if kind == "choice" and target.spec.options:
        return str(value) == str(ref)
    return _words(value) == _words(ref)


def matches(target: Target, value: Any, ref: Any) -> bool:
    """Whether ``value`` is what an explanation's answer ``ref`` gives, at the stated precision (a
    wrong answer is not judged on its change: only the right one must move every entry it should)."""
    if target.kind in NUMERIC:
        return np.shape(value) == np.shape(ref) and judging.inside(value, ref, target.band(ref))
    return accepts(target, value, ref)


def _changes_like(target: Target, value: Any, ref: Any) -> bool:
    """An update is judged on its change too: every entry that should move moves, and the right way."""
    if target.given is None or np.shape(target.given) != np.shape(ref):
        return True
    given = np.asarray(target.given, dtype=np.float64)
    want = np.sign(np.asarray(ref, dtype=np.float64) - given)
    got = np.sign(np.asarray(value, dtype=np.float64) - given)
    moves = np.abs(np.asarray(ref, dtype=np.float64) - given) > judging.slack(given)
    return bool(np.all(got[moves] == want[moves]))


def distance(target: Target, value: Any, ref: Any) -> float:
    """How far ``value`` is from ``ref``, in bands of ``ref`` (the nearer explanation wins: rule 4)."""
    a = np.asarray(value, dtype=np.float64)
    b = np.asarray(ref, dtype=np.float64)
    if a.shape != b.shape:
        return math.inf
    # The largest entry, in bands: an answer inside the band is never farther than 1 from the right one.
    return float(np.max(np.abs(a - b) / target.band(b))) if a.size else 0.0


def _as_int(value: Any) -> int | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else None


def _words(value: Any) -> str:
    return " ".join(str(value).split()).casefold()


def _same_formula(value: Any, ref: Any) -> bool:
    ref_node = ref if not isinstance(ref, str) else reference_node(ref)
    if ref_node is None:
        return _words(_expr().to_text(value)) == _words(ref)
    return answers.equivalent(value, ref_node)


def round_sig(x: float, figures: int) -> float:
    """``x`` rounded to ``figures`` significant figures."""
    return judging.round_sig(x, figures)
