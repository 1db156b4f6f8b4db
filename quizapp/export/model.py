"""Export records: one instantiated question frozen into plain data that every format renders.

A record holds what is shown (title, conventions, prompt, part labels, choices), what is right
(answers as plain JSON values, the tolerance per entry) and the worked solution, so the writers
never touch the bank again and every format shows the same numbers.
"""

from __future__ import annotations

import html
import math
import string
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import cached_property, lru_cache
from typing import Any

from question_bank import render
from question_bank.question import Question
from question_bank.schema import NUMERIC_TYPES, PartSpec
from solvers import display
from solvers.display import clean, number

NUMERIC = NUMERIC_TYPES


@dataclass(frozen=True)
class Choice:
    """One option of a multiple-choice part, with why it is right or which mistake it stands for."""

    letter: str
    text: str
    correct: bool
    source: str  # option id, "answer", a misconception id or "sign-error"
    feedback: str = ""
    value: Any = field(default=None, compare=False)  # a numeric choice's value (typeset per medium)
    # the option's text and why as written (``$...$`` maths), for the media that typeset it (LaTeX);
    # ``text`` and ``feedback`` are drawn in Unicode, as on a terminal
    markup: str = field(default="", compare=False)
    feedback_markup: str = field(default="", compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"letter": self.letter, "text": self.text, "correct": self.correct, "source": self.source,
                "feedback": self.feedback}


@dataclass(frozen=True)
class ExportPart:
    name: str
    label: str  # "" for the single unlabelled part of a question
    type: str  # the template's part type (a multiple-choice version keeps it)
    answer: Any  # plain JSON: number, (nested) list, int, option id or text
    answer_text: str  # the answer as a person reads it ("C) local minimum", "[0.1, -0.2]")
    tolerance: Any = None  # absolute tolerance per entry (same shape as the answer) for numeric parts
    choices: tuple[Choice, ...] = ()
    multiple_choice: bool = False  # a numeric part turned into a choice among misconception answers
    weight: float = 1.0  # the template's ``points`` for the part: its weight in the question's points

    @property
    def letter(self) -> str:
        """The letter of the right choice ("" when the part has no choices)."""
        return next((c.letter for c in self.choices if c.correct), "")

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "type": self.type, "answer": self.answer,
                "answer_text": self.answer_text, "tolerance": self.tolerance, "letter": self.letter,
                "multiple_choice": self.multiple_choice, "choices": [c.to_dict() for c in self.choices]}


@dataclass(frozen=True)
class ExportStep:
    name: str
    label: str
    formula: str
    substituted: str
    value: Any  # plain JSON
    value_text: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "formula": self.formula, "substituted": self.substituted,
                "value": self.value, "value_text": self.value_text}


@dataclass(frozen=True)
class Shown:
    """What a question shows, drawn for one medium (LaTeX or HTML): maths typeset, values as matrices."""

    prompt: str
    conventions: tuple[str, ...]
    labels: tuple[str, ...]  # per part ("" for an unlabelled part)
    answers: tuple[str, ...]  # per part
    steps: tuple[tuple[str, str, str, str], ...]  # label, formula, substituted, value


