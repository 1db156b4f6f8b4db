"""Softmax, cross-entropy, binary cross-entropy, multiclass hinge and MSE on the autograd core.

Every loss is built as a Tensor expression and its gradient is what ``backward()`` leaves on the
input; the step formulas are the conventions'. Natural log everywhere; ``log_base="10"`` is the
log-base-10 mistake (the loss and its gradient divided by ln 10). Cross-entropy goes through
log-softmax, so log(0) never appears and logits of 1000 are fine.

Error carried forward: when a student's earlier value replaces a step (``overrides``), the later
steps are recomputed from it with the step's own formula, since the core's graph only knows the
correct values.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from solvers import validate
from solvers.registry import solver
from solvers.steps import Recorder, Solution
from solvers.tensor import Tensor

REDUCTIONS = ("mean", "sum")
LOG_BASES = ("e", "10")
HINGE_FORMS = ("sum", "mean_classes")
# delta_outside=True means "per_class": Σ_{j≠y} [max(0, s_j - s_y) + Δ], i.e. (C-1)Δ added.
DELTA_OUTSIDE = ("per_class", "once")
_LN10 = math.log(10.0)


# ----- input checks -----------------------------------------------------------------------

def class_index(value: Any, n_classes: int, name: str = "label") -> int:
    """A class label: a whole number in [0, n_classes)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name}: a class label must be a whole number, got {value!r}")
    if not math.isfinite(value) or float(value) != int(value):
        raise ValueError(f"{name}: a class label must be a whole number, got {value!r}")
    index = int(value)
    if not 0 <= index < n_classes:
        raise ValueError(f"{name} {index} is out of range for {n_classes} classes (0 to {n_classes - 1})")
    return index


def _logits_and_labels(logits: Any, label: Any) -> tuple[np.ndarray, Any]:
    """(logits as a vector or N×C matrix, an int label or an intp array of N labels)."""
    f = validate.array(logits, "logits")
    if f.ndim not in (1, 2) or f.shape[-1] < 2:
        raise ValueError(f"logits: expected a vector of ≥ 2 classes or an N×C matrix, got shape {f.shape}")
    if f.ndim == 1:
        return f, class_index(label, f.shape[0])
    labels = list(label) if isinstance(label, (list, tuple, np.ndarray)) else [label]
    if len(labels) != f.shape[0]:
        raise ValueError(f"label: {len(labels)} labels given for {f.shape[0]} rows of logits")
    n = f.shape[1]
    return f, np.array([class_index(v, n, f"label[{i}]") for i, v in enumerate(labels)], dtype=np.intp)


def _log_base(log_base: Any) -> str:
    return validate.choice(str(log_base), "log_base", LOG_BASES)


def _probability_target(y: Any, like: np.ndarray) -> np.ndarray:
    target = validate.array(y, "y")
    validate.same_shape(prediction=like, y=target)
    if np.any((target < 0) | (target > 1)):
        raise ValueError("y: binary targets must lie in [0, 1]")
    return target


def _number(arr: Any) -> Any:
    arr = np.asarray(arr, dtype=np.float64)
    return float(arr) if arr.ndim == 0 else arr


def _given(rec: Recorder, *names: str) -> bool:
    return any(n in rec.overrides for n in names)


# ----- softmax ----------------------------------------------------------------------------

def _softmax_input(logits: Any) -> np.ndarray:
    f = validate.array(logits, "logits")
    if f.ndim not in (1, 2) or f.size == 0:
        raise ValueError(f"logits: expected a vector or a matrix (one row per example), got shape {f.shape}")
    return f


def _shift(rec: Recorder, f: np.ndarray) -> Any:
    # Subtracting the max changes no probability and keeps e^f finite for logits of 1000.
    shifted = Tensor(f) - np.max(f, axis=-1, keepdims=True)
    return rec.step("shifted", "logits minus their max", "{f} - max {f}", shifted.data, f=f)


