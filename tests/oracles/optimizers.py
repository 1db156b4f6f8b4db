"""Optimizer steps by hand (conventions.md, "Optimizers"): state starts at zero, t starts at 1."""

from __future__ import annotations

import math

import numpy as np

from tests.oracles.base import arr, convention, givens, honest, identity, mistake, mistakes

# -- Adam and AdamW --------------------------------------------------------------------------


def adam_moments(m, v, g, b1, b2, r):
    m_new = r(b1 * arr(m) + (1 - b1) * arr(g))
    v_new = r(b2 * arr(v) + (1 - b2) * arr(g) ** 2)
    return m_new, v_new


def adam_update(m, v, t, lr, b1, b2, eps, r, correct=True):
    """The step α·m̂/(√v̂ + ε): each correction factor, corrected moment and root written down."""
    if correct:
        m = r(m / r(1 - b1**t))
        v = r(v / r(1 - b2**t))
    return lr * m / (r(np.sqrt(v)) + eps)


def adam_eps_inside(m, v, t, lr, b1, b2, eps):
    return lr * (m / (1 - b1**t)) / np.sqrt(v / (1 - b2**t) + eps)


def _adam(p, r=identity, g=None, swap=False, correct=True, zero_state=False, t=None):
    b1, b2 = (p["beta2"], p["beta1"]) if swap else (p["beta1"], p["beta2"])
    t = p["t"] if t is None else t
    m0, v0 = (0 * arr(p["m"]), 0 * arr(p["v"])) if zero_state else (p["m"], p["v"])
    m, v = adam_moments(m0, v0, p["g"] if g is None else g, b1, b2, r)
    return m, v, adam_update(m, v, t, p["lr"], b1, b2, p["eps"], r, correct)


@honest("adam-step")
def adam_step(p, r):
    m, v, step = _adam(p, r)
    return {"m": m, "v": v, "w": arr(p["w"]) - step}


@mistakes("adam-step")
def adam_step_mistakes(p):
    w = arr(p["w"])
    m, v, step = _adam(p)
    sm, sv, sstep = _adam(p, swap=True)
    _, _, plain = _adam(p, correct=False)
    zm, zv, zstep = _adam(p, zero_state=True, t=1)
    inside = adam_eps_inside(m, v, p["t"], p["lr"], p["beta1"], p["beta2"], p["eps"])
    return {
        # conventions.md's Adam row lists it as the alternative the seeds print: a convention
        "no-bias-correction": convention(w=w - plain),
        "betas-swapped": mistake(m=sm, v=sv, w=w - sstep),
        "eps-inside-root": mistake(w=w - inside),
        "restarted-from-zero-state": mistake(m=zm, v=zv, w=w - zstep),
        "update-sign-flipped": mistake(w=w + step),
    }


@givens("adam-step")
def adam_step_givens(p):
    return {"w": [arr(p["w"])], "m": [arr(p["m"])], "v": [arr(p["v"])]}


def _adamw(p, r=identity, variant="pytorch", correct=True, swap=False, after=False):
    w, lam, lr = arr(p["w"]), p["weight_decay"], p["lr"]
    g = arr(p["g"]) + lam * w if variant == "l2" else p["g"]
    m, v, step = _adam(p, r, g=g, correct=correct, swap=swap)
    if variant == "pytorch":
        w_new = (w - step) * (1 - lr * lam) if after else r(w * r(1 - lr * lam)) - step
    elif variant == "paper":
        w_new = w - (step + lam * w)
    else:  # plain Adam: with L2 folded into g, or no decay at all
        w_new = w - step
    return m, v, w_new


@honest("adamw-step")
def adamw_step(p, r):
    m, v, w = _adamw(p, r)
    return {"m": m, "v": v, "w": w}


