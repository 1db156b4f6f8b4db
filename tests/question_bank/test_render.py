"""Rendering: numbers as written by hand, matrices row by row, every placeholder filled."""

from __future__ import annotations

import numpy as np
import pytest

from question_bank.render import fill, number, placeholders, value_text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3, "3"),
        (3.0, "3"),
        (-0.5, "-0.5"),
        (0.1 + 0.2, "0.3"),
        (1e-8, "1e-8"),
        (1.5e-10, "1.5e-10"),
        (0.001, "0.001"),
        (2.5e6, "2500000"),
        (True, "true"),
        (np.float64(-2.25), "-2.25"),
        (-0.0, "0"),
    ],
)
def test_numbers(value, text):
    assert number(value) == text


def test_vectors_and_matrices():
    assert value_text([1, -2, 0.5]) == "[1, -2, 0.5]"
    assert value_text(np.array([0.25, 4.0])) == "[0.25, 4]"
    assert value_text(["cat", "dog"]) == "[cat, dog]"
    assert value_text([[1, -2], [30, 4]]) == "[  1, -2 ]\n[ 30,  4 ]"


def test_multiline_value_is_indented_under_its_column():
    out = fill("X = {m}  y = {v}", {"m": [[1, -2], [3, 4.5]], "v": [1, 2]})
    assert out == "X = [ 1,  -2 ]\n    [ 3, 4.5 ]  y = [1, 2]"


def test_entries_specs_and_braces():
    values = {"w": [3, -1], "m": [[1, 2], [3, 4]], "x": 2.0 / 3}
    assert fill("{w[0]} {w[1]} {m[1][0]} {x:.3f}", values) == "3 -1 3 0.667"
    assert fill("{{w}} and Σ_{j≠y} and p_{w[0]}", values) == "{w} and Σ_{j≠y} and p_3"


def test_negative_numbers_are_bracketed_inside_formulas():
    values = {"a": 0.5, "x": -3}
    assert fill("{a}·{x} + {x}; {x}² - {a} = {x}", values) == "0.5·(-3) + (-3); (-3)² - 0.5 = -3"


def test_missing_placeholder_is_an_error():
    with pytest.raises(ValueError, match=r"placeholder \{nope\} has no value"):
        fill("a {nope} b", {"x": 1})
    with pytest.raises(ValueError, match=r"no entry \[5\]"):
        fill("{w[5]}", {"w": [1]})


def test_placeholders_lists_names():
    assert placeholders("{a} {{b}} {c[0]} {d:.2f} Σ_{j≠y}") == ["a", "c", "d"]


def test_a_formula_held_in_a_string_parameter_is_typeset():
    # x = e^(4u) written by a template's derived parameter: LaTeX raises the power, a terminal keeps it
    assert fill("x = {x_text}", {"x_text": "e^(4u)"}, "latex") == r"x = e\textsuperscript{4u}"
    assert fill("x = {x_text}", {"x_text": "e^(4u)"}, "html") == "x = e<sup>4u</sup>"
    assert fill("x = {x_text}", {"x_text": "e^(4u)"}) == "x = e^(4u)"
