"""The misconceptions fixed in the dropout, activation and hinge-loss templates.

Each misconception's answer is worked here with NumPy or PyTorch (float64) from the question's own
numbers, never read from our solvers.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from question_bank.bank import BUILTIN, load_bank
from question_bank.lint import lint

BANK = load_bank(environ={})


def _misconception(template_id: str, mid: str):
    return next(m for m in BANK.get(template_id).misconceptions if m.id == mid)


def test_dropout_p_read_as_keep_probability_is_a_convention():
    m = _misconception("dropout", "p-is-keep")
    assert m.kind == "convention"
    assert "read p as the keep probability" in m.message  # from question_bank/conventions.yaml
    assert "p is the probability of dropping" in m.message
    x, mask, p = [1.0, -2.0, 0.5, 3.0, -1.5], [1, 0, 1, 1, 0], 0.2
    q = BANK.instantiate("dropout", 0, {"x": x, "mask": mask, "p": p})
    got = q.misconception_answers()["p-is-keep"]
    np.testing.assert_allclose(got.answers["out"], np.array(x) * np.array(mask) / p, rtol=1e-12)
    assert got.distinct == {"out": True}


@pytest.mark.parametrize("x", [-2.5, -0.3, 0.7, 2.9])
def test_sigmoid_sign_typo_explains_value_and_derivative(x):
    m = _misconception("activation", "sigmoid-sign-typo")
    assert m.parts == {"value": "value", "derivative": "derivative"}
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    typo = 1 / (1 + torch.exp(t))  # seed 003's σ(a) = 1/(1 + e^a)
    typo.backward()
    got = BANK.instantiate("activation", 0, {"fn": "sigmoid", "x": x}).misconception_answers()["sigmoid-sign-typo"]
    assert got.answers["value"] == pytest.approx(typo.item(), rel=1e-12)
    assert got.answers["derivative"] == pytest.approx(t.grad.item(), rel=1e-12)
    assert got.distinct == {"value": True, "derivative": True}


def _hinge_readings(scores: list[float], label: int, delta: float) -> tuple[float, float, float]:
    """(right loss, Δ outside the max per wrong class, Δ outside once)."""
    s = np.asarray(scores, dtype=float)
    others = np.delete(s, label) - s[label]
    right = np.maximum(0, others + delta).sum()
    bare = np.maximum(0, others).sum()
    return float(right), float(bare + len(others) * delta), float(bare + delta)


def test_hinge_recognises_both_readings_of_delta_outside():
    ids = [m.id for m in BANK.get("hinge-loss").misconceptions]
    assert {"delta-outside-per-class", "delta-outside-once"} <= set(ids) and "delta-outside" not in ids
    for seed in range(100):
        q = BANK.instantiate("hinge-loss", seed)
        right, per_class, once = _hinge_readings(q.params["scores"], q.params["label"], q.params["margin"])
        assert q.expected["loss"] == pytest.approx(right, abs=1e-12)
        got = q.misconception_answers()
        assert got["delta-outside-per-class"].answers == {"loss": pytest.approx(per_class, abs=1e-12)}
        assert got["delta-outside-once"].answers == {"loss": pytest.approx(once, abs=1e-12)}
        # The constraints keep both readings away from the right loss on every seed, not just 80 %.
        assert got["delta-outside-per-class"].recognisable and got["delta-outside-once"].recognisable, q.id


def test_fixed_templates_lint_clean():
    files = [BUILTIN / "regularization/dropout.yaml", BUILTIN / "activations/activation.yaml",
             BUILTIN / "losses/hinge-loss.yaml"]
    assert [str(i) for i in lint(files, seeds=100)] == []
