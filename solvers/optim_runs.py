"""Runs of several optimizer steps on a quadratic, for every optimizer, as one solver a template
can call with the optimizer drawn from a list (``optimizer_steps`` refuses options an optimizer
does not take, so the options that apply are picked here).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from solvers.optim import SPECS, optimizer_steps
from solvers.registry import solver
from solvers.steps import Solution

# The hyper-parameters each optimizer takes from the run's arguments (the rest keep their defaults).
_TAKES = {
    "sgd": ("lr",),
    "momentum": ("lr", "rho"),
    "nesterov": ("lr", "rho"),
    "adagrad": ("lr",),
    "rmsprop": ("lr", "decay"),
    "adam": ("lr",),
    "adamw": ("lr", "weight_decay"),
}


@solver("optimizer_run")
def optimizer_run(optimizer: str, w: Any, a: Any, b: Any = 0.0, n_steps: int = 3, lr: float = 0.1,
                  rho: float = 0.9, decay: float = 0.9, weight_decay: float = 0.01, restart: bool = False,
                  overrides: Mapping[str, Any] | None = None) -> Solution:
    """``n_steps`` steps of ``optimizer`` on f(w) = ½·a·w² + b·w from ``w`` -> the state and w after
    each step (w1, w2, ...; v1, cache1, m1, ...), steps numbered the same way (g1, m_hat2, ...).

    ``restart=True`` is the classic slip of starting every step from zero state (and t = 1): it
    does not apply to plain gradient descent, which has no state.
    """
    if optimizer not in _TAKES:
        raise ValueError(f"optimizer must be one of {', '.join(_TAKES)}, got {optimizer!r}")
    given = {"lr": lr, "rho": rho, "decay": decay, "weight_decay": weight_decay}
    options = {k: given[k] for k in _TAKES[optimizer]}
    if not restart:
        return optimizer_steps(optimizer, w, a=a, b=b, n_steps=n_steps, overrides=overrides, **options)
    if not SPECS[optimizer].state:
        raise ValueError("plain gradient descent has no state to restart")
    answer: dict[str, Any] = {}
    for k in range(1, int(n_steps) + 1):
        one = optimizer_steps(optimizer, w, a=a, b=b, n_steps=1, **options).answer
        answer.update({key[:-1] + str(k): value for key, value in one.items()})
        w = one["w1"]
    return Solution(answer=answer)
