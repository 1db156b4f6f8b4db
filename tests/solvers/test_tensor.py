"""The autograd core against PyTorch (float64) and against central finite differences.

Each op is one line through ``check``, as in tinygrad's test_ops.py: the same expression is
written once for our Tensor and once for torch, on random inputs of the given shapes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pytest
import torch

from solvers.tensor import Tensor

RTOL = 1e-10
Shapes = Sequence[tuple[int, ...]]


def _inputs(shapes: Shapes, low: float, high: float, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.uniform(low, high, s) for s in shapes]


def check(
    ours: Callable[..., Tensor],
    theirs: Callable[..., torch.Tensor],
    shapes: Shapes,
    low: float = -2.0,
    high: float = 2.0,
    seed: int = 0,
    fd: bool = True,
) -> None:
    """Forward values and input gradients of ``ours`` equal torch's; gradients match finite differences."""
    arrays = _inputs(shapes, low, high, seed)
    mine = [Tensor(a.copy()) for a in arrays]
    ref = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    out, tout = ours(*mine), theirs(*ref)
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=RTOL, atol=1e-12)
    # A fixed random upstream gradient exercises every output element, not just their sum.
    upstream = np.random.default_rng(seed + 1).uniform(-1, 1, np.shape(out.data))
    out.backward(upstream)
    tout.backward(torch.tensor(upstream, dtype=torch.float64))
    for m, r in zip(mine, ref):
        assert np.shape(m.grad) == tuple(r.shape)
        np.testing.assert_allclose(m.grad, r.grad.numpy(), rtol=RTOL, atol=1e-12)
    if fd:
        _check_finite_differences(ours, arrays, upstream, [m.grad for m in mine])


def _check_finite_differences(ours, arrays, upstream, grads, h: float = 1e-6) -> None:
    def objective(values: list[np.ndarray]) -> float:
        return float(np.sum(np.asarray(ours(*[Tensor(v) for v in values]).data) * upstream))

    for i, a in enumerate(arrays):
        numeric = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            plus = [v.copy() for v in arrays]
            minus = [v.copy() for v in arrays]
            plus[i][idx] += h
            minus[i][idx] -= h
            numeric[idx] = (objective(plus) - objective(minus)) / (2 * h)
        np.testing.assert_allclose(grads[i], numeric, rtol=1e-5, atol=1e-6)


# ----- arithmetic, with broadcasting ---------------------------------------------------------------
BROADCAST = [[(3, 4), (3, 4)], [(3, 4), (4,)], [(2, 3, 4), (3, 1)], [(), (3,)], [(1, 4), (3, 1)]]


@pytest.mark.parametrize("shapes", BROADCAST)
def test_add(shapes): check(lambda a, b: a + b, lambda a, b: a + b, shapes)


@pytest.mark.parametrize("shapes", BROADCAST)
def test_sub(shapes): check(lambda a, b: a - b, lambda a, b: a - b, shapes)


@pytest.mark.parametrize("shapes", BROADCAST)
def test_mul(shapes): check(lambda a, b: a * b, lambda a, b: a * b, shapes)


@pytest.mark.parametrize("shapes", BROADCAST)
def test_div(shapes): check(lambda a, b: a / b, lambda a, b: a / b, shapes, low=0.5, high=2.0)


def test_neg(): check(lambda a: -a, lambda a: -a, [(3, 2)])
def test_pow_const(): check(lambda a: a**3, lambda a: a**3, [(4,)])
def test_pow_fractional(): check(lambda a: a**0.5, lambda a: a**0.5, [(4,)], low=0.5)
def test_pow_tensor(): check(lambda a, b: a**b, lambda a, b: a**b, [(3,), (3,)], low=0.5)
def test_rsub_rdiv_radd(): check(lambda a: 2.0 - 3.0 / a + 1.0, lambda a: 2.0 - 3.0 / a + 1.0, [(3,)], low=0.5)
def test_scalar_graph(): check(lambda x, y, z: (x + y) * z, lambda x, y, z: (x + y) * z, [(), (), ()])
def test_reused_input(): check(lambda a: a * a + a, lambda a: a * a + a, [(3,)])


