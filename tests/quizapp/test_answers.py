"""The answer parser: every written form against values from the math module, errors with
positions, and hostile input that must fail fast as an AnswerError and never run."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.answers import (
    MAX_LENGTH,
    AnswerError,
    equivalent,
    parse_answer,
    parse_choice,
    parse_expression,
    parse_integer,
    parse_matrix,
    parse_number,
    parse_vector,
)
from solvers.expr import ExprError
from tests.budget import reading_budget, within


def sig(x: float) -> float:
    return 1 / (1 + math.exp(-x))


# ----- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.25", 0.25),
        ("-3", -3.0),
        ("3.2e-4", 3.2e-4),
        ("1/3", 1 / 3),
        ("2^-3", 0.125),
        ("e^-2", math.exp(-2)),
        ("exp(-2)", math.exp(-2)),
        ("sqrt(2)/2", math.sqrt(2) / 2),
        ("√2/2", math.sqrt(2) / 2),
        ("pi/4", math.pi / 4),
        ("ln 2", math.log(2)),
        ("log(2)", math.log(2)),
        ("sigmoid(1)", sig(1)),
        ("tanh(0.5)", math.tanh(0.5)),
        ("  −0.5 ", -0.5),
        ("1 - 0.9^10", 1 - 0.9**10),
        ("2×10⁻³", 2e-3),
        ("-(1/4)*ln(0.25)", -0.25 * math.log(0.25)),
    ],
)
def test_parse_number_forms(text, expected):
    assert parse_number(text) == pytest.approx(expected, rel=1e-12)


def test_percent_only_when_allowed():
    assert parse_number("25%", allow_percent=True) == 0.25
    assert parse_number(" 12.5 % ", allow_percent=True) == 0.125
    assert parse_number("1/4", allow_percent=True) == 0.25
    with pytest.raises(AnswerError, match="percentage") as info:
        parse_number("25%")
    assert info.value.position == 2
    with pytest.raises(AnswerError, match="needs a number"):
        parse_number("%", allow_percent=True)
    with pytest.raises(AnswerError) as info:
        parse_number("2%5", allow_percent=True)
    assert info.value.position == 1


@pytest.mark.parametrize(
    ("text", "position", "words"),
    [
        ("2 + $", 4, "unexpected character '$'"),
        ("x + 1", 0, "no variables"),
        ("1/0", 1, "division by zero"),
        ("0,5", 1, "decimals use '.'"),
        ("ln(-1)", 0, "positive"),
        ("3e", 1, "ambiguous"),
        ("1 2", 2, "missing operator"),
    ],
)
def test_number_errors_point_at_the_problem(text, position, words):
    with pytest.raises(AnswerError) as info:
        parse_number(text)
    err = info.value
    assert err.position == position
    assert words in err.message
    assert str(err).splitlines()[-1] == "  " + " " * position + "^"


def test_answer_error_is_a_value_error_and_expr_error():
    with pytest.raises(AnswerError) as info:
        parse_number("")
    assert isinstance(info.value, ValueError) and isinstance(info.value, ExprError)
    assert "empty" in str(info.value)
    with pytest.raises(AnswerError, match="must be text"):
        parse_number(0.5)  # type: ignore[arg-type]


def test_parse_integer():
    assert parse_integer("3") == 3
    assert parse_integer("-2") == -2
    assert parse_integer("4.0") == 4
    assert parse_integer("2^3") == 8
    assert isinstance(parse_integer("7"), int)
    with pytest.raises(AnswerError, match="whole number, got 2.5"):
        parse_integer("5/2")
    with pytest.raises(AnswerError, match="too large"):
        parse_integer("1e300")


# ----- vectors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[1, 2, 3]", [1, 2, 3]),
        ("1, 2, 3", [1, 2, 3]),
        ("1 2 3", [1, 2, 3]),
        ("(1; 2; 3)", [1, 2, 3]),
        ("[1; 2; 3]", [1, 2, 3]),
        ("(1, 2, 3)", [1, 2, 3]),
        ("[1 2 3]", [1, 2, 3]),
        ("[1/3, e^-2, sqrt(2)/2]", [1 / 3, math.exp(-2), math.sqrt(2) / 2]),
        ("1/3 ln 2 -0.5", [1 / 3, math.log(2), -0.5]),
        ("1 -2", [1, -2]),
        ("1 - 2", [-1]),
        ("1-2 3", [-1, 3]),
        ("1 -2 +3", [1, -2, 3]),
        ("[-1, -2]", [-1, -2]),
        ("1, -2", [1, -2]),
        ("1 , - 2", [1, -2]),
        ("max(1, 2) 3", [2, 3]),
        ("(1+2)*3", [9]),
        ("(1+2) 3", [3, 3]),
        ("2 * -3 4", [-6, 4]),
        ("  [ 0.5 ,0.25 ]  ", [0.5, 0.25]),
        ("1\n2\n3", [1, 2, 3]),
        ("[1,\n 2]", [1, 2]),
        ("−1 −2", [-1, -2]),
    ],
)
def test_parse_vector_forms(text, expected):
    got = parse_vector(text)
    assert got.dtype == np.float64 and got.ndim == 1
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_vector_length_is_checked():
    assert parse_vector("1 2 3", length=3).shape == (3,)
    with pytest.raises(AnswerError, match="expected 3 entries, got 2"):
        parse_vector("[1, 2]", length=3)
    with pytest.raises(AnswerError, match="expected 1 entry, got 2"):
        parse_vector("1 2", length=1)


@pytest.mark.parametrize(
    ("text", "position", "words"),
    [
        ("[1, 2, x]", 7, "unknown name 'x'"),
        ("[1, 2", 0, "never closed"),
        ("[1, 2)", 5, "expected ']'"),
        ("1, 2; 3", 4, "mixed ',' and ';'"),
        ("1 2, 3", 2, "expected ',' between entries"),
        ("1,, 2", 2, "unexpected ','"),
        ("[1, 2]]", 6, "unmatched ']'"),
        ("[1, [2]]", 4, "unexpected '['"),
        ("[]", 1, "unexpected ']'"),
        ("1, 2,", 5, "end of input"),
    ],
)
def test_vector_errors_point_at_the_problem(text, position, words):
    with pytest.raises(AnswerError) as info:
        parse_vector(text)
    assert info.value.position == position, str(info.value)
    assert words in info.value.message


# ----- matrices --------------------------------------------------------------------------------

M = [[1.0, 2.0], [3.0, 4.0]]


@pytest.mark.parametrize(
    "text",
    [
        "[[1,2],[3,4]]",
        "[[1, 2], [3, 4]]",
        "1 2; 3 4",
        "[1, 2; 3, 4]",
        "[1 2; 3 4]",
        "(1 2; 3 4)",
        "1, 2; 3, 4",
        "[1, 2], [3, 4]",
        "[1 2] [3 4]",
        "[[1 2]\n [3 4]]",
        "1 2\n3 4",
        "[1 2\n 3 4]",
        "1 2;\n3 4",
        "[[1, 2],\n [3, 4]]",
        "[[0.5*2, 4/2], [sqrt(9), 2^2]]",
        "[1 (1+1); 3 4]",
    ],
)
def test_parse_matrix_forms(text):
    got = parse_matrix(text)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, M, rtol=1e-12)


def test_matrix_single_row_and_column():
    np.testing.assert_array_equal(parse_matrix("1 2 3"), [[1, 2, 3]])
    np.testing.assert_array_equal(parse_matrix("1; 2; 3"), [[1], [2], [3]])


def test_ragged_rows_are_refused_at_the_row():
    with pytest.raises(AnswerError, match="row 2 has 1 entry but row 1 has 2") as info:
        parse_matrix("[[1,2],[3]]")
    assert info.value.position == 7
    with pytest.raises(AnswerError, match="row 3 has 3 entries but row 1 has 2") as info:
        parse_matrix("1 2; 3 4; 5 6 7")
    assert info.value.position == 10


def test_matrix_shape_is_checked():
    assert parse_matrix("1 2 3; 4 5 6", shape=(2, 3)).shape == (2, 3)
    with pytest.raises(AnswerError, match="expected a 2×3 matrix, got 3×2"):
        parse_matrix("1 2; 3 4; 5 6", shape=(2, 3))
    with pytest.raises(AnswerError, match=r"separate rows with ';'"):
        parse_matrix("1 2 3 4", shape=(2, 2))


@pytest.mark.parametrize(
    ("text", "position", "words"),
    [
        ("[[1,2],[3,4]", 0, "never closed"),
        ("[[1,2] 3]", 7, "expected '['"),
        ("[[1;2]]", 3, "';' inside a bracketed row"),
        ("1 2; 3 y", 7, "unknown name 'y'"),
        ("1 2;", 4, "end of input"),
    ],
)
def test_matrix_errors_point_at_the_problem(text, position, words):
    with pytest.raises(AnswerError) as info:
        parse_matrix(text)
    assert info.value.position == position, str(info.value)
    assert words in info.value.message


# ----- choices ---------------------------------------------------------------------------------

OPTIONS = ["minimum", "maximum", "saddle", "inconclusive"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("c", "saddle"), ("C", "saddle"), ("(c)", "saddle"), ("c)", "saddle"), ("c.", "saddle"),
        (" a ", "minimum"), ("Saddle", "saddle"), ("  MAXIMUM ", "maximum"), ("d", "inconclusive"),
    ],
)
def test_parse_choice(text, expected):
    assert parse_choice(text, OPTIONS) == expected


def test_choice_text_wins_over_letters():
    assert parse_choice("b", ["a", "b"]) == "b"
    assert parse_choice("two  words", ["one", "Two words"]) == "Two words"


def test_choice_errors():
    with pytest.raises(AnswerError, match="no option e: the options are a–d"):
        parse_choice("e", OPTIONS)
    with pytest.raises(AnswerError, match="not one of the options"):
        parse_choice("saddle point", OPTIONS)
    with pytest.raises(AnswerError, match="empty"):
        parse_choice("  ", OPTIONS)
    with pytest.raises(ValueError, match="no options"):
        parse_choice("a", [])


# ----- expressions -----------------------------------------------------------------------------


def test_parse_expression_allows_only_given_variables():
    node = parse_expression("2x + y", ["x", "y"])
    with pytest.raises(AnswerError, match="unknown name 'z'") as info:
        parse_expression("2x + z", ["x", "y"])
    assert info.value.position == 5
    assert node is not None


@pytest.mark.parametrize(
    ("a", "b", "names"),
    [
        ("sigmoid(x)*(1 - sigmoid(x))", "exp(-x)/(1 + exp(-x))^2", ["x"]),
        ("2x(x+1)", "2x^2 + 2x", ["x"]),
        ("relu(x)", "max(x, 0)", ["x"]),
        ("(x + y)^2", "x^2 + 2x*y + y^2", ["x", "y"]),
        ("ln(x*y)", "ln x + ln y", ["x", "y"]),
        ("1 - tanh(x)^2", "4/(exp(x) + exp(-x))^2", ["x"]),
        ("sqrt(x - 10)^2", "x - 10", ["x"]),  # no sample point lies in the domain: SymPy decides
        ("1/4", "0.25", []),
        ("e^(2*ln 3)", "9", []),
    ],
)
def test_equivalent_true(a, b, names):
    assert equivalent(parse_expression(a, names), parse_expression(b, names))


@pytest.mark.parametrize(
    ("a", "b", "names"),
    [
        ("x^2", "x^2 + 1e-3", ["x"]),
        ("sigmoid(x)", "1/(1 + exp(x))", ["x"]),
        ("x*y", "x + y", ["x", "y"]),
        ("1/3", "0.3333333333", []),
        ("x", "abs(x)", ["x"]),
    ],
)
def test_equivalent_false(a, b, names):
    assert not equivalent(parse_expression(a, names), parse_expression(b, names))


# ----- dispatch --------------------------------------------------------------------------------


def test_parse_answer_dispatches_on_kind():
    assert parse_answer("25%", "number", allow_percent=True) == 0.25
    np.testing.assert_array_equal(parse_answer("1 2", "vector", length=2), [1, 2])
    np.testing.assert_array_equal(parse_answer("1 2; 3 4", "matrix", shape=(2, 2)), M)
    assert parse_answer("3", "integer") == 3
    assert parse_answer("b", "choice", options=["yes", "no"]) == "no"
    assert equivalent(parse_answer("2x", "expression", variables=["x"]), parse_expression("x+x", ["x"]))
    with pytest.raises(ValueError, match="unknown answer kind 'tensor'") as info:
        parse_answer("1", "tensor")
    assert not isinstance(info.value, AnswerError)


# ----- hostile input ---------------------------------------------------------------------------

HOSTILE = [
    "__import__('os').system('touch /tmp/pwned')",
    "().__class__",
    "9^9^9^9",
    "1e999999",
    "1" * 100_000,
    "[" * 5000,
    "]" * 5000,
    "[[[1]]]",
    "\x00\x07\x1b[2J",
    "1 2; 3" * 400,
    "((" * 100 + "1",
    "[1, 2" + ", 3" * 600,
]

PARSERS = [
    lambda t: parse_number(t, allow_percent=True),
    parse_vector,
    parse_matrix,
    parse_integer,
    lambda t: parse_choice(t, OPTIONS),
    lambda t: parse_expression(t, ["x", "y"]),
    lambda t: parse_expression(t, None),
]


def _only_answer_errors(text: str) -> None:
    # "fast" as a work budget, the same on every machine (speed is in benchmarks/bench_limits.py)
    for fn in PARSERS:
        result = within(reading_budget(text, MAX_LENGTH), lambda fn=fn: fn(text))
        assert not isinstance(result, Exception) or isinstance(result, AnswerError), (fn, text[:50], result)


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_answers_fail_fast_as_answer_errors(text):
    for fn in PARSERS[:4] + PARSERS[5:]:
        with pytest.raises(AnswerError):
            fn(text)
    _only_answer_errors(text)


def test_code_in_answers_never_runs(tmp_path):
    marker = tmp_path / "pwned"
    for text in [
        f"__import__('os').system('touch {marker}')",
        f"[__import__('os').system('touch {marker}')]",
        f"open('{marker}', 'w').write('x')",
    ]:
        for fn in PARSERS:
            try:
                fn(text)
            except AnswerError:
                pass
    assert not marker.exists()


ALPHABET = "0123456789.eE+-*/^()[],;% \t\nxyabclnsqrtexpσπ√−×·÷²³⁻_$'\"\x00\x1bé中"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(alphabet=ALPHABET, max_size=150), st.text(max_size=150)))
def test_answer_parsers_raise_only_answer_error_and_are_fast(text):
    _only_answer_errors(text)
