"""The display model: one number formatter, one renderer per medium, the inline maths markup."""

from __future__ import annotations

import unicodedata

import numpy as np
import pytest

from solvers import display
from solvers.display import MarkupError, Mat, Num, clean, math_text, number, render, sym


@pytest.mark.parametrize(("x", "text"), [
    (0.1 + 0.2, "0.3"),                      # float noise never shows
    (0.13000000000000006, "0.13"),
    (-0.0, "0"),                             # no negative zero
    (3.0, "3"),
    (-1.5, "-1.5"),
    (1e-8, "1e-8"),
    (2.5e-5, "2.5e-5"),
    (1e15, "1e15"),
    (np.float64(1 / 3), "0.333333333333"),
    (np.int64(7), "7"),
    (True, "true"),                          # never Python's True
])
def test_number_as_written_by_hand(x, text):
    assert number(x) == text


def test_number_significant_figures_and_positional():
    assert number(1 / 3, 3) == "0.333"
    assert number(-2.71828, 2) == "-2.7"
    assert number(1e-8, positional=True) == "0.00000001"
    assert number(0.1 + 0.2, positional=True) == "0.3"


def test_clean_data_has_no_negative_zero_and_keeps_every_bit():
    assert clean({"a": [1 / 3, -0.0], "b": np.array([[-0.0]])}) == {"a": [1 / 3, 0.0], "b": [[0.0]]}
    assert str(clean(np.float64(-0.0))) == "0.0"
    assert clean(np.array([-0.0]))[0] == 0.0 and str(clean([-0.0])[0]) == "0.0"


def test_matrix_per_medium():
    m = [[1.0, -2.5], [30.0, 4.0]]
    assert render(m) == "[  1, -2.5 ]\n[ 30,    4 ]"
    assert render(m, "plain") == "[[1, -2.5], [30, 4]]"
    assert render(m, "latex") == r"$\begin{bmatrix}1 & -2.5 \\ 30 & 4\end{bmatrix}$"
    assert render(m, "html") == r"\(\begin{bmatrix}1 &amp; -2.5 \\ 30 &amp; 4\end{bmatrix}\)"
    assert render([0.25, 4], "latex", in_math=True) == r"\begin{bmatrix}0.25 & 4\end{bmatrix}"
    assert render(Mat(((Num(1 / 3, 2),),)), "plain") == "[[0.33]]"


def test_three_dimensional_arrays_stay_on_one_line():
    assert render(np.zeros((2, 1, 2)), "plain") == "[[[0, 0]], [[0, 0]]]"


@pytest.mark.parametrize(("markup", "plain", "latex"), [
    (r"\sum_{j \neq y} \max(0, s_j - s_y + \Delta)", "Σ_(j ≠ y) max(0, sⱼ - s_y + Δ)",
     r"$\sum_{j \neq y} \max(0, s_{j} - s_{y} + \Delta)$"),
    (r"\partial L/\partial W_1", "∂L/∂W₁", r"$\partial L/\partial W_{1}$"),
    (r"\hat{y}_i", "ŷᵢ", r"$\hat{y}_{i}$"),
    (r"\sigma(z) = \frac{1}{1 + e^{-z}}", "σ(z) = 1/(1 + e^(-z))", r"$\sigma(z) = \frac{1}{1 + e^{-z}}$"),
    (r"\sigma x", "σx", r"$\sigma x$"),
])
def test_markup_drawn_for_each_medium(markup, plain, latex):
    assert math_text(markup, "plain") == plain
    assert math_text(markup, "latex") == latex
    assert math_text(markup, "html") == r"\(" + latex[1:-1] + r"\)"


def test_symbols():
    assert math_text(sym("W", "1").markup, "plain") == "W₁"
    assert math_text(sym("x", hat=True).markup, "latex") == r"$\hat{x}$"


@pytest.mark.parametrize(("markup", "message"), [
    (r"\foo x", r"unknown command \foo at position 1"),
    ("x_{1", "never closed"),
    ("x}", "closes nothing"),
    ("x^", "missing"),
])
def test_bad_markup_says_what_and_where(markup, message):
    with pytest.raises(MarkupError, match=message.replace("\\", "\\\\")):
        display.parse(markup)


def test_latex_text_escapes_and_typesets_unicode():
    assert display.latex_text("50% of x_1 & σ") == r"50\% of x\_1 \& \ensuremath{\sigma}"


def test_latex_text_writes_a_cjk_run_for_xelatex_and_its_code_points_for_pdflatex():
    # \cjk{text}{fallback}: XeLaTeX prints the text in a CJK font, pdflatex the code points as before
    assert display.latex_text("李华") == r"\cjk{李华}{\texttt{[U+674E]}\texttt{[U+534E]}}"
    assert display.latex_text("Student 김민준 (s5)") == (
        r"Student \cjk{김민준}{\texttt{[U+AE40]}\texttt{[U+BBFC]}\texttt{[U+C900]}} (s5)")
    assert display.latex_text("山田 さくら。") == (r"\cjk{山田}{\texttt{[U+5C71]}\texttt{[U+7530]}} "
                                                 r"\cjk{さくら。}{\texttt{[U+3055]}\texttt{[U+304F]}\texttt{[U+3089]}"
                                                 r"\texttt{[U+3002]}}")
    # other scripts and symbols pdflatex cannot print keep their code point; fullwidth ASCII is ASCII
    assert display.latex_text("Жуков ☃") == (r"\texttt{[U+0416]}\texttt{[U+0443]}\texttt{[U+043A]}"
                                             r"\texttt{[U+043E]}\texttt{[U+0432]} \texttt{[U+2603]}")
    assert display.latex_text("Zoë Müller, Ａ１") == "Zoë Müller, A1"
    assert display.has_cjk("Ann 李华") and not display.has_cjk("Zoë Müller ☃ Ａ") and not display.has_cjk("x")


def test_cjk_ranges_hold_only_characters_that_were_written_as_code_points():
    # so a document without them is written byte for byte as before the CJK runs existed
    for start, end in display.CJK_RANGES:
        for code in range(start, end + 1):
            ch = chr(code)
            if unicodedata.category(ch) == "Cn":
                continue
            assert display.has_cjk(ch)
            assert unicodedata.combining(ch) or display._char(ch) == rf"\texttt{{[U+{code:04X}]}}", hex(code)


@pytest.mark.parametrize("text, latex, html", [
    ("m / (1 - β₁^t)", r"m / (1 - \ensuremath{\beta}\ensuremath{_{\mathrm{1}}}\textsuperscript{t})",
     "m / (1 - β₁<sup>t</sup>)"),
    ("e^(-z)", r"e\textsuperscript{-z}", "e<sup>-z</sup>"),  # the brackets only grouped the power
    ("e^[-1, 0, 1]", r"e\textsuperscript{[-1, 0, 1]}", "e<sup>[-1, 0, 1]</sup>"),
    ("max(0, s - s_y + 1)", r"max(0, s - s\textsubscript{y} + 1)", "max(0, s - s<sub>y</sub> + 1)"),
    ("1e-8 < x", r"1e-8 \textless{} x", "1e-8 &lt; x"),  # no power, no script: escaped only
])
def test_a_step_formula_raises_powers_and_lowers_subscripts(text, latex, html):
    assert display.formula_text(text, "latex") == latex
    assert display.formula_text(text, "html") == html
    assert display.formula_text(text, "plain") == text
