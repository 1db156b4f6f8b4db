"""How a number is judged (../shared/conventions.md, "Numeric answers: how a number is judged").

A student works by hand: every intermediate value of the worked solution is written down to the
stated precision (default 3 significant figures) and reused, and the final value is rounded too.
The *band* of a numeric answer is what that honest work can explain, entry by entry:

    band = Σ over recorded intermediates |∂answer/∂intermediate| · |rounding error of that intermediate|
           + half a unit in the last stated figure of the answer

The sensitivities come from the recorded steps themselves: the solver is re-run with one entry of
one step nudged (``Recorder`` overrides, the same mechanism as error carried forward), so no
template carries a tolerance constant.

A band must *separate*: it may not contain the answer of a named mistake or convention, the
given value a part updates, the previous state, or zero where zero is wrong. When it does, the
question asks for more significant figures (up to ``EXTRA_SIGFIGS`` more than the template's);
when even that fails, the sampler draws again, and numbers a person typed get a note asking for
more digits.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from question_bank import solving
from question_bank.schema import NUMERIC_TYPES, Misconception, PartSpec, Template
from solvers.steps import Replay, Solution

DEFAULT_SIGFIGS = 3
EXTRA_SIGFIGS = 2  # how many more figures a drawn question may ask for before it is drawn again
TYPED_MAX_SIGFIGS = 12  # numbers a person typed: ask for up to this many figures, then give up
NUMERIC = NUMERIC_TYPES
# An entry this much smaller than its part (or the value it updates) is a cancellation left by float
# arithmetic or a tiny ε: a drawn question with one is drawn again.
CANCELLED = 1e-6
# The carried rounding is measured to first order (one nudge per entry); a student's roundings compound
# a little beyond it (a root of a rounded sum of rounded squares): a tenth more covers that.
CARRIED = 1.1
# A named mistake or non-answer must lie beyond this many bands from the right answer.
SEPARATION = 2.0
# Two answers closer than this (relative) are the same answer, not a mistake to tell apart.
SAME = 1e-9
# The nudge used to measure a step's influence (relative to the entry; absolute for a zero entry).
_NUDGE = 1e-7
_SOLVE_ERRORS = (ValueError, TypeError, KeyError, ArithmeticError, FloatingPointError)


@dataclass(frozen=True)
class Candidate:
    """A wrong answer that must stay outside the band: what it is, and its value for the part."""

    id: str  # a misconception id, or "unchanged", "previous", "zero"
    kind: str  # "mistake" | "convention" | "non-answer"
    value: Any
    what: str  # in words, for messages ("the given w unchanged")
    misconception: Misconception | None = None
    source: str = ""  # a non-answer: the parameter or step it repeats (``w``, or ``w1`` for ``w2``)

    @property
    def entrywise(self) -> bool:
        """A non-answer is one in every entry: leaving one weight unchanged is not an answer either."""
        return self.kind == "non-answer"


@dataclass(frozen=True)
class Judgement:
    """How one question's numeric answers are judged."""

    sigfigs: int  # the stated precision, in significant figures
    bands: dict[str, np.ndarray]  # part or step name -> half-width per entry (the value's shape)
    propagated: dict[str, np.ndarray] = field(default_factory=dict)  # the part of each band from intermediates
    bounds: dict[str, np.ndarray] = field(default_factory=dict)  # the most any honest rounding carries
    candidates: dict[str, tuple[Candidate, ...]] = field(default_factory=dict)  # part name -> non-answers
    clash: tuple[str, Candidate] | None = None  # (part, non-answer) still inside its band (typed numbers)

    def band(self, name: str) -> np.ndarray | None:
        return self.bands.get(name)


# ----------------------------------------------------------------------------- rounding


def round_sig(x: Any, figures: int) -> Any:
    """``x`` (a number or an array) rounded to ``figures`` significant figures, entry by entry."""
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 0:
        return _round_one(float(arr), figures)
    return np.array([_round_one(v, figures) for v in arr.ravel().tolist()], dtype=np.float64).reshape(arr.shape)


def _round_one(v: float, figures: int) -> float:
    if v == 0 or not math.isfinite(v):
        return v
    try:
        return round(v, figures - 1 - math.floor(math.log10(abs(v))))
    except OverflowError:  # within a rounding step of the largest float: nothing to round
        return v


