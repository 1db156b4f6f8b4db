"""Worked-solution wording says what the question has (issue 16, item 12): no term, axis or rule the
question does not have. Values come from PyTorch or from a hand computation, never from the solver."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from solvers.activations import activation
from solvers.losses import softmax
from solvers.norm import batchnorm
from solvers.optim import nesterov_step


def _grad_steps(sol):
    return [s for s in sol.steps if s.label.startswith("gradient of f(w)")]


def test_nesterov_on_a_quadratic_without_b_shows_no_b_term():
    # f(w) = ½·3·w², w = 2, v = 0.5, α = 0.1, ρ = 0.9 (course notes' look-ahead form), by hand:
    # ahead = 2 + 0.9·0.5 = 2.45; ∇f(ahead) = 7.35; v = 0.45 - 0.735 = -0.285; w = 2 - 0.285 = 1.715.
    sol = nesterov_step(w=2.0, v=0.5, lr=0.1, rho=0.9, a=3.0)
    assert sol.answer["v"] == pytest.approx(-0.285, abs=1e-12)
    assert sol.answer["w"] == pytest.approx(1.715, abs=1e-12)
    steps = _grad_steps(sol)
    assert steps
    for step in steps:
        assert "b" not in step.label and "b" not in step.formula
        assert step.label == "gradient of f(w) = ½·a·w²"


def test_nesterov_on_a_quadratic_with_b_shows_the_b_term():
    # f(w) = ½·3·w² + 1·w: ∇f(2.45) = 7.35 + 1 = 8.35; v = 0.45 - 0.835 = -0.385; w = 1.615.
    sol = nesterov_step(w=2.0, v=0.5, lr=0.1, rho=0.9, a=3.0, b=1.0)
    assert sol.answer["w"] == pytest.approx(1.615, abs=1e-12)
    assert all("+ b·w" in s.label and "+" in s.formula for s in _grad_steps(sol))


@pytest.mark.parametrize(("alpha", "x"), [(2.0, -1.5), (2.0, 1.5), (0.25, -2.0), (0.25, 2.0)])
def test_prelu_formula_holds_for_any_slope(alpha, x):
    # max(α·x, x) is PReLU only for α ≤ 1; with α = 2 and x = -1.5 it would give -1.5, PyTorch -3.
    want = float(F.prelu(torch.tensor([x], dtype=torch.float64), torch.tensor([alpha], dtype=torch.float64)))
    sol = activation(fn="prelu", x=x, alpha=alpha)
    assert sol.answer["value"] == pytest.approx(want, abs=1e-12)
    assert "max" not in sol.step("value").formula
    assert sol.step("value").formula == "x if x > 0 else α · x"


def test_batchnorm_of_a_plain_batch_speaks_of_features_not_positions():
    x = np.array([[1.0, -2.0], [1.0, 4.0], [2.0, -2.0], [-4.0, 4.0]])
    sol = batchnorm(x=x)
    want = torch.tensor(x).mean(dim=0).numpy()
    np.testing.assert_allclose(sol.answer["mean"], want, atol=1e-12)
    assert sol.step("mean").label == "mean of each feature over the batch"
    assert "positions" not in sol.step("var").label


def test_batchnorm_of_a_feature_map_speaks_of_channels_and_positions():
    x = np.arange(16.0).reshape(2, 2, 2, 2)
    sol = batchnorm(x=x)
    np.testing.assert_allclose(sol.answer["mean"], torch.tensor(x).mean(dim=(0, 2, 3)).numpy(), atol=1e-12)
    assert sol.step("mean").label == "mean of each channel over the batch and positions"


def test_softmax_of_one_vector_has_one_sum():
    f = [1.0, 2.0, -1.0]
    sol = softmax(logits=f)
    np.testing.assert_allclose(sol.answer["probs"], torch.softmax(torch.tensor(f, dtype=torch.float64), 0).numpy(),
                               atol=1e-12)
    assert sol.step("total").label == "their sum"


def test_softmax_of_a_matrix_has_one_sum_per_row():
    f = [[1.0, 2.0], [0.0, -1.0]]
    sol = softmax(logits=f)
    np.testing.assert_allclose(sol.answer["probs"], torch.softmax(torch.tensor(f, dtype=torch.float64), 1).numpy(),
                               atol=1e-12)
    assert sol.step("total").label == "their sum (one per row)"
