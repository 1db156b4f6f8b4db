"""``quizapp grad``: backprop on a scalar expression, node by node.

The same engine as the ``backprop`` solver (solvers.expr.to_tensor and Tensor.records), and the
same node names: variables by their names, computed nodes ``n1``, ``n2``, ... in evaluation order
(``node1``, ... when a variable is already called ``n1``), the output ``f`` (``out`` or ``result``
when ``f`` is a variable). In ``quizapp check`` on a backprop template a node's gradient is the
step ``grad_<node>``, so the table here lines up with what the checker accepts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from solvers.steps import to_jsonable

if TYPE_CHECKING:
    from solvers.tensor import Tensor


@dataclass(frozen=True)
class GradNode:
    """One node: its operation on its inputs, and the gradients through it.

    ``upstream`` is ∂f/∂(this node); ``local[i]`` is ∂(this node)/∂(input i); ``downstream[i]`` is
    the gradient this node sends to input i, upstream · local[i].
    """

    name: str
    op: str  # "input" for a variable, "const" for a number, else the operation (+, *, exp, ...)
    inputs: tuple[str, ...]
    value: float
    local: tuple[float, ...]
    upstream: float
    downstream: tuple[float, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "op": self.op, "inputs": list(self.inputs), "value": self.value,
                "local": list(self.local), "upstream": self.upstream, "downstream": list(self.downstream)}


@dataclass(frozen=True)
class GradResult:
    expression: str
    value: float
    grads: dict[str, float]  # ∂f/∂variable, in order of first appearance
    nodes: tuple[GradNode, ...]  # inputs before the nodes that use them; the output last

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable({"expression": self.expression, "value": self.value, "grads": self.grads,
                            "nodes": [n.to_dict() for n in self.nodes]})


def backprop(text: str, at: Mapping[str, float]) -> GradResult:
    """Forward value, gradients and per-node records of ``text`` at the point ``at``.

    ValueError (an ExprError with a caret for bad text) when the expression cannot be read or
    computed there, or when a variable has no value or a value names no variable.
    """
    from solvers.expr import parse, to_tensor, variables

    tree = parse(text)
    names = variables(tree)
    missing = [n for n in names if n not in at]
    if missing:
        raise ValueError(f"no value for {', '.join(missing)}: give --at {missing[0]}=VALUE")
    unused = [n for n in at if n not in names]
    if unused:
        raise ValueError(f"{', '.join(unused)} not in the expression (its variables: {', '.join(names) or 'none'})")
    out, leaves = to_tensor(tree, {n: float(at[n]) for n in names})
    if out.parents:
        out.name = next(n for n in ("f", "out", "result") if n not in names)
    out.backward()
    nodes = graph_nodes(out, names)
    grads = {n: float(leaves[n].grad) for n in names}
    return GradResult(text, float(out.data), grads, nodes)


def graph_nodes(out: Tensor, variables: Sequence[str]) -> tuple[GradNode, ...]:
    """The nodes of a finished core graph (``backward()`` already run), named as ``Tensor.records``
    names them, which is how the graph solvers name their steps. A leaf is an input when it is one
    of ``variables``, otherwise a constant."""
    return tuple(
        GradNode(
            name=r.name,
            op=r.op if r.op != "input" else ("input" if r.name in variables else "const"),
            inputs=tuple(r.inputs),
            value=float(r.value),
            local=tuple(float(x) for x in r.local),
            upstream=float(r.upstream),
            downstream=tuple(float(x) for x in r.downstream),
        )
        for r in out.records()
    )