def half_unit(x: Any, figures: int) -> np.ndarray:
    """Half a unit in the last of ``figures`` significant figures of each entry (0 for a zero entry)."""
    arr = np.abs(np.asarray(x, dtype=np.float64))
    with np.errstate(divide="ignore"):
        exponent = np.floor(np.log10(np.where(arr > 0, arr, 1.0)))
    return np.where(arr > 0, 0.5 * 10.0 ** (exponent - figures + 1), 0.0)


def _half_unit_one(v: float, figures: int) -> float:
    """:func:`half_unit` of one number, with the C library's log10 and pow as NumPy's scalar path uses
    them (the same bits, without an array per call)."""
    v = abs(v)
    if not v > 0:
        return 0.0
    if v == math.inf:
        return math.inf
    return 0.5 * 10.0 ** (math.floor(math.log10(v)) - figures + 1)


def slack(x: Any) -> np.ndarray:
    """Float noise that no one can see: never a reason to reject."""
    return SAME * np.abs(np.asarray(x, dtype=np.float64)) + 1e-12


# ----------------------------------------------------------------------------- influence of steps


@dataclass
class Influence:
    """How every recorded step moves every later step and part, entry by entry.

    The targets (every numeric step and part, ``base``) are laid end to end as the rows of ``slopes``
    (``spans`` says where each sits); each column is one entry of an earlier step (``columns``: step
    name, entry index), and holds |∂target/∂entry| for every row. A band at ``p`` figures is then
    Σ over columns |J|·(rounding error of that entry). The rounding error is the larger of rounding
    the exact value and rounding the value honest work reaches (every earlier step rounded and
    reused: ``path``), since a student rounds what they have, not the exact value.
    """

    base: dict[str, np.ndarray]
    spans: dict[str, slice]
    columns: list[tuple[str, tuple[int, ...]]]
    slopes: np.ndarray  # (every target entry, every column)
    path: Callable[[int], dict[str, np.ndarray]] | None = None  # figures -> {step: value honest work reaches}
    _sums: dict[tuple[str, int], np.ndarray] = field(default_factory=dict, repr=False)

    @cached_property
    def entries(self) -> np.ndarray:
        """Each column's exact value."""
        return np.array([self.base[step][index] for step, index in self.columns], dtype=np.float64)

    def bound(self, name: str, figures: int) -> np.ndarray:
        """What rounding every earlier entry by up to half a unit can carry into ``name``: the band for
        answers worked from a student's own earlier values, whose rounding is not known."""
        # entry by entry: NumPy's vector log10 and power may differ in the last bit from its scalar ones,
        # and the same entry must get the same band whatever else is computed with it
        return self._share(name, "bound", figures,
                           lambda: np.array([_half_unit_one(e, figures) for e in self.entries.tolist()]))

    def propagated(self, name: str, figures: int) -> np.ndarray:
        return self._share(name, "carried", figures, lambda: self._errors(figures))

    def _share(self, name: str, kind: str, figures: int, per_entry: Callable[[], np.ndarray]) -> np.ndarray:
        """``name``'s part of Σ |J|·(per entry), worked out once for every target at once."""
        total = self._sums.get((kind, figures))
        if total is None:
            total = self._sums[(kind, figures)] = _in_order(self.slopes, per_entry()) if self.columns else (
                np.zeros(self.slopes.shape[0]))
        return total[self.spans[name]].reshape(self.base[name].shape)

    def _errors(self, figures: int) -> np.ndarray:
        """Each column's rounding error: of its exact value, or of the value honest work reaches if larger."""
        exact = self.entries
        error = np.abs(round_sig(exact, figures) - exact)
        reached = self.path(figures) if self.path else {}
        honest = np.array([_entry(reached.get(step), self.base[step].shape, index) for step, index in self.columns],
                          dtype=np.float64)
        # fmax: an honest value that is not finite (nan - nan) says nothing, as max(error, nan) did
        return np.fmax(error, np.abs(round_sig(honest, figures) - honest))


def _entry(value: Any, shape: tuple[int, ...], index: tuple[int, ...]) -> float:
    if value is None or np.shape(value) != shape:
        return math.nan
    return float(np.asarray(value)[index])


def _in_order(slopes: np.ndarray, per_entry: np.ndarray) -> np.ndarray:
    """Σ over columns of slopes·per_entry, row by row, added in column order: the same sum, to the last
    bit, as adding one entry's share after another."""
    with np.errstate(invalid="ignore"):
        return np.add.accumulate(slopes * per_entry[None, :], axis=1)[:, -1]


