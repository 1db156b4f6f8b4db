"""Every built-in template over 500 seeds, and the core templates against independent computations.

The independent side is PyTorch (float64) where PyTorch has the formula, and NumPy written here
otherwise; it never calls our solvers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from question_bank.bank import load_bank
from question_bank.question import Question

SEEDS = range(500)
BANK = load_bank(environ={})
CORE = [
    "activation",
    "softmax",
    "cross-entropy",
    "binary-cross-entropy",
    "hinge-loss",
    "mse",
    "sgd-step",
    "momentum-step",
    "adagrad-step",
    "rmsprop-step",
    "adam-step",
    "adamw-step",
    "lr-linear-decay",
    "batchnorm",
    "layernorm",
    "dropout",
    "knn",
    "svm-margin",
    "logistic-regression",
]
_QUESTIONS: dict[str, list[Question]] = {}


def questions(template_id: str) -> list[Question]:
    if template_id not in _QUESTIONS:
        _QUESTIONS[template_id] = [BANK.instantiate(template_id, seed) for seed in SEEDS]
    return _QUESTIONS[template_id]


def test_bank_size_and_topics():
    assert len(BANK) >= 40
    assert set(CORE) <= set(BANK.ids())
    topics = BANK.topics()
    for topic in (
        "activations",
        "backprop",
        "mlp",
        "losses",
        "optimizers",
        "learning-rate",
        "normalization",
        "regularization",
        "knn",
        "linear-models",
        "encoding",
        "critical-points",
    ):
        assert topic in topics, topic
    concepts = [t for t in BANK.templates.values() if t.is_concept]
    assert len(concepts) >= 8
    for t in concepts:  # plausible distractors, each explained
        for part in t.parts:
            assert len(part.options) >= 3, t.id
            assert all(len(o.why) > 20 for o in part.options), t.id
    for t in BANK.templates.values():
        assert t.hints, t.id
        assert t.is_concept or len(t.hints) >= 2, t.id  # the idea, then the numbers


def _decimals(x: float) -> int:
    text = repr(float(x))
    return 0 if float(x).is_integer() else len(text.split(".")[1]) if "e" not in text else 99


@pytest.mark.parametrize("template_id", BANK.ids())
def test_every_template_500_seeds(template_id: str):
    template = BANK.get(template_id)
    drawn = [p for p in template.params if p.kind in ("decimal", "vector", "matrix")]
    for q in questions(template_id):
        # A concept with a pool asks its drawn parts (sampler.concept_variant): read the question's own.
        assert set(q.expected) == {p.name for p in q.parts}
        for part in q.parts:
            value = q.expected[part.name]
            if part.type in ("number", "vector", "matrix"):
                arr = np.asarray(value, dtype=float)
                assert arr.ndim == {"number": 0, "vector": 1, "matrix": 2}[part.type]
                assert np.all(np.isfinite(arr)), (q.id, part.name)
            elif part.type == "integer":
                assert isinstance(value, int)
            elif part.type == "choice":
                assert isinstance(value, str)
                if part.options:
                    assert value in {o.id for o in part.options}
        for spec in drawn:  # hand-friendly: no more decimals than the template allows
            flat = np.ravel(np.asarray(q.params[spec.name], dtype=float))
            assert all(_decimals(v) <= template.hand.param_decimals for v in flat), (q.id, spec.name)
        assert q.text() and all(q.hints())


# ----- independent references for the core templates ------------------------------------------


def _t(x: Any) -> torch.Tensor:
    return torch.tensor(np.asarray(x, dtype=float), dtype=torch.float64, requires_grad=True)


def ref_activation(p: dict) -> dict:
    x = _t(p["x"])
    fns: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "leaky_relu": lambda v: F.leaky_relu(v, 0.01),
        "elu": lambda v: F.elu(v, 1.0),
        "softplus": F.softplus,
    }
    y = fns[p["fn"]](x)
    y.backward()
    return {"value": y.item(), "derivative": x.grad.item()}


def ref_softmax(p: dict) -> dict:
    return {"probs": torch.softmax(_t(p["logits"]), 0).detach().numpy()}


def ref_cross_entropy(p: dict) -> dict:
    f = _t(p["logits"])
    loss = F.cross_entropy(f[None], torch.tensor([p["label"]]))
    loss.backward()
    return {"loss": loss.item(), "grad": f.grad.numpy()}


def ref_binary_cross_entropy(p: dict) -> dict:
    z = _t(p["z"])
    loss = F.binary_cross_entropy_with_logits(z, torch.tensor(float(p["y"]), dtype=torch.float64))
    loss.backward()
    return {"loss": loss.item(), "grad": z.grad.item()}


def ref_hinge_loss(p: dict) -> dict:
    s = _t(p["scores"])
    c = len(p["scores"])
    # PyTorch's multi_margin_loss divides the CS231n sum by the number of classes.
    loss = F.multi_margin_loss(s[None], torch.tensor([p["label"]]), margin=float(p["margin"])) * c
    loss.backward()
    return {"loss": loss.item(), "grad": s.grad.numpy()}


def ref_mse(p: dict) -> dict:
    pred = _t(p["pred"])
    loss = F.mse_loss(pred, torch.tensor(p["target"], dtype=torch.float64))
    loss.backward()
    return {"loss": loss.item(), "grad": pred.grad.numpy()}


def _optim_step(
    make: Callable[[list[torch.Tensor]], torch.optim.Optimizer], p: dict, state: dict[str, Any]
) -> tuple[torch.Tensor, dict]:
    w = torch.tensor(np.asarray(p["w"], dtype=float), dtype=torch.float64, requires_grad=True)
    opt = make([w])
    opt.state[w].update(
        {
            k: (torch.tensor(np.asarray(v, dtype=float), dtype=torch.float64) if not isinstance(v, torch.Tensor) else v)
            for k, v in state.items()
        }
    )
    w.grad = torch.tensor(np.asarray(p["g"], dtype=float), dtype=torch.float64)
    opt.step()
    return w.detach(), opt.state[w]


def ref_sgd_step(p: dict) -> dict:
    w, _ = _optim_step(lambda ps: torch.optim.SGD(ps, lr=p["lr"]), p, {})
    return {"w": w.numpy()}


def ref_momentum_step(p: dict) -> dict:
    w, st = _optim_step(lambda ps: torch.optim.SGD(ps, lr=p["lr"], momentum=p["rho"]), p, {"momentum_buffer": p["v"]})
    return {"w": w.numpy(), "v": st["momentum_buffer"].numpy()}


def ref_adagrad_step(p: dict) -> dict:
    w, st = _optim_step(
        lambda ps: torch.optim.Adagrad(ps, lr=p["lr"], eps=p["eps"], foreach=False), p, {"sum": p["cache"]}
    )
    return {"w": w.numpy(), "cache": st["sum"].numpy()}


def ref_rmsprop_step(p: dict) -> dict:
    w, st = _optim_step(
        lambda ps: torch.optim.RMSprop(ps, lr=p["lr"], alpha=p["decay"], eps=p["eps"], foreach=False),
        p,
        {"step": torch.tensor(0.0), "square_avg": p["cache"]},
    )
    return {"w": w.numpy(), "cache": st["square_avg"].numpy()}


def _adam_state(p: dict) -> dict:
    return {"step": torch.tensor(float(p["t"] - 1)), "exp_avg": p["m"], "exp_avg_sq": p["v"]}


def ref_adam_step(p: dict) -> dict:
    w, st = _optim_step(
        lambda ps: torch.optim.Adam(ps, lr=p["lr"], betas=(p["beta1"], p["beta2"]), eps=p["eps"], foreach=False),
        p,
        _adam_state(p),
    )
    return {"w": w.numpy(), "m": st["exp_avg"].numpy(), "v": st["exp_avg_sq"].numpy()}


def ref_adamw_step(p: dict) -> dict:
    w, st = _optim_step(
        lambda ps: torch.optim.AdamW(
            ps, lr=p["lr"], betas=(p["beta1"], p["beta2"]), eps=p["eps"], weight_decay=p["weight_decay"], foreach=False
        ),
        p,
        _adam_state(p),
    )
    return {"w": w.numpy(), "m": st["exp_avg"].numpy(), "v": st["exp_avg_sq"].numpy()}


def ref_lr_linear_decay(p: dict) -> dict:
    k, tau = p["k"], p["tau"]
    if k > tau:
        return {"lr": p["lr_tau"]}
    a = k / tau
    return {"lr": (1 - a) * p["lr0"] + a * p["lr_tau"]}


def _norm_stats(x: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    mean = x.sum(axis=axis) / x.shape[axis]
    centred = x - np.expand_dims(mean, axis)
    return mean, (centred**2).sum(axis=axis) / x.shape[axis]


def ref_batchnorm(p: dict) -> dict:
    x = np.asarray(p["x"], dtype=float)
    out = F.batch_norm(
        torch.tensor(x),
        None,
        None,
        torch.tensor(p["gamma"], dtype=torch.float64),
        torch.tensor(p["beta"], dtype=torch.float64),
        training=True,
        eps=p["eps"],
    )
    mean, var = _norm_stats(x, 0)
    return {"mean": mean, "var": var, "out": out.numpy()}


def ref_layernorm(p: dict) -> dict:
    x = np.asarray(p["x"], dtype=float)
    out = F.layer_norm(
        torch.tensor(x),
        (x.shape[1],),
        torch.tensor(p["gamma"], dtype=torch.float64),
        torch.tensor(p["beta"], dtype=torch.float64),
        eps=p["eps"],
    )
    mean, var = _norm_stats(x, 1)
    return {"mean": mean, "var": var, "out": out.numpy()}


def ref_dropout(p: dict) -> dict:
    return {"out": np.asarray(p["x"], dtype=float) * np.asarray(p["mask"]) / (1 - p["p"])}


def ref_knn(p: dict) -> dict:
    X, q = np.asarray(p["train_x"], dtype=float), np.asarray(p["query"], dtype=float)
    d = np.abs(X - q).sum(axis=1) if p["metric"] == "l1" else np.sqrt(((X - q) ** 2).sum(axis=1))
    nearest = np.argsort(d, kind="stable")[: p["k"]]
    votes = Counter(p["train_y"][i] for i in nearest).most_common()
    assert len(votes) == 1 or votes[0][1] > votes[1][1]  # the template promises no tied vote
    return {"label": votes[0][0]}


def ref_svm_margin(p: dict) -> dict:
    return {"margin": 2 / np.linalg.norm(np.asarray(p["w"], dtype=float))}


def ref_logistic_regression(p: dict) -> dict:
    z = float(np.dot(p["w"], p["x"]) + p["b"])
    return {"p": torch.sigmoid(torch.tensor(z, dtype=torch.float64)).item()}


REFERENCES = {tid: globals()["ref_" + tid.replace("-", "_")] for tid in CORE}


@pytest.mark.parametrize("template_id", CORE)
def test_core_template_matches_independent_computation(template_id: str):
    ref_fn = REFERENCES[template_id]
    for q in questions(template_id):
        ref = ref_fn(q.params)
        assert set(ref) == set(q.expected), template_id
        for name, want in ref.items():
            got = q.expected[name]
            if isinstance(got, int) and not isinstance(want, float):
                assert got == want, (q.id, name)
            else:
                np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12, err_msg=f"{q.id} {name}")


def test_core_templates_take_the_issue_parameters():
    wanted = {
        "activation": {"fn", "x", "alpha"},
        "softmax": {"logits"},
        "cross-entropy": {"logits", "label"},
        "binary-cross-entropy": {"z", "y"},
        "hinge-loss": {"scores", "label", "margin"},
        "mse": {"pred", "target"},
        "sgd-step": {"w", "g", "lr"},
        "momentum-step": {"w", "g", "v", "lr", "rho"},
        "adagrad-step": {"w", "g", "cache", "lr", "eps"},
        "rmsprop-step": {"w", "g", "cache", "lr", "decay", "eps"},
        "adam-step": {"w", "g", "m", "v", "t", "lr", "beta1", "beta2", "eps"},
        "adamw-step": {"w", "g", "m", "v", "t", "lr", "beta1", "beta2", "eps", "weight_decay"},
        "lr-linear-decay": {"lr0", "lr_tau", "tau", "k"},
        "batchnorm": {"x", "gamma", "beta", "eps"},
        "layernorm": {"x", "gamma", "beta", "eps"},
        "dropout": {"x", "mask", "p"},
        "knn": {"train_x", "train_y", "query", "k", "metric"},
        "svm-margin": {"w"},
        "logistic-regression": {"w", "b", "x"},
    }
    for tid, names in wanted.items():
        assert names <= {p.name for p in BANK.get(tid).params}, tid
    assert [p.name for p in BANK.get("adam-step").parts] == ["m", "v", "w"]
    assert [p.name for p in BANK.get("cross-entropy").parts] == ["loss", "grad"]
    assert [p.name for p in BANK.get("knn").parts] == ["label"]
