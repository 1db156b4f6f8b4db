"""Symbolic backprop against SymPy's own differentiation, PyTorch's autograd and hand derivations."""

from __future__ import annotations

import json
import math
import random

import numpy as np
import pytest
import sympy
import torch

from question_bank.bank import load_bank
from quizapp.answers import equivalent
from quizapp.cli import main
from solvers.expr import evaluate, parse, to_sympy, to_tensor, variables
from solvers.symbolic_graph import chain_rule_symbolic, symbolic_backprop
from solvers.timelimit import TimeLimitError, time_limit

EXPRESSIONS = [
    "(x + y) * z",  # seed 003
    "sigmoid(w0*x0 + w1*x1 + w2)",  # seed 003's sigmoid neuron
    "x*y + x*z",
    "sin(u^2)*exp(u)",
    "tanh(x*y) - x/y",
    "log(x^2 + 1) * sqrt(y)",
    "x^y + cos(x)",
    "-(x - 2*y)^3",
    "log10(x) + log2(y)",
    "relu(x)*y + abs(y)",
]


def _same(a: str, b: str) -> bool:
    return equivalent(parse(a), parse(b))


@pytest.mark.parametrize("expr", EXPRESSIONS)
def test_nodes_match_the_numeric_graph(expr: str):
    """Same names, operations and inputs as the numeric engine, row by row."""
    tree = parse(expr)
    env = {n: 0.7 + 0.3 * i for i, n in enumerate(variables(tree))}
    out, _ = to_tensor(tree, env)
    out.name = "f"
    out.backward()
    numeric = [(r.name, "input" if r.is_leaf else r.op, tuple(r.inputs)) for r in out.records()]  # leaves: input, const
    symbolic = [(n.name, "input" if n.op in ("input", "const") else n.op, n.inputs)
                for n in symbolic_backprop(expr).nodes]
    assert symbolic == numeric


@pytest.mark.parametrize("expr", EXPRESSIONS)
def test_gradients_are_sympy_derivatives_and_match_torch(expr: str):
    graph = symbolic_backprop(expr)
    f = to_sympy(parse(expr))
    names = variables(parse(expr))
    rng = random.Random(7)
    point = {n: rng.uniform(0.4, 1.6) for n in names}
    torch_vars = {n: torch.tensor(v, dtype=torch.float64, requires_grad=True) for n, v in point.items()}
    _torch_eval(expr, torch_vars).backward()
    for n in names:
        got = _at(graph.grads[n], point)
        assert math.isclose(got, torch_vars[n].grad.item(), rel_tol=1e-9, abs_tol=1e-12), n
        if "Heaviside" not in graph.grads[n] and "sign" not in graph.grads[n]:
            want = str(sympy.diff(f, sympy.Symbol(n, real=True))).replace("**", "^")
            assert _same(graph.grads[n], want), n


def _at(formula: str, point: dict[str, float]) -> float:
    """Our printed formula read by SymPy's own parser (test code, trusted text) and evaluated."""
    local = {"sigmoid": lambda t: 1 / (1 + sympy.exp(-t)), "Heaviside": sympy.Heaviside, "sign": sympy.sign,
             "max": sympy.Max, "min": sympy.Min, "abs": sympy.Abs}
    e = sympy.parse_expr(formula.replace("^", "**"), local_dict=local)
    return float(e.subs({sympy.Symbol(k): v for k, v in point.items()}).evalf())