def _numeric_values(template: Template, solution: Solution) -> dict[str, np.ndarray]:
    """Every numeric step (first occurrence by name) and numeric part, as float arrays."""
    out: dict[str, np.ndarray] = {}
    for s in solution.steps:
        if s.name not in out and _is_float(s.value):
            out[s.name] = np.asarray(s.value, dtype=np.float64)
    for part in template.parts:
        if part.type in NUMERIC and part.answer_key in solution.answer:
            try:
                out[part.name] = np.asarray(solution.answer[part.answer_key], dtype=np.float64)
            except (TypeError, ValueError):
                continue
    return out


def _is_float(value: Any) -> bool:
    kind = type(value)
    if kind is float or kind is np.float64:  # the common cases first: every step of every re-solve asks
        return True
    if kind is np.ndarray:
        return value.dtype.kind == "f"
    if isinstance(value, (bool, np.bool_, int, np.integer, str)):
        return False
    if isinstance(value, (float, np.floating)):
        return True
    return isinstance(value, np.ndarray) and value.dtype.kind == "f"


def influence(template: Template, params: Mapping[str, Any], solution: Solution) -> Influence:
    """How each recorded step moves every later step and part: re-solves with the step's entries nudged
    (one entry at a time, or several at once where the template's pattern allows: :func:`_grouped`)."""
    # once for every re-solve (not per solve: there are thousands): a nudge may overflow or divide by
    # zero somewhere, and that row is then left out, never raised or warned about
    with np.errstate(all="ignore"):
        return _influence(template, params, solution)


def _influence(template: Template, params: Mapping[str, Any], solution: Solution) -> Influence:
    base = _numeric_values(template, solution)
    frame = _Frame.of(template, params, base)
    step_names = [n for n in dict.fromkeys(s.name for s in solution.steps) if n in base]
    found = _slopes_by_step(frame, step_names)
    columns = [(name, index) for name in step_names for index, _ in found[name]]
    slopes = [slope for name in step_names for _, slope in found[name]]
    matrix = np.stack(slopes, axis=1) if slopes else np.zeros((frame.flat.size, 0))
    return Influence(base, frame.spans, columns, matrix, _paths(template, params, step_names))


def _slopes_by_step(frame: _Frame, step_names: list[str]) -> dict[str, Read]:
    """Each step's (entry, |slopes|): read in groups where the template's pattern allows, else one entry
    at a time. What was read in groups is checked by moving every such step at once; a step that fails
    that check is checked on its own, and failing again, moved one entry at a time."""
    pattern = _pattern(frame.template, frame) if len(frame.flat) > 1 else None
    found: dict[str, Read] = {}
    unchecked: dict[str, dict[tuple[int, ...], np.ndarray]] = {}
    for name in step_names:
        read = _grouped(frame, name, pattern[name]) if pattern and name in pattern else None
        if read is None:
            found[name] = _each(frame, name)
        else:
            unchecked[name] = read
    all_agree = bool(unchecked) and _all_agree(frame, unchecked)
    for name, signed in unchecked.items():
        ok = all_agree or _agrees(frame, name, frame.base[name], signed, frame.itself(name))
        found[name] = _in_entry_order(frame.base[name], signed) if ok else _each(frame, name)
    return found


def _paths(template: Template, params: Mapping[str, Any], step_names: list[str]
           ) -> Callable[[int], dict[str, np.ndarray]]:
    """The honest path at a given precision, worked out the first time it is asked for."""
    paths: dict[int, dict[str, np.ndarray]] = {}

    def path(figures: int) -> dict[str, np.ndarray]:
        if figures not in paths:
            paths[figures] = honest_path(template, params, step_names, figures)
        return paths[figures]

    return path