@mistakes("adamw-step")
def adamw_step_mistakes(p):
    m, v, w = _adamw(p)
    lm, lv, lw = _adamw(p, variant="l2")
    return {
        "paper-form": convention(w=_adamw(p, variant="paper")[2]),
        "adam-with-l2": convention(m=lm, v=lv, w=lw),
        "no-weight-decay": mistake(w=_adamw(p, variant="none")[2]),
        "decay-after-step": mistake(w=_adamw(p, after=True)[2]),
        "no-bias-correction": mistake(w=_adamw(p, correct=False)[2]),
        "update-sign-flipped": mistake(w=2 * arr(p["w"]) * (1 - p["lr"] * p["weight_decay"]) - w),
    }


@givens("adamw-step")
def adamw_step_givens(p):
    return {"w": [arr(p["w"])], "m": [arr(p["m"])], "v": [arr(p["v"])]}


def _adam_two(p, r=identity, correct=True, swap=False, restart=False, sign=1.0):
    b1, b2 = (p["beta2"], p["beta1"]) if swap else (p["beta1"], p["beta2"])
    lr, eps = p["lr"], p["eps"]
    m1, v1 = adam_moments(0.0, 0.0, p["g1"], b1, b2, r)
    w1 = r(p["w"] - sign * adam_update(m1, v1, 1, lr, b1, b2, eps, r, correct))
    if restart:  # step 2 worked as a first step: the state of step 1 forgotten
        m2, v2 = adam_moments(0.0, 0.0, p["g2"], b1, b2, r)
        t2 = 1
    else:
        m2, v2 = adam_moments(m1, v1, p["g2"], b1, b2, r)
        t2 = 2
    w2 = w1 - sign * adam_update(m2, v2, t2, lr, b1, b2, eps, r, correct)
    return float(w1), float(m2), float(w2)


@honest("adam-two-steps")
def adam_two_steps(p, r):
    w1, m2, w2 = _adam_two(p, r)
    return {"w1": w1, "m2": m2, "w2": w2}


@mistakes("adam-two-steps")
def adam_two_steps_mistakes(p):
    def parts(w1, m2, w2):
        return {"w1": w1, "m2": m2, "w2": w2}
    return {
        "no-bias-correction": convention(**parts(*_adam_two(p, correct=False))),
        "betas-swapped": mistake(**parts(*_adam_two(p, swap=True))),
        "restarted-from-zero-state": mistake(**parts(*_adam_two(p, restart=True))),
        "update-sign-flipped": mistake(**parts(*_adam_two(p, sign=-1.0))),
    }


@givens("adam-two-steps")
def adam_two_steps_givens(p):
    w1 = _adam_two(p)[0]
    return {"w1": [float(p["w"])], "w2": [w1, float(p["w"])]}


# -- RMSProp and Adagrad ---------------------------------------------------------------------


def _rmsprop(p, r=identity, beta=None, one_minus=True, sqrt=True, eps_inside=False, adagrad=False, sign=1.0):
    beta = p["decay"] if beta is None else beta
    g, c = arr(p["g"]), arr(p["cache"])
    if adagrad:
        cache = r(c + g**2)
    else:
        cache = r(beta * c + (r(1 - beta) if one_minus else 1.0) * r(g**2))
    denom = _root(cache, p["eps"], r, sqrt, eps_inside)
    return cache, arr(p["w"]) - sign * p["lr"] * g / denom


def _root(cache, eps, r, sqrt=True, eps_inside=False):
    if not sqrt:
        return cache + eps
    return np.sqrt(cache + eps) if eps_inside else r(np.sqrt(cache)) + eps


@honest("rmsprop-step")
def rmsprop_step(p, r):
    cache, w = _rmsprop(p, r)
    return {"cache": cache, "w": w}


@mistakes("rmsprop-step")
def rmsprop_step_mistakes(p):
    def parts(cache, w):
        return {"cache": cache, "w": w}
    return {
        "no-one-minus-beta": mistake(**parts(*_rmsprop(p, one_minus=False))),
        "no-square-root": mistake(w=_rmsprop(p, sqrt=False)[1]),
        "eps-inside-root": convention(w=_rmsprop(p, eps_inside=True)[1]),
        "pytorch-alpha-0.99": convention(**parts(*_rmsprop(p, beta=0.99))),
        "adagrad-cache": mistake(**parts(*_rmsprop(p, adagrad=True))),
        "update-sign-flipped": mistake(w=_rmsprop(p, sign=-1.0)[1]),
    }


