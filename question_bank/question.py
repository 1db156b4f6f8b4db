"""A question: one template instantiated for one seed, with its solution and expected answers."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np

from question_bank import judging, render, sampler, solving
from question_bank.loader import TemplateError
from question_bank.schema import Misconception, Option, PartSpec, Template
from question_bank.tolerance import is_finite
from solvers.steps import Solution, to_jsonable


@dataclass(frozen=True)
class MisconceptionAnswer:
    """What a misconception gives for this question's numbers.

    ``answers`` holds the parts it changes; ``distinct`` says, per part, whether that answer has the
    part's shape and differs from the right one (the sampler keeps it outside the band, so it can be
    recognised). ``error`` is set
    when the solver refused the misconception's arguments for these numbers.
    """

    misconception: Misconception
    answers: dict[str, Any] = field(default_factory=dict)
    distinct: dict[str, bool] = field(default_factory=dict)
    error: str | None = None

    @property
    def recognisable(self) -> bool:
        return self.error is None and any(self.distinct.values())


@dataclass
class Question:
    template: Template
    seed: int | str
    params: dict[str, Any]
    solution: Solution
    expected: dict[str, Any]  # part name -> the right answer, in the part's type
    typed: bool = False  # some numbers were typed by a person rather than drawn

    @cached_property
    def judgement(self) -> judging.Judgement:
        """The stated precision and the accepted band of every numeric answer (conventions.md)."""
        return judging.judge(self.template, self.params, self.solution, typed=self.typed)

    def sigfigs(self, name: str | None = None) -> int:
        """The precision this question grades, in significant figures (the same for every part)."""
        return self.judgement.sigfigs

    def band(self, name: str) -> Any:
        """The accepted half-width of a numeric part or step, per entry (a float for a number); None when
        ``name`` is not numeric."""
        band = self.judgement.band(name)
        if band is None:
            return None
        return float(band) if band.ndim == 0 else band

    def precision_text(self) -> str:
        """How the question states its precision, e.g. 'Give numbers to 3 significant figures.'"""
        if not self.judgement.bands:
            return ""
        return judging.precision_text(self.sigfigs())

    def precision_problem(self) -> str | None:
        """For numbers a person typed: why even the stated precision cannot tell a part from a non-answer."""
        clash = self.judgement.clash
        if clash is None:
            return None
        name, candidate = clash
        label = self.label(self.template.part(name))
        return (f"With these numbers, {label} cannot be told apart from {judging.describe(candidate)} even at "
                f"{self.sigfigs()} significant figures: give more digits, or choose numbers further apart.")

    @property
    def id(self) -> str:
        """Stable address of this question: ``template-id:seed``."""
        return f"{self.template.id}:{self.seed}"

    @property
    def title(self) -> str:
        return self.template.title

    @property
    def parts(self) -> tuple[PartSpec, ...]:
        return self.template.parts

    @cached_property
    def prompt(self) -> str:
        return self._fill(self.template.prompt, "prompt")

    @cached_property
    def conventions(self) -> list[str]:
        return [self._fill(c, f"conventions[{i}]") for i, c in enumerate(self.template.conventions)]

    def label(self, part: PartSpec) -> str:
        return self._fill(part.label, f"parts.{part.name}.label") if part.label else part.name

    def _fill(self, text: str, field_name: str, values: Mapping[str, Any] | None = None) -> str:
        try:
            return render.fill(text, self.params if values is None else values)
        except ValueError as exc:
            line = self.template.line_of(field_name.split("[")[0].split(".")[0])
            raise TemplateError(str(exc), self.template.source, line, field_name) from None

    # -- choices ---------------------------------------------------------------------------

    def options(self, part: PartSpec | str) -> list[tuple[str, Option]]:
        """The part's options in display order, each with its letter (A, B, ...); the text and ``why`` as
        read on a terminal (``$...$`` maths drawn in Unicode)."""
        part = self.template.part(part) if isinstance(part, str) else part
        opts = [replace(o, text=render.markup(o.text), why=render.markup(o.why)) for o in part.options]
        if part.shuffle:
            sampler.rng_for(self.template.id, self.seed, f"options:{part.name}").shuffle(opts)
        return list(zip(string.ascii_uppercase, opts))

    def option_id(self, part: PartSpec | str, answer: str) -> str | None:
        """An option id from a letter (``b``) or the id itself; None when it is neither."""
        opts = self.options(part)
        text = answer.strip()
        for letter, opt in opts:
            if text.upper() == letter or text == opt.id:
                return opt.id
        return None

    # -- solving ---------------------------------------------------------------------------

    def solve_with(self, overrides: Mapping[str, Any]) -> tuple[Solution, dict[str, Any]]:
        """The solution and expected answers when a student's own values replace some steps
        (error carried forward: later parts are judged from the student's earlier work)."""
        sol = solving.run(self.template, self.params, overrides=overrides)
        return sol, solving.answers(self.template, sol)

    def misconception_answers(self) -> dict[str, MisconceptionAnswer]:
        """Each misconception's answers for this question's numbers, by misconception id."""
        return {m.id: self._misconception(m) for m in self.template.misconceptions}

    def _misconception(self, m: Misconception) -> MisconceptionAnswer:
        try:
            with np.errstate(all="ignore"):  # a slip may divide by zero: its answer is then not finite
                sol = solving.run(self.template, self.params, misconception=m)
            got = solving.answers(self.template, sol, m.parts, only_mapped=True)
        except (ValueError, TypeError, ZeroDivisionError, FloatingPointError) as exc:
            return MisconceptionAnswer(m, error=str(exc))
        distinct, changed = {}, False
        for name, value in got.items():
            part, want = self.template.part(name), self.expected[name]
            fits = judging.can_fire(part.type, value, np.shape(want))
            other = np.shape(value) != np.shape(want) or not _same(value, want)
            changed = changed or other
            band = self.judgement.band(name)
            outside = other if band is None or np.shape(value) != np.shape(want) else not judging.inside(
                value, want, band)
            distinct[name] = fits and is_finite(part, value) and outside
        if not changed:  # the slip makes no difference for these numbers (Adam's restart at t = 1)
            return MisconceptionAnswer(m, got, error="it gives exactly the right answer for these numbers")
        return MisconceptionAnswer(m, got, distinct)

    # -- hints and text --------------------------------------------------------------------

    def hints(self) -> list[str]:
        """The hints, in order, with this question's numbers (and worked values) in place."""
        values = {**self.solution.values(), **self.params}
        return [self._fill(h, f"hints[{i}]", values) for i, h in enumerate(self.template.hints)]

    def caption(self, part: PartSpec, unlabelled: str = "answer") -> str:
        """A part as the question names it, "(a) the new first moment m"; ``unlabelled`` for a
        question's only part when it has no label. Never the part's internal name."""
        if len(self.parts) == 1 and not part.label:
            return unlabelled
        return f"({string.ascii_lowercase[self.parts.index(part)]}) {self.label(part)}"

    def part_text(self, part: PartSpec) -> str:
        text = self.label(part)
        if part.type == "choice" and part.options:
            text += "".join(f"\n  {letter}) {opt.text}" for letter, opt in self.options(part))
        return text

    def text(self) -> str:
        """The whole question as plain text: title, stated conventions, prompt and parts."""
        lines = [self.title, ""]
        if self.conventions:
            lines += [f"• {c}" for c in self.conventions] + [""]
        lines.append(self.prompt.rstrip())
        if len(self.parts) > 1 or self.parts[0].label:
            lines.append("")
            for i, part in enumerate(self.parts):
                lines.append(f"({string.ascii_lowercase[i]}) {self.part_text(part)}")
        elif self.parts[0].type == "choice" and self.parts[0].options:
            lines += [f"  {letter}) {opt.text}" for letter, opt in self.options(self.parts[0])]
        if self.precision_text():  # every question states the precision it grades (conventions.md)
            lines += ["", self.precision_text()]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "template": self.template.id,
            "version": self.template.version,
            "seed": self.seed,
            "params": to_jsonable(self.params),
            "text": self.text(),
            "expected": {k: to_jsonable(v) for k, v in self.expected.items()},
        }


