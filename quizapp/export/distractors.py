"""Multiple-choice versions of numeric parts, whose wrong options are answers students really give.

The wrong options are what the template's misconceptions give for the question's own numbers
(only those the grader can tell from the right answer), then the right answer with its sign
flipped (the grader's generic sign error) for a quantity whose answers take both signs. Options
closer to one another than the part's tolerance are kept once. No option is ever made up at
random: a part with too few recognised wrong answers stays numeric, and the manifest says why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from question_bank import judging
from question_bank.question import MisconceptionAnswer, Question
from question_bank.render import markup
from question_bank.sampler import rng_for
from question_bank.schema import PartSpec
from question_bank.tolerance import close, is_finite
from quizapp.export.model import NUMERIC, Choice
from solvers.steps import fmt

MAX_DISTRACTORS = 4  # five options at most
CHOICE_TYPES = (*NUMERIC, "integer")
SIGN_MESSAGE = "Sign error: the size is right, the sign is not."


@dataclass(frozen=True)
class Distractor:
    source: str  # misconception id, or "sign-error"
    value: Any
    feedback: str


def can_be_choice(part: PartSpec) -> bool:
    return part.type in CHOICE_TYPES


def takes_both_signs(answers: Sequence[Any]) -> bool:
    """Whether these right answers to one part include a negative and a positive entry."""
    values = np.concatenate([np.ravel(np.asarray(a, dtype=np.float64)) for a in answers])
    return bool(np.any(values < 0) and np.any(values > 0))


def without_sign_error(wrong: Sequence[Distractor], limit: int = MAX_DISTRACTORS) -> list[Distractor]:
    return [d for d in wrong if d.source != "sign-error"][:limit]


def distractors(question: Question, part: PartSpec, mistaken: Mapping[str, MisconceptionAnswer] | None = None,
                sign_error: bool = True, limit: int | None = MAX_DISTRACTORS) -> list[Distractor]:
    """The recognisable wrong answers to ``part``, most specific first, without near-duplicates.

    ``mistaken`` is ``question.misconception_answers()`` when the caller already has it.
    ``sign_error``: offer the negated answer too (only sensible for a quantity that can take
    either sign: a negative loss or probability is no answer a student would choose). It comes
    last, so dropping it afterwards (see :func:`without_sign_error`) gives the same list as not
    offering it.
    """
    ref = question.expected[part.name]
    mistaken = question.misconception_answers() if mistaken is None else mistaken
    kept: list[Distractor] = []
    given = question.judgement.candidates.get(part.name, ())
    apart = _apart(question, part)
    for cand in _candidates(mistaken, part, ref, sign_error) + _not_updated(given):
        if _usable(part, cand.value, ref) and apart(cand.value, ref) and all(apart(cand.value, k.value) for k in kept):
            kept.append(cand)
    return kept[:limit]


def _apart(question: Question, part: PartSpec) -> Callable[[Any, Any], bool]:
    """Whether the grader tells two answers apart: each beyond twice the other's band (judging.SEPARATION),
    so a student choosing an option is named by that option's own mistake."""
    if part.type not in NUMERIC:
        return lambda a, b: not _same(part, a, b)
    carried = question.judgement.propagated.get(part.name, 0.0)
    figures = question.sigfigs()
    bands: dict[int, tuple[Any, np.ndarray]] = {}  # id -> (the value, kept so that its id stays its own, band)

    def band(v: Any) -> np.ndarray:
        # each value's band once: a candidate is compared with the answer and with every option kept so far
        if id(v) not in bands:
            bands[id(v)] = v, judging.SEPARATION * judging.band_around(v, np.full(np.shape(v), np.max(carried)),
                                                                      figures)
        return bands[id(v)][1]

    def apart(a: Any, b: Any) -> bool:
        if np.shape(a) != np.shape(b):
            return True
        return not (judging.inside(a, b, band(b)) or judging.inside(b, a, band(a)))

    return apart


def _candidates(mistaken: Mapping[str, MisconceptionAnswer], part: PartSpec, ref: Any,
                sign_error: bool) -> list[Distractor]:
    out = []
    for mid, ans in mistaken.items():
        if ans.error is None and ans.distinct.get(part.name):
            m = ans.misconception
            out.append(Distractor(mid, ans.answers[part.name], _feedback(m.kind, markup(m.message))))
    if sign_error and part.type in NUMERIC:
        out.append(Distractor("sign-error", -np.asarray(ref, dtype=np.float64), SIGN_MESSAGE))
    return out


NOT_UPDATED = "The value before the update: the update itself was not applied."


def _not_updated(given: Sequence[Any]) -> list[Distractor]:
    """The grader's named non-answers a student really writes: the value the part updates, left as it was
    (a zero is no mistake anyone makes on purpose, so it is not offered). They come after the
    misconceptions and the sign error, so the most specific wrong answers are kept first."""
    return [Distractor(c.id, c.value, NOT_UPDATED) for c in given
            if c.kind == "non-answer" and c.id in ("unchanged", "previous")]


def _feedback(kind: str, message: str) -> str:
    if kind == "convention":
        return f"{message} Right under that convention, but not as the question is stated."
    return message


def _usable(part: PartSpec, value: Any, ref: Any) -> bool:
    if np.shape(value) != np.shape(ref) or not is_finite(part, value):
        return False
    return not _same(part, value, ref)


def _same(part: PartSpec, a: Any, b: Any) -> bool:
    """Too close to tell apart either way round (tolerances are relative to the reference)."""
    if part.type == "integer":
        return int(a) == int(b)
    if close(part, a, b) or close(part, b, a):
        return True
    # a part with a very tight tolerance: two answers may still print alike
    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return bool((np.abs(x - y) <= 1e-5 * np.abs(y)).all()) and fmt(a) == fmt(b)


def choices(template_id: str, seed: int | str, part: str, ref: Any, wrong: Sequence[Distractor]) -> tuple[Choice, ...]:
    """The right answer ``ref`` and ``wrong`` in a seed-dependent order, lettered A, B, ..."""
    options = [("answer", ref, True, "")] + [(d.source, d.value, False, d.feedback) for d in wrong]
    rng_for(template_id, seed, f"multiple-choice:{part}").shuffle(options)
    return tuple(Choice(chr(ord("A") + i), fmt(value), correct, source, feedback, value)
                 for i, (source, value, correct, feedback) in enumerate(options))
