"""Two-class data sets on the plane, generated as the TensorFlow Playground does, reproducible by seed.

Points are generated in about [-5, 5]², inside the drawn square [-6, 6]² (``plane.EXTENT``), with
labels 0/1 (the Playground's -1/+1). ``noise`` is the Playground's slider divided by 100 (0 to
0.5 there; we allow up to 1). For xor and circle the Playground adds the noise to a point only to
pick its label, so noise flips labels near the boundary rather than moving points: we do the same.
Moons is not in the Playground; it is scikit-learn's ``make_moons`` scaled to the same extent.
Gaussian noise (gauss, moons) can carry a few points past the square, as in the Playground.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from solvers.validate import choice, scalar

RADIUS = 5.0  # data are generated inside this radius, as in the Playground
DATASETS = ("xor", "circle", "gauss", "moons", "spiral")
MAX_POINTS = 5000


@dataclass(frozen=True)
class DataSet:
    """Points (n, 2) and labels (n,) of int 0/1, split into training and test parts."""

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


Generator = Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]


def _xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    padding = 0.3  # keeps points off the axes, where the label flips
    X = rng.uniform(-RADIUS, RADIUS, (n, 2))
    X += np.where(X > 0, padding, -padding)
    shifted = X + rng.uniform(-RADIUS, RADIUS, (n, 2)) * noise
    return X, (shifted[:, 0] * shifted[:, 1] >= 0).astype(np.int64)


def _circle(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    n_in = n // 2
    r = np.concatenate([rng.uniform(0, RADIUS * 0.5, n_in), rng.uniform(RADIUS * 0.7, RADIUS, n - n_in)])
    angle = rng.uniform(0, 2 * np.pi, n)
    X = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    shifted = X + rng.uniform(-RADIUS, RADIUS, (n, 2)) * noise
    return X, (np.hypot(shifted[:, 0], shifted[:, 1]) < RADIUS * 0.5).astype(np.int64)


def _gauss(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    variance = 0.5 + 7.0 * noise  # the Playground maps noise 0..0.5 linearly to variance 0.5..4
    n_pos = n // 2
    y = np.concatenate([np.ones(n_pos, np.int64), np.zeros(n - n_pos, np.int64)])
    centre = np.where(y[:, None] == 1, 2.0, -2.0)
    return centre + rng.normal(0.0, np.sqrt(variance), (n, 2)), y


def _spiral(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    arms = []
    for label, delta, count in ((1, 0.0, n // 2), (0, np.pi, n - n // 2)):
        i = np.arange(count) / max(count, 1)
        r = i * RADIUS
        t = 1.75 * i * 2 * np.pi + delta
        xy = np.column_stack([r * np.sin(t), r * np.cos(t)]) + rng.uniform(-1, 1, (count, 2)) * noise
        arms.append((xy, np.full(count, label, np.int64)))
    return np.concatenate([a[0] for a in arms]), np.concatenate([a[1] for a in arms])


def _moons(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    n_outer = n // 2
    t = rng.uniform(0, np.pi, n)
    outer = np.column_stack([np.cos(t[:n_outer]), np.sin(t[:n_outer])])
    inner = np.column_stack([1 - np.cos(t[n_outer:]), 0.5 - np.sin(t[n_outer:])])
    X = np.concatenate([outer, inner]) + rng.normal(0.0, 1.0, (n, 2)) * noise
    y = np.concatenate([np.zeros(n_outer, np.int64), np.ones(n - n_outer, np.int64)])
    # the moons span x in [-1, 2], y in [-0.5, 1]: centre them and stretch to the plane
    return (X - [0.5, 0.25]) * 3.2, y


GENERATORS: dict[str, Generator] = {
    "xor": _xor, "circle": _circle, "gauss": _gauss, "moons": _moons, "spiral": _spiral,
}


def check(name: str, n_points: int, noise: float, train_ratio: float) -> None:
    """ValueError naming the first bad data setting."""
    choice(name, "dataset", DATASETS)
    if not isinstance(n_points, (int, np.integer)) or not 4 <= n_points <= MAX_POINTS:
        raise ValueError(f"points must be a whole number from 4 to {MAX_POINTS}, got {n_points!r}")
    if not 0.0 <= scalar(noise, "noise") <= 1.0:
        raise ValueError(f"noise must be in [0, 1], got {noise}")
    if not 0.1 <= scalar(train_ratio, "train_ratio") <= 0.9:
        raise ValueError(f"train_ratio must be in [0.1, 0.9] (the Playground's 10% to 90%), got {train_ratio}")


def make_dataset(
    name: str, n_points: int = 200, noise: float = 0.0, train_ratio: float = 0.5,
    rng: np.random.Generator | int = 0,
) -> DataSet:
    """``n_points`` points of data set ``name``, shuffled and split ``train_ratio`` : rest."""
    check(name, n_points, noise, train_ratio)
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    X, y = GENERATORS[name](int(n_points), float(noise), rng)
    order = rng.permutation(len(X))
    X, y = X[order], y[order]
    split = int(np.floor(len(X) * train_ratio))
    return DataSet(name, X[:split], y[:split], X[split:], y[split:])
