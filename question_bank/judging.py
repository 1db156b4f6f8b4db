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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from question_bank import solving
from question_bank.schema import NUMERIC_TYPES, Misconception, PartSpec, Template
from solvers.steps import Solution

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
    out = np.vectorize(lambda v: _round_one(float(v), figures), otypes=[np.float64])(arr) if arr.size else arr
    return float(out) if np.ndim(out) == 0 else out


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


def slack(x: Any) -> np.ndarray:
    """Float noise that no one can see: never a reason to reject."""
    return SAME * np.abs(np.asarray(x, dtype=np.float64)) + 1e-12


# ----------------------------------------------------------------------------- influence of steps


@dataclass
class Influence:
    """Per target (part or step name): the entries of each earlier step and how they move it.

    ``rows[target]`` is a list of (step, entry index, |∂target/∂entry| as an array of the target's
    shape); the band at ``p`` figures is Σ |J|·(rounding error of that entry). The rounding error is
    the larger of rounding the exact value and rounding the value honest work reaches (every earlier
    step rounded and reused: ``path``), since a student rounds what they have, not the exact value.
    """

    base: dict[str, np.ndarray]
    rows: dict[str, list[tuple[str, tuple[int, ...], np.ndarray]]]
    path: Any = None  # figures -> {step: value honest work reaches}
    # (figures, step, entry) -> half a unit / rounding error of that entry: the same entry feeds
    # many targets, so each is worked out once
    _units: dict[tuple[int, str, tuple[int, ...]], float] = field(default_factory=dict, repr=False)
    _errors: dict[tuple[int, str, tuple[int, ...]], float] = field(default_factory=dict, repr=False)

    def bound(self, name: str, figures: int) -> np.ndarray:
        """What rounding every earlier entry by up to half a unit can carry into ``name``: the band for
        answers worked from a student's own earlier values, whose rounding is not known."""
        total = np.zeros(np.shape(self.base[name]))
        units = self._units
        for step, index, slope in self.rows.get(name, ()):
            key = (figures, step, index)
            unit = units.get(key)
            if unit is None:
                unit = units[key] = float(half_unit(self.base[step][index], figures))
            total = total + slope * unit
        return total

    def propagated(self, name: str, figures: int) -> np.ndarray:
        total = np.zeros(np.shape(self.base[name]))
        rows = self.rows.get(name, ())
        if not rows:
            return total
        reached = self.path(figures) if self.path else {}
        errors = self._errors
        for step, index, slope in rows:
            key = (figures, step, index)
            error = errors.get(key)
            if error is None:
                error = errors[key] = self._error(reached, step, index, figures)
            if error:
                total = total + slope * error
        return total

    def _error(self, reached: Mapping[str, Any], step: str, index: tuple[int, ...], figures: int) -> float:
        """The larger of rounding the entry's exact value and rounding the value honest work reaches."""
        exact = float(self.base[step][index])
        error = abs(_round_one(exact, figures) - exact)
        honest = reached.get(step)
        if honest is not None and np.shape(honest) == self.base[step].shape:
            value = float(np.asarray(honest)[index])
            error = max(error, abs(_round_one(value, figures) - value))
        return error


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
    if isinstance(value, (bool, np.bool_, int, np.integer, str)):
        return False
    if isinstance(value, (float, np.floating)):
        return True
    return isinstance(value, np.ndarray) and value.dtype.kind == "f"


def influence(template: Template, params: Mapping[str, Any], solution: Solution) -> Influence:
    """How each recorded step moves every later step and part (one re-solve per step entry)."""
    base = _numeric_values(template, solution)
    rows: dict[str, list[tuple[str, tuple[int, ...], np.ndarray]]] = {name: [] for name in base}
    step_names = [n for n in dict.fromkeys(s.name for s in solution.steps) if n in base]
    # A part read from a step is that step, rounded once as the final answer: not its own intermediate.
    key_of = {p.name: p.answer_key for p in template.parts}
    for name in step_names:
        value = base[name]
        for index in np.ndindex(value.shape):
            entry = float(value[index])
            if not math.isfinite(entry):
                continue
            nudge = _NUDGE * abs(entry) if entry else _NUDGE
            moved = value.copy()
            moved[index] = entry + nudge
            changed = _resolve(template, params, {name: moved if value.ndim else float(moved)})
            if changed is None:
                continue
            for target, new in changed.items():
                if name in (target, key_of.get(target)) or target not in base:
                    continue
                if np.shape(new) != np.shape(base[target]):
                    continue
                slope = np.abs(np.asarray(new, dtype=np.float64) - base[target]) / nudge
                if np.any(slope > 0) and np.all(np.isfinite(slope)):
                    rows[target].append((name, index, slope))
    paths: dict[int, dict[str, np.ndarray]] = {}

    def path(figures: int) -> dict[str, np.ndarray]:
        if figures not in paths:
            paths[figures] = honest_path(template, params, step_names, figures)
        return paths[figures]

    return Influence(base, rows, path)


def honest_path(template: Template, params: Mapping[str, Any], names: list[str],
                figures: int) -> dict[str, np.ndarray]:
    """The value of each step when every earlier step is rounded to ``figures`` and reused."""
    overrides: dict[str, Any] = {}
    reached: dict[str, np.ndarray] = {}
    for name in names:
        values = _resolve(template, params, dict(overrides))
        if values is None or name not in values:
            break
        reached[name] = np.asarray(values[name], dtype=np.float64)
        rounded = round_sig(reached[name], figures)
        overrides[name] = rounded if np.ndim(rounded) else float(rounded)
    return reached


def _resolve(template: Template, params: Mapping[str, Any], overrides: dict[str, Any]) -> dict[str, Any] | None:
    try:
        with np.errstate(all="ignore"):
            sol = solving.run(template, params, overrides=overrides)
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
