"""The schedule templates over 500 seeds against torch.optim.lr_scheduler (never our solvers)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler as S

from question_bank.bank import load_bank

BANK = load_bank(environ={})
SEEDS = range(500)


def torch_rate(lr0: float, make, k: int) -> float:
    """The learning rate a torch scheduler gives at iteration k (after k scheduler steps)."""
    opt = torch.optim.SGD([torch.zeros(1, dtype=torch.float64, requires_grad=True)], lr=lr0)
    sched = make(opt)
    for _ in range(int(k)):
        opt.step()
        sched.step()
    return sched.get_last_lr()[0]


SCHEDULERS = {
    "lr-step-decay": lambda p: lambda o: S.StepLR(o, p["step_size"], p["gamma"]),
    "lr-multistep-decay": lambda p: lambda o: S.MultiStepLR(o, [int(m) for m in p["milestones"]], p["gamma"]),
    "lr-exponential-decay": lambda p: lambda o: S.ExponentialLR(o, p["gamma"]),
    "lr-cosine-annealing": lambda p: lambda o: S.CosineAnnealingLR(o, p["t_max"], p["eta_min"]),
    "lr-linear-warmup": lambda p: lambda o: S.LinearLR(o, p["start_factor"], 1.0, p["warmup"]),
}


@pytest.mark.parametrize("template_id", sorted(SCHEDULERS))
def test_schedule_template_matches_torch(template_id: str):
    seen = set()
    for seed in SEEDS:
        q = BANK.instantiate(template_id, seed)
        want = torch_rate(q.params["lr0"], SCHEDULERS[template_id](q.params), q.params["k"])
        np.testing.assert_allclose(q.expected["lr"], want, rtol=1e-9, atol=1e-15, err_msg=q.id)
        seen.add(q.text())
    assert len(seen) >= 100, f"{template_id}: only {len(seen)} distinct questions in 500 seeds"
