"""Playground data sets and input features, checked against their geometric definitions."""

import numpy as np
import pytest

from quizapp.playground.datasets import DATASETS, make_dataset
from quizapp.playground.features import FEATURES, feature_matrix, parse_features


def _all(ds):
    return np.concatenate([ds.X_train, ds.X_test]), np.concatenate([ds.y_train, ds.y_test])


@pytest.mark.parametrize("name", DATASETS)
def test_shapes_labels_split_and_extent_without_noise(name):
    ds = make_dataset(name, n_points=120, noise=0.2, train_ratio=0.3, rng=5)
    assert ds.X_train.shape == (36, 2) and ds.X_test.shape == (84, 2)
    assert ds.y_train.shape == (36,) and ds.y_test.shape == (84,)
    X, y = _all(ds)
    assert set(np.unique(y)) == {0, 1}
    X0, _ = _all(make_dataset(name, n_points=120, noise=0.0, rng=5))
    assert np.all(np.abs(X0) <= 6.0)


@pytest.mark.parametrize("name", DATASETS)
def test_same_seed_same_points_other_seed_other_points(name):
    a, b, c = (make_dataset(name, 60, 0.1, 0.5, rng=s) for s in (3, 3, 4))
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.X_train, c.X_train)


def test_xor_labels_are_the_quadrant_rule_without_noise_and_flip_with_it():
    X, y = _all(make_dataset("xor", 400, 0.0, rng=1))
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] >= 0).astype(int))
    assert np.all(np.abs(X) >= 0.3)  # the Playground's padding keeps points off the axes
    Xn, yn = _all(make_dataset("xor", 400, 0.5, rng=1))
    flipped = np.mean(yn != (Xn[:, 0] * Xn[:, 1] >= 0))
    assert 0.05 < flipped < 0.5


def test_circle_inside_radius_2_5_is_class_1_and_there_is_a_gap():
    X, y = _all(make_dataset("circle", 400, 0.0, rng=2))
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_array_equal(y, (r < 2.5).astype(int))
    assert not np.any((r > 2.5) & (r < 3.5))
    assert abs(y.mean() - 0.5) < 1e-12


def test_gauss_blobs_sit_at_plus_and_minus_two():
    X, y = _all(make_dataset("gauss", 1000, 0.0, rng=3))
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [2, 2], atol=0.1)
    np.testing.assert_allclose(X[y == 0].mean(axis=0), [-2, -2], atol=0.1)
    np.testing.assert_allclose(X[y == 1].var(axis=0), [0.5, 0.5], rtol=0.15)


def test_spiral_arms_follow_angle_proportional_to_radius():
    X, y = _all(make_dataset("spiral", 200, 0.0, rng=4))
    r = np.hypot(X[:, 0], X[:, 1])
    angle = np.arctan2(X[:, 0], X[:, 1])  # x = r sin t, y = r cos t
    expected = 1.75 * 2 * np.pi * r / 5 + np.where(y == 1, 0.0, np.pi)
    wrapped = np.angle(np.exp(1j * (angle - expected)))
    keep = r > 1e-9  # the angle of the centre point is undefined
    np.testing.assert_allclose(wrapped[keep], 0.0, atol=1e-9)


def test_moons_lie_on_their_unit_half_circles():
    X, y = _all(make_dataset("moons", 200, 0.0, rng=5))
    unit = X / 3.2 + [0.5, 0.25]
    outer, inner = unit[y == 0], unit[y == 1]
    np.testing.assert_allclose(np.hypot(*outer.T), 1.0, atol=1e-12)
    assert np.all(outer[:, 1] >= -1e-12)
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1, inner[:, 1] - 0.5), 1.0, atol=1e-12)
    assert np.all(inner[:, 1] <= 0.5 + 1e-12)


@pytest.mark.parametrize("kwargs, message", [
    ({"name": "ring"}, "unknown dataset"),
    ({"n_points": 2}, "points"),
    ({"noise": -0.1}, "noise"),
    ({"noise": float("nan")}, "noise"),
    ({"train_ratio": 0.95}, "train_ratio"),
])
def test_bad_data_settings_are_named(kwargs, message):
    args = {"name": "xor", "n_points": 50, "noise": 0.0, "train_ratio": 0.5} | kwargs
    with pytest.raises(ValueError, match=message):
        make_dataset(**args)


def test_feature_values():
    P = np.array([[1.5, -2.0], [0.0, 3.0]])
    F = feature_matrix(P, list(FEATURES))
    a, b = P[:, 0], P[:, 1]
    expected = np.column_stack([a, b, a**2, b**2, a * b, np.sin(a), np.sin(b)])
    np.testing.assert_allclose(F, expected, rtol=0, atol=1e-15)


def test_feature_aliases_and_canonical_order():
    assert parse_features("sin(x2), X1^2 ,x1") == ("x1", "x1sq", "sinx2")
    assert parse_features(["x₁x₂", "x2²", "sin x1"]) == ("x2sq", "x1x2", "sinx1")
    with pytest.raises(ValueError, match="unknown feature 'x3'"):
        parse_features("x1,x3")
    with pytest.raises(ValueError, match="at least one"):
        parse_features(" , ")
