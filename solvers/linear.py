"""Linear classifiers: the sign rule, the SVM margin and support vectors, logistic regression."""

from __future__ import annotations

from typing import Any

import numpy as np

from solvers import validate
from solvers.registry import solver
from solvers.steps import Recorder, Solution

FORMS = ("plus", "minus")
# y(w·x + b) = 1 is checked up to rounding: inputs such as 0.1 are not exact in binary.
_SUPPORT_TOL = 1e-9


def _vectors(w: Any, x: Any) -> tuple[np.ndarray, np.ndarray]:
    wv = validate.array(w, "w", ndim=1)
    xv = validate.array(x, "x", ndim=1)
    validate.same_shape(w=wv, x=xv)
    return wv, xv


def sigmoid(z: float) -> float:
    """σ(z) = 1/(1+e^(-z)) without overflow for large |z|."""
    if z >= 0:
        return float(1.0 / (1.0 + np.exp(-z)))
    ez = np.exp(z)
    return float(ez / (1.0 + ez))


@solver("linear_classify")
def linear_classify(
    w: Any, x: Any, b: Any, form: str = "plus", overrides: dict[str, Any] | None = None
) -> Solution:
    """{score, label}: label = sign(w·x + b) (form "minus": sign(w·x - b)) as +1 / -1.

    A score of exactly 0 (a point on the boundary) is labelled +1.
    """
    wv, xv = _vectors(w, x)
    bias = validate.scalar(b, "b")
    form = validate.choice(form, "form", FORMS)
    rec = Recorder(overrides)
    dot = rec.step("dot", "dot product", "{w} · {x}", float(wv @ xv), w=wv, x=xv)
    template = "{dot} + {b}" if form == "plus" else "{dot} - {b}"
    score = rec.step("score", "score", template, dot + bias if form == "plus" else dot - bias,
                     dot=dot, b=bias)
    label = rec.note("label", "sign of the score (+1 when the score is ≥ 0)", 1 if score >= 0 else -1)
    return rec.solution(score=float(score), label=int(label))


MARGIN_FORMS = ("two_over_norm", "one_over_norm", "two_over_squared_norm")


@solver("svm_margin")
def svm_margin(w: Any, form: str = "two_over_norm", overrides: dict[str, Any] | None = None) -> Solution:
    """{margin}: the width 2/‖w‖ between the planes w·x + b = ±1.

    ``form`` names a mistake: "one_over_norm" (1/‖w‖, the distance to one plane only) or
    "two_over_squared_norm" (2/‖w‖², the square root forgotten).
    """
    wv = validate.array(w, "w", ndim=1)
    form = validate.choice(form, "form", MARGIN_FORMS)
    if not np.any(wv):
        raise ValueError("w: the zero vector has no margin (2/‖w‖ is undefined)")
    rec = Recorder(overrides)
    # A student writes ‖w‖² = Σ w² first, then its root.
    squared = rec.step("norm_sq", "squared length of w", "Σ {w}²", float(np.sum(wv**2)), w=wv)
    if form == "two_over_squared_norm":
        margin = rec.step("margin", "2 over the squared length (the root forgotten)", "2 / {norm_sq}",
                          2.0 / squared, norm_sq=squared)
        return rec.solution(margin=float(margin))
    norm = rec.step("norm", "length of w", "√{norm_sq}", float(np.sqrt(squared)), norm_sq=squared)
    if norm == 0:
        raise ValueError("norm: ‖w‖ = 0 gives no margin")
    top = 1.0 if form == "one_over_norm" else 2.0
    margin = rec.step("margin", "margin width", f"{top:g} / {{norm}}", top / norm, norm=norm)
    return rec.solution(margin=float(margin))


@solver("is_support_vector")
def is_support_vector(
    w: Any, b: Any, x: Any, y: Any, overrides: dict[str, Any] | None = None
) -> Solution:
    """{value, support}: value = y(w·x + b); a support vector has value 1 (it lies on its margin plane)."""
    wv, xv = _vectors(w, x)
    bias = validate.scalar(b, "b")
    label = validate.scalar(y, "y")
    if label not in (1.0, -1.0):
        raise ValueError(f"y must be +1 or -1, got {y}")
    rec = Recorder(overrides)
    score = rec.step("score", "score", "{w} · {x} + {b}", float(wv @ xv) + bias, w=wv, x=xv, b=bias)
    value = rec.step("value", "functional margin", "{y} · {score}", label * score, y=label, score=score)
    support = abs(value - 1.0) <= _SUPPORT_TOL * max(1.0, abs(value))
    support = rec.note("support", "support vector when y(w·x + b) = 1", bool(support))
    return rec.solution(value=float(value), support=bool(support))


@solver("logistic_regression")
def logistic_regression(w: Any, b: Any, x: Any, overrides: dict[str, Any] | None = None) -> Solution:
    """{z, p}: z = wᵀx + b and p(y=1|x) = σ(z)."""
    wv, xv = _vectors(w, x)
    bias = validate.scalar(b, "b")
    rec = Recorder(overrides)
    z = rec.step("z", "logit", "{w} · {x} + {b}", float(wv @ xv) + bias, w=wv, x=xv, b=bias)
    # What a student writes on the way to σ(z): e^(-z), then 1 + e^(-z) (inf far in the tail: p = 0).
    with np.errstate(over="ignore"):
        e = rec.step("exp_neg", "e^(-z)", "e^(-{z})", float(np.exp(-z)), z=z)
    denom = rec.step("denom", "1 + e^(-z)", "1 + {exp_neg}", 1.0 + e, exp_neg=e)
    given = any(n in rec.overrides for n in ("z", "exp_neg", "denom"))
    p = rec.step("p", "probability of class 1", "1 / {denom}", 1.0 / denom if given else sigmoid(z),
                 denom=denom)
    return rec.solution(z=float(z), p=float(p))
