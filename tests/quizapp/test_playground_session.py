"""The playground session: it learns what the Playground learns, steps like PyTorch, and replays by seed."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from quizapp.playground import render
from quizapp.playground.features import feature_matrix
from quizapp.playground.network import Dropout
from quizapp.playground.session import PlaygroundSession, Settings

ALL_FEATURES = ("x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2")
NP_ACT = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0), "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
          "linear": lambda z: z}


def _numpy_forward(session, F_in):
    """Hidden outputs and logits, written out in NumPy from the session's current weights."""
    h, hidden = F_in, []
    for linear, act, _ in session.net.blocks:
        h = NP_ACT[act.name](h @ linear.W.data + linear.b.data)
        hidden.append(h)
    return hidden, (h @ session.net.output.W.data + session.net.output.b.data).ravel()


def _bce(z, y):
    p = 1 / (1 + np.exp(-z))
    return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))


# ----- learns what the Playground learns ------------------------------------------------------

def test_xor_with_one_hidden_layer_of_4_tanh_reaches_100_percent():
    s = PlaygroundSession(dataset="xor", hidden=(4,), activation="tanh", optimizer="adam", lr=0.05, batch_size=0,
                          seed=1)
    assert s.step(800).train_accuracy == 1.0


def test_circle_with_squares_and_no_hidden_layer_reaches_95_percent():
    st = PlaygroundSession(dataset="circle", hidden=(), features=("x1sq", "x2sq")).step(300)
    assert st.train_accuracy >= 0.95 and st.test_accuracy >= 0.95


@pytest.mark.parametrize("lr", [0.03, 0.3])
def test_xor_without_hidden_layer_on_x1_x2_cannot_be_learned(lr):
    st = PlaygroundSession(dataset="xor", hidden=(), features=("x1", "x2"), lr=lr).step(400)
    assert st.train_accuracy <= 0.75


@pytest.mark.parametrize("settings, steps", [
    ({"dataset": "gauss", "hidden": ()}, 200),
    ({"dataset": "moons", "hidden": (8, 8)}, 400),
    ({"dataset": "spiral", "hidden": (8, 8), "features": ALL_FEATURES, "batch_size": 0}, 800),
])
def test_other_data_sets_are_learned(settings, steps):
    assert PlaygroundSession(**settings).step(steps).train_accuracy >= 0.95


# ----- one step is the step PyTorch takes ------------------------------------------------------

def _torch_optimizer(name, params, lr):
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=0.9)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr)
    return torch.optim.RMSprop(params, lr=lr, alpha=0.99, eps=1e-8)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam", "rmsprop"])
def test_full_batch_steps_with_penalties_match_torch(optimizer):
    s = PlaygroundSession(dataset="circle", points=40, hidden=(3, 2), activation="tanh", features=("x1", "x2", "x1sq"),
                optimizer=optimizer, lr=0.05, l1=0.003, l2=0.01, batch_size=0, seed=7)
    params = [torch.tensor(np.array(p.data), requires_grad=True) for p in s.net.parameters()]
    X = s.data.X_train
    feats = torch.tensor(np.column_stack([X[:, 0], X[:, 1], X[:, 0] ** 2]))
    y = torch.tensor(s.data.y_train, dtype=torch.float64)
    opt = _torch_optimizer(optimizer, params, 0.05)
    for _ in range(3):
        opt.zero_grad()
        h = feats
        for W, b in zip(params[:-2:2], params[1:-2:2]):
            h = torch.tanh(h @ W + b)
        z = (h @ params[-2] + params[-1]).reshape(-1)
        weights = params[0::2]
        loss = (F.binary_cross_entropy_with_logits(z, y) + 0.003 * sum(W.abs().sum() for W in weights)
                + 0.01 * sum((W * W).sum() for W in weights))
        loss.backward()
        opt.step()
    s.step(3)
    for ours, theirs in zip(s.net.parameters(), params):
        np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-10, atol=1e-13)


