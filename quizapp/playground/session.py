"""A training session a UI (or the command line) drives: settings, step, reset, state, fields.

One optimizer update is one *step*; the *epoch* is the number of training points seen divided
by the training-set size, as the Playground counts it. After every step the session evaluates
the data loss (binary cross-entropy, without the L1/L2 penalty, without dropout) and the
accuracy on the full training and test sets, as the Playground's loss curves do.

Thread safety: a UI trains from a worker thread and reads ``state`` and the fields from its own;
every public method takes the session's lock, and ``step(n)`` releases it between updates, so a
reader waits for one update at most.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from quizapp.playground import features as feats
from quizapp.playground import plane
from quizapp.playground.datasets import DataSet, check, make_dataset
from quizapp.playground.network import ACTIVATIONS, MAX_LAYERS, MAX_UNITS, PlaygroundNet
from solvers import optim
from solvers.nn import bce_with_logits_loss
from solvers.tensor import Tensor
from solvers.train import train
from solvers.validate import choice, scalar

OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop")
MOMENTUM = 0.9


@dataclass(frozen=True)
class Settings:
    """Everything the Playground's controls set; ``batch_size=0`` is the full batch."""

    dataset: str = "xor"
    points: int = 200
    noise: float = 0.0
    train_ratio: float = 0.5
    features: tuple[str, ...] = ("x1", "x2")
    hidden: tuple[int, ...] = (4, 2)
    activation: str = "tanh"
    optimizer: str = "adam"
    lr: float = 0.03
    l1: float = 0.0
    l2: float = 0.0
    batch_size: int = 10
    dropout: float = 0.0
    seed: int = 1

    def __post_init__(self) -> None:
        check(self.dataset, self.points, self.noise, self.train_ratio)
        object.__setattr__(self, "features", feats.parse_features(self.features))
        object.__setattr__(self, "hidden", _hidden(self.hidden))
        choice(self.activation, "activation", ACTIVATIONS)
        choice(self.optimizer, "optimizer", OPTIMIZERS)
        if not scalar(self.lr, "lr") > 0:
            raise ValueError(f"lr must be positive, got {self.lr}")
        for name in ("l1", "l2"):
            if not scalar(getattr(self, name), name) >= 0:
                raise ValueError(f"{name} must be non-negative, got {getattr(self, name)}")
        if not 0 <= scalar(self.dropout, "dropout") < 1:
            raise ValueError(f"dropout must be in [0, 1) (the probability of dropping), got {self.dropout}")
        for name in ("batch_size", "seed"):
            value = getattr(self, name)
            if not isinstance(value, (int, np.integer)) or value < 0:
                raise ValueError(f"{name} must be a non-negative whole number, got {value!r}")

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["features"], d["hidden"] = list(self.features), list(self.hidden)
        return d

    def describe(self) -> str:
        """One line a student can read: data, features, network, training."""
        net = "no hidden layer" if not self.hidden else "hidden " + "-".join(map(str, self.hidden))
        extras = [f"{k} {getattr(self, k):g}" for k in ("l1", "l2", "dropout") if getattr(self, k)]
        batch = "full batch" if not self.batch_size else f"batch {self.batch_size}"
        return "; ".join([
            f"{self.dataset} ({self.points} points, noise {self.noise:g})",
            f"features {feats.label(self.features)}",
            f"{net}, {self.activation}",
            ", ".join([f"{self.optimizer} lr {self.lr:g}", batch, *extras]),
            f"seed {self.seed}",
        ])


def _hidden(value: Any) -> tuple[int, ...]:
    sizes = tuple(value)
    if len(sizes) > MAX_LAYERS or any(
        not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_UNITS for n in sizes
    ):
        raise ValueError(
            f"hidden: up to {MAX_LAYERS} layers of 1 to {MAX_UNITS} neurons each, got {list(sizes)}"
        )
    return tuple(int(n) for n in sizes)


