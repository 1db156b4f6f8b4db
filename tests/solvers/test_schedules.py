"""Learning-rate schedules against torch.optim.lr_scheduler and a hand-worked linear decay."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from solvers import registry
from solvers.schedules import (
    exponential_decay,
    linear_decay,
    lr_exponential_decay,
    lr_linear_decay,
    lr_step_decay,
    step_decay,
)


def torch_rates(lr0: float, make_scheduler, n: int) -> list[float]:
    """The learning rate at iterations 0..n-1 of a torch scheduler."""
    opt = torch.optim.SGD([torch.zeros(1, dtype=torch.float64, requires_grad=True)], lr=lr0)
    sched = make_scheduler(opt)
    rates = []
    for _ in range(n):
        rates.append(sched.get_last_lr()[0])
        opt.step()
        sched.step()
    return rates


@pytest.mark.parametrize(("step_size", "gamma"), [(3, 0.5), (1, 0.9), (4, 0.1)])
def test_step_decay_matches_steplr(step_size, gamma):
    expected = torch_rates(0.2, lambda o: torch.optim.lr_scheduler.StepLR(o, step_size, gamma), 15)
    for k, ref in enumerate(expected):
        assert lr_step_decay(lr0=0.2, gamma=gamma, step_size=step_size, k=k).answer["lr"] == pytest.approx(
            ref, rel=1e-12)
        assert step_decay(0.2, gamma, step_size, k) == pytest.approx(ref, rel=1e-12)


@pytest.mark.parametrize("gamma", [0.9, 0.5])
def test_exponential_decay_matches_exponentiallr(gamma):
    expected = torch_rates(0.1, lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma), 12)
    for k, ref in enumerate(expected):
        assert lr_exponential_decay(lr0=0.1, gamma=gamma, k=k).answer["lr"] == pytest.approx(ref, rel=1e-12)
        assert exponential_decay(0.1, gamma, k) == pytest.approx(ref, rel=1e-12)


def test_linear_decay_matches_linearlr():
    # LinearLR scales lr0 by a factor going linearly from 1 to lr_tau/lr0 over tau iterations,
    # then holds it: the slides' (1 - α)ε₀ + αε_τ.
    lr0, lr_tau, tau = 0.5, 0.02, 8
    expected = torch_rates(lr0, lambda o: torch.optim.lr_scheduler.LinearLR(
        o, start_factor=1.0, end_factor=lr_tau / lr0, total_iters=tau), 14)
    for k, ref in enumerate(expected):
        assert lr_linear_decay(lr0=lr0, lr_tau=lr_tau, tau=tau, k=k).answer["lr"] == pytest.approx(ref, rel=1e-12)
        assert linear_decay(lr0, lr_tau, tau, k) == pytest.approx(ref, rel=1e-12)


@pytest.mark.parametrize(("k", "alpha", "lr"), [(0, 0.0, 0.1), (20, 0.2, 0.082), (50, 0.5, 0.055), (100, 1.0, 0.01)])
def test_linear_decay_hand_worked(k, alpha, lr):
    # ε₀ = 0.1, ε_τ = 0.01, τ = 100: at k = 20, α = 0.2 and ε = 0.8·0.1 + 0.2·0.01 = 0.082
    sol = lr_linear_decay(lr0=0.1, lr_tau=0.01, tau=100, k=k)
    assert sol.step("alpha").value == pytest.approx(alpha)
    assert sol.answer["lr"] == pytest.approx(lr, rel=1e-12)
    assert isinstance(sol.answer["lr"], float)


def test_linear_decay_stays_at_final_rate_after_tau():
    sol = lr_linear_decay(lr0=0.1, lr_tau=0.01, tau=100, k=150)
    assert sol.answer["lr"] == 0.01
    assert [s.name for s in sol.steps] == ["lr"]


def test_linear_decay_steps_render_and_carry_overrides():
    sol = lr_linear_decay(lr0=0.1, lr_tau=0.01, tau=100, k=20)
    step = sol.step("lr")
    assert step.formula == "(1 - α)·ε₀ + α·ε_τ"
    assert step.substituted == "(1 - 0.2)·0.1 + 0.2·0.01"
    # A student who got α = 0.5 is marked on from there: 0.5·0.1 + 0.5·0.01 = 0.055.
    ecf = lr_linear_decay(lr0=0.1, lr_tau=0.01, tau=100, k=20, overrides={"alpha": 0.5})
    assert ecf.answer["lr"] == pytest.approx(0.055)


def test_step_decay_records_the_number_of_drops():
    sol = lr_step_decay(lr0=0.1, gamma=0.5, step_size=3, k=7)
    assert sol.step("drops").value == 2
    assert sol.answer["lr"] == pytest.approx(0.025)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: lr_linear_decay(lr0=0.1, lr_tau=0.01, tau=0, k=1), "tau must be positive"),
        (lambda: lr_linear_decay(lr0=0.1, lr_tau=0.01, tau=10, k=-1), "k must be a whole number"),
        (lambda: lr_linear_decay(lr0=float("nan"), lr_tau=0.01, tau=10, k=1), "lr0: contains NaN"),
        (lambda: lr_linear_decay(lr0=0.1, lr_tau=-0.01, tau=10, k=1), "lr_tau must be non-negative"),
        (lambda: lr_step_decay(lr0=0.1, gamma=0.5, step_size=0, k=1), "step_size must be a whole number"),
        (lambda: lr_step_decay(lr0=0.1, gamma=0.5, step_size=2, k=1.5), "k must be a whole number"),
        (lambda: lr_exponential_decay(lr0=0.1, gamma=1.5, k=1), r"gamma .* \(0, 1\]"),
        (lambda: lr_exponential_decay(lr0=0.1, gamma=0.0, k=1), "gamma"),
        (lambda: lr_exponential_decay(lr0=[0.1, 0.2], gamma=0.5, k=1), "lr0: expected a number"),
    ],
)
def test_bad_input_is_a_value_error_that_names_the_problem(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_schedules_are_registered():
    for fn in (lr_linear_decay, lr_step_decay, lr_exponential_decay):
        assert registry.get(fn.__name__) is fn


def test_plain_functions_drive_a_training_loop():
    rates = np.array([step_decay(1.0, 0.5, 2, k) for k in range(6)])
    np.testing.assert_allclose(rates, [1.0, 1.0, 0.5, 0.5, 0.25, 0.25])
