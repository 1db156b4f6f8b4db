"""Optimizer updates: the math once, shared by the step solvers and the training optimizers.

Each ``*_update`` function takes a recorder first and computes through ``rec.step``, so that a
registered solver (a real ``Recorder``) shows its working and honours a student's overridden
values, while the training optimizers (``steps.NULL``) run the very same code at full speed.
Update functions trust their inputs (the solvers validate) and return the new state, then the
new weights, in answer order.

Conventions (/work/shared/conventions.md): state starts at zero, ``t`` is the number of the step
being taken (1 for the first), defaults follow PyTorch except Nesterov, whose default is the
look-ahead form of seed 003.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from solvers.registry import solver
from solvers.steps import NULL, Recorder, Solution
from solvers.validate import array, choice, same_shape, scalar

Num = Any  # a float or a float64 ndarray: the update math works on both
Options = Mapping[str, Any] | None

MOMENTUM_FORMS = ("pytorch", "cs231n")
NESTEROV_FORMS = ("lookahead", "pytorch")
EPS_PLACEMENTS = ("outside", "inside")
ADAMW_VARIANTS = ("pytorch", "paper", "l2")


# --------------------------------------------------------------------------- update math


def sgd_update(rec: Recorder, w: Num, g: Num, lr: float) -> Num:
    return rec.step("w", "new weights", "{w} - {lr}·{g}", w - lr * g, w=w, lr=lr, g=g)


def momentum_update(
    rec: Recorder, w: Num, g: Num, v: Num, lr: float, rho: float, *, form: str = "pytorch"
) -> tuple[Num, Num]:
    """Heavy-ball momentum; returns (v, w). The cs231n velocity is -lr times the PyTorch one."""
    choice(form, "momentum form", MOMENTUM_FORMS)
    if form == "pytorch":
        v = rec.step("v", "velocity", "{rho}·{v} + {g}", rho * v + g, rho=rho, v=v, g=g)
        step = _step(rec, "{lr}·{v}", lr * v, lr=lr, v=v)
        w = rec.step("w", "new weights", "{w} - {lr}·{v}", w - step, w=w, lr=lr, v=v)
    else:
        step = _step(rec, "{lr}·{g}", lr * g, lr=lr, g=g)
        v = rec.step("v", "velocity", "{rho}·{v} - {lr}·{g}", rho * v - step, rho=rho, v=v, lr=lr, g=g)
        w = rec.step("w", "new weights", "{w} + {v}", w + v, w=w, v=v)
    return v, w


def _step(rec: Recorder, template: str, value: Num, **numbers: Any) -> Num:
    """The step α·(something), recorded: a student writes it down before adding it on."""
    return rec.step("step", "the step", template, value, **numbers)


def lookahead_point(rec: Recorder, w: Num, v: Num, rho: float) -> Num:
    """Where the look-ahead form of Nesterov momentum evaluates the gradient."""
    return rec.step("w_ahead", "look-ahead point", "{w} + {rho}·{v}", w + rho * v, w=w, rho=rho, v=v)


def nesterov_update(
    rec: Recorder, w: Num, g: Num, v: Num, lr: float, rho: float, *, form: str = "lookahead"
) -> tuple[Num, Num]:
    """Nesterov momentum; returns (v, w).

    ``form="lookahead"`` (seed 003): ``g`` is the gradient at the look-ahead point w + ρv
    (:func:`lookahead_point`); v <- ρv - αg; w <- w + v.
    ``form="pytorch"`` (``nesterov=True``): ``g`` is the gradient at w;
    v <- ρv + g; w <- w - α(g + ρv).
    """
    choice(form, "Nesterov form", NESTEROV_FORMS)
    if form == "lookahead":
        step = _step(rec, "{lr}·{g_ahead}", lr * g, lr=lr, g_ahead=g)
        v = rec.step("v", "velocity", "{rho}·{v} - {lr}·{g_ahead}", rho * v - step,
                     rho=rho, v=v, lr=lr, g_ahead=g)
        w = rec.step("w", "new weights", "{w} + {v}", w + v, w=w, v=v)
    else:
        v = rec.step("v", "velocity", "{rho}·{v} + {g}", rho * v + g, rho=rho, v=v, g=g)
        step = _step(rec, "{lr}·({g} + {rho}·{v})", lr * (g + rho * v), lr=lr, g=g, rho=rho, v=v)
        w = rec.step("w", "new weights", "{w} - {lr}·({g} + {rho}·{v})", w - step,
                     w=w, lr=lr, g=g, rho=rho, v=v)
    return v, w


def _denominator(x: Num, key: str, eps: float, placement: str, sqrt: bool = True) -> tuple[Num, str]:
    """The value and the template of the adaptive denominator built from the cache ``x``."""
    choice(placement, "eps_placement", EPS_PLACEMENTS)
    if not sqrt:
        return x + eps, f"({{{key}}} + {{eps}})"
    if placement == "outside":
        return np.sqrt(x) + eps, f"(√{{{key}}} + {{eps}})"
    return np.sqrt(x + eps), f"√({{{key}}} + {{eps}})"


def _adaptive_w(rec: Recorder, w: Num, g: Num, cache: Num, lr: float, eps: float, placement: str,
                sqrt: bool = True) -> Num:
    """w <- w - α·g / denominator(cache): the last step of Adagrad and RMSProp."""
    den, den_t = _denominator(cache, "cache", eps, placement, sqrt)
    # recorded: a student writes the root down before dividing by it
    den = rec.step("denominator", "denominator of the step", den_t.strip("()") if den_t.startswith("(") else den_t,
                   den, cache=cache, eps=eps)
    return rec.step("w", "new weights", f"{{w}} - {{lr}}·{{g}} / {den_t}", w - lr * g / den,
                    w=w, lr=lr, g=g, cache=cache, eps=eps)


def adagrad_update(
    rec: Recorder, w: Num, g: Num, cache: Num, lr: float, eps: float, *,
    eps_placement: str = "outside", sqrt: bool = True,
) -> tuple[Num, Num]:
    """Adagrad; returns (cache, w). ``sqrt=False`` is seed 003's typo form g/(cache + ε)."""
    cache = rec.step("cache", "gradient cache", "{cache} + {g}²", cache + g * g, cache=cache, g=g)
    return cache, _adaptive_w(rec, w, g, cache, lr, eps, eps_placement, sqrt)


