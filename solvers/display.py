"""The display model: how numbers, vectors, matrices and maths become text, in one place.

Every number a person reads goes through :func:`number` (no float noise, no ``-0``). Values are
drawn by one renderer per medium:

- ``terminal``: Unicode, matrices on several lines with aligned columns;
- ``plain``: Unicode on one line (GIFT, CSV, JSON text fields);
- ``latex``: amsmath (``bmatrix``, ``\\sigma``, ``\\hat{x}``, ``\\sum_{j \\neq y}``);
- ``html``: HTML text with MathJax maths ``\\(...\\)`` (Moodle, QTI, Anki, Markdown).

Template text may write maths once between dollars, ``$\\sum_{j \\neq y} \\max(0, s_j - s_y + \\Delta)$``,
in a small TeX subset (:data:`COMMANDS`, ``_`` and ``^`` with a character or a ``{group}``); every
renderer understands it (see docs/templates.md). This module is pure: no I/O, no UI.
"""

from __future__ import annotations

import html as _html
import math
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

MEDIA = ("terminal", "plain", "latex", "html")
NOISE_DIGITS = 12  # a float64 result keeps ~15 good digits; 12 hides 0.1 + 0.2 noise and keeps real precision


# ----- numbers --------------------------------------------------------------------------------


def number(x: Any, digits: int | None = None, positional: bool = False) -> str:
    """A number the way it is written by hand: ``3``, ``-0.5``, ``0.13``, ``1e-8``, never ``-0``.

    ``digits`` rounds to that many significant figures; without it only float noise is removed
    (``0.13000000000000006`` reads ``0.13``). ``positional`` never uses an exponent (Moodle).
    """
    if type(x) is not float:  # the common case first: a plain float is neither of these
        if isinstance(x, (bool, np.bool_)):
            return "true" if x else "false"
        if isinstance(x, (int, np.integer)):
            return str(int(x))
        x = float(x)
    return _float_text(x, digits or NOISE_DIGITS, positional)


@lru_cache(maxsize=1 << 16)
def _float_text(x: float, places: int, positional: bool) -> str:
    """:func:`number` of a float, remembered: every format and medium writes the same answers again."""
    if not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    x = float(f"{x:.{places}g}")
    if x == 0:
        return "0"
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    if positional:
        return np.format_float_positional(x, trim="-")
    text = f"{x:.{places}g}"
    if "e" in text:
        mantissa, exp = text.split("e")
        text = f"{mantissa}e{int(exp)}"
    return text


def clean(x: Any) -> Any:
    """A value as plain JSON data with no ``-0.0`` (data files keep every bit of the solver's answer,
    so a script reads exactly what ``solve --json`` gives; text goes through :func:`number`)."""
    if type(x) is float:  # the common case first
        return 0.0 if x == 0 else x
    if isinstance(x, (bool, np.bool_, int, np.integer, str)) or x is None:
        return x
    if isinstance(x, (float, np.floating)):
        return 0.0 if x == 0 else float(x)
    if isinstance(x, np.ndarray):
        return clean(x.tolist())
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):  # a float entry inline (most entries): as clean(v) gives it
        return [(0.0 if v == 0 else v) if type(v) is float else clean(v) for v in x]
    return x


# ----- structured values ----------------------------------------------------------------------


@dataclass(frozen=True)
class Num:
    value: float
    digits: int | None = None


@dataclass(frozen=True)
class Vec:
    entries: tuple[Any, ...]  # Num or Text


@dataclass(frozen=True)
class Mat:
    rows: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Math:
    """Maths in the inline markup (a formula tree once parsed): ``\\hat{y}_1``, ``\\partial L/\\partial W_1``."""

    markup: str


def sym(base: str, sub: str = "", sup: str = "", hat: bool = False) -> Math:
    """A symbol with a subscript, superscript or hat, as markup: ``sym("W", "1")`` is W₁."""
    out = rf"\hat{{{base}}}" if hat else base
    if sub:
        out += f"_{{{sub}}}"
    if sup:
        out += f"^{{{sup}}}"
    return Math(out)


