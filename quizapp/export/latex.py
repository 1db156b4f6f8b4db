"""LaTeX with the ``exam`` document class: question sheets, answer key and worked solutions.

Three documents: ``questions.tex`` (a name/ID line, points per part, room to answer sized to the
part, no question split across pages), ``answers.tex`` (a compact key: one table per variant) and
``solutions.tex`` (answers and worked steps in ``solution`` environments). Each variant starts on
a new page with its own numbering. Prompts, labels, answers and step values come typeset from the
display model (``solvers.display``: ``bmatrix``, ``\\hat{x}``, ``\\sum_{j \\neq y}``).

Text in a CJK script (a roster of names such as 李华, さくら, 김민준) is printed by XeLaTeX in a CJK
font: a document holding some (``needs_xelatex``, which ``generate --pdf`` asks too) says so in its
first line for editors (``% !TEX program = xelatex``) and its preamble picks a CJK font under XeLaTeX
or LuaLaTeX; pdflatex still builds it, printing code points there and a warning. Any other document
is written as before, byte for byte, for pdflatex.
"""

from __future__ import annotations

from question_bank.render import ANSWER_DIGITS, markup
from quizapp.export.model import Choice, ExportQuestion, ProblemSet, Variant, key_points, points_text, step_line
from quizapp.export.text import paragraphs, segments
from solvers import display
from solvers.display import latex_text

FILES = ("questions.tex", "answers.tex", "solutions.tex")

esc = latex_text  # text mode: the display model's one LaTeX escaper


def _aligned(lines: tuple[str, ...]) -> str:
    """Fixed-width lines with every space kept (matrices)."""
    rows = [r"\texttt{" + esc(line).replace(" ", "~") + "}" for line in lines]
    return r"\par\noindent" + r"\newline{}".join(rows) + r"\par{}"


def text(value: str) -> str:
    """Prose with its line breaks kept, and aligned matrices in a fixed-width font (plain text in)."""
    out = []
    for seg in segments(value):
        if seg.aligned:
            out.append(_aligned(seg.lines))
        else:
            out += [r"\newline{}".join(esc(line) for line in para) + r"\par{}" for para in paragraphs(seg.lines)]
    return "\n".join(out)


def typeset(value: str) -> str:
    """Text already typeset for LaTeX (the display model's): its paragraphs and line breaks kept."""
    paras = paragraphs(tuple(value.split("\n")))
    return "\n".join(r"\newline{}".join(para) + r"\par{}" for para in paras)


XELATEX = "% !TEX program = xelatex"  # the magic comment editors read (TeXstudio, TeXShop, TeXworks)
# The CJK font: the first of these installed (Debian: fonts-wqy-microhei, 1.6 MB, has Hangul, which
# fonts-droid-fallback's DroidSansFallbackFull lacks); Noto's is the one macOS and TeX users often have.
CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC")
DEBIAN_PACKAGES = ("texlive-xetex", "fonts-wqy-microhei")  # what a document with CJK text needs


def needs_xelatex(tex: str) -> bool:
    """Whether a document (text or LaTeX source) holds CJK text, which pdflatex cannot print."""
    return display.has_cjk(tex)


_PDFLATEX_FONTS = (r"\usepackage[utf8]{inputenc}", r"\usepackage[T1]{fontenc}", r"\usepackage{lmodern}")


def _cjk_fonts() -> list[str]:
    """XeLaTeX and LuaLaTeX: Unicode fonts and a CJK one for \\cjk{text}{code points}; pdflatex: the
    code points, and a warning that says which engine prints the text."""
    # short enough for the first line of TeX's message (generate --pdf shows that line)
    missing = (rf"\PackageError{{quizapp}}{{no CJK font: apt-get install {DEBIAN_PACKAGES[1]}}}"
               rf"{{The CJK text is printed in one of these fonts: {', '.join(CJK_FONTS)}.}}"
               r"\newcommand{\cjkfont}{}")
    for font in reversed(CJK_FONTS):
        missing = rf"\IfFontExistsTF{{{font}}}{{\newfontfamily\cjkfont{{{font}}}}}{{{missing}}}"
    return [
        r"\usepackage{iftex}",
        r"\iftutex",
        r"\usepackage{fontspec}",
        missing,
        r"\newcommand{\cjk}[2]{{\cjkfont #1}}",
        r"\else",
        *_PDFLATEX_FONTS,
        r"\newcommand{\cjk}[2]{#2}",
        r"\AtEndDocument{\PackageWarningNoLine{quizapp}{This document has CJK text, which pdflatex prints "
        r"as code points ([U+674E]): build it with xelatex (latexmk -xelatex) to print the text}}",
        r"\fi",
    ]


