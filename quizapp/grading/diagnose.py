"""Recognising a wrong answer: what the student did (conventions.md, "Mistakes the checker names").

Explanations come in tiers, tried in order; the first tier that explains the answer wins:
0. the template's named mistakes and conventions (buggy solvers: the real computation with other
   arguments), recomputed for the question's numbers from scratch and from the student's own
   earlier answers;
1. non-answers: the given value unchanged, the previous state, zero;
2. slips the worked solution itself reveals, which no template lists: another step's or part's
   value given in its place, a flipped sign or an update taken the wrong way, a factor dropped or
   added (2, ½, N, 1/N, α, a square, a square root), a transposed matrix, swapped hyper-parameters;
3. two of them at once (a named mistake with a slip, or two named mistakes);
4. the answer of a neighbouring variant of the question.
Within a tier, the explanation that accounts for more of the student's sheet wins (a diagnosis
that explains every given part beats one that explains one part), then one worked from scratch
over one worked from the student's earlier answers, then the nearer one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from question_bank import judging, render, solving
from question_bank.question import Question
from question_bank.schema import Misconception
from quizapp.grading.compare import NUMERIC, Target, accepts, distance, matches, reference_node
from quizapp.grading.results import CONVENTION, MISTAKE, Diagnosis
from solvers.steps import SYMBOLS, fmt

# Errors a solver may raise when a misconception's arguments make no sense for these numbers.
SOLVE_ERRORS = (ValueError, TypeError, KeyError, ArithmeticError, FloatingPointError)
Values = dict[str, Any]  # part and step name -> value

# Hyper-parameters a student may swap (β₁ ↔ β₂): scalar parameters with these names.
HYPER = ("lr", "alpha", "eta", "beta1", "beta2", "rho", "mu", "decay", "momentum", "weight_decay", "lam", "delta")
LEARNING_RATES = ("lr", "alpha", "eta")
NON_ANSWER_MESSAGES = {
    "unchanged": "You gave {what} ({value}): the update was never applied.",
    "previous": "You gave {what} ({value}) instead of the updated value.",
    "zero": "Zero is not the answer here.",
}


@dataclass(frozen=True)
class Explanation:
    """One way the student may have got their answer."""

    diagnosis: Diagnosis
    value: Any  # the answer this explanation gives for the target
    scratch: bool = True  # worked from the question's numbers (not from the student's earlier answers)
    misconception: Misconception | None = None


class Diagnoser:
    """Diagnoses the answers of one question; caches what the misconceptions give."""

    def __init__(self, question: Question, known: Mapping[str, Any] | None = None) -> None:
        self.question = question
        self.known = dict(known or {})
        self._solved: dict[tuple[Any, ...], Values | None] = {}
        self._sheet: Values = {}
        self._order = {m.id: i for i, m in enumerate(question.template.misconceptions)}

    def sheet(self, values: Mapping[str, Any]) -> None:
        """Everything the student gave (as read), so an explanation can be judged on the whole sheet."""
        self._sheet = dict(values)

    # -- verdicts -----------------------------------------------------------------------------

    def diagnose(self, target: Target, value: Any, expected: Any, implied: Any,
                 overrides: Mapping[str, Any]) -> Diagnosis | None:
        """What explains a wrong ``value``, or None."""
        if target.kind == "choice" and target.spec.options:
            named = [e for e in self._named(target, overrides) if str(e.value) == str(value) != str(expected)]
            if named:
                return min(named, key=lambda e: (-self._explains(e), not e.scratch)).diagnosis
            return _distractor(target, value)
        if target.kind not in NUMERIC:  # a label, a word or a formula: only a named mistake can explain it
            found = [e for e in self._named(target, overrides) if _agrees(target, value, e.value)
                     and not _agrees(target, e.value, expected)]
            return min(found, key=lambda e: (-self._explains(e), not e.scratch)).diagnosis if found else None
        ref = expected if implied is None else implied
        tiers: list[Callable[[], Iterator[Explanation]]] = [
            lambda: self._named(target, overrides),
            lambda: self._non_answers(target),
            lambda: self._slips(target, ref),
            lambda: self._doubles(target, overrides),
            lambda: self._neighbours(target),
        ]
        for tier in tiers:
            found = [e for e in tier() if matches(target, value, e.value)
                     and not _indistinct(target, e.value, expected, implied)]
            if found:
                return min(found, key=lambda e: self._rank(target, value, e)).diagnosis
        return sign_error(target, value, ref)

    def nearer(self, target: Target, value: Any, ref: Any,
               overrides: Mapping[str, Any] | None = None) -> Diagnosis | None:
        """A named mistake or non-answer nearer to ``value`` than the right ``ref`` (rule 4), or None."""
        if target.kind not in NUMERIC:
            return None
        own = distance(target, value, ref)
        best: tuple[float, Diagnosis] | None = None
        for e in [*self._named(target, overrides or {}), *self._non_answers(target)]:
            if np.shape(e.value) != np.shape(ref) or judging.same(e.value, ref) or judging.inside(
                    e.value, ref, judging.SEPARATION * target.band(ref, own_values=bool(overrides))):
                continue  # not separated from the right answer as the sampler separates them: it cannot win
            d = _distance_from(target, value, e.value, ref)
            if d < own and (best is None or d < best[0]):
                best = (d, e.diagnosis)
        return None if best is None else best[1]

    def reshaped(self, target: Target, value: Any, expected: Any) -> Diagnosis | None:
        """A value of another shape that is still a known mistake: a named mistake whose answer has
        that shape (per-example statistics where per-feature ones are asked), or a transposed matrix."""
        if target.kind not in NUMERIC:
            return None
        for e in self._named(target, {}):
            # a vector typed where a table is asked reads as one row: compare the entries in order
            got, want = np.asarray(value, dtype=np.float64), np.asarray(e.value, dtype=np.float64)
            if got.shape != want.shape and got.size == want.size and got.ndim <= 2 and want.ndim <= 2:
                got = got.reshape(want.shape)
            if got.shape == want.shape and judging.inside(got, want, target.band(want)):
                return e.diagnosis
        if target.kind != "matrix" or np.ndim(value) != 2 or np.shape(value) != np.shape(expected)[::-1]:
            return None
        flipped = np.asarray(expected, dtype=np.float64).T
        if judging.inside(value, flipped, target.band(flipped)):
            return _transposed(target)
        return None

    def _rank(self, target: Target, value: Any, e: Explanation) -> tuple[int, int, int, float]:
        # Two named mistakes the stated precision cannot tell apart: the template's first one, as the
        # multiple-choice options of an export are labelled (one catalogue).
        order = self._order.get(e.misconception.id, 0) if e.misconception is not None else 0
        return (-self._explains(e), 0 if e.scratch else 1, order, distance(target, value, e.value))

    def _explains(self, e: Explanation) -> int:
        """How many of the student's answers this explanation accounts for."""
        if e.misconception is None or not e.scratch:
            return 1 + sum(self._right(name) for name in self._sheet)
        m = e.misconception
        values = self._misconception_values(m, {}) or {}
        count = 0
        for name, given in self._sheet.items():
            target = self.known.get(name)
            # a part the misconception does not claim is worked right by it
            claimed = not (target is not None and target.part and m.parts and name not in m.parts)
            want = values.get(name, self._expected(name)) if claimed else self._expected(name)
            if target is not None and want is not None and _agrees(target, given, want):
                count += 1
        return count

    def _right(self, name: str) -> bool:
        target = self.known.get(name)
        want = self._expected(name)
        return target is not None and want is not None and _agrees(target, self._sheet[name], want)

    def _expected(self, name: str) -> Any:
        q = self.question
        if name in q.expected:
            return q.expected[name]
        return next((s.value for s in q.solution.steps if s.name == name), None)

    # -- tier 0: the template's named mistakes and conventions ---------------------------------

    def _named(self, target: Target, overrides: Mapping[str, Any]) -> Iterator[Explanation]:
        for m in self.question.template.misconceptions:
            for given in ({}, overrides) if overrides else ({},):
                values = self._misconception_values(m, given)
                value = None if values is None else values.get(target.name if target.part else target.step or "")
                if value is None:
                    continue
                diagnosis = Diagnosis(m.id, m.kind, self._message(m))
                if target.kind == "expression":
                    value = reference_node(str(value).replace("**", "^"))
                if target.kind not in NUMERIC:
                    if value is not None:
                        yield Explanation(diagnosis, value, not given, m)
                    continue
                shape = np.shape(self._expected(target.name))
                if np.shape(value) != shape:  # another shape is read, then named (see reshaped)
                    yield Explanation(diagnosis, value, not given, m)
                filled = judging.fit(value, shape)
                if filled is not None:
                    yield Explanation(diagnosis, filled, not given, m)

    def _misconception_values(self, m: Misconception, overrides: Mapping[str, Any],
                              args: Mapping[str, Any] | None = None) -> Values | None:
        key = (m.id, tuple(sorted(overrides)), tuple(sorted((args or {}).items(), key=str)))
        if key not in self._solved:
            self._solved[key] = self._solve_misconception(m, overrides, args)
        return self._solved[key]

    def _solve_misconception(self, m: Misconception, overrides: Mapping[str, Any],
                             args: Mapping[str, Any] | None) -> Values | None:
        q = self.question
        if args:
            m = Misconception(m.id, m.kind, m.message, m.solver, {**m.args, **args}, m.parts, m.line)
        try:
            with np.errstate(all="ignore"):
                sol = solving.run(q.template, q.params, overrides=dict(overrides) or None, misconception=m)
                by_part = solving.answers(q.template, sol, m.parts, only_mapped=True)
        except SOLVE_ERRORS:
            return None
        out: Values = {}
        if m.solver is None:  # another solver's steps may reuse names for other quantities
            for s in sol.steps:
                out.setdefault(s.name, s.value)
        out.update(by_part)
        return {k: v for k, v in out.items() if _finite(v)}

    def _message(self, m: Misconception) -> str:
        """The misconception's message with this question's numbers in place."""
        try:
            text = self.question._fill(m.message, "misconceptions")
        except ValueError:
            text = m.message
        if m.kind != CONVENTION:
            return text
        assumed = "; ".join(c.rstrip(".") for c in self.question.conventions)
        tail = f" This question assumes: {assumed}." if assumed else " This question assumes its stated default."
        return f"{text} Under that convention your answer is right, but not as the question is stated." + tail

    # -- tier 1: non-answers --------------------------------------------------------------------

    def _non_answers(self, target: Target) -> Iterator[Explanation]:
        if not target.part:
            return
        for c in self.question.judgement.candidates.get(target.name, ()):
            if c.kind == "non-answer":
                text = NON_ANSWER_MESSAGES[c.id].format(what=c.what, value=fmt(c.value, 4))
                yield Explanation(Diagnosis(c.id, MISTAKE, text), c.value)

    # -- tier 2: slips the worked solution reveals ----------------------------------------------

    def _slips(self, target: Target, ref: Any) -> Iterator[Explanation]:
        yield from self._other_quantities(target)
        yield from _sign_and_factors(target, ref, self._sizes(), self._rates(), base=self._base(target))
        yield from self._stale(target)
        if target.kind == "matrix" and np.shape(ref)[0] == np.shape(ref)[-1]:
            yield Explanation(_transposed(target), np.asarray(ref, dtype=np.float64).T)
        yield from self._swapped(target)

    def _base(self, target: Target) -> Any:
        """The value a part updates: the given one, or the previous state as the student wrote it."""
        if target.given is not None:
            return target.given
        for c in self.question.judgement.candidates.get(target.name, ()):
            if c.id == "previous":
                return self._sheet.get(c.source, c.value)
        return None

    def _stale(self, target: Target) -> Iterator[Explanation]:
        """An earlier update's old value used where its new one belongs (the old cache in Adagrad's
        step, step 2 taken from the starting w)."""
        for name, other in self.known.items():
            if not other.part or other.step is None or other.order >= target.order or name == target.name:
                continue
            for c in self.question.judgement.candidates.get(name, ()):
                if c.kind != "non-answer" or c.id == "zero":
                    continue
                value = self._overridden({other.step: c.value}).get(target.name if target.part else target.step)
                if value is not None:
                    text = (f"You used {c.what.replace(' unchanged', '')} ({fmt(c.value, 4)}) in this step: "
                            f"it needs the new value, {other.label}, worked out first.")
                    yield Explanation(Diagnosis("old-value-used", MISTAKE, text), value)

    def _overridden(self, overrides: Mapping[str, Any]) -> Values:
        key = ("overrides", tuple(sorted(overrides)))
        if key not in self._solved:
            try:
                with np.errstate(all="ignore"):
                    sol, parts = self.question.solve_with(dict(overrides))
                out: Values = {}
                for s in sol.steps:
                    out.setdefault(s.name, s.value)
                out.update(parts)
                self._solved[key] = {k: v for k, v in out.items() if _finite(v)}
            except SOLVE_ERRORS:
                self._solved[key] = {}
        return self._solved[key] or {}

    def _other_quantities(self, target: Target) -> Iterator[Explanation]:
        own = {target.name, target.step}
        shape = np.shape(self._expected(target.name))
        for name, other in self.known.items():
            if name in own or other.step in own or other.kind not in NUMERIC:
                continue
            value = self._expected(name)
            if value is None or np.shape(value) != shape:
                continue
            text = f"This is {other.label} ({fmt(value, 4)}), not {target.label}: a value from another step."
            yield Explanation(Diagnosis("another-quantity", MISTAKE, text), np.asarray(value, dtype=np.float64))

    def _sizes(self) -> list[int]:
        """Counts a mean may divide by: the lengths and row counts of the question's arrays."""
        sizes = set()
        for value in self.question.params.values():
            if isinstance(value, np.ndarray) and value.ndim >= 1:
                sizes.update(n for n in value.shape if n >= 2)
        return sorted(sizes)

    def _rates(self) -> list[tuple[str, float]]:
        params = self.question.params
        return [(SYMBOLS.get(k, k), float(params[k])) for k in LEARNING_RATES
                if isinstance(params.get(k), (int, float)) and 0 < abs(float(params[k])) != 1]

    def _swapped(self, target: Target) -> Iterator[Explanation]:
        params = self.question.params
        names = [k for k in HYPER if isinstance(params.get(k), (int, float)) and not isinstance(params.get(k), bool)]
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                if params[a] == params[b]:
                    continue
                values = self._solve_with_params({a: params[b], b: params[a]})
                value = None if values is None else values.get(target.name if target.part else target.step or "")
                if value is not None:
                    text = f"You swapped {SYMBOLS.get(a, a)} and {SYMBOLS.get(b, b)}."
                    yield Explanation(Diagnosis("swapped-hyperparameters", MISTAKE, text), value)

    def _solve_with_params(self, changed: Mapping[str, Any]) -> Values | None:
        key = ("params", tuple(sorted(changed.items())))
        if key not in self._solved:
            q = self.question
            try:
                with np.errstate(all="ignore"):
                    sol = solving.run(q.template, {**q.params, **changed})
                    out: Values = {}
                    for s in sol.steps:
                        out.setdefault(s.name, s.value)
                    out.update(solving.answers(q.template, sol))
                self._solved[key] = {k: v for k, v in out.items() if _finite(v)}
            except SOLVE_ERRORS:
                self._solved[key] = None
        return self._solved[key]

    # -- tier 3: two at once --------------------------------------------------------------------

    def _doubles(self, target: Target, overrides: Mapping[str, Any]) -> Iterator[Explanation]:
        named = list(self._named(target, {}))
        for e in named:  # a named mistake, and a slip on top of it
            for slip in _sign_and_factors(target, e.value, self._sizes(), self._rates(), doubles=True,
                                          base=self._base(target)):
                text = f"{e.diagnosis.message} On top of that: {slip.diagnosis.message}"
                yield Explanation(Diagnosis(f"{e.diagnosis.id}+{slip.diagnosis.id}", e.diagnosis.kind, text),
                                  slip.value, misconception=e.misconception)
        ms = [m for m in self.question.template.misconceptions if m.solver is None and m.args]
        for i, a in enumerate(ms):  # two named mistakes whose arguments do not collide
            for b in ms[i + 1:]:
                if set(a.args) & set(b.args):
                    continue
                values = self._misconception_values(a, {}, b.args)
                value = None if values is None else values.get(target.name if target.part else target.step or "")
                if value is not None:
                    kind = MISTAKE if MISTAKE in (a.kind, b.kind) else CONVENTION
                    text = f"Two things at once: {self._message(a)} And: {self._message(b)}"
                    yield Explanation(Diagnosis(f"{a.id}+{b.id}", kind, text), value)

    # -- tier 4: a neighbouring variant ---------------------------------------------------------

    def _neighbours(self, target: Target) -> Iterator[Explanation]:
        q = self.question
        if q.typed or not isinstance(q.seed, int) or not target.part:
            return
        from question_bank.question import instantiate

        for seed in (q.seed - 1, q.seed + 1):
            try:
                other = instantiate(q.template, seed, separate=False)  # a likely neighbour, cheaply
            except ValueError:
                continue
            value = other.expected.get(target.name)
            if value is not None and np.shape(value) == np.shape(q.expected[target.name]):
                text = ("This is the answer of a neighbouring variant of this question (other numbers): "
                        "work it with this question's numbers.")
                yield Explanation(Diagnosis("other-variant", MISTAKE, text), value)


