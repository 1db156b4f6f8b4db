"""Worked steps recorded while a solver computes.

A solver never writes its explanation by hand: every intermediate value goes through
``Recorder.step``, which stores the value that was actually computed next to the formula
rendered twice from one template, once with symbols and once with the numbers that were used.

The recorder also makes *error carried forward* possible: given ``overrides`` (a student's own
earlier answers, by step name), ``step`` returns the student's value instead of the computed one,
so every later step is computed from the student's working.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Any

import numpy as np

from solvers import display

# How template keys are shown in the symbolic form of a formula.
SYMBOLS: dict[str, str] = {
    "alpha": "α", "beta": "β", "beta1": "β₁", "beta2": "β₂", "gamma": "γ", "delta": "Δ",
    "eps": "ε", "lr": "α", "rho": "ρ", "mu": "μ", "sigma": "σ", "lam": "λ", "weight_decay": "λ",
    "tau": "τ", "lr0": "ε₀", "lr_tau": "ε_τ", "var": "σ²", "mean": "μ", "m_hat": "m̂", "v_hat": "v̂",
    "x_hat": "x̂", "theta": "θ", "decay": "β",
    "var_unbiased": "s²", "running_mean": "μ_run", "running_var": "σ²_run", "momentum": "m", "eta": "η",
    # quantities the solvers name for the code; a formula shows them as the course writes them
    "norm_sq": "‖w‖²", "norm_l1": "‖w‖₁", "exp_neg": "e^(-z)", "g_ahead": "g(w + ρ·v)", "w_stepped": "w′",
    "wsum": "Σ wᵢ·ℓᵢ", "exps": "e^f", "shifted": "(f - max f)", "lse": "log Σ e^f", "dev": "(x - μ)",
    "std": "√(σ² + ε)", "pred": "ŷ", "target": "y", "squares": "(ŷ - y)²", "upstream": "∂L/∂out", "dout": "∂L/∂out",
    "epsilon": "ε", "grad": "∇f", "diff": "(ŷ - y)", "sum_f": "Σ f", "sum_exps": "Σ e^f",
    "sum_sq": "Σ (ŷ - y)²", "sum_l": "Σ l",
}
_GRADIENT_NAME = re.compile(r"d([A-Za-z]\w*?)_d([A-Za-z]\w*)")  # df_dn3, dL_dz: ∂f/∂n₃, ∂L/∂z
_LOSS_GRADIENT_NAME = re.compile(r"d([A-Za-z]\d*)")  # dz1, dW1, dh: the loss's gradient ∂L/∂z₁, ∂L/∂W₁, ∂L/∂h

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fmt(value: Any, digits: int = 6) -> str:
    """A number, vector or matrix on one line (``digits`` significant figures): ``solvers.display``."""
    return display.render(display.value(value, digits), "plain")


def render(template: str, numbers: Mapping[str, Any]) -> tuple[str, str]:
    """Render ``template`` as (symbolic formula, formula with the numbers put in)."""
    return symbolic(template, numbers), substitute(template, numbers)


def symbolic(template: str, numbers: Mapping[str, Any]) -> str:
    """The formula with symbols; a KeyError names a placeholder without a value (a solver's bug)."""
    formula, names = _formula(template)
    for name in names:
        if name not in numbers:
            raise KeyError(f"formula placeholder {{{name}}} has no value")
    return formula


@lru_cache(maxsize=4096)
def _formula(template: str) -> tuple[str, tuple[str, ...]]:
    # a template's formula depends on its text alone: written once, not on every solve (the bands
    # re-run each solver many times)
    names = tuple(m.group(1) for m in _PLACEHOLDER.finditer(template))
    return _PLACEHOLDER.sub(lambda m: notation(m.group(1)), template), names


def notation(name: str) -> str:
    """A quantity's name as a formula shows it: ``lr`` α, ``df_dn3`` ∂f/∂n₃, ``w1`` w₁, ``x_hat`` x̂."""
    if name in SYMBOLS:
        return SYMBOLS[name]
    grad = _GRADIENT_NAME.fullmatch(name)
    if grad:
        return f"∂{notation(grad.group(1))}/∂{notation(grad.group(2))}"
    grad = _LOSS_GRADIENT_NAME.fullmatch(name)
    if grad:
        return f"∂L/∂{display.named(grad.group(1))}"
    if name.endswith("_hat") and len(name) > 4:
        return notation(name[:-4]) + "\u0302"
    return display.named(name)


def substitute(template: str, numbers: Mapping[str, Any]) -> str:
    """The formula with the numbers put in."""

    def number(m: re.Match[str]) -> str:
        text = fmt(numbers[m.group(1)])
        # A negative number inside a formula reads better in parentheses.
        return f"({text})" if text.startswith("-") else text

    return _PLACEHOLDER.sub(number, template)


@dataclass(frozen=True)
class Step:
    """One computed quantity of a worked solution."""

    name: str  # stable id; a student may answer it (``quizapp check --answer NAME=...``)
    label: str  # what was computed, in words
    formula: str  # with symbols
    # with the numbers that were used: text, or a function that writes it when first read (formatting
    # every number of every solve is most of a solve's time, and grading re-solves often)
    _substituted: Any
    value: Any  # float, ndarray, int or str
    given: bool = False  # taken from the student's own earlier answer

    @property
    def substituted(self) -> str:
        text = self._substituted
        if callable(text):
            text = text()
            object.__setattr__(self, "_substituted", text)
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "formula": self.formula,
            "substituted": self.substituted,
            "value": to_jsonable(self.value),
            "given": self.given,
        }

    def __str__(self) -> str:
        return f"{self.label}: {self.formula} = {self.substituted} = {fmt(self.value)}"


