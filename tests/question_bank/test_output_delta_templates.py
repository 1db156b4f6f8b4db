"""Output-layer delta templates over 500 seeds against PyTorch autograd (never our solvers)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from question_bank.bank import load_bank

BANK = load_bank(environ={})
SEEDS = range(500)


def _autograd(p: dict, output, loss) -> dict:
    """s and W·h wired as a real layer: ∂E/∂s and ∂E/∂W from torch.autograd."""
    h = torch.tensor(p["h"], dtype=torch.float64)
    s0 = torch.tensor(p["s"], dtype=torch.float64)
    # Weights chosen so that W·h + b equals the given s: only the gradients matter.
    w = torch.zeros(len(s0), len(h), dtype=torch.float64, requires_grad=True)
    s = w @ h + s0
    s.retain_grad()
    out = output(s)
    loss(out, s).backward()
    return {"out": out.detach().numpy(), "delta": s.grad.numpy(), "grad_W": w.grad.numpy()}


def ref_sigmoid(p: dict) -> dict:
    t = torch.tensor(p["t"], dtype=torch.float64)
    got = _autograd(p, torch.sigmoid, lambda y, s: 0.5 * ((y - t) ** 2).sum())
    return {"y": got["out"], "delta": got["delta"], "grad_W": got["grad_W"]}


def ref_softmax(p: dict) -> dict:
    label = torch.tensor([p["label"]])
    got = _autograd(p, lambda s: torch.softmax(s, 0), lambda y, s: F.cross_entropy(s[None], label))
    return {"probs": got["out"], "delta": got["delta"], "grad_W": got["grad_W"]}


@pytest.mark.parametrize(("template_id", "ref"), [("output-delta-sigmoid", ref_sigmoid),
                                                  ("output-delta-softmax", ref_softmax)])
def test_output_delta_matches_autograd(template_id, ref):
    seen = set()
    for seed in SEEDS:
        q = BANK.instantiate(template_id, seed)
        want = ref(q.params)
        assert set(want) == set(q.expected)
        for part, value in want.items():
            np.testing.assert_allclose(q.expected[part], value, rtol=1e-9, atol=1e-12, err_msg=f"{q.id} {part}")
        seen.add(q.text())
    assert len(seen) >= 200


def test_sign_trap_is_named():
    from quizapp.grading import grade

    q = BANK.instantiate("output-delta-sigmoid", 3)
    flipped = -ref_sigmoid(q.params)["delta"]  # the sign trap, from autograd
    result = grade(q, {"delta": "[" + ", ".join(f"{v:.6g}" for v in flipped) + "]"})
    assert not result.parts["delta"].correct
    assert result.parts["delta"].diagnosis.id == "sign-trap"
