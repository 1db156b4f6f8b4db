"""k-nearest-neighbour classification with the course's tie rules.

Ties in distance: the lower training index comes first. Ties in the vote: among the classes with
the most votes, the one whose nearest member (first in neighbour order) is closest wins.
The plain helpers let a template sampler reject parameters that would hit a tie.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from solvers import validate
from solvers.registry import solver
from solvers.steps import Recorder, Solution

METRICS = ("l1", "l2")
_TEMPLATES = {"l1": "Σ |{x} - {query}|", "l2": "√Σ ({x} - {query})²"}
# Distances equal up to rounding count as tied (√2 computed two ways may differ in the last bit).
_REL_TOL = 1e-9


def _inputs(train_x: Any, query: Any, metric: str) -> tuple[np.ndarray, np.ndarray]:
    validate.choice(metric, "metric", METRICS)
    xs = validate.array(train_x, "train_x", ndim=2)
    q = validate.array(query, "query", ndim=1)
    if xs.shape[0] == 0:
        raise ValueError("train_x: needs at least one training point")
    if xs.shape[1] != q.shape[0]:
        raise ValueError(f"mismatched shapes: train_x has {xs.shape[1]} features, query has {q.shape[0]}")
    return xs, q


def _labels(train_y: Any, n: int) -> list[int]:
    ys = validate.array(train_y, "train_y", ndim=1)
    if ys.shape[0] != n:
        raise ValueError(f"mismatched shapes: train_x has {n} points, train_y has {ys.shape[0]} labels")
    if not np.all(ys == np.round(ys)):
        raise ValueError("train_y: labels must be whole numbers")
    return [int(y) for y in ys]


def _k(k: Any, n: int) -> int:
    value = validate.scalar(k, "k")
    if value != int(value) or not 1 <= value <= n:
        raise ValueError(f"k must be a whole number from 1 to {n} (the number of training points), got {k}")
    return int(value)


def _distance(a: np.ndarray, b: np.ndarray, metric: str) -> float:
    diff = a - b
    if metric == "l1":
        return float(np.sum(np.abs(diff)))
    return float(np.sqrt(np.sum(diff**2)))


def _tied(a: float, b: float) -> bool:
    return abs(a - b) <= _REL_TOL * max(1.0, abs(a), abs(b))


def distances(train_x: Any, query: Any, metric: str = "l2") -> np.ndarray:
    """Distance from ``query`` to every training point (L1: Σ|a-b|, L2: √Σ(a-b)²)."""
    xs, q = _inputs(train_x, query, metric)
    return np.array([_distance(x, q, metric) for x in xs])


def order(dists: Any) -> list[int]:
    """Training indices nearest first; distances tied up to rounding keep index order."""
    d = np.asarray(dists, dtype=np.float64)
    by_distance = sorted(range(len(d)), key=lambda i: (d[i], i))
    # Give every run of tied distances the run's first value, then sort again by (value, index).
    rank: dict[int, float] = {}
    start = None
    for i in by_distance:
        if start is None or not _tied(d[start], d[i]):
            start = i
        rank[i] = d[start]
    return sorted(range(len(d)), key=lambda i: (rank[i], i))


def neighbours(train_x: Any, query: Any, k: int, metric: str = "l2") -> list[int]:
    """Indices of the ``k`` nearest training points, nearest first."""
    d = distances(train_x, query, metric)
    return order(d)[: _k(k, len(d))]


def votes(labels: list[int], nearest: list[int]) -> dict[int, int]:
    """Vote count per class among ``nearest``, classes listed by their nearest member."""
    counts: dict[int, int] = {}
    for i in nearest:
        counts[labels[i]] = counts.get(labels[i], 0) + 1
    return counts


def winner(counts: dict[int, int]) -> int:
    """The majority class of ``votes``; a tied vote goes to the class whose nearest member is closest.

    ``counts`` must list classes in the order they first appear among the neighbours, as
    :func:`votes` does: the first class with the top count is then the one with the closest member.
    """
    best = max(counts.values())
    return next(c for c, n in counts.items() if n == best)


def has_distance_tie(train_x: Any, query: Any, metric: str = "l2", k: int | None = None) -> bool:
    """True when two training points are equally far from ``query``.

    With ``k``, only a tie that decides which points are among the k nearest counts.
    """
    d = distances(train_x, query, metric)
    ranked = [d[i] for i in order(d)]
    if k is not None:
        k = _k(k, len(d))
        return k < len(d) and _tied(ranked[k - 1], ranked[k])
    return any(_tied(a, b) for a, b in zip(ranked[:-1], ranked[1:], strict=True))


def has_vote_tie(train_x: Any, train_y: Any, query: Any, k: int, metric: str = "l2") -> bool:
    """True when two or more classes share the highest vote count among the k nearest."""
    nearest = neighbours(train_x, query, k, metric)
    counts = votes(_labels(train_y, len(np.asarray(train_x))), nearest)
    best = max(counts.values())
    return sum(1 for n in counts.values() if n == best) > 1


@solver("knn")
def knn(
    train_x: Any,
    train_y: Any,
    query: Any,
    k: Any,
    metric: str = "l2",
    overrides: dict[str, Any] | None = None,
) -> Solution:
    """{label}: the k-NN prediction for ``query``; steps give every distance, the neighbours and votes."""
    xs, q = _inputs(train_x, query, metric)
    labels = _labels(train_y, xs.shape[0])
    k = _k(k, xs.shape[0])
    rec = Recorder(overrides)
    dists = [
        rec.step(f"distance_{i}", f"{metric.upper()} distance to training point {i}", _TEMPLATES[metric],
                 _distance(x, q, metric), x=x, query=q)
        for i, x in enumerate(xs)
    ]
    nearest = rec.note("neighbours", f"indices of the {k} nearest points, nearest first", order(dists)[:k])
    nearest = _indices(nearest, xs.shape[0])
    rec.note("neighbour_labels", "their labels", [labels[i] for i in nearest])
    counts = rec.note("votes", "votes per class", votes(labels, nearest))
    label = rec.note("label", _label_reason(counts), winner(counts))
    return rec.solution(label=int(label))


def _indices(nearest: Any, n: int) -> list[int]:
    # The neighbours may be a student's own list (error carried forward): check it is usable.
    idx = validate.array(nearest, "neighbours", ndim=1)
    if idx.size == 0 or not np.all((idx == np.round(idx)) & (idx >= 0) & (idx < n)):
        raise ValueError(f"neighbours: expected training indices from 0 to {n - 1}")
    return [int(i) for i in idx]


def _label_reason(counts: dict[int, int]) -> str:
    best = max(counts.values())
    if sum(1 for n in counts.values() if n == best) > 1:
        return "tied vote: the tied class whose nearest member is closest wins"
    return "the class with the most votes"
