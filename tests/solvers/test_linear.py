"""Linear classifier, SVM margin and support vectors by hand; logistic regression against torch."""

import warnings

import numpy as np
import pytest
import torch

from solvers.linear import is_support_vector, linear_classify, logistic_regression, svm_margin


@pytest.mark.parametrize(
    "b, form, score, label",
    [(0.5, "plus", 1.5, 1), (2.0, "plus", 3.0, 1), (2.0, "minus", -1.0, -1), (-1.0, "minus", 2.0, 1)],
)
def test_linear_classify_by_hand(b, form, score, label):
    # w·x = 1·3 + 2·(-1) = 1
    sol = linear_classify(w=[1, 2], x=[3, -1], b=b, form=form)
    assert sol.answer["score"] == pytest.approx(score)
    assert sol.answer["label"] == label
    assert isinstance(sol.answer["label"], int)


def test_point_on_the_boundary_is_labelled_plus_one():
    assert linear_classify(w=[1, -1], x=[2, 2], b=0).answer["label"] == 1


def test_svm_margin_by_hand():
    assert svm_margin(w=[3, 4]).answer["margin"] == pytest.approx(0.4)  # 2/5
    assert svm_margin(w=[1, 1]).answer["margin"] == pytest.approx(np.sqrt(2))  # 2/√2


@pytest.mark.parametrize(
    "x, y, value, support",
    [([2, 2], 1, 1.0, True), ([1, 1], -1, 1.0, True), ([3, 3], 1, 3.0, False), ([1, 1], 1, -1.0, False)],
)
def test_support_vectors_by_hand(x, y, value, support):
    # w·x + b = x1 + x2 - 3
    sol = is_support_vector(w=[1, 1], b=-3, x=x, y=y)
    assert sol.answer["value"] == pytest.approx(value)
    assert sol.answer["support"] is support


def test_support_vector_survives_rounding():
    # 0.1 + 0.2 + 0.7 is not exactly 1 in binary floating point.
    assert is_support_vector(w=[0.1, 0.2], b=0.7, x=[1, 1], y=1).answer["support"] is True


@pytest.mark.parametrize("b", [0.5, 800.0, -800.0])
def test_logistic_regression_matches_torch(b):
    w, x = np.array([1.0, 2.0, -0.5]), np.array([0.3, -1.2, 2.0])
    z = torch.tensor(w) @ torch.tensor(x) + b
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a naive e^800 would overflow with a warning
        sol = logistic_regression(w=w, b=b, x=x)
    assert sol.answer["z"] == pytest.approx(z.item(), rel=1e-12)
    assert sol.answer["p"] == pytest.approx(torch.sigmoid(z).item(), rel=1e-12, abs=1e-300)


def test_logistic_error_carried_forward():
    sol = logistic_regression(w=[1, 1], b=0, x=[1, 1], overrides={"z": 0.0})
    assert sol.answer["p"] == pytest.approx(0.5)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: linear_classify(w=[1, 2], x=[1, 2, 3], b=0), "shape"),
        (lambda: linear_classify(w=[1, 2], x=[1, 2], b=0, form="times"), "form"),
        (lambda: linear_classify(w=[1, float("nan")], x=[1, 2], b=0), "NaN"),
        (lambda: svm_margin(w=[0, 0]), "zero"),
        (lambda: is_support_vector(w=[1], b=0, x=[1], y=0), "y must"),
        (lambda: logistic_regression(w=[1, 2], b=float("inf"), x=[1, 2]), "NaN or infinite"),
        (lambda: logistic_regression(w=[[1, 2]], b=0, x=[1, 2]), "vector"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_margin_mistakes_by_hand():
    # w = [3, 4]: ‖w‖² = 25, ‖w‖ = 5; right 2/5, one plane 1/5, root forgotten 2/25.
    assert svm_margin([3, 4]).answer["margin"] == pytest.approx(0.4)
    assert svm_margin([3, 4], form="one_over_norm").answer["margin"] == pytest.approx(0.2)
    assert svm_margin([3, 4], form="two_over_squared_norm").answer["margin"] == pytest.approx(0.08)


def test_logistic_regression_carries_a_rounded_exponential_forward():
    sol = logistic_regression(w=[1.0], b=0.0, x=[1.0], overrides={"exp_neg": 0.368})
    assert sol.answer["p"] == pytest.approx(1 / 1.368)
