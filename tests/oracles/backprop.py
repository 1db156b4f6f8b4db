"""Activations, computational graphs and the 2-layer MLP by hand (conventions.md, "Activations",
"Backprop"): every node of the graph written down forwards, every local gradient backwards."""

from __future__ import annotations

import math

import numpy as np

from tests.oracles.base import arr, honest, identity, mistake, mistakes

# -- activations -------------------------------------------------------------------------------


def _activation(fn, x, r=identity):
    """(f(x), f'(x)) the way a student works each function, from the values they write down."""
    if fn == "sigmoid":
        s = r(1.0 / (1.0 + r(math.exp(-x))))
        return s, s * (1 - s)
    if fn == "tanh":
        t = r(math.tanh(x))
        return t, 1 - t**2
    if fn in ("relu", "leaky_relu"):
        a = 0.0 if fn == "relu" else 0.01
        return (x, 1.0) if x > 0 else (a * x, a)
    if fn == "elu":
        if x > 0:
            return x, 1.0
        e = r(math.exp(x))
        return e - 1, e
    if fn == "softplus":
        e = r(math.exp(x))
        return math.log(1 + e), r(1.0 / (1.0 + r(math.exp(-x))))
    raise ValueError(fn)


@honest("activation")
def activation(p, r):
    value, derivative = _activation(p["fn"], p["x"], r)
    return {"value": value, "derivative": derivative}


@mistakes("activation")
def activation_mistakes(p):
    fn, x = p["fn"], p["x"]
    value, _ = _activation(fn, x)
    out = {"value-for-derivative": mistake(derivative=value)}
    if fn == "sigmoid":
        typo = 1.0 / (1.0 + math.exp(x))  # the 1/(1+e^x) sign typo, worked through
        out["sigmoid-sign-typo"] = mistake(value=typo, derivative=typo * (1 - typo))
    if fn == "tanh":
        out["one-minus-tanh"] = mistake(derivative=1 - value)
    if fn == "relu" and x == 0:
        out["relu-derivative-one-at-zero"] = mistake(derivative=1.0)
    if fn == "leaky_relu" and x < 0:
        out["leak-forgotten"] = mistake(value=0.0, derivative=0.0)
    if fn == "softplus":
        out["log-base-10"] = mistake(value=math.log10(1 + math.exp(x)))
    return out


@honest("prelu")
def prelu(p, r):
    x, a = p["x"], p["alpha"]
    if x > 0:
        return {"value": x, "derivative": 1.0, "derivative_alpha": 0.0}
    return {"value": a * x, "derivative": a, "derivative_alpha": x}


@mistakes("prelu")
def prelu_mistakes(p):
    x, a = p["x"], p["alpha"]
    right = prelu(p, identity)
    out = {"slope-for-alpha-derivative": mistake(derivative_alpha=right["derivative"])}
    if x < 0:
        out["alpha-treated-as-constant"] = mistake(derivative_alpha=0.0)
    else:
        out["negative-branch-used"] = mistake(value=a * x, derivative=a, derivative_alpha=x)
    return out


# -- computational graphs ----------------------------------------------------------------------


@honest("backprop-sum-product")
def sum_product(p, r):
    q = p["x"] + p["y"]
    return {"value": q * p["z"], "grad_x": p["z"], "grad_y": p["z"], "grad_z": q}


@mistakes("backprop-sum-product")
def sum_product_mistakes(p):
    q, z = p["x"] + p["y"], p["z"]
    return {
        "gate-inputs-not-swapped": mistake(grad_x=q, grad_y=q, grad_z=z),
        "add-gate-splits-gradient": mistake(grad_x=z / 2, grad_y=z / 2),
    }


def _paths(graph, x, y, z):
    """f and, per variable, the gradient along each path that reaches it (in the formula's order)."""
    if graph == "x*y + x*z":
        return x * y + x * z, {"x": [y, z], "y": [x], "z": [x]}
    if graph == "(x + y)*(x - z)":
        a, b = x + y, x - z
        return a * b, {"x": [b, a], "y": [b], "z": [-a]}
    if graph == "x*y*z + x":
        return x * y * z + x, {"x": [y * z, 1], "y": [x * z], "z": [x * y]}
    if graph == "max(x, y)*z":
        return max(x, y) * z, {"x": [z if x > y else 0], "y": [z if y > x else 0], "z": [max(x, y)]}
    if graph == "(x*y + z)^2":
        u = x * y + z
        return u * u, {"x": [2 * u * y], "y": [2 * u * x], "z": [2 * u]}
    if graph == "x*y + y*z + z*x":
        return x * y + y * z + z * x, {"x": [y, z], "y": [x, z], "z": [y, x]}
    raise ValueError(graph)


