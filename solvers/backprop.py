"""Backprop on computation graphs, one worked step per node: expressions, the sigmoid neuron, a
residual block, and a two-layer MLP.

Graph solvers (``backprop``, ``sigmoid_neuron``, ``residual_block``) build the graph with the
autograd core, run ``backward()`` and turn ``Tensor.records()`` into steps:

* forward, inputs first: one step per computed node, named after the node (``n1``, ``n2``, ...
  in evaluation order, or the solver's own names such as ``s``, ``z``, ``h``); the output's step
  is named after the answer it gives (``value`` for ``backprop`` and ``sigmoid_neuron``, ``y``
  for ``residual_block``). Its formula is the node's operation on its inputs.
* backward, output first: one step ``grad_<node>`` per node and per variable, the gradient of
  the output with respect to it. The output's is 1 (or the given upstream ∂L/∂y); every other is
  the chain rule over the node's users, Σ upstream · local derivative, with the local
  derivative written in terms of the user's inputs (``df_dn2 · z`` = ``1 · (-4)``).

Step names equal answer keys (``value``, ``grad_x``), so a student's earlier answers carry
forward: a replaced node value is pushed through the later operations again on the core, and a
replaced gradient flows on through the chain rule. The MLP is worked the same way layer by layer
(``z1``, ``h``, ``out``, ``loss``, then ``dout``, ``dW2``, ``db2``, ``dh``, ``dz1``, ``dW1``, ``db1``,
``dx``), each layer's local backward done by the core.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np

from solvers import activations, validate
from solvers.display import named
from solvers.registry import solver
from solvers.steps import NodeRecord, Recorder, Solution, fmt, to_jsonable
from solvers.tensor import Tensor

LOSSES = ("mse", "cross_entropy", "bce")

# ----- the graph engine ---------------------------------------------------------------------

def _method(name: str) -> Callable[[Tensor], Tensor]:
    return lambda a: getattr(a, name)()


# Ops whose result can be recomputed from (possibly a student's) input values on the core.
_REPLAY: dict[str, Callable[..., Tensor]] = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / b,
    "^": lambda a, b: a**b, "neg": lambda a: -a, "max": lambda a, b: a.maximum(b),
    "prelu": lambda a, b: a.prelu(b),
    **{name: _method(name) for name in ("exp", "log", "sqrt", "abs", "sigmoid", "tanh", "relu", "softplus")},
}


class Graph:
    """A finished core graph (``backward()`` already run) turned into forward and backward steps.

    ``records`` is the graph itself, as ``Tensor.records()`` gives it (the solvers attach it to
    their ``Solution``); what the steps add to it (a student's values pushed through again, who
    uses each node) is kept here, by node name.
    """

    def __init__(self, out: Tensor | tuple[NodeRecord, ...], variables: Sequence[str], output_step: str,
                 seed: float = 1.0, edges: Mapping[tuple[str, int], float] | None = None) -> None:
        self.variables = list(variables)
        self.output_step = output_step
        self.seed = seed
        # (user, input slot) -> a local derivative put in its place: a named mistake
        self.edges = dict(edges or {})
        self.records = out if isinstance(out, tuple) else tuple(out.records())
        _check_names(self.records, self.variables)
        self.output = self.records[-1].name
        self._computed = {r.name: r for r in self.records if not r.is_leaf}
        self._const = {r.name for r in self.records if r.op == "const"}
        self.users = _users(self.records, self._const)
        self.values: dict[str, Any] = {}
        self.grads: dict[str, Any] = {}
        self._local: dict[str, tuple[Any, ...]] = {}  # local derivatives at the values used
        self.carried = False  # a student's value replaced a computed one

    def forward(self, rec: Recorder) -> Any:
        for r in self.records:
            if r.is_leaf:
                self.values[r.name] = r.value
                continue
            value = self._evaluate(r)
            step = self.output_step if r.name == self.output else r.name
            text, numbers, label = "", {}, ""
            if rec.writes:
                text, numbers = self._operation(r)
                label = f"value of {named(r.name)}" + (" (the output)" if r.name == self.output else "")
            used = rec.step(step, label, text, _float(value), **numbers)
            self.carried |= not np.array_equal(used, value)
            self.values[r.name] = used
        return self.values[self.output]

    def backward(self, rec: Recorder) -> dict[str, Any]:
        for r in reversed(self.records):
            if r.name in self.grads or _is_constant(r, self.variables):
                continue
            if r.name == self.output:
                o = r.name
                template, label = ("1", f"∂{named(o)}/∂{named(o)}: the output gradient starts at 1") \
                    if self.seed == 1.0 else ("{upstream}", f"∂L/∂{named(o)}, given")
                self.grads[r.name] = rec.step(f"grad_{r.name}", label, template, float(self.seed),
                                              upstream=self.seed)
                continue
            self.grads[r.name] = self._chain(rec, r)
        return self.grads

    def _is_const_input(self, r: NodeRecord, i: int) -> bool:
        return r.inputs[i] in self._const

    # -- forward helpers ------------------------------------------------------------------
    def _evaluate(self, r: NodeRecord) -> Any:
        """The node's value at the values the steps used (a student's may differ): recomputed on
        the core when an input changed; its local derivatives are kept for the backward steps."""
        inputs = [self._input_value(r, i) for i in range(len(r.inputs))]
        changed = any(not np.array_equal(a, b) for a, b in zip(inputs, r.input_values))
        value, self._local[r.name] = r.value, r.local
        if changed:
            replayed = _replay(r.op, inputs, _exponent(r))
            if replayed is not None:
                value, self._local[r.name] = replayed
        return value

    def _input_value(self, r: NodeRecord, i: int) -> Any:
        return r.input_values[i] if self._is_const_input(r, i) else self.values[r.inputs[i]]

    def _operand(self, r: NodeRecord, i: int, numbers: dict[str, Any]) -> str:
        """``{name}`` for a node (its value goes into ``numbers``), the literal for a constant."""
        if self._is_const_input(r, i):
            text = _constant_text(r.input_values[i])
            return f"({text})" if text.startswith("-") else text
        numbers[r.inputs[i]] = self.values[r.inputs[i]]
        return "{" + r.inputs[i] + "}"

    def _operation(self, r: NodeRecord) -> tuple[str, dict[str, Any]]:
        numbers: dict[str, Any] = {}
        args = [self._operand(r, i, numbers) for i in range(len(r.inputs))]
        return _forward_text(r.op, args, _exponent(r)), numbers

    def unit_locals_after(self, name: str) -> dict[tuple[str, int], float]:
        """Local derivative 1 on every input of the nodes computed after ``name`` (a mistake)."""
        names = [r.name for r in self.records]
        after = self.records[names.index(name) + 1:]
        return {(r.name, slot): 1.0 for r in after for slot in range(len(r.inputs))
                if not self._is_const_input(r, slot)}

    # -- backward helpers -----------------------------------------------------------------
    def _chain(self, rec: Recorder, r: NodeRecord) -> Any:
        numbers: dict[str, Any] = {}
        terms, total = [], 0.0
        top = self.output if self.seed == 1.0 else "L"
        for user_name, slot in self.users[r.name]:
            user = self._computed[user_name]
            local = self.edges.get((user_name, slot), self._local[user_name][slot])
            if (user_name, slot) in self.edges and local == 0:
                continue  # the mistake drops this path altogether
            if rec.writes:
                upstream_key = f"d{top}_d{user_name}"
                numbers[upstream_key] = self.grads[user_name]
                local_text = fmt(local) if (user_name, slot) in self.edges else self._local_text(user, slot, numbers)
                terms.append(f"{{{upstream_key}}} · {local_text}")
            total = total + self.grads[user_name] * local
        template = " + ".join(terms) if terms else "0"
        label = self._chain_label(r, top) if rec.writes else ""
        pure = not self.carried and not self.edges and not _given_any(rec, self.grads)
        value = _float(r.upstream) if pure else _float(total)
        return rec.step(f"grad_{r.name}", label, template, value, **numbers)

    def _chain_label(self, r: NodeRecord, top: str) -> str:
        users = sorted({u for u, _ in self.users[r.name]})
        return f"∂{named(top)}/∂{named(r.name)}" + (
            f", through {', '.join(named(u) for u in users)}" if users else " (not used)")

    def _local_text(self, user: NodeRecord, slot: int, numbers: dict[str, Any]) -> str:
        args = [self._operand(user, i, numbers) for i in range(len(user.inputs))]
        numbers[user.name] = self.values[user.name]
        if user.op == "max" and np.array_equal(*(self._input_value(user, i) for i in (0, 1))):
            return "½"  # a tie: each side gets half, as torch.maximum
        text = _local_texts(user.op, args, "{" + user.name + "}", _exponent(user))
        if text is None:  # an op with a hidden parameter (leaky ReLU's slope, ELU's α): the number
            key = f"d{user.name}_d{user.inputs[slot]}"
            numbers[key] = self._local[user.name][slot]
            return "{" + key + "}"
        return text[slot]


def _users(records: Sequence[NodeRecord], const: set[str]) -> dict[str, list[tuple[str, int]]]:
    """For each node, the (user, input slot) pairs that read it, in evaluation order."""
    users: dict[str, list[tuple[str, int]]] = {r.name: [] for r in records}
    for r in records:
        for slot, name in enumerate(r.inputs):
            if name not in const:
                users[name].append((r.name, slot))
    return users


def _check_names(records: Sequence[NodeRecord], variables: Sequence[str]) -> None:
    seen: set[str] = set()
    for r in records:
        if r.op == "const":
            continue  # two constants of the same value share their name, the value
        if r.name in seen:
            raise ValueError(f"two nodes of the graph are both named {r.name!r}")
        seen.add(r.name)


def _is_constant(r: NodeRecord, variables: Sequence[str]) -> bool:
    return r.is_leaf and r.name not in variables


def _given_any(rec: Recorder, grads: Mapping[str, Any]) -> bool:
    return any(f"grad_{name}" in rec.overrides for name in grads)


def _constant_text(value: Any) -> str:
    return fmt(value) if np.ndim(value) == 0 else "const"


def _float(value: Any) -> Any:
    return float(value) if np.ndim(value) == 0 else np.asarray(value, dtype=np.float64)


def _exponent(r: NodeRecord) -> float | None:
    """k of x^k with a constant k (which the core keeps out of the graph), from the node's value and
    local derivative (k·x^(k-1)·x / x^k = k); None for any other node, or when 0 hides k."""
    if r.op != "^" or len(r.inputs) != 1:
        return None
    x, value, local = float(r.input_values[0]), float(r.value), float(r.local[0])
    if x == 0 or value == 0:
        return None
    k = local * x / value
    return float(round(k)) if abs(k - round(k)) < 1e-9 else k


def _replay(op: str, inputs: list[Any], exponent: float | None) -> tuple[Any, tuple[Any, ...]] | None:
    """(value, local derivatives) of ``op`` recomputed on the core at ``inputs``; None if unknown."""
    fn = _REPLAY.get(op)
    if fn is None or (op == "^" and len(inputs) == 1 and exponent is None):
        return None
    leaves = [Tensor(v) for v in inputs]
    # x^k with a constant k: k stays a plain number, as in the original graph
    out = fn(leaves[0], exponent) if op == "^" and len(inputs) == 1 else fn(*leaves)
    out.backward()
    return out.data, tuple(leaf.grad for leaf in leaves)


_INFIX = {"+": "+", "-": "-", "*": "·", "/": "/"}


def _forward_text(op: str, a: list[str], exponent: float | None) -> str:
    if op in _INFIX:
        return f"{a[0]} {_INFIX[op]} {a[1]}"
    if op == "^":
        return f"{a[0]}^{a[1]}" if len(a) == 2 else f"{a[0]}^{_exponent_text(exponent)}"
    if op == "neg":
        return f"-{a[0]}"
    if op == "exp":
        return f"e^{a[0]}"
    return f"{op}({', '.join(a)})"


def _exponent_text(k: float | None) -> str:
    return "k" if k is None else (fmt(k) if k >= 0 else f"({fmt(k)})")


def _local_texts(op: str, a: list[str], out: str, exponent: float | None) -> list[str] | None:
    """The local derivative ∂out/∂input for each input, in terms of the inputs and the output."""
    if op == "^" and len(a) == 1:
        if exponent is None:
            return None
        k = _exponent_text(exponent)
        return [f"{k}·{a[0]}^({k} - 1)"]
    table: dict[str, list[str]] = {
        "+": ["1", "1"], "-": ["1", "(-1)"], "*": [a[-1], a[0]],
        "/": [f"(1/{a[-1]})", f"(-{a[0]}/{a[-1]}²)"],
        "neg": ["(-1)"], "exp": [out], "log": [f"(1/{a[0]})"], "sqrt": [f"1/(2·{out})"],
        "abs": [f"sign({a[0]})"], "sigmoid": [f"{out}·(1 - {out})"], "tanh": [f"(1 - {out}²)"],
        "relu": [f"1[{a[0]} > 0]"], "softplus": [f"σ({a[0]})"],
        "max": [f"1[{a[0]} > {a[-1]}]", f"1[{a[-1]} > {a[0]}]"],
    }
    if op == "^":
        return [f"{a[1]}·{a[0]}^({a[1]} - 1)", f"{out}·ln {a[0]}"]
    return table.get(op)


def _work(rec: Recorder, graph: Graph) -> tuple[Any, dict[str, Any]]:
    value = graph.forward(rec)
    return value, graph.backward(rec)


# ----- expressions ----------------------------------------------------------------------------

def _values(values: Any) -> dict[str, float]:
    if not isinstance(values, Mapping):
        raise ValueError("values: expected a mapping of variable names to numbers")
    return {str(k): validate.scalar(v, str(k)) for k, v in values.items()}


@solver("backprop")
def backprop(expr: str, values: Mapping[str, Any], one_path: str | None = None, forget: str | None = None,
             overrides: dict[str, Any] | None = None) -> Solution:
    """{value, grad_<var> for every variable} of the expression ``expr`` at ``values``.

    Steps: one per computed node (``n1``, ``n2``, ...; the output's is ``value``), then
    ``grad_f`` = 1 and one ``grad_<node>`` per node and variable, output first.
    Classic slips, for the checker: ``one_path`` ("first" or "last") keeps one path of a variable
    used more than once; ``forget`` ("outer" or "inner") takes the output node's local derivatives,
    or every other node's, as 1.
    """
    from solvers.expr import parse, to_tensor, variables

    if not isinstance(expr, str):
        raise ValueError(f"expr: expected the expression as text, got {type(expr).__name__}")
    env = _values(values)
    tree = parse(expr, variables=list(env))
    names = variables(tree)
    unused = [v for v in env if v not in names]
    if unused:
        raise ValueError(f"values: {', '.join(unused)} not used by the expression {expr!r}")
    out, leaves = to_tensor(tree, env)
    if not out.parents:  # the expression is one variable or a number: no graph to walk
        return _trivial(out, names, overrides)
    out.name = _output_name(names)
    out.backward()
    rec = Recorder(overrides)
    graph = Graph(out, names, "value")
    graph.edges = _slip_edges(graph, names, one_path, forget)
    value, grads = _work(rec, graph)
    return _with_graph(rec.solution(value=_float(value), **{f"grad_{v}": _float(grads[v]) for v in names}),
                       graph)


def _slip_edges(graph: Graph, names: Sequence[str], one_path: str | None,
                forget: str | None) -> dict[tuple[str, int], float]:
    """The local derivatives a named slip puts in place of the real ones."""
    edges: dict[tuple[str, int], float] = {}
    if one_path is not None:
        validate.choice(one_path, "one_path", ("first", "last"))
        shared = {v: graph.users[v] for v in names if len(graph.users.get(v, ())) > 1}
        if not shared:
            raise ValueError("no variable is used more than once: every path is the only one")
        for uses in shared.values():
            kept = uses[0] if one_path == "first" else uses[-1]
            edges.update({use: 0.0 for use in uses if use != kept})
    if forget is not None:
        validate.choice(forget, "forget", ("outer", "inner"))
        nodes = [r for r in graph.records if not r.is_leaf]
        chosen = nodes[-1:] if forget == "outer" else nodes[:-1]
        edges.update({(r.name, slot): 1.0 for r in chosen for slot in range(len(r.inputs))
                      if not graph._is_const_input(r, slot)})
    return edges


def _output_name(variables: Sequence[str]) -> str:
    """What the output node is called: ``f``, unless a variable is (then ``out``, ``result``)."""
    return next(n for n in ("f", "out", "result") if n not in variables)


@dataclass(frozen=True)
class GradResult:
    """An expression's value at a point, its gradients, and its graph (``quizapp grad``)."""

    expression: str
    value: float
    grads: dict[str, float]  # ∂f/∂variable, in order of first appearance
    nodes: tuple[NodeRecord, ...]  # inputs before the nodes that use them; the output last

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable({"expression": self.expression, "value": self.value, "grads": self.grads,
                            "nodes": [n.to_dict() for n in self.nodes]})


def gradients(text: str, at: Mapping[str, float]) -> GradResult:
    """Forward value, gradients and node records of the expression ``text`` at the point ``at``,
    on the same graph, with the same node names, as the ``backprop`` solver's steps.

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
        out.name = _output_name(names)
    out.backward()
    grads = {n: float(leaves[n].grad) for n in names}
    return GradResult(text, float(out.data), grads, tuple(out.records()))


def _trivial(out: Tensor, names: list[str], overrides: dict[str, Any] | None) -> Solution:
    rec = Recorder(overrides)
    value = rec.step("value", "the expression is a single term", fmt(out.data), float(out.data))
    grads = {f"grad_{v}": rec.step(f"grad_{v}", f"∂{named(v)}/∂{named(v)}", "1", 1.0) for v in names}
    out.backward()
    return replace(rec.solution(value=float(value), **grads), graph=tuple(out.records()))


def _with_graph(solution: Solution, graph: Graph) -> Solution:
    """The solution with the graph its steps were worked on (as computed, before any student's
    value replaced a step's), for whoever draws it."""
    return replace(solution, graph=graph.records)


# ----- the sigmoid neuron (seed 003) --------------------------------------------------------

NEURON_INPUTS = ("w0", "x0", "w1", "x1", "w2")


def neuron_graph(values: Mapping[str, float], decompose: bool = False) -> Tensor:
    """f = σ(w0·x0 + w1·x1 + w2) on the core, nodes named as the solver's steps (``s``, ``f``)."""
    leaves = {k: Tensor(float(values[k]), name=k) for k in NEURON_INPUTS}
    s = leaves["w0"] * leaves["x0"] + leaves["w1"] * leaves["x1"] + leaves["w2"]
    s.name = "s"
    out = 1.0 / (1.0 + (-s).exp()) if decompose else s.sigmoid()
    out.name = "f"
    return out


@lru_cache(maxsize=256)
def _neuron_records(values: tuple[float, ...], decompose: bool) -> tuple[NodeRecord, ...]:
    """The neuron's core graph, backward run, for these inputs: the same for every solve of one
    question (the tolerance bands re-solve it once per step), and read-only."""
    out = neuron_graph(dict(zip(NEURON_INPUTS, values)), decompose)
    out.backward()
    return tuple(out.records())


@solver("sigmoid_neuron")
def sigmoid_neuron(
    w0: Any, x0: Any, w1: Any, x1: Any, w2: Any, decompose: bool = False,
    drop_activation_grad: bool = False, sigmoid_as_derivative: bool = False,
    overrides: dict[str, Any] | None = None,
) -> Solution:
    """{value, grad_w0, grad_x0, grad_w1, grad_x1, grad_w2} of f = σ(w0·x0 + w1·x1 + w2).

    ``decompose`` works σ gate by gate as CS231n draws it: -s, e^(·), 1 + (·), 1/(·).
    ``drop_activation_grad`` is the mistake of forgetting σ'(s): the gradients of s instead;
    ``sigmoid_as_derivative`` the mistake of using σ(s) itself as its local derivative.
    """
    values = tuple(validate.scalar(v, k) for k, v in zip(NEURON_INPUTS, (w0, x0, w1, x1, w2)))
    graph = Graph(_neuron_records(values, decompose), NEURON_INPUTS, "value")
    if drop_activation_grad:
        graph.edges = graph.unit_locals_after("s")
    if sigmoid_as_derivative and not decompose:
        graph.edges = {(graph.output, 0): float(graph.records[-1].value)}
    rec = Recorder(overrides)
    value, grads = _work(rec, graph)
    return _with_graph(rec.solution(value=float(value), **{f"grad_{k}": float(grads[k]) for k in NEURON_INPUTS}),
                       graph)


# ----- a residual block (seed 004) ----------------------------------------------------------

@solver("residual_block")
def residual_block(
    x: Any, w1: Any, b1: Any, w2: Any, upstream: Any = 1.0, activation: str = "relu", alpha: Any = None,
    drop_skip: bool = False, forget_inner: bool = False, overrides: dict[str, Any] | None = None,
) -> Solution:
    """y = x + F(x) with F(x) = w2 · act(w1·x + b1); ∂L/∂x = ∂L/∂y · (1 + F'(x)).

    Answers {y, F, dF_dx, grad_x, grad_w1, grad_b1, grad_w2}; ``upstream`` is ∂L/∂y.
    ``drop_skip`` is the mistake of forgetting the identity path: ∂L/∂x = ∂L/∂y · F'(x);
    ``forget_inner`` the mistake of stopping the chain rule at w2: F'(x) taken as w2.
    """
    act = activations.function(activation, alpha)
    nums = {k: validate.scalar(v, k) for k, v in {"x": x, "w1": w1, "b1": b1, "w2": w2}.items()}
    g = validate.scalar(upstream, "upstream")
    y = residual_graph(act, nums)
    y.backward(g)
    edges = {("y", 0): 0.0} if drop_skip else {}
    if forget_inner:  # act'(z) and w1 taken as 1: only w2 is left of F'(x)
        edges.update({("a", 1): 1.0, ("h", 0): 1.0})
    graph = Graph(y, list(nums), "y", seed=g, edges=edges or None)

    rec = Recorder(overrides)
    graph.forward(rec)
    d_fx = float(graph.values["w2"]) if forget_inner else _residual_dfdx(act, graph.values)
    template = f"{{w2}} · {activation}'({{z}}) · {{w1}}"
    d_fx = rec.step("dF_dx", "F'(x), the derivative of the residual branch", template, d_fx,
                    w2=graph.values["w2"], z=graph.values["z"], w1=graph.values["w1"])
    grads = graph.backward(rec)
    answer = {"y": graph.values["y"], "F": graph.values["F"], "dF_dx": d_fx}
    answer.update({f"grad_{k}": grads[k] for k in ("x", "w1", "b1", "w2")})
    return _with_graph(rec.solution(**{k: float(v) for k, v in answer.items()}), graph)


def residual_graph(act: Callable[[Tensor], Tensor], nums: Mapping[str, float]) -> Tensor:
    """y = x + w2·act(w1·x + b1) on the core, nodes named as the solver's steps (``a``, ``z``, ``h``, ``F``, ``y``)."""
    leaves = {k: Tensor(v, name=k) for k, v in nums.items()}
    a = leaves["w1"] * leaves["x"]
    z = a + leaves["b1"]
    h = act(z)
    f = leaves["w2"] * h
    y = leaves["x"] + f
    for t, name in ((a, "a"), (z, "z"), (h, "h"), (f, "F"), (y, "y")):
        t.name = name
    return y


def _residual_dfdx(act: Callable[[Tensor], Tensor], values: Mapping[str, Any]) -> float:
    """F'(x) = w2 · act'(z) · w1, act'(z) from the core at the z the forward steps used."""
    z = Tensor(float(values["z"]))
    act(z).backward()
    return float(values["w2"]) * float(z.grad) * float(values["w1"])


# ----- a two-layer MLP ----------------------------------------------------------------------

class _Layer:
    """One stage of the network on the core: its value, and its local backward for any upstream."""

    def __init__(self, fn: Callable[..., Tensor], *inputs: Any) -> None:
        self.fn = fn
        self.inputs = [np.asarray(v, dtype=np.float64) for v in inputs]
        self.value = _float(fn(*[Tensor(v) for v in self.inputs]).data)

    def grads(self, upstream: Any) -> list[Any]:
        leaves = [Tensor(v) for v in self.inputs]
        self.fn(*leaves).backward(upstream)
        return [_float(leaf.grad) for leaf in leaves]


def _mlp_inputs(x: Any, W1: Any, b1: Any, W2: Any, b2: Any) -> tuple[np.ndarray, ...]:
    xs = validate.array(x, "x", ndim=1)
    w1 = validate.array(W1, "W1", ndim=2)
    bias1 = validate.array(b1, "b1", ndim=1)
    w2 = validate.array(W2, "W2")
    if w1.shape[1] != xs.size:
        raise ValueError(f"W1 has {w1.shape[1]} columns but x has {xs.size} entries")
    if bias1.size != w1.shape[0]:
        raise ValueError(f"b1 has {bias1.size} entries but W1 has {w1.shape[0]} rows")
    if w2.ndim not in (1, 2) or w2.shape[-1] != w1.shape[0]:
        raise ValueError(f"W2 must have {w1.shape[0]} columns (one per hidden unit), got shape {w2.shape}")
    bias2 = validate.array(b2, "b2", ndim=0 if w2.ndim == 1 else 1)
    if w2.ndim == 2 and bias2.size != w2.shape[0]:
        raise ValueError(f"b2 has {bias2.size} entries but W2 has {w2.shape[0]} rows")
    return xs, w1, bias1, w2, bias2


def _loss_fn(loss: str, y: Any, out_shape: tuple[int, ...]) -> tuple[Callable[[Tensor], Tensor], Any, str, str]:
    """(the loss as a Tensor function, the target, the loss formula, the ∂L/∂out formula)."""
    from solvers.losses import class_index

    if loss == "mse":
        target = validate.array(y, "y")
        validate.same_shape(out=np.zeros(out_shape), y=target)
        n = max(int(np.prod(out_shape)), 1)
        return ((lambda o: ((o - target) * (o - target)).mean()), target,
                "mean(({out} - {y})²)" if n > 1 else "({out} - {y})²",
                "2 · ({out} - {y})" + (f" / {n}" if n > 1 else ""))
    if loss == "cross_entropy":
        if len(out_shape) != 1 or out_shape[0] < 2:
            raise ValueError("cross_entropy needs a vector output (W2 a matrix with ≥ 2 rows)")
        label = class_index(y, out_shape[0], "y")
        return (lambda o: -o.log_softmax()[label]), label, "-log softmax({out})[{y}]", "softmax({out}) - onehot({y})"
    if out_shape != ():
        raise ValueError("bce needs a single output logit (W2 a vector, b2 a number)")
    target = validate.scalar(y, "y")
    if not 0 <= target <= 1:
        raise ValueError("y: a binary target must lie in [0, 1]")
    # softplus(o) - y·o is -[y log σ(o) + (1-y) log(1-σ(o))] without log(0)
    return ((lambda o: o.softplus() - o * target), target,
            "-[{y} log σ({out}) + (1 - {y}) log(1 - σ({out}))]", "σ({out}) - {y}")


@solver("mlp_2layer")
def mlp_2layer(
    x: Any, W1: Any, b1: Any, W2: Any, b2: Any, y: Any, activation: str = "relu",
    loss: str = "mse", alpha: Any = None, drop_activation_grad: bool = False,
    overrides: dict[str, Any] | None = None,
) -> Solution:
    """Forward and backward of out = W2 · act(W1 x + b1) + b2 with an mse, cross_entropy or bce loss.

    W2 a vector (and b2 a number) gives a single output. Answers: z1, h, out, loss, dout, dW2, db2,
    dh, dz1, dW1, db1, dx. ``drop_activation_grad`` forgets act'(z1): dz1 = dh.
    """
    xs, w1, bias1, w2, bias2 = _mlp_inputs(x, W1, b1, W2, b2)
    act = activations.function(activation, alpha)
    loss = validate.choice(loss, "loss", LOSSES)
    rec = Recorder(overrides)
    fwd = _mlp_forward(rec, act, activation, xs, w1, bias1, w2, bias2)
    loss_fn, target, loss_text, dout_text = _loss_fn(loss, y, np.shape(fwd["out"]))
    stage = _Layer(loss_fn, fwd["out"])
    loss_value = rec.step("loss", f"{loss} loss", loss_text, float(stage.value), out=fwd["out"], y=target)
    back = _mlp_backward(rec, stage, fwd, activation, dout_text, target, drop_activation_grad)
    return rec.solution(**{k: v for k, v in fwd.items() if k != "layers"}, loss=float(loss_value), **back)


def _mlp_forward(rec: Recorder, act: Callable[[Tensor], Tensor], act_name: str, xs: np.ndarray,
                 w1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: Any) -> dict[str, Any]:
    first = _Layer(lambda w, v, b: w @ v + b, w1, xs, b1)
    z1 = rec.step("z1", "hidden pre-activation", "{W1} {x} + {b1}", first.value, W1=w1, x=xs, b1=b1)
    hidden = _Layer(act, z1)
    h = rec.step("h", "hidden activation", f"{act_name}({{z1}})", hidden.value, z1=z1)
    second = _Layer(lambda w, v, b: w @ v + b, w2, h, b2)
    out = rec.step("out", "network output", "{W2} {h} + {b2}", second.value, W2=w2, h=h, b2=b2)
    return {"z1": z1, "h": h, "out": out, "layers": (first, hidden, second)}


def _mlp_backward(rec: Recorder, loss_stage: _Layer, fwd: dict[str, Any], act_name: str, dout_text: str,
                  target: Any, drop: bool) -> dict[str, Any]:
    first, hidden, second = fwd["layers"]
    dout = rec.step("dout", "∂L/∂out", dout_text, loss_stage.grads(1.0)[0], out=fwd["out"], y=target)
    dw2, dh, db2 = second.grads(dout)
    outer = "{dout} {h}ᵀ" if np.ndim(dout) else "{dout} · {h}"
    dw2 = rec.step("dW2", "∂L/∂W₂", outer, dw2, dout=dout, h=fwd["h"])
    db2 = rec.step("db2", "∂L/∂b₂", "{dout}", db2, dout=dout)
    dh = rec.step("dh", "∂L/∂h", "{W2}ᵀ {dout}" if np.ndim(dout) else "{W2} · {dout}", dh,
                  W2=second.inputs[0], dout=dout)
    if drop:
        dz1 = rec.step("dz1", "∂L/∂z₁ with the activation's derivative forgotten", "{dh}", dh, dh=dh)
    else:
        dz1 = rec.step("dz1", "∂L/∂z₁", f"{{dh}} ⊙ {act_name}'({{z1}})", hidden.grads(dh)[0], dh=dh,
                       z1=fwd["z1"])
    dw1, dx, db1 = first.grads(dz1)
    dw1 = rec.step("dW1", "∂L/∂W₁", "{dz1} {x}ᵀ", dw1, dz1=dz1, x=first.inputs[1])
    db1 = rec.step("db1", "∂L/∂b₁", "{dz1}", db1, dz1=dz1)
    dx = rec.step("dx", "∂L/∂x", "{W1}ᵀ {dz1}", dx, W1=first.inputs[0], dz1=dz1)
    return {"dout": dout, "dW2": dw2, "db2": db2, "dh": dh, "dz1": dz1, "dW1": dw1, "db1": db1, "dx": dx}