@dataclass(frozen=True)
class _Frame:
    """One question's numeric values laid end to end (``flat``; ``spans`` says where each sits), and
    the re-solve that moves them."""

    template: Template
    params: Mapping[str, Any]
    base: Mapping[str, np.ndarray]
    spans: dict[str, slice]
    flat: np.ndarray
    solve: Callable[[Replay], Solution]

    @classmethod
    def of(cls, template: Template, params: Mapping[str, Any], base: Mapping[str, np.ndarray]) -> _Frame:
        spans: dict[str, slice] = {}
        start = 0
        for name, value in base.items():
            spans[name] = slice(start, start + value.size)
            start += value.size
        flat = np.concatenate([v.ravel() for v in base.values()]) if base else np.zeros(0)
        return cls(template, params, base, spans, flat, solving.replayer(template, params))

    @property
    def shapes(self) -> tuple[tuple[str, tuple[int, ...]], ...]:
        return tuple((name, value.shape) for name, value in self.base.items())

    def itself(self, name: str) -> list[slice]:
        """The rows of step ``name`` and of a part read from it: that step, rounded once as the final
        answer, is not its own intermediate."""
        key_of = {p.name: p.answer_key for p in self.template.parts}
        return [self.spans[t] for t in self.base if name in (t, key_of.get(t))]

    def moved_added(self, added: Mapping[str, np.ndarray]) -> np.ndarray | None:
        """Every row after re-solving with ``added`` added to what the named steps compute."""
        return self._rows(_resolve(self.template, self.params, Replay(added=added), self.solve))

    def moved(self, name: str, nudges: Mapping[tuple[int, ...], float]) -> np.ndarray | None:
        """Every row after re-solving with step ``name``'s entries moved by ``nudges`` (None if that fails);
        a target of another shape than before stays as it was."""
        value = self.base[name].copy()
        for index, nudge in nudges.items():
            value[index] += nudge
        return self._rows(_resolve(self.template, self.params, Replay({name: value if value.ndim else float(value)}),
                                   self.solve))

    def _rows(self, changed: Mapping[str, Any] | None) -> np.ndarray | None:
        if changed is None:
            return None
        out = self.flat.copy()
        base = self.base
        for target, new in changed.items():  # every value is an array (_numeric_values)
            span = self.spans.get(target)
            if span is not None and new.shape == base[target].shape:
                out[span] = new.ravel()
        return out


Read = list[tuple[tuple[int, ...], np.ndarray]]  # (entry, |slopes| for every row), entry by entry


def _nudge(entry: float) -> float:
    return _NUDGE * abs(entry) if entry else _NUDGE


def _each(frame: _Frame, name: str) -> Read:
    """(entry, |Δrow| / nudge for every row) for each entry of step ``name`` that moves anything: one
    re-solve per entry. A target that cannot be compared anywhere (not finite) is left out whole."""
    out = []
    value = frame.base[name]
    itself = frame.itself(name)
    for index in np.ndindex(value.shape):
        entry = float(value[index])
        if not math.isfinite(entry):
            continue
        nudge = _nudge(entry)
        moved = frame.moved(name, {index: nudge})
        if moved is None:
            continue
        slope = np.abs(moved - frame.flat) / nudge  # errors ignored by influence()
        for span in itself:
            slope[span] = 0.0
        bad = ~np.isfinite(slope)
        if bad.any():
            for span in frame.spans.values():
                if bad[span].any():
                    slope[span] = 0.0
        if slope.any():
            out.append((index, slope))
    return out


# ----------------------------------------------------------------------------- several entries at once

# A template's pattern: step -> the rows each entry of it can move (learned once per template and shape
# from a few fixed draws, so that a question's band never depends on which questions came before it).
@dataclass(frozen=True)
class StepPattern:
    """The rows each entry of one step can move, and its entries in groups that move no row in common."""

    rows: Mapping[tuple[int, ...], np.ndarray]
    groups: tuple[tuple[tuple[int, ...], ...], ...]

    @classmethod
    def of(cls, shape: tuple[int, ...], rows: Mapping[tuple[int, ...], np.ndarray]) -> StepPattern:
        return cls(rows, _groups(shape, rows))

    @property
    def moves_nothing(self) -> bool:
        return not any(len(r) for r in self.rows.values())


Pattern = dict[str, StepPattern]
_PATTERNS: dict[tuple[int, tuple[Any, ...]], tuple[Template, Pattern | None]] = {}
PATTERN_DRAWS = 3
# How far the all-entries check may differ from the sum of the single moves, relative to their size:
# finite differences at a 1e-7 nudge agree to about 1e-9; a wrong grouping is off by the whole move.
_AGREE = 1e-6


PATTERNS_KEPT = 1024  # templates × shapes: a long session checking typed numbers of many sizes stays bounded


def _pattern(template: Template, frame: _Frame) -> Pattern | None:
    key = (id(template), frame.shapes)
    if key not in _PATTERNS:
        if len(_PATTERNS) >= PATTERNS_KEPT:
            _PATTERNS.clear()
        _PATTERNS[key] = (template, _learn(template, frame.shapes))
    return _PATTERNS[key][1]


