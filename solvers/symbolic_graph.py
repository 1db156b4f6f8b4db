"""Backprop with formulas instead of numbers (``quizapp grad EXPR --symbolic``, chain-rule templates).

The graph has the same nodes, names and order as the numeric one (``solvers.expr.to_tensor`` and
``Tensor.records``): variables by name, each number its own constant node named by its value,
computed nodes ``n1``, ``n2``, ... in evaluation order (``node1``, ... when a variable looks like
``n1``), the output ``f`` (``out`` or ``result`` when ``f`` is a variable). So a student can hold the
symbolic table next to the numeric one row by row. Each node carries SymPy formulas in the
expression's variables: its value, its local derivatives ∂node/∂input, its upstream ∂f/∂node and
what it sends down. SymPy is imported inside the functions and every simplify runs under a limit.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from solvers.registry import solver
from solvers.steps import Recorder, Solution
from solvers.timelimit import TimeLimitError, time_limit

MAX_NODES = 60  # larger graphs are refused: the table would be unreadable and simplify slow
SIMPLIFY_SECONDS = 2.0  # per formula; past it the formula is shown as computed


@dataclass(eq=False)
class _Node:
    op: str  # "input" for a leaf, else the operation as the numeric graph names it
    prev: tuple[_Node, ...]
    sym: Any  # the value as a SymPy expression in the variables
    local: tuple[Any, ...] = ()  # ∂node/∂prev[i]
    name: str = ""  # a variable's name; "" for others
    data: float = 0.0  # a constant's value (its node is named by it)
    grad: Any = 0


@dataclass(frozen=True)
class SymNode:
    """One node: formulas in the expression's variables (see GradNode for the numeric twin)."""

    name: str
    op: str  # "input" for a variable, "const" for a number, else the operation
    inputs: tuple[str, ...]
    value: str
    local: tuple[str, ...]
    upstream: str
    downstream: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "op": self.op, "inputs": list(self.inputs), "value": self.value,
                "local": list(self.local), "upstream": self.upstream, "downstream": list(self.downstream)}


@dataclass(frozen=True)
class SymGraph:
    expression: str
    value: str
    grads: dict[str, str] = field(default_factory=dict)  # ∂f/∂variable as a formula, in order of appearance
    nodes: tuple[SymNode, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"expression": self.expression, "symbolic": True, "value": self.value, "grads": dict(self.grads),
                "nodes": [n.to_dict() for n in self.nodes]}


_PRINTED = {"Max(": "max(", "Min(": "min(", "Abs(": "abs("}


def text(e: Any) -> str:
    """A SymPy formula in the course's notation (x^2, not x**2, max not Max): our parser reads it back."""
    return _notation(str(e))


def _notation(printed: str) -> str:
    out = printed.replace("**", "^")
    for sympy_name, ours in _PRINTED.items():
        out = out.replace(sympy_name, ours)
    return out


_PIECES: dict[tuple[Any, bool], str] = {}  # (subformula, printed on its own) -> str(...), see _exact_text
PIECES_SIZE = 20_000


def _exact_text(e: Any) -> str:
    """``text(e)``, reusing the printed form of every subformula seen before when ``e``'s numbers are
    all exact (no Float): the chain rule's totals share most of their pieces (σ(3u), 1 - σ(3u)).

    SymPy's str printer writes a subformula the same wherever it sits (parentheses are the parent's
    business), except a Float, whose digits depend on the nesting level; equal formulas (==) are the
    same tree, except Floats equal in value but not in precision. So with no Float the remembered
    text is the text.
    """
    from sympy import Float

    if e.has(Float):  # possible only in a slip (_as_written reads 0.5 as a Float): print afresh
        return text(e)
    # str(e) is StrPrinter({"order": None}).doprint(e); one printer per call (it counts its depth)
    return _notation(_remembering_printer()({"order": None}).doprint(e))


@cache
def _remembering_printer() -> type:
    """SymPy's str printer, looking each subformula up in _PIECES before printing it."""
    from sympy import Basic
    from sympy.printing.str import StrPrinter

    class Remembering(StrPrinter):
        def _print(self, expr: Any, **kwargs: Any) -> str:
            if kwargs or not isinstance(expr, Basic):
                return super()._print(expr, **kwargs)
            key = (expr, self._print_level == 0)
            printed = _PIECES.get(key)
            if printed is None:
                if len(_PIECES) >= PIECES_SIZE:
                    _PIECES.clear()
                printed = _PIECES[key] = super()._print(expr)
            return printed

    return Remembering