def _torch_eval(expr: str, v: dict[str, torch.Tensor]) -> torch.Tensor:
    """The expression written again in torch (independently of our parser)."""
    t = torch
    table = {
        "(x + y) * z": lambda: (v["x"] + v["y"]) * v["z"],
        "sigmoid(w0*x0 + w1*x1 + w2)": lambda: t.sigmoid(v["w0"] * v["x0"] + v["w1"] * v["x1"] + v["w2"]),
        "x*y + x*z": lambda: v["x"] * v["y"] + v["x"] * v["z"],
        "sin(u^2)*exp(u)": lambda: t.sin(v["u"] ** 2) * t.exp(v["u"]),
        "tanh(x*y) - x/y": lambda: t.tanh(v["x"] * v["y"]) - v["x"] / v["y"],
        "log(x^2 + 1) * sqrt(y)": lambda: t.log(v["x"] ** 2 + 1) * t.sqrt(v["y"]),
        "x^y + cos(x)": lambda: v["x"] ** v["y"] + t.cos(v["x"]),
        "-(x - 2*y)^3": lambda: -((v["x"] - 2 * v["y"]) ** 3),
        "log10(x) + log2(y)": lambda: t.log10(v["x"]) + t.log2(v["y"]),
        "relu(x)*y + abs(y)": lambda: t.relu(v["x"]) * v["y"] + t.abs(v["y"]),
    }
    return table[expr]()


def test_seed_003_worked_example_by_hand():
    """f = (x + y)z: ∂f/∂x = ∂f/∂y = z, ∂f/∂z = x + y; the + node receives z from upstream."""
    g = symbolic_backprop("(x + y) * z")
    assert _same(g.grads["x"], "z") and _same(g.grads["y"], "z") and _same(g.grads["z"], "x + y")
    plus = next(n for n in g.nodes if n.op == "+")
    assert plus.name == "n1" and _same(plus.upstream, "z") and plus.local == ("1", "1")


def test_sigmoid_neuron_by_hand():
    """∂σ(s)/∂w0 = x0·σ(s)(1 - σ(s)) with s = w0x0 + w1x1 + w2 (the slides' (1-σ)σ)."""
    g = symbolic_backprop("sigmoid(w0*x0 + w1*x1 + w2)")
    s = "(w0*x0 + w1*x1 + w2)"
    assert _same(g.grads["w0"], f"x0*sigmoid{s}*(1 - sigmoid{s})")
    assert _same(g.grads["w2"], f"sigmoid{s}*(1 - sigmoid{s})")
    assert not _same(g.grads["w0"], f"sigmoid{s}*(1 - sigmoid{s})")  # the input factor matters


def test_seed_004_mini_backprop_by_hand():
    """x = u², y = sin(u), z = x·y: dz/du = y·2u + x·cos(u) = 2u·sin(u) + u²·cos(u)."""
    sol = chain_rule_symbolic({"x": "u^2", "y": "sin(u)", "z": "x*y"}, wrt="u")
    a = sol.answer
    assert _same(a["dx_du"], "2u") and _same(a["dy_du"], "cos(u)")
    assert _same(a["dz_dx"], "y") and _same(a["dz_dy"], "x")
    assert _same(a["dz_du"], "2u*sin(u) + u^2*cos(u)")
    assert _same(a["dz_du"], "u*(2*sin(u) + u*cos(u))")  # another equivalent form
    assert not _same(a["dz_du"], "2u*cos(u)")  # the product rule half applied
    # The named slips, as a student would write them by hand:
    assert _same(chain_rule_symbolic({"x": "u^2", "y": "sin(u)", "z": "x*y"}, drop="y").answer["dz_du"],
                 "2u*sin(u)")
    assert _same(chain_rule_symbolic({"x": "u^2", "y": "sin(u)", "z": "x*y"}, forget="all").answer["dz_du"],
                 "sin(u) + u^2")


def test_error_carried_forward_from_a_students_local_derivative():
    """A student who wrote dx/du = cos(2u) (inner factor 2 forgotten) gets dz/du built from it."""
    defs = {"x": "sin(2*u)", "y": "u^2", "z": "x*y"}
    sol = chain_rule_symbolic(defs, overrides={"dx_du": "cos(2*u)"})
    assert _same(sol.answer["dz_du"], "u^2*cos(2u) + sin(2u)*2u")


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match="does not depend on u"):
        chain_rule_symbolic({"x": "3", "z": "x"})
    with pytest.raises(ValueError):
        chain_rule_symbolic({"x": "sin(q)", "z": "x"})
    with pytest.raises(ValueError, match="at most"):
        symbolic_backprop(" + ".join(f"sin(x{i})" for i in range(40)))


