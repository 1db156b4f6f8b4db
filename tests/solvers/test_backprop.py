"""Backprop solvers: the seeds' worked examples, and every gradient against PyTorch float64 autograd."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from solvers import registry
from solvers.backprop import backprop, mlp_2layer, residual_block, sigmoid_neuron


def _close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=1e-10, atol=1e-300)


def _torch_grads(fn, values):
    leaves = {k: torch.tensor(float(v), dtype=torch.float64, requires_grad=True) for k, v in values.items()}
    out = fn(**leaves)
    out.backward()
    return out.item(), {k: t.grad.item() for k, t in leaves.items()}


# ----- expressions ---------------------------------------------------------------------------

def test_seed_003_worked_example():
    # f = (x + y)z at x=-2, y=5, z=-4: q = 3, f = -12, ∂f/∂x = ∂f/∂y = z = -4, ∂f/∂z = q = 3
    sol = backprop(expr="(x + y) * z", values={"x": -2, "y": 5, "z": -4})
    assert sol.answer == {"value": -12.0, "grad_x": -4.0, "grad_y": -4.0, "grad_z": 3.0}
    values = sol.values()
    assert values["n1"] == 3.0 and values["grad_n1"] == -4.0 and values["grad_f"] == 1.0


def test_one_step_per_node_forward_then_backward():
    sol = backprop(expr="(x + y) * z", values={"x": -2, "y": 5, "z": -4})
    assert [s.name for s in sol.steps] == ["n1", "value", "grad_f", "grad_z", "grad_n1", "grad_y", "grad_x"]
    # the formula names the operation in the course's notation; the backward step shows
    # upstream · local derivative
    assert sol.step("n1").formula == "x + y"
    assert sol.step("value").formula == "n₁ · z"
    assert sol.step("grad_n1").formula == "∂f/∂f · z"
    assert sol.step("grad_n1").substituted == "1 · (-4)"


EXPRESSIONS = [
    ("x^2 + 3*x*y - log(y)/x", {"x": 1.5, "y": 2.0},
     lambda x, y: x**2 + 3 * x * y - torch.log(y) / x),
    ("sigmoid(w*x + b)", {"w": -0.7, "x": 2.0, "b": 0.3}, lambda w, x, b: torch.sigmoid(w * x + b)),
    ("tanh(x*y) + exp(-x) * sqrt(y)", {"x": 0.4, "y": 3.0},
     lambda x, y: torch.tanh(x * y) + torch.exp(-x) * torch.sqrt(y)),
    ("relu(x - y) * abs(z)", {"x": 2.5, "y": 1.0, "z": -3.0}, lambda x, y, z: torch.relu(x - y) * torch.abs(z)),
    ("max(x, y) * min(y, z)", {"x": 1.0, "y": 2.0, "z": 0.5},
     lambda x, y, z: torch.maximum(x, y) * torch.minimum(y, z)),
    ("max(x, y) + min(x, y)", {"x": 3.0, "y": 3.0}, lambda x, y: torch.maximum(x, y) + torch.minimum(x, y)),
    ("x^y", {"x": 1.7, "y": 2.5}, lambda x, y: x**y),
    ("log10(x) + 2^x - 1/x", {"x": 3.0}, lambda x: torch.log10(x) + 2**x - 1 / x),
    ("x*x*x - x", {"x": -1.2}, lambda x: x * x * x - x),
]


@pytest.mark.parametrize("expr, values, fn", EXPRESSIONS)
def test_expression_gradients_match_torch(expr, values, fn):
    value, grads = _torch_grads(fn, values)
    sol = backprop(expr=expr, values=values)
    _close(sol.answer["value"], value)
    for name, g in grads.items():
        _close(sol.answer[f"grad_{name}"], g)


def test_every_node_gets_a_value_and_a_gradient_step():
    sol = backprop(expr="x^2 + 3*x*y - log(y)/x", values={"x": 1.5, "y": 2.0})
    names = [s.name for s in sol.steps]
    forward = [n for n in names if not n.startswith("grad_")]
    assert forward == ["n1", "n2", "n3", "n4", "n5", "n6", "value"]
    assert sorted(n for n in names if n.startswith("grad_")) == sorted(
        ["grad_f", "grad_x", "grad_y"] + [f"grad_n{i}" for i in range(1, 7)])


def test_a_single_variable_expression():
    assert backprop(expr="x", values={"x": 3}).answer == {"value": 3.0, "grad_x": 1.0}


def test_a_students_node_value_is_carried_forward():
    # the student's q = x + y = 4 (not 3): f = 4 · (-4) = -16, ∂f/∂z = q = 4
    sol = backprop(expr="(x + y) * z", values={"x": -2, "y": 5, "z": -4}, overrides={"n1": 4})
    assert sol.step("n1").given
    assert sol.answer["value"] == -16.0 and sol.answer["grad_z"] == 4.0
    assert sol.answer["grad_x"] == -4.0


def test_a_students_node_value_is_pushed_through_later_operations():
    # x^3 + x at x = 2 with a student's x^3 = 5: f = 7; ∂f/∂x = 3x² + 1 = 13 is unchanged
    sol = backprop(expr="x^3 + x", values={"x": 2}, overrides={"n1": 5})
    assert sol.answer == {"value": 7.0, "grad_x": 13.0}


def test_a_students_gradient_flows_on_through_the_chain_rule():
    sol = backprop(expr="(x + y) * z", values={"x": -2, "y": 5, "z": -4}, overrides={"grad_n1": 10})
    assert sol.answer["grad_x"] == 10.0 and sol.answer["grad_y"] == 10.0
    assert sol.answer["grad_z"] == 3.0


def test_a_variable_named_like_a_node_is_kept_apart():
    sol = backprop(expr="(n1 + y) * n2", values={"n1": -2, "y": 5, "n2": -4})
    assert sol.answer == {"value": -12.0, "grad_n1": -4.0, "grad_y": -4.0, "grad_n2": 3.0}


# ----- the sigmoid neuron (seed 003 / CS231n) -----------------------------------------------

NEURON = {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}


def _neuron_torch(w0, x0, w1, x1, w2):
    return torch.sigmoid(w0 * x0 + w1 * x1 + w2)


@pytest.mark.parametrize("decompose", [False, True])
def test_cs231n_sigmoid_neuron(decompose):
    sol = sigmoid_neuron(**NEURON, decompose=decompose)
    # the numbers CS231n's figure shows, to two decimals
    shown = {"value": 0.73, "grad_w0": -0.20, "grad_x0": 0.39, "grad_w1": -0.39, "grad_x1": -0.59,
             "grad_w2": 0.20}
    for key, v in shown.items():
        assert round(sol.answer[key], 2) == v
    value, grads = _torch_grads(_neuron_torch, NEURON)
    _close(sol.answer["value"], value)
    for name, g in grads.items():
        _close(sol.answer[f"grad_{name}"], g)


def test_decomposed_neuron_has_the_cs231n_gates():
    sol = sigmoid_neuron(**NEURON, decompose=True)
    values = sol.values()
    _close(values["n5"], math.exp(-1.0))  # e^(-s) with s = 1
    _close(values["grad_n6"], -1 / (1 + math.exp(-1.0)) ** 2)  # through 1/x: -1/x²


@pytest.mark.parametrize("decompose", [False, True])
def test_neuron_forgetting_the_sigmoid_derivative(decompose):
    # without σ'(s) the gradients are those of s = w0x0 + w1x1 + w2
    sol = sigmoid_neuron(**NEURON, decompose=decompose, drop_activation_grad=True)
    assert sol.answer["grad_w0"] == NEURON["x0"] and sol.answer["grad_x0"] == NEURON["w0"]
    assert sol.answer["grad_w1"] == NEURON["x1"] and sol.answer["grad_x1"] == NEURON["w1"]
    assert sol.answer["grad_w2"] == 1.0


def test_neuron_carries_a_students_s_forward():
    sol = sigmoid_neuron(**NEURON, overrides={"s": 0.0})
    assert sol.answer["value"] == 0.5
    _close(sol.answer["grad_w0"], 0.25 * NEURON["x0"])


# ----- the residual block -----------------------------------------------------------------

@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu"])
@pytest.mark.parametrize("x, upstream", [(0.5, 1.0), (-0.8, 2.5)])
def test_residual_block_matches_torch(activation, x, upstream):
    act = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
           "leaky_relu": lambda t: F.leaky_relu(t, 0.01)}[activation]
    params = {"x": x, "w1": 2.0, "b1": -0.3, "w2": -1.5}
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    f = t["w2"] * act(t["w1"] * t["x"] + t["b1"])
    y = t["x"] + f
    (df_dx,) = torch.autograd.grad(f, t["x"], retain_graph=True)
    y.backward(torch.tensor(upstream, dtype=torch.float64))

    sol = residual_block(**params, upstream=upstream, activation=activation)
    _close(sol.answer["y"], y.item())
    _close(sol.answer["F"], f.item())
    _close(sol.answer["dF_dx"], df_dx.item())
    for name in params:
        _close(sol.answer[f"grad_{name}"], t[name].grad.item())
    # the conventions' form: ∂L/∂x = ∂L/∂y · (1 + F'(x))
    _close(sol.answer["grad_x"], upstream * (1 + df_dx.item()))


def test_residual_block_forgetting_the_skip_path():
    sol = residual_block(x=0.5, w1=2.0, b1=-0.3, w2=-1.5, upstream=2.0, drop_skip=True)
    # F'(x) = w2 · relu'(0.7) · w1 = -3; without the identity: 2 · (-3)
    assert sol.answer["grad_x"] == -6.0
    assert residual_block(x=0.5, w1=2.0, b1=-0.3, w2=-1.5, upstream=2.0).answer["grad_x"] == -4.0


# ----- the two-layer MLP ------------------------------------------------------------------

RNG = np.random.default_rng(3)
X = RNG.normal(size=3)
W1 = RNG.normal(size=(4, 3))
B1 = RNG.normal(size=4)


def _mlp_torch(activation, loss, W2, b2, y, straight_through=False):
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
         for k, v in {"x": X, "W1": W1, "b1": B1, "W2": W2, "b2": b2}.items()}
    act = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
           "leaky_relu": lambda z: F.leaky_relu(z, 0.01), "elu": F.elu}[activation]
    z1 = t["W1"] @ t["x"] + t["b1"]
    # straight-through: the value of act(z1), the gradient of the identity
    h = z1 + (act(z1) - z1).detach() if straight_through else act(z1)
    out = t["W2"] @ h + t["b2"]
    if loss == "mse":
        value = F.mse_loss(out, torch.tensor(y, dtype=torch.float64))
    elif loss == "cross_entropy":
        value = F.cross_entropy(out[None], torch.tensor([y]))
    else:
        value = F.binary_cross_entropy_with_logits(out, torch.tensor(float(y), dtype=torch.float64))
    value.backward()
    return h.detach().numpy(), out.detach().numpy(), value.item(), {k: v.grad.numpy() for k, v in t.items()}


MLP_CASES = [
    ("relu", "mse", RNG.normal(size=(2, 4)), RNG.normal(size=2), [0.5, -1.0]),
    ("tanh", "mse", RNG.normal(size=4), 0.3, 1.2),
    ("sigmoid", "cross_entropy", RNG.normal(size=(3, 4)), RNG.normal(size=3), 2),
    ("leaky_relu", "cross_entropy", RNG.normal(size=(3, 4)), RNG.normal(size=3), 0),
    ("elu", "bce", RNG.normal(size=4), -0.2, 1.0),
]


@pytest.mark.parametrize("drop", [False, True])
@pytest.mark.parametrize("activation, loss, W2, b2, y", MLP_CASES)
def test_mlp_matches_torch(activation, loss, W2, b2, y, drop):
    h, out, value, grads = _mlp_torch(activation, loss, W2, b2, y, straight_through=drop)
    sol = mlp_2layer(x=X, W1=W1, b1=B1, W2=W2, b2=b2, y=y, activation=activation, loss=loss,
                     drop_activation_grad=drop)
    _close(sol.answer["h"], h)
    _close(sol.answer["out"], out)
    _close(sol.answer["loss"], value)
    for ours, theirs in (("dW1", "W1"), ("db1", "b1"), ("dW2", "W2"), ("db2", "b2"), ("dx", "x")):
        _close(sol.answer[ours], grads[theirs])


def test_mlp_steps_follow_the_layers():
    sol = mlp_2layer(x=X, W1=W1, b1=B1, W2=MLP_CASES[0][2], b2=MLP_CASES[0][3], y=[0.5, -1.0])
    assert [s.name for s in sol.steps] == ["z1", "h", "out", "loss", "dout", "dW2", "db2", "dh", "dz1",
                                           "dW1", "db1", "dx"]
    assert isinstance(sol.answer["loss"], float) and sol.answer["dW1"].shape == (4, 3)


def test_mlp_carries_a_students_hidden_layer_forward():
    W2, b2 = np.array([1.0, -2.0]), 0.5
    sol = mlp_2layer(x=[1.0], W1=[[1.0], [1.0]], b1=[0.0, 0.0], W2=W2, b2=b2, y=0.0,
                     overrides={"h": [1.0, 1.0]})
    # out = 1 - 2 + 0.5 = -0.5 from the student's h; loss = 0.25; dW2 = 2·out·h = [-1, -1]
    assert sol.answer["out"] == -0.5 and sol.answer["loss"] == 0.25
    _close(sol.answer["dW2"], [-1.0, -1.0])


# ----- registry and bad input -------------------------------------------------------------

def test_registered_names():
    assert {"backprop", "sigmoid_neuron", "residual_block", "mlp_2layer"} <= set(registry.names())


@pytest.mark.parametrize(
    "fn, kwargs, message",
    [
        (backprop, {"expr": "x * q", "values": {"x": 1.0}}, "unknown name 'q'"),
        (backprop, {"expr": "x * 2", "values": {"x": 1.0, "w": 2.0}}, "values: w not used"),
        (backprop, {"expr": "x * 2", "values": {"x": float("nan")}}, "x: contains NaN"),
        (backprop, {"expr": 3, "values": {}}, "expr: expected the expression as text"),
        (backprop, {"expr": "log(x)", "values": {"x": -1.0}}, "log needs a positive number"),
        (backprop, {"expr": "x +", "values": {"x": 1.0}}, "unexpected end of input"),
        (sigmoid_neuron, {**NEURON, "w2": float("inf")}, "w2: contains NaN"),
        (residual_block, {"x": 1, "w1": 1, "b1": 0, "w2": 1, "activation": "swish"}, "unknown activation"),
        (mlp_2layer, {"x": [1.0, 2.0], "W1": [[1.0, 2.0, 3.0]], "b1": [0.0], "W2": [1.0], "b2": 0.0, "y": 1.0},
         "W1 has 3 columns but x has 2 entries"),
        (mlp_2layer, {"x": [1.0], "W1": [[1.0]], "b1": [0.0, 1.0], "W2": [1.0], "b2": 0.0, "y": 1.0},
         "b1 has 2 entries but W1 has 1 rows"),
        (mlp_2layer, {"x": [1.0], "W1": [[1.0]], "b1": [0.0], "W2": [1.0], "b2": 0.0, "y": 1.0, "loss": "l1"},
         "unknown loss"),
        (mlp_2layer, {"x": [1.0], "W1": [[1.0]], "b1": [0.0], "W2": [[1.0], [2.0]], "b2": [0.0, 0.0], "y": 2,
                      "loss": "cross_entropy"}, "y 2 is out of range for 2 classes"),
        (mlp_2layer, {"x": [1.0], "W1": [[1.0]], "b1": [0.0], "W2": [[1.0], [2.0]], "b2": [0.0, 0.0],
                      "y": [1.0], "loss": "mse"}, "mismatched shapes"),
    ],
)
def test_bad_input_is_a_value_error_naming_the_problem(fn, kwargs, message):
    with pytest.raises(ValueError, match=message):
        fn(**kwargs)


# ----- the graph a solution carries -------------------------------------------------------------

def test_graph_solvers_give_the_graph_their_steps_were_worked_on():
    """Seed 003's (x + y)·z: the records are the solver's nodes, with PyTorch's gradients."""
    sol = backprop("(x + y) * z", {"x": -2.0, "y": 5.0, "z": -4.0})
    by_name = {r.name: r for r in sol.graph}
    assert [r.name for r in sol.graph] == ["x", "y", "n1", "z", "f"]
    assert {f"grad_{r.name}" for r in sol.graph} <= {s.name for s in sol.steps}  # one step per node
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in (("x", -2.0), ("y", 5.0),
                                                                                  ("z", -4.0))}
    ((t["x"] + t["y"]) * t["z"]).backward()
    for k in "xyz":
        assert by_name[k].op == "input" and by_name[k].upstream == t[k].grad.item()
    assert (by_name["f"].op, by_name["f"].value, by_name["f"].upstream) == ("*", -12.0, 1.0)
    neuron = sigmoid_neuron(w0=2.0, x0=-1.0, w1=-3.0, x1=-2.0, w2=-3.0, decompose=True)
    assert [r.op for r in neuron.graph].count("const") == 2  # the two 1s of 1 / (1 + e^(-s))
    assert neuron.graph[-1].name == "f" and residual_block(x=1.0, w1=2.0, b1=0.5, w2=-1.0).graph[-1].name == "y"


def test_other_solvers_carry_no_graph():
    assert mlp_2layer(x=[1.0], W1=[[1.0]], b1=[0.0], W2=[1.0], b2=0.0, y=1.0).graph == ()
