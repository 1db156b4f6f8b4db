"""Symbolic calculus on a student-readable expression: derivatives, gradients, Hessians, critical points.

SymPy and the expression parser (``solvers.expr``) are imported inside the functions, so
``import solvers.symbolic`` stays light. Expressions are never handed to ``sympify``: they go
through ``solvers.expr.parse`` (which raises ``ExprError``, a ValueError, on bad input).

Variable order: ``variables`` when given, otherwise the order of the keys of ``at``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from solvers import validate
from solvers.registry import solver
from solvers.steps import Recorder, Solution, fmt

CLASSIFICATIONS = ("minimum", "maximum", "saddle", "inconclusive")
# A gradient or eigenvalue this small (relative to the point's scale) counts as zero.
_ZERO_TOL = 1e-9


def _to_sympy(text: str, names: Sequence[str]) -> Any:
    from solvers.expr import parse, to_sympy

    if not isinstance(text, str):
        raise ValueError(f"expression must be a string, got {type(text).__name__}")
    # Naming the variables makes the parser point at any other name in the text.
    return to_sympy(parse(text, variables=names))


def _text(e: Any) -> str:
    """SymPy's printing in the course's notation (x^2, not x**2); the parser reads it back."""
    return str(e).replace("**", "^")


def _symbols(f: Any, names: Sequence[str]) -> dict[str, Any]:
    """Name -> SymPy symbol, reusing the expression's own symbols (and their assumptions)."""
    import sympy

    own = {s.name: s for s in f.free_symbols}
    unknown = sorted(set(own) - set(names))
    if unknown:
        raise ValueError(f"the expression uses {', '.join(unknown)}, which has no value at the point")
    return {n: own.get(n, sympy.Symbol(n)) for n in names}


def _point(at: Mapping[str, Any], variables: Sequence[str] | None) -> dict[str, float]:
    if not isinstance(at, Mapping):
        raise ValueError("at: expected a mapping from variable name to value")
    names = list(variables) if variables is not None else list(at)
    if not names:
        raise ValueError("at: no variables given")
    if len(set(names)) != len(names):
        raise ValueError("variables: a name is listed twice")
    missing = [n for n in names if n not in at]
    if missing:
        raise ValueError(f"at: no value for {', '.join(missing)}")
    return {n: validate.scalar(at[n], f"at[{n}]") for n in names}


def _exact(value: float) -> Any:
    import sympy

    # Whole numbers stay exact, so x⁴ at 0 has a Hessian of exactly 0.
    return sympy.Integer(int(value)) if float(value).is_integer() else sympy.Float(value)


def _diff(f: Any, *syms: Any) -> Any:
    """∂f with the course's value at a kink: ReLU's step is 0 at 0 (PyTorch); |x|' = sign(x) is 0 there."""
    import sympy

    d = f.diff(*syms)
    return d.replace(sympy.Heaviside, lambda arg, *_: sympy.Heaviside(arg, 0))


def _evaluate(e: Any, syms: Mapping[str, Any], point: Mapping[str, float], what: str) -> float:
    value = e.xreplace({syms[n]: _exact(v) for n, v in point.items()}).evalf()
    try:
        number = complex(value)
    except TypeError:
        raise ValueError(f"{what} is not defined at {_point_text(point)}") from None
    if number.imag != 0 or not np.isfinite(number.real):
        raise ValueError(f"{what} is not a finite real number at {_point_text(point)}")
    return number.real


def _template(e: Any, syms: Mapping[str, Any]) -> str:
    """The expression as a step template: each variable becomes a ``{name}`` placeholder.

    Products show as ``4·x``, as the other steps write them; ``*`` is the answer syntax students type.
    """
    import sympy

    return _text(e.xreplace({s: sympy.Symbol("{" + n + "}") for n, s in syms.items()})).replace("*", "·")


def _point_text(point: Mapping[str, float]) -> str:
    return ", ".join(f"{n} = {fmt(v)}" for n, v in point.items())