def test_reported_losses_and_accuracy_are_the_data_loss_on_each_set():
    s = PlaygroundSession(dataset="moons", hidden=(5,), activation="relu", features=("x1", "x2", "sinx1"), l2=0.1,
                          seed=3)
    st = s.step(25)
    for X, y, loss, acc in ((s.data.X_train, s.data.y_train, st.train_loss, st.train_accuracy),
                            (s.data.X_test, s.data.y_test, st.test_loss, st.test_accuracy)):
        _, z = _numpy_forward(s, np.column_stack([X[:, 0], X[:, 1], np.sin(X[:, 0])]))
        assert loss == pytest.approx(_bce(z, y), rel=1e-12)  # no penalty in the reported loss
        assert acc == pytest.approx(np.mean((z > 0) == (y == 1)))
    assert len(st.train_losses) == len(st.test_losses) == 26  # step 0 included


def test_epoch_counts_training_points_seen():
    s = PlaygroundSession(points=100, train_ratio=0.4, batch_size=8)
    assert s.step(10).epoch == pytest.approx(10 * 8 / 40)
    assert PlaygroundSession(batch_size=0).step(3).epoch == 3.0


# ----- fields over the plane ----------------------------------------------------------------

def test_field_is_the_predicted_probability_at_pixel_centres_top_row_first():
    s = PlaygroundSession(dataset="circle", hidden=(4, 3), features=("x1", "x2", "x1x2"), seed=2)
    s.step(20)
    field = s.field((5, 4))
    xs = -6 + (np.arange(5) + 0.5) * 12 / 5
    ys = 6 - (np.arange(4) + 0.5) * 12 / 4  # row 0 is the top of the plane
    gx, gy = np.meshgrid(xs, ys)
    P = np.column_stack([gx.ravel(), gy.ravel()])
    _, z = _numpy_forward(s, np.column_stack([P[:, 0], P[:, 1], P[:, 0] * P[:, 1]]))
    np.testing.assert_allclose(field, (1 / (1 + np.exp(-z))).reshape(4, 5), rtol=1e-12)


def test_neuron_fields_are_each_hidden_units_output():
    s = PlaygroundSession(hidden=(3, 2), activation="sigmoid", seed=4)
    s.step(5)
    fields = s.neuron_fields(6)
    xs = -6 + (np.arange(6) + 0.5) * 2
    gx, gy = np.meshgrid(xs, xs[::-1])
    hidden, _ = _numpy_forward(s, np.column_stack([gx.ravel(), gy.ravel()]))
    assert [f.shape for f in fields] == [(3, 6, 6), (2, 6, 6)]
    np.testing.assert_allclose(fields[1][1], hidden[1][:, 1].reshape(6, 6), rtol=1e-12)
    np.testing.assert_array_equal(s.neuron_field(0, 2, 6), fields[0][2])
    with pytest.raises(ValueError, match="no hidden neuron 2 in layer 1"):
        s.neuron_field(1, 2, 6)


# ----- same seed, same run --------------------------------------------------------------------

def test_same_seed_same_run_and_reset_replays_it():
    kwargs = {"dataset": "spiral", "hidden": (4, 4), "dropout": 0.2, "noise": 0.1, "seed": 11}
    a, b = PlaygroundSession(**kwargs), PlaygroundSession(**kwargs)
    first = a.step(30)
    assert first == b.step(30)
    np.testing.assert_array_equal(a.field(8), b.field(8))
    a.reset()
    assert a.state.step == 0
    assert a.step(30) == first
    assert PlaygroundSession(**(kwargs | {"seed": 12})).step(30).train_losses != first.train_losses


def test_batch_size_does_not_change_data_or_initial_weights():
    a, b = PlaygroundSession(batch_size=5), PlaygroundSession(batch_size=0)
    np.testing.assert_array_equal(a.data.X_train, b.data.X_train)
    for p, q in zip(a.net.parameters(), b.net.parameters()):
        np.testing.assert_array_equal(p.data, q.data)


def test_reset_with_new_settings_keeps_data_unless_a_data_setting_changes():
    s = PlaygroundSession(dataset="xor", seed=3)
    X = s.data.X_train
    s.reset(hidden=(2,), lr=0.1)
    assert s.settings.hidden == (2,) and s.data.X_train is X
    s.reset(noise=0.2)
    assert s.data.X_train is not X


# ----- dropout and penalties --------------------------------------------------------------------

def test_dropout_is_inverted_and_only_in_training():
    drop = Dropout(0.25, np.random.default_rng(0))
    x = np.ones((400, 50))
    assert np.array_equal(drop(x).data, x)  # evaluation: identity
    drop.training = True
    out = drop(x).data
    assert set(np.unique(out)) == {0.0, 1 / 0.75}
    assert np.mean(out == 0) == pytest.approx(0.25, abs=0.01)


