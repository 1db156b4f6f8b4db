"""The pure pieces behind the widgets: graph drawing, charts, value and time formatting."""

from __future__ import annotations

import math

import pytest

from quizapp.tui.display import bar_text, duration_text, value_text
from quizapp.tui.graphs import expression_graph, parse_values
from quizapp.tui.widgets.graph import graph_rows, node_formula, render_graph
from quizapp.tui.widgets.hanging import Hanging
from quizapp.tui.widgets.plot import column_chart
from quizapp.tui.widgets.prompt import reflow
from solvers.steps import NodeRecord


def test_graph_rows_of_a_shared_subexpression():
    # f = (x·y) + (x·y)^2 at x=2, y=3 by hand: q = 6, f = 6 + 36 = 42,
    # ∂f/∂q = 1 + 2q = 13, ∂f/∂x = 13·y = 39, ∂f/∂y = 13·x = 26.
    q = NodeRecord("q", "*", ("x", "y"), 6.0, (3.0, 2.0), 13.0, (39.0, 26.0))
    nodes = (
        NodeRecord("x", "input", (), 2.0, (), 39.0, ()),
        NodeRecord("y", "input", (), 3.0, (), 26.0, ()),
        q,
        NodeRecord("s", "^", ("q",), 36.0, (12.0,), 1.0, (12.0,)),
        NodeRecord("f", "+", ("q", "s"), 42.0, (1.0, 1.0), 1.0, (1.0, 1.0)),
    )
    rows = graph_rows(nodes)
    assert [r[0] for r in rows] == [
        "f = q + s",
        "├─ q = x · y",
        "│  ├─ x",
        "│  └─ y",
        "└─ s = q^2",  # the exponent recovered from the local derivative: 12·6/36
        "   └─ q (drawn above)",
    ]
    assert [(r[1], r[2]) for r in rows[:4]] == [("42", "1"), ("6", "13"), ("2", "39"), ("3", "26")]
    assert rows[-1][3] is True


def test_the_seed_example_drawn_from_the_expression_engine():
    text = render_graph(expression_graph("(x + y)*z", {"x": -2, "y": 5, "z": -4})).plain.splitlines()
    assert text[0].split() == ["node", "value", "∂f/∂node"]
    assert text[1].split() == ["f", "=", "n₁", "·", "z", "-12", "1"]  # n1 drawn as the steps write it
    assert text[-1].split() == ["└─", "z", "-4", "3"]


def test_node_formula_for_functions_and_negation():
    assert node_formula(NodeRecord("f", "sigmoid", ("s",), 0.5, (0.25,), 1.0, (0.25,))) == "f = sigmoid(s)"
    assert node_formula(NodeRecord("n2", "neg", ("x",), -1.0, (-1.0,), 1.0, (-1.0,))) == "n₂ = -x"
    assert node_formula(NodeRecord("x", "input", (), 1.0, (), 1.0, ())) == "x"


def test_parse_values():
    assert parse_values("x=-2, y=5 z=1/2") == {"x": -2.0, "y": 5.0, "z": 0.5}
    assert parse_values("a=e^-1")["a"] == pytest.approx(math.exp(-1))
    with pytest.raises(ValueError, match="name=number"):
        parse_values("x -2")
    with pytest.raises(ValueError, match="^y:"):
        parse_values("y=2x")


def test_value_text_writes_matrices_row_by_row():
    assert value_text([[1.0, -2.5], [30.0, 4.0]]) == "[  1, -2.5 ]\n[ 30,    4 ]"
    assert value_text([0.123456, 2.0]) == "[0.1235, 2]"
    assert value_text(None) == "—"


@pytest.mark.parametrize("fraction,width,expected", [(0.0, 4, "    "), (1.0, 4, "████"), (0.5, 4, "██  "),
                                                     (0.3, 10, "███       "), (0.3125, 4, "█▎  ")])
def test_bar_text(fraction, width, expected):
    assert bar_text(fraction, width) == expected


@pytest.mark.parametrize("seconds,expected", [(0, "0:00"), (65.4, "1:05"), (3725, "1:02:05"), (None, "—")])
def test_duration_text(seconds, expected):
    assert duration_text(seconds) == expected


def test_column_chart_heights_in_eighths():
    lines = column_chart([1.0, 0.5, 0.0625], ["03-01", "03-02", "03-03"], height=2, width=40).plain.splitlines()
    # Two rows of 8 eighths each: 1.0 fills both, 0.5 fills the lower one, 0.0625 is one eighth.
    assert lines[0] == "100%┤█     "
    assert lines[1] == " 50%┤█ █ ▁ "
    assert lines[-1] == "     03-01 03-03"


def test_reflow_joins_prose_but_keeps_matrix_rows():
    text = "A batch of\ntwo rows:\nx = [ 1, 2 ]\n    [ 3, 4 ]\nApply it\nnow."
    assert reflow(text) == "A batch of two rows:\nx = [ 1, 2 ]\n    [ 3, 4 ]\nApply it now."


def test_wrapped_lines_keep_their_indent():
    from rich.console import Console
    from rich.text import Text

    step = Text("2. scale\n   γ · x̂ + β\n      = " + " + ".join(["0.123456"] * 8) + "\n"
                "   you wrote: " + "word " * 12 + "\nplain " + "text " * 12)
    console = Console(width=40, color_system=None, legacy_windows=False)
    with console.capture() as captured:
        console.print(Hanging(step))
    lines = captured.get().splitlines()
    # "      = a + b + ..." wraps under the numbers, 8 columns in; "you wrote:" wraps under the answer;
    # a line with no lead wraps from column 0; every line fits the width
    assert lines[:3] == ["2. scale", "   γ · x̂ + β", "      = 0.123456 + 0.123456 + 0.123456 +"]
    assert lines[3].startswith("        0.123456") and lines[4].startswith("        0.123456")
    at = next(i for i, line in enumerate(lines) if line.startswith("   you wrote: word"))
    assert lines[at + 1].startswith(" " * 14 + "word")
    assert lines[-1].startswith("text") and all(len(line) <= 40 for line in lines)
    assert Hanging(step).plain == step.plain
