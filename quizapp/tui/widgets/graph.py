"""The computational graph drawn as a tree from the output back to the inputs.

Each line is one node: how it is computed from its inputs, its forward value and the gradient of
the output with respect to it. A node used twice (a variable on two paths) is drawn in full the
first time and referred back to after that, so the drawing stays a tree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from quizapp.tui.display import GRAD, VALUE, value_text
from solvers.display import named

if TYPE_CHECKING:
    from solvers.steps import NodeRecord as GradNode

_SYMBOLS = {"+": "+", "-": "-", "*": "·", "/": "/"}


def node_formula(node: GradNode, values: Mapping[str, float] | None = None) -> str:
    """``n1 = x + y``, ``f = sigmoid(s)``, ``n2 = x^2``; an input is just its name.

    ``values`` (node name -> forward value) lets a constant exponent be recovered: the core keeps
    it out of the graph, but k = (∂x^k/∂x)·x / x^k.
    """
    a = [named(x) for x in node.inputs]  # n1 is drawn n₁, as the worked steps write it
    if node.op in ("input", "const") or not a:
        return named(node.name)
    if node.op in _SYMBOLS and len(a) == 2:
        body = f"{a[0]} {_SYMBOLS[node.op]} {a[1]}"
    elif node.op == "^":
        body = f"{a[0]}^{a[1]}" if len(a) == 2 else f"{a[0]}^{_exponent(node, (values or {}).get(node.inputs[0]))}"
    elif node.op == "neg":
        body = f"-{a[0]}"
    else:
        body = f"{node.op}({', '.join(a)})"
    return f"{named(node.name)} = {body}"


def _exponent(node: GradNode, base: float | None) -> str:
    if base is None or node.value == 0 or not node.local:
        return "k"
    return value_text(node.local[0] * base / node.value)


def graph_rows(nodes: Sequence[GradNode]) -> list[tuple[str, str, str, bool]]:
    """(tree text, value, gradient, is a repeat) for every line of the drawing, output first."""
    if not nodes:
        return []
    by_name = {n.name: n for n in nodes}
    values = {n.name: n.value for n in nodes}
    rows: list[tuple[str, str, str, bool]] = []
    drawn: set[str] = set()

    def visit(name: str, lead: str, branch: str) -> None:
        node = by_name[name]
        repeat = name in drawn and bool(node.inputs)
        text = lead + branch + (f"{named(name)} (drawn above)" if repeat else node_formula(node, values))
        grad = "" if node.op == "const" else value_text(node.upstream)
        rows.append((text, value_text(node.value), grad, repeat))
        if repeat:
            return
        drawn.add(name)
        child_lead = lead + {"": "", "└─ ": "   "}.get(branch, "│  ")
        for i, child in enumerate(node.inputs):
            if child in by_name:
                visit(child, child_lead, "└─ " if i == len(node.inputs) - 1 else "├─ ")

    visit(nodes[-1].name, "", "")
    return rows


def render_graph(nodes: Sequence[GradNode]) -> Text:
    """The drawing as styled text with aligned value and gradient columns."""
    rows = graph_rows(nodes)
    if not rows:
        return Text("(no graph)")
    out = nodes[-1]
    top = out.name if out.upstream == 1.0 else "L"
    width = max(len(r[0]) for r in rows)
    vwidth = max(5, *(len(r[1]) for r in rows))
    gtitle = f"∂{top}/∂node"
    gwidth = max(len(gtitle), *(len(r[2]) for r in rows))
    head = Text("node".ljust(width) + "  " + "value".rjust(vwidth) + "  " + gtitle.rjust(gwidth), style="bold")
    lines = [head]
    for text, value, grad, repeat in rows:
        line = Text()
        line.append(text.ljust(width), style="dim" if repeat else "")
        line.append("  " + value.rjust(vwidth), style=f"{VALUE}")
        line.append("  " + grad.rjust(gwidth), style=f"{GRAD}")
        lines.append(line)
    return Text("\n").join(lines)


class GraphView(Static):
    """The graph of a backprop question or expression, with forward values and gradients."""


    def __init__(self, nodes: Sequence[GradNode] = (), **kwargs) -> None:
        super().__init__(render_graph(nodes) if nodes else "", **kwargs)

    def show(self, nodes: Sequence[GradNode]) -> None:
        self.update(render_graph(nodes))
