"""Small safe expressions over template parameters: derived values and constraint conditions.

Templates say things like ``high: n - 1``, ``expr: round(w0 * x0 + b, 2)`` or
``abs(s[label] - max(s)) > 0.5``. The text is parsed once with :mod:`ast` when the template is
loaded, and every node is checked against a short whitelist (arithmetic, comparisons,
``and``/``or``/``not``, ``a if c else b``, indexing, list literals and calls of the functions in
:data:`FUNCTIONS`); attribute access, comprehensions, lambdas and any name that is not a parameter
are refused then. Evaluating walks the checked tree with a small interpreter: a template folder is
user text, so it never reaches Python's own ``eval``. Vectors are NumPy arrays, so arithmetic and
comparisons work entry by entry, exactly as Python would evaluate the same text.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np


def _min(*args: Any) -> Any:
    return np.min(args[0]) if len(args) == 1 else min(args)


def _max(*args: Any) -> Any:
    return np.max(args[0]) if len(args) == 1 else max(args)


def _pow(base: Any, exp: Any) -> Any:
    # A template is data; "9**9**9" must not hang the sampler.
    if np.any(np.abs(np.asarray(exp, dtype=float)) > 64):
        raise ValueError("exponent larger than 64 in an expression")
    return np.power(base, exp) if isinstance(base, np.ndarray) or isinstance(exp, np.ndarray) else base**exp


MAX_REPEAT = 10_000  # entries a repeated list or text may have ("[1] * n")


def _mul(a: Any, b: Any) -> Any:
    # "[1] * 1000000000" would build a billion-entry list before anything could stop it.
    for seq, times in ((a, b), (b, a)):
        if isinstance(seq, (list, tuple, str)) and isinstance(times, int) and len(seq) * times > MAX_REPEAT:
            raise ValueError(f"repeating a list or text {times:,} times gives more than {MAX_REPEAT:,} entries")
    return operator.mul(a, b)


def _count_distinct(x: Any) -> int:
    return int(np.unique(np.asarray(x)).size)


def _sigmoid(x: Any) -> Any:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def _text(x: Any) -> str:
    from question_bank.render import value_text  # display text, as the prompt would show it

    return value_text(x)


def _array(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=float)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "abs": np.abs,
    "min": _min,
    "max": _max,
    "sum": np.sum,
    "len": len,
    "round": np.round,
    "sqrt": np.sqrt,
    "exp": np.exp,
    "log": np.log,
    "sign": np.sign,
    "sigmoid": _sigmoid,
    "tanh": np.tanh,
    "argmax": lambda x: int(np.argmax(x)),
    "argmin": lambda x: int(np.argmin(x)),
    "all": lambda x: bool(np.all(x)),
    "any": lambda x: bool(np.any(x)),
    "int": int,
    "float": float,
    "dot": np.dot,
    "norm": lambda x: float(np.linalg.norm(x)),
    "distinct": _count_distinct,
    "sort": np.sort,
    "mean": np.mean,
    "array": _array,
    "zeros": np.zeros,
    "ones": np.ones,
    "floor": np.floor,
    "ceil": np.ceil,
    "join": lambda words: " ".join(_text(w) for w in words),
    "str": lambda x: _text(x),
}
CONSTANTS: dict[str, Any] = {"pi": math.pi, "e": math.e, "True": True, "False": False}

# Python's own operators, so the interpreter means what the text means to a Python reader.
_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: _mul,
    ast.Div: operator.truediv,
    ast.Mod: operator.mod,
    ast.FloorDiv: operator.floordiv,
    ast.Pow: _pow,
}
_UNARY: dict[type, Callable[[Any], Any]] = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Not: operator.not_}
_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
_STRUCTURE = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.BoolOp,
    ast.Compare,
    ast.Call,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.Subscript,
    ast.List,
    ast.Tuple,
    ast.IfExp,
    ast.Slice,
    ast.And,
    ast.Or,
)
_ALLOWED = _STRUCTURE + tuple(_BINARY) + tuple(_UNARY) + tuple(_COMPARE)
# Deeper trees than any sensible template would be refused at load time, before they could
# exhaust the interpreter's recursion.
MAX_DEPTH = 100


@dataclass(frozen=True)
class Expr:
    """A checked expression (its parsed tree, kept from load time) and the parameter names it reads."""

    text: str
    names: frozenset[str]
    tree: ast.expr = field(compare=False, repr=False)

    def __call__(self, env: Mapping[str, Any]) -> Any:
        scope = {k: _value(env[k]) for k in self.names if k in env}
        try:
            return _eval(self.tree, scope)
        except Exception as exc:  # every failure of a template expression reads the same way
            raise ValueError(f"expression {self.text!r} failed: {exc or type(exc).__name__}") from None


def _value(v: Any) -> Any:
    # Lists of numbers behave as vectors, so "w * x" is elementwise as a student reads it.
    if isinstance(v, list) and v and not any(isinstance(e, str) for e in _flat(v)):
        return np.asarray(v, dtype=float)
    return v


def _flat(v: Any) -> Iterable[Any]:
    if isinstance(v, (list, tuple)):
        for e in v:
            yield from _flat(e)
    else:
        yield v


# -- the interpreter: one small function per whitelisted node type --------------------------


def _eval(node: ast.expr, scope: dict[str, Any]) -> Any:
    return _NODES[type(node)](node, scope)


def _name(node: ast.Name, scope: dict[str, Any]) -> Any:
    if node.id in CONSTANTS:  # constants win over parameters of the same name, as before
        return CONSTANTS[node.id]
    try:
        return scope[node.id]
    except KeyError:
        raise NameError(f"parameter {node.id!r} has no value") from None


def _bool_op(node: ast.BoolOp, scope: dict[str, Any]) -> Any:
    # Python's short circuit: the first falsy (and) or truthy (or) operand, else the last one.
    is_and = isinstance(node.op, ast.And)
    for operand in node.values[:-1]:
        value = _eval(operand, scope)
        if bool(value) != is_and:
            return value
    return _eval(node.values[-1], scope)


def _compare(node: ast.Compare, scope: dict[str, Any]) -> Any:
    # "a < b < c" is "a < b and b < c" with b evaluated once, as in Python.
    # Only a link before the last is tested for truth, so "w > 0" stays an array of booleans.
    left = _eval(node.left, scope)
    last = len(node.ops) - 1
    for i, (op, right_node) in enumerate(zip(node.ops, node.comparators)):
        right = _eval(right_node, scope)
        result = _COMPARE[type(op)](left, right)
        if i == last or not result:
            return result
        left = right
    raise AssertionError("unreachable: a comparison has at least one operator")


def _if_exp(node: ast.IfExp, scope: dict[str, Any]) -> Any:
    return _eval(node.body if _eval(node.test, scope) else node.orelse, scope)


def _call(node: ast.Call, scope: dict[str, Any]) -> Any:
    return FUNCTIONS[node.func.id](*[_eval(a, scope) for a in node.args])  # type: ignore[attr-defined]


def _slice(node: ast.Slice, scope: dict[str, Any]) -> slice:
    parts = (node.lower, node.upper, node.step)
    return slice(*[None if p is None else _eval(p, scope) for p in parts])


_NODES: dict[type, Callable[[Any, dict[str, Any]], Any]] = {
    ast.Constant: lambda n, s: n.value,
    ast.Name: _name,
    ast.BinOp: lambda n, s: _BINARY[type(n.op)](_eval(n.left, s), _eval(n.right, s)),
    ast.UnaryOp: lambda n, s: _UNARY[type(n.op)](_eval(n.operand, s)),
    ast.BoolOp: _bool_op,
    ast.Compare: _compare,
    ast.IfExp: _if_exp,
    ast.Call: _call,
    ast.Subscript: lambda n, s: _eval(n.value, s)[_eval(n.slice, s)],
    ast.Slice: _slice,
    ast.List: lambda n, s: [_eval(e, s) for e in n.elts],
    ast.Tuple: lambda n, s: tuple(_eval(e, s) for e in n.elts),
}


# -- checking, once at load time ------------------------------------------------------------


def compile_expr(text: Any, variables: Iterable[str]) -> Expr:
    """Parse and check ``text``; a ValueError says what is not allowed or which name is unknown."""
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise ValueError(f"expected an expression (text), got {type(text).__name__}")
    source = str(text).strip()
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"cannot parse expression {source!r}: {exc.msg}") from None
    except (RecursionError, MemoryError):
        raise ValueError(f"cannot parse expression {source!r}: nested too deeply") from None
    names = _check(tree, source, set(variables))
    return Expr(source, frozenset(names), tree.body)


def _check(tree: ast.Expression, source: str, variables: set[str]) -> set[str]:
    """The parameter names ``tree`` reads, after checking every node against the whitelist."""
    callees = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    names: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise ValueError(f"expression {source!r}: {type(node).__name__} is not allowed")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords:
                raise ValueError(f"expression {source!r}: only calls of {', '.join(FUNCTIONS)}")
        elif isinstance(node, ast.Name) and node.id in FUNCTIONS:
            if id(node) not in callees:  # a function is only ever called, never passed around
                raise ValueError(f"expression {source!r}: {node.id!r} is a function; call it, as in {node.id}(...)")
        elif isinstance(node, ast.Name) and node.id not in CONSTANTS:
            if node.id not in variables:
                raise ValueError(f"expression {source!r}: unknown name {node.id!r}")
            names.add(node.id)
        elif isinstance(node, ast.Constant) and not isinstance(node.value, (int, float, str, bool)):
            raise ValueError(f"expression {source!r}: constant {node.value!r} is not allowed")
    if _depth(tree) > MAX_DEPTH:
        raise ValueError(f"expression {source!r}: nested more than {MAX_DEPTH} levels deep")
    return names


def _depth(node: ast.AST) -> int:
    # Iterative, so that measuring a pathological tree cannot itself overflow the stack.
    deepest, stack = 0, [(node, 1)]
    while stack:
        current, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in ast.iter_child_nodes(current))
    return deepest