@dataclass(frozen=True)
class NodeRecord:
    """What one node of a computation graph did, for a step-by-step backprop explanation.

    ``op`` is the operation (``+``, ``*``, ``exp``, ...), ``input`` for a named leaf (a variable)
    or ``const`` for a number. ``upstream`` is ∂out/∂(this node), the gradient arriving from the
    output; ``local[i]`` is ∂(this node)/∂(input i); ``downstream[i]`` is what this node sent to
    its i-th input: upstream times ``local[i]`` (summed back to the input's shape).
    """

    name: str
    op: str
    inputs: tuple[str, ...]
    value: Any
    local: tuple[Any, ...]
    upstream: Any
    downstream: tuple[Any, ...]
    input_values: tuple[Any, ...] = ()  # the inputs' values, in the order of ``inputs``

    @property
    def is_leaf(self) -> bool:
        return self.op in ("input", "const")

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable({"name": self.name, "op": self.op, "inputs": list(self.inputs), "value": self.value,
                            "local": list(self.local), "upstream": self.upstream,
                            "downstream": list(self.downstream)})


@dataclass
class Solution:
    """A solver's answer, by part name, and the ordered steps that produced it.

    A graph solver also gives its computation graph, ``graph``: one record per node, inputs
    before their users and the output last (empty for every other solver)."""

    answer: dict[str, Any]
    steps: list[Step] = field(default_factory=list)
    graph: tuple[NodeRecord, ...] = ()

    def step(self, name: str) -> Step:
        for s in self.steps:
            if s.name == name:
                return s
        raise KeyError(name)

    def values(self) -> dict[str, Any]:
        """Every named quantity: the steps' values, then the answer parts."""
        out = {s.name: s.value for s in self.steps}
        out.update(self.answer)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "answer": {k: to_jsonable(v) for k, v in self.answer.items()},
            "steps": [s.to_dict() for s in self.steps],
        }


