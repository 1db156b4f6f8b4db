"""Template expressions: checked against a whitelist at load time, then evaluated by walking the tree.

Expected values are worked by hand (or with NumPy written here), never read from our own output.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pytest

from question_bank.param_exprs import compile_expr
from tests.budget import within


def test_arithmetic_over_vectors_and_functions():
    env = {"w": [1, -2, 3], "x": [2, 0, 1], "s": "relu", "k": 3}
    assert compile_expr("dot(w, x) + k", env)(env) == 8
    assert list(compile_expr("w * 2", env)(env)) == [2, -4, 6]
    assert compile_expr("all(abs(w) > 0) and k < 4", env)(env) is True
    assert compile_expr("'yes' if s == 'relu' else 'no'", env)(env) == "yes"
    assert compile_expr("max(w) - min(w)", env)(env) == 5
    assert compile_expr("0 < sum(x) < len(x) + 1", env)(env)
    assert compile_expr("[w[0], x[2]]", env)(env) == [1, 1]
    assert compile_expr("round(2 / 3, 2)", env)(env) == pytest.approx(0.67)
    assert np.allclose(compile_expr("sigmoid(0) + e - e", env)(env), 0.5)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("w.__class__", "Attribute is not allowed"),
        ("__import__('os')", "only calls of"),
        ("open('f')", "only calls of"),
        ("(lambda: 1)()", "only calls of"),
        ("lambda: 1", "Lambda is not allowed"),
        ("[v for v in w]", "ListComp is not allowed"),
        ("nope + 1", "unknown name 'nope'"),
        ("max(w, key=abs)", "only calls of"),
        ("1 +", "cannot parse"),
        ("x := 3", "cannot parse"),
        ("_pow(2, 3)", "only calls of"),  # the old rewrite target is no function a template can call
        ("abs", "'abs' is a function"),
        ("[w, max]", "'max' is a function"),
        ("None", "constant None is not allowed"),
        ("1j", "constant 1j is not allowed"),
        ("b'x'", "constant b'x' is not allowed"),
        ("{1: 2}", "Dict is not allowed"),
        ("f'{w}'", "JoinedStr is not allowed"),
        ("w[0] if w else *w", "cannot parse"),
        ("max(*w)", "Starred is not allowed"),
        ("1 & 2", "BitAnd is not allowed"),
        ("w is w", "Is is not allowed"),
        ("__builtins__", "unknown name '__builtins__'"),
        ("1" + " + 1" * 150, "nested more than"),
    ],
)
def test_refused(text, words):
    with pytest.raises(ValueError) as info:
        compile_expr(text, ["w"])
    assert words in str(info.value)


def test_huge_powers_fail_fast():
    with pytest.raises(ValueError, match="exponent"):
        compile_expr("9 ** 9 ** 9", [])({})


ENV = {"w": [1, -2, 3], "x": [2, 0, 1], "m": [[1, 2], [3, 4]], "k": 3, "s": "relu", "words": ["a", "b"]}


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("7 // 2 + 7 % 2", 4),
        ("-7 // 2", -4),  # floor division rounds down, as Python does
        ("-7 % 3", 2),
        ("2 ** 3 ** 2", 512),  # right-associative
        ("-2 ** 2", -4),  # the power binds tighter than the unary minus
        ("+k - -k", 6),
        ("not k", False),
        ("1 < k <= 3 != 4", True),
        ("3 < k < 1 / 0", False),  # a chain stops at the first false link: 1/0 is never evaluated
        ("k > 5 and w[10] > 0", False),  # "and" short-circuits: w[10] is never read
        ("k == 3 or w[10]", True),
        ("0 or 'fallback'", "fallback"),  # and/or give back an operand, not a bool
        ("k and 'yes'", "yes"),
        ("'a' in words and 'z' not in words", True),
        ("s in ['relu', 'elu']", True),
        ("m[1][0] + m[0, 1]", 5),  # nested and tuple indexing
        ("w[-1]", 3),
        ("sum(w[1:])", 1),
        ("sum(w[::2])", 4),
        ("join(words)", "a b"),
        ("(1, k)", (1, 3)),
        ("len([])", 0),
        ("'b' if k < 0 else ('c' if k < 3 else 'd')", "d"),
        ("pi > 3.14 and e < 2.72", True),
    ],
)
def test_python_semantics(text, want):
    got = compile_expr(text, ENV)(ENV)
    assert got == want, (got, want)
    if isinstance(want, (bool, str, tuple)):  # an operand comes back as it is, not as a truth value
        assert type(got) is type(want), (got, want)


def test_vectors_work_entry_by_entry_as_numpy():
    w, x = np.array([1.0, -2.0, 3.0]), np.array([2.0, 0.0, 1.0])
    env = {"w": w.tolist(), "x": x.tolist()}
    np.testing.assert_array_equal(compile_expr("w * x - 1", env)(env), w * x - 1)
    np.testing.assert_array_equal(compile_expr("w ** 2 / 2", env)(env), w**2 / 2)
    np.testing.assert_array_equal(compile_expr("2 ** x", env)(env), 2.0**x)
    np.testing.assert_array_equal(compile_expr("-w", env)(env), -w)
    np.testing.assert_array_equal(compile_expr("w > 0", env)(env), [True, False, True])  # one link: no bool()
    np.testing.assert_array_equal(compile_expr("abs(w) >= x", env)(env), [False, True, True])
    assert compile_expr("all(w != 0) and any(x == 0)", env)(env) is True
    with pytest.raises(ValueError, match="failed"):  # a chain over vectors is ambiguous, as in Python
        compile_expr("0 < w < 4", env)(env)


def test_evaluation_failures_name_the_expression():
    for text, words in [("w[10]", "index"), ("k / 0", "division"), ("2 ** w", "exponent")]:
        env = {"w": [1, 100], "k": 1}
        with pytest.raises(ValueError, match=re.escape(repr(text)) + " failed") as info:
            compile_expr(text, env)(env)
        assert words in str(info.value)
    with pytest.raises(ValueError, match="'w' has no value"):
        compile_expr("w + 1", ["w"])({})


def test_parsed_once_and_only_reads_its_names():
    expr = compile_expr("a + 1", ["a", "b"])
    assert expr.names == {"a"}
    assert isinstance(expr.tree, ast.expr)  # the checked tree is kept; evaluating walks it
    assert expr == compile_expr("a + 1", ["a", "b"])  # equal by text, like the template it came from
    assert expr({"a": 1, "b": object()}) == 2


def test_no_eval_exec_or_compile_in_the_package():
    root = Path(__file__).resolve().parents[2] / "question_bank"
    call = re.compile(r"(?<![\w.])(eval|exec|compile)\s*\(|__builtins__|builtins\.")
    banned = {"eval", "exec", "compile", "__import__"}
    for path in sorted(root.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        assert not call.search(source), f"{path}: {call.search(source).group(0)!r}"
        names = {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}
        assert not names & banned, f"{path} refers to {names & banned}"  # not even aliased


def test_huge_and_deep_expressions_are_refused_quickly():
    # "quickly" as a work budget: each is refused in a few hundred calls (a sum of 20 terms takes
    # about 2,700 to compile), before any huge number or deep tree is built
    for text in ["9 ** 99", "2 ** -65", "(1 + 1) ** 2 ** 7"]:
        error = within(2_000, lambda text=text: compile_expr(text, [])({}))
        assert isinstance(error, ValueError) and "exponent" in str(error), error
    assert isinstance(within(2_000, lambda: compile_expr("1" + " + 1" * 5000, [])), ValueError)