def _learn(template: Template, shapes: tuple[Any, ...]) -> Pattern | None:
    """Which rows each step entry moves, in any of a few fixed draws of the template with these shapes."""
    from question_bank import sampler  # the sampler's draws, without the judging that sampling does

    pattern: dict[str, dict[tuple[int, ...], np.ndarray]] = {}
    for k in range(PATTERN_DRAWS):
        try:
            params = _jittered(template, sampler.sample(template, f"judging-pattern:{k}")[0], k)
            with np.errstate(all="ignore"):
                solution = solving.run(template, params)
        except (*_SOLVE_ERRORS, RuntimeError):
            continue
        frame = _Frame.of(template, params, _numeric_values(template, solution))
        if frame.shapes != shapes:
            continue
        for name in dict.fromkeys(s.name for s in solution.steps):
            if name in frame.base:
                rows = pattern.setdefault(name, {})
                for index, slope in _each(frame, name):
                    seen = rows.get(index)
                    found = np.flatnonzero(slope)
                    rows[index] = found if seen is None else np.union1d(seen, found)
    sizes = dict(shapes)
    return {name: StepPattern.of(sizes[name], rows) for name, rows in pattern.items()} or None


def _jittered(template: Template, params: Mapping[str, Any], k: int) -> dict[str, Any]:
    """The drawn numbers moved off their grid: drawn values are round, and a round draw often makes a
    slope zero by coincidence (a deviation of exactly 0), which a pattern must not take for structure.
    Whole-number kinds (counts, labels, choices) stay as drawn."""
    rng = np.random.default_rng(k)
    out = dict(params)
    for spec in template.params:
        value = params.get(spec.name)
        if spec.kind not in _JITTERED or value is None or isinstance(value, (bool, str)):
            continue
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            continue
        moved = arr * (1.0 + 0.01 * rng.uniform(-1, 1, arr.shape)) + 0.001 * rng.uniform(-1, 1, arr.shape)
        out[spec.name] = moved.tolist() if arr.ndim else float(moved)
    return out


_JITTERED = ("decimal", "vector", "matrix", "derived")


def _groups(shape: tuple[int, ...], rows: Mapping[tuple[int, ...], np.ndarray]
            ) -> tuple[tuple[tuple[int, ...], ...], ...]:
    """The entries in groups whose members move no row in common (first fit, in entry order)."""
    groups: list[tuple[list[tuple[int, ...]], set[int]]] = []
    for index in np.ndindex(shape):
        mine = set(rows.get(index, np.zeros(0, dtype=int)).tolist())
        for members, taken in groups:
            if not taken & mine:
                members.append(index)
                taken |= mine
                break
        else:
            groups.append(([index], mine))
    return tuple(tuple(members) for members, _ in groups)


def _grouped(frame: _Frame, name: str, pattern: StepPattern
             ) -> dict[tuple[int, ...], np.ndarray] | None:
    """What :func:`_each` finds, from one re-solve per group of entries that move no row in common, each
    row read as the move of the one member that can move it: the signed slopes by entry, still to be
    checked (:func:`_all_agree`, or :func:`_agrees` for this step alone). None when the pattern does
    not hold for this question (a row moved that no member can move), or when a value is not finite:
    then each entry is moved on its own."""
    value = frame.base[name]
    if not np.all(np.isfinite(value)):
        return None
    itself = frame.itself(name)
    if pattern.moves_nothing:
        # a step that moves nothing (the last one, read as the answer): no re-solve of its own, the check
        # moves it with the others (each entry by another amount, so that no two moves can cancel)
        return {index: np.zeros_like(frame.flat) for index in np.ndindex(value.shape)}
    if len(pattern.groups) == value.size:
        return None  # nothing to share: one re-solve per entry anyway
    rows = pattern.rows
    signed: dict[tuple[int, ...], np.ndarray] = {}
    for members in pattern.groups:
        nudges = {index: _nudge(float(value[index])) for index in members}
        delta = _delta(frame, name, nudges, itself)
        if delta is None:
            return None
        unclaimed = delta != 0
        for index in members:
            mine = rows.get(index, np.zeros(0, dtype=int))
            slope = np.zeros_like(delta)
            slope[mine] = delta[mine] / nudges[index]
            unclaimed[mine] = False
            signed[index] = slope
        if unclaimed.any():
            return None
    return signed


def _in_entry_order(value: np.ndarray, signed: Mapping[tuple[int, ...], np.ndarray]) -> Read:
    """The checked slopes as :func:`_each` gives them: in entry order (the bands add the columns in this
    order), entries that move nothing left out."""
    return [(index, np.abs(signed[index])) for index in np.ndindex(value.shape) if signed[index].any()]


