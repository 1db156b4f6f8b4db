"""Markdown: the question sheets, the answer key and the worked solutions (also the terminal preview).

Every variant starts with a level-2 heading naming the variant (or student) and its seed, so one
file holds the whole set and a TA can cut it per student.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from quizapp.export.model import ExportQuestion, ProblemSet, Variant, key_points, points_text
from quizapp.export.text import paragraphs, segments

FILES = ("questions.md", "answers.md", "solutions.md")
# Characters Markdown would read as markup: backslashes, code and emphasis marks, an underscore
# that is not inside a word (w_1 is safe, _x_ is not), and "<" that could open an HTML tag.
_SPECIAL = re.compile(r"[\\`*]|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])|<(?=[A-Za-z/!?])")


@lru_cache(maxsize=8192)
def esc(text: str) -> str:
    """Text that Markdown shows as written (no emphasis from ``a*b*c``, no HTML from ``<b>``)."""
    return _SPECIAL.sub(lambda m: "\\" + m.group(0), text)


def cell(text: str) -> str:
    return esc(text).replace("|", "\\|").replace("\n", " ")


def code(text: str) -> str:
    """An inline code span that survives backticks and pipes inside a table."""
    text = text.replace("|", "\\|")
    fence = "``" if "`" in text else "`"
    return f"{fence}{text}{fence}" if text else ""


def _lines(text: str) -> list[str]:
    out: list[str] = []
    for seg in segments(text):
        if seg.aligned:
            out += ["```text", *seg.lines, "```", ""]
        else:
            for para in paragraphs(seg.lines):
                out += ["  \n".join(esc(line) for line in para), ""]
    return out


def _header(ps: ProblemSet, what: str) -> list[str]:
    n = len(ps.variants)
    count = len(ps.variants[0].questions) if ps.variants else 0
    return [f"# {esc(ps.title)}{what}", "",
            f"Seed {ps.seed} · {n} variant{'s' if n != 1 else ''} · {count} questions · "
            f"{points_text(ps.points)} point{'s' if ps.points != 1 else ''}", ""]


def _variant_head(v: Variant) -> list[str]:
    return [f"## {esc(v.heading)} (seed {v.seed})", ""]


def _question_head(q: ExportQuestion, sections: bool, last_section: str | None) -> list[str]:
    out = []
    if sections and q.section != last_section and q.section:
        out += [f"### {esc(q.section)}", ""]
    pts = points_text(q.points)
    out += [f"**{q.number}. {esc(q.title)}** ({pts} point{'s' if q.points != 1 else ''})", ""]
    return out


def question_lines(q: ExportQuestion) -> list[str]:
    out = [f"- {esc(c)}" for c in q.conventions]
    out += [""] if out else []
    out += _lines(q.prompt)
    for i, part in enumerate(q.parts):
        head = " ".join(x for x in (q.part_mark(i), esc(part.label), _part_points(q, i)) if x)
        if head:
            out += [head, ""]
        for c in part.choices:
            out.append(f"- {c.letter}) {esc(c.text)}")
        if part.choices:
            out.append("")
    return out


def _part_points(q: ExportQuestion, index: int) -> str:
    """"(2 points)" after a part's label, when the question's points split into whole or half points."""
    if len(q.parts) < 2 or not q.part_points_shown:
        return ""
    pts = q.part_points(index)
    return f"({points_text(pts)} point{'s' if pts != 1 else ''})"


def _each(ps: ProblemSet, body: Callable[[ExportQuestion], list[str]]) -> list[str]:
    out: list[str] = []
    for v in ps.variants:
        out += _variant_head(v)
        last = None
        for q in v.questions:
            out += _question_head(q, True, last) + body(q)
            last = q.section
    return out


def questions(ps: ProblemSet) -> str:
    return _join(_header(ps, "") + _each(ps, question_lines))


def caption(q: ExportQuestion, index: int) -> str:
    """A part as the sheet names it: "(a) the new first moment m" ("" for a question's only, unlabelled
    part); never the part's internal name."""
    return " ".join(x for x in (q.part_mark(index), cell(q.parts[index].label)) if x)


def answer_rows(q: ExportQuestion) -> list[str]:
    return [f"| {q.number} | {caption(q, i) or '-'} | {cell(p.answer_text)} | {key_points(q, i)} |"
            for i, p in enumerate(q.parts)]


def answers(ps: ProblemSet) -> str:
    out = _header(ps, ": answer key")
    for v in ps.variants:
        out += _variant_head(v) + ["| question | part | answer | points |", "|---|---|---|--:|"]
        for q in v.questions:
            out += answer_rows(q)
        out.append("")
    return _join(out)


def solution_lines(q: ExportQuestion) -> list[str]:
    out = [f"Template `{q.template}` v{q.version}, seed {q.seed}", ""]
    out += question_lines(q)
    out += ["Answer: " + "; ".join(" = ".join(x for x in (caption(q, i), cell(p.answer_text)) if x)
                                   for i, p in enumerate(q.parts)), ""]
    if q.steps:
        out += ["| # | what | formula | with the numbers | value |", "|---|---|---|---|---|"]
        out += [f"| {n} | {cell(s.label)} | {code(s.formula)} | {code(s.substituted)} | {code(s.value_text)} |"
                for n, s in enumerate(q.steps, start=1)]
        out.append("")
    for i, p in enumerate(q.parts):
        notes = [f"- {c.letter}) {esc(c.feedback)}" for c in p.choices if c.feedback]
        if notes:
            which = f"of {caption(q, i)} " if caption(q, i) else ""
            out += [f"Why the options {which}are right or wrong:", "", *notes, ""]
    return out


def solutions(ps: ProblemSet) -> str:
    return _join(_header(ps, ": worked solutions") + _each(ps, solution_lines))


def _join(lines: list[str]) -> str:
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def render(ps: ProblemSet) -> dict[str, bytes]:
    return {name: f(ps).encode() for name, f in zip(FILES, (questions, answers, solutions))}
