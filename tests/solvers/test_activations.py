"""Activation values and derivatives against PyTorch float64 autograd; the named mistakes by hand."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from solvers import registry
from solvers.activations import activation

XS = [-3.7, -1.2, -0.25, 0.0, 0.4, 1.0, 2.9, 30.0, -30.0]


def _torch(fn, alpha):
    return {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "leaky_relu": lambda t: F.leaky_relu(t, 0.01 if alpha is None else alpha),
        "elu": lambda t: F.elu(t, 1.0 if alpha is None else alpha),
        "softplus": F.softplus,
    }[fn]


def _value_and_grad(fn, xs):
    t = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
    out = fn(t)
    out.sum().backward()
    return out.detach().numpy(), t.grad.numpy()


def _close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=1e-10, atol=1e-300)


@pytest.mark.parametrize(
    "fn, alpha",
    [("sigmoid", None), ("tanh", None), ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2),
     ("elu", None), ("elu", 0.5), ("softplus", None)],
)
def test_value_and_derivative_match_torch(fn, alpha):
    sol = activation(fn=fn, x=XS, alpha=alpha)
    value, grad = _value_and_grad(_torch(fn, alpha), XS)
    _close(sol.answer["value"], value)
    _close(sol.answer["derivative"], grad)


@pytest.mark.parametrize("x", [-2.0, 0.0, 1.5])
def test_prelu_matches_torch_including_the_slope_gradient(x):
    t = torch.tensor([x], dtype=torch.float64, requires_grad=True)
    a = torch.tensor([0.25], dtype=torch.float64, requires_grad=True)
    out = F.prelu(t, a)
    out.backward()
    sol = activation(fn="prelu", x=x, alpha=0.25)
    _close(sol.answer["value"], out.item())
    _close(sol.answer["derivative"], t.grad.item())
    _close(sol.answer["derivative_alpha"], a.grad.item())


def test_prelu_slope_gradient_is_per_entry():
    sol = activation(fn="prelu", x=[-2.0, 3.0, -0.5], alpha=0.1)
    np.testing.assert_array_equal(sol.answer["derivative_alpha"], [-2.0, 0.0, -0.5])


@pytest.mark.parametrize(
    "fn, alpha, expected",
    [("relu", None, 0.0), ("leaky_relu", 0.2, 0.2), ("elu", 0.5, 0.5), ("sigmoid", None, 0.25)],
)
def test_derivative_at_exactly_zero(fn, alpha, expected):
    sol = activation(fn=fn, x=0.0, alpha=alpha)
    assert sol.answer["derivative"] == expected
    # and PyTorch agrees
    _, grad = _value_and_grad(_torch(fn, alpha), [0.0])
    assert grad[0] == expected


def test_scalar_input_gives_python_floats():
    sol = activation(fn="tanh", x=0.5)
    assert type(sol.answer["value"]) is float and type(sol.answer["derivative"]) is float


def test_sigmoid_sign_typo_is_sigmoid_of_minus_x():
    sol = activation(fn="sigmoid", x=XS, sigmoid_sign_typo=True)
    # 1/(1+e^x) = σ(-x); through torch.sigmoid both sides use σ(1-σ), which loses digits at x = -30
    value, grad = _value_and_grad(lambda t: torch.sigmoid(-t), XS)
    _close(sol.answer["value"], value)
    _close(sol.answer["derivative"], grad)


@pytest.mark.parametrize("fn, mistake", [("sigmoid", lambda x: x * (1 - x)), ("tanh", lambda x: 1 - x * x)])
def test_derivative_of_input_mistake(fn, mistake):
    xs = np.array([-0.8, 0.3, 2.0])
    sol = activation(fn=fn, x=xs, derivative_of_input=True)
    _close(sol.answer["derivative"], mistake(xs))


def test_grad_at_zero_only_changes_the_kink():
    sol = activation(fn="relu", x=[-1.0, 0.0, 2.0], grad_at_zero=1)
    np.testing.assert_array_equal(sol.answer["derivative"], [0.0, 1.0, 1.0])


def test_sigmoid_derivative_is_carried_forward_from_a_students_value():
    sol = activation(fn="sigmoid", x=1.0, overrides={"value": 0.6})
    assert sol.step("value").given
    assert sol.answer["derivative"] == pytest.approx(0.6 * 0.4, rel=1e-12)


def test_steps_show_the_formula_with_numbers():
    sol = activation(fn="leaky_relu", x=-2.0)
    assert sol.step("value").substituted == "(-2) if (-2) > 0 else 0.01 · (-2)"
    assert sol.step("derivative").formula == "1 if x > 0 else α"


def test_registered():
    sol = registry.solve("activation", fn="softplus", x=0.0)
    assert sol.answer["value"] == pytest.approx(np.log(2.0), rel=1e-12)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"fn": "swish", "x": 1.0}, "unknown fn"),
        ({"fn": "relu", "x": float("nan")}, "x: contains NaN"),
        ({"fn": "relu", "x": [1.0, float("inf")]}, "x: contains NaN or infinite"),
        ({"fn": "prelu", "x": 1.0}, "alpha"),
        ({"fn": "tanh", "x": 1.0, "sigmoid_sign_typo": True}, "sigmoid_sign_typo"),
        ({"fn": "relu", "x": 1.0, "derivative_of_input": True}, "derivative_of_input"),
        ({"fn": "tanh", "x": 1.0, "grad_at_zero": 1}, "grad_at_zero"),
    ],
)
def test_bad_input_is_a_value_error_naming_the_problem(kwargs, message):
    with pytest.raises(ValueError, match=message):
        activation(**kwargs)


def test_hand_work_steps_carry_a_students_rounded_exponential_forward():
    # σ(0.5) by hand: e^(-0.5) written as 0.607, then 1 + 0.607 = 1.607, σ = 1/1.607.
    sol = activation(fn="sigmoid", x=0.5, overrides={"exp_neg": 0.607})
    assert [s.name for s in sol.steps] == ["exp_neg", "denom", "value", "derivative"]
    _close(sol.answer["value"], 1 / 1.607)
    _close(sol.answer["derivative"], (1 / 1.607) * (1 - 1 / 1.607))


def test_one_minus_tanh_and_softplus_log10_mistakes():
    t = np.tanh(0.8)
    _close(activation(fn="tanh", x=0.8, one_minus_tanh=True).answer["derivative"], 1 - t)
    _close(activation(fn="softplus", x=0.8, log_base="10").answer["value"], np.log10(1 + np.exp(0.8)))
