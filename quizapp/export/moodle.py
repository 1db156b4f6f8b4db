"""Moodle XML: one category per question position, holding that question's variants.

A Moodle quiz then draws a "random question" from each category, so every student gets a
variant. Question types: ``numerical`` (one number, with the part's tolerance), ``multichoice``
(a concept question, or a numeric part turned into choices), ``shortanswer`` (one formula or
word) and ``cloze`` for everything else (several parts, vectors, matrices: one blank per entry,
each with its own tolerance). The worked solution is the general feedback.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from typing import Any

from quizapp.export.htmltext import esc, part_html, question_html, solution_html, stem_html
from quizapp.export.model import ExportPart, ExportQuestion, ProblemSet, points_text
from solvers import display

FILES = ("moodle.xml",)
PENALTY = "0.3333333"


def number(x: Any) -> str:
    """A number as Moodle reads it: positional notation, no float noise."""
    return display.number(x, positional=True)


def tolerance(tol: Any) -> str:
    """A tolerance to three significant figures, rounded up: never narrower than the grader's band."""
    tol = float(tol)
    if tol <= 0:
        return "0"
    scale = 10 ** (math.floor(math.log10(tol)) - 2)
    return number(math.ceil(round(tol / scale, 6)) * scale)


def qtype(q: ExportQuestion) -> str:
    if len(q.parts) > 1:
        return "cloze"
    part = q.parts[0]
    if part.choices:
        return "multichoice"
    if part.type in ("number", "integer"):
        return "numerical"
    if part.type in ("vector", "matrix"):
        return "cloze"
    return "shortanswer"


def _text(parent: ET.Element, tag: str, text: str, fmt: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(el, "text").text = text
    return el


def _head(quiz: ET.Element, q: ExportQuestion, kind: str, name: str, body: str, grade: bool) -> ET.Element:
    el = ET.SubElement(quiz, "question", {"type": kind})
    _text(el, "name", name)
    _text(el, "questiontext", body, "html")
    _text(el, "generalfeedback", solution_html(q), "html")
    if grade:
        ET.SubElement(el, "defaultgrade").text = points_text(q.points)
    ET.SubElement(el, "penalty").text = PENALTY
    ET.SubElement(el, "hidden").text = "0"
    ET.SubElement(el, "idnumber").text = ""
    return el


def _answer(parent: ET.Element, fraction: str, text: str, feedback: str = "", fmt: str = "moodle_auto_format",
            tol: str | None = None) -> None:
    el = ET.SubElement(parent, "answer", {"fraction": fraction, "format": fmt})
    ET.SubElement(el, "text").text = text
    _text(el, "feedback", esc(feedback), "html")
    if tol is not None:
        ET.SubElement(el, "tolerance").text = tol


def _numerical(quiz: ET.Element, q: ExportQuestion, name: str) -> None:
    part = q.parts[0]
    el = _head(quiz, q, "numerical", name, question_html(q), True)
    _answer(el, "100", number(part.answer), tol=tolerance(part.tolerance))
    ET.SubElement(el, "unitgradingtype").text = "0"
    ET.SubElement(el, "unitpenalty").text = "0.1000000"
    ET.SubElement(el, "showunits").text = "3"
    ET.SubElement(el, "unitsleft").text = "0"


def _multichoice(quiz: ET.Element, q: ExportQuestion, name: str) -> None:
    part = q.parts[0]
    el = _head(quiz, q, "multichoice", name, stem_html(q) + part_html(q, 0, with_choices=False), True)
    ET.SubElement(el, "single").text = "true"
    ET.SubElement(el, "shuffleanswers").text = "false"  # the answer key names letters: keep our order
    ET.SubElement(el, "answernumbering").text = "ABCD"
    for c in part.choices:
        _answer(el, "100" if c.correct else "0", esc(c.text), c.feedback, fmt="html")


def shortanswer_text(value: Any) -> str:
    """A short answer matched literally: a bare ``*`` is Moodle's wildcard, ``\\*`` a star."""
    return str(value).replace("*", "\\*")


def _shortanswer(quiz: ET.Element, q: ExportQuestion, name: str) -> None:
    el = _head(quiz, q, "shortanswer", name, question_html(q), True)
    ET.SubElement(el, "usecase").text = "0"
    _answer(el, "100", esc(shortanswer_text(q.parts[0].answer)))


_CLOZE_SPECIAL = re.compile(r'([}#~/"\\])')


def cloze_escape(text: str) -> str:
    """Text inside a cloze answer: Moodle reads } # ~ / " and backslash as syntax."""
    return _CLOZE_SPECIAL.sub(r"\\\1", text)


def _blank(value: Any, tol: Any) -> str:
    return f"{{1:NUMERICAL:={number(value)}:{tolerance(tol)}}}"


def cloze_blanks(part: ExportPart) -> str:
    """The embedded answers of one part (HTML with cloze codes)."""
    if part.choices:
        options = "~".join(f"{'=' if c.correct else ''}{cloze_escape(esc(c.text))}#{cloze_escape(esc(c.feedback))}"
                           for c in part.choices)
        return f"{{1:MULTICHOICE:{options}}}"
    if part.type in ("number", "integer"):
        return _blank(part.answer, part.tolerance)
    if part.type == "vector":
        return "[ " + ", ".join(_blank(v, t) for v, t in zip(part.answer, part.tolerance)) + " ]"
    if part.type == "matrix":
        rows = ["<tr>" + "".join(f"<td>{_blank(v, t)}</td>" for v, t in zip(row, tols)) + "</tr>"
                for row, tols in zip(part.answer, part.tolerance)]
        return "<table>" + "".join(rows) + "</table>"
    return f"{{1:SHORTANSWER:={cloze_escape(esc(shortanswer_text(part.answer)))}}}"


def _cloze(quiz: ET.Element, q: ExportQuestion, name: str) -> None:
    body = stem_html(q)
    for i, part in enumerate(q.parts):
        body += part_html(q, i, with_choices=False) + f"<p>{cloze_blanks(part)}</p>"
    _head(quiz, q, "cloze", name, body, False)  # Moodle sets a cloze question's grade from its blanks


WRITERS = {"numerical": _numerical, "multichoice": _multichoice, "shortanswer": _shortanswer, "cloze": _cloze}


def _category(quiz: ET.Element, path: str) -> None:
    el = ET.SubElement(quiz, "question", {"type": "category"})
    _text(el, "category", path)
    _text(el, "info", "", "html")


def document(ps: ProblemSet) -> bytes:
    quiz = ET.Element("quiz")
    base = "$course$/top/" + ps.title.replace("/", "-")
    if not ps.variants:
        return _serialise(quiz)
    width = len(str(len(ps.variants[0].questions)))
    for index, first in enumerate(ps.variants[0].questions):
        number_text = f"{first.number:0{width}d}"
        _category(quiz, f"{base}/Q{number_text} {first.title.replace('/', '-')}")
        for v in ps.variants:
            q = v.questions[index]
            name = f"Q{number_text} {v.id} {q.id}"
            WRITERS[qtype(q)](quiz, q, name)
    return _serialise(quiz)


def _serialise(quiz: ET.Element) -> bytes:
    ET.indent(quiz)
    return ET.tostring(quiz, encoding="utf-8", xml_declaration=True) + b"\n"


def render(ps: ProblemSet) -> dict[str, bytes]:
    return {FILES[0]: document(ps)}
