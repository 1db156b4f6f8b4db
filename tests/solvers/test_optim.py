"""Optimizers against torch.optim in float64, and the variants PyTorch lacks against NumPy loops
written here from the formulas in conventions.md."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import torch

from solvers import registry
from solvers.optim import (
    SGD,
    Adagrad,
    Adam,
    AdamW,
    RMSProp,
    adagrad_step,
    adam_step,
    adamw_step,
    momentum_step,
    nesterov_step,
    optimizer_steps,
    rmsprop_step,
    sgd_step,
)
from tests.budget import calls

RTOL = 1e-10
N_STEPS = 5


def close(actual: Any, expected: Any) -> None:
    np.testing.assert_allclose(np.asarray(actual, dtype=float), np.asarray(expected, dtype=float), rtol=RTOL)


# --------------------------------------------------------------------------- reference: torch.optim


def torch_history(make: Callable, w0: np.ndarray, grads: list[np.ndarray], state_keys: dict[str, str]):
    """Weights and named state after each step of a torch optimizer fed the given gradients."""
    p = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    opt = make([p])
    out = []
    for g in grads:
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        state = {ours: opt.state[p][theirs].detach().numpy().copy() for ours, theirs in state_keys.items()}
        out.append((p.detach().numpy().copy(), state))
    return out


@dataclass
class Case:
    name: str
    solve: Callable[..., Any]  # (w, g, state, t) -> Solution of our step solver
    torch_make: Callable[[list], Any]
    state_keys: dict[str, str]  # our answer part -> torch state key
    steps_opts: dict[str, Any]  # optimizer_steps(optimizer=..., **options)


CASES = [
    Case("sgd", lambda w, g, s, t: sgd_step(w=w, g=g, lr=0.1),
         lambda ps: torch.optim.SGD(ps, lr=0.1), {}, {"optimizer": "sgd", "lr": 0.1}),
    Case("momentum", lambda w, g, s, t: momentum_step(w=w, g=g, v=s["v"], lr=0.05, rho=0.9),
         lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9), {"v": "momentum_buffer"},
         {"optimizer": "momentum", "lr": 0.05, "rho": 0.9}),
    Case("nesterov", lambda w, g, s, t: nesterov_step(w=w, g=g, v=s["v"], lr=0.05, rho=0.8, form="pytorch"),
         lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.8, nesterov=True), {"v": "momentum_buffer"},
         {"optimizer": "nesterov", "lr": 0.05, "rho": 0.8, "form": "pytorch"}),
    Case("adagrad", lambda w, g, s, t: adagrad_step(w=w, g=g, cache=s["cache"], lr=0.3),
         lambda ps: torch.optim.Adagrad(ps, lr=0.3, eps=1e-10), {"cache": "sum"},
         {"optimizer": "adagrad", "lr": 0.3}),
    Case("rmsprop_hinton", lambda w, g, s, t: rmsprop_step(w=w, g=g, cache=s["cache"], lr=0.01, decay=0.9),
         lambda ps: torch.optim.RMSprop(ps, lr=0.01, alpha=0.9, eps=1e-8), {"cache": "square_avg"},
         {"optimizer": "rmsprop", "lr": 0.01, "decay": 0.9}),
    Case("rmsprop_pytorch",
         lambda w, g, s, t: rmsprop_step(w=w, g=g, cache=s["cache"], lr=0.02, decay=0.99, eps=1e-6),
         lambda ps: torch.optim.RMSprop(ps, lr=0.02, alpha=0.99, eps=1e-6), {"cache": "square_avg"},
         {"optimizer": "rmsprop", "lr": 0.02, "decay": 0.99, "eps": 1e-6}),
    Case("adam",
         lambda w, g, s, t: adam_step(w=w, g=g, m=s["m"], v=s["v"], t=t, lr=0.1, beta1=0.8, beta2=0.95),
         lambda ps: torch.optim.Adam(ps, lr=0.1, betas=(0.8, 0.95)), {"m": "exp_avg", "v": "exp_avg_sq"},
         {"optimizer": "adam", "lr": 0.1, "beta1": 0.8, "beta2": 0.95}),
    Case("adam_defaults", lambda w, g, s, t: adam_step(w=w, g=g, m=s["m"], v=s["v"], t=t),
         lambda ps: torch.optim.Adam(ps), {"m": "exp_avg", "v": "exp_avg_sq"}, {"optimizer": "adam"}),
    Case("adamw",
         lambda w, g, s, t: adamw_step(w=w, g=g, m=s["m"], v=s["v"], t=t, lr=0.05, weight_decay=0.2),
         lambda ps: torch.optim.AdamW(ps, lr=0.05, weight_decay=0.2), {"m": "exp_avg", "v": "exp_avg_sq"},
         {"optimizer": "adamw", "lr": 0.05, "weight_decay": 0.2}),
    Case("adamw_l2",  # "Adam with L2" is torch's Adam with weight_decay
         lambda w, g, s, t: adamw_step(w=w, g=g, m=s["m"], v=s["v"], t=t, lr=0.05, weight_decay=0.2,
                                       variant="l2"),
         lambda ps: torch.optim.Adam(ps, lr=0.05, weight_decay=0.2), {"m": "exp_avg", "v": "exp_avg_sq"},
         {"optimizer": "adamw", "lr": 0.05, "weight_decay": 0.2, "variant": "l2"}),
]
SHAPES = [(5,), (3, 4)]


def random_run(shape: tuple[int, ...], seed: int = 0) -> tuple[np.ndarray, list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=shape), [rng.normal(size=shape) for _ in range(N_STEPS)]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_step_solver_chained_matches_torch(case: Case, shape):
    w0, grads = random_run(shape)
    expected = torch_history(case.torch_make, w0, grads, case.state_keys)
    w, state = w0, {k: np.zeros(shape) for k in ("m", "v", "cache")}
    for t, (g, (w_ref, state_ref)) in enumerate(zip(grads, expected, strict=True), start=1):
        sol = case.solve(w, g, state, t)
        w = sol.answer["w"]
        close(w, w_ref)
        for key, ref in state_ref.items():
            close(sol.answer[key], ref)
        state = {k: sol.answer.get(k, state[k]) for k in state}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_optimizer_steps_with_given_gradients_matches_torch(case: Case):
    w0, grads = random_run((2, 3), seed=1)
    expected = torch_history(case.torch_make, w0, grads, case.state_keys)
    sol = optimizer_steps(w=w0, grads=np.stack(grads), **case.steps_opts)
    for k, (w_ref, state_ref) in enumerate(expected, start=1):
        close(sol.answer[f"w{k}"], w_ref)
        for key, ref in state_ref.items():
            close(sol.answer[f"{key}{k}"], ref)
    assert set(sol.answer) == {f"{key}{k}" for k in range(1, N_STEPS + 1) for key in [*case.state_keys, "w"]}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_optimizer_steps_on_quadratic_matches_torch_autograd(case: Case):
    """The gradient follows w: torch differentiates f(w) = Σ ½·a·w² + b·w itself."""
    rng = np.random.default_rng(2)
    w0, a, b = rng.normal(size=4), rng.uniform(0.5, 2.0, size=4), rng.normal(size=4)
    p = torch.tensor(w0, requires_grad=True)
    opt = case.torch_make([p])
    ws = []
    for _ in range(N_STEPS):
        opt.zero_grad()
        (0.5 * torch.tensor(a) * p**2 + torch.tensor(b) * p).sum().backward()
        opt.step()
        ws.append(p.detach().numpy().copy())
    sol = optimizer_steps(w=w0, a=a, b=b, n_steps=N_STEPS, **case.steps_opts)
    for k, w_ref in enumerate(ws, start=1):
        close(sol.answer[f"w{k}"], w_ref)
    # The recorded gradient of step 2 is taken at w1.
    close(sol.step("g2").value, a * sol.answer["w1"] + b)


# --------------------------------------------------------------------------- training optimizers


class Param:
    """A stand-in for the autograd Tensor: data and a grad that backward adds to in place."""

    def __init__(self, data: Any) -> None:
        self.data = data
        self.grad = None


TRAINING = [
    ("sgd", lambda ps: SGD(ps, lr=0.1), lambda ps: torch.optim.SGD(ps, lr=0.1)),
    ("sgd_wd", lambda ps: SGD(ps, lr=0.1, weight_decay=0.3),
     lambda ps: torch.optim.SGD(ps, lr=0.1, weight_decay=0.3)),
    ("momentum", lambda ps: SGD(ps, lr=0.05, momentum=0.9, weight_decay=0.01),
     lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, weight_decay=0.01)),
    ("nesterov", lambda ps: SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
     lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True)),
    ("adagrad", lambda ps: Adagrad(ps, lr=0.2, weight_decay=0.1),
     lambda ps: torch.optim.Adagrad(ps, lr=0.2, weight_decay=0.1)),
    ("rmsprop", lambda ps: RMSProp(ps, lr=0.01, alpha=0.9, weight_decay=0.1),
     lambda ps: torch.optim.RMSprop(ps, lr=0.01, alpha=0.9, weight_decay=0.1)),
    ("rmsprop_defaults", lambda ps: RMSProp(ps), lambda ps: torch.optim.RMSprop(ps)),
    ("adam", lambda ps: Adam(ps, lr=0.05, betas=(0.8, 0.99), weight_decay=0.1),
     lambda ps: torch.optim.Adam(ps, lr=0.05, betas=(0.8, 0.99), weight_decay=0.1)),
    ("adamw", lambda ps: AdamW(ps, lr=0.05, weight_decay=0.3),
     lambda ps: torch.optim.AdamW(ps, lr=0.05, weight_decay=0.3)),
]


def run_training(ours, theirs, accumulate: bool):
    rng = np.random.default_rng(3)
    shapes = [(3, 4), (4,), (1,), (2, 1)]
    w0 = [rng.normal(size=s) for s in shapes]
    grads = [[rng.normal(size=s) for s in shapes] for _ in range(N_STEPS)]
    mine = [Param(w.copy()) for w in w0]
    tps = [torch.tensor(w, requires_grad=True) for w in w0]
    opt, topt = ours(mine), theirs(tps)
    for step_grads in grads:
        if accumulate:  # the training loop's way: zero, then backward adds in place
            opt.zero_grad()
            for p, g in zip(mine, step_grads, strict=True):
                p.grad += g
        else:
            for p, g in zip(mine, step_grads, strict=True):
                p.grad = g.copy()
        opt.step()
        for tp, g in zip(tps, step_grads, strict=True):
            tp.grad = torch.tensor(g)
        topt.step()
        for p, tp in zip(mine, tps, strict=True):
            close(p.data, tp.detach().numpy())
            assert p.data.shape == tp.shape


@pytest.mark.parametrize("accumulate", [False, True], ids=["grad_assigned", "grad_accumulated"])
@pytest.mark.parametrize(("name", "ours", "theirs"), TRAINING, ids=[t[0] for t in TRAINING])
def test_training_optimizer_matches_torch(name, ours, theirs, accumulate):
    run_training(ours, theirs, accumulate)


def test_training_scalar_parameter_holds_a_float():
    p, q = Param(1.5), Param(np.array([1.0, -2.0]))
    tp = torch.tensor([1.5, 1.0, -2.0], dtype=torch.float64, requires_grad=True)
    opt, topt = Adam([p, q], lr=0.1), torch.optim.Adam([tp], lr=0.1)
    for g in ([0.3, -1.0, 2.0], [-0.5, 0.25, 1.0]):
        opt.zero_grad()
        p.grad += g[0]
        q.grad += np.array(g[1:])
        opt.step()
        tp.grad = torch.tensor(g, dtype=torch.float64)
        topt.step()
    assert type(p.data) is float
    close([p.data, *q.data], tp.detach().numpy())


def test_zero_grad_gives_fresh_zeros_and_keeps_old_gradients():
    p = Param(np.ones((2, 2)))
    opt = SGD([p], lr=0.1)
    opt.zero_grad()
    np.testing.assert_array_equal(p.grad, np.zeros((2, 2)))
    p.grad += 1.0
    kept = p.grad
    opt.step()
    opt.zero_grad()
    np.testing.assert_array_equal(kept, np.ones((2, 2)))
    np.testing.assert_array_equal(p.grad, np.zeros((2, 2)))
    close(p.data, np.full((2, 2), 0.9))


def test_parameter_replaced_between_steps_is_used():
    p = Param(np.ones(3))
    opt = SGD([p], lr=0.5)
    p.grad = np.ones(3)
    opt.step()
    p.data = np.array([10.0, 20.0, 30.0])  # e.g. re-initialised by the caller
    opt.step()
    close(p.data, [9.5, 19.5, 29.5])


def test_none_gradient_counts_as_zero():
    p, q = Param(np.ones(2)), Param(np.ones(2))
    opt = SGD([p, q], lr=0.5)
    p.grad = np.array([1.0, 2.0])
    opt.step()
    close(p.data, [0.5, 0.0])
    close(q.data, [1.0, 1.0])


def test_schedule_can_change_lr_between_steps():
    p = Param(np.zeros(1))
    opt = SGD([p], lr=1.0)
    p.grad = np.ones(1)
    opt.step()
    opt.lr = 0.25
    opt.step()
    close(p.data, [-1.25])


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: SGD([], lr=0.1), "empty"),
        (lambda: SGD([Param(np.ones(2))], lr=0.1, nesterov=True), "momentum"),
        (lambda: SGD([Param(np.ones(2))], lr=-1.0), "lr"),
        (lambda: Adam([Param(np.ones(2))], betas=(0.9, 1.0)), "betas"),
        (lambda: RMSProp([Param(np.ones(2))], eps=-1.0), "eps"),
    ],
)
def test_training_optimizer_bad_settings(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_training_optimizer_notices_a_wrong_gradient_size():
    p = Param(np.ones(3))
    opt = SGD([p], lr=0.1)
    p.grad = np.ones(2)
    with pytest.raises(ValueError, match="gradient sizes"):
        opt.step()


def test_adam_trains_xor_mlp_quickly():
    """A 2-8-1 tanh/sigmoid MLP on XOR with hand-written NumPy backprop: 1,000 Adam steps.

    "Quickly" is a work budget: a step is a fixed handful of NumPy calls on one flat vector, not
    a loop over the 33 numbers nor a recorded working (speed: benchmarks/bench_limits.py)."""
    rng = np.random.default_rng(0)
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    w1, b1 = Param(rng.normal(size=(2, 8))), Param(np.zeros(8))
    w2, b2 = Param(rng.normal(size=(8, 1))), Param(np.zeros(1))
    params = [w1, b1, w2, b2]
    opt = Adam(params, lr=0.05)
    in_optimizer = 0
    for _ in range(1000):
        opt.zero_grad()
        h = np.tanh(x @ w1.data + b1.data)
        p = 1 / (1 + np.exp(-(h @ w2.data + b2.data)))
        dz = (p - y) / len(x)  # mean binary cross-entropy through the sigmoid
        dh = dz @ w2.data.T * (1 - h**2)
        for param, grad in zip(params, (x.T @ dh, dh.sum(0), h.T @ dz, dz.sum(0)), strict=True):
            param.grad += grad  # in place, as the autograd Tensor accumulates
        count, error = calls(opt.step)
        assert error is None, error
        in_optimizer += count
    loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert loss < 0.01
    np.testing.assert_array_equal(p.round(), y)
    # 28 calls a step here: 20, plus 2 per parameter to see that its data and grad are still views
    assert in_optimizer <= 40 * 1000, f"1,000 Adam steps made {in_optimizer:,} calls"


# --------------------------------------------------------------------------- variants PyTorch lacks


def test_cs231n_momentum_matches_numpy_and_gives_pytorch_weights():
    w0, grads = random_run((4,), seed=5)
    lr, rho = 0.1, 0.9
    w_np, m_np = w0.copy(), np.zeros(4)
    w, v_cs, v_pt, w_pt = w0, np.zeros(4), np.zeros(4), w0
    for g in grads:
        m_np = rho * m_np - lr * g
        w_np = w_np + m_np
        cs = momentum_step(w=w, g=g, v=v_cs, lr=lr, rho=rho, form="cs231n")
        pt = momentum_step(w=w_pt, g=g, v=v_pt, lr=lr, rho=rho)
        w, v_cs, w_pt, v_pt = cs.answer["w"], cs.answer["v"], pt.answer["w"], pt.answer["v"]
        close(v_cs, m_np)
        close(w, w_np)
        close(w, w_pt)  # the two forms agree on w for a constant lr
        close(v_cs, -lr * v_pt)
    steps = optimizer_steps(optimizer="momentum", w=w0, grads=grads, lr=lr, rho=rho, form="cs231n")
    close(steps.answer[f"w{N_STEPS}"], w_np)


def numpy_lookahead_nesterov(w, v, a, b, lr, rho, n):
    out = []
    for _ in range(n):
        g_ahead = a * (w + rho * v) + b
        v = rho * v - lr * g_ahead
        w = w + v
        out.append((w, v))
    return out


def test_lookahead_nesterov_on_quadratic_matches_numpy():
    w0, a, b = np.array([1.0, -2.0, 0.5]), np.array([1.0, 2.0, 0.5]), np.array([0.0, 1.0, -1.0])
    expected = numpy_lookahead_nesterov(w0, np.zeros(3), a, b, 0.1, 0.9, N_STEPS)
    w, v = w0, np.zeros(3)
    for w_ref, v_ref in expected:
        sol = nesterov_step(w=w, v=v, lr=0.1, rho=0.9, a=a, b=b)
        close(sol.step("w_ahead").value, w + 0.9 * v)
        w, v = sol.answer["w"], sol.answer["v"]
        close(w, w_ref)
        close(v, v_ref)
    steps = optimizer_steps(optimizer="nesterov", w=w0, a=a, b=b, n_steps=N_STEPS, lr=0.1, rho=0.9)
    for k, (w_ref, v_ref) in enumerate(expected, start=1):
        close(steps.answer[f"w{k}"], w_ref)
        close(steps.answer[f"v{k}"], v_ref)


def test_lookahead_nesterov_with_explicit_gradient_matches_hand_example():
    # w=1, v=0.5, ρ=0.9, α=0.1, g(w+ρv)=3.9 -> v = 0.45 - 0.39 = 0.06, w = 1.06
    sol = nesterov_step(w=1.0, v=0.5, lr=0.1, rho=0.9, g_ahead=3.9)
    assert sol.answer == pytest.approx({"v": 0.06, "w": 1.06}, rel=1e-12)
    assert isinstance(sol.answer["w"], float)
    # The same through f(w) = ½·2·w² + 1·w, whose gradient at 1.45 is 3.9.
    quad = nesterov_step(w=1.0, v=0.5, lr=0.1, rho=0.9, a=2.0, b=1.0)
    assert quad.answer == pytest.approx(sol.answer, rel=1e-12)
    assert quad.step("g_ahead").value == pytest.approx(3.9)


def numpy_adam(w, grads, lr, b1, b2, eps, correct=True, inside=False):
    m = v = np.zeros_like(w)
    out = []
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        mh, vh = (m / (1 - b1**t), v / (1 - b2**t)) if correct else (m, v)
        w = w - lr * mh / (np.sqrt(vh + eps) if inside else np.sqrt(vh) + eps)
        out.append((m, v, w))
    return out


@pytest.mark.parametrize(("correct", "inside"), [(False, False), (True, True), (False, True)])
def test_adam_variants_match_numpy(correct, inside):
    w0, grads = random_run((3,), seed=6)
    expected = numpy_adam(w0, grads, 0.1, 0.9, 0.999, 1e-3, correct, inside)
    placement = "inside" if inside else "outside"
    w, m, v = w0, 0.0, 0.0
    for t, (g, (m_ref, v_ref, w_ref)) in enumerate(zip(grads, expected, strict=True), start=1):
        sol = adam_step(w=w, g=g, m=m, v=v, t=t, lr=0.1, eps=1e-3, bias_correction=correct,
                        eps_placement=placement)
        m, v, w = sol.answer["m"], sol.answer["v"], sol.answer["w"]
        close(m, m_ref)
        close(v, v_ref)
        close(w, w_ref)
    names = [s.name for s in sol.steps]
    assert names == (["m", "v", "m_hat", "v_hat", "denominator", "step", "w"] if correct
                     else ["m", "v", "denominator", "step", "w"])


@pytest.mark.parametrize(("placement", "use_sqrt"), [("inside", True), ("outside", False)])
def test_adagrad_variants_match_numpy(placement, use_sqrt):
    w0, grads = random_run((4,), seed=7)
    w_np, c_np, w, cache = w0, np.zeros(4), w0, 0.0
    for g in grads:
        c_np = c_np + g**2
        if not use_sqrt:
            den = c_np + 1e-4
        else:
            den = np.sqrt(c_np + 1e-4) if placement == "inside" else np.sqrt(c_np) + 1e-4
        w_np = w_np - 0.3 * g / den
        sol = adagrad_step(w=w, g=g, cache=cache, lr=0.3, eps=1e-4, eps_placement=placement, sqrt=use_sqrt)
        w, cache = sol.answer["w"], sol.answer["cache"]
        close(cache, c_np)
        close(w, w_np)


def test_rmsprop_eps_inside_matches_numpy():
    w0, grads = random_run((4,), seed=8)
    w_np, c_np, w, cache = w0, np.zeros(4), w0, np.zeros(4)
    for g in grads:
        c_np = 0.9 * c_np + 0.1 * g**2
        w_np = w_np - 0.01 * g / np.sqrt(c_np + 1e-4)
        sol = rmsprop_step(w=w, g=g, cache=cache, lr=0.01, decay=0.9, eps=1e-4, eps_placement="inside")
        w, cache = sol.answer["w"], sol.answer["cache"]
        close(cache, c_np)
        close(w, w_np)


@pytest.mark.parametrize("eta", [1.0, 0.5])
def test_adamw_paper_matches_numpy(eta):
    w0, grads = random_run((3,), seed=9)
    lr, b1, b2, eps, lam = 0.01, 0.9, 0.999, 1e-8, 0.05
    w_np, m_np, v_np = w0, np.zeros(3), np.zeros(3)
    w, m, v = w0, 0.0, 0.0
    for t, g in enumerate(grads, start=1):
        m_np = b1 * m_np + (1 - b1) * g
        v_np = b2 * v_np + (1 - b2) * g**2
        mh, vh = m_np / (1 - b1**t), v_np / (1 - b2**t)
        w_np = w_np - eta * (lr * mh / (np.sqrt(vh) + eps) + lam * w_np)
        sol = adamw_step(w=w, g=g, m=m, v=v, t=t, lr=lr, weight_decay=lam, variant="paper", eta=eta)
        m, v, w = sol.answer["m"], sol.answer["v"], sol.answer["w"]
        close(w, w_np)
        close(m, m_np)


def test_adamw_l2_matches_numpy():
    w0, grads = random_run((3,), seed=10)
    lam = 0.1
    w_np, m_np, v_np, w, m, v = w0, 0.0, 0.0, w0, 0.0, 0.0
    for t, g in enumerate(grads, start=1):
        g2 = g + lam * w_np
        m_np = 0.9 * m_np + 0.1 * g2
        v_np = 0.999 * v_np + 0.001 * g2**2
        w_np = w_np - 1e-3 * (m_np / (1 - 0.9**t)) / (np.sqrt(v_np / (1 - 0.999**t)) + 1e-8)
        sol = adamw_step(w=w, g=g, m=m, v=v, t=t, weight_decay=lam, variant="l2")
        m, v, w = sol.answer["m"], sol.answer["v"], sol.answer["w"]
        close(sol.step("g_l2").value, g2)
        close(w, w_np)


# --------------------------------------------------------------------------- hand-worked values, steps


def test_momentum_hand_example():
    # v = 0.9·0.5 + 2 = 2.45; w = 1 - 0.1·2.45 = 0.755
    sol = momentum_step(w=1.0, g=2.0, v=0.5, lr=0.1, rho=0.9)
    assert sol.answer == pytest.approx({"v": 2.45, "w": 0.755}, rel=1e-12)
    assert all(isinstance(x, float) for x in sol.answer.values())


def test_adam_first_step_moves_about_lr_times_sign():
    g = np.array([3.0, -0.5, 20.0])
    sol = adam_step(w=np.zeros(3), g=g, m=0, v=0, t=1, lr=0.01)
    np.testing.assert_allclose(-sol.answer["w"], 0.01 * np.sign(g), rtol=1e-6)


def test_adam_steps_carry_the_computed_values():
    w, g, m, v = np.array([0.5, -1.0]), np.array([0.2, 0.4]), np.array([0.1, -0.1]), np.array([0.01, 0.02])
    sol = adam_step(w=w, g=g, m=m, v=v, t=3, lr=0.01, beta1=0.9, beta2=0.99)
    m_new, v_new = 0.9 * m + 0.1 * g, 0.99 * v + 0.01 * g**2
    close(sol.step("m").value, m_new)
    close(sol.step("v").value, v_new)
    close(sol.step("m_hat").value, m_new / (1 - 0.9**3))
    close(sol.step("v_hat").value, v_new / (1 - 0.99**3))
    close(sol.step("w").value, sol.answer["w"])
    step = sol.step("m_hat")
    assert step.formula == "m / (1 - β₁^t)"
    assert step.substituted == "[0.11, -0.05] / (1 - 0.9^3)"
    assert not step.given


def test_adam_override_of_m_carries_forward():
    w, g = np.array([0.5, -1.0]), np.array([0.2, 0.4])
    student_m = np.array([0.3, 0.3])  # wrong, but the rest must follow from it
    sol = adam_step(w=w, g=g, m=0, v=0, t=1, lr=0.01, overrides={"m": student_m.tolist()})
    assert sol.step("m").given
    close(sol.answer["m"], student_m)
    v_hat = (0.001 * g**2) / 0.001
    close(sol.step("m_hat").value, student_m / 0.1)
    close(sol.answer["w"], w - 0.01 * (student_m / 0.1) / (np.sqrt(v_hat) + 1e-8))


def test_optimizer_steps_numbers_steps_and_carries_overrides():
    sol = optimizer_steps(optimizer="sgd", w=1.0, a=2.0, b=0.0, n_steps=2, lr=0.1, overrides={"w1": 0.5})
    # step 2 starts from the student's w1 = 0.5: g2 = 2·0.5 = 1, w2 = 0.5 - 0.1·1 = 0.4
    assert [s.name for s in sol.steps] == ["g1", "w1", "g2", "w2"]
    assert sol.step("w1").given and sol.step("w1").label.startswith("step 1")
    assert sol.answer["w2"] == pytest.approx(0.4)


def test_optimizer_steps_can_start_mid_run():
    w, g = np.array([1.0, 2.0]), np.array([0.5, -0.5])
    m, v = np.array([0.1, 0.2]), np.array([0.3, 0.4])
    one = adam_step(w=w, g=g, m=m, v=v, t=4)
    run = optimizer_steps(optimizer="adam", w=w, grads=[g], t=4, state={"m": m, "v": v})
    close(run.answer["w1"], one.answer["w"])
    close(run.answer["v1"], one.answer["v"])


def test_step_formulas_render_for_every_variant():
    """Every template's placeholders get numbers (render raises KeyError otherwise)."""
    w, g = [1.0, 2.0], [0.5, -0.5]
    sols = [
        sgd_step(w=w, g=g, lr=0.1),
        momentum_step(w=w, g=g, v=0, lr=0.1, rho=0.9, form="cs231n"),
        nesterov_step(w=w, v=0, lr=0.1, rho=0.9, g=g, form="pytorch"),
        adagrad_step(w=w, g=g, cache=0, lr=0.1, sqrt=False),
        rmsprop_step(w=w, g=g, cache=0, lr=0.1, decay=0.9, eps_placement="inside"),
        adam_step(w=w, g=g, m=0, v=0, t=1, bias_correction=False),
        adamw_step(w=w, g=g, m=0, v=0, t=1),
        adamw_step(w=w, g=g, m=0, v=0, t=1, variant="paper", eta=0.5),
    ]
    for sol in sols:
        assert sol.steps and all(s.formula and s.substituted for s in sol.steps)
    assert sols[3].step("w").formula == "w - α·g / (cache + ε)"
    assert sols[4].step("w").formula == "w - α·g / √(cache + ε)"
    assert sols[6].step("w_decayed").substituted == "[1, 2]·(1 - 0.001·0.01)"


