"""Questions, answers and worked solutions as HTML fragments (Moodle XML, GIFT and the Anki deck).

No newline characters are emitted: line breaks are ``<br>``, so a fragment fits on one line (GIFT
needs that) and renders the same everywhere.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from quizapp.export.model import ExportPart, ExportQuestion, Shown, step_line
from quizapp.export.text import paragraphs, segments


@lru_cache(maxsize=8192)
def esc(text: str) -> str:
    # quote=False: no &#x27; entities, whose '#' GIFT would need escaped
    return html.escape(text, quote=False)


def lines_html(text: str) -> str:
    """Prose with its layout: paragraphs, line breaks, and aligned matrices in <pre>."""
    out = []
    for seg in segments(text):
        if seg.aligned:
            out.append("<pre>" + "<br>".join(esc(line) for line in seg.lines) + "</pre>")
        else:
            out += ["<p>" + "<br>".join(esc(line) for line in p) + "</p>" for p in paragraphs(seg.lines)]
    return "".join(out)


def stem_html(q: ExportQuestion) -> str:
    """Conventions and prompt (without the parts)."""
    out = ""
    if q.conventions:
        out += "<ul>" + "".join(f"<li>{esc(c)}</li>" for c in q.conventions) + "</ul>"
    return out + lines_html(q.prompt)


def part_html(q: ExportQuestion, index: int, with_choices: bool = True) -> str:
    part = q.parts[index]
    head = " ".join(x for x in (q.part_mark(index), part.label) if x)
    out = f"<p>{esc(head)}</p>" if head else ""
    if with_choices and part.choices:
        out += "<p>" + "<br>".join(f"{c.letter}) {esc(c.text)}" for c in part.choices) + "</p>"
    return out


def question_html(q: ExportQuestion, with_choices: bool = True) -> str:
    return stem_html(q) + "".join(part_html(q, i, with_choices) for i in range(len(q.parts)))


def answer_html(q: ExportQuestion) -> str:
    items = [f"{esc(_name(q, i, p))} = {esc(p.answer_text)}" for i, p in enumerate(q.parts)]
    return "<p><b>Answer</b><br>" + "<br>".join(items) + "</p>"


def _name(q: ExportQuestion, index: int, part: ExportPart) -> str:
    return f"{q.part_mark(index)} {part.name}".strip()


def _shown_lines(text: str) -> str:
    """Already-escaped HTML text (MathJax maths) as paragraphs; an indented line keeps its indent."""
    out = []
    for para in re.split(r"\n\s*\n", text.strip("\n")):
        lines = [_indent(line) for line in para.split("\n") if line.strip()]
        if lines:
            out.append("<p>" + "<br>".join(lines) + "</p>")
    return "".join(out)


def _indent(line: str) -> str:
    stripped = line.lstrip(" ")
    return "&nbsp;" * (len(line) - len(stripped)) + stripped.rstrip()


# A question's stem and solution are written by every HTML format (Moodle, GIFT, QTI, Anki): each is
# remembered by what it is made of (the typeset text, hashable), so it is written once per question.

def math_stem(q: ExportQuestion) -> str:
    """Conventions and prompt as the student reads them: maths typeset by MathJax (\\(...\\))."""
    shown = q.shown["html"]
    return _stem(shown.conventions, shown.prompt, q.precision)


@lru_cache(maxsize=4096)
def _stem(conventions: tuple[str, ...], prompt: str, precision: str) -> str:
    out = ""
    if conventions:
        out += "<ul>" + "".join(f"<li>{c}</li>" for c in conventions) + "</ul>"
    out += _shown_lines(prompt)
    return out + (f"<p><i>{esc(precision)}</i></p>" if precision else "")


def math_part(q: ExportQuestion, index: int) -> str:
    """One part's mark and label ("(b) ∂L/∂W₁"), typeset; "" for a single unlabelled part."""
    head = " ".join(x for x in (q.part_mark(index), q.shown["html"].labels[index]) if x)
    return f"<p>{head}</p>" if head else ""


def math_question(q: ExportQuestion) -> str:
    return math_stem(q) + "".join(math_part(q, i) for i in range(len(q.parts)))


def math_solution(q: ExportQuestion) -> str:
    """The answer by part label, the worked steps and why each option is right or wrong, typeset."""
    marks = tuple(q.part_mark(i) for i in range(len(q.parts)))
    notes = tuple(tuple(f"{c.letter}) {esc(c.feedback)}" for c in part.choices if c.feedback) for part in q.parts)
    return _solution(q.shown["html"], marks, notes)


@lru_cache(maxsize=4096)
def _solution(shown: Shown, marks: tuple[str, ...], notes: tuple[tuple[str, ...], ...]) -> str:
    """``marks``: each part's mark ("(a)"), ``notes``: each part's options' feedback."""
    items = []
    for i, answer in enumerate(shown.answers):
        head = " ".join(x for x in (marks[i], shown.labels[i]) if x)
        items.append(f"{head}: {answer}" if head else answer)
    out = "<p><b>Answer</b><br>" + "<br>".join(items) + "</p>"
    rows = [step_line(label, " = ".join(x for x in (formula, substituted, value) if x))
            for label, formula, substituted, value in shown.steps]
    if rows:
        out += "<p><b>Worked solution</b></p><ol><li>" + "</li><li>".join(rows) + "</li></ol>"
    for i, part_notes in enumerate(notes):
        if part_notes:
            head = " ".join(x for x in (marks[i], shown.labels[i]) if x) or "Options"
            out += f"<p><b>{head}</b><br>" + "<br>".join(part_notes) + "</p>"
    return out


def steps_html(q: ExportQuestion) -> str:
    if not q.steps:
        return ""
    rows = []
    for s in q.steps:
        work = " = ".join(x for x in (s.formula, s.substituted, s.value_text) if x)
        rows.append(step_line(esc(s.label), esc(work)))
    return "<p><b>Worked solution</b></p><ol><li>" + "</li><li>".join(rows) + "</li></ol>"


def solution_html(q: ExportQuestion) -> str:
    """The answer, the worked steps, and why each option of a choice is right or wrong."""
    out = answer_html(q) + steps_html(q)
    for i, part in enumerate(q.parts):
        notes = [f"{c.letter}) {esc(c.feedback)}" for c in part.choices if c.feedback]
        if notes:
            out += f"<p><b>{esc(_name(q, i, part))}</b><br>" + "<br>".join(notes) + "</p>"
    return out