def test_strong_l1_drives_weights_towards_zero():
    plain = PlaygroundSession(dataset="circle", hidden=(6,), seed=5)
    sparse = PlaygroundSession(dataset="circle", hidden=(6,), l1=0.05, seed=5)
    plain.step(300), sparse.step(300)
    size = [np.mean(np.abs(np.concatenate([W.data.ravel() for W in s.net.weights()]))) for s in (plain, sparse)]
    assert size[1] < 0.5 * size[0]


# ----- divergence, threads, bad settings ----------------------------------------------------------

def test_divergence_is_reported_and_training_stops():
    s = PlaygroundSession(dataset="moons", hidden=(4,), activation="linear", optimizer="sgd", lr=10.0, seed=1)
    st = s.step(300)
    assert st.diverged and st.step < 300
    assert not np.isfinite(st.train_losses[-1])
    assert s.step(10).step == st.step
    assert st.to_dict()["train_loss"] is None  # NaN would not be valid JSON


def test_training_in_a_worker_while_reading_fields():
    s = PlaygroundSession(hidden=(8, 8))
    worker = threading.Thread(target=s.step, args=(200,))
    worker.start()
    frames = 0
    while worker.is_alive():
        assert s.field((16, 8)).shape == (8, 16)
        assert s.state.step <= 200
        frames += 1
    worker.join()
    assert s.state.step == 200 and len(s.state.train_losses) == 201
    assert frames > 0


class CountingLock:
    """Stands in for a session's lock: counts the training updates made while ``reader`` waits."""

    def __init__(self, lock: Any, reader: threading.Thread) -> None:
        self._lock, self._reader = lock, reader
        self.updates = 0
        self.waits: list[int] = []  # for each read, the updates that went first

    def __enter__(self) -> CountingLock:
        reading = threading.current_thread() is self._reader
        before = self.updates
        self._lock.acquire()
        if reading:
            self.waits.append(self.updates - before)
        else:
            self.updates += 1
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


def test_a_reader_is_not_starved_by_the_training_thread():
    """The UI must never freeze: a reader waits for about one update, counted in updates rather
    than seconds (the time a redraw waits is measured in benchmarks/bench_playground.py)."""
    s = PlaygroundSession(dataset="spiral", hidden=(8, 8))
    lock = s._lock = CountingLock(s._lock, threading.current_thread())  # the session's only lock
    done = threading.Event()
    worker = threading.Thread(target=s.step, args=(10**9,), kwargs={"stop": done.is_set})
    worker.start()
    try:
        for _ in range(30):  # as a UI redraws: read the field, then work on it outside the lock
            field = s.field((64, 48))
            render.to_text(render.field_lines(field))
    finally:
        done.set()
        worker.join()
    # Measured: 0 for nearly every read, 8 at worst on a loaded machine; a trainer that never let
    # a reader in between updates made reads wait for hundreds.
    assert sorted(lock.waits)[len(lock.waits) // 2] <= 1, lock.waits
    assert max(lock.waits) <= 50, lock.waits
    assert s.state.step > 30


def test_stop_callback_ends_a_long_step():
    s = PlaygroundSession()
    calls = iter(range(10**6))
    assert s.step(1000, stop=lambda: next(calls) >= 7).step == 7


@pytest.mark.parametrize("changes, message", [
    ({"hidden": (9,)}, "hidden"),
    ({"hidden": (4,) * 7}, "hidden"),
    ({"optimizer": "lbfgs"}, "unknown optimizer"),
    ({"activation": "gelu"}, "unknown activation"),
    ({"lr": 0.0}, "lr"),
    ({"l2": -1.0}, "l2"),
    ({"dropout": 1.0}, "dropout"),
    ({"batch_size": -1}, "batch_size"),
    ({"features": ("x9",)}, "unknown feature"),
])
def test_bad_settings_are_named(changes, message):
    with pytest.raises(ValueError, match=message):
        Settings(**changes)


def test_settings_normalise_features_and_hidden():
    s = Settings(features=["sin(x1)", "x1"], hidden=[3, 2])
    assert s.features == ("x1", "sinx1") and s.hidden == (3, 2)
    assert s.to_dict()["features"] == ["x1", "sinx1"]
    np.testing.assert_array_equal(feature_matrix(np.array([[0.5, 1.0]]), s.features), [[0.5, np.sin(0.5)]])
