"""GIFT (Moodle's plain-text question format), one question per line.

GIFT has one answer per question, so a question with several parts becomes one GIFT question
per part, and a vector or matrix part one per entry, each repeating the stem; they share a
category per question position, like the Moodle XML. Text is HTML (``[html]``) with GIFT's
special characters ``~ = # { } :`` and backslash escaped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import numpy as np

from quizapp.export.htmltext import esc, part_html, stem_html
from quizapp.export.model import ExportPart, ExportQuestion, ProblemSet
from quizapp.export.moodle import number, shortanswer_text, tolerance

FILES = ("questions.gift",)
_SPECIAL = re.compile(r"([~=#{}:\\])")


def gift_escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


def _answer(part: ExportPart, value: Any, tol: Any) -> str:
    if part.choices:
        items = [f"{'=' if c.correct else '~'}{gift_escape(esc(c.text))}"
                 + (f"#{gift_escape(esc(c.feedback))}" if c.feedback else "") for c in part.choices]
        return "{" + " ".join(items) + "}"
    if part.type in ("number", "integer", "vector", "matrix"):
        return f"{{#{number(value)}:{tolerance(tol)}}}"
    return "{=" + gift_escape(esc(shortanswer_text(value))) + "}"


def _entries(part: ExportPart) -> Iterator[tuple[str, Any, Any]]:
    """(which entry, value, tolerance) for each blank of a part."""
    if part.choices or part.type not in ("vector", "matrix"):
        yield "", part.answer, part.tolerance
        return
    values = np.asarray(part.answer, dtype=np.float64)
    tols = np.broadcast_to(np.asarray(part.tolerance, dtype=np.float64), values.shape)
    for index in np.ndindex(values.shape):
        where = ", ".join(str(i + 1) for i in index)
        yield f"entry ({where})" if len(index) > 1 else f"entry {where}", values[index], tols[index]


def question_lines(q: ExportQuestion, category_number: str, variant: str) -> list[str]:
    stem = gift_escape(stem_html(q))  # escaped once: a vector part repeats it for every entry
    out = []
    for i, part in enumerate(q.parts):
        for entry, value, tol in _entries(part):
            title = " ".join(x for x in (f"Q{category_number}", variant, q.part_mark(i), entry) if x)
            ask = f"<p>{esc(entry.capitalize())} of {esc(part.name)}:</p>" if entry else ""
            text = stem + gift_escape(part_html(q, i, with_choices=False) + ask)
            out.append(f"::{gift_escape(title)}::[html]{text}{_answer(part, value, tol)}")
    return out


def document(ps: ProblemSet) -> str:
    lines = [f"// {ps.title}: seed {ps.seed}, {len(ps.variants)} variants (quizapp {ps.app_version})", ""]
    if not ps.variants:
        return "\n".join(lines)
    width = len(str(len(ps.variants[0].questions)))
    base = "$course$/top/" + ps.title.replace("/", "-")
    for index, first in enumerate(ps.variants[0].questions):
        num = f"{first.number:0{width}d}"
        lines += [f"$CATEGORY: {base}/Q{num} {first.title.replace('/', '-')}", ""]
        for v in ps.variants:
            for line in question_lines(v.questions[index], num, v.id):
                lines += [line, ""]
    return "\n".join(lines)


def render(ps: ProblemSet) -> dict[str, bytes]:
    return {FILES[0]: document(ps).encode()}
