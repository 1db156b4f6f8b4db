"""What a template is, as plain frozen dataclasses (parsed from YAML by :mod:`question_bank.reader`).

A template keeps four concerns apart, in the manner of PrairieLearn and R/exams: how its
parameters are drawn (``params``, ``constraints``, ``hand``), how it is shown (``prompt``,
``conventions``, ``hints``), how it is solved (``solver``, ``parts``) and how wrong answers are
recognised (``misconceptions``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Numeric tolerances (../shared/conventions.md, "Numeric answers").
REL_TOL = 5e-3
ABS_TOL = 1e-4

PART_TYPES = ("number", "vector", "matrix", "integer", "choice", "expression")
NUMERIC_TYPES = ("number", "vector", "matrix")  # the part types judged by a band (question_bank.judging)
PARAM_KINDS = ("int", "decimal", "choice", "vector", "matrix", "sample", "derived", "fixed")
MISCONCEPTION_KINDS = ("mistake", "convention")
# How a concept template with a pool asks: its own written parts, one statement to judge, the one true
# (or false) statement among others, or several statements each judged true or false.
CONCEPT_FORMS = ("written", "true-or-false", "pick-true", "pick-false", "which-true")


@dataclass(frozen=True)
class ParamSpec:
    """How one parameter is drawn. Bounds and sizes may name earlier parameters or be expressions."""

    name: str
    kind: str
    low: Any = None
    high: Any = None
    decimals: int = 0
    options: tuple[Any, ...] = ()  # choice: the values; sample: drawn from (or `source`)
    source: str | None = None  # sample: the name of a list parameter to draw from
    shape: tuple[Any, ...] = ()  # vector: (size,), matrix: (rows, cols); ints or names/expressions
    replace: bool = False  # sample: with replacement
    expr: Any = None  # derived: a compiled expression
    expr_text: str = ""
    value: Any = None  # fixed
    nonzero: bool = False
    distinct: bool = False
    exclude: tuple[Any, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class Constraint:
    """A condition the sampled parameters must meet; the sampler redraws until it holds.

    ``kind`` is ``expr`` (a condition over the parameters) or a named check from
    :mod:`question_bank.constraints` with ``args`` naming the parameters it reads.
    """

    kind: str
    args: dict[str, Any] = field(default_factory=dict)
    expr: Any = None
    text: str = ""  # how the constraint is named in messages
    line: int = 0


@dataclass(frozen=True)
class HandFriendly:
    """How workable by hand a question must be.

    ``param_decimals``: no drawn range may have more decimals than this (lint checks the specs).
    ``answer_decimals``: when set, the sampler redraws until every numeric answer is exact at
    this many decimals (for example 2 for an SGD step on one-decimal numbers).
    ``max_abs``: when set, every numeric answer must be at most this large in absolute value.
    """

    param_decimals: int = 2
    answer_decimals: int | None = None
    max_abs: float | None = None


@dataclass(frozen=True)
class Option:
    """A multiple-choice option. ``why`` explains why it is right, or why it is wrong."""

    id: str
    text: str
    correct: bool = False
    why: str = ""
    line: int = 0


@dataclass(frozen=True)
class Statement:
    """A statement of a concept template's pool: true or false, and ``why`` (shown as the explanation)."""

    id: str
    text: str
    true: bool
    why: str
    line: int = 0


@dataclass(frozen=True)
class PartSpec:
    """One answer part: what is asked, its type, where the solver puts it and how close is right."""

    name: str
    type: str
    label: str = ""
    key: str = ""  # the solver's answer key (defaults to the part name)
    rel_tol: float = REL_TOL
    abs_tol: float = ABS_TOL
    sigfigs: int | None = None
    percent: bool = False  # a number part that also accepts "73%" for 0.73
    depends_on: tuple[str, ...] = ()  # earlier parts this one is computed from (error carried forward)
    options: tuple[Option, ...] = ()
    shuffle: bool = True  # choice options are shown in a seed-dependent order
    points: float = 1.0  # the part's weight: a question's points are shared among its parts in proportion
    line: int = 0

    @property
    def answer_key(self) -> str:
        return self.key or self.name

    def correct_option(self) -> Option | None:
        return next((o for o in self.options if o.correct), None)


@dataclass(frozen=True)
class SolverCall:
    """The reference solver and literal arguments on top of the parameters (``$name`` = a parameter)."""

    name: str
    args: dict[str, Any] = field(default_factory=dict)
    line: int = 0


@dataclass(frozen=True)
class Misconception:
    """A named wrong way to work the problem, recognised by recomputing with other arguments.

    ``kind`` is ``mistake`` (an error) or ``convention`` (a legitimate alternative the student may
    have been taught). ``solver`` replaces the template's solver when given; ``args`` are merged
    over the template's call; ``parts`` maps part names to that solver's answer keys.
    """

    id: str
    kind: str
    message: str
    solver: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    parts: dict[str, str] = field(default_factory=dict)
    line: int = 0


@dataclass(frozen=True)
class Template:
    id: str
    title: str
    topic: str
    difficulty: int
    prompt: str
    parts: tuple[PartSpec, ...]
    version: int = 1
    tags: tuple[str, ...] = ()
    conventions: tuple[str, ...] = ()
    params: tuple[ParamSpec, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    hand: HandFriendly = HandFriendly()
    solver: SolverCall | None = None
    misconceptions: tuple[Misconception, ...] = ()
    # Misconceptions the sampler must keep recognisable: it redraws until each gives another answer.
    require_distinct: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    # A concept template's pool: each seed asks one of ``forms`` over statements drawn from ``pool``,
    # introduced by ``stem`` (sampler.concept_variant).
    stem: str = ""
    pool: tuple[Statement, ...] = ()
    forms: tuple[str, ...] = ()
    source: str = ""  # the file it was loaded from
    line: int = 0
    field_lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_concept(self) -> bool:
        """A multiple-choice question written entirely in YAML (no solver)."""
        return self.solver is None

    def part(self, name: str) -> PartSpec:
        for p in self.parts:
            if p.name == name:
                return p
        raise KeyError(f"template {self.id!r} has no part {name!r}")

    def param(self, name: str) -> ParamSpec:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(f"template {self.id!r} has no parameter {name!r}")

    def line_of(self, field_name: str) -> int:
        return self.field_lines.get(field_name, self.line)
