"""Loss and activation details met in libraries (issue 14, item 6).

- reductions of per-example squared errors: mean, sum, and a sample-weighted mean Σwᵢlᵢ / Σwᵢ
  (the normalisation of PyTorch's class-weighted cross-entropy; Keras and PyTorch's BCE ``weight``
  divide by N instead: ``weighted_by="n"``);
- the binary hinge loss max(0, 1 - y·s), y ∈ {-1, +1}, averaged over a batch, and its gradient;
- the clipped ReLU min(max(0, x), m) (``nn.ReLU6`` for m = 6) and its derivative, 1 strictly
  between 0 and m (PyTorch's hardtanh backward).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from solvers.registry import solver
from solvers.steps import Recorder, Solution
from solvers.validate import array, choice, positive, same_shape, scalar


@solver("loss_reductions")
def loss_reductions(pred: Any, target: Any, weights: Any, weighted_by: str = "sum-of-weights",
                    overrides: Mapping[str, Any] | None = None) -> Solution:
    """{mean, total, weighted}: per-example (pred - target)², reduced three ways."""
    p, t, w = array(pred, "pred", ndim=1), array(target, "target", ndim=1), array(weights, "weights", ndim=1)
    same_shape(pred=p, target=t, weights=w)
    weighted_by = choice(weighted_by, "weighted_by", ("sum-of-weights", "n"))
    if np.any(w < 0) or w.sum() == 0:
        raise ValueError("weights: sample weights must be non-negative and not all zero")
    rec = Recorder(overrides)
    losses = rec.step("losses", "squared error of each example", "({p} - {t})²", (p - t) ** 2, p=p, t=t)
    total = rec.step("total", "sum of the losses", "Σ {l}", float(np.sum(losses)), l=losses)
    mean = rec.step("mean", "mean of the losses", "{sum_l} / {N}", total / p.size, sum_l=total, N=p.size)
    wsum = rec.step("wsum", "weighted sum", "Σ {w}·{l}", float(np.sum(w * losses)), w=w, l=losses)
    if weighted_by == "n":
        weighted = rec.step("weighted", "weighted mean over the batch size", "{wsum} / {N}",
                            wsum / p.size, wsum=wsum, N=p.size)
    else:
        weighted = rec.step("weighted", "weighted mean", "{wsum} / Σ{w}", wsum / float(w.sum()), wsum=wsum, w=w)
    return rec.solution(mean=float(mean), total=float(total), weighted=float(weighted))


@solver("binary_hinge")
def binary_hinge(scores: Any, labels: Any, margin: Any = 1.0, overrides: Mapping[str, Any] | None = None) -> Solution:
    """{loss, grad}: mean of max(0, margin - yᵢsᵢ) and its gradient -yᵢ/N where the hinge is active."""
    s, y = array(scores, "scores", ndim=1), array(labels, "labels", ndim=1)
    same_shape(scores=s, labels=y)
    if not np.all(np.isin(y, (-1.0, 1.0))):
        raise ValueError("labels: every label must be +1 or -1")
    m = scalar(margin, "margin")
    rec = Recorder(overrides)
    # margin - y·s is a difference, not an answer: written down, it is what the student rounds.
    gaps = rec.step("gaps", "margin minus y·s for each example", "{m} - {y}·{s}", m - y * s, m=m, y=y, s=s)
    losses = rec.step("losses", "hinge of each example", "max(0, {gaps})", np.maximum(0.0, gaps), gaps=gaps)
    loss = rec.step("loss", "mean hinge loss", "Σ {l} / {N}", float(np.mean(losses)), l=losses, N=s.size)
    # A gap of exactly 0 contributes 0 (conventions.md, hinge loss).
    grad = rec.step("grad", "∂L/∂s: -y/N where the hinge is active, else 0", "-{y}·[{gaps} > 0] / {N}",
                    np.where(np.asarray(gaps) > 0, -y, 0.0) / s.size, y=y, gaps=gaps, N=s.size)
    return rec.solution(loss=float(loss), grad=np.asarray(grad, dtype=np.float64))


@solver("clipped_relu")
def clipped_relu(x: Any, cap: Any = 6.0, derivative_above_cap: Any = 0.0,
                 overrides: Mapping[str, Any] | None = None) -> Solution:
    """{out, grad}: min(max(0, x), cap) and its derivative (1 strictly between 0 and cap)."""
    xs = array(x, "x", ndim=1)
    c = positive(scalar(cap, "cap"), "cap")
    above = scalar(derivative_above_cap, "derivative_above_cap")  # 1: the cap forgotten in the derivative
    rec = Recorder(overrides)
    out = rec.step("out", "clipped ReLU", "min(max(0, {x}), {m})", np.clip(xs, 0.0, c), x=xs, m=c)
    grad = rec.note("grad", "derivative: 1 where 0 < x < m, else 0",
                    np.where((xs > 0) & (xs < c), 1.0, np.where(xs >= c, above, 0.0)))
    return rec.solution(out=np.asarray(out, dtype=np.float64), grad=np.asarray(grad, dtype=np.float64))
