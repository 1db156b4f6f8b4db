"""Losses by hand (conventions.md, "Losses"): natural log, softmax, cross-entropy, BCE, hinge, MSE."""

from __future__ import annotations

import math

import numpy as np

from tests.oracles.base import arr, convention, honest, identity, mistake, mistakes


def softmax_by_hand(f, r):
    """e^f for each score, their sum, each ratio: three things a student writes down."""
    e = r(np.exp(arr(f)))
    total = r(np.sum(e))
    return r(e / total)


def onehot(label, n):
    y = np.zeros(n)
    y[label] = 1.0
    return y


@honest("softmax")
def softmax(p, r):
    return {"probs": softmax_by_hand(p["logits"], r)}


@mistakes("softmax")
def softmax_mistakes(p):
    f = arr(p["logits"])
    out = {"exponentials-not-normalized": mistake(probs=np.exp(f))}
    if f.sum() != 0:
        out["scores-over-their-sum"] = mistake(probs=f / f.sum())
    return out


@honest("cross-entropy")
def cross_entropy(p, r):
    probs = softmax_by_hand(p["logits"], r)
    y = onehot(p["label"], len(probs))
    return {"loss": -math.log(probs[p["label"]]), "grad": probs - y}


@mistakes("cross-entropy")
def cross_entropy_mistakes(p):
    f, label = arr(p["logits"]), p["label"]
    probs = softmax_by_hand(f, identity)
    y = onehot(label, len(f))
    out = {
        "log-base-10": mistake(loss=-math.log10(probs[label])),
        "gradient-y-minus-p": mistake(grad=y - probs),
    }
    top = int(np.argmax(probs))
    if top != label:
        out["predicted-class-probability"] = mistake(loss=-math.log(probs[top]))
    ratio = f / f.sum() if f.sum() != 0 else None
    if ratio is not None and ratio[label] > 0:
        out["softmax-as-scores-over-sum"] = mistake(loss=-math.log(ratio[label]), grad=ratio - y)
    return out


def _bce_p(z, r):
    return r(1.0 / (1.0 + r(math.exp(-z))))


@honest("binary-cross-entropy")
def binary_cross_entropy(p, r):
    prob, y = _bce_p(p["z"], r), p["y"]
    # The student writes 1 - p from the rounded p, then takes the log of the one the label picks.
    picked = prob if y == 1 else r(1.0 - prob)
    return {"loss": -math.log(picked), "grad": prob - y}


@mistakes("binary-cross-entropy")
def binary_cross_entropy_mistakes(p):
    prob, y = _bce_p(p["z"], identity), p["y"]
    picked, other = (prob, 1.0 - prob) if y == 1 else (1.0 - prob, prob)
    return {
        "log-base-10": mistake(loss=-math.log10(picked)),
        "other-class-probability": mistake(loss=-math.log(other)),
        "gradient-y-minus-p": mistake(grad=y - prob),
    }


def _hinge(s, label, delta, r=identity):
    margins = r(s - s[label] + delta)
    active = (margins > 0) & (np.arange(len(s)) != label)
    grad = active.astype(float)
    grad[label] = -active.sum()
    return margins, active, grad


@honest("hinge-loss")
def hinge_loss(p, r):
    s, label = arr(p["scores"]), p["label"]
    margins, active, grad = _hinge(s, label, p["margin"], r)
    return {"loss": float(np.sum(margins[active])), "grad": grad}


@mistakes("hinge-loss")
def hinge_loss_mistakes(p):
    s, label, delta = arr(p["scores"]), p["label"], p["margin"]
    margins, active, grad = _hinge(s, label, delta)
    loss = float(np.sum(margins[active]))
    others = np.arange(len(s)) != label
    raw = np.maximum(0.0, s - s[label])[others]  # the max without Δ
    return {
        "correct-class-term-kept": mistake(loss=loss + delta),
        "delta-outside-max-per-class": mistake(loss=float(np.sum(raw + delta))),
        "delta-outside-max-once": mistake(loss=float(np.sum(raw) + delta)),
        "mean-over-classes": convention(loss=loss / len(s), grad=grad / len(s)),
    }


@honest("mse")
def mse(p, r):
    d = r(arr(p["pred"]) - arr(p["target"]))
    n = len(d)
    return {"loss": float(r(np.sum(r(d**2))) / n), "grad": 2 * d / n}


@mistakes("mse")
def mse_mistakes(p):
    pred, d = arr(p["pred"]), arr(p["pred"]) - arr(p["target"])
    n = len(d)
    return {
        "sum-not-mean": mistake(loss=float(np.sum(d**2)), grad=2 * d),
        "half-factor": mistake(loss=float(np.sum(d**2)) / (2 * n), grad=d / n),
        "target-dropped": mistake(loss=float(np.sum(pred**2)) / n, grad=2 * pred / n),
        "per-example-gradient": mistake(grad=2 * d),
    }
