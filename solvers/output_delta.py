"""Output-layer deltas: where backprop starts (issue 14, item 4).

δ = ∂E/∂s, the loss's derivative with respect to the output layer's pre-activations s, and the
gradient of the output weights ∂E/∂W = δ·hᵀ for the hidden activations h feeding them.
- sigmoid outputs, E = ½Σ(y - t)²: δ = (y - t)·σ'(s) = (y - t)·y(1 - y);
- softmax outputs, cross-entropy E = -log p_label: the shortcut δ = p - onehot(label).
The sign trap (t - y), common in texts that write the *negative* gradient, is a named mistake:
the ``error`` option recomputes it, the same way other solvers take their mistakes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from solvers.losses import _softmax_steps, class_index
from solvers.registry import solver
from solvers.steps import Recorder, Solution
from solvers.validate import array, choice, same_shape

ERRORS = ("y - t", "t - y")  # the right error term, and the sign trap
LOSSES = ("half-squared", "squared", "cross-entropy")  # what a sigmoid output's delta is taken of


def _error(rec: Recorder, y: Any, t: np.ndarray, error: str) -> Any:
    if error == "t - y":
        return rec.step("err", "output error", "{t} - {y}", t - y, t=t, y=y)
    return rec.step("err", "output error", "{y} - {t}", y - t, y=y, t=t)


def _weights_gradient(rec: Recorder, delta: Any, h: np.ndarray) -> Any:
    return rec.step("grad_W", "gradient of the output weights (row i: δ_i times h)", "{δ}·{h}ᵀ",
                    np.outer(delta, h), h=h, **{"δ": delta})


@solver("output_delta_sigmoid")
def output_delta_sigmoid(s: Any, t: Any, h: Any, loss: str = "half-squared", error: str = "y - t",
                         overrides: Mapping[str, Any] | None = None) -> Solution:
    """Sigmoid outputs y = σ(s) -> {y, delta, grad_W}; steps y, dsig, err, delta, grad_W.

    ``loss``: "half-squared" (E = ½Σ(y - t)², the default), "squared" (no ½: δ doubles) or
    "cross-entropy" (the shortcut δ = y - t, σ' cancelled); ``error``: "t - y" is the sign trap.
    """
    s, t, h = array(s, "s", ndim=1), array(t, "t", ndim=1), array(h, "h", ndim=1)
    same_shape(s=s, t=t)
    loss, error = choice(loss, "loss", LOSSES), choice(error, "error", ERRORS)
    rec = Recorder(overrides)
    y = rec.step("y", "outputs", "σ({s}) = 1/(1 + e^(-{s}))", 1 / (1 + np.exp(-s)), s=s)
    err = _error(rec, y, t, error)
    if loss == "cross-entropy":  # σ'(s) cancels against the log: δ is the error itself
        delta = rec.step("delta", "output deltas (cross-entropy cancels σ')", "{e}", err, e=err)
    else:
        dsig = rec.step("dsig", "sigmoid derivative at s", "{y}·(1 - {y})", y * (1 - y), y=y)
        factor = 2.0 if loss == "squared" else 1.0
        formula = "2·{e}·{σʹ}" if loss == "squared" else "{e}·{σʹ}"
        delta = rec.step("delta", "output deltas", formula, factor * err * dsig, e=err, **{"σʹ": dsig})
    grad_w = _weights_gradient(rec, delta, h)
    return rec.solution(y=np.asarray(y, dtype=np.float64), delta=np.asarray(delta, dtype=np.float64),
                        grad_W=np.asarray(grad_w, dtype=np.float64))


@solver("output_delta_softmax")
def output_delta_softmax(s: Any, label: Any, h: Any, error: str = "y - t",
                         overrides: Mapping[str, Any] | None = None) -> Solution:
    """Softmax outputs with cross-entropy -> {probs, delta, grad_W}: δ = p - onehot(label)."""
    s, h = array(s, "s", ndim=1), array(h, "h", ndim=1)
    label = class_index(label, s.size)
    error = choice(error, "error", ERRORS)
    rec = Recorder(overrides)
    probs = np.asarray(_softmax_steps(rec, s), dtype=np.float64)
    onehot = np.eye(s.size)[label]
    if error == "t - y":
        delta = rec.step("delta", "output deltas", "onehot - {p}", onehot - probs, p=probs)
    else:
        delta = rec.step("delta", "output deltas (softmax with cross-entropy)", "{p} - onehot",
                         probs - onehot, p=probs)
    grad_w = _weights_gradient(rec, delta, h)
    return rec.solution(probs=probs, delta=np.asarray(delta, dtype=np.float64),
                        grad_W=np.asarray(grad_w, dtype=np.float64))
