"""knn-smallest-k over 500 seeds against scikit-style brute force: a kNN vote run for every k."""

from __future__ import annotations

from collections import Counter

import numpy as np

from question_bank.bank import load_bank

BANK = load_bank(environ={})


def knn_label(xs, ys, q, k) -> int:
    """Majority of the k nearest; a tied vote goes to the class of the nearest point."""
    order = np.argsort(np.abs(np.asarray(xs, dtype=float) - q), kind="stable")[:k]
    votes = Counter(int(ys[i]) for i in order).most_common()
    if len(votes) > 1 and votes[0][1] == votes[1][1]:
        return int(ys[order[0]])
    return votes[0][0]


def test_smallest_k_is_the_first_k_labelled_plus():
    seen = set()
    for seed in range(500):
        q = BANK.instantiate("knn-smallest-k", seed)
        p = q.params
        labels = [knn_label(p["train_x"], p["train_y"], p["query"], k) for k in range(1, 8)]
        assert labels[0] == -1, q.id
        assert q.expected["k"] == labels.index(1) + 1, q.id
        seen.add(q.text())
    assert len(seen) >= 200