@dataclass(frozen=True)
class State:
    """A snapshot of a run; the loss histories hold one value per step, from step 0."""

    step: int
    epoch: float
    train_loss: float
    test_loss: float
    train_accuracy: float
    test_accuracy: float
    train_losses: tuple[float, ...] = field(repr=False)
    test_losses: tuple[float, ...] = field(repr=False)
    diverged: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The final numbers (no histories), NaN as None so that it is valid JSON."""
        keys = ("step", "epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy", "diverged")
        return {k: _json_number(getattr(self, k)) for k in keys}


def _json_number(x: Any) -> Any:
    return None if isinstance(x, float) and not np.isfinite(x) else x


def _optimizer(s: Settings, params: list[Tensor]) -> optim.SGD | optim.Adam | optim.RMSProp:
    if s.optimizer == "sgd":
        return optim.SGD(params, s.lr)
    if s.optimizer == "momentum":
        return optim.SGD(params, s.lr, momentum=MOMENTUM)
    if s.optimizer == "adam":
        return optim.Adam(params, s.lr)
    return optim.RMSProp(params, s.lr)


def _streams(seed: int) -> list[np.random.SeedSequence]:
    """Seeds for the data, the initial weights, the minibatches and the dropout masks: one stream
    per purpose, so that changing the batch size changes neither the data nor the weights."""
    return np.random.SeedSequence(seed).spawn(4)


class PlaygroundSession:
    """One network learning one data set; construct, then ``step``, read ``state``, ``reset``."""

    def __init__(self, settings: Settings | None = None, **changes: Any) -> None:
        self._lock = threading.RLock()
        self._settings = (settings or Settings()).replace(**changes)
        self._data: DataSet | None = None
        self.reset()

    # ----- controls ---------------------------------------------------------------------
    @property
    def settings(self) -> Settings:
        return self._settings

    @property
    def data(self) -> DataSet:
        assert self._data is not None
        return self._data

    def reset(self, settings: Settings | None = None, **changes: Any) -> None:
        """Back to step 0 with fresh weights: the same ones for the same settings and seed.

        The data are regenerated only when a data setting (or the seed) changed.
        """
        with self._lock:
            new = (settings or self._settings).replace(**changes)
            data_keys = ("dataset", "points", "noise", "train_ratio", "seed")
            if self._data is None or any(getattr(new, k) != getattr(self._settings, k) for k in data_keys):
                data_rng = np.random.default_rng(_streams(new.seed)[0])
                self._data = make_dataset(new.dataset, new.points, new.noise, new.train_ratio, data_rng)
            self._settings = new
            self._build()

    def _build(self) -> None:
        s = self._settings
        _, init_seq, batch_seq, drop_seq = _streams(s.seed)
        self._batch_rng = np.random.default_rng(batch_seq)
        self.net = PlaygroundNet(len(s.features), s.hidden, s.activation, s.dropout,
                                 np.random.default_rng(init_seq), np.random.default_rng(drop_seq))
        self._opt = _optimizer(s, self.net.parameters())
        self._F_train = feats.feature_matrix(self.data.X_train, s.features)
        self._F_test = feats.feature_matrix(self.data.X_test, s.features)
        self._F_all = np.concatenate([self._F_train, self._F_test])
        self._step = 0
        self._diverged = False
        self._history: dict[str, list[float]] = {"train": [], "test": []}
        self._acc = {"train": 0.0, "test": 0.0}
        self._evaluate()

    def step(self, n: int = 1, stop: Callable[[], bool] | None = None) -> State:
        """Take up to ``n`` optimizer steps (fewer if ``stop()`` turns true or the run diverges)."""
        for _ in range(int(n)):
            if stop is not None and stop():
                break
            with self._lock:
                if self._diverged:
                    break
                self._update()
            # Let a reader blocked on the lock in before this thread takes it again (locks are not fair).
            time.sleep(0)
        return self.state

    def _update(self) -> None:
        s = self._settings
        batch = s.batch_size or None
        self.net.set_training(True)
        try:
            with np.errstate(all="ignore"):  # a learning rate of 10 is a lesson, not a warning
                train(self.net, self._F_train, self.data.y_train, self._objective, self._opt, 1,
                      batch_size=batch, rng=self._batch_rng)
        finally:
            self.net.set_training(False)
        self._step += 1
        self._evaluate()

    def _objective(self, logits: Tensor, target: Any) -> Tensor:
        loss = bce_with_logits_loss(logits, target)
        s = self._settings
        for W in self.net.weights():
            if s.l1:
                loss = loss + W.abs().sum() * s.l1
            if s.l2:
                loss = loss + (W * W).sum() * s.l2
        return loss

    def _evaluate(self) -> None:
        # one forward pass over training and test points together: half the graph overhead
        with np.errstate(all="ignore"):
            logits = np.reshape(self.net(self._F_all).data, -1)
        n_train = len(self._F_train)
        for part, z, y in (("train", logits[:n_train], self.data.y_train),
                           ("test", logits[n_train:], self.data.y_test)):
            with np.errstate(all="ignore"):
                loss = float(bce_with_logits_loss(Tensor(z), y).data)
            self._history[part].append(loss)
            self._acc[part] = float(np.mean((z > 0) == (y == 1)))
            if not np.isfinite(loss):
                self._diverged = True

    # ----- reading ----------------------------------------------------------------------
    @property
    def state(self) -> State:
        with self._lock:
            n_train = len(self.data.y_train)
            seen = self._step * min(self._settings.batch_size or n_train, n_train)
            return State(
                step=self._step,
                epoch=seen / n_train,
                train_loss=self._history["train"][-1],
                test_loss=self._history["test"][-1],
                train_accuracy=self._acc["train"],
                test_accuracy=self._acc["test"],
                train_losses=tuple(self._history["train"]),
                test_losses=tuple(self._history["test"]),
                diverged=self._diverged,
            )

    def predict_proba(self, points: np.ndarray) -> np.ndarray:
        """P(class 1) at each of ``points`` (n, 2)."""
        with self._lock, np.errstate(all="ignore"):
            _, logits = self.net.activations(feats.feature_matrix(np.asarray(points, np.float64),
                                                                  self._settings.features))
        return _sigmoid(logits)

    def field(self, resolution: int | tuple[int, int]) -> np.ndarray:
        """P(class 1) over the plane: (rows, columns), row 0 at the top (x₂ = +6)."""
        nx, ny = plane.resolution_of(resolution)
        return self.predict_proba(plane.grid(nx, ny)).reshape(ny, nx)

    def neuron_fields(self, resolution: int | tuple[int, int]) -> list[np.ndarray]:
        """Each hidden layer's outputs over the plane: one (units, rows, columns) array per layer."""
        nx, ny = plane.resolution_of(resolution)
        F = feats.feature_matrix(plane.grid(nx, ny), self._settings.features)
        with self._lock, np.errstate(all="ignore"):
            hidden, _ = self.net.activations(F)
        return [h.T.reshape(-1, ny, nx) for h in hidden]

    def neuron_field(self, layer: int, unit: int, resolution: int | tuple[int, int]) -> np.ndarray:
        """What hidden neuron ``unit`` of layer ``layer`` (both from 0) outputs over the plane."""
        sizes = self._settings.hidden
        if not (0 <= layer < len(sizes) and 0 <= unit < sizes[layer]):
            raise ValueError(f"no hidden neuron {unit} in layer {layer}; the hidden layers are {list(sizes)}")
        return self.neuron_fields(resolution)[layer][unit]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(z))  # never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