def test_scalar_state_applies_to_every_weight():
    sol = momentum_step(w=[1.0, 2.0], g=[1.0, 1.0], v=0.5, lr=0.1, rho=1.0)
    close(sol.answer["v"], [1.5, 1.5])


def test_solvers_are_registered():
    fns = [sgd_step, momentum_step, nesterov_step, adagrad_step, rmsprop_step, adam_step, adamw_step,
           optimizer_steps]
    for fn in fns:
        assert registry.get(fn.__name__) is fn


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: adam_step(w=[1, 2, 3], g=[1, 2], m=0, v=0, t=1), "mismatched shapes"),
        (lambda: momentum_step(w=[1, 2, 3], g=[1, 2, 3], v=[0, 0], lr=0.1, rho=0.9), "mismatched shapes"),
        (lambda: sgd_step(w=[1, 2], g=[1, float("nan")], lr=0.1), "g: contains NaN"),
        (lambda: sgd_step(w=[1, float("inf")], g=[1, 2], lr=0.1), "w: contains NaN"),
        (lambda: momentum_step(w=1, g=1, v=0, lr=0.1, rho=0.9, form="nag"), "unknown momentum form 'nag'"),
        (lambda: nesterov_step(w=1, v=0, lr=0.1, rho=0.9, g=1, form="cs231n"), "unknown Nesterov form"),
        (lambda: adamw_step(w=1, g=1, m=0, v=0, t=1, variant="hybrid"), "unknown adamw variant 'hybrid'"),
        (lambda: adam_step(w=1, g=1, m=0, v=0, t=1, eps_placement="both"), "unknown eps_placement 'both'"),
        (lambda: adagrad_step(w=1, g=1, cache=0, lr=0.1, sqrt="no"), "sqrt must be true or false"),
        (lambda: nesterov_step(w=1, v=0, lr=0.1, rho=0.9, g=1), "uses g_ahead"),
        (lambda: nesterov_step(w=1, v=0, lr=0.1, rho=0.9), "needs g_ahead or the quadratic"),
        (lambda: nesterov_step(w=1, v=0, lr=0.1, rho=0.9, g=1, a=1, form="pytorch"), "not both"),
        (lambda: adam_step(w=1, g=1, m=0, v=0, t=0), "t is the number of the step"),
        (lambda: adam_step(w=1, g=1, m=0, v=0, t=1.5), "t is the number of the step"),
        (lambda: adam_step(w=1, g=1, m=0, v=0, t=1, beta1=1.0), r"beta1 must be in \[0, 1\)"),
        (lambda: rmsprop_step(w=1, g=1, cache=0, lr=0.1, decay=1.5), "decay must be in"),
        (lambda: sgd_step(w=1, g=1, lr=-0.1), "lr must be positive"),
        (lambda: optimizer_steps(optimizer="lbfgs", w=1, grads=[1], lr=0.1), "unknown optimizer 'lbfgs'"),
        (lambda: optimizer_steps(optimizer="sgd", w=[1, 2], grads=[[1, 2, 3]], lr=0.1), "grads: expected"),
        (lambda: optimizer_steps(optimizer="sgd", w=1, grads=[1], lr=0.1, rho=0.9), "unknown option 'rho'"),
        (lambda: optimizer_steps(optimizer="momentum", w=1, grads=[1], lr=0.1), "momentum needs rho"),
        (lambda: optimizer_steps(optimizer="sgd", w=1, a=1, lr=0.1), "n_steps"),
        (lambda: optimizer_steps(optimizer="sgd", w=1, lr=0.1), "either grads"),
        (lambda: optimizer_steps(optimizer="adam", w=1, grads=[1], state={"cache": 1}), "unknown state"),
    ],
)
def test_bad_input_is_a_value_error_that_names_the_problem(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_wrong_override_shape_is_a_value_error():
    with pytest.raises(ValueError, match="shape"):
        adam_step(w=[1.0, 2.0], g=[1.0, 1.0], m=0, v=0, t=1, overrides={"m": [1.0, 2.0, 3.0]})
