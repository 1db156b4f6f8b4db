"""The Playground's network, assembled from the training core's layers, plus inverted dropout.

Dropout follows the course default (conventions.md): ``p`` is the probability of dropping, the
training output is x·mask/(1-p), evaluation passes x through. Masks come from their own seeded
generator, so the same seed gives the same run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from solvers.nn import Activation, Linear, Module
from solvers.tensor import Tensor

ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")  # the Playground's choices
MAX_LAYERS, MAX_UNITS = 6, 8  # the Playground's limits


class Dropout(Module):
    def __init__(self, p: float, rng: np.random.Generator) -> None:
        self.p, self.rng = float(p), rng
        self.training = False

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.p == 0.0:
            return x
        keep = self.rng.random(x.shape) >= self.p
        return x * (keep / (1.0 - self.p))


class PlaygroundNet(Module):
    """features -> [Linear, activation, dropout] per hidden layer -> Linear -> one logit."""

    def __init__(
        self,
        n_inputs: int,
        hidden: Sequence[int],
        activation: str,
        dropout: float,
        init_rng: np.random.Generator,
        dropout_rng: np.random.Generator,
    ) -> None:
        self.blocks: list[tuple[Linear, Activation, Dropout | None]] = []
        sizes = [n_inputs, *hidden]
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            drop = Dropout(dropout, dropout_rng) if dropout else None
            self.blocks.append((Linear(n_in, n_out, init_rng), Activation(activation), drop))
        self.output = Linear(sizes[-1], 1, init_rng)

    def set_training(self, on: bool) -> None:
        for _, _, drop in self.blocks:
            if drop is not None:
                drop.training = on

    def forward(self, x: Tensor) -> Tensor:
        for linear, act, drop in self.blocks:
            x = act(linear(x))
            if drop is not None:
                x = drop(x)
        return self.output(x)

    def parameters(self) -> list[Tensor]:
        layers = [b[0] for b in self.blocks] + [self.output]
        return [p for layer in layers for p in layer.parameters()]

    def weights(self) -> list[Tensor]:
        """The weight matrices, which L1/L2 penalise (biases are not, as in the Playground)."""
        return [b[0].W for b in self.blocks] + [self.output.W]

    def activations(self, x: Any) -> tuple[list[np.ndarray], np.ndarray]:
        """Evaluation pass: each hidden layer's outputs (n, units) and the logits (n,)."""
        h = x if isinstance(x, Tensor) else Tensor(x)
        hidden = []
        for linear, act, _ in self.blocks:
            h = act(linear(h))
            hidden.append(h.data)
        return hidden, np.reshape(self.output(h).data, -1)