def _same(value: Any, ref: Any) -> bool:
    try:
        return judging.same(value, ref)
    except (TypeError, ValueError):  # words or choices
        return str(value) == str(ref)


def _scale(q: Question) -> float:
    """The size of the question's numbers: the largest given or answered magnitude."""
    sizes = [0.0]
    for value in [*q.params.values(), *(q.expected[p.name] for p in q.parts if p.type in judging.NUMERIC)]:
        try:
            arr = np.abs(np.asarray(value, dtype=np.float64))
        except (TypeError, ValueError):
            continue  # words, choices and lists of them
        if arr.size and np.all(np.isfinite(arr)):
            sizes.append(float(arr.max()))
    return max(sizes)


def _hand_reason(template: Template, expected: Mapping[str, Any]) -> str | None:
    """Why these answers are not hand-friendly enough for the template, or None."""
    hand = template.hand
    for part in template.parts:
        if part.type not in ("number", "vector", "matrix", "integer"):
            continue
        arr = np.asarray(expected[part.name], dtype=np.float64)
        if hand.max_abs is not None and np.any(np.abs(arr) > hand.max_abs):
            return f"hand.max_abs ({part.name} larger than {hand.max_abs:g})"
        if hand.answer_decimals is not None:
            scaled = arr * 10**hand.answer_decimals
            if np.any(np.abs(scaled - np.round(scaled)) > 1e-6 * np.maximum(1.0, np.abs(scaled))):
                return f"hand.answer_decimals ({part.name} needs more than {hand.answer_decimals} decimals)"
    return None


