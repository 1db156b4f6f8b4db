"""Input checks shared by every solver: every bad input is a ValueError that names the problem."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np


def array(value: Any, name: str, ndim: int | None = None) -> np.ndarray:
    """``value`` as a finite float64 array; ``name`` is used in the message when it is not."""
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: not a number or a regular array of numbers ({exc})") from None
    if ndim is not None and arr.ndim != ndim:
        kinds = {0: "a number", 1: "a vector", 2: "a matrix"}
        raise ValueError(f"{name}: expected {kinds.get(ndim, f'{ndim}-d array')}, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name}: contains NaN or infinite values")
    return arr


def scalar(value: Any, name: str) -> float:
    if type(value) in (float, int):  # the common case, without an array (solvers are re-run many times)
        number = float(value)
        if math.isfinite(number):
            return number
    return float(array(value, name, ndim=0))


def same_shape(**arrays: np.ndarray) -> None:
    """All arrays share one shape, or a ValueError lists them."""
    shapes = {k: np.shape(v) for k, v in arrays.items()}
    if len(set(shapes.values())) > 1:
        listed = ", ".join(f"{k} {s}" for k, s in shapes.items())
        raise ValueError(f"mismatched shapes: {listed}")


def choice(value: str, name: str, allowed: Iterable[str]) -> str:
    """A convention or option name that must be one of ``allowed``."""
    allowed = list(allowed)
    if value not in allowed:
        raise ValueError(f"unknown {name} {value!r}; expected one of: {', '.join(allowed)}")
    return value


def positive(value: float, name: str, strict: bool = True) -> float:
    if value < 0 or (strict and value == 0):
        raise ValueError(f"{name} must be {'positive' if strict else 'non-negative'}, got {value}")
    return value
