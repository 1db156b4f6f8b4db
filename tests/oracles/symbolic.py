"""Backprop with formulas (a chain u → x → y → z, and two paths u → x, y → z), by SymPy.

The student differentiates each node in its own inputs, then multiplies along each path and
adds over paths, substituting back to u at the end.
"""

from __future__ import annotations

import sympy as sp

from tests.oracles.base import honest, mistake, mistakes

U, X, Y = sp.symbols("u x y")
NAMES = {"u": U, "x": X, "y": Y, "sigmoid": lambda t: 1 / (1 + sp.exp(-t))}


def parse(text: str) -> sp.Expr:
    return sp.sympify(str(text).replace("^", "**"), locals=NAMES)


def _chain(p, forget_a=False):
    x_u, y_x, z_y = parse(p["x_def"]), parse(p["y_def"]), parse(p["z_def"])
    dx = sp.diff(x_u, U)
    if forget_a:  # d/du outer(a·u) written as outer'(a·u), the factor a forgotten
        dx = dx / p["a"]
    dy, dz = sp.diff(y_x, X), sp.diff(z_y, Y)
    y_u = y_x.subs(X, x_u)
    return x_u, y_u, dx, dy, dz


@honest("backprop-symbolic-chain")
def chain(p, r):
    x_u, y_u, dx, dy, dz = _chain(p)
    return {"dx_du": dx, "dy_dx": dy, "dz_dy": dz, "dz_du": dz.subs(Y, y_u) * dy.subs(X, x_u) * dx}


@mistakes("backprop-symbolic-chain")
def chain_mistakes(p):
    x_u, y_u, dx, dy, dz = _chain(p)
    outer = dz.subs(Y, y_u)
    _, _, dx_a, _, _ = _chain(p, forget_a=True)
    return {
        "inner-derivatives-forgotten": mistake(dz_du=outer),
        "innermost-link-forgotten": mistake(dz_du=outer * dy.subs(X, x_u)),
        "factor-a-forgotten": mistake(dx_du=dx_a, dz_du=outer * dy.subs(X, x_u) * dx_a),
    }


def _branch(p, forget_a=False):
    x_u, y_u, z = parse(p["x_def"]), parse(p["y_def"]), parse(p["z_def"])
    dx = sp.diff(x_u, U) / (p["a"] if forget_a else 1)
    at = {X: x_u, Y: y_u}
    return dx, sp.diff(y_u, U), sp.diff(z, X), sp.diff(z, Y), at


@honest("backprop-symbolic-branch")
def branch(p, r):
    dx, dy, zx, zy, at = _branch(p)
    return {"dx_du": dx, "dy_du": dy, "dz_dx": zx, "dz_dy": zy,
            "dz_du": zx.subs(at, simultaneous=True) * dx + zy.subs(at, simultaneous=True) * dy}


@mistakes("backprop-symbolic-branch")
def branch_mistakes(p):
    dx, dy, zx, zy, at = _branch(p)
    via_x, via_y = zx.subs(at, simultaneous=True) * dx, zy.subs(at, simultaneous=True) * dy
    dx_a = _branch(p, forget_a=True)[0]
    return {
        "path-through-y-missing": mistake(dz_du=via_x),
        "path-through-x-missing": mistake(dz_du=via_y),
        "factor-a-forgotten": mistake(dx_du=dx_a, dz_du=zx.subs(at, simultaneous=True) * dx_a + via_y),
    }


def same_expression(a, b) -> bool:
    """Equal as functions: the difference vanishes at a few points in (0.1, 0.4) (no simplify,
    which is slow and can fail on nested sigmoids)."""
    ea, eb = parse(a), parse(b)
    free = sorted(ea.free_symbols | eb.free_symbols, key=str)
    fa, fb = sp.lambdify(free, ea, "math"), sp.lambdify(free, eb, "math")
    # small points: the nested formulas (e^(4096u⁶)) overflow beyond about u = 0.6
    points = [[0.12 + 0.09 * i + 0.05 * j for j in range(len(free))] for i in range(3)]
    return all(abs(fa(*pt) - fb(*pt)) <= 1e-9 * (abs(fa(*pt)) + abs(fb(*pt)) + 1) for pt in points)