SOFTMAX_FORMS = ("exp", "none", "sum")
# A student writes e^(f_j) as it is; only logits this large (or this small) are shifted by their
# max first, so that e^f stays finite (logits of 1000 must work) and the working stays the student's.
_SHIFT_ABOVE = 30.0


def _per_row(f: np.ndarray) -> str:
    """The "(one per row)" note for a matrix of logits; a single row has just the one sum."""
    return " (one per row)" if f.ndim > 1 else ""


def _softmax_steps(rec: Recorder, f: np.ndarray, normalize: str = "exp") -> Any:
    """Record the softmax as a student works it: each e^(f_j), their sum, each ratio.

    ``normalize`` names a mistake: "none" leaves the exponentials unnormalized, "sum" divides the
    scores themselves by their sum (f/Σf, no exponentials).
    """
    if normalize == "sum":
        total = rec.step("total", "sum of the scores" + _per_row(f), "Σ {f}", _number(f.sum(axis=-1)), f=f)
        with np.errstate(divide="ignore", invalid="ignore"):  # scores summing to 0: no answer at all
            ratio = f / np.expand_dims(total, -1)
        return rec.step("probs", "each score over their sum (no exponentials)", "{f} / {sum_f}", ratio,
                        f=f, sum_f=total)
    top = np.max(f, axis=-1, keepdims=True)
    shift = np.where(np.abs(top) > _SHIFT_ABOVE, top, 0.0)
    scores = f
    if np.any(shift):
        scores = rec.step("shifted", "logits minus their max (keeps e^f finite)", "{f} - max {f}",
                          (Tensor(f) - shift).data, f=f)
    exps = rec.step("exps", "exponentials", "e^{f}", Tensor(scores).exp().data, f=scores)
    if normalize == "none":
        return rec.step("probs", "the exponentials, left unnormalized", "{exps}", exps, exps=exps)
    total = rec.step("total", "their sum" + _per_row(f), "Σ {exps}", _number(Tensor(exps).sum(axis=-1).data),
                     exps=exps)
    return rec.step("probs", "softmax probabilities", "{exps} / {sum_exps}",
                    (Tensor(exps) / np.expand_dims(total, -1)).data, exps=exps, sum_exps=total)


@solver("softmax")
def softmax(logits: Any, normalize: str = "exp", overrides: dict[str, Any] | None = None) -> Solution:
    """{probs}: p_j = e^(f_j) / Σ_k e^(f_k) (each row of a matrix separately).

    ``normalize``: "none" (the exponentials left unnormalized) and "sum" (f/Σf) are mistakes.
    """
    f = _softmax_input(logits)
    normalize = validate.choice(normalize, "normalize", SOFTMAX_FORMS)
    rec = Recorder(overrides)
    probs = _softmax_steps(rec, f, normalize)
    return rec.solution(probs=np.asarray(probs, dtype=np.float64))


@solver("log_softmax")
def log_softmax(logits: Any, overrides: dict[str, Any] | None = None) -> Solution:
    """{log_probs}: log p_j = (f_j - max f) - log Σ_k e^(f_k - max f)."""
    f = _softmax_input(logits)
    rec = Recorder(overrides)
    shifted = _shift(rec, f)
    lse = Tensor(shifted).exp().sum(axis=-1).log()
    lse = rec.step("lse", "log of the sum of exponentials" + _per_row(f), "log Σ e^{shifted}",
                   _number(lse.data), shifted=shifted)
    log_probs = rec.step("log_probs", "log-probabilities", "{shifted} - {lse}",
                         (Tensor(shifted) - np.expand_dims(lse, -1)).data, shifted=shifted, lse=lse)
    return rec.solution(log_probs=np.asarray(log_probs, dtype=np.float64))


# ----- cross-entropy ----------------------------------------------------------------------

