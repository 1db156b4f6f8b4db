"""Layers and containers on the autograd core, and the losses the training loop uses."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from solvers.tensor import Tensor

ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu", "elu", "softplus", "linear")


class Module:
    """Anything with parameters; calling it runs ``forward``."""

    def parameters(self) -> list[Tensor]:
        return []

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.zero_grad()

    def forward(self, x: Tensor) -> Tensor:
        raise NotImplementedError

    def __call__(self, x: Any) -> Tensor:
        return self.forward(x if isinstance(x, Tensor) else Tensor(x))


class Linear(Module):
    """y = x W + b, with W of shape (in, out), initialised as PyTorch does: U(-1/√in, 1/√in)."""

    def __init__(self, n_in: int, n_out: int, rng: np.random.Generator | None = None, bias: bool = True) -> None:
        rng = rng if rng is not None else np.random.default_rng(0)
        bound = 1.0 / np.sqrt(n_in)
        self.W = Tensor(rng.uniform(-bound, bound, (n_in, n_out)), name="W")
        self.b = Tensor(rng.uniform(-bound, bound, (n_out,)), name="b") if bias else None

    def forward(self, x: Tensor) -> Tensor:
        out = x @ self.W
        return out + self.b if self.b is not None else out

    def parameters(self) -> list[Tensor]:
        return [self.W] if self.b is None else [self.W, self.b]


class Activation(Module):
    def __init__(self, name: str) -> None:
        if name not in ACTIVATIONS:
            raise ValueError(f"unknown activation {name!r}; expected one of: {', '.join(ACTIVATIONS)}")
        self.name = name

    def forward(self, x: Tensor) -> Tensor:
        return x if self.name == "linear" else getattr(x, self.name)()


class Sequential(Module):
    def __init__(self, *layers: Module) -> None:
        self.layers = list(layers)

    def forward(self, x: Tensor) -> Tensor:
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self) -> list[Tensor]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __iter__(self) -> Iterator[Module]:
        return iter(self.layers)


def mlp(sizes: Sequence[int], activation: str = "tanh", rng: np.random.Generator | None = None) -> Sequential:
    """Linear layers of the given sizes with ``activation`` between them (none after the last)."""
    if len(sizes) < 2:
        raise ValueError(f"an MLP needs at least an input and an output size, got {list(sizes)}")
    rng = rng if rng is not None else np.random.default_rng(0)
    layers: list[Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Linear(n_in, n_out, rng))
        if i < len(sizes) - 2:
            layers.append(Activation(activation))
    return Sequential(*layers)


# ----- losses on tensors (the training loop's; the quiz solvers explain the same formulas) -----

def mse_loss(pred: Tensor, target: Any) -> Tensor:
    diff = pred - np.asarray(target, dtype=np.float64).reshape(pred.shape)
    return (diff * diff).mean()


def bce_with_logits_loss(z: Tensor, target: Any) -> Tensor:
    """Mean of -[y log σ(z) + (1-y) log(1-σ(z))] = softplus(z) - y·z, which never takes log(0)."""
    y = np.asarray(target, dtype=np.float64).reshape(z.shape)
    return (z.softplus() - z * y).mean()


def cross_entropy_loss(logits: Tensor, labels: Any) -> Tensor:
    """Mean over the batch of -log softmax(logits)[label]."""
    labels = np.asarray(labels, dtype=np.intp).reshape(-1)
    logp = logits.log_softmax(axis=-1)
    return -logp[np.arange(len(labels)), labels].mean()


LOSSES = {"mse": mse_loss, "bce": bce_with_logits_loss, "cross_entropy": cross_entropy_loss}
