"""kNN over k: the smallest k for which a query's label becomes + (issue 14, item 5).

Points on a line, labels +1 / -1, distance |x - query|. The vote among the k nearest is won by
a strict majority: a tied vote goes to the class whose nearest member is closest (conventions.md,
"Classic classifiers"), and the templates draw the nearest neighbour from class -1, so a tie
keeps the label at -1.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from solvers.registry import solver
from solvers.steps import Recorder, Solution
from solvers.validate import array, choice, same_shape, scalar

READINGS = ("majority", "tie-as-plus", "first-plus")  # the rule, and two misreadings of it


def _becomes_plus(tally: np.ndarray, labels: np.ndarray, reading: str) -> int:
    """The first k (1-based) the reading calls +; 0 when none does."""
    if reading == "first-plus":  # "becomes +" read as "a + neighbour appears"
        hits = np.flatnonzero(labels > 0)
    else:
        hits = np.flatnonzero(tally > 0 if reading == "majority" else tally >= 0)
    return int(hits[0]) + 1 if hits.size else 0


@solver("knn_smallest_k")
def knn_smallest_k(train_x: Any, train_y: Any, query: Any, reading: str = "majority",
                   overrides: Mapping[str, Any] | None = None) -> Solution:
    """{k}: the smallest k whose vote among the k nearest is +; steps distances, order, tally."""
    xs, ys = array(train_x, "train_x", ndim=1), array(train_y, "train_y", ndim=1)
    same_shape(train_x=xs, train_y=ys)
    if not np.all(np.isin(ys, (-1.0, 1.0))):
        raise ValueError("train_y: every label must be +1 or -1")
    q, reading = scalar(query, "query"), choice(reading, "reading", READINGS)
    rec = Recorder(overrides)
    d = rec.step("distances", "distance of each training point to the query", "|{x} - {q}|",
                 np.abs(xs - q), x=xs, q=q)
    order = np.argsort(d, kind="stable")  # equal distances: the lower index first
    labels = rec.note("labels", "labels from the nearest to the farthest", ys[order].astype(int))
    tally = rec.note("tally", "votes for + minus votes for - among the k nearest, k = 1, 2, …",
                     np.cumsum(labels).astype(int))
    k = _becomes_plus(np.asarray(tally), np.asarray(labels), reading)
    if k == 0:
        raise ValueError("no k makes the label + (class -1 has the majority of all points)")
    return rec.solution(k=k)
