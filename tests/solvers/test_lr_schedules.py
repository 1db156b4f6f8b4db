"""Multi-step, cosine annealing and linear warm-up against torch.optim.lr_scheduler."""

from __future__ import annotations

import pytest
import torch

from solvers.lr_schedules import lr_cosine_annealing, lr_linear_warmup, lr_multistep_decay


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


@pytest.mark.parametrize(("milestones", "gamma"), [([3, 7], 0.5), ([1, 2, 10], 0.1), ([5], 0.2)])
def test_multistep_matches_multisteplr(milestones, gamma):
    ref = torch_rates(0.3, lambda o: torch.optim.lr_scheduler.MultiStepLR(o, milestones, gamma), 14)
    for k, want in enumerate(ref):
        got = lr_multistep_decay(lr0=0.3, gamma=gamma, milestones=milestones, k=k).answer["lr"]
        assert got == pytest.approx(want, rel=1e-12), k


@pytest.mark.parametrize(("t_max", "eta_min"), [(10, 0.0), (12, 0.01), (7, 0.05)])
def test_cosine_matches_cosineannealinglr(t_max, eta_min):
    ref = torch_rates(0.5, lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, t_max, eta_min), t_max + 1)
    for k, want in enumerate(ref):
        got = lr_cosine_annealing(lr0=0.5, eta_min=eta_min, t_max=t_max, k=k).answer["lr"]
        assert got == pytest.approx(want, rel=1e-9, abs=1e-15), k


@pytest.mark.parametrize(("start_factor", "n"), [(0.1, 5), (0.25, 4), (0.5, 10)])
def test_warmup_matches_linearlr(start_factor, n):
    ref = torch_rates(0.2, lambda o: torch.optim.lr_scheduler.LinearLR(
        o, start_factor=start_factor, end_factor=1.0, total_iters=n), n + 4)
    for k, want in enumerate(ref):
        got = lr_linear_warmup(lr0=0.2, start_factor=start_factor, warmup=n, k=k).answer["lr"]
        assert got == pytest.approx(want, rel=1e-12), k


def test_cosine_by_hand():
    # Half-way through: cos(π/2) = 0, so the rate is the midpoint of ε₀ and ε_min.
    assert lr_cosine_annealing(lr0=0.1, eta_min=0.02, t_max=20, k=10).answer["lr"] == pytest.approx(0.06)


@pytest.mark.parametrize(("call", "words"), [
    (lambda: lr_cosine_annealing(lr0=0.1, eta_min=0.0, t_max=10, k=11), "past the end"),
    (lambda: lr_cosine_annealing(lr0=0.1, eta_min=0.2, t_max=10, k=1), "above the starting rate"),
    (lambda: lr_multistep_decay(lr0=0.1, gamma=0.5, milestones=[], k=1), "milestones"),
    (lambda: lr_multistep_decay(lr0=0.1, gamma=0.5, milestones=[2.5], k=1), "milestone"),
    (lambda: lr_linear_warmup(lr0=0.1, start_factor=1.5, warmup=4, k=1), "start_factor"),
    (lambda: lr_linear_warmup(lr0=0.1, start_factor=0.5, warmup=0, k=1), "warmup"),
])
def test_bad_input_is_named(call, words):
    with pytest.raises(ValueError, match=words):
        call()
