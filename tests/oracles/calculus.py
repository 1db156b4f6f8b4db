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

def _slip(p) -> tuple[str, str]:
    """The classic slip of each function family, as the wrong f'(x) a student writes."""
    a, b, n = p["a"], p["b"], p["n"]
    return [
        ("power-rule-exponent-kept", f"{n}*{a}*x^{n} - {b}"),
        ("product-rule-forgotten", f"{a}*exp({a}*x)"),
        ("inner-derivative-forgotten", f"1/({a}*x^2 + {b})"),
        ("power-rule-sign-dropped", f"{a}/(x + {b})^2"),
        ("inner-derivative-forgotten", f"exp(-x^2/{a})"),
        ("inner-derivative-forgotten", f"{n}*({a}*x + {b})^{n - 1}"),
        ("quotient-rule-sign-flipped", f"(x^{n} - {n}*x^{n - 1}*(x + {b}))/(x + {b})^2"),
        ("inner-derivative-forgotten", f"exp(-{a}*x)/(1 + exp(-{a}*x))^2"),
    ][p["family"]]


@honest("derivative")
def derivative(p, r):
    d = sp.diff(parse(p["expr"]), X)
    return {"derivative": d, "value": float(d.subs(X, p["at"]))}


@mistakes("derivative")
def derivative_mistakes(p):
    name, wrong = _slip(p)
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