def preamble(title: str, answers: bool, cjk: bool = False) -> list[str]:
    """The lines up to ``\\begin{document}``; ``cjk``: for a document with CJK text (``needs_xelatex``)."""
    return [
        *([XELATEX] if cjk else []),
        r"\documentclass[11pt,addpoints]{exam}",
        *(_cjk_fonts() if cjk else _PDFLATEX_FONTS),
        r"\usepackage{amsmath,amssymb}",
        r"\usepackage[margin=2.2cm]{geometry}",
        r"\usepackage{textcomp}",
        r"\usepackage{longtable,array}",
        r"\sloppy",
        r"\setcounter{MaxMatrixCols}{20}",
        *([r"\printanswers"] if answers else []),
        r"\pointpoints{point}{points}",
        # the question counter runs on across variants (the exam class labels every question and part
        # by it: restarting it would define each label once per variant); each variant shows 1, 2, ...
        r"\newcount\qoffset",
        r"\renewcommand{\thequestion}{\the\numexpr\value{question}-\qoffset\relax}",
        # the question's points as given (exam's \totalpoints counts whole points only: 2.5 showed as 0)
        r"\newcommand{\qpoints}{}",
        r"\newcommand{\qheader}{\textbf{Question \thequestion} \quad (\qpoints)\hfill}",
        # a sheet prints the head inside the question's unbreakable box, so it never ends a page alone
        r"\qformat{\qheader}" if answers else r"\qformat{}",
        rf"\newcommand{{\settitle}}{{{esc(title)}}}",
        r"\begin{document}",
    ]


def _variant_head(ps: ProblemSet, v: Variant, what: str, sheet: bool) -> list[str]:
    out = [
        r"\global\qoffset=\value{question}",
        r"\begin{center}",
        rf"{{\Large\bfseries \settitle{what}}}\\[2pt]",
        rf"{esc(v.heading)} \quad {points_text(ps.points)} {_unit(ps.points)}",
        r"\end{center}",
    ]
    if sheet:  # a student writes their name and ID on the sheet
        out.append(r"\noindent Name: \rule{0.45\textwidth}{0.4pt} \hfill ID: \rule{0.3\textwidth}{0.4pt}\par\bigskip")
    return out


def _question(q: ExportQuestion, body: list[str], sheet: bool) -> list[str]:
    shown = q.shown["latex"]
    # One question never splits across pages. On a sheet it is one unbreakable box (samepage alone
    # still broke at the answer space and between the parts: seen on the PDFs); in the solutions,
    # where a worked solution may be longer than a page, samepage keeps it together when it fits.
    keep = (r"\begin{minipage}[t]{\linewidth}", r"\end{minipage}") if sheet else \
        (r"\begin{samepage}", r"\end{samepage}")
    # exam's point arithmetic takes whole numbers only; parts print their share as text
    points = f"[{points_text(q.points)}]" if float(q.points).is_integer() else ""
    out = [rf"\renewcommand{{\qpoints}}{{{points_text(q.points)}~{_unit(q.points)}}}", rf"\question{points}",
           keep[0], *([r"\qheader\par{}"] if sheet else []), rf"\textbf{{{esc(q.title)}}}\par{{}}"]
    if shown.conventions:
        out += [r"\begin{itemize}"] + [rf"\item{{}} {c}" for c in shown.conventions] + [r"\end{itemize}"]
    out.append(typeset(shown.prompt))
    if q.precision:
        out.append(rf"\textit{{{esc(q.precision)}}}\par{{}}")
    return out + body + [keep[1]]


def _choices(part_choices: tuple[Choice, ...]) -> list[str]:
    if not part_choices:
        return []
    # \CorrectChoice prints like \choice, and is marked when the answers are printed
    items = [rf"\{'CorrectChoice' if c.correct else 'choice'}{{}} {_choice_text(c)}" for c in part_choices]
    return [r"\begin{choices}", *items, r"\end{choices}"]


def _choice_text(c: Choice) -> str:
    if c.value is not None:
        return display.render(display.value(c.value, ANSWER_DIGITS), "latex")
    return markup(c.markup, "latex") if c.markup else esc(c.text)


def space(q: ExportQuestion, index: int) -> str:
    """Room to answer, sized to the part: a number gets two lines, a matrix a line per row and more."""
    part = q.parts[index]
    if part.choices:
        return ""
    rows = len(part.answer) if part.type == "matrix" else 1
    cm = {"number": 1.5, "integer": 1.2, "vector": 2.0, "matrix": 1.5 + 0.8 * rows}.get(part.type, 2.5)
    return rf"\vspace{{{cm:.1f}cm}}"


