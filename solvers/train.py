"""The training loop: model, data, loss, optimizer, steps -> loss history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from solvers.nn import LOSSES, Module
from solvers.tensor import Tensor

LossFn = Callable[[Tensor, Any], Tensor]


class Optimizer(Protocol):
    def step(self) -> None: ...

    def zero_grad(self) -> None: ...


def train(
    model: Module,
    X: Any,
    y: Any,
    loss: str | LossFn,
    optimizer: Optimizer,
    steps: int,
    batch_size: int | None = None,
    rng: np.random.Generator | None = None,
    on_step: Callable[[int, float], None] | None = None,
) -> list[float]:
    """Run ``steps`` optimizer steps and return the loss before each step.

    ``batch_size=None`` uses the full batch; otherwise each step draws a minibatch without
    replacement from ``rng`` (seeded, so the same seed gives the same run).
    """
    loss_fn = _loss(loss)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"mismatched shapes: {len(X)} inputs but {len(y)} targets")
    rng = rng if rng is not None else np.random.default_rng(0)
    history: list[float] = []
    for step in range(steps):
        xb, yb = (X, y) if batch_size is None else _minibatch(X, y, batch_size, rng)
        optimizer.zero_grad()
        value = loss_fn(model(Tensor(xb)), yb)
        value.backward()
        optimizer.step()
        history.append(float(value.data))
        if on_step is not None:
            on_step(step, history[-1])
    return history


def _loss(loss: str | LossFn) -> LossFn:
    if callable(loss):
        return loss
    try:
        return LOSSES[loss]
    except KeyError:
        raise ValueError(f"unknown loss {loss!r}; expected one of: {', '.join(LOSSES)}") from None


def _minibatch(X: np.ndarray, y: np.ndarray, size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    idx = rng.choice(len(X), size=min(size, len(X)), replace=False)
    return X[idx], y[idx]


def accuracy(model: Module, X: Any, y: Any, threshold: float = 0.0) -> float:
    """Share of correct labels: argmax for several outputs, ``out > threshold`` for one logit."""
    out = model(Tensor(np.asarray(X, dtype=np.float64))).data
    y = np.asarray(y)
    if out.ndim == 2 and out.shape[1] > 1:
        pred = out.argmax(axis=1)
    else:
        pred = (out.reshape(-1) > threshold).astype(y.dtype)
    return float(np.mean(pred == y.reshape(-1)))
