"""nn modules and the training loop, against PyTorch and on XOR."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from solvers.nn import Activation, Linear, bce_with_logits_loss, cross_entropy_loss, mlp, mse_loss
from solvers.optim import SGD, Adam
from solvers.tensor import Tensor
from solvers.train import accuracy, train

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])


def _torch_copy(model):
    """The same 2-layer network in torch, with our initial weights."""
    lin1, lin2 = model.layers[0], model.layers[2]
    ref = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1)).double()
    with torch.no_grad():
        ref[0].weight.copy_(torch.tensor(lin1.W.data.T))
        ref[0].bias.copy_(torch.tensor(lin1.b.data))
        ref[2].weight.copy_(torch.tensor(lin2.W.data.T))
        ref[2].bias.copy_(torch.tensor(lin2.b.data))
    return ref


def test_mlp_forward_and_gradients_match_pytorch():
    model = mlp([2, 8, 1], "tanh", np.random.default_rng(3))
    ref = _torch_copy(model)
    loss = mse_loss(model(XOR_X), XOR_Y)
    loss.backward()
    tloss = ((ref(torch.tensor(XOR_X)) - torch.tensor(XOR_Y, dtype=torch.float64).reshape(-1, 1)) ** 2).mean()
    tloss.backward()
    np.testing.assert_allclose(loss.data, tloss.item(), rtol=1e-12)
    np.testing.assert_allclose(model.layers[0].W.grad, ref[0].weight.grad.numpy().T, rtol=1e-10)
    np.testing.assert_allclose(model.layers[2].b.grad, ref[2].bias.grad.numpy(), rtol=1e-10)


def test_training_with_adam_follows_pytorch_step_for_step():
    model = mlp([2, 8, 1], "tanh", np.random.default_rng(5))
    ref = _torch_copy(model)
    history = train(model, XOR_X, XOR_Y, "mse", Adam(model.parameters(), lr=0.01), steps=20)
    opt = torch.optim.Adam(ref.parameters(), lr=0.01)
    x, y = torch.tensor(XOR_X), torch.tensor(XOR_Y, dtype=torch.float64).reshape(-1, 1)
    expected = []
    for _ in range(20):
        opt.zero_grad()
        loss = ((ref(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        expected.append(loss.item())
    np.testing.assert_allclose(history, expected, rtol=1e-10)


def test_two_layer_mlp_learns_xor_to_100_percent():
    model = mlp([2, 8, 1], "tanh", np.random.default_rng(0))
    history = train(model, XOR_X, XOR_Y, "bce", Adam(model.parameters(), lr=0.05), steps=500)
    assert history[-1] < 0.05 < history[0]
    assert accuracy(model, XOR_X, XOR_Y) == 1.0


def test_minibatch_training_is_reproducible_by_seed():
    runs = []
    for _ in range(2):
        model = mlp([2, 4, 1], "relu", np.random.default_rng(1))
        runs.append(train(model, XOR_X, XOR_Y, "bce", SGD(model.parameters(), lr=0.1), steps=30,
                          batch_size=2, rng=np.random.default_rng(7)))
    assert runs[0] == runs[1]


def test_losses_match_pytorch():
    rng = np.random.default_rng(0)
    z, y = rng.normal(size=(5, 1)), rng.integers(0, 2, 5)
    ours = bce_with_logits_loss(Tensor(z), y).data
    ref = torch.nn.functional.binary_cross_entropy_with_logits(
        torch.tensor(z[:, 0]), torch.tensor(y, dtype=torch.float64))
    np.testing.assert_allclose(ours, ref.item(), rtol=1e-12)
    logits, labels = rng.normal(size=(4, 3)) * 100, np.array([0, 2, 1, 2])
    ours = cross_entropy_loss(Tensor(logits), labels).data
    ref = torch.nn.functional.cross_entropy(torch.tensor(logits), torch.tensor(labels))
    np.testing.assert_allclose(ours, ref.item(), rtol=1e-12)


def test_linear_init_and_bad_input():
    layer = Linear(4, 3, np.random.default_rng(0))
    assert layer.W.shape == (4, 3) and layer.b.shape == (3,)
    assert np.all(np.abs(layer.W.data) <= 0.5)  # U(-1/√4, 1/√4)
    with pytest.raises(ValueError, match="unknown activation"):
        Activation("swish")
    model = mlp([2, 1])
    with pytest.raises(ValueError, match="mismatched"):
        train(model, XOR_X, XOR_Y[:3], "mse", SGD(model.parameters(), lr=0.1), steps=1)
    with pytest.raises(ValueError, match="unknown loss"):
        train(model, XOR_X, XOR_Y, "hinge", SGD(model.parameters(), lr=0.1), steps=1)
