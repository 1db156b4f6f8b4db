"""The computational graph of a backprop question (or of a typed expression), node by node.

A graph is a tuple of :class:`quizapp.grading.graph.GradNode` (inputs before their users, the
output last) with each node's forward value and the gradient of the output with respect to it.
Questions built on the graph solvers are rebuilt on the autograd core with the solvers' own node
names, so the drawing matches the worked steps (``s``, ``grad_s``, ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from question_bank.question import Question
    from quizapp.grading.graph import GradNode

GRAPH_SOLVERS = ("backprop", "sigmoid_neuron", "residual_block")


def expression_graph(text: str, values: Mapping[str, float]) -> tuple[GradNode, ...]:
    """The nodes of ``text`` at ``values`` (the ``quizapp grad`` engine); ValueError when it cannot."""
    from quizapp.grading.graph import backprop

    return backprop(text, values).nodes


def parse_values(text: str) -> dict[str, float]:
    """``x=-2, y=5 z=-4`` as {name: value}; each value may be an expression (``1/2``, ``e^-1``)."""
    from quizapp.answers import parse_number

    out: dict[str, float] = {}
    for chunk in text.replace(";", ",").replace(",", " ").split():
        name, sep, value = chunk.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ValueError(f"write each value as name=number, got {chunk!r}")
        try:
            out[name.strip()] = parse_number(value)
        except ValueError as exc:
            raise ValueError(f"{name.strip()}: {str(exc).splitlines()[0]}") from None
    return out


def question_graph(question: Question) -> tuple[GradNode, ...] | None:
    """The graph of a question made by a graph solver, or None for any other question."""
    call = question.template.solver
    if call is None or call.name not in GRAPH_SOLVERS:
        return None
    from question_bank import solving

    try:
        args = solving.call_args(call.name, question.params, call.args)
        if call.name == "backprop":
            return expression_graph(args["expr"], {k: float(v) for k, v in args["values"].items()})
        if call.name == "sigmoid_neuron":
            return _neuron(args)
        return _residual(args)
    except (ValueError, KeyError, TypeError, ArithmeticError):
        return None  # a drawing is a bonus: never let it break the feedback


def _neuron(args: Mapping[str, Any]) -> tuple[GradNode, ...]:
    from quizapp.grading.graph import graph_nodes
    from solvers.backprop import NEURON_INPUTS, neuron_graph

    out = neuron_graph(args, bool(args.get("decompose")))
    out.backward()
    return graph_nodes(out, NEURON_INPUTS)


def _residual(args: Mapping[str, Any]) -> tuple[GradNode, ...]:
    from quizapp.grading.graph import graph_nodes
    from solvers import activations
    from solvers.backprop import residual_graph

    act = activations.function(args.get("activation", "relu"), args.get("alpha"))
    nums = {k: float(args[k]) for k in ("x", "w1", "b1", "w2")}
    y = residual_graph(act, nums)
    y.backward(float(args.get("upstream", 1.0)))
    return graph_nodes(y, list(nums))
