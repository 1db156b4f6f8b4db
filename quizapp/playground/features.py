"""The Playground's input features, computed from points on the plane.

Canonical names are shell-friendly (``x1sq``); the spellings students type (``x1^2``, ``x1²``,
``sin(x1)``, ``x1*x2``) are accepted as aliases.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

Feature = Callable[[np.ndarray, np.ndarray], np.ndarray]

FEATURES: dict[str, Feature] = {
    "x1": lambda a, b: a,
    "x2": lambda a, b: b,
    "x1sq": lambda a, b: a * a,
    "x2sq": lambda a, b: b * b,
    "x1x2": lambda a, b: a * b,
    "sinx1": lambda a, b: np.sin(a),
    "sinx2": lambda a, b: np.sin(b),
}
LABELS = {
    "x1": "x₁", "x2": "x₂", "x1sq": "x₁²", "x2sq": "x₂²", "x1x2": "x₁x₂", "sinx1": "sin x₁", "sinx2": "sin x₂",
}
_ALIASES = {
    "x1^2": "x1sq", "x1²": "x1sq", "x1*x1": "x1sq", "x2^2": "x2sq", "x2²": "x2sq", "x2*x2": "x2sq",
    "x1*x2": "x1x2", "sin(x1)": "sinx1", "sin_x1": "sinx1", "sin(x2)": "sinx2", "sin_x2": "sinx2",
}


def canonical(name: str) -> str:
    """The canonical feature name for ``name`` or one of its aliases."""
    key = "".join(str(name).split()).lower().replace("₁", "1").replace("₂", "2")
    key = _ALIASES.get(key, key)
    if key not in FEATURES:
        raise ValueError(f"unknown feature {name!r}; expected some of: {', '.join(FEATURES)}")
    return key


def parse_features(names: str | Iterable[str]) -> tuple[str, ...]:
    """Canonical names, in the Playground's order, from a comma-separated string or a list."""
    items = names.split(",") if isinstance(names, str) else list(names)
    chosen = {canonical(n) for n in items if str(n).strip()}
    if not chosen:
        raise ValueError("features: choose at least one input feature")
    return tuple(name for name in FEATURES if name in chosen)


def feature_matrix(points: np.ndarray, names: Iterable[str]) -> np.ndarray:
    """(n, len(names)) matrix of the named features of ``points`` (n, 2)."""
    a, b = points[:, 0], points[:, 1]
    return np.column_stack([FEATURES[n](a, b) for n in names]).astype(np.float64)


def label(names: Iterable[str]) -> str:
    return ", ".join(LABELS[n] for n in names)
