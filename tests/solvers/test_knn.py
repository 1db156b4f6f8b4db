"""k-NN against a brute-force NumPy classifier written here, plus hand-made tie cases."""

from collections import Counter

import numpy as np
import pytest

from solvers.knn import distances, has_distance_tie, has_vote_tie, knn, neighbours


def _brute_force(xs, ys, q, k, metric):
    """The course rules spelled out directly: sort by (distance, index); tied vote -> closest member."""
    ord_ = 1 if metric == "l1" else 2
    d = np.linalg.norm(np.asarray(xs, float) - np.asarray(q, float), ord=ord_, axis=1)
    nearest = sorted(range(len(d)), key=lambda i: (d[i], i))[:k]
    counts = Counter(int(ys[i]) for i in nearest)
    top = max(counts.values())
    tied = [c for c in counts if counts[c] == top]
    closest = {c: min(nearest.index(i) for i in nearest if ys[i] == c) for c in tied}
    return min(tied, key=closest.get), nearest, d


@pytest.mark.parametrize("metric", ["l1", "l2"])
def test_matches_brute_force_on_random_grids(metric):
    rng = np.random.default_rng(42)
    for _ in range(60):
        n = int(rng.integers(3, 9))
        # Small integer coordinates make distance and vote ties common, exercising both rules.
        xs = rng.integers(-3, 4, size=(n, 2))
        ys = rng.integers(0, 3, size=n)
        q = rng.integers(-3, 4, size=2)
        k = int(rng.integers(1, n + 1))
        label, nearest, d = _brute_force(xs, ys, q, k, metric)
        sol = knn(train_x=xs.tolist(), train_y=ys.tolist(), query=q.tolist(), k=k, metric=metric)
        assert sol.answer["label"] == label
        assert isinstance(sol.answer["label"], int)
        assert sol.step("neighbours").value == nearest
        np.testing.assert_allclose([sol.step(f"distance_{i}").value for i in range(n)], d, rtol=1e-12)


def test_distance_tie_lower_index_first():
    xs = [[1, 0], [0, 1], [-1, 0], [3, 3]]
    ys = [5, 7, 7, 5]
    assert knn(train_x=xs, train_y=ys, query=[0, 0], k=1, metric="l2").answer["label"] == 5
    assert neighbours(xs, [0, 0], 3, "l2") == [0, 1, 2]
    assert has_distance_tie(xs, [0, 0], "l2")
    assert has_distance_tie(xs, [0, 0], "l2", k=2)  # points 1 and 2 tie across the boundary
    assert not has_distance_tie(xs, [0, 0], "l2", k=3)


def test_rounding_does_not_break_a_distance_tie():
    # |-0.1 - 0.1| = 0.2 but |0.3 - 0.1| = 0.19999999999999998 in floating point: still a tie,
    # so the lower index comes first.
    xs = [[-0.1], [0.3]]
    d = distances(xs, [0.1], "l1")
    assert d[1] < d[0]  # the rounding this test is about
    assert neighbours(xs, [0.1], 1, "l1") == [0]
    assert knn(train_x=xs, train_y=[4, 6], query=[0.1], k=1, metric="l1").answer["label"] == 4
    assert has_distance_tie(xs, [0.1], "l1", k=1)


def test_vote_tie_goes_to_the_class_with_the_closest_member():
    # Distances from the origin: 2 (class 1), 1 (class 0), 3 (class 0), 1.5 (class 1).
    xs = [[2, 0], [0, 1], [3, 0], [0, -1.5]]
    ys = [1, 0, 0, 1]
    for k in (2, 4):
        sol = knn(train_x=xs, train_y=ys, query=[0, 0], k=k, metric="l2")
        assert sol.answer["label"] == 0, k
        assert has_vote_tie(xs, ys, [0, 0], k, "l2")
    votes = knn(train_x=xs, train_y=ys, query=[0, 0], k=4, metric="l2").step("votes").value
    assert votes == {0: 2, 1: 2}
    assert knn(train_x=xs, train_y=ys, query=[0, 0], k=3, metric="l2").answer["label"] == 1
    assert not has_vote_tie(xs, ys, [0, 0], 3, "l2")


def test_metric_changes_the_answer():
    xs = [[1, 1], [1.8, 0]]  # L1: 2 vs 1.8; L2: 1.414 vs 1.8
    ys = [0, 1]
    assert knn(train_x=xs, train_y=ys, query=[0, 0], k=1, metric="l1").answer["label"] == 1
    assert knn(train_x=xs, train_y=ys, query=[0, 0], k=1, metric="l2").answer["label"] == 0
    np.testing.assert_allclose(distances(xs, [0, 0], "l2"), [np.sqrt(2), 1.8])


def test_error_carried_forward_from_neighbours():
    xs = [[0, 0], [1, 0], [5, 5]]
    ys = [0, 0, 1]
    sol = knn(train_x=xs, train_y=ys, query=[0, 0], k=1, metric="l1", overrides={"neighbours": [2]})
    assert sol.answer["label"] == 1


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"metric": "cosine"}, "metric"),
        ({"k": 0}, "k must"),
        ({"k": 4}, "k must"),
        ({"k": 1.5}, "k must"),
        ({"train_y": [0, 1]}, "labels"),
        ({"train_y": [0, 1, 0.5]}, "whole"),
        ({"query": [0, 0, 0]}, "features"),
        ({"query": [0, float("nan")]}, "NaN"),
        ({"train_x": [[0, 0], [1, 1], [2]]}, "train_x"),
    ],
)
def test_bad_input(kwargs, message):
    params = {"train_x": [[0, 0], [1, 1], [2, 2]], "train_y": [0, 1, 1], "query": [0, 1], "k": 1,
              "metric": "l2"}
    params.update(kwargs)
    with pytest.raises(ValueError, match=message):
        knn(**params)