def simplified(e: Any, thorough: bool = True) -> Any:
    """``e`` simplified, or as it is when SymPy needs longer than SIMPLIFY_SECONDS.

    ``thorough=False`` only pulls out common factors: fast enough for a template solved on every
    seed (full simplify costs seconds on a chain of σ and tanh).

    SymPy's result is kept only when it is shorter and brings in no function the formula did not
    have: 1 - tanh²(x) must not come back as 1/cosh²(x), which no slide writes.
    """
    return _simplify(e, thorough)[0]


def _simplify(e: Any, thorough: bool) -> tuple[Any, bool]:
    """``simplified(e, thorough)`` and whether SymPy finished in time (a result cut short by the
    limit depends on the machine's load, so it is never memoised)."""
    import sympy

    e = sympy.sympify(e)
    try:
        with time_limit(SIMPLIFY_SECONDS, "simplifying a formula"):
            candidate = sympy.simplify(e) if thorough else sympy.factor_terms(e)
    except TimeLimitError:
        return e, False
    if candidate == e:  # nothing to gain (count_ops would tie, and a tie keeps e): skip the counting
        return e, True
    if _functions(candidate) - _functions(e):
        return e, True
    return (candidate if sympy.count_ops(candidate) < sympy.count_ops(e) else e), True


def _functions(e: Any) -> set[type]:
    import sympy

    return {type(f) for f in e.atoms(sympy.Function)}


_SIGMOID: Any = None


def sigmoid_function() -> Any:
    """σ as a SymPy function whose derivative is σ(1 - σ), so formulas keep the course's σ."""
    global _SIGMOID
    if _SIGMOID is None:
        import sympy

        class sigmoid(sympy.Function):  # noqa: N801 - printed as the course (and our parser) writes it
            def fdiff(self, argindex: int = 1) -> Any:
                return self * (1 - self)

            def _eval_rewrite_as_exp(self, x: Any, **kwargs: Any) -> Any:
                return 1 / (1 + sympy.exp(-x))

        _SIGMOID = sigmoid
    return _SIGMOID


# ----- building the graph as the numeric engine does ---------------------------------------


def _const(value: Any, sympy: Any) -> _Node:
    return _Node("input", (), sympy.sympify(value), data=float(value))


def _build(node: Any, leaves: dict[str, _Node], sympy: Any) -> _Node:
    from solvers.expr import Binary, Call, Num, Unary, Var, children, to_sympy, variables

    if isinstance(node, Num):
        return _Node("input", (), to_sympy(node), data=node.value)
    if isinstance(node, Var):
        return leaves[node.name]
    if isinstance(node, Binary) and node.op == "^" and not variables(node.right):
        # A constant exponent stays a number, as in the numeric graph: x^2 has one input.
        base, k = _build(node.left, leaves, sympy), to_sympy(node.right)
        return _Node("^", (base,), base.sym**k, (k * base.sym ** (k - 1),))
    args = [_build(c, leaves, sympy) for c in children(node)]
    if isinstance(node, Unary):
        return _negate(args[0])
    if isinstance(node, Binary):
        return _binary(node.op, args[0], args[1], sympy)
    assert isinstance(node, Call)
    return _call(node.name, args, sympy)


def _negate(a: _Node) -> _Node:
    return _Node("neg", (a,), -a.sym, (-1,))


def _binary(op: str, a: _Node, b: _Node, sympy: Any) -> _Node:
    x, y = a.sym, b.sym
    if op == "+":
        return _Node("+", (a, b), x + y, (1, 1))
    if op == "-":
        return _Node("-", (a, b), x - y, (1, -1))
    if op == "*":
        return _Node("*", (a, b), x * y, (y, x))
    if op == "/":
        return _Node("/", (a, b), x / y, (1 / y, -x / y**2))
    return _Node("^", (a, b), x**y, (y * x ** (y - 1), x**y * sympy.log(x)))