def _cross_entropy_core(f: np.ndarray, y: Any, reduction: str, base10: bool) -> tuple[Any, float, Any]:
    """(probs, loss, ∂L/∂logits) from one graph."""
    ft = Tensor(f)
    logp = ft.log_softmax(axis=-1)
    picked = logp[y] if f.ndim == 1 else logp[np.arange(f.shape[0]), y]
    loss = -(picked.mean() if reduction == "mean" else picked.sum())
    if base10:
        loss = loss * (1.0 / _LN10)
    loss.backward()
    return np.exp(logp.data), float(loss.data), ft.grad


CLASSES_USED = ("label", "predicted")


@solver("cross_entropy")
def cross_entropy(
    logits: Any, label: Any, reduction: str = "mean", log_base: Any = "e", normalize: str = "exp",
    class_used: str = "label", overrides: dict[str, Any] | None = None,
) -> Solution:
    """{loss, grad}: L = -log p_y (batch: mean or sum over rows); grad = ∂L/∂logits = p - onehot(y).

    Mistakes: ``log_base="10"``; ``normalize`` as in :func:`softmax` ("sum": f/Σf);
    ``class_used="predicted"``: -log of the most probable class's probability instead of p_y.
    """
    f, y = _logits_and_labels(logits, label)
    reduction = validate.choice(reduction, "reduction", REDUCTIONS)
    normalize = validate.choice(normalize, "normalize", SOFTMAX_FORMS)
    class_used = validate.choice(class_used, "class_used", CLASSES_USED)
    base10 = _log_base(log_base) == "10"
    core_probs, loss, grad = _cross_entropy_core(f, y, reduction, base10)
    rows = np.arange(f.shape[0]) if f.ndim == 2 else None
    n = f.shape[0] if f.ndim == 2 and reduction == "mean" else 1
    scale = n * (_LN10 if base10 else 1.0)

    rec = Recorder(overrides)
    if "probs" in rec.overrides:
        probs = rec.step("probs", "softmax probabilities", "e^{f} / Σ e^{f}", core_probs, f=f)
    else:
        probs = np.asarray(_softmax_steps(rec, f, normalize), dtype=np.float64)
    # The working replaces the core's value when a step is the student's, or the softmax is not.
    hand = _given(rec, "shifted", "exps", "total", "probs") or normalize != "exp"
    picked = y if class_used == "label" else np.argmax(core_probs, axis=-1)
    p_y = probs[picked] if rows is None else probs[rows, picked]
    if hand or class_used != "label":
        with np.errstate(invalid="ignore", divide="ignore"):
            loss = float(-np.sum(np.log(p_y)) / scale)
    loss = rec.step("loss", "cross-entropy loss", _ce_template(base10, rows is None, reduction), loss,
                    p_y=p_y, n=n)
    onehot = np.zeros_like(probs)
    onehot[(y,) if rows is None else (rows, y)] = 1.0
    if hand:
        grad = (probs - onehot) / scale
    template = "({p} - {onehot})" + (" / {n}" if n > 1 else "") + (" / ln 10" if base10 else "")
    grad = rec.step("grad", "gradient with respect to the logits", template, grad,
                    p=probs, onehot=onehot, n=n)
    return rec.solution(loss=float(loss), grad=np.asarray(grad, dtype=np.float64))


def _ce_template(base10: bool, single: bool, reduction: str) -> str:
    log = "log10" if base10 else "log"
    if single:
        return f"-{log}({{p_y}})"
    return f"-(1/{{n}}) Σ {log}({{p_y}})" if reduction == "mean" else f"-Σ {log}({{p_y}})"


# ----- binary cross-entropy ---------------------------------------------------------------

def _bce_template(base10: bool, n: int) -> str:
    log = "log10" if base10 else "log"
    body = f"{{y}} · {log}({{p}}) + (1 - {{y}}) · {log}(1 - {{p}})"
    return f"-mean({body})" if n > 1 else f"-[{body}]"


