"""Prompt text with its placeholders filled: numbers as a person writes them, matrices row by row.

Placeholder syntax: ``{name}``, ``{name[i]}`` / ``{name[i][j]}`` for an entry, ``{name:.3f}`` with a
format spec for a number, and ``{{`` / ``}}`` for literal braces. A brace that does not start a
placeholder (``Σ_{j≠y}``) is kept as it is. Every placeholder must be filled, or rendering fails
with a ValueError naming it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from solvers import display

_TOKEN = re.compile(r"\{\{|\}\}|\{([A-Za-z_]\w*)((?:\[-?\d+\])*)(?::([^{}]*))?\}")
_INDEX = re.compile(r"\[(-?\d+)\]")


def number(x: Any) -> str:
    """A number the way it is written by hand (``solvers.display.number``)."""
    return display.number(x)


def matrix(rows: Any) -> str:
    """Rows on their own lines, columns right-aligned: ``[ 1, -2 ]`` over ``[ 3,  4 ]``."""
    return display.render(display.Mat(tuple(tuple(display.value(v) for v in row) for row in rows)))


def value_text(value: Any, medium: str = "terminal") -> str:
    """Any parameter or answer value as display text (on a terminal a matrix spans several lines)."""
    return display.render(value, medium)


def placeholders(text: str) -> list[str]:
    """The names the placeholders of ``text`` refer to, in order."""
    names = []
    for is_math, piece in display.split_maths(text):
        pattern = _MATH_PLACEHOLDER if is_math else _TOKEN
        names += [m.group(1) for m in pattern.finditer(piece) if m.group(1) is not None]
    return names


def _lookup(name: str, index: str, spec: str | None, values: Mapping[str, Any]) -> Any:
    """The value a placeholder names (a structured number when it has a format spec)."""
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
            return display.Text(format(float(value), spec))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"placeholder {{{name}:{spec}}}: {exc}") from None
    return value


_OPERATORS = set("+-−·*/×^")
_POWERS = set("²³^")


def _in_formula(before: str, after: str) -> bool:
    """Whether a negative number here sits between operators (``0.9·-3``, ``-8²``) and needs brackets."""
    tail = before.rstrip()[-1:]
    return (bool(tail) and tail in _OPERATORS) or (bool(after) and after in _POWERS)


def _prose_escape(medium: str) -> Any:
    if medium == "latex":
        return display.latex_text
    if medium == "html":
        return lambda s: html.escape(s, quote=False)
    return lambda s: s


def fill(text: str, values: Mapping[str, Any], medium: str = "terminal") -> str:
    """``text`` with every placeholder replaced, drawn for ``medium`` (see ``solvers.display``).

    ``$...$`` is maths in the inline markup (placeholders work inside it). On a terminal a
    multi-line value is indented under its column. A negative number written between operators is
    bracketed: ``{a}·{x}`` with x = -3 reads ``0.5·(-3)`` and ``{x}²`` reads ``(-3)²``, never ``-3²``.
    """
    if "{" not in text:  # no placeholder: the same text whatever the values (labels, most conventions)
        return _fill_fixed(text, medium)
    return _fill(text, values, medium)


@lru_cache(maxsize=4096)
def _fill_fixed(text: str, medium: str) -> str:
    return _fill(text, {}, medium)


def _fill(text: str, values: Mapping[str, Any], medium: str) -> str:
    out = ""
    for is_math, piece in display.split_maths(text):
        out += _fill_math(piece, values, medium) if is_math else _fill_prose(piece, values, medium, out)
    return out


def _fill_prose(text: str, values: Mapping[str, Any], medium: str, before: str = "") -> str:
    raw = before  # the text so far as shown, to decide brackets and columns
    out: list[str] = []
    for literal, shown, slot in _prose_pieces(text, medium):
        raw += literal
        out.append(shown)
        if slot is None:
            continue
        name, index, spec, after = slot
        value = _lookup(name, index, spec, values)
        # the sign is drawn only where it matters: most placeholders are not between operators
        bracket = _in_formula(raw, after) and display.render(value, "plain").startswith("-")
        # a string parameter is often a formula ("e^(4u)"): typeset its powers where the medium can
        rendered = display.formula_text(value, medium) if isinstance(value, str) else display.render(value, medium)
        if "\n" in rendered and medium == "terminal":
            column = len(raw) - (raw.rfind("\n") + 1)
            rendered = rendered.replace("\n", "\n" + " " * column)
        if bracket:
            rendered = f"({rendered})"
        raw += rendered
        out.append(rendered)
    return "".join(out)


Slot = tuple[str, str, "str | None", str]  # a placeholder: name, index ("[0][1]"), format spec, the character after it


@lru_cache(maxsize=4096)  # a template's text is the same in every variant: parsed and escaped once
def _prose_pieces(text: str, medium: str) -> tuple[tuple[str, str, Slot | None], ...]:
    """``text`` as (literal as written, literal escaped for ``medium``, the placeholder after it or None)."""
    escape = _prose_escape(medium)
    pieces: list[tuple[str, str, Slot | None]] = []
    raw, shown = "", ""  # a literal not yet closed by a placeholder (``{{`` and ``}}`` are literals)
    pos = 0
    for m in _TOKEN.finditer(text):
        literal = text[pos : m.start()].replace(r"\$", "$")
        raw, shown = raw + literal, shown + escape(literal)
        pos = m.end()
        tok = m.group(0)
        if tok in ("{{", "}}"):
            raw, shown = raw + tok[0], shown + escape(tok[0])
            continue
        pieces.append((raw, shown, (m.group(1), m.group(2), m.group(3), text[pos : pos + 1])))
        raw, shown = "", ""
    literal = text[pos:].replace(r"\$", "$")
    pieces.append((raw + literal, shown + escape(literal), None))
    return tuple(pieces)


_MATH_PLACEHOLDER = re.compile(r"(?<![_^}\\A-Za-z])\{([A-Za-z_]\w*)((?:\[-?\d+\])*)(?::([^{}]*))?\}")
_SENTINEL = 0xE000  # private-use code points stand for the values while the maths is parsed


def _fill_math(markup: str, values: Mapping[str, Any], medium: str) -> str:
    """Maths markup with its placeholders (a ``{`` not after ``_``, ``^``, ``}`` or a command) filled."""
    filled: list[str] = []

    def hold(m: re.Match[str]) -> str:
        value = _lookup(m.group(1), m.group(2), m.group(3), values)
        inner = medium if medium in ("latex", "html") else "plain"
        text = display.render(value, inner, in_math=True)
        if _in_formula(markup[: m.start()], markup[m.end() : m.end() + 1]) and \
                display.render(value, "plain").startswith("-"):
            text = f"({text})"
        filled.append(text)
        return chr(_SENTINEL + len(filled) - 1)

    try:
        drawn = display.math_text(_MATH_PLACEHOLDER.sub(hold, markup), medium)
    except display.MarkupError as exc:
        raise ValueError(str(exc)) from None
    for i, text in enumerate(filled):
        drawn = drawn.replace(chr(_SENTINEL + i), text)
    return drawn


@lru_cache(maxsize=4096)
def markup(text: str, medium: str = "terminal") -> str:
    """A text without placeholders (an option, a ``why``, a misconception's message) with its ``$...$``
    maths drawn for ``medium`` and its prose escaped for it; maths that does not parse is kept as written
    (``quizapp lint`` reports it)."""
    escape = _prose_escape(medium)
    out = []
    for is_math, piece in display.split_maths(text):
        try:
            drawn = display.math_text(piece, medium) if is_math else None
        except display.MarkupError:
            drawn = None
        out.append(drawn if drawn is not None else escape(f"${piece}$" if is_math else piece.replace(r"\$", "$")))
    return "".join(out)


ANSWER_DIGITS = 6  # significant figures of an answer shown to a person (keys, feedback); data files keep more


def answer_text(question: Any, part: Any, value: Any, medium: str = "plain") -> str:
    """A part's answer as a person reads it: ``B) local minimum`` for an option, numbers to 6 figures."""
    return answer_texts(question, part, value, (medium,))[0]


def answer_texts(question: Any, part: Any, value: Any, media: tuple[str, ...]) -> tuple[str, ...]:
    """:func:`answer_text` for each of ``media`` (the option found, or the value structured, once)."""
    if part.type == "choice" and part.options:
        letter = next(lt for lt, o in question.options(part) if o.id == value)
        written = next(o for o in part.options if o.id == value)  # the author's markup, drawn for the medium
        return tuple(f"{letter}) {markup(written.text, medium)}" for medium in media)
    return display.render_media(display.value(value, ANSWER_DIGITS), media)
