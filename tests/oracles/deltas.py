"""Output-layer deltas by hand (docs/conventions-extra.md, "Output-layer deltas")."""

from __future__ import annotations

import numpy as np

from tests.oracles.base import arr, honest, identity, mistake, mistakes, round_sig, sigmoid
from tests.oracles.losses import onehot, softmax_by_hand


def _sigmoid_delta(p, r=identity, sign=1.0, factor=1.0, keep_derivative=True):
    y = r(sigmoid(p["s"]))
    err = sign * (y - arr(p["t"]))
    delta = r(factor * err * r(y * (1 - y))) if keep_derivative else err
    return {"y": y, "delta": delta, "grad_W": np.outer(delta, arr(p["h"]))}


def _from_written(delta, p):
    """∂E/∂W as a student works it after a wrong δ: from the δ written down (3 figures)."""
    return np.outer(round_sig(arr(delta)), arr(p["h"]))


@honest("output-delta-sigmoid")
def output_delta_sigmoid(p, r):
    return _sigmoid_delta(p, r)


@mistakes("output-delta-sigmoid")
def output_delta_sigmoid_mistakes(p):
    def changed(**kw):
        out = _sigmoid_delta(p, **kw)
        return mistake(delta=out["delta"], grad_W=_from_written(out["delta"], p))

    return {
        "sign-trap": changed(sign=-1.0),
        "sigmoid-derivative-dropped": changed(keep_derivative=False),
        "half-dropped": changed(factor=2.0),
    }


def _softmax_delta(p, r=identity, sign=1.0):
    probs = softmax_by_hand(p["s"], r)
    delta = sign * (probs - onehot(p["label"], len(probs)))
    return {"probs": probs, "delta": delta, "grad_W": np.outer(delta, arr(p["h"]))}


@honest("output-delta-softmax")
def output_delta_softmax(p, r):
    return _softmax_delta(p, r)


@mistakes("output-delta-softmax")
def output_delta_softmax_mistakes(p):
    out = _softmax_delta(p, sign=-1.0)
    return {"sign-trap": mistake(delta=out["delta"], grad_W=_from_written(out["delta"], p))}
