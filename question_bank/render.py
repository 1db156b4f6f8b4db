"""Prompt text with its placeholders filled: numbers as a person writes them, matrices row by row.

Placeholder syntax: ``{name}``, ``{name[i]}`` / ``{name[i][j]}`` for an entry, ``{name:.3f}`` with a
format spec for a number, and ``{{`` / ``}}`` for literal braces. A brace that does not start a
placeholder (``Σ_{j≠y}``) is kept as it is. Every placeholder must be filled, or rendering fails
with a ValueError naming it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np

_TOKEN = re.compile(r"\{\{|\}\}|\{([A-Za-z_]\w*)((?:\[-?\d+\])*)(?::([^{}]*))?\}")
_INDEX = re.compile(r"\[(-?\d+)\]")


def number(x: Any) -> str:
    """A number the way it is written by hand: ``3``, ``-0.5``, ``0.001``, ``1e-8``."""
    if isinstance(x, (bool, np.bool_)):
        return "true" if x else "false"
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    x = float(x)
    if x == 0:
        return "0"
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    text = f"{x:.10g}"
    if "e" in text:
        mantissa, exp = text.split("e")
        text = f"{mantissa}e{int(exp)}"
    return text


def _is_matrix(value: Any) -> bool:
    return (
        isinstance(value, (list, tuple, np.ndarray))
        and len(value) > 0
        and all(isinstance(row, (list, tuple, np.ndarray)) for row in value)
    )


def _scalar_text(v: Any) -> str:
    return v if isinstance(v, str) else number(v)


def matrix(rows: Any) -> str:
    """Rows on their own lines, columns right-aligned: ``[ 1, -2 ]`` over ``[ 3,  4 ]``."""
    cells = [[_scalar_text(v) for v in row] for row in rows]
    ncols = max(len(r) for r in cells)
    widths = [max((len(r[j]) for r in cells if j < len(r)), default=0) for j in range(ncols)]
    lines = ["[ " + ", ".join(c.rjust(widths[j]) for j, c in enumerate(r)) + " ]" for r in cells]
    return "\n".join(lines)


def value_text(value: Any) -> str:
    """Any parameter or answer value as display text (a matrix spans several lines)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {value_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return number(value[()])
    if isinstance(value, (list, tuple, np.ndarray)):
        if _is_matrix(value):
            return matrix(value)
        return "[" + ", ".join(_scalar_text(v) if not isinstance(v, dict) else value_text(v) for v in value) + "]"
    return number(value)


def placeholders(text: str) -> list[str]:
    """The names the placeholders of ``text`` refer to, in order."""
    return [m.group(1) for m in _TOKEN.finditer(text) if m.group(1) is not None]


def _lookup(name: str, index: str, spec: str | None, values: Mapping[str, Any]) -> str:
    if name not in values:
        raise ValueError(f"placeholder {{{name}}} has no value")
    value = values[name]
    for i in _INDEX.findall(index):
        try:
            value = value[int(i)]
        except (IndexError, TypeError, KeyError):
            raise ValueError(f"placeholder {{{name}{index}}}: no entry [{i}]") from None
    if spec:
        try:
            return format(float(value), spec)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"placeholder {{{name}:{spec}}}: {exc}") from None
    return value_text(value)


_OPERATORS = set("+-−·*/×^")
_POWERS = set("²³^")


def _in_formula(before: list[str], after: str) -> bool:
    """Whether a negative number here sits between operators (``0.9·-3``, ``-8²``) and needs brackets."""
    tail = "".join(before[-2:]).rstrip()
    return (bool(tail) and tail[-1] in _OPERATORS) or (bool(after) and after in _POWERS)


def fill(text: str, values: Mapping[str, Any]) -> str:
    """``text`` with every placeholder replaced; a multi-line value is indented under its column.

    A negative number written between operators is bracketed: ``{a}·{x}`` with x = -3 reads
    ``0.5·(-3)`` and ``{x}²`` reads ``(-3)²``, never ``-3²``.
    """
    out: list[str] = []
    pos = 0
    for m in _TOKEN.finditer(text):
        out.append(text[pos : m.start()])
        pos = m.end()
        tok = m.group(0)
        if tok in ("{{", "}}"):
            out.append(tok[0])
            continue
        rendered = _lookup(m.group(1), m.group(2), m.group(3), values)
        if rendered.startswith("-") and _in_formula(out, text[pos : pos + 1]):
            rendered = f"({rendered})"
        if "\n" in rendered:
            done = "".join(out)
            column = len(done) - (done.rfind("\n") + 1)
            rendered = rendered.replace("\n", "\n" + " " * column)
        out.append(rendered)
    out.append(text[pos:])
    return "".join(out)