def _indistinct(q: Question) -> str | None:
    """The first required misconception these numbers would not let us recognise, or None."""
    for m in q.template.misconceptions:
        if m.id in q.template.require_distinct and not q._misconception(m).recognisable:
            return f"require_distinct ({m.id} gives the right answer)"
    return None


def instantiate(template: Template, seed: int | str, params: Mapping[str, Any] | None = None,
                separate: bool = True) -> Question:
    """The question of ``template`` for ``seed`` (``params`` fixes some parameters by hand).

    ``separate=False`` skips drawing again for separation (conventions.md): only for a quick look at
    what a seed gives, never for a question someone answers."""
    template = sampler.concept_variant(template, seed)  # a concept's pool: this seed's form and statements

    def accept(drawn: dict[str, Any]) -> tuple[str | None, Any]:
        sol, expected = _solve(template, drawn)
        bad = next((p.name for p in template.parts if not is_finite(p, expected[p.name])), None)
        if bad is not None:
            return f"answer {bad} is not finite", Question(template, seed, drawn, sol, expected, typed=typed)
        reason = _hand_reason(template, expected)
        question = Question(template, seed, drawn, sol, expected, typed=typed)
        if reason is None and template.require_distinct:
            reason = _indistinct(question)
        if reason is None and separate:
            reason = _inseparable(question)
        return reason, question

    typed = bool(params)
    _, question = sampler.sample(template, seed, params, accept)
    return question


def _inseparable(q: Question) -> str | None:
    """Why a drawn question must be drawn again: a band that holds a non-answer (conventions.md), or an
    answer that is all but cancelled to zero (0.1 - 0.0999999994: only ε = 1e-8 decides it)."""
    if q.typed:
        return None
    scale = _scale(q)
    for part in q.parts:
        if part.type in judging.NUMERIC:
            values = np.abs(np.asarray(q.expected[part.name], dtype=np.float64))
            if np.any((values > 0) & (values < judging.CANCELLED * scale)):
                return f"cancellation ({part.name} is all but zero)"
    clash = q.judgement.clash
    if clash is None:
        return None
    name, candidate = clash
    return f"separation ({name} cannot be told from {candidate.id} at {q.sigfigs()} significant figures)"


def _drawn(template: Template) -> Template:
    """A concept template whose options read as on a terminal: its worked step quotes the right one."""
    return replace(template, parts=tuple(
        replace(p, options=tuple(replace(o, text=render.markup(o.text), why=render.markup(o.why)) for o in p.options))
        for p in template.parts))


def _solve(template: Template, params: Mapping[str, Any]) -> tuple[Solution, dict[str, Any]]:
    try:
        sol = solving.run(_drawn(template) if template.is_concept else template, params)
        return sol, solving.answers(template, sol)
    except (ValueError, TypeError) as exc:
        field_name = "solver" if template.solver else "parts"
        raise TemplateError(
            f"solving {template.id!r} failed: {exc}", template.source, template.line_of(field_name), field_name
        ) from None
