"""Derivatives, Hessians and a gradient step by hand, with SymPy as the independent calculator."""

from __future__ import annotations

import numpy as np
import sympy as sp

from tests.oracles.base import arr, givens, honest, mistake, mistakes

X, Y = sp.symbols("x y")


def parse(expr: str) -> sp.Expr:
    return sp.sympify(expr.replace("^", "**"), locals={"x": X, "y": Y})


def _hessian(p):
    f, at = parse(p["expr"]), {X: p["x0"], Y: p["y0"]}
    return np.array([[float(sp.diff(f, a, b).subs(at)) for b in (X, Y)] for a in (X, Y)])


def classify(h):
    eig = np.linalg.eigvalsh(h)
    if np.any(np.isclose(eig, 0.0)):
        return "inconclusive"
    if np.all(eig > 0):
        return "minimum"
    return "maximum" if np.all(eig < 0) else "saddle"


@honest("critical-point")
def critical_point(p, r):
    h = _hessian(p)
    return {"hessian": h, "classification": classify(h)}


@mistakes("critical-point")
def critical_point_mistakes(p):
    h = _hessian(p)
    det = np.linalg.det(h)
    # det > 0 read as "minimum" without looking at the sign of the trace
    by_det = "minimum" if det > 1e-12 else ("saddle" if det < -1e-12 else "inconclusive")
    diagonal = np.diag(np.diag(h))
    out = {"determinant-sign-only": mistake(classification=by_det)}
    if np.any(h != diagonal):
        out["mixed-partials-dropped"] = mistake(hessian=diagonal, classification=classify(diagonal))
    return out


# -- f'(x) -------------------------------------------------------------------------------------

_WRONG = {  # the classic slip for each function, as the wrong f'(x) a student writes
    "x*exp(x)": ("product-rule-forgotten", "exp(x)"),
    "log(x^2 + 1)": ("inner-derivative-forgotten", "1/(x^2 + 1)"),
    "exp(-x^2)": ("inner-derivative-forgotten", "exp(-x^2)"),
    "(2*x + 1)^3": ("inner-derivative-forgotten", "3*(2*x + 1)^2"),
    "x^2/(x + 3)": ("quotient-rule-sign-flipped", "(x^2 - 2*x*(x + 3))/(x + 3)^2"),
    "1/x": ("power-rule-sign-dropped", "1/x^2"),
    "x^3 - 2*x": ("power-rule-exponent-kept", "3*x^3 - 2"),
}


@honest("derivative")
def derivative(p, r):
    d = sp.diff(parse(p["expr"]), X)
    return {"derivative": d, "value": float(d.subs(X, p["at"]))}


@mistakes("derivative")
def derivative_mistakes(p):
    name, wrong = _WRONG[p["expr"]]
    d = parse(wrong)
    return {name: mistake(derivative=d, value=float(d.subs(X, p["at"])))}


# -- one gradient step -------------------------------------------------------------------------


def _gradient(p):
    f, at = parse(p["expr"]), {X: p["x0"], Y: p["y0"]}
    return np.array([float(sp.diff(f, v).subs(at)) for v in (X, Y)])


@honest("gd-step-symbolic")
def gd_step(p, r):
    g = r(_gradient(p))
    return {"grad": g, "new_point": arr([p["x0"], p["y0"]]) - r(p["lr"] * g)}


@mistakes("gd-step-symbolic")
def gd_step_mistakes(p):
    g, start = _gradient(p), arr([p["x0"], p["y0"]])
    return {
        "update-sign-flipped": mistake(new_point=start + p["lr"] * g),
        "learning-rate-forgotten": mistake(new_point=start - g),
    }


@givens("gd-step-symbolic")
def gd_step_givens(p):
    return {"new_point": [arr([p["x0"], p["y0"]])]}
