"""Losses and their gradients against PyTorch float64 (and a NumPy CS231n loop for the hinge sum form)."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from solvers import registry
from solvers.losses import (
    binary_cross_entropy,
    binary_cross_entropy_prob,
    cross_entropy,
    hinge_loss,
    log_softmax,
    mse,
    softmax,
)

RNG = np.random.default_rng(7)
BIG = [1000.0, -1000.0, 999.0, 0.0]


def _close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=1e-10, atol=1e-300)


def _t(x):
    return torch.tensor(np.asarray(x, dtype=np.float64), requires_grad=True)


# ----- softmax ------------------------------------------------------------------------------

@pytest.mark.parametrize("logits", [[2.0, 1.0, 0.1], BIG, RNG.normal(size=(3, 4)).tolist()])
def test_softmax_and_log_softmax_match_torch(logits):
    t = torch.tensor(logits, dtype=torch.float64)
    probs = softmax(logits=logits).answer["probs"]
    log_probs = log_softmax(logits=logits).answer["log_probs"]
    _close(probs, torch.softmax(t, dim=-1).numpy())
    _close(log_probs, torch.log_softmax(t, dim=-1).numpy())
    assert np.all(np.isfinite(log_probs))


def test_softmax_carries_a_students_exponentials_forward():
    sol = softmax(logits=[0.0, 1.0], overrides={"exps": [1.0, 3.0]})
    _close(sol.answer["probs"], [0.25, 0.75])


# ----- cross-entropy -----------------------------------------------------------------------

@pytest.mark.parametrize(
    "logits, label",
    [([2.0, 1.0, 0.1], 0), ([-0.5, 3.2, 1.1, 0.0], 3), (BIG, 1), (BIG, 2)],
)
def test_cross_entropy_vector_matches_torch(logits, label):
    t = _t([logits])
    loss = F.cross_entropy(t, torch.tensor([label]))
    loss.backward()
    sol = cross_entropy(logits=logits, label=label)
    _close(sol.answer["loss"], loss.item())
    _close(sol.answer["grad"], t.grad.numpy()[0])
    assert math.isfinite(sol.answer["loss"])


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_cross_entropy_batch_matches_torch(reduction):
    logits = RNG.normal(scale=3.0, size=(5, 4))
    logits[2] = [1000.0, -1000.0, 500.0, 999.5]
    labels = [0, 3, 1, 2, 2]
    t = _t(logits)
    loss = F.cross_entropy(t, torch.tensor(labels), reduction=reduction)
    loss.backward()
    sol = cross_entropy(logits=logits, label=labels, reduction=reduction)
    _close(sol.answer["loss"], loss.item())
    _close(sol.answer["grad"], t.grad.numpy())


def test_cross_entropy_log_base_10_mistake():
    logits = [0.3, -1.2, 2.0]
    t = _t([logits])
    loss = F.cross_entropy(t, torch.tensor([1])) / math.log(10.0)
    loss.backward()
    sol = cross_entropy(logits=logits, label=1, log_base="10")
    _close(sol.answer["loss"], loss.item())
    _close(sol.answer["grad"], t.grad.numpy()[0])


def test_cross_entropy_steps_and_error_carried_forward():
    sol = cross_entropy(logits=[1.0, 2.0, 3.0], label=0, overrides={"probs": [0.5, 0.25, 0.25]})
    assert [s.name for s in sol.steps] == ["probs", "loss", "grad"]
    _close(sol.answer["loss"], math.log(2.0))
    _close(sol.answer["grad"], [-0.5, 0.25, 0.25])


# ----- binary cross-entropy ------------------------------------------------------------------

@pytest.mark.parametrize("z, y", [(0.3, 1.0), (-2.0, 0.0), (800.0, 0.0), (-800.0, 1.0), (1.5, 0.3)])
def test_bce_with_logits_matches_torch(z, y):
    t = _t(z)
    loss = F.binary_cross_entropy_with_logits(t, torch.tensor(y, dtype=torch.float64))
    loss.backward()
    sol = binary_cross_entropy(z=z, y=y)
    _close(sol.answer["loss"], loss.item())
    _close(sol.answer["grad"], t.grad.item())


def test_bce_with_logits_vector_takes_the_mean():
    z, y = [0.5, -1.0, 2.5], [1.0, 0.0, 0.0]
    t = _t(z)
    loss = F.binary_cross_entropy_with_logits(t, torch.tensor(y, dtype=torch.float64))
    loss.backward()
    sol = binary_cross_entropy(z=z, y=y)
    _close(sol.answer["loss"], loss.item())
    _close(sol.answer["grad"], t.grad.numpy())


def test_bce_with_logits_log_base_10():
    t = _t(0.7)
    loss = F.binary_cross_entropy_with_logits(t, torch.tensor(1.0, dtype=torch.float64)) / math.log(10.0)
    loss.backward()
    sol = binary_cross_entropy(z=0.7, y=1, log_base="10")
    _close(sol.answer["loss"], loss.item())
    _close(sol.answer["grad"], t.grad.item())


@pytest.mark.parametrize("p, y", [(0.3, 1.0), (0.9, 0.0), ([0.2, 0.6, 0.99], [0.0, 1.0, 1.0])])
def test_bce_of_a_probability_matches_torch(p, y):
    t = _t(p)
    loss = F.binary_cross_entropy(t, torch.tensor(y, dtype=torch.float64))
    loss.backward()
    sol = binary_cross_entropy_prob(p=p, y=y)
    _close(sol.answer["loss"], loss.item())
    _close(sol.answer["grad"], t.grad.numpy())


@pytest.mark.parametrize("p", [0.0, 1.0, -0.1, 1.5])
def test_bce_of_a_probability_refuses_p_outside_0_1(p):
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        binary_cross_entropy_prob(p=p, y=1.0)


# ----- hinge -------------------------------------------------------------------------------

def _cs231n_hinge(s, y, delta):
    """The CS231n loop, written out: loss and subgradient."""
    loss, grad = 0.0, np.zeros(len(s))
    for j in range(len(s)):
        if j == y:
            continue
        m = s[j] - s[y] + delta
        if m > 0:
            loss += m
            grad[j] += 1.0
            grad[y] -= 1.0
    return loss, grad


@pytest.mark.parametrize(
    "scores, label, margin",
    [([3.2, 5.1, -1.7], 0, 1.0), ([1.3, 4.9, 2.0], 1, 1.0), ([2.2, 2.5, -3.1], 2, 1.0),
     ([0.5, 0.4, 0.3, 2.0], 0, 2.0), ([2.0, 1.0, 0.0], 0, 1.0)],
)
def test_hinge_sum_form_matches_the_cs231n_loop(scores, label, margin):
    loss, grad = _cs231n_hinge(scores, label, margin)
    sol = hinge_loss(scores=scores, label=label, margin=margin)
    _close(sol.answer["loss"], loss)
    _close(sol.answer["grad"], grad)


def test_hinge_cs231n_worked_example():
    # CS231n's cat example: scores 3.2, 5.1, -1.7 for a cat: max(0, 2.9) + max(0, -3.9) = 2.9
    assert hinge_loss(scores=[3.2, 5.1, -1.7], label=0).answer["loss"] == pytest.approx(2.9, rel=1e-12)


@pytest.mark.parametrize(
    "scores, label, margin",
    [([3.2, 5.1, -1.7], 0, 1.0), ([0.5, 0.4, 0.3, 2.0], 0, 2.0), ([2.0, 1.0, 0.0], 0, 1.0)],
)
def test_hinge_mean_classes_matches_torch_multi_margin_loss(scores, label, margin):
    t = _t([scores])
    loss = F.multi_margin_loss(t, torch.tensor([label]), margin=margin)
    loss.backward()
    sol = hinge_loss(scores=scores, label=label, margin=margin, form="mean_classes")
    _close(sol.answer["loss"], loss.item())
    _close(sol.answer["grad"], t.grad.numpy()[0])


def test_a_margin_of_exactly_zero_contributes_nothing():
    # s_1 - s_0 + 1 = 0 exactly: no loss and no subgradient from class 1
    sol = hinge_loss(scores=[2.0, 1.0, -5.0], label=0)
    assert sol.answer["loss"] == 0.0
    np.testing.assert_array_equal(sol.answer["grad"], [0.0, 0.0, 0.0])


@pytest.mark.parametrize("delta_outside, added", [(True, 2 * 1.5), ("per_class", 2 * 1.5), ("once", 1.5)])
def test_hinge_delta_outside_mistake(delta_outside, added):
    s, y = np.array([3.2, 5.1, -1.7]), 0
    expected = sum(max(0.0, s[j] - s[y]) for j in (1, 2)) + added
    sol = hinge_loss(scores=s, label=y, margin=1.5, delta_outside=delta_outside)
    _close(sol.answer["loss"], expected)
    # Δ outside the max is a constant: only s_1 > s_0 sends a gradient
    _close(sol.answer["grad"], [-1.0, 1.0, 0.0])


def test_hinge_carries_a_students_margins_forward():
    sol = hinge_loss(scores=[3.2, 5.1, -1.7], label=0, overrides={"margins": [0.0, 2.9, 1.0]})
    _close(sol.answer["loss"], 3.9)
    _close(sol.answer["grad"], [-2.0, 1.0, 1.0])


# ----- MSE ---------------------------------------------------------------------------------

@pytest.mark.parametrize("pred, target", [(2.5, 1.0), ([1.0, 2.0, 3.0], [0.5, 2.5, 1.0]),
                                          (RNG.normal(size=6).tolist(), RNG.normal(size=6).tolist())])
def test_mse_matches_torch(pred, target):
    t = _t(pred)
    loss = F.mse_loss(t, torch.tensor(target, dtype=torch.float64))
    loss.backward()
    sol = mse(pred=pred, target=target)
    _close(sol.answer["loss"], loss.item())
    _close(sol.answer["grad"], t.grad.numpy())


def test_mse_drop_target_mistake_is_the_mean_of_the_squared_predictions():
    pred = [1.0, -2.0, 3.0]
    t = _t(pred)
    loss = F.mse_loss(t, torch.zeros(3, dtype=torch.float64))
    loss.backward()
    sol = mse(pred=pred, target=[5.0, 5.0, 5.0], drop_target=True)
    _close(sol.answer["loss"], loss.item())
    _close(sol.answer["grad"], t.grad.numpy())


def test_mse_carries_a_students_difference_forward():
    sol = mse(pred=[1.0, 2.0], target=[0.0, 0.0], overrides={"diff": [3.0, 1.0]})
    _close(sol.answer["loss"], 5.0)
    _close(sol.answer["grad"], [3.0, 1.0])


# ----- registry and bad input -------------------------------------------------------------

def test_registered_names():
    names = set(registry.names())
    assert {"softmax", "log_softmax", "cross_entropy", "binary_cross_entropy",
            "binary_cross_entropy_prob", "hinge_loss", "mse"} <= names


@pytest.mark.parametrize(
    "fn, kwargs, message",
    [
        (cross_entropy, {"logits": [1.0, 2.0], "label": 2}, "label 2 is out of range for 2 classes"),
        (cross_entropy, {"logits": [1.0, 2.0], "label": -1}, "out of range"),
        (cross_entropy, {"logits": [1.0, 2.0], "label": 0.5}, "whole number"),
        (cross_entropy, {"logits": [[1.0, 2.0], [0.0, 1.0]], "label": [0]}, "1 labels given for 2 rows"),
        (cross_entropy, {"logits": [[1.0, 2.0]], "label": [5]}, r"label\[0\] 5 is out of range"),
        (cross_entropy, {"logits": [1.0, float("nan")], "label": 0}, "logits: contains NaN"),
        (cross_entropy, {"logits": [1.0, 2.0], "label": 0, "reduction": "max"}, "unknown reduction"),
        (cross_entropy, {"logits": [1.0, 2.0], "label": 0, "log_base": "2"}, "unknown log_base"),
        (softmax, {"logits": [[[1.0]]]}, "logits: expected a vector or a matrix"),
        (hinge_loss, {"scores": [1.0, 2.0], "label": 0, "form": "ovr"}, "unknown form"),
        (hinge_loss, {"scores": [1.0, 2.0], "label": 3}, "out of range"),
        (hinge_loss, {"scores": [1.0, 2.0], "label": 0, "margin": -1}, "margin must be non-negative"),
        (hinge_loss, {"scores": [1.0, 2.0], "label": 0, "delta_outside": "twice"}, "unknown delta_outside"),
        (binary_cross_entropy, {"z": [0.1, 0.2], "y": [1.0]}, "mismatched shapes"),
        (binary_cross_entropy, {"z": 0.1, "y": 2.0}, r"y: binary targets must lie in \[0, 1\]"),
        (mse, {"pred": [1.0, 2.0], "target": [1.0, 2.0, 3.0]}, "mismatched shapes"),
        (mse, {"pred": [1.0, float("inf")], "target": [1.0, 2.0]}, "pred: contains NaN or infinite"),
    ],
)
def test_bad_input_is_a_value_error_naming_the_problem(fn, kwargs, message):
    with pytest.raises(ValueError, match=message):
        fn(**kwargs)


# ----- named mistakes (numbers by hand) ----------------------------------------------------

def test_softmax_mistakes_by_hand():
    close_ = np.testing.assert_allclose
    close_(softmax(logits=[1.0, 3.0], normalize="none").answer["probs"], np.exp([1.0, 3.0]))
    close_(softmax(logits=[1.0, 3.0], normalize="sum").answer["probs"], [0.25, 0.75])


def test_cross_entropy_with_the_predicted_class_or_scores_over_their_sum():
    sol = cross_entropy(logits=[1.0, 3.0], label=0, class_used="predicted")
    assert sol.answer["loss"] == pytest.approx(-math.log(math.exp(3) / (math.exp(1) + math.exp(3))))
    sol = cross_entropy(logits=[1.0, 3.0], label=0, normalize="sum")
    assert sol.answer["loss"] == pytest.approx(-math.log(0.25))
    np.testing.assert_allclose(sol.answer["grad"], [0.25 - 1, 0.75])


def test_bce_other_class_mistake():
    p = 1 / (1 + math.exp(-0.7))
    assert binary_cross_entropy(z=0.7, y=1, other_class=True).answer["loss"] == pytest.approx(-math.log(1 - p))


def test_mse_sum_and_per_example_gradient_mistakes():
    # differences [1, -3]: squares 1 and 9, sum 10, mean 5; gradient 2d/N = [1, -3], per example [2, -6].
    sol = mse(pred=[2.0, 0.0], target=[1.0, 3.0], reduction="sum")
    assert sol.answer["loss"] == pytest.approx(10.0)
    np.testing.assert_allclose(sol.answer["grad"], [2.0, -6.0])
    sol = mse(pred=[2.0, 0.0], target=[1.0, 3.0], per_example_gradient=True)
    assert sol.answer["loss"] == pytest.approx(5.0)
    np.testing.assert_allclose(sol.answer["grad"], [2.0, -6.0])
