"""Dropout with an explicit mask, and the L2 / L1 weight penalties with their gradients.

Dropout defaults to PyTorch's inverted form with ``p`` the probability of dropping a unit;
the classic form (seed 002) scales at evaluation instead, and some texts call the keep
probability ``p`` (``p_meaning="keep"``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from solvers import validate
from solvers.registry import solver
from solvers.steps import Recorder, Solution

FORMS = ("inverted", "classic", "times_keep")
MODES = ("train", "eval")
P_MEANINGS = ("drop", "keep")


def _probability(p: Any) -> float:
    value = validate.scalar(p, "p")
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"p must be a probability in [0, 1], got {value}")
    return value


def _mask(mask: Any, x: np.ndarray) -> np.ndarray:
    arr = validate.array(mask, "mask")
    validate.same_shape(x=x, mask=arr)
    if not np.all((arr == 0) | (arr == 1)):
        raise ValueError("mask: entries must be 0 (dropped) or 1 (kept)")
    return arr


def _keep_probability(rec: Recorder, p: float, p_meaning: str) -> float:
    if p_meaning == "keep":
        return rec.note("keep", "keep probability (given as p)", p)
    return rec.step("keep", "keep probability", "1 - {p}", 1.0 - p, p=p)


@solver("dropout")
def dropout(
    x: Any,
    mask: Any,
    p: Any,
    mode: str = "train",
    form: str = "inverted",
    p_meaning: str = "drop",
    overrides: dict[str, Any] | None = None,
) -> Solution:
    """Dropout output {out}; ``mask`` (0/1, x's shape) says which units survive in training."""
    arr = validate.array(x, "x")
    mode = validate.choice(mode, "mode", MODES)
    form = validate.choice(form, "form", FORMS)
    p_meaning = validate.choice(p_meaning, "p_meaning", P_MEANINGS)
    prob = _probability(p)
    # Evaluation never uses the mask, so a template may leave it out there.
    kept = _mask(mask, arr) if (mode == "train" or mask is not None) else None

    rec = Recorder(overrides)
    keep = _keep_probability(rec, prob, p_meaning)
    if mode == "train":
        out = _train(rec, arr, kept, keep, form)
    elif form == "inverted":
        out = rec.step("out", "evaluation output (inverted dropout leaves x unchanged)", "{x}", arr, x=arr)
    else:
        out = rec.step("out", "evaluation output, scaled by the keep probability", "{x} · {keep}",
                       arr * keep, x=arr, keep=keep)
    return rec.solution(out=np.asarray(out, dtype=np.float64))


def _train(rec: Recorder, x: np.ndarray, mask: np.ndarray, keep: float, form: str) -> np.ndarray:
    if form == "times_keep":  # a slip, for the checker: the kept units multiplied by the keep probability
        return rec.step("out", "training output: drop, then multiply by the keep probability",
                        "{x} ⊙ {mask} · {keep}", x * mask * keep, x=x, mask=mask, keep=keep)
    if form == "classic":
        return rec.step("out", "training output: drop the masked units", "{x} ⊙ {mask}",
                        x * mask, x=x, mask=mask)
    if keep == 0:
        raise ValueError("inverted dropout needs a keep probability above 0 (every unit is dropped)")
    scale = rec.step("scale", "inverted-dropout scale", "1 / {keep}", 1.0 / keep, keep=keep)
    return rec.step("out", "training output: drop, then scale the kept units", "{x} ⊙ {mask} · {scale}",
                    x * mask * scale, x=x, mask=mask, scale=scale)


def _penalty_inputs(theta: Any, alpha: Any) -> tuple[np.ndarray, float]:
    arr = validate.array(theta, "theta")
    a = validate.positive(validate.scalar(alpha, "alpha"), "alpha", strict=False)
    return arr, a


@solver("l2_penalty")
def l2_penalty(
    theta: Any, alpha: Any, half: bool = False, squared: bool = True, overrides: dict[str, Any] | None = None
) -> Solution:
    """{penalty, grad}: α‖θ‖² with gradient 2αθ, or with ``half`` (α/2)‖θ‖² with gradient αθ.
    ``squared=False`` is the slip α‖θ‖ (gradient αθ/‖θ‖), for the checker."""
    arr, a = _penalty_inputs(theta, alpha)
    rec = Recorder(overrides)
    sq = rec.step("norm_sq", "squared L2 norm", "Σ {theta}²", float(np.sum(arr**2)), theta=arr)
    if not squared:
        norm = rec.step("norm", "L2 norm", "√{norm_sq}", float(np.sqrt(sq)), norm_sq=sq)
        penalty = rec.step("penalty", "penalty", "{alpha} · {norm}", a * norm, alpha=a, norm=norm)
        grad = rec.step("grad", "gradient of the penalty", "{alpha} · {theta} / {norm}", a * arr / norm,
                        alpha=a, theta=arr, norm=norm)
        return rec.solution(penalty=float(penalty), grad=np.asarray(grad, dtype=np.float64))
    if half:
        penalty = rec.step("penalty", "penalty", "{alpha}/2 · {norm_sq}", a / 2 * sq, alpha=a, norm_sq=sq)
        grad = rec.step("grad", "gradient of the penalty", "{alpha} · {theta}", a * arr, alpha=a, theta=arr)
    else:
        penalty = rec.step("penalty", "penalty", "{alpha} · {norm_sq}", a * sq, alpha=a, norm_sq=sq)
        grad = rec.step("grad", "gradient of the penalty", "2 · {alpha} · {theta}", 2 * a * arr,
                        alpha=a, theta=arr)
    return rec.solution(penalty=float(penalty), grad=np.asarray(grad, dtype=np.float64))


@solver("l1_penalty")
def l1_penalty(theta: Any, alpha: Any, absolute: bool = True, sign_of_zero: float = 0.0,
               overrides: dict[str, Any] | None = None) -> Solution:
    """{penalty, grad}: α Σ|θ| with subgradient α·sign(θ), taking 0 at θ = 0 (as PyTorch does).
    ``absolute=False`` (Σθ) and ``sign_of_zero=1`` are classic slips, for the checker."""
    arr, a = _penalty_inputs(theta, alpha)
    rec = Recorder(overrides)
    summed = np.abs(arr) if absolute else arr
    norm = rec.step("norm_l1", "L1 norm", "Σ |{theta}|" if absolute else "Σ {theta}", float(np.sum(summed)),
                    theta=arr)
    penalty = rec.step("penalty", "penalty", "{alpha} · {norm_l1}", a * norm, alpha=a, norm_l1=norm)
    signs = np.where(arr == 0, float(sign_of_zero), np.sign(arr))
    grad = rec.step("grad", "subgradient of the penalty", "{alpha} · sign({theta})", a * signs,
                    alpha=a, theta=arr)
    return rec.solution(penalty=float(penalty), grad=np.asarray(grad, dtype=np.float64))