@dataclass(frozen=True)
class Quantity:
    """A named value: ``∂L/∂W₁ = [...]``."""

    name: Math
    value: Any


_NUMBER_TYPES = frozenset({int, float, np.int64, np.float64, np.int32, np.float32})  # exactly (bool is an int)


def value(v: Any, digits: int | None = None) -> Any:
    """A Python, NumPy or JSON value as a structured value."""
    if type(v) in _NUMBER_TYPES:  # the common case first
        return Num(v, digits)
    if type(v) is list and v:  # then vectors and matrices as lists (records, answers): no other check
        if type(v[0]) in _NUMBER_TYPES:
            return Vec(_entries(v, digits))
        if all(type(row) is list for row in v):
            return Mat(tuple([_entries(row, digits) for row in v]))
    if isinstance(v, (Num, Vec, Mat, Text, Math, Quantity)):
        return v
    if isinstance(v, str):
        return Text(v)
    if isinstance(v, dict):
        return Text(", ".join(f"{k}: {render(value(x, digits), 'plain')}" for k, x in v.items()))
    if isinstance(v, np.ndarray) and v.ndim == 0:
        return value(v[()], digits)
    if isinstance(v, np.ndarray) and v.dtype.kind in "fiu":
        # as lists of Python numbers: the same entries (number() converts NumPy's scalars to them), drawn
        # without NumPy scalars' slow checks; a solver's values are mostly arrays
        return value(v.tolist(), digits)
    if isinstance(v, (list, tuple, np.ndarray)):
        items = list(v)
        if items and all(isinstance(r, (list, tuple, np.ndarray)) for r in items):
            return Mat(tuple(_entries(r, digits) for r in items))
        return Vec(_entries(items, digits))
    if isinstance(v, (bool, np.bool_)):
        return Text("true" if v else "false")
    if isinstance(v, (int, float, np.integer, np.floating)):
        return Num(v, digits)
    return Text(str(v))  # a symbolic expression, None, an object: its own text


def _entries(items: Any, digits: int | None) -> tuple[Any, ...]:
    # numbers made here, without a call each: vectors and matrices are most of the values drawn
    return tuple([Num(x, digits) if type(x) in _NUMBER_TYPES else value(x, digits) for x in items])


# ----- the inline maths markup ----------------------------------------------------------------

# command -> (Unicode, LaTeX). Commands with an argument are handled in _command.
COMMANDS: dict[str, tuple[str, str]] = {
    **{g: (u, "\\" + g) for g, u in zip(
        ("alpha beta gamma delta epsilon varepsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau "
         "upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Phi Psi Omega").split(),
        "αβγδεεζηθικλμνξπρστυφχψωΓΔΘΛΞΠΣΦΨΩ")},
    "sum": ("Σ", r"\sum"), "prod": ("Π", r"\prod"), "partial": ("∂", r"\partial"), "nabla": ("∇", r"\nabla"),
    "cdot": ("·", r"\cdot"), "times": ("×", r"\times"), "odot": ("⊙", r"\odot"), "pm": ("±", r"\pm"),
    "neq": ("≠", r"\neq"), "ne": ("≠", r"\neq"), "leq": ("≤", r"\leq"), "le": ("≤", r"\leq"),
    "geq": ("≥", r"\geq"), "ge": ("≥", r"\geq"), "approx": ("≈", r"\approx"), "in": ("∈", r"\in"),
    "leftarrow": ("←", r"\leftarrow"), "gets": ("←", r"\leftarrow"), "to": ("→", r"\to"),
    "rightarrow": ("→", r"\rightarrow"), "infty": ("∞", r"\infty"), "top": ("ᵀ", r"^{\top}"),
    "ell": ("ℓ", r"\ell"), "ldots": ("…", r"\ldots"), "|": ("‖", r"\|"), ",": (" ", r"\,"), " ": (" ", r"\ "),
    "{": ("{", r"\{"), "}": ("}", r"\}"), "_": ("_", r"\_"), "%": ("%", r"\%"), "&": ("&", r"\&"),
    **{f: (f, "\\" + f) for f in ("log", "exp", "max", "min", "tanh", "sign", "ln", "sin", "cos", "arg")},
}
_OPERATORS = ("cdot", "times", "odot", "pm", "neq", "ne", "leq", "le", "geq", "ge", "approx", "in", "leftarrow",
              "gets", "to", "rightarrow")
