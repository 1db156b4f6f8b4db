"""LaTeX with the ``exam`` document class: question sheets, answer key and worked solutions.

Three documents: ``questions.tex`` (points, room to answer), ``answers.tex`` and
``solutions.tex`` (``\\printanswers``, answers in ``solution`` environments). Each variant starts
on a new page with its own numbering. The text is plain UTF-8 in the bank; pdflatex only knows
a few non-ASCII characters, so Greek letters, sub- and superscripts, arrows and operators are
written as LaTeX commands, and any other character as its code point (never a compile error).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from quizapp.export.model import Choice, ExportQuestion, ProblemSet, Variant, points_text
from quizapp.export.text import paragraphs, segments

FILES = ("questions.tex", "answers.tex", "solutions.tex")

_ESCAPES = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "#": r"\#", "$": r"\$", "%": r"\%", "&": r"\&",
    "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "<": r"\textless{}",
    ">": r"\textgreater{}", "|": r"\textbar{}", '"': r"\textquotedbl{}",
}
_GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "varepsilon", "ζ": "zeta", "η": "eta",
    "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi", "π": "pi",
    "ρ": "rho", "σ": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega",
    "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda", "Ξ": "Xi", "Π": "Pi", "Σ": "Sigma",
    "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega",
}
_MATH = {
    "·": r"\cdot", "×": r"\times", "÷": r"\div", "±": r"\pm", "←": r"\leftarrow", "→": r"\rightarrow",
    "⇒": r"\Rightarrow", "↔": r"\leftrightarrow", "∂": r"\partial", "∇": r"\nabla", "√": r"\surd",
    "≈": r"\approx", "≠": r"\neq", "≤": r"\leq", "≥": r"\geq", "⊙": r"\odot", "‖": r"\|", "∞": r"\infty",
    "∈": r"\in", "∑": r"\sum", "∏": r"\prod", "∫": r"\int", "−": "-", "′": "'", "∘": r"\circ",
    "⊤": r"\top", "ℝ": r"\mathbb{R}", "½": r"\tfrac{1}{2}", "¼": r"\tfrac{1}{4}", "¾": r"\tfrac{3}{4}",
    "•": r"\bullet", "…": r"\ldots", "ℓ": r"\ell",
}
_SUPER = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻ᵀᵗⁿˣ", "0123456789+-Ttnx"))
_SUB = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋ᵢⱼₖₙₜ", "0123456789+-ijknt"))
_TEXT = {"–": "--", "—": "---", "‘": "`", "’": "'", "“": "``", "”": "''", "\u00a0": "~", "°": r"\textdegree{}"}


def _char(ch: str) -> str:
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    if ch.isascii():
        return ch
    if ch in _GREEK:
        return rf"\ensuremath{{\{_GREEK[ch]}}}"
    if ch in _MATH:
        return rf"\ensuremath{{{_MATH[ch]}}}"
    if ch in _SUB:
        return rf"\ensuremath{{_{{\mathrm{{{_SUB[ch]}}}}}}}"
    if ch in _SUPER:
        return rf"\ensuremath{{^{{\mathrm{{{_SUPER[ch]}}}}}}}"
    if ch in _TEXT:
        return _TEXT[ch]
    return _fallback(ch)


def _fallback(ch: str) -> str:
    # ŷ and friends are estimates (hats) here; other Latin letters with accents pass (pdflatex's
    # utf8 input knows them); anything else becomes its decomposition, or its code point.
    parts = unicodedata.normalize("NFD", ch)
    if len(parts) == 2 and parts[1] == "\u0302" and parts[0].isascii():
        return rf"\ensuremath{{\hat{{{parts[0]}}}}}"
    if unicodedata.category(ch).startswith("L") and ord(ch) < 0x180:
        return ch
    plain = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
    if plain:
        return "".join(_char(c) for c in plain)
    return rf"\texttt{{[U+{ord(ch):04X}]}}"


_HAT = re.compile(r"(.)\u0302")
_TABLE: dict[int, str] = {}  # code point -> LaTeX, filled as characters are met (str.translate is fast)


@lru_cache(maxsize=8192)
def esc(text: str) -> str:
    """``text`` as LaTeX source for text mode (hats from a combining circumflex, x̂, kept)."""
    pieces = _HAT.split(text)  # [text, hatted char, text, hatted char, ..., text]
    out = []
    for i, piece in enumerate(pieces):
        out.append(rf"\ensuremath{{\hat{{{_math_atom(piece)}}}}}" if i % 2 else _plain(piece))
    return "".join(out)


def _plain(text: str) -> str:
    for ch in set(text):
        if ord(ch) not in _TABLE:
            # an accent that did not follow a letter we can hat: dropped rather than break the build
            _TABLE[ord(ch)] = "" if unicodedata.combining(ch) else _char(ch)
    return text.translate(_TABLE)


def _math_atom(ch: str) -> str:
    if ch in _GREEK:
        return "\\" + _GREEK[ch]
    return ch if ch.isalnum() and ch.isascii() else "x"


def _aligned(lines: tuple[str, ...]) -> str:
    """Fixed-width lines with every space kept (matrices)."""
    rows = [r"\texttt{" + esc(line).replace(" ", "~") + "}" for line in lines]
    return r"\par\noindent" + r"\newline{}".join(rows) + r"\par{}"


def text(value: str) -> str:
    """Prose with its line breaks kept, and aligned matrices in a fixed-width font."""
    out = []
    for seg in segments(value):
        if seg.aligned:
            out.append(_aligned(seg.lines))
        else:
            out += [r"\newline{}".join(esc(line) for line in para) + r"\par{}" for para in paragraphs(seg.lines)]
    return "\n".join(out)


def preamble(title: str, answers: bool) -> list[str]:
    return [
        r"\documentclass[11pt,addpoints]{exam}",
        r"\usepackage[utf8]{inputenc}",
        r"\usepackage[T1]{fontenc}",
        r"\usepackage{lmodern}",
        r"\usepackage{amsmath,amssymb}",
        r"\usepackage[margin=2.2cm]{geometry}",
        r"\usepackage{textcomp}",
        r"\sloppy",
        *([r"\printanswers"] if answers else []),
        r"\pointpoints{point}{points}",
        r"\qformat{\textbf{Question \thequestion} \quad (\totalpoints~\points)\hfill}",
        rf"\newcommand{{\settitle}}{{{esc(title)}}}",
        r"\begin{document}",
    ]


def _variant_head(ps: ProblemSet, v: Variant, what: str) -> list[str]:
    return [
        r"\setcounter{question}{0}",
        r"\begin{center}",
        rf"{{\Large\bfseries \settitle{what}}}\\[2pt]",
        rf"{esc(v.heading)} \quad seed {v.seed} \quad {points_text(ps.points)} points",
        r"\end{center}",
    ]


def _question(q: ExportQuestion, body: list[str]) -> list[str]:
    out = [rf"\question[{points_text(q.points)}] \textbf{{{esc(q.title)}}}\par{{}}"]
    if q.conventions:
        out += [r"\begin{itemize}"] + [rf"\item{{}} {esc(c)}" for c in q.conventions] + [r"\end{itemize}"]
    return out + [text(q.prompt)] + body


def _choices(part_choices: tuple[Choice, ...]) -> list[str]:
    if not part_choices:
        return []
    # \CorrectChoice prints like \choice, and is marked when the answers are printed
    items = [rf"\{'CorrectChoice' if c.correct else 'choice'}{{}} {esc(c.text)}" for c in part_choices]
    return [r"\begin{choices}", *items, r"\end{choices}"]


def _parts(q: ExportQuestion, solution: str) -> list[str]:
    """The parts; ``solution`` is "" (sheet), "answer" or "full"."""
    if not q.lettered:
        part = q.parts[0]
        out = _choices(part.choices)
        if solution:
            out += _solution(q, solution)
        elif not part.choices:
            out.append(r"\vspace{2.5cm}")
        return out
    out = [r"\begin{parts}"]
    for part in q.parts:
        out.append(rf"\part{{}} {esc(part.label or part.name)}")
        out += _choices(part.choices)
        if not solution:
            out.append(r"\vspace{1.5cm}" if not part.choices else "")
    out.append(r"\end{parts}")
    if solution:
        out += _solution(q, solution)
    return [line for line in out if line]


def _solution(q: ExportQuestion, kind: str) -> list[str]:
    items = [rf"\item{{}} {esc(f'{q.part_mark(i)} {p.name}'.strip())} $=$ \textbf{{{esc(p.answer_text)}}}"
             for i, p in enumerate(q.parts)]
    out = [r"\begin{solution}", r"\begin{itemize}", *items, r"\end{itemize}"]
    if kind == "full":
        out += _steps(q) + _feedback(q)
        out.append(rf"\par{{\footnotesize template {esc(q.template)} v{q.version}, seed {q.seed}}}")
    return out + [r"\end{solution}"]


def _steps(q: ExportQuestion) -> list[str]:
    if not q.steps:
        return []
    out = [r"\textbf{Worked solution}", r"\begin{enumerate}"]
    for s in q.steps:
        work = " $=$ ".join(esc(x) for x in (s.formula, s.substituted) if x)
        value = rf"\textbf{{{esc(s.value_text)}}}"
        out.append(rf"\item{{}} {esc(s.label)}: {work + ' $=$ ' if work else ''}{value}")
    return out + [r"\end{enumerate}"]


def _feedback(q: ExportQuestion) -> list[str]:
    out = []
    for p in q.parts:
        notes = [rf"\item{{}} {c.letter}) {esc(c.feedback)}" for c in p.choices if c.feedback]
        if notes:
            out += [rf"\textbf{{Options of {esc(p.name)}}}", r"\begin{itemize}", *notes, r"\end{itemize}"]
    return out


def document(ps: ProblemSet, solution: str) -> str:
    what = {"": "", "answer": ": answer key", "full": ": worked solutions"}[solution]
    out = preamble(ps.title, bool(solution))
    for i, v in enumerate(ps.variants):
        if i:
            out.append(r"\newpage")
        out += _variant_head(ps, v, what) + [r"\begin{questions}"]
        for q in v.questions:
            out += _question(q, _parts(q, solution))
        out.append(r"\end{questions}")
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"


def render(ps: ProblemSet) -> dict[str, bytes]:
    return {name: document(ps, kind).encode() for name, kind in zip(FILES, ("", "answer", "full"))}