class Replay(dict):
    """Overrides for a re-solve that only needs the values: the tolerance bands re-run each solver
    once per entry of every step, and writing formulas for those runs would be most of their time.

    With ``rounding`` it also replays honest hand work in a single run: the first time each step
    named in ``expect`` is recorded (in that order), its value is kept in ``reached`` and replaced by
    ``rounding(value)``, which every later step then uses, as a student rounds what they write down
    and works on with it. ``rounding`` returns None for a value it does not round (a count, a label).
    A solve that records those steps in another order sets ``diverged``: its run is not that work.
    """

    def __init__(self, overrides: Mapping[str, Any] | None = None,
                 rounding: Callable[[Any], Any] | None = None, expect: Sequence[str] = (),
                 added: Mapping[str, Any] | None = None) -> None:
        super().__init__(overrides or {})
        self.rounding = rounding
        self.expect = list(expect)
        self.reached: dict[str, Any] = {}
        self.diverged = False
        # step -> an amount added to the value computed for it (the first time it is recorded): several
        # steps moved at once, each also moving what follows from it
        self.added = dict(added or {})

    def replayed(self, rec: Recorder, name: str, label: str, value: Any) -> Any:
        """The value a replayed step goes on with (recorded without a formula)."""
        given = name in rec.overrides
        if given:
            value = _like(rec.overrides[name], value)
        elif name in self.added:
            # from here on the moved value is the step's, as a given one is (a later step of the same
            # name, and a solver asking whether it was given, see it so)
            value = rec.overrides[name] = _like(np.asarray(value, dtype=np.float64) + self.added[name], value)
        elif self.rounding is not None:
            rounded = self.rounding(value)
            if rounded is not None:
                if len(self.reached) < len(self.expect) and self.expect[len(self.reached)] == name:
                    self.reached[name] = value
                    value = rec.overrides[name] = _like(rounded, value)
                else:
                    self.diverged = True
        rec.steps.append(Step(name, label, "", "", value, given))
        return value


class Recorder:
    """Collects the steps of one solve; optionally replaces values with a student's."""

    replay: Replay | None = None  # also for a recorder that passes its steps on to another

    def __init__(self, overrides: Mapping[str, Any] | None = None) -> None:
        self.steps: list[Step] = []
        self.replay = overrides if isinstance(overrides, Replay) else None
        self.overrides = dict(overrides or {})

    @property
    def writes(self) -> bool:
        """Whether formulas and labels are kept: a solver may skip writing text no one reads."""
        return self.replay is None

    def step(self, name: str, label: str, template: str, value: Any, **numbers: Any) -> Any:
        """Record ``value``, computed from ``numbers`` as ``template`` says; return the value to use on."""
        if self.replay is not None:
            return self.replay.replayed(self, name, label, value)
        formula = symbolic(template, numbers)
        given = name in self.overrides
        if given:
            value = _like(self.overrides[name], value)
        if not _PLACEHOLDER.search(template):
            # a constant ("1"): nothing to put numbers into, and "1 = 1 = 1" says nothing
            self.steps.append(Step(name, label, "" if formula == fmt(value) else formula, "", value, given))
            return value
        # copies: the text is written later, from the numbers as they were now
        frozen = {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in numbers.items()}
        self.steps.append(Step(name, label, formula, partial(substitute, template, frozen), value, given))
        return value

    def note(self, name: str, label: str, value: Any) -> Any:
        """Record a value that has no formula (a lookup, a choice, a comparison)."""
        if self.replay is not None:
            return self.replay.replayed(self, name, label, value)
        given = name in self.overrides
        if given:
            value = _like(self.overrides[name], value)
        self.steps.append(Step(name, label, "", "", value, given))
        return value

    def solution(self, **answer: Any) -> Solution:
        return Solution(answer=answer, steps=list(self.steps))


class NullRecorder(Recorder):
    """Records nothing: the training loop runs the solvers' update math at full speed."""

    def step(self, name: str, label: str, template: str, value: Any, **numbers: Any) -> Any:
        return value

    def note(self, name: str, label: str, value: Any) -> Any:
        return value


NULL = NullRecorder()


def _like(given: Any, computed: Any) -> Any:
    """A student's value in the type of the computed one (arrays stay arrays)."""
    if isinstance(computed, np.ndarray):
        arr = np.asarray(given, dtype=np.float64)
        if arr.shape != computed.shape:
            raise ValueError(f"shape {arr.shape} given where {computed.shape} was expected")
        return arr
    if isinstance(computed, (float, np.floating)):
        return float(given)
    return given


def to_jsonable(value: Any) -> Any:
    """Plain JSON types for numbers, arrays and nested containers."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value