@honest("backprop-graphs")
def graphs(p, r):
    value, paths = _paths(p["expr"], p["x"], p["y"], p["z"])
    return {"value": value, **{f"grad_{v}": sum(ps) for v, ps in paths.items()}}


@mistakes("backprop-graphs")
def graphs_mistakes(p):
    expr, x, y, z = p["expr"], p["x"], p["y"], p["z"]
    _, paths = _paths(expr, x, y, z)
    shared = {f"grad_{v}": ps for v, ps in paths.items() if len(ps) > 1}
    out = {}
    if shared:
        out["first-path-only"] = mistake(**{k: ps[0] for k, ps in shared.items()})
        out["last-path-only"] = mistake(**{k: ps[-1] for k, ps in shared.items()})
    if expr == "(x*y + z)^2":
        u = x * y + z
        out["inner-derivative-forgotten"] = mistake(grad_x=2 * u, grad_y=2 * u)
        out["outer-derivative-forgotten"] = mistake(grad_x=y, grad_y=x, grad_z=1)
    if expr == "max(x, y)*z":
        out["max-routes-to-both"] = mistake(grad_x=z, grad_y=z)
    return out


@honest("backprop-residual")
def residual(p, r):
    x, w1, b1, w2, up = p["x"], p["w1"], p["b1"], p["w2"], p["upstream"]
    z = w1 * x + b1
    relu_grad = 1.0 if z > 0 else 0.0
    dF = r(w2 * relu_grad * w1)
    return {"y": x + w2 * max(z, 0), "dF_dx": dF, "grad_x": up * r(1 + dF)}


@mistakes("backprop-residual")
def residual_mistakes(p):
    up, w1, w2 = p["upstream"], p["w1"], p["w2"]
    right = residual(p, identity)
    return {
        "skip-path-forgotten": mistake(grad_x=up * right["dF_dx"]),
        "inner-derivative-forgotten": mistake(dF_dx=w2, grad_x=up * (1 + w2)),
        "upstream-gradient-forgotten": mistake(grad_x=1 + w1 * w2),
    }


def _neuron(p, r=identity):
    s = p["w0"] * p["x0"] + p["w1"] * p["x1"] + p["w2"]
    f = r(1.0 / (1.0 + r(math.exp(-s))))
    return f, r(f * (1 - f))


def _neuron_grads(p, ds):
    return {"grad_w0": ds * p["x0"], "grad_x0": ds * p["w0"], "grad_w1": ds * p["x1"],
            "grad_x1": ds * p["w1"], "grad_w2": ds}


@honest("backprop-sigmoid-neuron")
def sigmoid_neuron(p, r):
    f, ds = _neuron(p, r)
    return {"value": f, **_neuron_grads(p, ds)}


@mistakes("backprop-sigmoid-neuron")
def sigmoid_neuron_mistakes(p):
    f, ds = _neuron(p)
    swapped = {"grad_w0": ds * p["w0"], "grad_x0": ds * p["x0"], "grad_w1": ds * p["w1"], "grad_x1": ds * p["x1"]}
    return {
        "sigmoid-derivative-forgotten": mistake(**_neuron_grads(p, 1.0)),
        "sigmoid-for-its-derivative": mistake(**_neuron_grads(p, f)),
        "weights-and-inputs-swapped": mistake(**swapped),
    }


# -- 2-layer MLP ---------------------------------------------------------------------------------


def _mlp(p, r=identity, factor=2.0, mask=True, transpose=False):
    x, W1, b1, w2 = arr(p["x"]), arr(p["W1"]), arr(p["b1"]), arr(p["W2"])
    z1 = r(W1 @ x + b1)
    h = r(np.maximum(z1, 0))
    out = r(float(w2 @ h + p["b2"]))
    dout = r(factor * (out - p["y"]))
    dz = r(dout * w2 * ((z1 > 0) if mask else 1.0))
    dW1 = np.outer(x, dz) if transpose else np.outer(dz, x)
    return {"h": h, "out": out, "loss": (out - p["y"]) ** 2, "dW2": dout * h, "dW1": dW1}


@honest("mlp-2layer")
def mlp(p, r):
    return _mlp(p, r)


@mistakes("mlp-2layer")
def mlp_mistakes(p):
    no2 = _mlp(p, factor=1.0)
    return {
        "dw1-transposed": mistake(dW1=_mlp(p, transpose=True)["dW1"]),
        "relu-derivative-forgotten": mistake(dW1=_mlp(p, mask=False)["dW1"]),
        "loss-derivative-without-2": mistake(dW2=no2["dW2"], dW1=no2["dW1"]),
    }