def _all_agree(frame: _Frame, unchecked: Mapping[str, Mapping[tuple[int, ...], np.ndarray]]) -> bool:
    """:func:`_agrees` for every step read in groups, by one re-solve: each of their entries moved by its
    nudge times a weight of its own, every step's move added to what it computes (so each also moves
    the steps after it), and every row must move by the weighted sum of all the slopes read, plus each
    moved entry itself where it (or a part read from it) is a row."""
    added: dict[str, np.ndarray] = {}
    expected = np.zeros_like(frame.flat)
    size = np.zeros_like(frame.flat)
    start = 0
    for name, signed in unchecked.items():
        value = frame.base[name]
        nudges = _weighted(value, start)
        start += value.size
        added[name] = np.array([nudges[index] for index in np.ndindex(value.shape)]).reshape(value.shape)
        slopes = np.array([signed[index] for index in np.ndindex(value.shape)])
        moves = added[name].ravel()
        expected += moves @ slopes
        size += moves @ np.abs(slopes)
        for span in frame.itself(name):
            if span.stop - span.start == value.size:
                expected[span] += moves
                size[span] += moves
    moved = frame.moved_added(added)
    if moved is None:
        return False
    delta = moved - frame.flat  # errors ignored by influence()
    return bool(np.all(np.isfinite(delta))) and _within(frame, delta, expected, size)


def _within(frame: _Frame, delta: np.ndarray, expected: np.ndarray, size: np.ndarray) -> bool:
    # A row whose first-order move is about zero (the square of a deviation of 0) still moves by the
    # square of the nudge, which no sum of slopes predicts: what is that small beside the largest move
    # of the same target is noise, whatever its grouping.
    floor = np.zeros_like(size)
    for span in frame.spans.values():
        floor[span] = size[span].max(initial=0.0)
    allowed = _AGREE * (size + floor) + 1e-12 * np.abs(frame.flat)
    return bool(np.all(np.abs(delta - expected) <= allowed))


def _delta(frame: _Frame, name: str, nudges: Mapping[tuple[int, ...], float],
           itself: list[slice]) -> np.ndarray | None:
    """How every row moves when step ``name``'s entries move by ``nudges`` (the step's own rows left
    out); None when a re-solve fails or a row is not finite."""
    moved = frame.moved(name, nudges)
    if moved is None:
        return None
    delta = moved - frame.flat  # errors ignored by influence()
    if not np.all(np.isfinite(delta)):
        return None
    for span in itself:
        delta[span] = 0.0
    return delta


def _weighted(value: np.ndarray, start: int = 0) -> dict[tuple[int, ...], float]:
    """Every entry's nudge times a weight of its own (between 0.5 and 1.5; ``start`` numbers the first
    entry, so that steps moved together get other weights)."""
    return {index: (1.0 + 0.5 * math.sin(1.0 + start + k)) * _nudge(float(value[index]))
            for k, index in enumerate(np.ndindex(value.shape))}


def _agrees(frame: _Frame, name: str, value: np.ndarray, signed: Mapping[tuple[int, ...], np.ndarray],
            itself: list[slice]) -> bool:
    """Whether moving every entry at once, each by its nudge times a different weight, moves every row
    by the weighted sum of the slopes read (to within what finite differences can tell)."""
    nudges = _weighted(value)
    delta = _delta(frame, name, nudges, itself)
    if delta is None:
        return False
    slopes = np.array(list(signed.values()))
    moves = np.array([nudges[index] for index in signed])
    return _within(frame, delta, moves @ slopes, moves @ np.abs(slopes))


def honest_path(template: Template, params: Mapping[str, Any], names: list[str],
                figures: int) -> dict[str, np.ndarray]:
    """The value of each step when every earlier step is rounded to ``figures`` and reused.

    One solve does it (:class:`Replay` rounds each step as it is recorded). Should that solve take
    another road than the exact one (another order of steps, or an error), the path is worked out
    by its definition instead: one solve per step, the earlier ones given rounded."""
    replay = Replay(rounding=lambda value: _rounded(value, figures), expect=names)
    with np.errstate(all="ignore"):
        solved = _resolve(template, params, replay)
    if solved is not None and not replay.diverged and len(replay.reached) == len(names):
        return {name: np.asarray(value, dtype=np.float64) for name, value in replay.reached.items()}
    return honest_path_stepwise(template, params, names, figures)


