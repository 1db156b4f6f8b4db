"""What a student types, read as an answer: a number, vector, matrix, integer, choice or formula.

Everything goes through :mod:`solvers.expr` (a tokenizer and a parser; nothing is evaluated as
code), so any number may be written as an expression: ``1/3``, ``e^-2``, ``sqrt(2)/2``, ``ln 2``.
A bad answer raises :class:`AnswerError` (a ValueError) whose ``str()`` shows a caret under the
offending character.

Vectors: ``[1, 2, 3]``, ``(1, 2, 3)``, ``1, 2, 3``, ``(1; 2; 3)`` or ``1 2 3``. Entries are separated
by commas, or by semicolons, or (when neither is used) by spaces. With spaces, a sign that has a
space before it and none after it starts a new entry, as in MATLAB: ``1 -2`` is two entries, while
``1 - 2`` and ``1-2`` are one entry, -1. Spaces inside parentheses never separate: ``max(1, 2) 3``.

Matrices: rows are separated by ``;`` or line breaks, or each row is bracketed; entries as in a
vector: ``1 2; 3 4``, ``[1, 2; 3, 4]``, ``[[1, 2], [3, 4]]``. Ragged rows are an error.
"""

from __future__ import annotations

import math
import random
import re
import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from solvers.expr import (
    MAX_LENGTH,
    Binary,
    ExprError,
    Node,
    Parser,
    Token,
    children,
    evaluate,
    parse,
    to_sympy,
    to_text,
    tokenize,
    variables,
)

__all__ = [
    "AnswerError", "Undecided", "equivalent", "parse_answer", "parse_choice", "parse_expression", "parse_integer",
    "parse_matrix", "parse_number", "parse_vector",
]

_CLOSERS = {"[": "]", "(": ")"}
_STARTS_ENTRY = ("num", "name", "(", "-", "+")
_ENDS_ENTRY = ("num", "name", ")", "]", "sup")


class AnswerError(ExprError):
    """An answer that cannot be read; ``position`` and ``text`` as in :class:`ExprError`."""


def _require_text(text: Any) -> str:
    if not isinstance(text, str):
        raise AnswerError(f"the answer must be text, got {type(text).__name__}")
    if not text.strip():
        raise AnswerError("empty answer")
    return text


@contextmanager
def _answer_errors(text: str) -> Iterator[None]:
    """Report parser and evaluation errors as AnswerErrors shown against the whole answer."""
    try:
        yield
    except AnswerError:
        raise
    except ExprError as exc:
        raise AnswerError(exc.message, exc.position, text) from None


# ----- numbers ---------------------------------------------------------------------------------


def parse_number(text: str, allow_percent: bool = False) -> float:
    """One number, written in any way the expression grammar allows; ``25%`` = 0.25 when allowed."""
    _require_text(text)
    body = text.rstrip()
    percent = body.endswith("%")
    if percent:
        if not allow_percent:
            raise AnswerError("a percentage is not accepted here: write 25% as 0.25", len(body) - 1, text)
        body = body[:-1]
        if not body.strip():
            raise AnswerError("a percentage needs a number before '%'", len(body), text)
    with _answer_errors(text):
        value = evaluate(parse(body, variables=()))
    return value / 100.0 if percent else value


def parse_integer(text: str) -> int:
    """A whole number (``3``, ``-2``, ``4.0`` and ``2^3`` are fine; ``2.5`` is not)."""
    value = parse_number(text)
    if not value.is_integer():
        raise AnswerError(f"expected a whole number, got {value:g}", None, text)
    if abs(value) > 2**53:
        raise AnswerError("the number is too large to be a whole-number answer", None, text)
    return int(value)


# ----- vectors and matrices --------------------------------------------------------------------


def parse_vector(text: str, length: int | None = None) -> np.ndarray:
    """A vector as float64; ``length`` is the number of entries expected, if any."""
    _require_text(text)
    with _answer_errors(text):
        p = Parser(text, variables=())
        close = _open_outer(p, always=True)
        seps = _separators(p, stop_at_semicolon=False)
        if "," in seps and ";" in seps:
            raise p.error("mixed ',' and ';': a vector's entries are separated by one of them", seps[";"])
        sep = "," if "," in seps else ";" if ";" in seps else None
        nodes = _entries(p, sep)
        _close(p, close)
        values = np.array([evaluate(n) for n in nodes], dtype=np.float64)
    if length is not None and values.size != length:
        raise AnswerError(f"expected {_count(length, 'entry')}, got {values.size}", None, text)
    return values


