"""Dropout and weight penalties against PyTorch (float64) and hand-worked numbers."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from solvers.regularization import dropout, l1_penalty, l2_penalty


def _torch_dropout(x: np.ndarray, p: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's training output and the mask it drew (kept units are the non-zero outputs)."""
    torch.manual_seed(seed)
    out = F.dropout(torch.tensor(x), p=p, training=True).numpy()
    return out, (out != 0).astype(np.float64)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.75])
def test_inverted_training_matches_torch(p):
    x = np.random.default_rng(1).normal(size=(4, 5)) + 3.0  # no exact zeros, so the mask is recoverable
    expected, mask = _torch_dropout(x, p, seed=7)
    out = dropout(x=x.tolist(), mask=mask.tolist(), p=p).answer["out"]
    np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_inverted_evaluation_matches_torch():
    x = np.array([1.5, -2.0, 0.25])
    expected = F.dropout(torch.tensor(x), p=0.4, training=False).numpy()
    out = dropout(x=x, mask=None, p=0.4, mode="eval").answer["out"]
    np.testing.assert_array_equal(out, expected)


def test_keep_meaning_of_p_is_the_complement():
    x = np.array([2.0, 3.0, -1.0, 4.0])
    expected, mask = _torch_dropout(x, 0.3, seed=3)
    out = dropout(x=x, mask=mask, p=0.7, p_meaning="keep").answer["out"]
    np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_classic_form_scales_at_evaluation():
    # Seed 002: train with the bare mask, then "multiply the weights by 1 - p".
    x = [2.0, 4.0, -8.0]
    train = dropout(x=x, mask=[1, 0, 1], p=0.25, form="classic").answer["out"]
    evaluation = dropout(x=x, mask=None, p=0.25, mode="eval", form="classic").answer["out"]
    np.testing.assert_array_equal(train, [2.0, 0.0, -8.0])
    np.testing.assert_allclose(evaluation, [1.5, 3.0, -6.0])


def test_classic_keep_probability_given_as_p():
    out = dropout(x=[2.0, 4.0], mask=None, p=0.25, mode="eval", form="classic", p_meaning="keep")
    np.testing.assert_allclose(out.answer["out"], [0.5, 1.0])


def test_steps_and_error_carried_forward():
    sol = dropout(x=[1.0, 2.0, 3.0], mask=[1, 0, 1], p=0.2)
    assert sol.step("keep").value == pytest.approx(0.8)
    assert sol.step("scale").value == pytest.approx(1.25)
    # A student who wrote keep = 0.5 gets the rest worked from their value.
    ecf = dropout(x=[1.0, 2.0, 3.0], mask=[1, 0, 1], p=0.2, overrides={"keep": 0.5})
    np.testing.assert_allclose(ecf.answer["out"], [2.0, 0.0, 6.0])
    assert ecf.step("keep").given


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"x": [1.0, 2.0], "mask": [1, 0, 1], "p": 0.5}, "shape"),
        ({"x": [1.0, 2.0], "mask": [1, 0.5], "p": 0.5}, "mask"),
        ({"x": [1.0, float("nan")], "mask": [1, 1], "p": 0.5}, "NaN"),
        ({"x": [1.0], "mask": [1], "p": 1.5}, "probability"),
        ({"x": [1.0], "mask": [1], "p": 0.5, "form": "gaussian"}, "form"),
        ({"x": [1.0], "mask": [1], "p": 0.5, "mode": "test"}, "mode"),
        ({"x": [1.0], "mask": [1], "p": 0.5, "p_meaning": "retain"}, "p_meaning"),
        ({"x": [1.0], "mask": [0], "p": 1.0}, "keep probability"),
        ({"x": [1.0], "mask": None, "p": 0.5}, "mask"),
    ],
)
def test_dropout_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        dropout(**kwargs)


def _torch_penalty(theta: np.ndarray, fn) -> tuple[float, np.ndarray]:
    t = torch.tensor(theta, requires_grad=True)
    value = fn(t)
    value.backward()
    return value.item(), t.grad.numpy()


@pytest.mark.parametrize("half", [False, True])
def test_l2_penalty_matches_autograd(half):
    theta = np.array([[0.5, -1.5], [2.0, 0.0]])
    alpha = 0.3
    factor = alpha / 2 if half else alpha
    expected, grad = _torch_penalty(theta, lambda t: factor * (t**2).sum())
    sol = l2_penalty(theta=theta.tolist(), alpha=alpha, half=half)
    assert sol.answer["penalty"] == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(sol.answer["grad"], grad, rtol=1e-12)


def test_l1_penalty_matches_autograd_with_zero_subgradient():
    theta = np.array([1.5, 0.0, -0.25, 3.0])
    expected, grad = _torch_penalty(theta, lambda t: 0.1 * t.abs().sum())
    sol = l1_penalty(theta=theta, alpha=0.1)
    assert sol.answer["penalty"] == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(sol.answer["grad"], grad, rtol=1e-12)
    assert sol.answer["grad"][1] == 0.0


def test_l2_penalty_hand_example():
    sol = l2_penalty(theta=[3.0, 4.0], alpha=0.5)
    assert sol.answer["penalty"] == pytest.approx(12.5)  # 0.5 · 25
    np.testing.assert_allclose(sol.answer["grad"], [3.0, 4.0])  # 2 · 0.5 · θ


@pytest.mark.parametrize("fn", [l1_penalty, l2_penalty])
def test_penalty_bad_input(fn):
    with pytest.raises(ValueError, match="alpha"):
        fn(theta=[1.0], alpha=-0.1)
    with pytest.raises(ValueError, match="NaN"):
        fn(theta=[1.0, float("inf")], alpha=0.1)
