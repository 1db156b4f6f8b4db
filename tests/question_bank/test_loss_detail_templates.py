"""Loss reductions, binary hinge and clipped ReLU templates over 500 seeds against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from question_bank.bank import load_bank

BANK = load_bank(environ={})


def _t(x, grad: bool = False) -> torch.Tensor:
    return torch.tensor(np.asarray(x, dtype=float), dtype=torch.float64, requires_grad=grad)


def ref_loss_reduction(p: dict) -> dict:
    pred, target, w = _t(p["pred"]), _t(p["target"]), _t(p["weights"])
    per_example = F.mse_loss(pred, target, reduction="none")
    return {"mean": F.mse_loss(pred, target).item(), "total": F.mse_loss(pred, target, reduction="sum").item(),
            "weighted": ((w * per_example).sum() / w.sum()).item()}


def ref_binary_hinge(p: dict) -> dict:
    s, y = _t(p["scores"], grad=True), _t(p["labels"])
    # With scores [0, s] per example, multi_margin_loss(margin=1) of the true class is
    # ½·max(0, 1 - y·s) (it divides by the 2 classes): the binary hinge, checked by PyTorch.
    two = torch.stack([-s / 2, s / 2], dim=1)
    label = ((y + 1) / 2).long()
    loss = F.multi_margin_loss(two, label, margin=1.0)
    loss.backward()
    return {"loss": 2 * loss.item(), "grad": 2 * s.grad.numpy()}


def ref_clipped_relu(p: dict) -> dict:
    x = _t(p["x"], grad=True)
    out = F.hardtanh(x, 0.0, float(p["cap"]))
    if p["cap"] == 6:
        np.testing.assert_allclose(out.detach().numpy(), F.relu6(x).detach().numpy())
    out.sum().backward()
    return {"out": out.detach().numpy(), "grad": x.grad.numpy()}


REFS = {"loss-reduction": ref_loss_reduction, "binary-hinge": ref_binary_hinge, "clipped-relu": ref_clipped_relu}


@pytest.mark.parametrize("template_id", sorted(REFS))
def test_template_matches_pytorch(template_id: str):
    seen = set()
    for seed in range(500):
        q = BANK.instantiate(template_id, seed)
        want = REFS[template_id](q.params)
        assert set(want) == set(q.expected)
        for part, value in want.items():
            np.testing.assert_allclose(q.expected[part], value, rtol=1e-9, atol=1e-12, err_msg=f"{q.id} {part}")
        seen.add(q.text())
    assert len(seen) >= 200