# ----------------------------------------------------------------------------- slips as values


def _sign_and_factors(target: Target, ref: Any, sizes: list[int], rates: list[tuple[str, float]],
                      doubles: bool = False, base: Any = None) -> Iterator[Explanation]:
    """The right answer with its sign flipped or a factor dropped or added; for an update (``base``:
    the value it updates), applied to the change (w + step instead of w - step, half the step...)."""
    ref = np.asarray(ref, dtype=np.float64)
    given = None if base is None else np.asarray(base, dtype=np.float64)
    # an update from zero (Adam's first m) is its own change: its slips are the answer's own
    update = given is not None and given.shape == ref.shape and bool(np.any(given != 0))
    change = ref - given if update else ref

    def value(factor: float) -> np.ndarray:
        return given + factor * change if update else factor * ref

    if update:
        yield _slip("wrong-way", "You stepped the wrong way: the update was added where it is subtracted "
                    "(or the reverse).", value(-1.0))
    else:
        yield _slip("sign-error", "Sign error: your answer has the right size but the opposite sign.", value(-1.0))
    what = "the change" if update else "your answer"
    yield _slip("factor-2", f"{what.capitalize()} is twice the right one: a factor 2 was added (or a ½ dropped).",
                value(2.0))
    yield _slip("factor-half", f"{what.capitalize()} is half the right one: a factor 2 was dropped (or a ½ added).",
                value(0.5))
    if doubles:
        return
    for n in sizes:
        yield _slip("sum-not-mean", f"{what.capitalize()} is {n} times the right one: a sum where the mean over "
                    f"{n} is asked (or a missing 1/{n}).", value(float(n)))
        yield _slip("mean-not-sum", f"{what.capitalize()} is 1/{n} of the right one: divided by {n} once too "
                    "often (a mean where a sum is asked).", value(1.0 / n))
    for symbol, rate in rates:
        yield _slip("learning-rate", f"{what.capitalize()} is off by a factor {symbol} = {fmt(rate)}: the "
                    f"learning rate was applied once too often.", value(rate))
        yield _slip("learning-rate", f"{what.capitalize()} is off by a factor 1/{symbol}: the learning rate "
                    f"{symbol} = {fmt(rate)} was left out.", value(1.0 / rate))
    if not update:
        yield _slip("squared", "Your answer is the square of the right one: an extra square.", ref * ref)
        if np.all(ref >= 0):
            yield _slip("square-root", "Your answer is the square root of the right one: a missing square "
                        "(or an extra root).", np.sqrt(ref))