def _rounded(value: Any, figures: int) -> Any:
    if not _is_float(value):
        return None
    rounded = round_sig(np.asarray(value, dtype=np.float64), figures)
    return rounded if np.ndim(rounded) else float(rounded)


def honest_path_stepwise(template: Template, params: Mapping[str, Any], names: list[str],
                         figures: int) -> dict[str, np.ndarray]:
    """:func:`honest_path` by its definition: one solve per step, every earlier step given rounded."""
    overrides: dict[str, Any] = {}
    reached: dict[str, np.ndarray] = {}
    for name in names:
        with np.errstate(all="ignore"):
            values = _resolve(template, params, Replay(overrides))
        if values is None or name not in values:
            break
        reached[name] = np.asarray(values[name], dtype=np.float64)
        rounded = round_sig(reached[name], figures)
        overrides[name] = rounded if np.ndim(rounded) else float(rounded)
    return reached


def _resolve(template: Template, params: Mapping[str, Any], overrides: Replay,
             solve: Callable[[Replay], Solution] | None = None) -> dict[str, Any] | None:
    try:  # under np.errstate(all="ignore"), set once by the callers
        sol = solve(overrides) if solve else solving.run(template, params, overrides=overrides)
    except _SOLVE_ERRORS:
        return None
    return _numeric_values(template, sol)


def bands_at(inf: Influence, figures: int) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Every band at ``figures`` significant figures, and the part of it that intermediates explain."""
    carried = {name: inf.propagated(name, figures) for name in inf.base}
    return {name: band_around(value, carried[name], figures) for name, value in inf.base.items()}, carried


def band_around(value: Any, carried: Any, figures: int) -> np.ndarray:
    """The band around ``value``: the rounding carried from intermediates, plus the final rounding."""
    return CARRIED * np.asarray(carried) + half_unit(value, figures) + slack(value)


# ----------------------------------------------------------------------------- separation


def inside(value: Any, ref: Any, band: np.ndarray) -> bool:
    """Whether ``value`` lies in the band around ``ref`` (every entry)."""
    a = np.asarray(value, dtype=np.float64)
    b = np.asarray(ref, dtype=np.float64)
    if a.shape != b.shape or not np.all(np.isfinite(a)):
        return False
    return bool(np.all(np.abs(a - b) <= band))


def fit(value: Any, shape: tuple[int, ...]) -> np.ndarray | None:
    """``value`` in ``shape`` when a student filling that table would write it so: as it is, or one
    statistic per row (or column) repeated along the other axis. None when it does not fit."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.shape == tuple(shape):
        return arr
    if arr.ndim == 1 and len(shape) == 2:
        if arr.shape[0] == shape[0]:
            return np.broadcast_to(arr[:, None], shape).copy()
        if arr.shape[0] == shape[1]:
            return np.broadcast_to(arr[None, :], shape).copy()
    return None


def can_fire(kind: str, value: Any, shape: tuple[int, ...]) -> bool:
    """Whether a student can write ``value`` as an answer of ``kind`` (shape ``shape``): the same
    number of dimensions (another length is read, then named), or a table it fills (:func:`fit`)."""
    ndim = {"number": 0, "vector": 1, "matrix": 2}.get(kind)
    if ndim is None:
        return True
    return np.ndim(value) == ndim or fit(value, shape) is not None


def same(value: Any, ref: Any) -> bool:
    """The same answer up to float noise."""
    a = np.asarray(value, dtype=np.float64)
    b = np.asarray(ref, dtype=np.float64)
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= slack(b)))


_INDEXED = re.compile(r"^(.*?)(\d+)$")


def given_candidates(template: Template, params: Mapping[str, Any], solution: Solution,
                     part: PartSpec) -> list[Candidate]:
    """The non-answers of a numeric part: the given value it updates, the previous state, zero."""
    expected = np.asarray(solution.answer.get(part.answer_key), dtype=np.float64)
    out: list[Candidate] = []
    for name, what, cid in _updated(template, params, solution, part):
        value = params[name] if name in params else _step_value(solution, name)
        if value is not None and np.shape(value) == expected.shape:
            out.append(Candidate(cid, "non-answer", np.asarray(value, dtype=np.float64), what, source=name))
    if np.any(np.abs(expected) > slack(0.0)):
        out.append(Candidate("zero", "non-answer", np.zeros(expected.shape), "zero"))
    return out


