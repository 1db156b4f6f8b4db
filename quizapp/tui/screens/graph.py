"""Free-form backprop: any expression and values; the graph, and a table of every node.

The engine is ``quizapp grad``'s: node names match what ``check`` accepts (``n1``, ``grad_x``...).
It recomputes as you type.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Static

from quizapp.tui.display import BAD, OK, value_text
from quizapp.tui.graphs import expression_graph, parse_values
from quizapp.tui.widgets.graph import GraphView, node_formula
from solvers.display import named

EXAMPLE = ("(x + y)*z", "x=-2, y=5, z=-4")  # seed 003's worked example


class GraphScreen(Screen):
    BINDINGS = [Binding("escape", "back", "Back")]

    def __init__(self, expression: str = EXAMPLE[0], values: str = EXAMPLE[1]) -> None:
        super().__init__()
        self.expression = expression
        self.values = values

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="grad-form"):
            with Horizontal(classes="form-row"):
                yield Label("f =", classes="form-label")
                yield Input(self.expression, placeholder="an expression, e.g. sigmoid(w0*x0 + w1*x1 + w2)",
                            compact=True, id="grad-expr")
            with Horizontal(classes="form-row"):
                yield Label("at", classes="form-label")
                yield Input(self.values, placeholder="x=-2, y=5, z=-4", compact=True, id="grad-values")
            yield Static(id="grad-status")
        with VerticalScroll(id="grad-body"):
            yield Label("Computational graph", classes="pane-title")
            yield GraphView(id="grad-graph")
            yield Label("Nodes (inputs first)", classes="pane-title")
            yield DataTable(id="grad-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Backprop graph"
        self.query_one("#grad-table", DataTable).add_columns(
            "node", "computes", "value", "local ∂", "upstream ∂f/∂node", "sent to inputs")
        self.compute()
        self.query_one("#grad-expr", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.compute()

    def compute(self) -> None:
        status = self.query_one("#grad-status", Static)
        expr = self.query_one("#grad-expr", Input).value
        try:
            nodes = expression_graph(expr, parse_values(self.query_one("#grad-values", Input).value))
        except ValueError as exc:
            status.update(Text("✗ " + str(exc), style=f"{BAD}"))
            self._show_body(False)  # the old expression's graph and table would mislead
            return
        self._show_body(True)
        out = nodes[-1]
        variables = [n for n in nodes if n.op == "input"]
        line = Text(f"f = {value_text(out.value)}", style="bold")
        for n in variables:
            line.append(f"   ∂f/∂{named(n.name)} = {value_text(n.upstream)}", style=f"{OK}")
        status.update(line)
        self.query_one("#grad-graph", GraphView).show(nodes)
        table = self.query_one("#grad-table", DataTable)
        table.clear()
        values = {n.name: n.value for n in nodes}
        for n in nodes:
            table.add_row(named(n.name), node_formula(n, values).partition(" = ")[2] or n.op, value_text(n.value),
                          ", ".join(value_text(x) for x in n.local), value_text(n.upstream),
                          ", ".join(value_text(x) for x in n.downstream))

    def _show_body(self, shown: bool) -> None:
        for widget in self.query_one("#grad-body").children:
            widget.display = shown

    def action_back(self) -> None:
        self.dismiss()