# ----- matmul --------------------------------------------------------------------------------------
@pytest.mark.parametrize("shapes", [[(3, 4), (4, 2)], [(4,), (4, 2)], [(3, 4), (4,)], [(4,), (4,)],
                                    [(2, 3, 4), (4, 5)], [(2, 3, 4), (2, 4, 5)]])
def test_matmul(shapes): check(lambda a, b: a @ b, lambda a, b: a @ b, shapes)


# ----- reductions and shape ops ------------------------------------------------------------------
def test_sum_all(): check(lambda a: a.sum(), lambda a: a.sum(), [(3, 4)])
def test_sum_axis(): check(lambda a: a.sum(axis=1), lambda a: a.sum(dim=1), [(3, 4, 2)])
def test_sum_keepdims(): check(lambda a: a.sum(axis=0, keepdims=True), lambda a: a.sum(0, keepdim=True), [(3, 4)])
def test_sum_axes(): check(lambda a: a.sum(axis=(0, 2)), lambda a: a.sum(dim=(0, 2)), [(3, 4, 2)])
def test_mean_all(): check(lambda a: a.mean(), lambda a: a.mean(), [(3, 4)])
def test_mean_axis(): check(lambda a: a.mean(axis=-1), lambda a: a.mean(dim=-1), [(3, 4)])
def test_mean_axes_keepdims(): check(lambda a: a.mean(axis=(0, 2), keepdims=True),
                                     lambda a: a.mean(dim=(0, 2), keepdim=True), [(2, 3, 4)])
def test_max_all(): check(lambda a: a.max(), lambda a: a.amax(), [(3, 4)])
def test_max_axis(): check(lambda a: a.max(axis=1), lambda a: a.amax(dim=1), [(3, 4)])
def test_maximum(): check(lambda a, b: a.maximum(b), lambda a, b: torch.maximum(a, b), [(3, 4), (4,)])
def test_reshape(): check(lambda a: a.reshape(4, 3) * 2.0, lambda a: a.reshape(4, 3) * 2.0, [(3, 4)])
def test_transpose(): check(lambda a: a.T @ a, lambda a: a.T @ a, [(3, 4)])
def test_transpose_axes(): check(lambda a: a.transpose(2, 0, 1), lambda a: a.permute(2, 0, 1), [(2, 3, 4)])
def test_index_slice(): check(lambda a: a[1:, ::2], lambda a: a[1:, ::2], [(3, 4)])
def test_index_repeated(): check(lambda a: a[[0, 2, 0]], lambda a: a[[0, 2, 0]], [(3, 4)])
def test_index_pairs(): check(lambda a: a[[0, 1, 2], [3, 0, 3]], lambda a: a[[0, 1, 2], [3, 0, 3]], [(3, 4)])


# ----- elementwise functions and activations ------------------------------------------------------
def test_exp(): check(lambda a: a.exp(), lambda a: a.exp(), [(3, 4)])
def test_log(): check(lambda a: a.log(), lambda a: a.log(), [(3, 4)], low=0.1)
def test_sqrt(): check(lambda a: a.sqrt(), lambda a: a.sqrt(), [(3, 4)], low=0.1)
def test_abs(): check(lambda a: a.abs(), lambda a: a.abs(), [(3, 4)])
def test_sigmoid(): check(lambda a: a.sigmoid(), lambda a: a.sigmoid(), [(3, 4)], low=-6, high=6)
def test_sigmoid_tails(): check(lambda a: a.sigmoid(), lambda a: a.sigmoid(), [(4,)], low=-40, high=-20, fd=False)
def test_sin(): check(lambda a: a.sin(), lambda a: a.sin(), [(3, 4)])
def test_cos(): check(lambda a: a.cos(), lambda a: a.cos(), [(3, 4)])
def test_tanh(): check(lambda a: a.tanh(), lambda a: a.tanh(), [(3, 4)])
def test_relu(): check(lambda a: a.relu(), lambda a: a.relu(), [(3, 4)])
def test_leaky_relu(): check(lambda a: a.leaky_relu(0.1),
                             lambda a: torch.nn.functional.leaky_relu(a, 0.1), [(3, 4)])