def rmsprop_update(
    rec: Recorder, w: Num, g: Num, cache: Num, lr: float, decay: float, eps: float, *,
    eps_placement: str = "outside", one_minus: bool = True, sqrt: bool = True,
) -> tuple[Num, Num]:
    """RMSProp (``decay`` is β, PyTorch's ``alpha``); returns (cache, w). ``one_minus=False`` and
    ``sqrt=False`` are the classic slips βc + g² and g/(cache + ε), for the checker."""
    if one_minus:
        cache = rec.step("cache", "gradient cache", "{decay}·{cache} + (1 - {decay})·{g}²",
                         decay * cache + (1 - decay) * (g * g), decay=decay, cache=cache, g=g)
    else:
        cache = rec.step("cache", "gradient cache", "{decay}·{cache} + {g}²", decay * cache + g * g,
                         decay=decay, cache=cache, g=g)
    return cache, _adaptive_w(rec, w, g, cache, lr, eps, eps_placement, sqrt)


def _moments(
    rec: Recorder, g: Num, m: Num, v: Num, t: int, beta1: float, beta2: float, bias_correction: bool
) -> tuple[Num, Num, Num, Num]:
    """Adam's moments; returns (m, v, m_hat, v_hat), the hats being m and v without correction."""
    m = rec.step("m", "first moment", "{beta1}·{m} + (1 - {beta1})·{g}", beta1 * m + (1 - beta1) * g,
                 beta1=beta1, m=m, g=g)
    v = rec.step("v", "second moment", "{beta2}·{v} + (1 - {beta2})·{g}²",
                 beta2 * v + (1 - beta2) * (g * g), beta2=beta2, v=v, g=g)
    if not bias_correction:
        return m, v, m, v
    m_hat = rec.step("m_hat", "bias-corrected first moment", "{m} / (1 - {beta1}^{t})",
                     m / (1 - beta1**t), m=m, beta1=beta1, t=t)
    v_hat = rec.step("v_hat", "bias-corrected second moment", "{v} / (1 - {beta2}^{t})",
                     v / (1 - beta2**t), v=v, beta2=beta2, t=t)
    return m, v, m_hat, v_hat


def adam_update(
    rec: Recorder, w: Num, g: Num, m: Num, v: Num, t: int, lr: float, beta1: float, beta2: float,
    eps: float, *, bias_correction: bool = True, eps_placement: str = "outside",
) -> tuple[Num, Num, Num]:
    """Adam; returns (m, v, w). Without bias correction: the simplified form of seeds 000-003."""
    m, v, m_hat, v_hat = _moments(rec, g, m, v, t, beta1, beta2, bias_correction)
    mk, vk = ("m_hat", "v_hat") if bias_correction else ("m", "v")
    den, den_t = _denominator(v_hat, vk, eps, eps_placement)
    # recorded: a student writes the root down before dividing by it
    den = rec.step("denominator", "denominator of the step", den_t.strip("()") if den_t.startswith("(") else den_t,
                   den, **{vk: v_hat, "eps": eps})
    step = _step(rec, f"{{lr}}·{{{mk}}} / {den_t}", lr * m_hat / den, **{"lr": lr, mk: m_hat, vk: v_hat, "eps": eps})
    w = rec.step("w", "new weights", f"{{w}} - {{lr}}·{{{mk}}} / {den_t}", w - step,
                 **{"w": w, "lr": lr, mk: m_hat, vk: v_hat, "eps": eps})
    return m, v, w


