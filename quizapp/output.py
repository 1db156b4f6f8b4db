"""Printing for the command line: JSON for scripts, tables for people.

Colour and Rich's box-drawn tables only when the stream is a terminal; otherwise plain, aligned
text, so output piped into a file or another program stays clean. Rich is imported only when a
terminal needs it, which keeps scripted commands fast.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from typing import IO, Any

from solvers import display
from solvers.steps import to_jsonable

Cell = Any
MARKS = {True: ("✓", "green"), False: ("✗", "red")}


def is_terminal(stream: IO[str] | None = None) -> bool:
    stream = sys.stdout if stream is None else stream
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def dumps(data: Any, ascii_only: bool = False) -> str:
    """One line of JSON with NumPy values made plain (the stable ``--json`` format).

    ``ascii_only`` escapes every non-ASCII character (``\\u2202``): still the same JSON, and
    writable in any output encoding.
    """
    return json.dumps(to_jsonable(data), ensure_ascii=ascii_only, allow_nan=False)


def unicode_stream(stream: IO[str]) -> bool:
    """Whether ``stream`` can write any character (a UTF encoding, or an in-memory text buffer)."""
    encoding = getattr(stream, "encoding", None)
    return encoding is None or encoding.lower().replace("_", "-").startswith("utf")


def print_json(data: Any, stream: IO[str] | None = None) -> None:
    stream = sys.stdout if stream is None else stream
    print(dumps(data, ascii_only=not unicode_stream(stream)), file=stream, flush=True)


class Styled(str):
    """Text that already holds Rich markup (table cells are escaped unless they are Styled)."""


def text(value: Any) -> str:
    """A cell as text: numbers, vectors and matrices as a person writes them."""
    if isinstance(value, Styled):
        return value
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return display.render(display.value(value, 6), "plain")


def mark(ok: bool, stream: IO[str] | None = None) -> str:
    """A check mark or a cross, coloured on a terminal; words otherwise."""
    if not is_terminal(stream):
        return "right" if ok else "wrong"
    symbol, colour = MARKS[ok]
    return Styled(f"[{colour}]{symbol}[/{colour}]")


def table(columns: Sequence[str], rows: Sequence[Sequence[Cell]], title: str = "",
          stream: IO[str] | None = None) -> None:
    """A Rich table on a terminal; aligned plain text otherwise (cells may hold Rich markup on a terminal)."""
    stream = sys.stdout if stream is None else stream
    cells = [[text(c) for c in row] for row in rows]  # text() keeps Styled cells as they are
    if is_terminal(stream):
        _rich_table(columns, cells, title, stream)
    else:
        _plain_table(columns, cells, title, stream)


def _rich_table(columns: Sequence[str], rows: list[list[str]], title: str, stream: IO[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title=title or None, title_justify="left", header_style="bold")
    for c in columns:
        t.add_column(c)
    for row in rows:
        t.add_row(*(c if isinstance(c, Styled) else escape(c) for c in row))
    Console(file=stream).print(t)


def _plain_table(columns: Sequence[str], rows: list[list[str]], title: str, stream: IO[str]) -> None:
    if title:
        print(title, file=stream)
    lines = [list(columns), *rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(columns))]
    for line in lines:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip(), file=stream)


def say(message: str = "", stream: IO[str] | None = None) -> None:
    """A line of text; Rich markup is rendered on a terminal and stripped otherwise."""
    stream = sys.stdout if stream is None else stream
    if is_terminal(stream):
        from rich.console import Console

        Console(file=stream, highlight=False).print(message)
    else:
        print(plain(message), file=stream)


def plain(message: str) -> str:
    """``message`` without Rich markup tags such as ``[bold]`` (escaped ``\\[`` kept as ``[``)."""
    stripped = re.sub(r"(?<!\\)\[/?[a-z][a-z0-9 _#.-]*\]", "", message)
    return stripped.replace("\\[", "[")


def escape(value: str) -> str:
    """Text that must not be read as Rich markup (answers with brackets, formulas)."""
    return value.replace("[", "\\[")
