"""Answers, values and answer formats as display text (plain strings; no Textual, NumPy lazily)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from question_bank.question import Question
    from question_bank.schema import PartSpec

DIGITS = 4  # significant figures shown for computed values


def value_text(value: Any, digits: int = DIGITS) -> str:
    """A number, vector or matrix (a matrix spans several lines, columns aligned)."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    # the display model only when a value is shown: the home screen must start fast
    from solvers import display

    return display.render(display.value(value, digits), "terminal")


def option_text(question: Question, part: PartSpec, option_id: Any) -> str:
    """``B) the option's text`` for an option id (the id itself if it is not one)."""
    for letter, opt in question.options(part):
        if opt.id == option_id:
            return f"{letter}) {opt.text}"
    return str(option_id)


def answer_text(question: Question, part_name: str, value: Any) -> str:
    """An expected or given answer to a part, as the student reads it."""
    try:
        part = question.template.part(part_name)
    except KeyError:
        return value_text(value)
    if part.type == "choice" and part.options:
        return option_text(question, part, value)
    return value_text(value)


def kind_hint(part: PartSpec, expected: Any) -> str:
    """How to write an answer to ``part`` (shown while its input is empty)."""
    import numpy as np

    kind = part.type
    if kind == "number":
        return "a number: 0.25, 1/4, e^-2, sqrt(2)/2"
    if kind == "integer":
        return "a whole number"
    if kind == "vector":
        n = np.size(expected)
        return f"a vector of {n} numbers: [1, -2, 0.5] or 1 -2 0.5"
    if kind == "matrix":
        r, c = np.shape(expected)
        return f"a {r}×{c} matrix, rows separated by ';': 1 2; 3 4"
    if kind == "expression":
        return "a formula: 2*x*sigmoid(x), e^(-x)"
    if kind == "choice":
        return "pick an option (click, or press its letter)"
    return "your answer"


def duration_text(seconds: float | None) -> str:
    """``1:05`` (minutes:seconds) or ``1:02:05``."""
    if seconds is None:
        return "—"
    total = max(0, int(round(seconds)))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def percent_text(fraction: float | None) -> str:
    return "—" if fraction is None else f"{100 * fraction:.0f}%"


def bar_text(fraction: float, width: int = 10) -> str:
    """A horizontal bar in eighths of a cell: ``█████▍    ``."""
    fraction = min(1.0, max(0.0, fraction))
    eighths = round(fraction * width * 8)
    full, part = divmod(eighths, 8)
    partial = " ▏▎▍▌▋▊▉"[part] if part else ""
    return ("█" * full + partial).ljust(width)


# Colours for styled text that read on both the dark and the light theme (mid-tones, not the
# terminal's bright yellow or cyan, which vanish on white).
OK = "#2f9e44"
BAD = "#d9480f"
WARN = "#c28a00"
VALUE = "#1c7ed6"
GRAD = "#ae3ec9"