def adamw_update(
    rec: Recorder, w: Num, g: Num, m: Num, v: Num, t: int, lr: float, beta1: float, beta2: float,
    eps: float, weight_decay: float, *, variant: str = "pytorch", eta: float = 1.0,
    bias_correction: bool = True, decay_after: bool = False, decay_lr: float | None = None,
) -> tuple[Num, Num, Num]:
    """Adam with weight decay λ; returns (m, v, w).

    ``pytorch``: w <- w(1 - αλ), then the Adam step (step ``w_decayed``). ``paper`` (Loshchilov &
    Hutter, schedule multiplier η = ``eta``): w <- w - η(α·m̂/(√v̂ + ε) + λw). ``l2``: g <- g + λw
    (step ``g_l2``), then the Adam step.
    """
    choice(variant, "AdamW variant", ADAMW_VARIANTS)
    lr_decay = lr if decay_lr is None else decay_lr  # the decay keeps its sign when the step's is flipped
    if variant == "pytorch" and decay_after:  # a slip, for the checker: the decay applied after the step
        m, v, stepped = adam_update(_Renamed(rec, {"w": "w_stepped"}), w, g, m, v, t, lr, beta1, beta2, eps,
                                    bias_correction=bias_correction)
        w = rec.step("w", "new weights", "{w_stepped}·(1 - {lr}·{weight_decay})",
                     stepped * (1 - lr_decay * weight_decay), w_stepped=stepped, lr=lr_decay, weight_decay=weight_decay)
        return m, v, w
    if variant == "pytorch":
        w = rec.step("w_decayed", "weights after the decoupled decay", "{w}·(1 - {lr}·{weight_decay})",
                     w * (1 - lr_decay * weight_decay), w=w, lr=lr_decay, weight_decay=weight_decay)
        return adam_update(rec, w, g, m, v, t, lr, beta1, beta2, eps, bias_correction=bias_correction)
    if variant == "l2":
        g = rec.step("g_l2", "gradient with the L2 term", "{g} + {weight_decay}·{w}", g + weight_decay * w,
                     g=g, weight_decay=weight_decay, w=w)
        return adam_update(rec, w, g, m, v, t, lr, beta1, beta2, eps)
    m, v, m_hat, v_hat = _moments(rec, g, m, v, t, beta1, beta2, True)
    inner = "{lr}·{m_hat} / (√{v_hat} + {eps}) + {weight_decay}·{w}"
    template = f"{{w}} - ({inner})" if eta == 1 else f"{{w}} - {{eta}}·({inner})"
    value = w - eta * (lr * m_hat / (np.sqrt(v_hat) + eps) + weight_decay * w)
    w = rec.step("w", "new weights", template, value,
                 w=w, eta=eta, lr=lr, m_hat=m_hat, v_hat=v_hat, eps=eps, weight_decay=weight_decay)
    return m, v, w


class _Renamed(Recorder):
    """Passes steps on to ``parent`` with some names changed (``{"w": "w_stepped"}``)."""

    def __init__(self, parent: Recorder, names: Mapping[str, str]) -> None:
        self.parent, self.names = parent, dict(names)
        self.steps, self.overrides = parent.steps, parent.overrides

    def step(self, name: str, label: str, template: str, value: Any, **numbers: Any) -> Any:
        return self.parent.step(self.names.get(name, name), label, template, value, **numbers)

    def note(self, name: str, label: str, value: Any) -> Any:
        return self.parent.note(self.names.get(name, name), label, value)


# --------------------------------------------------------------------------- one step of each optimizer

Grad = Callable[[str, Num], Num]  # (step name, point) -> the gradient at that point
State = dict[str, Num]


def _lr(o: dict) -> float:
    """The learning rate of the step itself (negative for the ``ascent`` slip)."""
    return o.get("step_sign", 1.0) * o["lr"]


def _run_sgd(rec: Recorder, w: Num, grad: Grad, st: State, t: int, o: dict) -> tuple[Num, State]:
    return sgd_update(rec, w, grad("g", w), _lr(o)), st


def _run_momentum(rec: Recorder, w: Num, grad: Grad, st: State, t: int, o: dict) -> tuple[Num, State]:
    v, w = momentum_update(rec, w, grad("g", w), st["v"], _lr(o), o["rho"], form=o["form"])
    return w, {"v": v}


def _run_nesterov(rec: Recorder, w: Num, grad: Grad, st: State, t: int, o: dict) -> tuple[Num, State]:
    if o["form"] == "lookahead":
        g = grad("g_ahead", lookahead_point(rec, w, st["v"], o["rho"]))
    else:
        g = grad("g", w)
    v, w = nesterov_update(rec, w, g, st["v"], _lr(o), o["rho"], form=o["form"])
    return w, {"v": v}


def _run_adagrad(rec: Recorder, w: Num, grad: Grad, st: State, t: int, o: dict) -> tuple[Num, State]:
    cache, w = adagrad_update(rec, w, grad("g", w), st["cache"], _lr(o), o["eps"],
                              eps_placement=o["eps_placement"], sqrt=o["sqrt"])
    return w, {"cache": cache}