def parse_matrix(text: str, shape: tuple[int, int] | None = None) -> np.ndarray:
    """A matrix as a 2-d float64 array; ``shape`` (rows, columns) is what is expected, if any."""
    _require_text(text)
    with _answer_errors(text):
        p = Parser(text, tokens=_rows_by_newline(tokenize(text)), variables=())
        close = _open_outer(p)
        rows = _bracketed_rows(p) if p.peek().kind == "[" else _plain_rows(p)
        _close(p, close)
        width = len(rows[0][1])
        for number, (pos, row) in enumerate(rows[1:], start=2):
            if len(row) != width:
                raise p.error(f"row {number} has {_count(len(row), 'entry')} but row 1 has {width}: "
                              "every row needs the same number of entries", pos)
        matrix = np.array([[evaluate(n) for n in row] for _, row in rows], dtype=np.float64)
    if shape is not None and matrix.shape != tuple(shape):
        r, c = shape
        hint = " (separate rows with ';')" if matrix.shape[0] == 1 and matrix.size == r * c else ""
        raise AnswerError(f"expected a {r}×{c} matrix, got {matrix.shape[0]}×{matrix.shape[1]}{hint}",
                          None, text)
    return matrix


def _open_outer(p: Parser, always: bool = False) -> str:
    """Consume an opening bracket that encloses the whole answer; return what must close it.

    ``always``: consume a leading '[' even when its match is not last (a vector cannot start
    with anything else), so that ``[1, 2]]`` is reported as an unmatched ']'.
    """
    tok = p.peek()
    if tok.kind not in _CLOSERS:
        return "end"
    depth = 0
    for j in range(p.index, len(p.tokens)):
        kind = p.tokens[j].kind
        depth += kind in _CLOSERS
        depth -= kind in (")", "]")
        if depth == 0:
            if p.tokens[j + 1].kind != "end" and not (always and tok.kind == "["):
                return "end"  # e.g. "(1+2)*3": a group, not a bracket around the answer
            p.advance()
            return _CLOSERS[tok.kind]
    raise p.error(f"'{tok.text}' is never closed", tok.pos)


def _separators(p: Parser, stop_at_semicolon: bool) -> dict[str, int]:
    """The first position of each of ',' and ';' outside parentheses, up to the list's end."""
    found: dict[str, int] = {}
    depth = 0
    for tok in p.tokens[p.index :]:
        if tok.kind == "end":
            break
        if tok.kind in _CLOSERS:
            depth += 1
        elif tok.kind in (")", "]"):
            depth -= 1
            if depth < 0:
                break
        elif depth == 0 and tok.kind in (",", ";"):
            found.setdefault(tok.kind, tok.pos)
            if stop_at_semicolon and tok.kind == ";":
                break
    return found


def _entries(p: Parser, sep: str | None) -> list[Node]:
    """Entries separated by ``sep``, or by spaces when ``sep`` is None."""
    entries = [p.expression(separate=sep is None)]
    while True:
        tok = p.peek()
        if sep is not None and tok.kind == sep:
            p.advance()
            entries.append(p.expression())
        elif tok.kind in _STARTS_ENTRY:
            if sep is not None:
                raise p.error(f"expected '{sep}' between entries", tok.pos)
            entries.append(p.expression(separate=True))
        else:
            return entries


def _close(p: Parser, close: str) -> None:
    if close != "end":
        p.expect(close, f"expected '{close}' here")
    p.finish()


def _plain_rows(p: Parser) -> list[tuple[int, list[Node]]]:
    rows = []
    while True:
        start = p.peek().pos
        seps = _separators(p, stop_at_semicolon=True)
        rows.append((start, _entries(p, "," if "," in seps else None)))
        if p.peek().kind != ";":
            return rows
        p.advance()


def _bracketed_rows(p: Parser) -> list[tuple[int, list[Node]]]:
    rows = []
    while True:
        opening = p.expect("[", "expected '[' to start the next row")
        seps = _separators(p, stop_at_semicolon=False)
        if ";" in seps:
            raise p.error("';' inside a bracketed row: separate its entries with ',' or spaces", seps[";"])
        rows.append((opening.pos, _entries(p, "," if "," in seps else None)))
        p.expect("]", "expected ']' to close the row")
        if p.peek().kind in (",", ";"):
            p.advance()
        elif p.peek().kind in _STARTS_ENTRY:
            raise p.error("expected '[' to start the next row", p.peek().pos)
        elif p.peek().kind != "[":
            return rows