def _updated(template: Template, params: Mapping[str, Any], solution: Solution,
             part: PartSpec) -> list[tuple[str, str, str]]:
    """(name, words, id) of the values a part updates: ``w`` updates the given ``w``; ``w2`` the ``w1``
    before it, and ``w1`` the given ``w``."""
    out = []
    if part.name in params:
        out.append((part.name, f"the given {part.name} unchanged", "unchanged"))
    m = _INDEXED.match(part.name)
    if m:
        stem, k = m.group(1), int(m.group(2))
        before = f"{stem}{k - 1}" if k > 1 else stem
        if before in params or _step_value(solution, before) is not None:
            what = f"the given {before} unchanged" if before in params else f"the previous {stem} ({before})"
            out.append((before, what, "unchanged" if before in params else "previous"))
    return out


def _step_value(solution: Solution, name: str) -> Any:
    return next((s.value for s in solution.steps if s.name == name and _is_float(s.value)), None)


def misconception_candidates(template: Template, params: Mapping[str, Any]) -> dict[str, list[Candidate]]:
    """Each named mistake's and convention's answer, per part it gives an answer to."""
    out: dict[str, list[Candidate]] = {}
    for m in template.misconceptions:
        try:
            with np.errstate(all="ignore"):
                sol = solving.run(template, params, misconception=m)
                got = solving.answers(template, sol, m.parts, only_mapped=True)
        except _SOLVE_ERRORS:
            continue
        for name, value in got.items():
            part = template.part(name)
            if part.type not in NUMERIC:
                continue
            try:
                arr = np.asarray(value, dtype=np.float64)
            except (TypeError, ValueError):
                continue
            if np.all(np.isfinite(arr)):
                out.setdefault(name, []).append(Candidate(m.id, m.kind, arr, m.message, m))
    return out


def judge(template: Template, params: Mapping[str, Any], solution: Solution, typed: bool = False) -> Judgement:
    """The stated precision and bands of a question, raised until they separate.

    ``typed``: the numbers were typed by a person (they cannot be drawn again), so the precision
    may rise further, and a band that still cannot separate is reported in ``problem``.
    """
    start = _template_sigfigs(template)
    stop = TYPED_MAX_SIGFIGS if typed else start + EXTRA_SIGFIGS
    numeric = [p for p in template.parts if p.type in NUMERIC and p.answer_key in solution.answer]
    if not numeric:
        return Judgement(start, {}, {}, {})
    inf = influence(template, params, solution)
    candidates: dict[str, list[Candidate]] = {p.name: [] for p in numeric}
    for name, found in misconception_candidates(template, params).items():
        candidates.setdefault(name, []).extend(found)
    for part in numeric:
        candidates[part.name].extend(given_candidates(template, params, solution, part))
    frozen = {k: tuple(v) for k, v in candidates.items() if k in inf.base}
    clash = None
    for figures in range(start, stop + 1):
        bands, carried = bands_at(inf, figures)
        clash = _first_clash(inf.base, bands, frozen)
        if clash is None:
            break
    bounds = {name: np.maximum(inf.bound(name, figures), carried[name]) for name in inf.base}
    return Judgement(figures, bands, carried, bounds, frozen, clash)


def _template_sigfigs(template: Template) -> int:
    return max((p.sigfigs for p in template.parts if p.sigfigs), default=DEFAULT_SIGFIGS)


def _first_clash(base: Mapping[str, np.ndarray], bands: Mapping[str, np.ndarray],
                 candidates: Mapping[str, tuple[Candidate, ...]]) -> tuple[str, Candidate] | None:
    for name, cands in candidates.items():
        for c in cands:
            if clashes(c, base[name], bands[name]):
                return name, c
    return None


def clashes(c: Candidate, ref: Any, band: np.ndarray) -> bool:
    """Whether the candidate is too close to ``ref`` to be told apart (a non-answer: in any entry where it
    is wrong). Too close is within twice the band: then every answer honest work explains is nearer
    the right answer than the candidate, so "the nearer explanation wins" never rejects honest work."""
    band = SEPARATION * np.asarray(band)
    value = np.asarray(c.value, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    if value.shape != ref.shape:
        return False
    differs = np.abs(value - ref) > slack(ref)
    if not np.any(differs):
        return False
    if c.entrywise:
        return bool(np.any(differs & (np.abs(value - ref) <= band)))
    return inside(value, ref, band)


def describe(c: Candidate) -> str:
    """A non-answer in words, for messages."""
    if c.kind == "non-answer":
        return c.what
    return f"the answer of a named {c.kind}"


def precision_text(figures: int) -> str:
    """How a question states its precision."""
    return f"Give numbers to {figures} significant figures."
