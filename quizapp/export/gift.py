"""GIFT (Moodle's plain-text question format), one question per line.

GIFT has one answer set per question and no cloze, so a question with several parts cannot stay
one question: each part, and each entry of a vector or matrix part, becomes its own GIFT question
(repeating the stem) in **its own category** (``.../Q03 Title/(b) entry 2``), holding that part's
variants. A quiz that takes a random question from each category then gives every student every
part. Text is HTML (``[html]``) with MathJax maths; the worked solution is each question's general
feedback (``####``). GIFT's special characters ``~ = # { } :`` and backslash are escaped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from quizapp.export.htmltext import esc, math_part, math_solution, math_stem
from quizapp.export.model import ExportPart, ExportQuestion, ProblemSet
from quizapp.export.moodle import accepted_forms, number, shortanswer_text, tolerance

FILES = ("questions.gift",)
_SPECIAL = "\\~=#{}:"  # the backslash first: the backslashes added for the others stay single


def gift_escape(text: str) -> str:
    """``text`` with a backslash before each of GIFT's special characters (str.replace: a regular
    expression's substitution was most of the format's time)."""
    for ch in _SPECIAL:
        if ch in text:
            text = text.replace(ch, "\\" + ch)
    return text


def answer_set(part: ExportPart, value: Any, tol: Any, feedback: str) -> str:
    """``{...}``: the answers of one blank, then the general feedback (``feedback`` escaped already: it is
    the same for every blank of a question)."""
    if part.choices:
        body = " ".join(f"{'=' if c.correct else '~'}{gift_escape(esc(c.text))}"
                        + (f"#{gift_escape(esc(c.feedback))}" if c.feedback else "") for c in part.choices)
    elif part.type in ("number", "integer", "vector", "matrix"):
        body = f"#{number(value)}:{tolerance(tol)}"
    else:  # Moodle reads a short answer's * as a wildcard: \* is a star
        body = " ".join("=" + gift_escape(shortanswer_text(f)) for f in accepted_forms(value))
    return "{" + body + "####" + feedback + "}"


def entries(part: ExportPart) -> Iterator[tuple[str, Any, Any]]:
    """(which entry, value, tolerance) for each blank of a part."""
    if part.choices or part.type not in ("vector", "matrix"):
        yield "", part.answer, part.tolerance
        return
    listed = _listed(part.answer, part.tolerance)
    if listed is not None:
        yield from listed
        return
    values = np.asarray(part.answer, dtype=np.float64)
    tols = np.broadcast_to(np.asarray(part.tolerance, dtype=np.float64), values.shape)
    for index in np.ndindex(values.shape):
        where = ", ".join(str(i + 1) for i in index)
        yield f"entry ({where})" if len(index) > 1 else f"entry {where}", values[index], tols[index]


def _listed(answer: Any, tol: Any) -> list[tuple[str, float, float]] | None:
    """:func:`entries` of a vector or matrix of plain numbers with one tolerance or one per entry, without
    NumPy (arrays for a handful of entries were most of the time, and every blank is listed by GIFT and
    twice by QTI); None for any other shape (NumPy's broadcasting, or its error, then decides)."""
    if not isinstance(answer, list) or not answer:
        return None
    if all(type(x) in _PLAIN for x in answer):
        tols = _row_tolerances(tol, len(answer))
        return None if tols is None else [
            (f"entry {j + 1}", float(x), t) for j, (x, t) in enumerate(zip(answer, tols))]
    if not all(isinstance(row, list) and row and len(row) == len(answer[0]) for row in answer) or \
            not all(type(x) in _PLAIN for row in answer for x in row):
        return None
    if type(tol) in _PLAIN:
        tol_rows: list[Any] = [tol] * len(answer)
    elif isinstance(tol, list) and len(tol) == len(answer) and all(isinstance(r, list) for r in tol):
        tol_rows = tol
    else:
        return None
    out = []
    for i, (row, row_tol) in enumerate(zip(answer, tol_rows)):
        tols = _row_tolerances(row_tol, len(row))
        if tols is None:
            return None
        out += [(f"entry ({i + 1}, {j + 1})", float(x), t) for j, (x, t) in enumerate(zip(row, tols))]
    return out


_PLAIN = (float, int)  # exactly: a bool, a string or an array goes the NumPy way


def _row_tolerances(tol: Any, count: int) -> list[float] | None:
    """One row's tolerances as floats (as NumPy gives them): one for all, or one per entry."""
    if type(tol) in _PLAIN:
        return [float(tol)] * count
    if isinstance(tol, list) and len(tol) == count and all(type(t) in _PLAIN for t in tol):
        return [float(t) for t in tol]
    return None


def blanks(q: ExportQuestion) -> Iterator[tuple[str, str]]:
    """(category suffix, GIFT question without its title) for each part and entry of ``q``."""
    # escaped once per question and part, not per entry (escaping is character by character)
    stem = gift_escape(math_stem(q))
    feedback = gift_escape(math_solution(q))
    for i, part in enumerate(q.parts):
        mark = q.part_mark(i)
        shown = stem + gift_escape(math_part(q, i))
        for entry, value, tol in entries(part):
            which = " ".join(x for x in (mark, entry) if x)
            ask = f"<p>Give {entry} of {'the answer to ' + mark if mark else 'the answer'}.</p>" if entry else ""
            yield which, f"[html]{shown}{gift_escape(ask)}{answer_set(part, value, tol, feedback)}"


def document(ps: ProblemSet) -> str:
    lines = [f"// {ps.title}: seed {ps.seed}, {len(ps.variants)} variants (quizapp {ps.app_version})", ""]
    if not ps.variants:
        return "\n".join(lines)
    width = len(str(len(ps.variants[0].questions)))
    base = "$course$/top/" + ps.title.replace("/", "-")
    for index, first in enumerate(ps.variants[0].questions):
        num = f"{first.number:0{width}d}"
        # one category per part and entry; vector sizes may differ between variants, so gather first
        categories: dict[str, list[str]] = {}
        for v in ps.variants:
            for which, question in blanks(v.questions[index]):
                title = " ".join(x for x in (f"Q{num}", v.id, which) if x)
                categories.setdefault(which, []).append(f"::{gift_escape(title)}::{question}")
        for which, questions in categories.items():
            path = f"{base}/Q{num} {first.title.replace('/', '-')}" + (f"/{which}" if which else "")
            lines += [f"$CATEGORY: {path}", ""]
            for line in questions:
                lines += [line, ""]
    return "\n".join(lines)


def render(ps: ProblemSet) -> dict[str, bytes]:
    return {FILES[0]: document(ps).encode()}
