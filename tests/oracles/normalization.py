"""Normalization by hand (conventions.md, "Normalization"): biased variance, ε inside the root."""

from __future__ import annotations

import numpy as np

from tests.oracles.base import arr, honest, identity, mistake, mistakes


def stats(x, axis, r, ddof=0):
    """Mean, then each deviation, then the variance: what the student writes, in that order."""
    mean = r(np.mean(x, axis=axis, keepdims=True))
    dev = r(x - mean)
    var = r(np.sum(r(dev**2), axis=axis, keepdims=True) / (x.shape[axis] - ddof))
    return mean, dev, var


def normalize(dev, var, eps, r, root=True):
    sd = r(np.sqrt(var + eps)) if root else var + eps
    return r(dev / sd)


def _norm(x, axis, gamma, beta, eps, r=identity, ddof=0, root=True):
    mean, dev, var = stats(x, axis, r, ddof)
    out = arr(gamma) * normalize(dev, var, eps, r, root) + arr(beta)
    return mean.squeeze(axis), var.squeeze(axis), out


@honest("batchnorm")
def batchnorm(p, r):
    mean, var, out = _norm(arr(p["x"]), 0, p["gamma"], p["beta"], p["eps"], r)
    return {"mean": mean, "var": var, "out": out}


@mistakes("batchnorm")
def batchnorm_mistakes(p):
    x, g, b, eps = arr(p["x"]), p["gamma"], p["beta"], p["eps"]
    um, uv, uo = _norm(x, 0, g, b, eps, ddof=1)
    em, ev, eo = _norm(x, 1, g, b, eps)  # statistics of each example (row) instead
    return {
        "unbiased-variance": mistake(var=uv, out=uo),
        "per-example-statistics": mistake(mean=em, var=ev, out=eo),
        "divided-by-variance": mistake(out=_norm(x, 0, g, b, eps, root=False)[2]),
    }


@honest("batchnorm-eval")
def batchnorm_eval(p, r):
    sd = r(np.sqrt(arr(p["running_var"]) + p["eps"]))
    xhat = r(r(arr(p["x"]) - arr(p["running_mean"])) / sd)
    return {"out": arr(p["gamma"]) * xhat + arr(p["beta"])}


@mistakes("batchnorm-eval")
def batchnorm_eval_mistakes(p):
    x, g, b, eps = arr(p["x"]), p["gamma"], p["beta"], p["eps"]
    over_var = g * (x - arr(p["running_mean"])) / (arr(p["running_var"]) + eps) + arr(b)
    return {
        "batch-statistics": mistake(out=_norm(x, 0, g, b, eps)[2]),
        "divided-by-variance": mistake(out=over_var),
    }


@honest("layernorm")
def layernorm(p, r):
    mean, var, out = _norm(arr(p["x"]), 1, p["gamma"], p["beta"], p["eps"], r)
    return {"mean": mean, "var": var, "out": out}


@mistakes("layernorm")
def layernorm_mistakes(p):
    x, g, b, eps = arr(p["x"]), p["gamma"], p["beta"], p["eps"]
    um, uv, uo = _norm(x, 1, g, b, eps, ddof=1)
    fm, fv, fo = _norm(x, 0, g, b, eps)  # statistics of each feature over the batch instead
    return {
        "unbiased-variance": mistake(var=uv, out=uo),
        "statistics-over-the-batch": mistake(mean=fm, var=fv, out=fo),
        "divided-by-variance": mistake(out=_norm(x, 1, g, b, eps, root=False)[2]),
    }


def _instance(x, axes, r=identity, ddof=0):
    """Statistics over ``axes`` of x (N×C×L), written as the N×C matrix the question asks for."""
    mean = r(np.mean(x, axis=axes, keepdims=True))
    dev = r(x - mean)
    count = np.prod([x.shape[a] for a in axes])
    var = r(np.sum(r(dev**2), axis=axes, keepdims=True) / (count - ddof))
    shape = x.shape[:2]
    return np.broadcast_to(mean[..., 0], shape).copy(), np.broadcast_to(var[..., 0], shape).copy()


@honest("instancenorm")
def instancenorm(p, r):
    mean, var = _instance(arr(p["x"]), (2,), r)
    return {"mean": mean, "var": var}


@mistakes("instancenorm")
def instancenorm_mistakes(p):
    x = arr(p["x"])
    lm, lv = _instance(x, (1, 2))
    bm, bv = _instance(x, (0, 2))
    return {
        "layer-norm-statistics": mistake(mean=lm, var=lv),
        "batch-norm-statistics": mistake(mean=bm, var=bv),
        "unbiased-variance": mistake(var=_instance(x, (2,), ddof=1)[1]),
    }


_SHAPES = {"batch": ("1×C×1×1", "1C11"), "layer": ("N×1×1×1", "N111"), "instance": ("N×C×1×1", "NC11")}


def _shape(kind, p):
    letters, pattern = _SHAPES[kind]
    sizes = {"1": 1, "N": p["N"], "C": p["C"]}
    return letters, np.array([float(sizes[c]) for c in pattern])


@honest("norm-shapes")
def norm_shapes(p, r):
    letters, sizes = _shape(p["kind"], p)
    return {"stats": letters, "stats_shape": sizes}


@mistakes("norm-shapes")
def norm_shapes_mistakes(p):
    out = {}
    for kind in _SHAPES:
        if kind != p["kind"]:
            letters, sizes = _shape(kind, p)
            out[f"{kind}-norm-shape"] = mistake(stats=letters, stats_shape=sizes)
    return out
