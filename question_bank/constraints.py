"""Named constraints a template can ask for; the sampler redraws until they hold.

Each check reads parameters by role. In YAML a check is written either with one parameter name
(``- nonzero: g``) or with a mapping from roles to parameter names or literal values
(``- no_vote_tie: {train_x: X, train_y: y, query: q, k: k, metric: l2}``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np


def _nonzero(x: Any) -> bool:
    return bool(np.all(np.asarray(x, dtype=float) != 0))


def _distinct(x: Any) -> bool:
    flat = np.asarray(x).ravel()
    return np.unique(flat).size == flat.size


def _unique_max(x: Any) -> bool:
    arr = np.asarray(x, dtype=float).ravel()
    return int(np.sum(arr == arr.max())) == 1


def _no_vote_tie(train_x: Any, train_y: Any, query: Any, k: Any, metric: str = "l2") -> bool:
    from solvers import knn  # solvers are imported lazily: loading templates stays light

    return not knn.has_vote_tie(train_x, train_y, query, int(k), metric)


def _no_distance_tie(train_x: Any, query: Any, metric: str = "l2", k: Any = None) -> bool:
    from solvers import knn

    return not knn.has_distance_tie(train_x, query, metric, None if k is None else int(k))


@dataclass(frozen=True)
class Check:
    fn: Callable[..., bool]
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    doc: str = ""


CHECKS: dict[str, Check] = {
    "nonzero": Check(_nonzero, ("x",), doc="every entry is nonzero"),
    "distinct": Check(_distinct, ("x",), doc="all entries differ"),
    "unique_max": Check(_unique_max, ("x",), doc="the largest entry is unique"),
    "no_vote_tie": Check(
        _no_vote_tie, ("train_x", "train_y", "query", "k"), ("metric",), doc="no tie in the k-NN vote"
    ),
    "no_distance_tie": Check(
        _no_distance_tie,
        ("train_x", "query"),
        ("metric", "k"),
        doc="no two training points equally far from the query (with k: none that decides the k nearest)",
    ),
}


def check_args(kind: str, args: Mapping[str, Any]) -> None:
    """A ValueError unless ``args`` gives every role ``kind`` needs and nothing else."""
    if kind not in CHECKS:
        raise ValueError(f"unknown constraint {kind!r}; expected expr or one of: {', '.join(CHECKS)}")
    check = CHECKS[kind]
    missing = [r for r in check.required if r not in args]
    extra = [r for r in args if r not in check.required + check.optional]
    if missing:
        raise ValueError(f"constraint {kind} needs {', '.join(missing)}")
    if extra:
        raise ValueError(f"constraint {kind} does not take {', '.join(extra)}")


def holds(kind: str, args: Mapping[str, Any], params: Mapping[str, Any]) -> bool:
    """Whether the named check passes; a role given as a parameter name reads that parameter."""
    resolved = {role: params[v] if isinstance(v, str) and v in params else v for role, v in args.items()}
    return bool(CHECKS[kind].fn(**resolved))
