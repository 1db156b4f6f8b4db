"""Learning-rate schedules: a solver per schedule and a plain function for training code.

``k`` is the iteration number, 0 for the first (PyTorch's schedulers count the same way: the
learning rate before any ``scheduler.step()`` is lr0). Each schedule's math is written once, on a
recorder; the plain functions run it with ``steps.NULL``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from solvers.registry import solver
from solvers.steps import NULL, Recorder, Solution
from solvers.validate import positive, scalar


def _linear(rec: Recorder, lr0: float, lr_tau: float, tau: float, k: int, clamp: bool = True) -> float:
    if k > tau and clamp:
        return rec.step("lr", "learning rate (after τ it stays at ε_τ)", "{lr_tau}", lr_tau, lr_tau=lr_tau)
    alpha = rec.step("alpha", "fraction of the decay done", "{k} / {tau}", k / tau, k=k, tau=tau)
    return rec.step("lr", "learning rate", "(1 - {alpha})·{lr0} + {alpha}·{lr_tau}",
                    (1 - alpha) * lr0 + alpha * lr_tau, alpha=alpha, lr0=lr0, lr_tau=lr_tau)


def _step(rec: Recorder, lr0: float, gamma: float, step_size: int, k: int) -> float:
    drops = rec.step("drops", "decays so far", "⌊{k} / {s}⌋", k // step_size, k=k, s=step_size)
    return rec.step("lr", "learning rate", "{lr0}·{gamma}^{drops}", lr0 * gamma**drops,
                    lr0=lr0, gamma=gamma, drops=drops)


def _exponential(rec: Recorder, lr0: float, gamma: float, k: int) -> float:
    return rec.step("lr", "learning rate", "{lr0}·{gamma}^{k}", lr0 * gamma**k, lr0=lr0, gamma=gamma, k=k)


def linear_decay(lr0: float, lr_tau: float, tau: float, k: int) -> float:
    """ε_k = (1 - α)ε₀ + αε_τ with α = k/τ for k ≤ τ, ε_τ after (seeds 000-002)."""
    return _linear(NULL, lr0, lr_tau, tau, k)


def step_decay(lr0: float, gamma: float, step_size: int, k: int) -> float:
    """lr0·γ^⌊k/step_size⌋ (PyTorch ``StepLR``)."""
    return _step(NULL, lr0, gamma, step_size, k)


def exponential_decay(lr0: float, gamma: float, k: int) -> float:
    """lr0·γ^k (PyTorch ``ExponentialLR``)."""
    return _exponential(NULL, lr0, gamma, k)


def iteration(value: Any, name: str, start: int = 0) -> int:
    x = scalar(value, name)
    if x < start or not x.is_integer():
        raise ValueError(f"{name} must be a whole number ≥ {start}, got {x:g}")
    return int(x)


def rate(value: Any, name: str) -> float:
    return positive(scalar(value, name), name, strict=False)


def decay_factor(gamma: Any) -> float:
    x = scalar(gamma, "gamma")
    if not 0 < x <= 1:
        raise ValueError(f"gamma is the decay factor and must be in (0, 1], got {x:g}")
    return x


@solver("lr_linear_decay")
def lr_linear_decay(lr0: float, lr_tau: float, tau: float, k: int, clamp: bool = True,
                    overrides: Mapping[str, Any] | None = None) -> Solution:
    """Linear decay from lr0 to lr_tau over tau iterations -> {lr}; steps alpha (k ≤ τ), lr.
    ``clamp=False`` (the formula used past τ) is a slip, for the checker."""
    tau = positive(scalar(tau, "tau"), "tau")
    rec = Recorder(overrides)
    lr = _linear(rec, rate(lr0, "lr0"), rate(lr_tau, "lr_tau"), tau, iteration(k, "k"), clamp)
    return rec.solution(lr=float(lr))


@solver("lr_step_decay")
def lr_step_decay(lr0: float, gamma: float, step_size: int, k: int,
                  overrides: Mapping[str, Any] | None = None) -> Solution:
    """Multiply by gamma every step_size iterations -> {lr}; steps drops, lr."""
    rec = Recorder(overrides)
    lr = _step(rec, rate(lr0, "lr0"), decay_factor(gamma), iteration(step_size, "step_size", 1),
               iteration(k, "k"))
    return rec.solution(lr=float(lr))


@solver("lr_exponential_decay")
def lr_exponential_decay(lr0: float, gamma: float, k: int,
                         overrides: Mapping[str, Any] | None = None) -> Solution:
    """Multiply by gamma every iteration -> {lr}."""
    rec = Recorder(overrides)
    lr = _exponential(rec, rate(lr0, "lr0"), decay_factor(gamma), iteration(k, "k"))
    return rec.solution(lr=float(lr))