def _run_rmsprop(rec: Recorder, w: Num, grad: Grad, st: State, t: int, o: dict) -> tuple[Num, State]:
    cache, w = rmsprop_update(rec, w, grad("g", w), st["cache"], _lr(o), o["decay"], o["eps"],
                              eps_placement=o["eps_placement"], one_minus=o["one_minus"], sqrt=o["sqrt"])
    return w, {"cache": cache}


def _run_adam(rec: Recorder, w: Num, grad: Grad, st: State, t: int, o: dict) -> tuple[Num, State]:
    m, v, w = adam_update(rec, w, grad("g", w), st["m"], st["v"], t, _lr(o), o["beta1"], o["beta2"],
                          o["eps"], bias_correction=o["bias_correction"], eps_placement=o["eps_placement"])
    return w, {"m": m, "v": v}


def _run_adamw(rec: Recorder, w: Num, grad: Grad, st: State, t: int, o: dict) -> tuple[Num, State]:
    m, v, w = adamw_update(rec, w, grad("g", w), st["m"], st["v"], t, _lr(o), o["beta1"], o["beta2"],
                           o["eps"], o["weight_decay"], variant=o["variant"], eta=o["eta"],
                           bias_correction=o["bias_correction"], decay_after=o["decay_after"], decay_lr=o["lr"])
    return w, {"m": m, "v": v}


_REQUIRED = object()  # an option the question must give


@dataclass(frozen=True)
class _Spec:
    state: tuple[str, ...]
    options: Mapping[str, Any]  # name -> default, or _REQUIRED
    run: Callable[[Recorder, Num, Grad, State, int, dict], tuple[Num, State]]