def _call(name: str, args: list[_Node], sympy: Any) -> _Node:
    a = args[0]
    x = a.sym
    if name in ("log10", "log2"):
        # The numeric graph divides ln by the constant ln 10 (or ln 2): two nodes.
        ln = _Node("log", (a,), sympy.log(x), (1 / x,))
        base = 10 if name == "log10" else 2
        const = _Node("input", (), sympy.log(base), data=math.log(base))
        return _binary("/", ln, const, sympy)
    if name == "max":
        y = args[1].sym
        half = sympy.Rational(1, 2)  # a tie splits the gradient, as torch.maximum does
        return _Node("max", (a, args[1]), sympy.Max(x, y),
                     (sympy.Heaviside(x - y, half), sympy.Heaviside(y - x, half)))
    if name == "min":  # min(a, b) = -max(-a, -b), as the numeric graph builds it
        return _negate(_call("max", [_negate(a), _negate(args[1])], sympy))
    sig = sigmoid_function()(x)
    table = {
        "exp": (sympy.exp(x), sympy.exp(x)),
        "log": (sympy.log(x), 1 / x),
        "sqrt": (sympy.sqrt(x), 1 / (2 * sympy.sqrt(x))),
        "sigmoid": (sig, sig * (1 - sig)),
        "tanh": (sympy.tanh(x), 1 - sympy.tanh(x) ** 2),
        "relu": (sympy.Max(0, x), sympy.Heaviside(x, 0)),  # ReLU'(0) = 0, as PyTorch
        "abs": (sympy.Abs(x), sympy.sign(x)),
        "sin": (sympy.sin(x), sympy.cos(x)),
        "cos": (sympy.cos(x), -sympy.sin(x)),
    }
    value, local = table[name]
    return _Node(name, (a,), value, (local,))


