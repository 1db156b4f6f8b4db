"""Moodle XML: one category per question position, holding that question's variants.

A Moodle quiz then draws a "random question" from each category, so every student gets a
variant. Question types: ``numerical`` (one number, with the part's tolerance), ``multichoice``
(a concept question, or a numeric part turned into choices), ``shortanswer`` (one formula or
word) and ``cloze`` for everything else (several parts, vectors, matrices: one blank per entry,
each with its own tolerance and a weight from the part's points). The question text is HTML with
MathJax maths; the worked solution is the general feedback.

Formula answers are written for Moodle's own matching (``compare_string_with_wildcard`` in
question/type/shortanswer/question.php): a ``*`` is a wildcard unless written ``\\*``; inside a
cloze blank only ``\\}`` and ``\\#`` are unescaped by Moodle (question/type/multianswer), so no
other backslash may be added there.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from fractions import Fraction
from functools import lru_cache
from typing import Any

import numpy as np

from question_bank.render import ANSWER_DIGITS
from quizapp.export.htmltext import esc, math_part, math_question, math_solution, math_stem
from quizapp.export.model import Choice, ExportPart, ExportQuestion, ProblemSet, points_text
from solvers import display

FILES = ("moodle.xml",)
PENALTY = "0.3333333"


def number(x: Any) -> str:
    """A number as Moodle reads it: positional notation, no float noise."""
    return display.number(x, positional=True)


def tolerance(tol: Any) -> str:
    """A tolerance to three significant figures, rounded up: never narrower than the grader's band."""
    return _tolerance(float(tol))


@lru_cache(maxsize=4096)  # a template's bands repeat across its variants, and every format writes them
def _tolerance(tol: float) -> str:
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
    _text(el, "generalfeedback", math_solution(q), "html")
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
    el = _head(quiz, q, "numerical", name, math_question(q), True)
    _answer(el, "100", number(part.answer), tol=tolerance(part.tolerance))
    ET.SubElement(el, "unitgradingtype").text = "0"
    ET.SubElement(el, "unitpenalty").text = "0.1000000"
    ET.SubElement(el, "showunits").text = "3"
    ET.SubElement(el, "unitsleft").text = "0"


def _multichoice(quiz: ET.Element, q: ExportQuestion, name: str) -> None:
    part = q.parts[0]
    el = _head(quiz, q, "multichoice", name, math_stem(q) + math_part(q, 0), True)
    ET.SubElement(el, "single").text = "true"
    ET.SubElement(el, "shuffleanswers").text = "true"  # each student sees the options in another order
    ET.SubElement(el, "answernumbering").text = "ABCD"
    for c in part.choices:
        _answer(el, "100" if c.correct else "0", choice_html(c), c.feedback, fmt="html")


def choice_html(c: Choice) -> str:
    """An option as HTML: a numeric option typeset like the question's values (matrices by MathJax)."""
    if c.value is None:
        return esc(c.text)
    return display.render(display.value(c.value, ANSWER_DIGITS), "html")


def shortanswer_text(value: Any) -> str:
    """A short answer matched literally: a bare ``*`` is Moodle's wildcard, ``\\*`` a star."""
    return str(value).replace("*", "\\*")


def accepted_forms(value: Any) -> list[str]:
    """The formula as written, and without its spaces (Moodle matches the text, not the maths)."""
    text = str(value).strip()
    compact = "".join(text.split())
    return [text] if compact == text else [text, compact]


def _shortanswer(quiz: ET.Element, q: ExportQuestion, name: str) -> None:
    el = _head(quiz, q, "shortanswer", name, math_question(q), True)
    ET.SubElement(el, "usecase").text = "0"
    for form in accepted_forms(q.parts[0].answer):  # plain text: the XML writer escapes < and &
        _answer(el, "100", shortanswer_text(form), fmt="plain_text")


def cloze_text(text: str) -> str:
    """Text of a cloze alternative: HTML, with ``}`` and ``#`` escaped (the only escapes Moodle undoes)."""
    if "~" in text:
        raise ValueError(f"a cloze answer cannot hold '~': {text!r}")  # Moodle would keep the backslash
    return esc(text).replace("}", "\\}").replace("#", "\\#")


def _blank(weight: int, value: Any, tol: Any) -> str:
    return f"{{{weight}:NUMERICAL:={number(value)}:{tolerance(tol)}}}"


def blank_weights(q: ExportQuestion) -> list[int]:
    """A whole-number weight per blank of each part, proportional to the part's points shared among its
    blanks (cloze weights are integers; Moodle grades the question on their sum)."""
    points = tuple(q.part_points(i) for i in range(len(q.parts)))
    return list(_blank_weights(points, tuple(blank_count(p) for p in q.parts)))


@lru_cache(maxsize=1024)  # the same few splits in every variant
def _blank_weights(points: tuple[float, ...], counts: tuple[int, ...]) -> tuple[int, ...]:
    shares = [Fraction(p).limit_denominator(1000) / n for p, n in zip(points, counts)]
    scale = math.lcm(*(s.denominator for s in shares))
    weights = [int(s * scale) for s in shares]
    common = math.gcd(*weights) or 1
    return tuple(max(1, w // common) for w in weights)


def blank_count(part: ExportPart) -> int:
    if part.choices or part.type not in ("vector", "matrix"):
        return 1
    return len(np.ravel(np.asarray(part.answer, dtype=object)))


def cloze_blanks(part: ExportPart, weight: int = 1) -> str:
    """The embedded answers of one part (HTML with cloze codes); options shuffled by Moodle (``_S``)."""
    if part.choices:
        options = "~".join(f"{'=' if c.correct else ''}{cloze_text(c.text)}#{cloze_text(c.feedback)}"
                           for c in part.choices)
        return f"{{{weight}:MULTICHOICE_S:{options}}}"
    if part.type in ("number", "integer"):
        return _blank(weight, part.answer, part.tolerance)
    if part.type == "vector":
        return "[ " + ", ".join(_blank(weight, v, t) for v, t in zip(part.answer, part.tolerance)) + " ]"
    if part.type == "matrix":
        rows = ["<tr>" + "".join(f"<td>{_blank(weight, v, t)}</td>" for v, t in zip(row, tols)) + "</tr>"
                for row, tols in zip(part.answer, part.tolerance)]
        return "<table>" + "".join(rows) + "</table>"
    alternatives = "~".join("=" + cloze_text(shortanswer_text(f)) for f in accepted_forms(part.answer))
    return f"{{{weight}:SHORTANSWER:{alternatives}}}"


def _cloze(quiz: ET.Element, q: ExportQuestion, name: str) -> None:
    body = math_stem(q)
    for i, (part, weight) in enumerate(zip(q.parts, blank_weights(q))):
        body += math_part(q, i) + f"<p>{cloze_blanks(part, weight)}</p>"
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