_ADAM = {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
SPECS: dict[str, _Spec] = {
    "sgd": _Spec((), {"lr": _REQUIRED}, _run_sgd),
    "momentum": _Spec(("v",), {"lr": _REQUIRED, "rho": _REQUIRED, "form": "pytorch"}, _run_momentum),
    "nesterov": _Spec(("v",), {"lr": _REQUIRED, "rho": _REQUIRED, "form": "lookahead"}, _run_nesterov),
    "adagrad": _Spec(("cache",), {"lr": _REQUIRED, "eps": 1e-10, "eps_placement": "outside", "sqrt": True},
                     _run_adagrad),
    "rmsprop": _Spec(("cache",), {"lr": _REQUIRED, "decay": _REQUIRED, "eps": 1e-8,
                                  "eps_placement": "outside", "one_minus": True, "sqrt": True}, _run_rmsprop),
    "adam": _Spec(("m", "v"), {**_ADAM, "bias_correction": True, "eps_placement": "outside"}, _run_adam),
    "adamw": _Spec(("m", "v"), {**_ADAM, "weight_decay": 0.01, "variant": "pytorch", "eta": 1.0,
                                "bias_correction": True, "decay_after": False}, _run_adamw),
}
# Every optimizer also takes ``ascent`` (default false): the slip of stepping up the gradient, for the
# checker (the learning rate's sign flipped once it is validated).
MISTAKE_OPTIONS = {"ascent": False}

_CHOICES = {
    ("momentum", "form"): MOMENTUM_FORMS,
    ("nesterov", "form"): NESTEROV_FORMS,
    ("adamw", "variant"): ADAMW_VARIANTS,
}


# --------------------------------------------------------------------------- input checks


def _in_range(name: str, value: Any, high_open: bool) -> float:
    x = scalar(value, name)
    if x < 0 or x > 1 or (high_open and x == 1):
        raise ValueError(f"{name} must be in [0, 1{')' if high_open else ']'}, got {x:g}")
    return x


def _option(optimizer: str, key: str, value: Any) -> Any:
    """One validated hyperparameter or convention name."""
    if (optimizer, key) in _CHOICES:
        return choice(value, f"{optimizer} {key}", _CHOICES[optimizer, key])
    if key == "eps_placement":
        return choice(value, key, EPS_PLACEMENTS)
    if key in ("sqrt", "bias_correction", "one_minus", "decay_after", "ascent"):
        if not isinstance(value, (bool, np.bool_)):
            raise ValueError(f"{key} must be true or false, got {value!r}")
        return bool(value)
    if key in ("rho", "decay", "beta1", "beta2"):
        return _in_range(key, value, high_open=key.startswith("beta"))  # β = 1: no bias correction
    x = scalar(value, key)
    strict = key in ("lr", "eta")
    if x < 0 or (strict and x == 0):
        raise ValueError(f"{key} must be {'positive' if strict else 'non-negative'}, got {x:g}")
    return x


def _options(optimizer: str, given: Mapping[str, Any]) -> dict[str, Any]:
    spec = SPECS[optimizer]
    known = {**spec.options, **MISTAKE_OPTIONS}
    unknown = sorted(set(given) - set(known))
    if unknown:
        expected = ", ".join(spec.options)
        raise ValueError(f"unknown option {unknown[0]!r} for {optimizer}; expected: {expected}")
    out = {}
    for key, default in known.items():
        value = given.get(key, default)
        if value is _REQUIRED:
            raise ValueError(f"{optimizer} needs {key}")
        out[key] = _option(optimizer, key, value)
    if out.pop("ascent"):
        out["step_sign"] = -1.0
    return out


def _number(value: Any, name: str) -> Num:
    """A checked float (for a number) or float64 array."""
    arr = array(value, name)
    return float(arr) if arr.ndim == 0 else arr


def _like_w(w: Num, value: Any, name: str) -> Num:
    """A state or coefficient for ``w``: w's shape, or one number that applies to every element."""
    x = _number(value, name)
    if np.ndim(x) == 0 and np.ndim(w) > 0:
        return np.full(np.shape(w), x)
    same_shape(w=w, **{name: x})
    return x


def _step_number(t: Any) -> int:
    x = scalar(t, "t")
    if x < 1 or not x.is_integer():
        raise ValueError(f"t is the number of the step being taken (1 for the first), got {x:g}")
    return int(x)


def _out(x: Num) -> Any:
    return float(x) if np.ndim(x) == 0 else np.asarray(x, dtype=np.float64)


# --------------------------------------------------------------------------- gradient sources


def _given(g: Num) -> Grad:
    return lambda name, at: g


def _explicit(g: Any, name: str = "g") -> Callable[[Num], Grad]:
    """A given gradient, checked against ``w`` once ``w`` is known."""

    def check(w: Num) -> Grad:
        x = _number(g, name)
        same_shape(w=w, **{name: x})
        return _given(x)

    return check


def _quadratic(rec: Recorder, a: Num, b: Num) -> Grad:
    """The gradient of f(w) = ½·a·w² + b·w (elementwise), recorded wherever it is evaluated.

    With b = 0 the working shows f(w) = ½·a·w² and a·w, as the question writes it.
    """
    if not np.any(np.asarray(b)):
        def grad(name: str, at: Num) -> Num:
            return rec.step(name, "gradient of f(w) = ½·a·w²", "{a}·{w}", a * at + b, a=a, w=at)

        return grad

    def grad(name: str, at: Num) -> Num:
        return rec.step(name, "gradient of f(w) = ½·a·w² + b·w", "{a}·{w} + {b}", a * at + b, a=a, w=at, b=b)

    return grad


# --------------------------------------------------------------------------- step solvers


def _one_step(optimizer: str, rec: Recorder, w: Any, grad: Callable[[Num], Grad], state: Mapping[str, Any],
              t: Any, options: Mapping[str, Any]) -> Solution:
    """Validate, take one step, answer with the state and then ``w``."""
    w = _number(w, "w")
    o = _options(optimizer, options)
    st = {k: _like_w(w, v, k) for k, v in state.items()}
    w, st = SPECS[optimizer].run(rec, w, grad(w), st, _step_number(t), o)
    return rec.solution(**{k: _out(v) for k, v in st.items()}, w=_out(w))


@solver("sgd_step")
def sgd_step(w: Any, g: Any, lr: float, overrides: Options = None) -> Solution:
    """One gradient-descent step -> {w}."""
    return _one_step("sgd", Recorder(overrides), w, _explicit(g), {}, 1, {"lr": lr})


@solver("momentum_step")
def momentum_step(w: Any, g: Any, v: Any, lr: float, rho: float, form: str = "pytorch",
                  overrides: Options = None) -> Solution:
    """One momentum step -> {v, w}. ``form``: "pytorch" (v <- ρv + g; w <- w - αv) or
    "cs231n" (v <- ρv - αg; w <- w + v)."""
    opts = {"lr": lr, "rho": rho, "form": form}
    return _one_step("momentum", Recorder(overrides), w, _explicit(g), {"v": v}, 1, opts)


@solver("nesterov_step")
def nesterov_step(w: Any, v: Any, lr: float, rho: float, g: Any = None, g_ahead: Any = None, a: Any = None,
                  b: Any = 0.0, form: str = "lookahead", overrides: Options = None) -> Solution:
    """One Nesterov step -> {v, w}; the look-ahead form also records the step ``w_ahead``.

    The gradient is given in one of two ways:
    - explicitly: ``g`` (the gradient at w) for ``form="pytorch"``, or ``g_ahead`` (the gradient
      at the look-ahead point w + ρv) for ``form="lookahead"``;
    - as the quadratic f(w) = ½·a·w² + b·w (elementwise; ``a``, ``b`` numbers or arrays like w),
      whose gradient a·w + b is evaluated wherever the form needs it (step ``g`` or ``g_ahead``),
      so that a template can ask for the look-ahead form without working out that gradient.
    """
    rec = Recorder(overrides)
    choice(form, "Nesterov form", NESTEROV_FORMS)
    grad = _nesterov_gradient(rec, form, g, g_ahead, a, b)
    return _one_step("nesterov", rec, w, grad, {"v": v}, 1, {"lr": lr, "rho": rho, "form": form})


def _nesterov_gradient(rec: Recorder, form: str, g: Any, g_ahead: Any, a: Any, b: Any
                       ) -> Callable[[Num], Grad]:
    wanted, other = ("g_ahead", "g") if form == "lookahead" else ("g", "g_ahead")
    explicit = {"g": g, "g_ahead": g_ahead}
    where = {"g": "the gradient at w", "g_ahead": "the gradient at w + ρv"}
    if explicit[other] is not None:
        raise ValueError(f"Nesterov form {form!r} uses {wanted} ({where[wanted]}), not {other}")
    if (explicit[wanted] is None) == (a is None):
        raise ValueError(f"Nesterov form {form!r} needs {wanted} or the quadratic's a (and b), not both")
    if a is None:
        return _explicit(explicit[wanted], wanted)
    return lambda w: _quadratic(rec, _like_w(w, a, "a"), _like_w(w, b, "b"))


@solver("adagrad_step")
def adagrad_step(w: Any, g: Any, cache: Any, lr: float, eps: float = 1e-10, eps_placement: str = "outside",
                 sqrt: bool = True, overrides: Options = None) -> Solution:
    """One Adagrad step -> {cache, w}. ``eps_placement="inside"``: √(cache + ε) (seed 004);
    ``sqrt=False``: g/(cache + ε) (seed 003's typo, for the checker)."""
    opts = {"lr": lr, "eps": eps, "eps_placement": eps_placement, "sqrt": sqrt}
    return _one_step("adagrad", Recorder(overrides), w, _explicit(g), {"cache": cache}, 1, opts)


@solver("rmsprop_step")
def rmsprop_step(w: Any, g: Any, cache: Any, lr: float, decay: float, eps: float = 1e-8,
                 eps_placement: str = "outside", one_minus: bool = True, sqrt: bool = True,
                 overrides: Options = None) -> Solution:
    """One RMSProp step -> {cache, w}; ``decay`` is β (0.9 in the seeds, PyTorch's alpha = 0.99).
    ``one_minus=False``, ``sqrt=False``: classic slips, for the checker."""
    opts = {"lr": lr, "decay": decay, "eps": eps, "eps_placement": eps_placement, "one_minus": one_minus,
            "sqrt": sqrt}
    return _one_step("rmsprop", Recorder(overrides), w, _explicit(g), {"cache": cache}, 1, opts)


@solver("adam_step")
def adam_step(w: Any, g: Any, m: Any, v: Any, t: int, lr: float = 1e-3, beta1: float = 0.9,
              beta2: float = 0.999, eps: float = 1e-8, bias_correction: bool = True,
              eps_placement: str = "outside", overrides: Options = None) -> Solution:
    """One Adam step -> {m, v, w}; steps m, v, m_hat and v_hat (with bias correction), w."""
    opts = {"lr": lr, "beta1": beta1, "beta2": beta2, "eps": eps, "bias_correction": bias_correction,
            "eps_placement": eps_placement}
    return _one_step("adam", Recorder(overrides), w, _explicit(g), {"m": m, "v": v}, t, opts)


@solver("adamw_step")
def adamw_step(w: Any, g: Any, m: Any, v: Any, t: int, lr: float = 1e-3, beta1: float = 0.9,
               beta2: float = 0.999, eps: float = 1e-8, weight_decay: float = 0.01, variant: str = "pytorch",
               eta: float = 1.0, bias_correction: bool = True, decay_after: bool = False, ascent: bool = False,
               overrides: Options = None) -> Solution:
    """One AdamW step -> {m, v, w}. ``variant``: "pytorch" (decoupled decay, step ``w_decayed``),
    "paper" (with the schedule multiplier ``eta``) or "l2" (step ``g_l2``); see :func:`adamw_update`."""
    opts = {"lr": lr, "beta1": beta1, "beta2": beta2, "eps": eps, "weight_decay": weight_decay,
            "variant": variant, "eta": eta, "bias_correction": bias_correction, "decay_after": decay_after,
            "ascent": ascent}
    return _one_step("adamw", Recorder(overrides), w, _explicit(g), {"m": m, "v": v}, t, opts)


# --------------------------------------------------------------------------- several steps in a row


class _Numbered(Recorder):
    """Passes steps on to ``parent`` with the step number appended to their names (w -> w2)."""

    def __init__(self, parent: Recorder, k: int) -> None:
        self.parent, self.k = parent, k
        self.steps, self.overrides = parent.steps, parent.overrides  # shared, so reads see the whole solve

    def step(self, name: str, label: str, template: str, value: Any, **numbers: Any) -> Any:
        return self.parent.step(f"{name}{self.k}", f"step {self.k}: {label}", template, value, **numbers)

    def note(self, name: str, label: str, value: Any) -> Any:
        return self.parent.note(f"{name}{self.k}", f"step {self.k}: {label}", value)


MAX_STEPS = 50


@solver("optimizer_steps")
def optimizer_steps(optimizer: str, w: Any, grads: Any = None, a: Any = None, b: Any = 0.0,
                    n_steps: int | None = None, t: int = 1, state: Options = None, overrides: Options = None,
                    restart: bool = False, **options: Any) -> Solution:
    """Consecutive steps of ``optimizer`` (sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw)
    -> the state and ``w`` after each step, numbered from 1: e.g. {m1, v1, w1, m2, v2, w2}; the
    steps are named the same way (m_hat1, w_ahead2, ...).

    Gradients: ``grads`` has one per step (for look-ahead Nesterov, the gradient at each look-ahead
    point); or the quadratic f(w) = ½·a·w² + b·w with ``n_steps`` makes the gradient follow w
    (steps g1, g2, ... or g_ahead1, ...). ``options`` are the hyperparameters and conventions of the
    matching ``*_step`` solver; ``state`` (default zeros) and ``t`` (the number of the first step
    taken) let a question start mid-run.
    """
    optimizer = choice(optimizer, "optimizer", SPECS)
    spec, rec = SPECS[optimizer], Recorder(overrides)
    w = _number(w, "w")
    o = _options(optimizer, options)
    t0 = _step_number(t)
    st = _initial_state(spec, w, state or {})
    answer: dict[str, Any] = {}
    for k, source in enumerate(_step_gradients(w, grads, a, b, n_steps), start=1):
        numbered = _Numbered(rec, k)
        if restart:  # a slip, for the checker: every step taken as a first step, from zero state
            st = _initial_state(spec, w, {})
        w, st = spec.run(numbered, w, source(numbered), st, t0 if restart else t0 + k - 1, o)
        answer.update({f"{key}{k}": _out(val) for key, val in st.items()})
        answer[f"w{k}"] = _out(w)
    return rec.solution(**answer)


def _initial_state(spec: _Spec, w: Num, given: Mapping[str, Any]) -> State:
    unknown = sorted(set(given) - set(spec.state))
    if unknown:
        raise ValueError(f"unknown state {unknown[0]!r}; expected: {', '.join(spec.state) or 'none'}")
    return {k: _like_w(w, given.get(k, 0.0), k) for k in spec.state}


def _step_gradients(w: Num, grads: Any, a: Any, b: Any, n_steps: Any) -> list[Callable[[Recorder], Grad]]:
    """One gradient source per step, each to be built on that step's recorder."""
    if (grads is None) == (a is None):
        raise ValueError("give either grads (one gradient per step) or the quadratic's a (and b) and n_steps")
    if grads is None:
        n = scalar(-1 if n_steps is None else n_steps, "n_steps")
        if not (n.is_integer() and 1 <= n <= MAX_STEPS):
            raise ValueError(f"n_steps (needed with a, b) must be a whole number from 1 to {MAX_STEPS}")
        a, b = _like_w(w, a, "a"), _like_w(w, b, "b")
        return [lambda r: _quadratic(r, a, b)] * int(n)
    g = array(grads, "grads")
    if g.ndim == 0 or g.shape[1:] != np.shape(w) or not 1 <= len(g) <= MAX_STEPS:
        raise ValueError(f"grads: expected 1 to {MAX_STEPS} gradients, one per step, each of shape "
                         f"{np.shape(w)}; got shape {g.shape}")
    if n_steps is not None and scalar(n_steps, "n_steps") != len(g):
        raise ValueError(f"n_steps is {n_steps} but {len(g)} gradients were given")
    return [_constant(_out(gk)) for gk in g]


def _constant(g: Num) -> Callable[[Recorder], Grad]:
    return lambda rec: _given(g)


# --------------------------------------------------------------------------- training optimizers


class _Optimizer:
    """Updates parameters: objects with ``.data`` (a float64 ndarray, or a float) and ``.grad``.

    All parameters are updated as one flat vector, since a small network's step costs a handful of
    NumPy calls per call, not per number. To skip gathering and scattering, each parameter's
    ``data`` becomes a view into the optimizer's weight vector (updated in place), and
    ``zero_grad`` gives each parameter a fresh zero ``grad`` that is a view into one gradient
    vector, which an in-place ``grad +=`` in backward fills. A parameter whose data or grad was
    replaced since is gathered instead (and re-bound), so the views are only a shortcut. A ``grad``
    of None counts as zero (our ``Tensor`` gives a parameter outside the loss a zero gradient).
    """

    def __init__(self, params: Iterable[Any], lr: float) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError("optimizer got an empty parameter list")
        if len({id(p) for p in self.params}) != len(self.params):
            raise ValueError("optimizer got the same parameter twice")
        if not lr > 0:
            raise ValueError(f"lr must be positive, got {lr}")
        self.lr = float(lr)  # a schedule may change it between steps
        self.t = 0  # steps taken
        self.state: State = {}  # flat arrays over all parameters, made on the first step
        self._layout: list[tuple[Any, int, int, tuple[int, ...]]] = []
        start = 0
        for p in self.params:
            shape = np.shape(p.data)
            stop = start + int(np.prod(shape, dtype=np.int64))
            self._layout.append((p, start, stop, shape))
            start = stop
        self._size = start
        self._w, self._g = np.zeros(start), np.zeros(start)
        self._w_views: list[Any] = [None] * len(self.params)  # what each p.data is when bound
        self._g_views: list[Any] = [None] * len(self.params)

    def zero_grad(self) -> None:
        self._g = np.zeros(self._size)  # fresh: a gradient kept from the last step stays intact
        for i, (p, start, stop, shape) in enumerate(self._layout):
            p.grad = self._g_views[i] = self._g[start:stop].reshape(shape) if shape else 0.0

    def step(self) -> None:
        w, g = self._weights(), self._gradients()
        self.t += 1
        new = self._update(w, g)
        self._w[...] = new
        for i, (p, start, _, shape) in enumerate(self._layout):
            if not shape:  # a 0-d parameter holds a float: no view possible
                p.data = self._w_views[i] = float(new[start])

    def _weights(self) -> np.ndarray:
        if all(p.data is view for p, view in zip(self.params, self._w_views, strict=True)):
            return self._w
        w = np.concatenate([np.ravel(p.data) for p in self.params]).astype(np.float64)
        self._check_size(w, "parameter")
        self._w = w
        for i, (p, start, stop, shape) in enumerate(self._layout):
            p.data = self._w_views[i] = w[start:stop].reshape(shape) if shape else float(w[start])
        return w

    def _gradients(self) -> np.ndarray:
        if all(p.grad is view for p, view in zip(self.params, self._g_views, strict=True)):
            return self._g
        g = np.concatenate([_flat_grad(p.grad, shape) for p, _, _, shape in self._layout])
        self._check_size(g, "gradient")
        return g

    def _check_size(self, x: np.ndarray, what: str) -> None:
        if x.size != self._size:
            raise ValueError(f"{what} sizes changed since the optimizer was made: {x.size} numbers, "
                             f"expected {self._size}")

    def _update(self, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        raise NotImplementedError


def _flat_grad(grad: Any, shape: tuple[int, ...]) -> np.ndarray:
    return np.zeros(int(np.prod(shape, dtype=np.int64))) if grad is None else np.ravel(grad)


def _non_negative(**values: float) -> None:
    for name, x in values.items():
        if not x >= 0:
            raise ValueError(f"{name} must be non-negative, got {x}")


class SGD(_Optimizer):
    """PyTorch ``SGD`` without dampening: weight decay adds λw to g; momentum in PyTorch form."""

    def __init__(self, params: Iterable[Any], lr: float, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        _non_negative(momentum=momentum, weight_decay=weight_decay)
        if nesterov and momentum == 0:
            raise ValueError("Nesterov momentum needs momentum > 0")
        self.momentum, self.nesterov, self.weight_decay = momentum, nesterov, weight_decay

    def _update(self, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        if self.weight_decay:
            g = g + self.weight_decay * w
        if not self.momentum:
            return sgd_update(NULL, w, g, self.lr)
        update = nesterov_update if self.nesterov else momentum_update
        v = self.state.get("v", 0.0)
        self.state["v"], w = update(NULL, w, g, v, self.lr, self.momentum, form="pytorch")
        return w


class Adagrad(_Optimizer):
    """PyTorch ``Adagrad`` without lr decay."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, eps: float = 1e-10,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        _non_negative(eps=eps, weight_decay=weight_decay)
        self.eps, self.weight_decay = eps, weight_decay

    def _update(self, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        if self.weight_decay:
            g = g + self.weight_decay * w
        self.state["cache"], w = adagrad_update(NULL, w, g, self.state.get("cache", 0.0), self.lr, self.eps)
        return w


class RMSProp(_Optimizer):
    """PyTorch ``RMSprop`` without momentum or centering; ``alpha`` is the cache decay β."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        _non_negative(alpha=alpha, eps=eps, weight_decay=weight_decay)
        self.alpha, self.eps, self.weight_decay = alpha, eps, weight_decay

    def _update(self, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        if self.weight_decay:
            g = g + self.weight_decay * w
        cache = self.state.get("cache", 0.0)
        self.state["cache"], w = rmsprop_update(NULL, w, g, cache, self.lr, self.alpha, self.eps)
        return w


class Adam(_Optimizer):
    """PyTorch ``Adam``; its ``weight_decay`` is the L2 form (λw added to g)."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        _non_negative(eps=eps, weight_decay=weight_decay)
        if not all(0 <= beta < 1 for beta in betas):
            raise ValueError(f"betas must be in [0, 1), got {betas}")
        (self.beta1, self.beta2), self.eps, self.weight_decay = betas, eps, weight_decay

    def _update(self, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        if self.weight_decay:
            g = g + self.weight_decay * w
        m, v = self.state.get("m", 0.0), self.state.get("v", 0.0)
        self.state["m"], self.state["v"], w = adam_update(NULL, w, g, m, v, self.t, self.lr, self.beta1,
                                                          self.beta2, self.eps)
        return w


class AdamW(Adam):
    """PyTorch ``AdamW``: the decoupled decay w <- w(1 - αλ), then the Adam step."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.01) -> None:
        super().__init__(params, lr, betas, eps, weight_decay)

    def _update(self, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        m, v = self.state.get("m", 0.0), self.state.get("v", 0.0)
        self.state["m"], self.state["v"], w = adamw_update(NULL, w, g, m, v, self.t, self.lr, self.beta1,
                                                           self.beta2, self.eps, self.weight_decay)
        return w