def _distance_from(target: Target, value: Any, candidate: Any, ref: Any) -> float:
    """How far ``value`` is from ``candidate``, in bands of the right answer ``ref`` (so both distances
    of the nearer-explanation rule use one scale)."""
    a = np.asarray(value, dtype=np.float64)
    c = np.asarray(candidate, dtype=np.float64)
    return float(np.max(np.abs(a - c) / target.band(ref))) if a.size else 0.0


def _slip(cid: str, text: str, value: np.ndarray) -> Explanation:
    return Explanation(Diagnosis(cid, MISTAKE, text), value)


def _transposed(target: Target) -> Diagnosis:
    return Diagnosis("transposed", MISTAKE, f"Your matrix is the transpose of {target.label}: each gradient "
                     "has the shape of what it is the gradient of.")


def _agrees(target: Target, value: Any, want: Any) -> bool:
    try:
        if target.kind in NUMERIC and np.shape(value) != np.shape(want):
            return False
        return matches(target, value, want)
    except (TypeError, ValueError):
        return False


def _finite(value: Any) -> bool:
    try:
        return bool(np.all(np.isfinite(np.asarray(value, dtype=np.float64))))
    except (TypeError, ValueError):
        return True  # words and choices


def _distractor(target: Target, value: Any) -> Diagnosis | None:
    """A wrong option explains itself: its ``why`` says why it is wrong."""
    option = next((o for o in target.spec.options if o.id == value), None)
    if option is None or not option.why:
        return None
    return Diagnosis(option.id, MISTAKE, render.markup(option.why))


def _indistinct(target: Target, candidate: Any, expected: Any, implied: Any) -> bool:
    """An explanation that gives the right answer (or what the earlier answers imply) explains nothing."""
    if target.kind in NUMERIC and np.shape(candidate) != np.shape(expected):
        return True
    if not _finite(candidate) or accepts(target, candidate, expected):
        return True
    return implied is not None and accepts(target, candidate, implied)


def sign_error(target: Target, value: Any, ref: Any) -> Diagnosis | None:
    """Some entries of the answer with the opposite sign of the right one, the others right."""
    if target.kind not in NUMERIC or np.shape(value) != np.shape(ref):
        return None
    got = np.asarray(value, dtype=np.float64)
    want = np.asarray(ref, dtype=np.float64)
    limit = target.band(want)
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