def _gradient(rec: Recorder, f: Any, syms: Mapping[str, Any], point: Mapping[str, float]) -> np.ndarray:
    values = []
    for n, s in syms.items():
        d = _diff(f, s)
        value = rec.step(f"grad_{n}", f"∂f/∂{n} at {_point_text(point)}", _template(d, syms),
                         _evaluate(d, syms, point, f"∂f/∂{n}"), **point)
        values.append(float(value))
    return np.array(values)


def _hessian(rec: Recorder, f: Any, syms: Mapping[str, Any], point: Mapping[str, float]) -> np.ndarray:
    names = list(syms)
    h = np.zeros((len(names), len(names)))
    for i, a in enumerate(names):
        for j in range(i, len(names)):
            b = names[j]
            d = _diff(f, syms[a], syms[b])
            value = rec.step(f"hess_{a}_{b}", f"∂²f/∂{a}∂{b} at {_point_text(point)}", _template(d, syms),
                             _evaluate(d, syms, point, f"∂²f/∂{a}∂{b}"), **point)
            h[i, j] = h[j, i] = float(value)  # second partials commute for smooth f
    return h


def _eigenvalues(rec: Recorder, h: np.ndarray) -> np.ndarray:
    h = validate.array(h, "hessian", ndim=2)
    # A Hessian is symmetric; a student's matrix that is not is read by its symmetric part.
    values = np.linalg.eigvalsh((h + h.T) / 2)
    return np.asarray(rec.step("eigenvalues", "eigenvalues of the Hessian (ascending)", "eig({hessian})",
                               values, hessian=h), dtype=np.float64)


def classify(eigenvalues: Any) -> str:
    """Second-derivative test: all > 0 minimum, all < 0 maximum, both signs saddle, else inconclusive."""
    lam = validate.array(eigenvalues, "eigenvalues", ndim=1)
    zero = _ZERO_TOL * max(1.0, float(np.max(np.abs(lam), initial=0.0)))
    positive, negative = bool(np.any(lam > zero)), bool(np.any(lam < -zero))
    if positive and negative:
        return "saddle"
    if np.any(np.abs(lam) <= zero) or lam.size == 0:
        return "inconclusive"
    return "minimum" if positive else "maximum"


def _setup(
    expr: str, at: Mapping[str, Any], variables: Sequence[str] | None
) -> tuple[Any, dict[str, Any], dict[str, float]]:
    point = _point(at, variables)
    f = _to_sympy(expr, list(point))
    return f, _symbols(f, list(point)), point


@solver("derivative")
def derivative(expr: str, var: str, at: Any, stated: str | None = None,
               overrides: dict[str, Any] | None = None) -> Solution:
    """{derivative, value}: df/d``var`` as an expression string, and its value at ``var`` = ``at``.

    ``stated``: a wrong derivative a named slip writes (the checker's misconceptions); "" when that
    slip does not apply to this function.
    """
    if not isinstance(var, str) or not var:
        raise ValueError("var must be a variable name")
    if stated is not None and not stated:
        raise ValueError("this slip does not apply to this function")
    f, syms, point = _setup(expr, {var: at}, None)
    rec = Recorder(overrides)
    d = _diff(f, syms[var]) if stated is None else _to_sympy(stated, [var])
    text = rec.note("derivative", f"d/d{var} of {expr}", _text(d))
    if text != _text(d):
        # A student's own derivative: the value is worked out from it (error carried forward).
        d = _to_sympy(text, [var])
    dsyms = _symbols(d, [var])
    value = rec.step("value", f"derivative at {_point_text(point)}", _template(d, dsyms),
                     _evaluate(d, dsyms, point, "the derivative"), **point)
    return rec.solution(derivative=str(text), value=float(value))


@solver("gradient")
def gradient(
    expr: str,
    at: Mapping[str, Any],
    variables: Sequence[str] | None = None,
    overrides: dict[str, Any] | None = None,
) -> Solution:
    """{grad}: the vector of partial derivatives at ``at``, in variable order."""
    f, syms, point = _setup(expr, at, variables)
    rec = Recorder(overrides)
    return rec.solution(grad=_gradient(rec, f, syms, point))