WITH_ARGUMENT = ("hat", "bar", "tilde", "sqrt", "frac", "mathrm", "text", "mathbf", "operatorname")
_SUBSCRIPT = dict(zip("0123456789+-=()aeijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))


def named(name: str) -> str:
    """A quantity's name as the course writes it: trailing digits as a subscript (``n1`` → n₁, ``W2`` → W₂)."""
    stem = name.rstrip("0123456789")
    digits = name[len(stem):]
    return stem + "".join(_SUBSCRIPT[d] for d in digits) if stem and digits else name
_SUPERSCRIPT = dict(zip("0123456789+-=()Tintx", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵀⁱⁿᵗˣ"))
_TOKEN = re.compile(r"\\([A-Za-z]+|.)|([{}_^])|(\s+)|(.)", re.S)


class MarkupError(ValueError):
    """Maths markup that no renderer can draw: says what and where."""


@dataclass(frozen=True)
class _Node:
    kind: str  # "char", "cmd", "group", "sub", "sup", "space"
    text: str = ""
    args: tuple[Any, ...] = ()


def parse(markup: str) -> list[_Node]:
    """The formula tree of ``markup``; raises MarkupError naming the problem and its position."""
    tokens = [(m.start(), m.group(0), m.lastindex) for m in _TOKEN.finditer(markup)]
    nodes, pos = _parse_seq(markup, tokens, 0, top=True)
    return nodes


def _parse_seq(src: str, toks: list[tuple[int, str, int]], i: int, top: bool) -> tuple[list[_Node], int]:
    out: list[_Node] = []
    while i < len(toks):
        at, tok, kind = toks[i]
        if tok == "}":
            if top:
                raise MarkupError(f"maths {src!r}: '}}' at position {at + 1} closes nothing")
            return out, i + 1
        if tok in "_^" and kind == 2:
            arg, i = _parse_atom(src, toks, i + 1, at)
            out.append(_Node("sub" if tok == "_" else "sup", args=(arg,)))
            continue
        atom, i = _parse_atom(src, toks, i, at)
        out.append(atom)
        if atom.kind == "cmd" and not atom.args and atom.text.isalpha() and atom.text not in _OPERATORS \
                and i < len(toks) and toks[i][2] == 3:
            i += 1  # "\partial L" reads ∂L: TeX ignores the space after a command word, and so do we
    if not top:
        raise MarkupError(f"maths {src!r}: a '{{' is never closed")
    return out, i


def _parse_atom(src: str, toks: list[tuple[int, str, int]], i: int, at: int) -> tuple[_Node, int]:
    if i >= len(toks):
        raise MarkupError(f"maths {src!r}: something is missing after position {at + 1}")
    pos, tok, kind = toks[i]
    if tok == "{" and kind == 2:
        seq, i = _parse_seq(src, toks, i + 1, top=False)
        return _Node("group", args=tuple(seq)), i
    if kind == 1:
        name = tok[1:]
        if name in WITH_ARGUMENT:
            count = 2 if name == "frac" else 1
            args, i = [], i + 1
            for _ in range(count):
                arg, i = _parse_atom(src, toks, i, pos)
                args.append(arg)
            return _Node("cmd", name, tuple(args)), i
        if name not in COMMANDS:
            raise MarkupError(f"maths {src!r}: unknown command \\{name} at position {pos + 1}")
        return _Node("cmd", name), i + 1
    if kind == 3:
        return _Node("space", " "), i + 1
    return _Node("char", tok), i + 1


def _unicode_seq(nodes: Any) -> str:
    out, named = "", False
    for n in nodes:
        text = _unicode(n)
        if named and text[:1].isalnum():
            out += " "  # log p, not logp: a function name keeps its space (the parser drops it, as TeX does)
        out += text
        named = n.kind == "cmd" and len(text) > 1 and text.isalpha()
    return out


def _unicode(n: _Node) -> str:
    if n.kind in ("char", "space"):
        return n.text
    if n.kind == "group":
        return _unicode_seq(n.args)
    if n.kind in ("sub", "sup"):
        inner = _unicode(n.args[0])
        table = _SUBSCRIPT if n.kind == "sub" else _SUPERSCRIPT
        if inner and all(c in table for c in inner):
            return "".join(table[c] for c in inner)
        mark = "_" if n.kind == "sub" else "^"
        return f"{mark}{inner}" if len(inner) == 1 else f"{mark}({inner})"
    name = n.text
    if name in ("hat", "bar", "tilde"):
        inner = _unicode(n.args[0])
        accent = {"hat": "\u0302", "bar": "\u0304", "tilde": "\u0303"}[name]
        return unicodedata.normalize("NFC", inner + accent) if len(inner) == 1 else f"{name}({inner})"
    if name == "sqrt":
        inner = _unicode(n.args[0])
        return "√" + (inner if len(inner) == 1 else f"({inner})")
    if name == "frac":
        top, bottom = (_unicode(a) for a in n.args)
        return f"{_wrap(top)}/{_wrap(bottom)}"
    if name in WITH_ARGUMENT:
        return _unicode(n.args[0])
    return COMMANDS[name][0]


def _wrap(text: str) -> str:
    return f"({text})" if re.search(r"[\s+\-−·×/]", text.strip()) and not text.startswith("(") else text


def _latex_seq(nodes: Any) -> str:
    out = ""
    for n in nodes:
        text = _latex(n)
        if out and out[-1].isalpha() and re.search(r"\\[A-Za-z]+$", out) and text[:1].isalpha():
            out += " "  # \\sigma x, not \\sigmax
        out += text
    return out


def _latex(n: _Node) -> str:
    if n.kind == "char":
        return {"#": r"\#", "$": r"\$", "%": r"\%", "&": r"\&", "~": r"\sim "}.get(n.text, n.text)
    if n.kind == "space":
        return " "
    if n.kind == "group":
        return "{" + _latex_seq(n.args) + "}"
    if n.kind in ("sub", "sup"):
        return ("_" if n.kind == "sub" else "^") + _braced(n.args[0])
    if n.text in WITH_ARGUMENT:
        return "\\" + n.text + "".join(_braced(a) for a in n.args)
    return COMMANDS[n.text][1]


def _braced(n: _Node) -> str:
    return _latex(n) if n.kind == "group" else "{" + _latex(n) + "}"


@lru_cache(maxsize=4096)  # a template's maths is drawn again for every variant (values stand in as sentinels)
def math_text(markup: str, medium: str) -> str:
    """Maths markup drawn for ``medium`` (LaTeX and HTML keep it TeX: ``$...$`` / ``\\(...\\)``)."""
    nodes = parse(markup)
    if medium == "latex":
        return "$" + _latex_seq(nodes).strip() + "$"
    if medium == "html":
        return r"\(" + _html.escape(_latex_seq(nodes).strip(), quote=False) + r"\)"
    return _unicode_seq(nodes)


# ----- renderers ------------------------------------------------------------------------------


def render(v: Any, medium: str = "terminal", in_math: bool = False) -> str:
    """A (structured or plain) value as text for ``medium``; ``in_math``: inside LaTeX/MathJax maths."""
    if type(v) not in _STRUCTURED:  # most values drawn are structured already (value() would return them)
        v = value(v)
    if medium not in MEDIA:
        raise ValueError(f"unknown medium {medium!r} (media: {', '.join(MEDIA)})")
    return _RENDERERS[medium](v, in_math)


def render_media(v: Any, media: tuple[str, ...]) -> tuple[str, ...]:
    """:func:`render` of one value for each of ``media`` (outside maths); HTML draws a value other than a
    matrix or maths as its plain text, escaped: that text is drawn once for both."""
    if type(v) not in _STRUCTURED:
        v = value(v)
    plain = None
    out = []
    for medium in media:
        if medium in ("plain", "html") and not isinstance(v, (Mat, Math)):
            if plain is None:
                plain = _unicode_render(v, False)
            out.append(plain if medium == "plain" else _html.escape(plain, quote=False))
        else:
            out.append(render(v, medium))
    return tuple(out)


_STRUCTURED = frozenset({Num, Vec, Mat, Text, Math, Quantity})


def _cell(v: Any) -> str:
    if type(v) is Num:  # most cells: before any other check
        if type(v.value) is float:  # number() of a float, without its checks
            return _float_text(v.value, v.digits or NOISE_DIGITS, False)
        return number(v.value, v.digits)
    return _unicode_render(v, False)  # text, maths, or a nested array (N×C×H×W) on one line


def _unicode_render(v: Any, multiline: bool) -> str:
    if isinstance(v, Num):
        return _cell(v)
    if isinstance(v, Text):
        return v.text
    if isinstance(v, Math):
        return math_text(v.markup, "plain")
    if isinstance(v, Quantity):
        return f"{math_text(v.name.markup, 'plain')} = {_unicode_render(value(v.value), multiline)}"
    if isinstance(v, Vec):
        return "[" + ", ".join([_cell(x) for x in v.entries]) + "]"  # _cell: a Num or a value on one line
    if multiline:
        return aligned_rows([[_cell(x) for x in row] for row in v.rows])
    return "[" + ", ".join(["[" + ", ".join([_cell(x) for x in row]) + "]" for row in v.rows]) + "]"


def aligned_rows(cells: list[list[str]]) -> str:
    """Rows on their own lines, columns right-aligned: ``[ 1, -2 ]`` over ``[ 3,  4 ]``."""
    ncols = max((len(r) for r in cells), default=0)
    widths = [max((len(r[j]) for r in cells if j < len(r)), default=0) for j in range(ncols)]
    return "\n".join("[ " + ", ".join(c.rjust(widths[j]) for j, c in enumerate(r)) + " ]" for r in cells)


def _tex_number(v: Num) -> str:
    x = v.value
    text = _float_text(x, v.digits or NOISE_DIGITS, False) if type(x) is float else number(x, v.digits)
    if "e" in text and text not in ("inf", "-inf", "nan"):
        mantissa, exp = text.split("e")
        text = (rf"{mantissa} \times 10^{{{exp}}}" if mantissa != "1" else rf"10^{{{exp}}}")
    return _TEX_SPECIAL.get(text, text)


_TEX_SPECIAL = {"inf": r"\infty", "-inf": r"-\infty", "nan": r"\mathrm{NaN}"}


def _tex_cell(v: Any) -> str:
    if type(v) is Num:  # most cells: before any other check
        return _tex_number(v)
    if isinstance(v, (Vec, Mat)):
        return _latex_render(v, True)
    if isinstance(v, Text):
        return r"\text{" + latex_text(v.text) + "}"
    if isinstance(v, Math):
        return _latex_seq(parse(v.markup))
    return _tex_number(v)


def _latex_render(v: Any, in_math: bool) -> str:
    if isinstance(v, Text):
        return latex_text(v.text) if not in_math else r"\text{" + latex_text(v.text) + "}"
    if isinstance(v, Quantity):
        body = _latex_seq(parse(v.name.markup)) + " = " + _latex_render(value(v.value), True)
    elif isinstance(v, Vec):
        body = r"\begin{bmatrix}" + " & ".join([_tex_cell(x) for x in v.entries]) + r"\end{bmatrix}"
    elif isinstance(v, Mat):
        body = (r"\begin{bmatrix}" + r" \\ ".join([" & ".join([_tex_cell(x) for x in row]) for row in v.rows])
                + r"\end{bmatrix}")
    else:
        body = _tex_cell(v)
    return body if in_math else f"${body}$"


def _html_render(v: Any, in_math: bool) -> str:
    if isinstance(v, Mat) or (in_math and not isinstance(v, Text)):
        tex = _latex_render(v, True)
        return _html.escape(tex, quote=False) if in_math else r"\(" + _html.escape(tex, quote=False) + r"\)"
    if isinstance(v, Math):
        return math_text(v.markup, "html")
    return _html.escape(_unicode_render(v, False), quote=False)


_RENDERERS: dict[str, Callable[[Any, bool], str]] = {
    "terminal": lambda v, _m: _unicode_render(v, True),
    "plain": lambda v, _m: _unicode_render(v, False),
    "latex": _latex_render,
    "html": _html_render,
}


# ----- LaTeX text mode ------------------------------------------------------------------------
# pdflatex knows few non-ASCII characters: Greek letters, sub- and superscripts, arrows and
# operators become LaTeX commands, a run of CJK characters becomes \cjk{run}{code points} (see
# CJK_RANGES), and any other character its code point (never a compile error).

# Chinese, Japanese and Korean script, which pdflatex cannot print: a document holding any is built
# with XeLaTeX and a CJK font (quizapp.export.latex). Only characters that were written as code
# points are here (so a document without them is written as before): the CJK characters that
# decompose to ASCII (fullwidth Ａ and ，, the ideographic space) or to Latin (enclosed ㈠, ㎏) are not.
CJK_RANGES = (
    (0x1100, 0x11FF),  # Hangul Jamo (a Korean name in decomposed form)
    (0x2E80, 0x2FDF),  # CJK and Kangxi radicals
    (0x3001, 0x303F),  # CJK symbols and punctuation (、。「」), not U+3000, the ideographic space
    (0x3040, 0x309A),  # Hiragana (not U+309B/C, the spacing voiced marks: a space and an accent)
    (0x309D, 0x30FF),  # Hiragana iteration marks, Katakana
    (0x3100, 0x31FF),  # Bopomofo, Hangul compatibility jamo, Kanbun, CJK strokes, Katakana extension
    (0x3400, 0x4DBF),  # CJK Unified Ideographs Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs (hanzi, kanji, hanja)
    (0xA960, 0xA97F),  # Hangul Jamo Extended-A
    (0xAC00, 0xD7FF),  # Hangul syllables, Hangul Jamo Extended-B
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0xFF61, 0xFFDC),  # halfwidth Katakana and Hangul (not the fullwidth ASCII before them)
    (0x20000, 0x323AF),  # CJK Unified Ideographs Extensions B to H, compatibility supplement
)
_CJK_CLASS = "".join(f"{chr(a)}-{chr(b)}" for a, b in CJK_RANGES)
_CJK_RUN = re.compile(f"([{_CJK_CLASS}]+)")
_CJK = re.compile(f"[{_CJK_CLASS}]")


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds a character of CJK_RANGES (fast on ASCII text)."""
    return not text.isascii() and _CJK.search(text) is not None


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
_MET: set[str] = set()  # the characters in _TABLE


@lru_cache(maxsize=8192)
def latex_text(text: str) -> str:
    """``text`` as LaTeX source for text mode (hats from a combining circumflex, x̂, kept)."""
    pieces = _HAT.split(text)  # [text, hatted char, text, hatted char, ..., text]
    out = []
    for i, piece in enumerate(pieces):
        out.append(rf"\ensuremath{{\hat{{{_math_atom(piece)}}}}}" if i % 2 else _plain(piece))
    return "".join(out)


def _plain(text: str) -> str:
    new = set(text) - _MET  # one pass in C: most texts hold no character not met before
    for ch in new:
        # an accent that did not follow a letter we can hat: dropped rather than break the build
        _TABLE[ord(ch)] = "" if unicodedata.combining(ch) else _char(ch)
    _MET.update(new)
    if text.isascii() or not _CJK.search(text):
        return text.translate(_TABLE)
    # [text, CJK run, text, ...]: a run as itself for XeLaTeX, and as before (code points) for pdflatex
    pieces = _CJK_RUN.split(text)
    return "".join(rf"\cjk{{{p}}}{{{p.translate(_TABLE)}}}" if i % 2 else p.translate(_TABLE)
                   for i, p in enumerate(pieces))


def _math_atom(ch: str) -> str:
    if ch in _GREEK:
        return "\\" + _GREEK[ch]
    return ch if ch.isalnum() and ch.isascii() else "x"


# ----- text with maths ------------------------------------------------------------------------

_DOLLARS = re.compile(r"(?<!\\)\$(.+?)(?<!\\)\$", re.S)


def split_maths(text: str) -> Iterator[tuple[bool, str]]:
    """(is maths, piece) for the prose and ``$...$`` maths of ``text``."""
    pos = 0
    for m in _DOLLARS.finditer(text):
        if m.start() > pos:
            yield False, text[pos : m.start()]
        yield True, m.group(1)
        pos = m.end()
    if pos < len(text):
        yield False, text[pos:]


def text_with_maths(text: str, medium: str, prose: Callable[[str], str] | None = None) -> str:
    """Prose with ``$...$`` maths drawn for ``medium``; ``prose`` escapes the text between (LaTeX, HTML)."""
    out = []
    for is_math, piece in split_maths(text):
        if is_math:
            out.append(math_text(piece, medium))
        else:
            out.append(prose(piece) if prose else piece.replace(r"\$", "$"))
    return "".join(out)


# ----- worked-step formulas -------------------------------------------------------------------

# A step's formula and its numbers are plain text in the course's notation ("β₁^t", "e^[-1, 0, 1]",
# "s_y"): ^ and _ take the next group ((...) or [...]) or run of letters, digits and primes.
_SCRIPT = re.compile(r"(?<=[\w\u0370-\u03ff)\]′̂])([\^_])"
                     r"(-?[\w\u0370-\u03ff.′]+|\((?:[^()]|\([^()]*\))*\)|\[[^\[\]]*\])")


@lru_cache(maxsize=8192)
def formula_text(text: str, medium: str) -> str:
    """A worked step's formula or numbers for ``medium``: LaTeX and HTML raise what follows ``^`` and
    lower what follows ``_`` (0.9^t, e^(-z), s_y), which plain text and the terminal write as is."""
    if medium not in ("latex", "html"):
        return text
    if "^" not in text and "_" not in text:
        return _formula_prose(text, medium)
    out, pos = [], 0
    for m in _SCRIPT.finditer(text):
        out.append(_formula_prose(text[pos : m.start()], medium))
        arg = m.group(2)
        if arg.startswith("(") and arg.endswith(")") and m.group(1) == "^":
            arg = arg[1:-1]  # e^(-z) is raised as e^{-z}: the brackets only grouped it
        inner = _formula_prose(arg, medium)
        tag = {"^": ("textsuperscript", "sup"), "_": ("textsubscript", "sub")}[m.group(1)]
        out.append(rf"\{tag[0]}{{{inner}}}" if medium == "latex" else f"<{tag[1]}>{inner}</{tag[1]}>")
        pos = m.end()
    out.append(_formula_prose(text[pos:], medium))
    return "".join(out)


def _formula_prose(text: str, medium: str) -> str:
    return latex_text(text) if medium == "latex" else _html.escape(text, quote=False)
