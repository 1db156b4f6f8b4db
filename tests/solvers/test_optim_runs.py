"""Runs of several optimizer steps against torch.optim (and seed 003's look-ahead Nesterov by hand)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from question_bank.bank import load_bank
from quizapp.cli import main
from solvers.optim_runs import optimizer_run

TORCH = {
    "sgd": lambda p, lr: torch.optim.SGD(p, lr=lr),
    "momentum": lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9),
    "adagrad": lambda p, lr: torch.optim.Adagrad(p, lr=lr, eps=1e-10),
    "rmsprop": lambda p, lr: torch.optim.RMSprop(p, lr=lr, alpha=0.9, eps=1e-8),
    "adam": lambda p, lr: torch.optim.Adam(p, lr=lr),
    "adamw": lambda p, lr: torch.optim.AdamW(p, lr=lr, weight_decay=0.01),
}


def torch_run(optimizer: str, w0: float, a: float, b: float, lr: float, n: int) -> list[float]:
    """w after each step of ``optimizer`` on f(w) = ½aw² + bw."""
    if optimizer == "nesterov":
        return lookahead_nesterov(w0, a, b, lr, n)
    w = torch.tensor([w0], dtype=torch.float64, requires_grad=True)
    opt = TORCH[optimizer]([w], lr)
    out = []
    for _ in range(n):
        opt.zero_grad()
        (0.5 * a * w**2 + b * w).sum().backward()
        opt.step()
        out.append(w.item())
    return out


def lookahead_nesterov(w: float, a: float, b: float, lr: float, n: int, rho: float = 0.9) -> list[float]:
    """Seed 003's form, written out by hand: v ← ρv - α∇f(w + ρv); w ← w + v (PyTorch has another form)."""
    v, out = 0.0, []
    for _ in range(n):
        v = rho * v - lr * (a * (w + rho * v) + b)
        w = w + v
        out.append(w)
    return out


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"])
def test_published_20_step_run_in_one_command(optimizer: str, capsys):
    """f(w) = ½w² from w = 1.5 with α = 0.1, twenty steps: `quizapp solve ... --steps 20` as torch.optim."""
    args = ["solve", "optimizer-three-steps", "--seed", "0", "--set", f"optimizer={optimizer}", "--set", "w=1.5",
            "--set", "a=1", "--set", "b=0", "--set", "lr=0.1", "--steps", "20", "--json"]
    assert main(args) == 0
    steps = {s["name"]: s["value"] for s in json.loads(capsys.readouterr().out)["steps"]}
    got = [steps[f"w{k}"] for k in range(1, 21)]
    np.testing.assert_allclose(got, torch_run(optimizer, 1.5, 1.0, 0.0, 0.1, 20), rtol=1e-9, atol=1e-12)


def test_template_matches_torch_over_500_seeds():
    bank = load_bank(environ={})
    seen = set()
    for seed in range(500):
        q = bank.instantiate("optimizer-three-steps", seed)
        p = q.params
        seen.add(p["optimizer"])
        want = torch_run(p["optimizer"], p["w"], p["a"], p["b"], p["lr"], 3)
        got = [q.expected[f"w{k}"] for k in (1, 2, 3)]
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12, err_msg=q.id)
    assert len(seen) == 7


def test_error_carried_forward_between_steps():
    """A student's own w1 is where step 2 starts (the state from step 1 is kept)."""
    sol = optimizer_run("momentum", 1.0, a=2, b=0, n_steps=2, lr=0.1, overrides={"w1": 0.5})
    # by hand: v1 = g1 = 2; from w1 = 0.5: g2 = 1, v2 = 0.9·2 + 1 = 2.8, w2 = 0.5 - 0.28
    assert sol.answer["w2"] == pytest.approx(0.22)


def test_restart_slip_and_bad_input():
    right = optimizer_run("adam", 1.0, a=1, b=0, n_steps=3, lr=0.1).answer["w3"]
    slip = optimizer_run("adam", 1.0, a=1, b=0, n_steps=3, lr=0.1, restart=True).answer["w3"]
    assert abs(right - slip) > 1e-3
    with pytest.raises(ValueError, match="no state"):
        optimizer_run("sgd", 1.0, a=1, restart=True)
    with pytest.raises(ValueError, match="optimizer must be one of"):
        optimizer_run("lion", 1.0, a=1)


def test_steps_flag_errors(capsys):
    assert main(["solve", "adam-step", "--steps", "3"]) == 2
    assert "not a multi-step template" in capsys.readouterr().err
    assert main(["solve", "optimizer-three-steps", "--steps", "99"]) == 2
    assert "from 1 to 50" in capsys.readouterr().err
