"""Loss reductions, the binary hinge and the clipped ReLU by hand (docs/conventions-extra.md)."""

from __future__ import annotations

import numpy as np

from tests.oracles.base import arr, convention, honest, identity, mistake, mistakes


def _reductions(p, r=identity, by_n=False):
    losses = r((arr(p["pred"]) - arr(p["target"])) ** 2)
    total = r(float(losses.sum()))
    w = arr(p["weights"])
    wsum = r(float((w * losses).sum()))
    return {"mean": total / losses.size, "total": total, "weighted": wsum / (losses.size if by_n else w.sum())}


@honest("loss-reduction")
def loss_reduction(p, r):
    return _reductions(p, r)


@mistakes("loss-reduction")
def loss_reduction_mistakes(p):
    return {"weights-over-n": convention(weighted=_reductions(p, by_n=True)["weighted"])}


def _hinge(p, r=identity, margin=1.0):
    s, y = arr(p["scores"]), arr(p["labels"])
    gaps = r(margin - y * s)
    terms = np.maximum(0.0, gaps)
    return {"loss": float(terms.mean()), "grad": np.where(gaps > 0, -y, 0.0) / s.size}


@honest("binary-hinge")
def binary_hinge(p, r):
    return _hinge(p, r)


@mistakes("binary-hinge")
def binary_hinge_mistakes(p):
    return {"margin-dropped": mistake(**_hinge(p, margin=0.0))}


def _clipped(p, cap=None, slope_above=0.0):
    x, m = arr(p["x"]), p["cap"] if cap is None else cap
    return {"out": np.minimum(np.maximum(x, 0.0), m),
            "grad": np.where((x > 0) & (x < m), 1.0, np.where(x >= m, slope_above, 0.0))}


@honest("clipped-relu")
def clipped_relu(p, r):
    return _clipped(p)


@mistakes("clipped-relu")
def clipped_relu_mistakes(p):
    return {
        "cap-ignored-in-derivative": mistake(grad=_clipped(p, slope_above=1.0)["grad"]),
        "plain-relu": mistake(**_clipped(p, cap=np.inf)),
    }