def _rows_by_newline(tokens: list[Token]) -> list[Token]:
    """A line break between two entries at the top level ends a matrix row, as ';' does."""
    out: list[Token] = []
    parens = brackets = 0
    for tok in tokens:
        if (tok.newline_before and out and parens == 0 and brackets <= 1
                and out[-1].kind in _ENDS_ENTRY and tok.kind in _STARTS_ENTRY + ("[",)):
            out.append(Token(";", ";", tok.pos))
        parens += (tok.kind == "(") - (tok.kind == ")")
        brackets += (tok.kind == "[") - (tok.kind == "]")
        out.append(tok)
    return out


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word[:-1]}ies" if word.endswith("y") else f"{n} {word}s"


# ----- choices and expressions -----------------------------------------------------------------


def parse_choice(text: str, options: Sequence[str]) -> str:
    """The option chosen, by its letter (``b``, ``B``, ``(b)``, ``b)``) or by its text (any case)."""
    options = list(options)
    if not options:
        raise ValueError("parse_choice: no options given")
    _require_text(text)
    if len(text) > MAX_LENGTH:
        raise AnswerError(f"the answer is too long ({len(text)} characters; the limit is {MAX_LENGTH})")
    key = _normal(text)
    for option in options:
        if _normal(option) == key:
            return option
    letters = "abcdefghijklmnopqrstuvwxyz"[: len(options)]
    listed = f"{letters[0]}–{letters[-1]}" if len(letters) > 1 else letters
    m = re.fullmatch(r"\(?([a-z])[).:]?", key)
    if m and m.group(1) in letters:
        return options[letters.index(m.group(1))]
    if m:
        raise AnswerError(f"there is no option {m.group(1)}: the options are {listed}", None, text)
    raise AnswerError(f"not one of the options: answer with a letter ({listed}) or an option's text",
                      None, text)


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def parse_expression(text: str, variables: Collection[str] | None) -> Node:
    """A formula in ``variables`` (None: any name), as a tree for :func:`equivalent` and SymPy."""
    _require_text(text)
    with _answer_errors(text):
        return parse(text, variables=variables)


# Sample points for the numeric check: half of them positive, for log and sqrt.
_SAMPLES = 24
_SEED = 20240521


SYMBOLIC_SECONDS = 2.0  # SymPy's simplify gets this long before the checker gives up


class Undecided(AnswerError):
    """SymPy could not decide within the time limit whether two formulas are equal."""


def equivalent(a: Node, b: Node, time_limit: float = SYMBOLIC_SECONDS) -> bool:
    """Whether two formulas are the same function.

    Random points decide, as graders of formulas do (PrairieLearn samples the same way): a clear
    difference is a no, agreement at every one of the points where both are defined is a yes. Only
    for constants, or when too few points are in both domains, does SymPy simplify the difference; when it runs past
    ``time_limit`` seconds, :class:`Undecided` says so and shows the expected form. Safe to call from
    any thread (the app grades in a worker thread).
    """
    sampled = _agree_at_points(a, b)
    if sampled is False or (sampled is True and variables(a) + variables(b)):
        return sampled
    # constants (1/3 against 0.3333333333) and formulas defined at too few points: SymPy decides
    proved = _symbolic_zero(a, b, time_limit)
    if proved is not None:
        return proved
    return sampled is True


def _agree_at_points(a: Node, b: Node) -> bool | None:
    names = sorted(set(variables(a)) | set(variables(b)))
    rng = random.Random(_SEED)
    agreed = 0
    for k in range(_SAMPLES if names else 1):
        low = 0.1 if k % 2 == 0 else -3.0
        env = {n: rng.uniform(low, 3.0) for n in names}
        try:
            va, vb = evaluate(a, env), evaluate(b, env)
        except ExprError:
            continue  # outside one formula's domain
        if not math.isclose(va, vb, rel_tol=1e-8, abs_tol=1e-10):
            return False
        agreed += 1
    return True if agreed >= (8 if names else 1) else None


def _symbolic_zero(a: Node, b: Node, time_limit: float) -> bool | None:
    """True or False when SymPy decides that a - b is zero or never zero; None when it cannot tell.

    The common cases are decided here at once: the same formula written differently enough that
    SymPy's automatic canonical form already cancels, or a low-degree polynomial that expands to 0.
    Anything else is simplified in a separate process that is killed after ``time_limit`` seconds:
    SymPy cannot be interrupted inside this process (not from a thread, nor by a signal mid-C-call).
    """
    if not (_simple_enough(a) and _simple_enough(b)):
        return None  # simplify may take very long on large trees or high powers
    key = (to_text(a), to_text(b))
    if key in _VERDICTS:
        return _verdict(_VERDICTS[key], b, time_limit)
    verdict = _quick_verdict(a, b)
    if verdict == "unknown":
        verdict = _verdict_in_subprocess(a, b, time_limit)
    if len(_VERDICTS) >= _VERDICTS_KEPT:
        _VERDICTS.clear()
    _VERDICTS[key] = verdict
    return _verdict(verdict, b, time_limit)


