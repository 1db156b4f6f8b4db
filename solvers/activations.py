"""Activation functions and their derivatives, computed on the autograd core.

The value and the derivative both come from one graph: ``f(x)`` is built with Tensor ops and
``backward()`` gives f'(x) (elementwise, so one backward of Σf gives every entry). The step
formulas are the conventions' (derivative at exactly 0: 0 for ReLU, the negative-side slope for
leaky ReLU / PReLU, α for ELU, as PyTorch).

Mistakes a template can name, one keyword each:

- ``sigmoid_sign_typo``: seed 003 prints σ(a) = 1/(1+e^a); value and derivative of that function.
- ``derivative_of_input``: σ' = σ(1-σ) or tanh' = 1 - tanh² evaluated at the *input* x instead of
  at the output (x(1-x), 1-x²).
- ``grad_at_zero``: a student who takes the ReLU-family derivative at exactly 0 to be this value
  (1 or 0.5 are common) instead of the convention's.
- ``one_minus_tanh``: tanh' written as 1 - tanh x, the square forgotten.
- ``log_base="10"``: softplus with log base 10 instead of the natural log.

Hand work: a student writes e^(-x) and 1 + e^(-x) before a sigmoid, e^x before an ELU or a
softplus; those are recorded steps, and the later steps are worked from their (possibly rounded,
possibly the student's own) values. Without overrides the values stay the core's, which are stable
for any x.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from solvers import validate
from solvers.registry import solver
from solvers.steps import Recorder, Solution
from solvers.tensor import Tensor

FUNCTIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "softplus")
# How each function is written for a student (its id is not: "leaky_relu" reads as code).
SHOWN = {"sigmoid": "σ", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "leaky ReLU", "prelu": "PReLU",
         "elu": "ELU", "softplus": "softplus"}

# Default α per function; PReLU's α is learned, so a question must give it.
DEFAULT_ALPHA = {"leaky_relu": 0.01, "elu": 1.0}
_OUTPUT_FORM = ("sigmoid", "tanh")  # derivative written in terms of the output
_KINKED = ("relu", "leaky_relu", "prelu", "elu")

VALUE_FORMULAS = {
    "sigmoid": "1 / (1 + e^(-{x}))",
    "sigmoid_typo": "1 / (1 + e^{x})",
    "tanh": "tanh({x})",
    "relu": "max(0, {x})",
    "leaky_relu": "{x} if {x} > 0 else {alpha} · {x}",
    "prelu": "{x} if {x} > 0 else {alpha} · {x}",
    "elu": "{x} if {x} > 0 else {alpha} · (e^{x} - 1)",
    "softplus": "log(1 + e^{x})",
}
DERIVATIVE_FORMULAS = {
    "sigmoid": "{f} · (1 - {f})",
    "sigmoid_typo": "-{f} · (1 - {f})",
    "tanh": "1 - {f}²",
    "relu": "1 if {x} > 0 else 0",
    "leaky_relu": "1 if {x} > 0 else {alpha}",
    "prelu": "1 if {x} > 0 else {alpha}",
    "elu": "1 if {x} > 0 else {alpha} · e^{x}",
    "softplus": "σ({x}) = 1 / (1 + e^(-{x}))",
}
# The value worked from the intermediates a student writes down (see ``_hand_value``).
HAND_VALUE_FORMULAS = {
    "sigmoid": "1 / {denom}",
    "sigmoid_typo": "1 / {denom}",
    "elu": "{x} if {x} > 0 else {alpha} · ({exp} - 1)",
    "softplus": "log(1 + {exp})",
    "softplus_log10": "log10(1 + {exp})",
}
LOG_BASES = ("e", "10")
_CHAIN = ("exp_neg", "exp", "denom", "value")  # the steps a value is worked from


def apply(fn: str, x: Tensor, alpha: Any = None) -> Tensor:
    """``fn`` applied to ``x`` as a graph node; ``alpha`` is a number, or a Tensor for PReLU."""
    fn = validate.choice(fn, "activation", FUNCTIONS)
    if fn == "prelu":
        return x.prelu(alpha if isinstance(alpha, Tensor) else Tensor(alpha))
    if fn == "leaky_relu":
        return x.leaky_relu(alpha)
    if fn == "elu":
        return x.elu(alpha)
    return getattr(x, fn)()


def _alpha(fn: str, alpha: Any) -> float | None:
    if fn == "prelu" and alpha is None:
        raise ValueError("alpha: PReLU's slope is learned, so the question must give it")
    if fn not in DEFAULT_ALPHA and fn != "prelu":
        return None  # ignored: a template may draw fn from a list and pass one α for all
    return DEFAULT_ALPHA[fn] if alpha is None else validate.scalar(alpha, "alpha")


def _number(arr: Any) -> Any:
    """A float for a 0-d result, a float64 array otherwise."""
    arr = np.asarray(arr, dtype=np.float64)
    return float(arr) if arr.ndim == 0 else arr


def _forward_backward(fn: str, x: np.ndarray, alpha: float | None, typo: bool) -> tuple[Any, Any, Any]:
    """(f(x), f'(x), ∂f/∂α or None) from one graph and one backward."""
    xt = Tensor(x)
    # A per-entry α (x's shape) keeps ∂f_i/∂α per entry instead of summed over the entries.
    at = Tensor(np.full(x.shape, alpha)[()]) if fn == "prelu" else None
    out = apply("sigmoid", -xt) if typo else apply(fn, xt, at if at is not None else alpha)
    if out.shape:
        out.sum().backward()
    else:
        out.backward()
    return out.data, xt.grad, (at.grad if at is not None else None)


def _from_output(fn: str, value: Any) -> Any:
    """σ' = σ(1-σ), tanh' = 1 - tanh², evaluated on the core at a given output value."""
    v = Tensor(value)
    d = v * (1.0 - v) if fn == "sigmoid" else 1.0 - v * v
    return d.data


@solver("activation")
def activation(
    fn: str,
    x: Any,
    alpha: Any = None,
    sigmoid_sign_typo: bool = False,
    derivative_of_input: bool = False,
    grad_at_zero: Any = None,
    one_minus_tanh: bool = False,
    log_base: Any = "e",
    overrides: dict[str, Any] | None = None,
) -> Solution:
    """{value, derivative} of ``fn`` at ``x`` (a number or a vector); PReLU adds ``derivative_alpha``."""
    fn = validate.choice(fn, "fn", FUNCTIONS)
    xs = validate.array(x, "x")
    a = _alpha(fn, alpha)
    log10 = validate.choice(str(log_base), "log_base", LOG_BASES) == "10"
    _check_mistakes(fn, sigmoid_sign_typo, derivative_of_input, grad_at_zero)
    _check_more_mistakes(fn, one_minus_tanh, log10)
    typo = bool(sigmoid_sign_typo)
    key = "sigmoid_typo" if typo else fn
    value, deriv, d_alpha = _forward_backward(fn, xs, a, typo)
    if log10:
        value = np.asarray(value) / math.log(10.0)

    rec = Recorder(overrides)
    numbers = {"x": xs} if a is None else {"x": xs, "alpha": a}
    label = f"{SHOWN[fn]}(x)" + (" as the course notes misprint it, 1/(1+e^x)" if typo else "")
    label += " with log base 10" if log10 else ""
    value = _hand_value(rec, key, xs, a, _number(value), label, log10, numbers)
    if one_minus_tanh:
        # The mistake: 1 - tanh x, the square of tanh' = 1 - tanh² x forgotten.
        deriv = rec.step("derivative", "tanh'(x) without the square", "1 - {f}", _number(1.0 - np.asarray(value)),
                         f=value)
    else:
        deriv = _derivative(rec, fn, key, xs, a, value, deriv, derivative_of_input, grad_at_zero)
    answer: dict[str, Any] = {"value": value, "derivative": deriv}
    if fn == "prelu":
        answer["derivative_alpha"] = rec.step(
            "derivative_alpha", "∂f/∂α (PReLU learns α)", "{x} if {x} < 0 else 0", _number(d_alpha), x=xs)
    return rec.solution(**answer)


def _check_mistakes(fn: str, typo: bool, of_input: bool, at_zero: Any) -> None:
    if typo and fn != "sigmoid":
        raise ValueError(f"sigmoid_sign_typo applies to sigmoid only, not {fn}")
    if of_input and fn not in _OUTPUT_FORM:
        raise ValueError(f"derivative_of_input applies to sigmoid and tanh only, not {fn}")
    if at_zero is not None and fn not in _KINKED:
        raise ValueError(f"grad_at_zero applies to {', '.join(_KINKED)} only, not {fn}")


def _check_more_mistakes(fn: str, one_minus_tanh: bool, log10: bool) -> None:
    if one_minus_tanh and fn != "tanh":
        raise ValueError(f"one_minus_tanh applies to tanh only, not {fn}")
    if log10 and fn != "softplus":
        raise ValueError(f"log_base applies to softplus only, not {fn}")


def _hand_value(rec: Recorder, key: str, xs: np.ndarray, a: float | None, core: Any, label: str,
                log10: bool, numbers: dict[str, Any]) -> Any:
    """f(x) with the intermediates a student writes first: e^(-x) and 1 + e^(-x) for a sigmoid,
    e^x for an ELU or a softplus. The core's value unless a student's intermediate replaces one."""
    with np.errstate(over="ignore"):
        if key in ("sigmoid", "sigmoid_typo"):
            sign, text = (-1.0, "e^(-{x})") if key == "sigmoid" else (1.0, "e^{x}")
            e = rec.step("exp_neg" if key == "sigmoid" else "exp", f"{text.replace('{x}', 'x')}", text,
                         _number(np.exp(sign * xs)), x=xs)
            denom = rec.step("denom", f"1 + {text.replace('{x}', 'x')}", "1 + {e}", _number(1.0 + np.asarray(e)), e=e)
            hand = 1.0 / np.asarray(denom)
            extra, chain = {"denom": denom}, ("exp_neg", "exp", "denom")
        elif key == "elu" and np.any(xs <= 0) or key == "softplus":
            e = rec.step("exp", "eˣ", "e^{x}", _number(np.exp(xs)), x=xs)
            if key == "elu":
                hand = np.where(xs > 0, xs, a * (np.asarray(e) - 1.0))
            else:
                hand = np.log1p(np.asarray(e)) / (math.log(10.0) if log10 else 1.0)
            extra, chain = {"exp": e}, ("exp",)
        else:
            return rec.step("value", label, VALUE_FORMULAS[key], core, **numbers)
    value = _number(hand) if _given(rec, *chain) else core
    formula = HAND_VALUE_FORMULAS["softplus_log10" if log10 else key]
    return rec.step("value", label, formula, value, **numbers, **extra)


def _given(rec: Recorder, *names: str) -> bool:
    return any(n in rec.overrides for n in names)


def _derivative(
    rec: Recorder, fn: str, key: str, xs: np.ndarray, a: float | None, value: Any, core: Any,
    of_input: bool, at_zero: Any,
) -> Any:
    numbers: dict[str, Any] = {"x": xs, "f": value}
    if a is not None:
        numbers["alpha"] = a
    label = f"{SHOWN[fn]}'(x)"
    if of_input:
        # The mistake: the output-form derivative with x put where the output belongs.
        template = DERIVATIVE_FORMULAS[fn].replace("{f}", "{x}")
        return rec.step("derivative", label + " with x in place of the output", template,
                        _number(_from_output(fn, xs)), **numbers)
    if at_zero is not None:
        core = np.where(xs == 0, validate.scalar(at_zero, "grad_at_zero"), core)
        label += f" taking {validate.scalar(at_zero, 'grad_at_zero'):g} at x = 0"
    given = _given(rec, *_CHAIN)
    if given and fn in _OUTPUT_FORM and key == fn:
        # Error carried forward: the output-form derivative of the student's own value.
        core = _from_output(fn, value)
    elif given and key == "sigmoid_typo":
        core = -_from_output("sigmoid", value)
    elif fn == "elu" and "exp" in rec.overrides:
        core = np.where(xs > 0, core, a * np.asarray(_step_value(rec, "exp")))
    elif fn == "softplus":
        return _softplus_derivative(rec, xs, core, label, numbers)
    return rec.step("derivative", label, DERIVATIVE_FORMULAS[key], _number(core), **numbers)


def _step_value(rec: Recorder, name: str) -> Any:
    return next(s.value for s in rec.steps if s.name == name)


def _softplus_derivative(rec: Recorder, xs: np.ndarray, core: Any, label: str, numbers: dict[str, Any]) -> Any:
    """σ(x), worked as a student does: e^(-x), then 1/(1 + e^(-x))."""
    with np.errstate(over="ignore"):
        e = rec.step("exp_neg", "e^(-x)", "e^(-{x})", _number(np.exp(-xs)), x=xs)
    if "exp_neg" in rec.overrides:
        core = 1.0 / (1.0 + np.asarray(e))
    return rec.step("derivative", label, "1 / (1 + {e})", _number(core), **numbers, e=e)


def function(fn: str, alpha: Any = None) -> Callable[[Tensor], Tensor]:
    """``fn`` with its α bound, as a Tensor -> Tensor function (α defaults as in the conventions)."""
    a = _alpha(validate.choice(fn, "activation", FUNCTIONS), alpha)
    return lambda t: apply(fn, t, a)
