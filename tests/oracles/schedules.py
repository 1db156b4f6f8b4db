"""Learning-rate schedules by hand, as PyTorch defines them (docs/conventions-extra.md, "Schedules")."""

from __future__ import annotations

import math

from tests.oracles.base import honest, identity, mistake, mistakes


def _step(p, k):
    return p["lr0"] * p["gamma"] ** (k // p["step_size"])


def _slip(p):
    """The epoch one off, on the side where a drop happens (the templates draw k next to one)."""
    return p["k"] + 1 if p["before"] == 1 else p["k"] - 1


@honest("lr-step-decay")
def step_decay(p, r):
    return {"lr": _step(p, p["k"])}


@mistakes("lr-step-decay")
def step_decay_mistakes(p):
    return {
        "drop-off-by-one": mistake(lr=_step(p, _slip(p))),
        "decay-every-epoch": mistake(lr=p["lr0"] * p["gamma"] ** p["k"]),
    }


def _multistep(p, k):
    return p["lr0"] * p["gamma"] ** sum(m <= k for m in p["milestones"])


@honest("lr-multistep-decay")
def multistep(p, r):
    return {"lr": _multistep(p, p["k"])}


@mistakes("lr-multistep-decay")
def multistep_mistakes(p):
    return {
        "drop-off-by-one": mistake(lr=_multistep(p, _slip(p))),
        "every-milestone": mistake(lr=p["lr0"] * p["gamma"] ** len(p["milestones"])),
    }


@honest("lr-exponential-decay")
def exponential(p, r):
    return {"lr": p["lr0"] * p["gamma"] ** p["k"]}


@mistakes("lr-exponential-decay")
def exponential_mistakes(p):
    lr0, g, k = p["lr0"], p["gamma"], p["k"]
    return {
        "epochs-from-one": mistake(lr=lr0 * g ** (k + 1)),
        "one-decay-short": mistake(lr=lr0 * g ** (k - 1)),
        "decay-applied-once": mistake(lr=lr0 * g),
    }


def _cosine(p, r=identity, k=None, eta_min=None):
    k = p["k"] if k is None else k
    low = p["eta_min"] if eta_min is None else eta_min
    c = r(math.cos(math.pi * k / p["t_max"]))
    return low + (p["lr0"] - low) * (1 + c) / 2


@honest("lr-cosine-annealing")
def cosine(p, r):
    return {"lr": _cosine(p, r)}


@mistakes("lr-cosine-annealing")
def cosine_mistakes(p):
    return {
        "eta-min-dropped": mistake(lr=_cosine(p, eta_min=0.0)),
        "epochs-from-one": mistake(lr=_cosine(p, k=p["k"] + 1)),
    }


def _warmup(p, r=identity, k=None, start=None):
    k = p["k"] if k is None else k
    f = p["start_factor"] if start is None else start
    factor = r(f + (1 - f) * min(k, p["warmup"]) / p["warmup"])
    return p["lr0"] * factor


@honest("lr-linear-warmup")
def warmup(p, r):
    return {"lr": _warmup(p, r)}


@mistakes("lr-linear-warmup")
def warmup_mistakes(p):
    return {
        "warmup-from-zero": mistake(lr=_warmup(p, start=0.0)),
        "epochs-from-one": mistake(lr=_warmup(p, k=p["k"] + 1)),
    }