def _bce_from_probs(p: Any, y: np.ndarray, base10: bool) -> tuple[Tensor, Tensor]:
    """(loss, p as a leaf) of -mean[y log p + (1-y) log(1-p)]; raises for p outside (0, 1)."""
    pt = Tensor(p)
    loss = -(y * pt.log() + (1.0 - y) * (1.0 - pt).log()).mean()
    return (loss * (1.0 / _LN10) if base10 else loss), pt


@solver("binary_cross_entropy")
def binary_cross_entropy(
    z: Any, y: Any, log_base: Any = "e", other_class: bool = False, overrides: dict[str, Any] | None = None
) -> Solution:
    """{loss, grad}: BCE of the logit ``z`` (mean over entries); grad = ∂L/∂z = σ(z) - y (/ N).

    ``other_class`` is a mistake: the log of the probability of the class that is NOT the label
    (log(1 - p) for y = 1, log p for y = 0).
    """
    zs = validate.array(z, "z")
    ys = _probability_target(y, zs)
    base10 = _log_base(log_base) == "10"
    zt = Tensor(zs)
    # softplus(z) - y·z is -[y log σ(z) + (1-y) log(1-σ(z))] without ever taking log(0).
    loss_t = (zt.softplus() - zt * ys).mean()
    loss_t = loss_t * (1.0 / _LN10) if base10 else loss_t
    loss_t.backward()
    n = max(zs.size, 1)

    rec = Recorder(overrides)
    p, q = _bce_probabilities(rec, zs, ys, zt.sigmoid().data)
    hand = _given(rec, "exp_neg", "denom", "p", "one_minus_p")
    loss = float(loss_t.data)
    if hand or other_class:
        weight = 1.0 - ys if other_class else ys  # the mistake weighs the other class's log
        loss = _bce_by_hand(p, q, weight, base10)
    loss = rec.step("loss", "binary cross-entropy", _bce_template(base10, n), loss, y=ys, p=p)
    grad = zt.grad if not hand else (np.asarray(p) - ys) / n / (_LN10 if base10 else 1.0)
    template = "({p} - {y})" + (" / {n}" if n > 1 else "") + (" / ln 10" if base10 else "")
    grad = rec.step("grad", "gradient with respect to the logit", template, _number(grad), p=p, y=ys, n=n)
    return rec.solution(loss=float(loss), grad=grad)


def _bce_probabilities(rec: Recorder, zs: np.ndarray, ys: np.ndarray, core: Any) -> tuple[Any, Any]:
    """(p, 1 - p) as a student writes them: e^(-z), 1 + e^(-z), p = 1/(1 + e^(-z)), then 1 - p.

    The core's σ(z) (stable for any z) unless a student's intermediate replaces one."""
    with np.errstate(over="ignore"):
        e = rec.step("exp_neg", "e^(-z)", "e^(-{z})", _number(np.exp(-zs)), z=zs)
    denom = rec.step("denom", "1 + e^(-z)", "1 + {e}", _number(1.0 + np.asarray(e)), e=e)
    p = _number(1.0 / np.asarray(denom)) if _given(rec, "exp_neg", "denom") else _number(core)
    p = rec.step("p", "probability σ(z)", "1 / {denom}", p, denom=denom)
    q = _number(1.0 - np.asarray(p))
    if np.any(ys < 1):  # 1 - p is only written when some label is 0 (or a soft label)
        q = rec.step("one_minus_p", "probability of class 0", "1 - {p}", q, p=p)
    return p, q


def _bce_by_hand(p: Any, q: Any, y: np.ndarray, base10: bool) -> float:
    """-mean[y log p + (1-y) log q], a term with weight 0 left out (so log 0 never matters)."""
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(y > 0, y * np.log(p), 0.0) + np.where(y < 1, (1.0 - y) * np.log(q), 0.0)
    return float(-np.mean(terms) / (_LN10 if base10 else 1.0))