@dataclass(frozen=True)
class ExportQuestion:
    number: int  # 1-based position in the set (the same in every variant)
    section: str
    points: float
    template: str
    version: int
    seed: int
    title: str
    topic: str
    difficulty: int
    conventions: tuple[str, ...]
    prompt: str
    parts: tuple[ExportPart, ...]
    steps: tuple[ExportStep, ...]
    params: dict[str, Any] = field(default_factory=dict)
    shown: dict[str, Shown] = field(default_factory=dict, compare=False)  # medium -> typeset text
    precision: str = ""  # how precisely to answer ("Give numbers to 3 significant figures.")

    @property
    def id(self) -> str:
        return f"{self.template}:{self.seed}"

    @property
    def lettered(self) -> bool:
        """Whether parts are shown as (a), (b), ... (as Question.text() does)."""
        return len(self.parts) > 1 or bool(self.parts[0].label)

    @cached_property
    def shares(self) -> PointShares:
        """The question's points shared among its parts (:func:`share_points`)."""
        return share_points(self.points, [p.weight for p in self.parts])

    def part_points(self, index: int) -> float:
        """A part's share of the question's points: what the keys and the LMS weights use."""
        return self.shares.points[index]

    @property
    def part_points_shown(self) -> bool:
        """Whether a sheet shows each part's points (whole or half points), or only the question's."""
        return self.shares.shown

    def part_mark(self, index: int) -> str:
        return f"({string.ascii_lowercase[index]})" if self.lettered else ""

    def answer(self) -> dict[str, Any]:
        """Part name -> right answer, exactly as ``quizapp solve --json`` gives it."""
        return {p.name: p.answer for p in self.parts}

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "section": self.section, "points": self.points, "id": self.id,
                "template": self.template, "version": self.version, "seed": self.seed, "title": self.title,
                "topic": self.topic, "difficulty": self.difficulty, "conventions": list(self.conventions),
                "prompt": self.prompt, "params": self.params, "answer": self.answer(),
                "parts": [{**p.to_dict(), "points": self.part_points(i)} for i, p in enumerate(self.parts)],
                "part_points_shown": self.part_points_shown, "steps": [s.to_dict() for s in self.steps]}


@dataclass(frozen=True)
class Variant:
    """One version of the set: for a numbered variant ``student`` is ""; for a roster, the student's id."""

    id: str
    seed: int
    questions: tuple[ExportQuestion, ...]
    student: str = ""
    name: str = ""

    @property
    def heading(self) -> str:
        if self.student:
            who = f"{self.name} ({self.student})" if self.name else self.student
            return f"Student {who}"
        return f"Variant {self.id}"

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "student": self.student, "name": self.name, "seed": self.seed,
                "questions": [q.to_dict() for q in self.questions]}


@dataclass(frozen=True)
class ProblemSet:
    title: str
    seed: int
    variants: tuple[Variant, ...]
    app_version: str
    decisions: tuple[dict[str, Any], ...] = ()  # multiple-choice decisions, for the manifest

    @property
    def points(self) -> float:
        return sum(q.points for q in self.variants[0].questions) if self.variants else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"format": "quizapp-problem-set", "format_version": 1, "title": self.title, "seed": self.seed,
                "app_version": self.app_version, "points": self.points,
                "variants": [v.to_dict() for v in self.variants]}


def step_line(label: str, work: str) -> str:
    """A worked step as one line: "first moment: β₁·m + ... = [-0.17, 0.18]"; a label that is a whole
    sentence (a concept's explanation) is followed by its answer, not by a colon after its full stop."""
    return f"{label}{' ' if label.rstrip().endswith(('.', '!', '?')) else ': '}{work}"


def key_points(q: ExportQuestion, index: int, dash: str = "–") -> str:
    """A part's points in an answer key; a question whose points do not split into whole or half points
    has them once, on its first part ("1 for (a)–(c)"), and "" on the others."""
    if q.part_points_shown or len(q.parts) == 1:
        return points_text(q.part_points(index))
    if index:
        return ""
    return f"{points_text(q.points)} for {q.part_mark(0)}{dash}{q.part_mark(len(q.parts) - 1)}"


def points_text(points: float) -> str:
    return number(points, 3)


@dataclass(frozen=True)
class PointShares:
    points: tuple[float, ...]  # per part; they sum to the question's points
    shown: bool  # whole or half points, shown per part; else only the question's points are shown


def share_points(points: float, weights: Sequence[float]) -> PointShares:
    """A question's ``points`` shared among its parts in proportion to ``weights``: the one allocation
    every sheet, key and LMS export uses.

    Shares a person reads: whole points when the question's points are whole and every part gets
    at least one; else half points when every part gets at least a half; each by largest
    remainder (ties to the earlier part), so they sum exactly to ``points`` (5 over three equal
    parts: 2, 2, 1). Otherwise no whole or half split exists (1 point over three parts): the
    shares are exact (1/3 each, the LMS weights) and sheets show only the question's points.
    """
    return _share_points(points, tuple(weights))