def _parts(q: ExportQuestion, solution: str) -> list[str]:
    """The parts; ``solution`` is "" (sheet) or "full"."""
    shown = q.shown["latex"]
    if not q.lettered:
        part = q.parts[0]
        out = _choices(part.choices)
        if solution:
            out += _solution(q)
        else:
            out.append(space(q, 0))
        return [line for line in out if line]
    out = [r"\begin{parts}"]
    for i, part in enumerate(q.parts):
        pts = q.part_points(i)  # shown only as whole or half points: else the question's points alone
        head = rf"\part {shown.labels[i] or esc(part.name)}"
        out.append(head + rf" \hfill\emph{{({points_text(pts)}~{_unit(pts)})}}" if q.part_points_shown else head)
        out += _choices(part.choices)
        if not solution:
            out.append(space(q, i))
    out.append(r"\end{parts}")
    if solution:
        out += _solution(q)
    return [line for line in out if line]


def _unit(points: float) -> str:
    return "point" if points == 1 else "points"


def _solution(q: ExportQuestion) -> list[str]:
    shown = q.shown["latex"]
    items = [rf"\item{{}} {q.part_mark(i)} {shown.labels[i] or 'answer'}: \textbf{{{shown.answers[i]}}}"
             for i in range(len(q.parts))]
    out = [r"\begin{solution}", r"\begin{itemize}", *items, r"\end{itemize}"]
    out += _steps(q) + _feedback(q)
    out.append(rf"\par{{\footnotesize template {esc(q.template)} v{q.version}}}")
    return out + [r"\end{solution}"]


def _steps(q: ExportQuestion) -> list[str]:
    steps = q.shown["latex"].steps
    if not steps:
        return []
    out = [r"\textbf{Worked solution}", r"\begin{enumerate}"]
    for label, formula, substituted, value in steps:
        work = " $=$ ".join(x for x in (formula, substituted) if x)
        out.append(r"\item{} " + step_line(label, (work + " $=$ " if work else "") + value))
    return out + [r"\end{enumerate}"]


def _feedback_text(c: Choice) -> str:
    return markup(c.feedback_markup, "latex") if c.feedback_markup else esc(c.feedback)


def _feedback(q: ExportQuestion) -> list[str]:
    out = []
    for i, p in enumerate(q.parts):
        notes = [rf"\item{{}} {c.letter}) {_feedback_text(c)}" for c in p.choices if c.feedback]
        if notes:
            out += [rf"\textbf{{Options of {q.part_mark(i) or 'the question'}}}", r"\begin{itemize}", *notes,
                    r"\end{itemize}"]
    return out


def document(ps: ProblemSet, solution: str) -> str:
    what = {"": "", "full": ": worked solutions"}[solution]
    out: list[str] = []
    for i, v in enumerate(ps.variants):
        if i:
            out.append(r"\newpage")
        # the list restarts its counter: put it back where the last variant stopped
        out += _variant_head(ps, v, what, not solution) + [r"\begin{questions}\setcounter{question}{\qoffset}"]
        for q in v.questions:
            out += _question(q, _parts(q, solution), not solution)
        out.append(r"\end{questions}")
    return _complete(ps.title, bool(solution), out)


def _complete(title: str, answers: bool, body: list[str]) -> str:
    """The document: the preamble its text needs (XeLaTeX for CJK text), ``body``, and the end."""
    text = "\n".join([*body, r"\end{document}"])
    return "\n".join([*preamble(title, answers, needs_xelatex(title + text)), text]) + "\n"


def answer_key(ps: ProblemSet) -> str:
    """The compact key: per variant a table of question, part, answer and points (no prompts)."""
    out = [r"\begin{center}{\Large\bfseries \settitle: answer key}\end{center}",
           # answers wrap in their column: a long option never runs off the page
           rf"\begin{{longtable}}{{@{{}}ll{_RAGGED}p{{11cm}}r@{{}}}}",
           r"\textbf{Q} & \textbf{part} & \textbf{answer} & \textbf{pts}\\ \hline\endhead"]
    for v in ps.variants:
        # the student (or variant) on a row of its own, above their answers
        out.append(rf"\multicolumn{{4}}{{@{{}}l}}{{\textbf{{{esc(v.heading)}}}}}\\*")
        for q in v.questions:
            shown = q.shown["latex"]
            for i in range(len(q.parts)):
                out.append(rf"{q.number} & {q.part_mark(i) or '--'} & {shown.answers[i]} & {key_points(q, i, '--')}\\")
        out.append(r"\hline")
    out.append(r"\end{longtable}")
    return _complete(ps.title, False, out)


_RAGGED = r">{\raggedright\arraybackslash}"


def render(ps: ProblemSet) -> dict[str, bytes]:
    return {"questions.tex": document(ps, "").encode(), "answers.tex": answer_key(ps).encode(),
            "solutions.tex": document(ps, "full").encode()}