@solver("binary_cross_entropy_prob")
def binary_cross_entropy_prob(
    p: Any, y: Any, log_base: Any = "e", overrides: dict[str, Any] | None = None
) -> Solution:
    """{loss, grad}: BCE of a probability ``p`` in (0, 1) (mean over entries); grad = ∂L/∂p."""
    ps = validate.array(p, "p")
    if np.any((ps <= 0) | (ps >= 1)):
        raise ValueError("p must lie strictly between 0 and 1 (log 0 is undefined); for a logit use "
                         "binary_cross_entropy")
    ys = _probability_target(y, ps)
    base10 = _log_base(log_base) == "10"
    loss_t, pt = _bce_from_probs(ps, ys, base10)
    loss_t.backward()
    n = max(ps.size, 1)

    rec = Recorder(overrides)
    loss = rec.step("loss", "binary cross-entropy", _bce_template(base10, n), float(loss_t.data), y=ys, p=ps)
    template = "(-{y}/{p} + (1 - {y})/(1 - {p}))" + (" / {n}" if n > 1 else "")
    template += " / ln 10" if base10 else ""
    grad = rec.step("grad", "gradient with respect to p", template, _number(pt.grad), p=ps, y=ys, n=n)
    return rec.solution(loss=float(loss), grad=grad)


# ----- multiclass hinge -------------------------------------------------------------------

def _delta_outside(value: Any) -> str | None:
    """None (Δ inside the max, right), "per_class" or "once" (Δ outside the max: the seeds' typo)."""
    if value is None or value is False:
        return None
    return "per_class" if value is True else validate.choice(str(value), "delta_outside", DELTA_OUTSIDE)


def _added_delta(outside: str | None, delta: float, n_classes: int) -> float:
    return {None: 0.0, "once": delta, "per_class": (n_classes - 1) * delta}[outside]


def _hinge_core(s: np.ndarray, y: int, delta: float, outside: str | None, mean: bool) -> tuple[Any, float, Any]:
    """(per-class margins with 0 at y, loss, ∂L/∂s) from one graph.

    ReLU, not ``maximum``: a margin of exactly 0 must send no gradient (torch.maximum splits a tie).
    """
    st = Tensor(s)
    others = np.ones_like(s)
    others[y] = 0.0
    margins = (st - st[y] + (0.0 if outside else delta)).relu() * others
    loss = margins.sum() + _added_delta(outside, delta, s.size)
    loss = loss * (1.0 / s.size) if mean else loss
    loss.backward()
    return margins.data, float(loss.data), st.grad