# (answer text, reference text) -> "zero", "nonzero", "none" or "timeout": a grade asks the same
# question several times (right answer, earlier answers, each misconception); time out only once.
_VERDICTS: dict[tuple[str, str], str] = {}
_VERDICTS_KEPT = 256
_VERDICT_LOCK = threading.Lock()


def _verdict(verdict: str, b: Node, time_limit: float) -> bool | None:
    if verdict == "timeout":
        raise Undecided(f"could not decide within {time_limit:g} s whether your formula equals the expected "
                        f"one; here is the expected form: {to_text(b)}")
    return {"zero": True, "nonzero": False}.get(verdict)


def _zero_verdict(diff: Any) -> str:
    if diff == 0 or diff.is_zero is True:
        return "zero"
    return "nonzero" if diff.is_zero is False else "none"


def _quick_verdict(a: Node, b: Node) -> str:
    try:
        import sympy

        diff = to_sympy(a) - to_sympy(b)
        if diff == 0:
            return "zero"
        gens = sorted(diff.free_symbols, key=str)
        if gens and diff.is_polynomial(*gens):
            poly = sympy.Poly(diff, *gens)  # expanding a polynomial is fast while its degree is small
            if poly.is_zero:
                return "zero"
            if poly.total_degree() <= _QUICK_DEGREE:
                return "nonzero"
    except Exception:  # SymPy raises many kinds on odd input; let the full check try
        pass
    return "unknown"


_QUICK_DEGREE = 8


def _simplify_verdict(a: Node, b: Node) -> str:
    """Run in the worker process: SymPy's verdict on a - b."""
    try:
        import sympy

        return _zero_verdict(sympy.simplify(to_sympy(a) - to_sympy(b)))
    except Exception:  # the sampled verdict stands then
        return "none"


def _worker(a: Node, b: Node, conn: Any) -> None:
    conn.send(_simplify_verdict(a, b))
    conn.close()


def _verdict_in_subprocess(a: Node, b: Node, time_limit: float) -> str:
    """``_simplify_verdict`` in a child process, or "timeout" when it is not back in ``time_limit`` s."""
    ctx = _context()
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_worker, args=(a, b, send), daemon=True)
    proc.start()
    send.close()
    try:
        # The limit counts from the start of the work; starting the worker is not the student's fault.
        if receive.poll(time_limit + _START_ALLOWANCE):
            return str(receive.recv())
        return "timeout"
    except (EOFError, OSError):  # the worker died (out of memory, killed): nothing decided
        return "none"
    finally:
        receive.close()
        if proc.is_alive():
            proc.kill()
        proc.join()


_START_ALLOWANCE = 0.5  # seconds for a fork from the warm server to begin


def _context() -> Any:
    """A multiprocessing context whose children start with SymPy already imported.

    "forkserver" forks each worker from a small server process that imported SymPy once, so a worker
    starts in milliseconds and never inherits the app's threads; elsewhere, "spawn".
    """
    import multiprocessing

    global _CONTEXT
    with _VERDICT_LOCK:
        if _CONTEXT is None:
            if "forkserver" in multiprocessing.get_all_start_methods():
                _CONTEXT = multiprocessing.get_context("forkserver")
                _CONTEXT.set_forkserver_preload(["sympy", "quizapp.answers"])
            else:
                _CONTEXT = multiprocessing.get_context("spawn")
        return _CONTEXT


_CONTEXT: Any = None


def _simple_enough(node: Node, max_nodes: int = 200, max_power: float = 64) -> bool:
    count, stack = 0, [node]
    while stack:
        n = stack.pop()
        count += 1
        if isinstance(n, Binary) and n.op == "^" and variables(n.left) and not variables(n.right):
            try:
                if abs(evaluate(n.right)) > max_power:
                    return False
            except ExprError:
                return False
        stack.extend(children(n))
    return count <= max_nodes


# ----- dispatch --------------------------------------------------------------------------------

_PARSERS: dict[str, Callable[..., Any]] = {
    "number": parse_number,
    "vector": parse_vector,
    "matrix": parse_matrix,
    "integer": parse_integer,
    "choice": parse_choice,
    "expression": parse_expression,
}


def parse_answer(text: str, kind: str, **options: Any) -> Any:
    """Parse ``text`` as an answer of ``kind``; ``options`` go to that parser (``allow_percent``,
    ``length``, ``shape``, ``options``, ``variables``)."""
    if kind not in _PARSERS:
        raise ValueError(f"unknown answer kind {kind!r}; expected one of: {', '.join(_PARSERS)}")
    return _PARSERS[kind](text, **options)
