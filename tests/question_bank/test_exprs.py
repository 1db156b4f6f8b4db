"""Template expressions are checked against a whitelist before they are compiled."""

from __future__ import annotations

import numpy as np
import pytest

from question_bank.exprs import compile_expr


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
    ],
)
def test_refused(text, words):
    with pytest.raises(ValueError) as info:
        compile_expr(text, ["w"])
    assert words in str(info.value)


def test_huge_powers_fail_fast():
    with pytest.raises(ValueError, match="exponent"):
        compile_expr("9 ** 9 ** 9", [])({})
