"""Speed of the autograd core against PyTorch (CPU, float64) and micrograd, in one process.

Targets (issue 2): XOR training at least 3x faster than PyTorch; the scalar graph (x+y)z at
least 3x faster than PyTorch and no slower than micrograd. Run: python benchmarks/bench_solvers.py
(needs the `bench` extra: pip install -e '.[bench]').
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([0.0, 1.0, 1.0, 0.0])
STEPS = 1000


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def scalar_ours() -> None:
    from solvers.tensor import Tensor

    for _ in range(1000):
        x, y, z = Tensor(-2.0), Tensor(5.0), Tensor(-4.0)
        ((x + y) * z).backward()


def scalar_torch() -> None:
    import torch

    for _ in range(1000):
        x, y, z = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (-2.0, 5.0, -4.0))
        ((x + y) * z).backward()


def scalar_micrograd() -> None:
    from micrograd.engine import Value

    for _ in range(1000):
        x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
        ((x + y) * z).backward()


def xor_ours() -> None:
    from solvers.nn import mlp
    from solvers.optim import Adam
    from solvers.train import train

    model = mlp([2, 8, 1], "tanh", np.random.default_rng(0))
    train(model, X, Y, "mse", Adam(model.parameters(), lr=0.01), STEPS)


def xor_torch() -> None:
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1)).double()
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    x, y = torch.tensor(X), torch.tensor(Y).reshape(-1, 1)
    for _ in range(STEPS):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()


def xor_micrograd_sgd() -> None:
    from micrograd.nn import MLP

    model = MLP(2, [8, 1])
    for _ in range(STEPS):
        model.zero_grad()
        loss = sum(((model(list(x)) - y) ** 2 for x, y in zip(X, Y)), start=0.0) * (1 / len(X))
        loss.backward()
        for p in model.parameters():
            p.data -= 0.05 * p.grad


def main() -> None:
    import torch

    torch.set_num_threads(1)
    rows = [
        ("scalar graph (x+y)z x1000", scalar_ours, scalar_torch, scalar_micrograd),
        ("XOR 2-8-1 tanh, Adam x1000 (micrograd: SGD)", xor_ours, xor_torch, xor_micrograd_sgd),
    ]
    print(f"{'benchmark':46} {'ours':>9} {'torch':>9} {'micrograd':>10} {'torch/ours':>11} {'mg/ours':>8}")
    for label, ours, theirs, mg in rows:
        t_ours, t_torch, t_mg = best_of(ours), best_of(theirs), best_of(mg, repeat=3)
        print(f"{label:46} {t_ours:9.4f} {t_torch:9.4f} {t_mg:10.4f} {t_torch / t_ours:11.2f} {t_mg / t_ours:8.2f}")
    print("targets: torch/ours >= 3 on both rows; mg/ours >= 1 on the scalar graph")


if __name__ == "__main__":
    main()