@solver("hessian")
def hessian(
    expr: str,
    at: Mapping[str, Any],
    variables: Sequence[str] | None = None,
    overrides: dict[str, Any] | None = None,
) -> Solution:
    """{hessian, eigenvalues}: the matrix of second partials at ``at`` and its eigenvalues (ascending)."""
    f, syms, point = _setup(expr, at, variables)
    rec = Recorder(overrides)
    h = rec.note("hessian", "Hessian matrix", _hessian(rec, f, syms, point))
    eig = _eigenvalues(rec, h)
    return rec.solution(hessian=np.asarray(h, dtype=np.float64), eigenvalues=eig)


def _check_critical(f: Any, syms: Mapping[str, Any], point: Mapping[str, float]) -> None:
    grad = np.array([_evaluate(_diff(f, s), syms, point, f"∂f/∂{n}") for n, s in syms.items()])
    scale = max(1.0, *(abs(v) for v in point.values()))
    if np.any(np.abs(grad) > _ZERO_TOL * scale):
        raise ValueError(f"not a critical point: the gradient at {_point_text(point)} is {fmt(grad)}")


@solver("critical_point")
def critical_point(
    expr: str,
    at: Mapping[str, Any],
    variables: Sequence[str] | None = None,
    mixed: bool = True,
    by_determinant: bool = False,
    overrides: dict[str, Any] | None = None,
) -> Solution:
    """{gradient, hessian, eigenvalues, classification} at a point where the gradient is zero.

    Classic slips, for the checker: ``mixed=False`` leaves the mixed partials out of the Hessian;
    ``by_determinant`` classifies by the determinant's sign alone (det > 0 read as a minimum).
    """
    f, syms, point = _setup(expr, at, variables)
    _check_critical(f, syms, point)
    rec = Recorder(overrides)
    grad = rec.note("gradient", "gradient (zero: a critical point)", _gradient(rec, f, syms, point))
    full = _hessian(rec, f, syms, point)
    if not mixed:
        if np.allclose(full, np.diag(np.diag(full))):
            raise ValueError("the mixed partials are zero here: leaving them out changes nothing")
        full = np.diag(np.diag(full))
    h = rec.note("hessian", "Hessian matrix", full)
    eig = _eigenvalues(rec, h)
    kind = classify(eig)
    if by_determinant:
        det = float(np.linalg.det(np.asarray(h, dtype=np.float64)))
        kind = "minimum" if det > _ZERO_TOL else ("saddle" if det < -_ZERO_TOL else "inconclusive")
    kind = rec.note("classification", "all > 0 minimum, all < 0 maximum, mixed saddle, a zero: can't tell",
                    kind)
    return rec.solution(gradient=np.asarray(grad, dtype=np.float64), hessian=np.asarray(h, dtype=np.float64),
                        eigenvalues=eig, classification=str(kind))


@solver("gd_step_symbolic")
def gd_step_symbolic(
    expr: str,
    at: Mapping[str, Any],
    lr: Any,
    variables: Sequence[str] | None = None,
    ascent: bool = False,
    overrides: dict[str, Any] | None = None,
) -> Solution:
    """{grad, new_point}: one gradient-descent step θ ← θ - α∇f(θ) from ``at``; ``ascent`` is the slip
    θ + α∇f(θ), for the checker."""
    rate = validate.positive(validate.scalar(lr, "lr"), "lr") * (-1.0 if ascent else 1.0)
    f, syms, point = _setup(expr, at, variables)
    rec = Recorder(overrides)
    grad = rec.note("grad", "gradient", _gradient(rec, f, syms, point))
    theta = np.array(list(point.values()))
    # the course writes this step θ ← θ - ε∇f (conventions.md), the optimizers' rate α
    new = rec.step("new_point", "new point", "{theta} - {epsilon}·{grad}", theta - rate * np.asarray(grad),
                   theta=theta, epsilon=rate, grad=np.asarray(grad))
    return rec.solution(grad=np.asarray(grad, dtype=np.float64), new_point=np.asarray(new, dtype=np.float64))
