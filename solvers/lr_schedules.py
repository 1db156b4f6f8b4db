"""Learning-rate schedules PyTorch has, beyond step and exponential decay (``solvers.schedules``).

Each solver follows ``torch.optim.lr_scheduler`` exactly, in closed form: ``k`` counts iterations
(or epochs) from 0, the learning rate before the first ``scheduler.step()`` being the base rate ε₀.
- multi-step (``MultiStepLR``): ε₀·γ^(number of milestones ≤ k);
- cosine annealing (``CosineAnnealingLR``, 0 ≤ k ≤ T): ε_min + (ε₀ - ε_min)(1 + cos(πk/T))/2;
- linear warm-up (``LinearLR`` with end factor 1): ε₀·(f + (1 - f)·min(k, n)/n), f the start factor.
The conventions and the alternatives students meet are in docs/conventions-extra.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from solvers.registry import solver
from solvers.schedules import decay_factor, iteration, rate
from solvers.steps import Recorder, Solution
from solvers.validate import array, scalar


def _milestones(value: Any) -> list[int]:
    marks = array(value, "milestones", ndim=1)
    if marks.size == 0:
        raise ValueError("milestones: give at least one iteration at which the rate drops")
    return [iteration(m, "each milestone", 1) for m in marks]


def _multistep(rec: Recorder, lr0: float, gamma: float, milestones: Sequence[int], k: int) -> float:
    reached = sum(1 for m in milestones if m <= k)  # MultiStepLR drops *at* the milestone
    drops = rec.step("drops", "milestones reached so far (each one at or before k)",
                     "count of milestones ≤ {k}", reached, k=k)
    return rec.step("lr", "learning rate", "{lr0}·{gamma}^{drops}", lr0 * gamma**drops,
                    lr0=lr0, gamma=gamma, drops=drops)


def _cosine(rec: Recorder, lr0: float, eta_min: float, t_max: int, k: int) -> float:
    # One calculator step, as students do it: rounding the angle first would only add error.
    cos = rec.step("cos", "cosine of the fraction of the period done", "cos(π·{k}/{T})",
                   math.cos(math.pi * k / t_max), k=k, T=t_max)
    return rec.step("lr", "learning rate", "{ε_min} + ({lr0} - {ε_min})·(1 + {cos})/2",
                    eta_min + (lr0 - eta_min) * (1 + cos) / 2, lr0=lr0, cos=cos, **{"ε_min": eta_min})


def _warmup(rec: Recorder, lr0: float, start_factor: float, warmup: int, k: int) -> float:
    done = min(k, warmup)  # after the warm-up the factor stays at 1
    factor = rec.step("factor", "warm-up factor", "{f} + (1 - {f})·{k}/{n}",
                      start_factor + (1 - start_factor) * done / warmup, f=start_factor, k=done, n=warmup)
    return rec.step("lr", "learning rate", "{lr0}·{factor}", lr0 * factor, lr0=lr0, factor=factor)


@solver("lr_multistep_decay")
def lr_multistep_decay(lr0: float, gamma: float, milestones: Sequence[int], k: int,
                       overrides: Mapping[str, Any] | None = None) -> Solution:
    """Multiply by gamma at each milestone (PyTorch ``MultiStepLR``) -> {lr}; steps drops, lr."""
    rec = Recorder(overrides)
    lr = _multistep(rec, rate(lr0, "lr0"), decay_factor(gamma), _milestones(milestones), iteration(k, "k"))
    return rec.solution(lr=float(lr))


@solver("lr_cosine_annealing")
def lr_cosine_annealing(lr0: float, eta_min: float, t_max: int, k: int,
                        overrides: Mapping[str, Any] | None = None) -> Solution:
    """Cosine from lr0 down to eta_min over t_max iterations (``CosineAnnealingLR``) -> {lr}."""
    lr0, eta_min = rate(lr0, "lr0"), rate(eta_min, "eta_min")
    t_max, k = iteration(t_max, "t_max", 1), iteration(k, "k")
    if k > t_max:  # PyTorch's recursion climbs back up after T: a second half-period, not asked here
        raise ValueError(f"k = {k} is past the end of the cosine period T = {t_max}")
    if eta_min > lr0:
        raise ValueError(f"eta_min = {eta_min:g} is above the starting rate {lr0:g}")
    rec = Recorder(overrides)
    lr = _cosine(rec, lr0, eta_min, t_max, k)
    return rec.solution(lr=float(lr))


@solver("lr_linear_warmup")
def lr_linear_warmup(lr0: float, start_factor: float, warmup: int, k: int,
                     overrides: Mapping[str, Any] | None = None) -> Solution:
    """Linear warm-up from start_factor·lr0 to lr0 over warmup iterations (``LinearLR``) -> {lr}."""
    f = scalar(start_factor, "start_factor")
    if not 0 <= f <= 1:
        raise ValueError(f"start_factor must be in [0, 1], got {f:g}")
    rec = Recorder(overrides)
    lr = _warmup(rec, rate(lr0, "lr0"), f, iteration(warmup, "warmup", 1), iteration(k, "k"))
    return rec.solution(lr=float(lr))

