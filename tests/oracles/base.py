"""The oracle registry and the helpers every oracle shares.

An oracle is the independent side of the grading tests: the computation a student does on paper,
written here from the formulas in conventions.md, never by calling ``solvers``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

MISTAKE = "mistake"
CONVENTION = "convention"

Rounder = Callable[[Any], Any]
Params = Mapping[str, Any]
Parts = dict[str, Any]
Mistakes = dict[str, tuple[str, Parts]]


@dataclass
class Oracle:
    """``honest(params, r)``: the right answers, ``r`` applied to every written intermediate.
    ``mistakes(params)``: id -> (kind, the parts that mistake changes).
    ``givens(params)``: part -> the given or previous values a non-answer would repeat."""

    template: str
    honest: Callable[[Params, Rounder], Parts] | None = None
    mistakes: Callable[[Params], Mistakes] = lambda p: {}
    givens: Callable[[Params], dict[str, list[Any]]] = lambda p: {}


ORACLES: dict[str, Oracle] = {}


def _entry(template: str) -> Oracle:
    return ORACLES.setdefault(template, Oracle(template))


def honest(template: str):
    def register(fn):
        _entry(template).honest = fn
        return fn
    return register


def mistakes(template: str):
    def register(fn):
        _entry(template).mistakes = fn
        return fn
    return register


def givens(template: str):
    def register(fn):
        _entry(template).givens = fn
        return fn
    return register


def identity(x: Any) -> Any:
    return x


def round_sig(x: Any, figures: int = 3) -> Any:
    """``x`` rounded to ``figures`` significant figures, entry by entry (what a student writes)."""
    if isinstance(x, np.ndarray):
        return np.vectorize(lambda v: _round1(float(v), figures), otypes=[float])(x) if x.size else x
    return _round1(float(x), figures)


def _round1(v: float, figures: int) -> float:
    if v == 0 or not math.isfinite(v):
        return v
    # Formatting rounds the decimal expansion, as a person does (no binary-scaling artefacts).
    return float(f"{v:.{figures}g}")


def arr(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=float)


def sigmoid(x: Any) -> Any:
    return 1.0 / (1.0 + np.exp(-arr(x)))


def mistake(**parts: Any) -> tuple[str, Parts]:
    return MISTAKE, parts


def convention(**parts: Any) -> tuple[str, Parts]:
    return CONVENTION, parts