def test_time_limit_stops_a_long_computation():
    with pytest.raises(TimeLimitError, match="stopped"):
        with time_limit(0.05, "a busy loop"):
            while True:
                pass


def _composed(defs: dict[str, str]) -> sympy.Expr:
    """z(u) by substituting each definition into the next (SymPy only, not our graph)."""
    syms: dict[str, sympy.Expr] = {}
    for name, formula in defs.items():
        e = to_sympy(parse(formula))
        syms[name] = e.subs({sympy.Symbol(k, real=True): v for k, v in syms.items()})
    return syms[list(defs)[-1]]


def _agree(formula: str, want: sympy.Expr, names: list[str]) -> None:
    rng = random.Random(3)
    fn = sympy.lambdify([sympy.Symbol(n, real=True) for n in names], want, "math")
    for _ in range(3):
        env = {n: rng.uniform(0.3, 1.2) for n in names}
        assert math.isclose(evaluate(parse(formula), env), fn(*env.values()), rel_tol=1e-9, abs_tol=1e-12), formula


@pytest.mark.parametrize("template_id", ["backprop-symbolic-branch", "backprop-symbolic-chain"])
def test_symbolic_templates_match_sympy(template_id: str):
    bank = load_bank(environ={})
    u = sympy.Symbol("u", real=True)
    for seed in range(0, 500, 5):
        q = bank.instantiate(template_id, seed)
        defs = {"x": q.params["x_def"], "y": q.params["y_def"], "z": q.params["z_def"]}
        _agree(q.expected["dz_du"], sympy.diff(_composed(defs), u), ["u"])
        _agree(q.expected["dx_du"], sympy.diff(to_sympy(parse(defs["x"])), u), ["u"])
        for part, (of, by) in {"dz_dx": ("z", "x"), "dz_dy": ("z", "y"), "dy_dx": ("y", "x"),
                               "dy_du": ("y", "u"), "dz_dy_chain": ("z", "y")}.items():
            if part in q.expected:
                local = sympy.diff(to_sympy(parse(defs[of])), sympy.Symbol(by, real=True))
                _agree(q.expected[part], local, sorted(variables(parse(defs[of]))))
        for name, m in q.misconception_answers().items():
            assert m.error is None and all(m.distinct.values()), (q.id, name)


def test_symbolic_templates_vary():
    bank = load_bank(environ={})
    for tid in ("backprop-symbolic-branch", "backprop-symbolic-chain"):
        assert len({bank.instantiate(tid, s).text() for s in range(0, 500, 2)}) >= 200


def test_cli_grad_symbolic_json(capsys):
    assert main(["grad", "(x + y) * z", "--symbolic", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["symbolic"] is True and set(data["grads"]) == {"x", "y", "z"}
    assert _same(data["grads"]["z"], "x + y") and _same(data["grads"]["x"], "z")
    assert [n["name"] for n in data["nodes"]] == ["x", "y", "n1", "z", "f"]


def test_cli_grad_symbolic_table_and_errors(capsys):
    assert main(["grad", "sin(u^2)*exp(u)", "--symbolic"]) == 0
    out = capsys.readouterr().out
    assert "∂f/∂u" in out and "cos(u^2)" in out
    assert main(["grad", "x +", "--symbolic"]) == 2
    assert "^" in capsys.readouterr().err  # a caret under the problem
    assert main(["grad", "x", "--symbolic", "--at", "x=1"]) == 2
    assert "leave out --at" in capsys.readouterr().err
    assert np.isfinite(1.0)
