"""kNN over k by hand (conventions.md, "Classic classifiers"): grow k until + has a strict majority."""

from __future__ import annotations

from tests.oracles.base import honest, mistake, mistakes


def _sorted_labels(p):
    xs, ys, q = p["train_x"], p["train_y"], p["query"]
    order = sorted(range(len(xs)), key=lambda i: (abs(xs[i] - q), i))
    return [int(ys[i]) for i in order]


def _smallest_k(p, wins):
    plus = minus = 0
    for k, label in enumerate(_sorted_labels(p), start=1):
        plus, minus = plus + (label > 0), minus + (label < 0)
        if wins(plus, minus, label):
            return k
    raise AssertionError("the template promises a k that makes the label +")


@honest("knn-smallest-k")
def knn_smallest_k(p, r):
    # A tie goes to the class of the nearest point, which the template makes -: + needs more votes.
    return {"k": _smallest_k(p, lambda plus, minus, label: plus > minus)}


@mistakes("knn-smallest-k")
def knn_smallest_k_mistakes(p):
    return {
        "tie-as-plus": mistake(k=_smallest_k(p, lambda plus, minus, label: plus >= minus)),
        "first-plus-neighbour": mistake(k=_smallest_k(p, lambda plus, minus, label: label > 0)),
    }
