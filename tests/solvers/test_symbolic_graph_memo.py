"""chain_rule_symbolic's memos give exactly what a fresh computation gives, in any order of solves."""

from __future__ import annotations

import pytest
import sympy

from solvers import symbolic_graph as sg
from solvers.symbolic_graph import chain_rule_symbolic

DEFS = [
    {"x": "sigmoid(3*u)", "y": "x^3", "z": "y^2"},
    {"x": "(4*u)^2", "y": "tanh(u)", "z": "x*exp(y)"},
    {"x": "exp(2*u)", "y": "1/u", "z": "log(x^2 + 1) + y^2"},
    {"x": "sin(0.5*u)", "y": "sqrt(u)", "z": "x/y"},  # a Float in the factor slip
    {"x": "cos(2*u)", "y": "relu(x) + abs(u)", "z": "max(x, y)*y"},
    {"x": "u^2", "y": "sin(u)", "z": "x*y"},
]
SLIPS = [{}, {"forget": "all"}, {"forget": "innermost"}, {"forget": "factor"}, {"drop": "x"}, {"drop": "y"}]


def _forget_everything() -> None:
    sg._LOCALS._items.clear()
    sg._TOTALS._items.clear()
    sg._PIECES.clear()
    sg._parsed.cache_clear()
    sg._tree.cache_clear()


def _solve(defs: dict[str, str], slip: dict[str, str]) -> dict | str:
    try:
        return chain_rule_symbolic(defs, "u", **slip).to_dict()
    except ValueError as e:
        return f"ValueError: {e}"


def test_remembered_results_are_the_fresh_ones():
    fresh = {}
    for i, defs in enumerate(DEFS):
        for j, slip in enumerate(SLIPS):
            _forget_everything()
            fresh[i, j] = _solve(defs, slip)
    _forget_everything()
    for order in (1, -1):  # each solve after others have filled the memos, both ways round
        for i, defs in list(enumerate(DEFS))[::order]:
            for j, slip in list(enumerate(SLIPS))[::order]:
                assert _solve(defs, slip) == fresh[i, j], (defs, slip)


def test_a_students_derivative_is_carried_forward_as_before():
    defs = {"x": "sin(2*u)", "y": "u^2", "z": "x*y"}
    _forget_everything()
    fresh = chain_rule_symbolic(defs, overrides={"dx_du": "cos(2*u)"}).to_dict()
    chain_rule_symbolic(defs)
    assert chain_rule_symbolic(defs, overrides={"dx_du": "cos(2*u)"}).to_dict() == fresh


u, x, y = (sympy.Symbol(n, real=True) for n in "uxy")
EXPRESSIONS = [
    x**2 * y + sympy.sin(x) * y**3, sympy.exp(x) * x, 1 / (x + 1) - y, sympy.log(x**2 + 1) + y**2,
    sympy.Max(x, y) * sympy.Abs(x), sympy.Heaviside(x - y, sympy.Rational(1, 2)), x**y, sympy.sqrt(x) / y,
    sg.sigmoid_function()(x) * (1 - sg.sigmoid_function()(x)), sympy.Float("0.5") * x + y**2,
]
FORMULAS = [sympy.sin(3 * u), u**2, sympy.exp(u), 1 / u, sympy.Integer(0), sympy.Float("2.5") * u,
            sg.sigmoid_function()(2 * u), sympy.tanh(u) + 1]


@pytest.mark.parametrize("e", EXPRESSIONS)
def test_substitution_is_subs(e: sympy.Expr):
    for f in FORMULAS:
        assert sympy.srepr(sg._substituted(e, x, f)) == sympy.srepr(e.subs(x, f))


@pytest.mark.parametrize("e", EXPRESSIONS)
def test_remembered_printing_is_str(e: sympy.Expr):
    for f in FORMULAS:
        formula = e.subs(x, f)
        for _ in range(2):  # printed afresh, then from the remembered pieces
            assert sg._exact_text(formula) == sg.text(formula)
            assert sg._exact_text(formula * y) == sg.text(formula * y)  # a piece inside a larger formula


def test_a_simplify_cut_short_is_not_remembered(monkeypatch: pytest.MonkeyPatch):
    _forget_everything()
    real = sympy.factor_terms

    def too_slow(e: sympy.Expr) -> sympy.Expr:
        raise sg.TimeLimitError("stopped")

    monkeypatch.setattr(sympy, "factor_terms", too_slow)
    slow = sg._local("sin(3*u)", ("u",), "u")
    assert slow[0] == sympy.diff(sympy.sin(3 * u), u)  # as computed, unsimplified
    monkeypatch.setattr(sympy, "factor_terms", real)
    assert sg._local("sin(3*u)", ("u",), "u") == (3 * sympy.cos(3 * u), "3*cos(3*u)")