@solver("hinge_loss")
def hinge_loss(
    scores: Any, label: Any, margin: Any = 1.0, form: str = "sum", delta_outside: bool | str = False,
    overrides: dict[str, Any] | None = None,
) -> Solution:
    """{loss, grad}: L = Σ_{j≠y} max(0, s_j - s_y + Δ) (form "mean_classes": divided by C).

    ``delta_outside`` is the seeds' typesetting error "Σ_{j≠y} max(0, s_j - s_y) + Δ": True or
    "per_class" reads it as Δ added for every wrong class ((C-1)Δ in all), "once" as Δ added once.
    """
    s = validate.array(scores, "scores", ndim=1)
    if s.size < 2:
        raise ValueError(f"scores: a hinge loss needs at least 2 classes, got {s.size}")
    y = class_index(label, s.size)
    delta = validate.positive(validate.scalar(margin, "margin"), "margin", strict=False)
    form = validate.choice(form, "form", HINGE_FORMS)
    mean = form == "mean_classes"
    outside = _delta_outside(delta_outside)
    margins, loss, grad = _hinge_core(s, y, delta, outside, mean)

    rec = Recorder(overrides)
    template = "max(0, {s} - {s_y})" if outside else "max(0, {s} - {s_y} + {delta})"
    margins = rec.step("margins", f"margin of each class (0 for the true class {y})", template, margins,
                       s=s, s_y=s[y], delta=delta)
    active = (np.asarray(margins) > 0) & (np.arange(s.size) != y)
    if _given(rec, "margins"):
        total = float(np.sum(np.where(np.arange(s.size) != y, margins, 0.0)))
        loss = (total + _added_delta(outside, delta, s.size)) / (s.size if mean else 1)
    added = {None: "", "once": " + {delta}", "per_class": " + ({C} - 1) · {delta}"}[outside]
    template = "(Σ {margins}" + added + ")" + (" / {C}" if mean else "")
    loss = rec.step("loss", "hinge loss", template, loss, margins=margins, delta=delta, C=s.size)
    if _given(rec, "margins"):
        grad = np.where(active, 1.0, 0.0)
        grad[y] = -np.sum(active)
        grad = grad / (s.size if mean else 1)
    template = "1[{margins} > 0] (j ≠ y), -{count} (j = y)" + (", all / {C}" if mean else "")
    grad = rec.step("grad", "subgradient with respect to the scores", template, grad,
                    margins=margins, count=int(np.sum(active)), C=s.size)
    return rec.solution(loss=float(loss), grad=np.asarray(grad, dtype=np.float64))


# ----- mean squared error -----------------------------------------------------------------

def _mse_from_diff(diff: Any) -> tuple[float, Any]:
    """(mean of diff², its gradient): ∂L/∂pred equals ∂L/∂diff because diff = pred - y."""
    d = Tensor(diff)
    loss = (d * d).mean()
    loss.backward()
    return float(loss.data), d.grad


@solver("mse")
def mse(
    pred: Any, target: Any, drop_target: bool = False, reduction: str = "mean",
    per_example_gradient: bool = False, overrides: dict[str, Any] | None = None,
) -> Solution:
    """{loss, grad}: L = mean (ŷ - y)², grad = ∂L/∂ŷ = 2(ŷ - y)/N.

    Mistakes: ``drop_target`` is seed 002's error (the "- y_i" dropped): L = mean ŷ²;
    ``reduction="sum"``: the squares summed, not averaged (loss and gradient N times too big);
    ``per_example_gradient``: the gradient 2(ŷ - y) of one squared error, without the 1/N.
    """
    p = validate.array(pred, "pred")
    t = validate.array(target, "target")
    validate.same_shape(pred=p, target=t)
    reduction = validate.choice(reduction, "reduction", REDUCTIONS)
    n = max(p.size, 1)
    rec = Recorder(overrides)
    if drop_target:
        diff = rec.step("diff", "prediction (the target dropped)", "{pred}", _number(p), pred=p)
    else:
        diff = rec.step("diff", "prediction minus target", "{pred} - {target}",
                        _number((Tensor(p) - t).data), pred=p, target=t)
    # A student squares each difference and adds the squares before dividing by N.
    squares = rec.step("squares", "squared differences", "{diff}²", _number(np.square(diff)), diff=diff)
    total = float(np.sum(squares))
    if n > 1:
        total = rec.step("sum_sq", "sum of the squared differences", "Σ {squares}", total, squares=squares)
    mean = reduction == "mean"
    loss = rec.step("loss", "mean squared error" if mean else "sum of squared errors (not averaged)",
                    "{sum_sq} / {n}" if mean and n > 1 else "{sum_sq}", total / n if mean else total,
                    sum_sq=total, n=n)
    _, grad = _mse_from_diff(diff)
    divide = mean and not per_example_gradient
    grad = np.asarray(grad) * (1 if divide else n)
    grad = rec.step("grad", "gradient with respect to the prediction",
                    "2 · {diff} / {n}" if divide and n > 1 else "2 · {diff}", _number(grad), diff=diff, n=n)
    return rec.solution(loss=float(loss), grad=grad)