@givens("rmsprop-step")
def rmsprop_step_givens(p):
    return {"cache": [arr(p["cache"])], "w": [arr(p["w"])]}


def _adagrad(p, r=identity, sqrt=True, eps_inside=False, stale=False, sign=1.0):
    g, c = arr(p["g"]), arr(p["cache"])
    cache = r(c + r(g**2))
    denom = _root(c if stale else cache, p["eps"], r, sqrt, eps_inside)
    return cache, arr(p["w"]) - sign * p["lr"] * g / denom


@honest("adagrad-step")
def adagrad_step(p, r):
    cache, w = _adagrad(p, r)
    return {"cache": cache, "w": w}


@mistakes("adagrad-step")
def adagrad_step_mistakes(p):
    with np.errstate(divide="ignore"):
        stale = _adagrad(p, stale=True)[1]
    return {
        "no-square-root": mistake(w=_adagrad(p, sqrt=False)[1]),
        "eps-inside-root": convention(w=_adagrad(p, eps_inside=True)[1]),
        "update-sign-flipped": mistake(w=_adagrad(p, sign=-1.0)[1]),
        "old-cache-in-step": mistake(w=stale),
    }


@givens("adagrad-step")
def adagrad_step_givens(p):
    return {"cache": [arr(p["cache"])], "w": [arr(p["w"])]}


# -- SGD, momentum, Nesterov -----------------------------------------------------------------


@honest("sgd-step")
def sgd_step(p, r):
    return {"w": arr(p["w"]) - r(p["lr"] * arr(p["g"]))}


@mistakes("sgd-step")
def sgd_step_mistakes(p):
    w, g = arr(p["w"]), arr(p["g"])
    return {
        "update-sign-flipped": mistake(w=w + p["lr"] * g),
        "learning-rate-forgotten": mistake(w=w - g),
    }


@givens("sgd-step")
def sgd_step_givens(p):
    return {"w": [arr(p["w"])]}


@honest("momentum-step")
def momentum_step(p, r):
    v = r(p["rho"] * arr(p["v"]) + arr(p["g"]))
    return {"v": v, "w": arr(p["w"]) - r(p["lr"] * v)}


@mistakes("momentum-step")
def momentum_step_mistakes(p):
    w, g, v0, lr, rho = arr(p["w"]), arr(p["g"]), arr(p["v"]), p["lr"], p["rho"]
    v = rho * v0 + g
    m = rho * v0 - lr * g  # CS231n: the given velocity read as m, and θ ← θ + m
    return {
        "cs231n-form": convention(v=m, w=w + m),
        "no-momentum": mistake(v=g, w=w - lr * g),
        "update-sign-flipped": mistake(w=w + lr * v),
    }


@givens("momentum-step")
def momentum_step_givens(p):
    return {"v": [arr(p["v"])], "w": [arr(p["w"])]}


def _momentum_two(p, r=identity, rho=None, sign=1.0, from_start=False):
    rho = p["rho"] if rho is None else rho
    lr, w = p["lr"], arr(p["w"])
    v1 = r(arr(p["g1"]))
    w1 = r(w - sign * r(lr * v1))
    v2 = r(rho * v1 + arr(p["g2"]))
    w2 = (w if from_start else w1) - sign * r(lr * v2)
    return {"v1": v1, "w1": w1, "v2": v2, "w2": w2}


@honest("momentum-two-steps")
def momentum_two_steps(p, r):
    return _momentum_two(p, r)


@mistakes("momentum-two-steps")
def momentum_two_steps_mistakes(p):
    right = _momentum_two(p)
    lr = p["lr"]
    return {
        "no-momentum": mistake(**_momentum_two(p, rho=0.0)),
        "cs231n-form": convention(v1=-lr * right["v1"], v2=-lr * right["v2"]),
        "update-sign-flipped": mistake(**_momentum_two(p, sign=-1.0)),
        "second-step-from-start": mistake(w2=_momentum_two(p, from_start=True)["w2"]),
    }


