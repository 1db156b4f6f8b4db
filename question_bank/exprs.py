"""Small safe expressions over template parameters: derived values and constraint conditions.

Templates say things like ``high: n - 1``, ``expr: round(w0 * x0 + b, 2)`` or
``abs(s[label] - max(s)) > 0.5``. The text is parsed with :mod:`ast` and every node is checked
against a short whitelist (arithmetic, comparisons, ``and``/``or``/``not``, ``a if c else b``,
indexing, list literals and the functions in :data:`FUNCTIONS`) before it is compiled once;
attribute access, comprehensions, lambdas and any name that is not a parameter are refused at
load time. Vectors are NumPy arrays, so arithmetic and comparisons work entry by entry.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
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
    "_pow": _pow,
}
CONSTANTS: dict[str, Any] = {"pi": math.pi, "e": math.e, "True": True, "False": False}

_ALLOWED = (
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
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.Mod,
    ast.FloorDiv,
    ast.Pow,
    ast.USub,
    ast.UAdd,
    ast.Not,
    ast.And,
    ast.Or,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.Eq,
    ast.NotEq,
    ast.In,
    ast.NotIn,
)


@dataclass(frozen=True)
class Expr:
    """A checked, compiled expression and the parameter names it reads."""

    text: str
    names: frozenset[str]
    code: Any

    def __call__(self, env: Mapping[str, Any]) -> Any:
        scope = {"__builtins__": {}, **FUNCTIONS, **CONSTANTS}
        scope.update({k: _value(v) for k, v in env.items() if k in self.names})
        try:
            return eval(self.code, scope)  # noqa: S307 - the AST was checked against a whitelist
        except Exception as exc:  # every failure of a template expression reads the same way
            raise ValueError(f"expression {self.text!r} failed: {exc}") from None


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


class _PowToCall(ast.NodeTransformer):
    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.Pow):
            call = ast.Call(func=ast.Name("_pow", ast.Load()), args=[node.left, node.right], keywords=[])
            return ast.copy_location(call, node)
        return node


def compile_expr(text: Any, variables: Iterable[str]) -> Expr:
    """Check and compile ``text``; a ValueError says what is not allowed or which name is unknown."""
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise ValueError(f"expected an expression (text), got {type(text).__name__}")
    source = str(text).strip()
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"cannot parse expression {source!r}: {exc.msg}") from None
    variables = set(variables)
    names: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise ValueError(f"expression {source!r}: {type(node).__name__} is not allowed")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords:
                raise ValueError(f"expression {source!r}: only calls of {', '.join(sorted(_public()))}")
        elif isinstance(node, ast.Name) and node.id not in FUNCTIONS and node.id not in CONSTANTS:
            if node.id not in variables:
                raise ValueError(f"expression {source!r}: unknown name {node.id!r}")
            names.add(node.id)
        elif isinstance(node, ast.Constant) and not isinstance(node.value, (int, float, str, bool)):
            raise ValueError(f"expression {source!r}: constant {node.value!r} is not allowed")
    tree = ast.fix_missing_locations(_PowToCall().visit(tree))
    return Expr(source, frozenset(names), compile(tree, "<template expression>", "eval"))


def _public() -> list[str]:
    return [name for name in FUNCTIONS if not name.startswith("_")]