@lru_cache(maxsize=1024)  # every variant of a question, in every format, shares its points the same way
def _share_points(points: float, weights: tuple[float, ...]) -> PointShares:
    for unit in (Fraction(1), Fraction(1, 2)):
        shares = apportion(points, weights, unit)
        if shares is not None and min(shares) >= unit:
            return PointShares(tuple(float(x) for x in shares), True)
    total, weight = Fraction(points), sum(map(Fraction, weights))
    return PointShares(tuple(float(total * Fraction(w) / weight) for w in weights), False)


def apportion(points: float, weights: Sequence[float], unit: Fraction) -> list[Fraction] | None:
    """``points`` in multiples of ``unit``, in proportion to ``weights`` by largest remainder (ties to
    the earlier part), summing exactly to ``points``; None when ``points`` is not a multiple of ``unit``."""
    shares = _apportion(points, tuple(weights), unit)
    return None if shares is None else list(shares)


@lru_cache(maxsize=1024)  # the same few splits again and again (a question's blanks, in every variant)
def _apportion(points: float, weights: tuple[float, ...], unit: Fraction) -> tuple[Fraction, ...] | None:
    units = Fraction(points) / unit
    if units.denominator != 1:
        return None
    # exactly, in integers (Fraction arithmetic was most of a Canvas export's time): the weights over
    # a common denominator, and each share as a whole number of units and a remainder over their sum
    exact = [Fraction(w) for w in weights]
    scale = math.lcm(*(w.denominator for w in exact))
    scaled = [w.numerator * (scale // w.denominator) for w in exact]
    count, total = int(units), sum(scaled)
    whole = [count * w // total for w in scaled]  # floor: the shares are positive
    left = [count * w % total for w in scaled]
    for i in sorted(range(len(scaled)), key=lambda i: (-left[i], i))[:count - sum(whole)]:
        whole[i] += 1
    return tuple(n * unit for n in whole)


def tolerance(question: Question, part: PartSpec) -> Any:
    """The absolute half-width the grader accepts for each entry (``Question.band``): every export
    gives an LMS exactly the grader's band."""
    if part.type not in NUMERIC + ("integer",):
        return None
    band = question.band(part.name)
    if band is None:
        return 0 if part.type == "integer" else None  # whole numbers: exact
    return clean(band)


def option_choices(question: Question, part: PartSpec) -> tuple[Choice, ...]:
    """A choice part's options; the right one is the solver's answer (a concept template's options
    say which is right, a computed question's solver picks it)."""
    right = question.expected[part.name]
    written = {o.id: o for o in part.options}
    return tuple(Choice(letter, opt.text, opt.id == right, opt.id, opt.why, markup=written[opt.id].text,
                        feedback_markup=written[opt.id].why) for letter, opt in question.options(part))


def export_question(question: Question, number: int, section: str, points: float,
                    choices: dict[str, tuple[Choice, ...]] | None = None) -> ExportQuestion:
    """The record of ``question``; ``choices`` turns the named numeric parts into multiple choice."""
    choices = choices or {}
    # each part's answer drawn in every medium from one structured value: plain (the record), then MEDIA
    answers = [render.answer_texts(question, p, question.expected[p.name], ("plain", *MEDIA)) for p in question.parts]
    parts = tuple(_part(question, p, choices.get(p.name, ()), a[0]) for p, a in zip(question.parts, answers))
    # each step's value drawn once for its text (as steps.fmt writes it: 6 figures) and for both media
    values = [display.render_media(display.value(s.value, render.ANSWER_DIGITS), ("plain", *MEDIA))
              for s in question.solution.steps]
    steps = tuple(ExportStep(s.name, s.label, s.formula, s.substituted, clean(s.value), v[0])
                  for s, v in zip(question.solution.steps, values))
    t = question.template
    shown = {m: _shown(question, parts, m, tuple(v[1 + k] for v in values), tuple(a[1 + k] for a in answers))
             for k, m in enumerate(MEDIA)}
    return ExportQuestion(number, section, float(points), t.id, t.version, int(question.seed), t.title, t.topic,
                          t.difficulty, tuple(question.conventions), question.prompt.rstrip(), parts, steps,
                          clean(question.params), shown, _precision(question))


MEDIA = ("latex", "html")


def with_choices(q: ExportQuestion, index: int, options: tuple[Choice, ...]) -> ExportQuestion:
    """``q`` with numeric part ``index`` asked as a choice among ``options`` (in this variant's order):
    every key and solution then gives the right option's letter before the value ("B) 0.731"), in
    the records (``answer_text``, ``letter``) and in what is typeset for each medium."""
    part = q.parts[index]
    letter = next(c.letter for c in options if c.correct)
    new = replace(part, choices=options, multiple_choice=True, answer_text=f"{letter}) {part.answer_text}")
    shown = {m: replace(s, answers=s.answers[:index] + (f"{letter}) {s.answers[index]}",) + s.answers[index + 1:])
             for m, s in q.shown.items()}
    return replace(q, parts=q.parts[:index] + (new,) + q.parts[index + 1:], shown=shown)


def _shown(question: Question, parts: tuple[ExportPart, ...], medium: str, values: tuple[str, ...],
           drawn: tuple[str, ...]) -> Shown:
    """The question's text typeset for ``medium`` from the template's text and the drawn values (``values``:
    each step's value, ``drawn``: each part's answer, both drawn for ``medium``)."""
    t, params = question.template, question.params
    labels = tuple(render.fill(p.label, params, medium) if p.label else "" for p in question.parts)
    answers = tuple(_answer_shown(part, medium, text) for part, text in zip(parts, drawn))
    prose = display.latex_text if medium == "latex" else lambda s: html.escape(s, quote=False)
    steps = tuple((_step_label(question, s, medium, prose), display.formula_text(s.formula, medium),
                   display.formula_text(s.substituted, medium), v)
                  for s, v in zip(question.solution.steps, values))
    return Shown(render.fill(t.prompt, params, medium).rstrip(),
                 tuple(render.fill(c, params, medium) for c in t.conventions), labels, answers, steps)


def _step_label(question: Question, step: Any, medium: str, prose: Any) -> str:
    """A step's label for ``medium``; a concept's step quotes the right option's ``why`` (drawn in Unicode by
    the solution), typeset from the author's maths markup."""
    t = question.template
    if t.is_concept and step.name in {p.name for p in t.parts}:
        right = t.part(step.name).correct_option()
        if right is not None and right.why and render.markup(right.why) == step.label:
            return render.markup(right.why, medium)
    return prose(step.label)


def _answer_shown(part: ExportPart, medium: str, drawn: str) -> str:
    """A part's answer as shown in ``medium``; ``drawn``: its answer text for the medium (render.answer_text)."""
    if part.choices and part.multiple_choice:
        return f"{part.letter}) " + drawn
    if part.choices:
        prose = display.latex_text if medium == "latex" else lambda s: html.escape(s, quote=False)
        return prose(part.answer_text)
    return drawn


def _precision(question: Question) -> str:
    """The grader's statement of the precision it accepts (every export states it)."""
    return question.precision_text()


def _part(question: Question, part: PartSpec, mc: tuple[Choice, ...], text: str) -> ExportPart:
    """A part's record; ``text``: its answer as render.answer_text writes it."""
    value = question.expected[part.name]
    label = question.label(part) if part.label else ""
    if part.type == "choice" and part.options:
        return ExportPart(part.name, label, part.type, value, text, choices=option_choices(question, part),
                          weight=part.points)
    if mc:
        letter = next(c.letter for c in mc if c.correct)
        text = f"{letter}) {text}"
    return ExportPart(part.name, label, part.type, clean(value), text, tolerance(question, part), mc, bool(mc),
                      part.points)