@givens("momentum-two-steps")
def momentum_two_steps_givens(p):
    right = _momentum_two(p)
    return {"w1": [arr(p["w"])], "w2": [right["w1"], arr(p["w"])], "v2": [right["v1"]]}


@honest("nesterov-step")
def nesterov_step(p, r):
    w, v, a = arr(p["w"]), arr(p["v"]), arr(p["a"])
    ahead = r(w + r(p["rho"] * v))
    g = r(a * ahead)
    v_new = r(p["rho"] * v - r(p["lr"] * g))
    return {"v": v_new, "w": w + v_new}


@mistakes("nesterov-step")
def nesterov_step_mistakes(p):
    w, v, a, lr, rho = arr(p["w"]), arr(p["v"]), arr(p["a"]), p["lr"], p["rho"]
    right = nesterov_step(p, identity)
    g_here = a * w
    plain = rho * v - lr * g_here
    buf = rho * v + g_here  # PyTorch nesterov=True: buffer v ← ρv + g, θ ← θ - α(g + ρv)
    return {
        "pytorch-form": convention(v=buf, w=w - lr * (g_here + rho * buf)),
        "gradient-at-w": mistake(v=plain, w=w + plain),
        "update-sign-flipped": mistake(w=w - right["v"]),
    }


@givens("nesterov-step")
def nesterov_step_givens(p):
    return {"v": [arr(p["v"])], "w": [arr(p["w"])]}


# -- three steps on a quadratic (every optimizer) -----------------------------------------------


def _run(p, r=identity, restart=False):
    """w after each of three steps on f(w) = ½·a·w² + b·w, by hand (conventions.md's forms)."""
    name, a, b, lr, w = p["optimizer"], p["a"], p["b"], p["lr"], float(p["w"])
    rho, beta, b1, b2 = 0.9, 0.9, 0.9, 0.999
    v = c = m = s = 0.0
    out = []
    for k in (1, 2, 3):
        if restart:
            v = c = m = s = 0.0
        t = 1 if restart else k
        if name == "nesterov":  # seed 003's look-ahead form: the gradient at w + ρv
            g = r(a * r(w + rho * v) + b)
            v = r(rho * v - lr * g)
            w = r(w + v)
        else:
            g = r(a * w + b)
            if name == "sgd":
                w = r(w - lr * g)
            elif name == "momentum":
                v = r(rho * v + g)
                w = r(w - r(lr * v))
            elif name == "adagrad":
                c = r(c + r(g * g))
                w = r(w - lr * g / (r(math.sqrt(c)) + 1e-10))
            elif name == "rmsprop":
                c = r(beta * c + (1 - beta) * r(g * g))
                w = r(w - lr * g / (r(math.sqrt(c)) + 1e-8))
            else:  # adam, adamw
                if name == "adamw":
                    w = r(w * (1 - lr * 0.01))
                m = r(b1 * m + (1 - b1) * g)
                s = r(b2 * s + (1 - b2) * g * g)
                m_hat, s_hat = r(m / (1 - b1**t)), r(s / (1 - b2**t))
                w = r(w - lr * m_hat / (r(math.sqrt(s_hat)) + 1e-8))
        out.append(w)
    return out


@honest("optimizer-three-steps")
def optimizer_three_steps(p, r):
    w1, w2, w3 = _run(p, r)
    return {"w1": w1, "w2": w2, "w3": w3}


@mistakes("optimizer-three-steps")
def optimizer_three_steps_mistakes(p):
    if p["optimizer"] == "sgd":
        return {}
    w1, w2, w3 = _run(p, restart=True)
    return {"state-restarted": mistake(w2=w2, w3=w3)}


@givens("optimizer-three-steps")
def optimizer_three_steps_givens(p):
    w1, w2, _ = _run(p)
    return {"w1": [float(p["w"])], "w2": [w1], "w3": [w2]}