def test_prelu(): check(lambda a, w: a.prelu(w), lambda a, w: torch.nn.functional.prelu(a, w), [(3, 4), (1,)])
def test_elu(): check(lambda a: a.elu(0.7), lambda a: torch.nn.functional.elu(a, 0.7), [(3, 4)])
def test_softplus(): check(lambda a: a.softplus(), lambda a: torch.nn.functional.softplus(a), [(3, 4)])
def test_log_softmax(): check(lambda a: a.log_softmax(axis=1),
                              lambda a: torch.log_softmax(a, dim=1), [(3, 4)])
def test_softmax(): check(lambda a: a.softmax(axis=0), lambda a: torch.softmax(a, dim=0), [(3, 4)])


def test_mlp_expression():
    check(lambda x, w1, w2: ((x @ w1).tanh() @ w2).sigmoid().mean(),
          lambda x, w1, w2: ((x @ w1).tanh() @ w2).sigmoid().mean(), [(4, 2), (2, 8), (8, 1)])


# ----- conventions at kinks and extremes -------------------------------------------------------------
@pytest.mark.parametrize("op", ["relu", "abs", "leaky_relu", "elu"])
def test_derivative_at_zero_matches_pytorch(op):
    ours, ref = Tensor(np.zeros(3)), torch.zeros(3, dtype=torch.float64, requires_grad=True)
    getattr(ours, op)().sum().backward()
    tout = ref.abs() if op == "abs" else getattr(torch.nn.functional, op)(ref)
    tout.sum().backward()
    np.testing.assert_array_equal(ours.grad, ref.grad.numpy())


def test_sigmoid_and_softmax_are_stable_for_large_logits():
    x = Tensor(np.array([1000.0, -1000.0, 0.0]))
    s = x.sigmoid()
    assert np.all(np.isfinite(s.data))
    np.testing.assert_allclose(s.data, [1.0, 0.0, 0.5])
    logp = Tensor(np.array([1000.0, 999.0, 0.0])).log_softmax()
    ref = torch.log_softmax(torch.tensor([1000.0, 999.0, 0.0], dtype=torch.float64), 0)
    np.testing.assert_allclose(logp.data, ref.numpy(), rtol=RTOL)


# ----- the seeds' worked example and the node records ------------------------------------------------
def test_seed_003_worked_example_and_records():
    x, y, z = Tensor(-2.0, name="x"), Tensor(5.0, name="y"), Tensor(-4.0, name="z")
    f = (x + y) * z
    f.backward()
    assert (f.data, x.grad, y.grad, z.grad) == (-12.0, -4.0, -4.0, 3.0)
    records = {r.name: r for r in f.records()}
    q = records["n1"]  # q = x + y
    assert (q.op, q.inputs, q.value, q.local, q.upstream, q.downstream) == (
        "+", ("x", "y"), 3.0, (1.0, 1.0), -4.0, (-4.0, -4.0))
    out = records["n2"]  # f = q z: ∂f/∂q = z, ∂f/∂z = q
    assert (out.op, out.local, out.upstream, out.downstream) == ("*", (-4.0, 3.0), 1.0, (-4.0, 3.0))
    assert [r.name for r in f.records()] == ["x", "y", "n1", "z", "n2"]


def test_gradients_accumulate_over_paths_and_calls():
    x = Tensor(3.0, name="x")
    (x * x + x).backward()  # d/dx = 2x + 1 = 7
    assert x.grad == 7.0
    (x * 2.0).backward()  # accumulates, as in PyTorch, until zero_grad
    assert x.grad == 9.0
    x.zero_grad()
    assert x.grad == 0.0


def test_deep_graph_does_not_hit_recursion_limit():
    x = Tensor(1.0)
    y = x
    for _ in range(5000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0


# ----- bad input ------------------------------------------------------------------------------------
def test_mismatched_shapes_raise_value_error():
    with pytest.raises(ValueError, match="shapes|broadcast"):
        Tensor(np.ones(3)) + Tensor(np.ones(4))
    with pytest.raises(ValueError):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((2, 3)))


def test_log_of_non_positive_and_nonscalar_backward_raise():
    with pytest.raises(ValueError, match="log"):
        Tensor(np.array([1.0, 0.0])).log()
    with pytest.raises(ValueError, match="explicit grad"):
        (Tensor(np.ones(3)) * 2.0).backward()
