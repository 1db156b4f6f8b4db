"""The computational graph of a backprop question (or of a typed expression), node by node.

A graph is a tuple of :class:`solvers.steps.NodeRecord` (inputs before their users, the output
last) with each node's forward value and the gradient of the output with respect to it. A
question's graph is the one its solver worked the steps on (``Solution.graph``), so the drawing
matches the worked steps (``s``, ``grad_s``, ...); nothing here rebuilds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from question_bank.question import Question
    from solvers.steps import NodeRecord


def expression_graph(text: str, values: Mapping[str, float]) -> tuple[NodeRecord, ...]:
    """The nodes of ``text`` at ``values`` (the ``quizapp grad`` engine); ValueError when it cannot."""
    from solvers.backprop import gradients

    return gradients(text, values).nodes


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


def question_graph(question: Question) -> tuple[NodeRecord, ...] | None:
    """The graph of a question whose solver works on one (backprop, the sigmoid neuron, the
    residual block), or None for any other question."""
    return question.solution.graph or None