def _topo(out: _Node) -> list[_Node]:
    """Inputs (in the order given) before their users, as Tensor.topo orders them."""
    order: list[_Node] = []
    visited = {id(out)}
    stack = [(out, iter(out.prev))]
    while stack:
        node, parents = stack[-1]
        for p in parents:
            if id(p) not in visited:
                visited.add(id(p))
                stack.append((p, iter(p.prev)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def _names(nodes: list[_Node]) -> dict[int, str]:
    """The numeric graph's naming rule (Tensor.records): variables, constants by value, n1, n2, ..."""
    from solvers.steps import fmt

    taken = {n.name for n in nodes if n.name}
    prefix = "node" if any(re.fullmatch(r"n\d+", name) for name in taken) else "n"
    names: dict[int, str] = {}
    counter = 0
    for n in nodes:
        if n.name:
            names[id(n)] = n.name
        elif not n.prev:
            names[id(n)] = fmt(n.data)
        else:
            counter += 1
            names[id(n)] = f"{prefix}{counter}"
    return names


def symbolic_backprop(expr: str) -> SymGraph:
    """Every node of ``expr``'s graph with its value, local, upstream and downstream derivatives as
    simplified formulas, and ∂f/∂variable for each variable. ValueError for bad or oversized text."""
    import sympy

    from solvers.expr import parse, variables

    tree = parse(expr)
    names = variables(tree)
    leaves = {n: _Node("input", (), sympy.Symbol(n, real=True), name=n) for n in names}
    out = _build(tree, leaves, sympy)
    nodes = _topo(out)
    if len(nodes) > MAX_NODES:
        raise ValueError(f"the expression has {len(nodes)} nodes; symbolic backprop shows at most {MAX_NODES}")
    if out.prev:
        out.name = next(n for n in ("f", "out", "result") if n not in names)
    _backward(out, nodes)
    label = _names(nodes)
    rows = tuple(_row(n, label, names) for n in nodes)
    grads = {n: text(simplified(leaves[n].grad)) for n in names}
    return SymGraph(expr, text(simplified(out.sym)), grads, rows)


def _backward(out: _Node, nodes: list[_Node]) -> None:
    for n in nodes:
        n.grad = 0
    out.grad = 1
    for n in reversed(nodes):
        for p, d in zip(n.prev, n.local, strict=True):
            p.grad = p.grad + n.grad * d


def _row(n: _Node, label: dict[int, str], variables: list[str]) -> SymNode:
    op = n.op if n.prev else ("input" if n.name in variables else "const")
    up = simplified(n.grad)
    return SymNode(
        name=label[id(n)], op=op, inputs=tuple(label[id(p)] for p in n.prev), value=text(simplified(n.sym)),
        local=tuple(text(simplified(d)) for d in n.local), upstream=text(up),
        downstream=tuple(text(simplified(up * d)) for d in n.local),
    )


# ----- the chain rule on a graph of named intermediates (seed 004's "Mini Backpropagation") -----

FORGET_CHOICES = ("all", "innermost", "factor")

# A template solves the same few definitions (x = sin(3u), y = u², z = x·y, ...) in ever new
# combinations, so each definition's formula, its local derivatives and every chained total are
# remembered by what they are computed from: a new combination pays only for what is new in it.
# SymPy expressions are immutable and structurally equal ones (==) give equal results, so a
# remembered result is the one a fresh computation would give.
MEMO_SIZE = 4096


class _Memo:
    """Results of deterministic SymPy work by key, the least recently used dropped past MEMO_SIZE."""

    def __init__(self) -> None:
        self._items: OrderedDict[Hashable, Any] = OrderedDict()

    def get(self, key: Hashable, compute: Callable[[], tuple[Any, bool]]) -> Any:
        """The value remembered under ``key``, else ``compute()``'s (value, keep): kept only when
        keep (a simplify cut short by the time limit is not a result to repeat)."""
        try:  # (a KeyError also when another thread drops the key meanwhile: then just compute)
            self._items.move_to_end(key)
            return self._items[key]
        except KeyError:
            pass
        value, keep = compute()
        if keep:
            self._items[key] = value
            while len(self._items) > MEMO_SIZE:
                try:
                    self._items.popitem(last=False)
                except KeyError:  # emptied by another thread
                    break
        return value


_LOCALS = _Memo()  # (formula, allowed, p[, names]) -> (∂formula/∂p, its text), slipped or not
_TOTALS = _Memo()  # (chain-rule sum, wrt, earlier definitions) -> (d/dwrt in wrt alone, its text)


def _sym_of(formula: str, allowed: list[str]) -> Any:
    """A formula over ``allowed`` names as SymPy (σ kept as the course's σ)."""
    return _parsed(formula, tuple(allowed))


@lru_cache(maxsize=MEMO_SIZE)
def _parsed(formula: str, allowed: tuple[str, ...]) -> Any:
    """_sym_of, remembered (an error raises again: lru_cache keeps only results)."""
    import sympy

    from solvers.expr import to_sympy

    sig = sigmoid_function()
    return to_sympy(_tree(formula, allowed)[0]).replace(lambda t: _sigmoid_argument(t, sympy) is not None,
                                                       lambda t: sig(_sigmoid_argument(t, sympy)))


@lru_cache(maxsize=MEMO_SIZE)
def _tree(formula: str, allowed: tuple[str, ...]) -> tuple[Any, tuple[str, ...]]:
    """``formula``'s parse tree over ``allowed`` (frozen nodes) and the names it uses, in order."""
    from solvers.expr import parse, variables

    tree = parse(formula, variables=allowed)
    return tree, tuple(variables(tree))


def _sigmoid_argument(t: Any, sympy: Any) -> Any:
    """a when ``t`` is 1/(1 + exp(-a)), the shape to_sympy gives σ(a); else None."""
    if not (t.is_Pow and t.exp == -1 and t.base.is_Add and len(t.base.args) == 2 and 1 in t.base.args):
        return None
    other = t.base.args[1] if t.base.args[0] == 1 else t.base.args[0]
    return -other.args[0] if isinstance(other, sympy.exp) else None


def _definitions(defs: Mapping[str, str], wrt: str) -> dict[str, tuple[Any, list[str]]]:
    """name -> (its formula as SymPy, the names it uses), each over ``wrt`` and earlier names."""
    if not isinstance(defs, Mapping) or not defs:
        raise ValueError("defs: expected a mapping from each intermediate's name to its formula")
    out: dict[str, tuple[Any, list[str]]] = {}
    for name, formula in defs.items():
        if name == wrt:
            raise ValueError(f"defs: {name} is the input and cannot be defined")
        allowed = (wrt, *out)
        uses = _tree(str(formula), allowed)[1]
        if not uses:  # before SymPy, which may refuse the formula for another reason
            raise ValueError(f"defs: {name} = {formula} does not depend on {wrt}")
        out[name] = (_parsed(str(formula), allowed), list(uses))
    return out


def _in_input(e: Any, defs: Mapping[str, tuple[Any, list[str]]], symbols: Mapping[str, Any]) -> Any:
    """``e`` with every intermediate replaced by its formula, down to the input alone."""
    for name in reversed(list(defs)):
        if e.has(symbols[name]):  # subs of a symbol e lacks returns e itself: skip its cost
            e = _substituted(e, symbols[name], defs[name][0])
    return e


# Node types whose subs(symbol, formula) does nothing but rebuild them from substituted arguments:
# their _eval_subs returns None for a plain Symbol, except Pow's for base == symbol, which returns
# formula**exponent, the same Pow a rebuild makes (see _plain_type).
_REBUILT_BY_SUBS = frozenset({"Add._eval_subs", "Mul._eval_subs", "Pow._eval_subs", "exp._eval_subs",
                              "Application._eval_subs", "Symbol._eval_subs", "Number._eval_subs"})


def _substituted(e: Any, symbol: Any, formula: Any) -> Any:
    """``e.subs(symbol, formula)``, by xreplace (half the cost: no per-node cache lookups and
    comparisons) when every node of both is of a type for which the two are the same operation
    and ``formula`` lacks ``symbol`` (so a rebuilt argument differs exactly when it held the symbol)."""
    from sympy import preorder_traversal

    types = {type(n) for t in (e, formula) for n in preorder_traversal(t)}
    if (all(_plain_type(t) for t in types) and not formula.has(symbol)
            and not (formula.is_Function and callable(formula))):  # Pow would call a callable formula
        return e.xreplace({symbol: formula})
    return e.subs(symbol, formula)


@cache
def _plain_type(cls: type) -> bool:
    """Whether subs on ``cls`` rebuilds as xreplace does, and ``x**n`` on it is Pow(x, n) (no own
    __pow__, and no operator priority that would hand ``**`` to the exponent)."""
    from sympy import Expr

    return (cls._eval_subs.__qualname__ in _REBUILT_BY_SUBS and cls.__pow__ is Expr.__pow__
            and cls._pow is Expr._pow and cls._op_priority == Expr._op_priority)


def _local(formula: str, allowed: tuple[str, ...], p: str) -> tuple[Any, str]:
    """∂formula/∂p with common factors pulled out, and its text."""
    def compute() -> tuple[tuple[Any, str], bool]:
        import sympy

        local, done = _simplify(sympy.diff(_sym_of(formula, list(allowed)), sympy.Symbol(p, real=True)), False)
        return (local, _exact_text(local)), done

    return _LOCALS.get((formula, allowed, p), compute)


def _slipped(formula: str, allowed: tuple[str, ...], p: str, symbols: Mapping[str, Any]) -> tuple[Any, str]:
    """∂formula/∂p as ``forget="factor"`` writes it (the constant inside a function forgotten)."""
    def compute() -> tuple[tuple[Any, str], bool]:
        shape = _as_written(formula, symbols)  # (4u)² kept as written, not 16u²
        slip, done = _simplify(_without_inner_factor(_local(formula, allowed, p)[0], shape, symbols[p]), False)
        return (slip, _exact_text(slip)), done

    # _as_written reads the text with every name of the graph: they are part of the key
    return _LOCALS.get((formula, allowed, p, tuple(symbols)), compute)


def _total(terms: Any, table: Mapping[str, tuple[Any, list[str]]], symbols: Mapping[str, Any],
           defs: Mapping[str, str], wrt: str) -> tuple[Any, str]:
    """The chain-rule sum ``terms`` in ``wrt`` alone, common factors pulled out, and its text.

    ``terms`` uses only ``wrt`` and names defined before the one it differentiates (later
    definitions are never substituted), so those definitions' text and ``wrt`` complete the key.
    """
    def compute() -> tuple[tuple[Any, str], bool]:
        total, done = _simplify(_in_input(terms, table, symbols), False)
        return (total, _exact_text(total)), done

    names = {s.name for s in terms.free_symbols}
    last = max((i for i, n in enumerate(defs) if n in names), default=-1)
    earlier = tuple((n, str(f)) for n, f in list(defs.items())[:last + 1])
    return _TOTALS.get((terms, wrt, earlier), compute)


@solver("chain_rule_symbolic")
def chain_rule_symbolic(defs: Mapping[str, str], wrt: str = "u", forget: str | None = None,
                        drop: str | None = None, overrides: Mapping[str, Any] | None = None) -> Solution:
    """The chain rule on named intermediates (x = sin(2u), y = u², z = x·y) -> every local derivative
    ``d{h}_d{p}`` (a formula in h's own inputs) and ``d{out}_d{wrt}`` (in ``wrt`` alone), the last
    definition being the output; steps ``d{h}_d{wrt}`` hold the chained derivative of each
    intermediate that is more than one link from ``wrt``.

    Slips for the checker: ``forget="all"`` treats every dh/d``wrt`` of an intermediate as 1 (the
    inner derivatives forgotten); ``forget="innermost"`` drops only the link next to ``wrt``;
    ``drop=name`` leaves out the path through input ``name`` of the output (one path missing, or
    for a product the product rule applied to one factor only); ``forget="factor"`` forgets the
    constant inside a function of ``wrt`` (d sin(3u)/du as cos(3u)).
    """
    import sympy

    from solvers.expr import parse, variables

    if forget is not None and forget not in FORGET_CHOICES:
        raise ValueError(f"forget must be one of {', '.join(FORGET_CHOICES)}, got {forget!r}")
    table = _definitions(defs, wrt)
    symbols = {n: sympy.Symbol(n, real=True) for n in [wrt, *table]}
    out_name = list(table)[-1]
    if drop is not None and drop not in table[out_name][1]:
        raise ValueError(f"drop: {out_name} does not use {drop}")
    rec = Recorder(overrides)
    total: dict[str, Any] = {wrt: sympy.Integer(1)}
    answer: dict[str, str] = {}
    forgot_factor = False
    for name, (_, uses) in table.items():
        allowed = (wrt, *list(table)[:list(table).index(name)])
        terms = []
        for p in uses:
            key = f"d{name}_d{p}"
            local, local_text = _local(str(defs[name]), allowed, p)
            if forget == "factor" and p == wrt:
                slipped, local_text = _slipped(str(defs[name]), allowed, p, symbols)
                forgot_factor |= slipped != local
                local = slipped
            written = rec.note(key, f"∂{name}/∂{p}, the local derivative, in terms of {', '.join(uses)}", local_text)
            answer[key] = written
            if written != local_text:  # the student's own derivative: carried forward
                written_uses = variables(parse(written, variables=[*uses, wrt]))
                local = _sym_of(written, written_uses) if written_uses else _sym_of(written, uses)
            if name == out_name and p == drop:
                continue
            terms.append(local * _chained(p, total, table, wrt, forget))
        total[name], total_text = _total(sum(terms, sympy.Integer(0)), table, symbols, defs, wrt)
        if uses != [wrt]:
            key = f"d{name}_d{wrt}"
            how = " + ".join(f"∂{name}/∂{p}·d{p}/d{wrt}" if p != wrt else f"∂{name}/∂{p}" for p in uses)
            answer[key] = rec.note(key, f"d{name}/d{wrt} = {how}, in terms of {wrt}", total_text)
    if forget == "factor" and not forgot_factor:
        raise ValueError("no function of a multiple of the variable: no inner factor to forget")
    return rec.solution(**answer)


def _as_written(text: str, symbols: Mapping[str, Any]) -> Any:
    """The formula's outermost structure as written (SymPy would turn (4u)² into 16u²)."""
    import sympy

    try:
        return sympy.parse_expr(text.replace("^", "**"), local_dict=dict(symbols), evaluate=False)
    except (SyntaxError, TypeError, ValueError):  # a function our grammar knows and SymPy does not
        return sympy.Integer(0)


def _without_inner_factor(local: Any, formula: Any, var: Any) -> Any:
    """The slip of forgetting the constant inside a function: d sin(3u)/du written as cos(3u) (the
    derivative unchanged where there is no such factor)."""
    import sympy

    args = getattr(formula, "args", ())
    if isinstance(formula, sympy.Function) and len(args) == 1:
        inner = args[0]
    elif isinstance(formula, sympy.Pow) and args[1].is_number:
        inner = args[0]  # (a·u)ⁿ
    else:
        return local  # no function of a multiple of the variable here
    factor = sympy.diff(inner, var)
    if not factor.is_number or factor == 1 or factor == 0:
        return local
    return local / factor


def _chained(p: str, total: Mapping[str, Any], table: Mapping[str, tuple[Any, list[str]]], wrt: str,
             forget: str | None) -> Any:
    """dp/d``wrt`` as the chain rule uses it (or 1 where a slip forgets it)."""
    if p == wrt or forget == "all" or (forget == "innermost" and table[p][1] == [wrt]):
        return 1
    return total[p]
