"""Regularization by hand (conventions.md, "Regularization"): L1, L2, inverted dropout."""

from __future__ import annotations

import numpy as np

from tests.oracles.base import arr, convention, honest, mistake, mistakes


@honest("l1-penalty")
def l1_penalty(p, r):
    theta, alpha = arr(p["theta"]), p["alpha"]
    return {"penalty": alpha * r(np.sum(np.abs(theta))), "grad": alpha * np.sign(theta)}


@mistakes("l1-penalty")
def l1_penalty_mistakes(p):
    theta, alpha = arr(p["theta"]), p["alpha"]
    return {
        "sign-of-zero-is-one": mistake(grad=alpha * np.where(theta >= 0, 1.0, -1.0)),
        "l2-gradient": mistake(grad=2 * alpha * theta),
        "absolute-value-dropped": mistake(penalty=alpha * float(np.sum(theta))),
    }


@honest("l2-penalty")
def l2_penalty(p, r):
    theta, alpha = arr(p["theta"]), p["alpha"]
    return {"penalty": alpha * r(np.sum(r(theta**2))), "grad": 2 * alpha * theta}


@mistakes("l2-penalty")
def l2_penalty_mistakes(p):
    theta, alpha = arr(p["theta"]), p["alpha"]
    norm = float(np.sqrt(np.sum(theta**2)))
    return {
        "unsquared-norm": mistake(penalty=alpha * norm, grad=alpha * theta / norm),
        "half-convention": convention(penalty=alpha * norm**2 / 2, grad=alpha * theta),
        "gradient-without-2": mistake(grad=alpha * theta),
    }


@honest("dropout")
def dropout(p, r):
    keep = r(1 - p["p"])
    return {"out": arr(p["x"]) * arr(p["mask"]) / keep}


@mistakes("dropout")
def dropout_mistakes(p):
    kept = arr(p["x"]) * arr(p["mask"])
    return {
        "no-scaling": convention(out=kept),
        "p-read-as-keep": convention(out=kept / p["p"]),
        "scaled-by-keep-probability": mistake(out=kept * (1 - p["p"])),
    }
