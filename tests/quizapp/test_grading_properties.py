"""Properties of grading: any text a student types gives a verdict (never an exception), fast,
and a correctly rounded answer is never rejected."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from question_bank.bank import load_bank
from question_bank.schema import PartSpec
from quizapp.answers import MAX_LENGTH
from quizapp.grading import grade
from quizapp.grading.compare import Target, accepts
from tests.budget import reading_budget, within

HOSTILE = [
    "__import__('os').system('touch {marker}')", "().__class__.__bases__[0].__subclasses__()",
    "9^9^9^9", "1e999999", "9" * 100_000, "\x00\x1b[31m\x07", "[[1, 2], [3", "((((((", "]", "",
    "lambda: 0", "open('/etc/passwd').read()", "[" * 5000, "-" * 3000 + "1", "1/0", "sqrt(-1)", "log(0)",
]


@pytest.fixture(scope="module")
def questions():
    bank = load_bank()
    questions = [bank.instantiate(t, 3) for t in ("adam-step", "batchnorm", "cross-entropy", "concept-adam-bias",
                                                 "backprop-sum-product", "knn")]
    for q in questions:  # the bands are worked out once per question, not per answer: not part of the budget
        assert q.judgement.sigfigs >= 3
    return questions


def _check(question, text: str) -> None:
    names = [p.name for p in question.parts] + [s.name for s in question.solution.steps]
    for name in dict.fromkeys(names):
        # "fast" as a work budget: reading the answer, plus grading it (an ordinary answer takes
        # under 1,500 calls here; diagnosing a wrong one that matches no named mistake, which also
        # works out the two neighbouring variants, up to about 16,000); speed is in benchmarks/
        result = within(reading_budget(text, MAX_LENGTH) + 25_000, lambda name=name: grade(question, {name: text}))
        assert not isinstance(result, Exception), repr(result)
        if text.strip():  # a blank answer is no answer: parts say "not answered", steps are left out
            assert result.result(name).correct in (True, False)
        else:
            assert name not in result.order


def test_hostile_answers_are_refused_quickly_and_run_nothing(questions, tmp_path: Path):
    marker = tmp_path / "pwned"
    for text in HOSTILE:
        for q in questions:
            _check(q, text.replace("{marker}", str(marker)))
    assert not marker.exists()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200))
def test_any_text_gets_a_verdict(questions, text):
    for q in questions:
        _check(q, text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.from_regex(r"[-+*/^()\[\], ;0-9.e]{0,60}", fullmatch=True))
def test_number_like_text_gets_a_verdict(questions, text):
    for q in questions:
        _check(q, text)


NUMBER = Target("p", "p", "number", PartSpec(name="p", type="number"), "p", 0, True)


@settings(max_examples=300, deadline=None)
@given(ref=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).filter(lambda x: abs(x) > 1e-3))
def test_three_significant_figures_always_pass_the_default_tolerance(ref):
    rounded = float(f"{ref:.3g}")  # Python's own formatting, not our rounding
    assert accepts(NUMBER, rounded, ref)


def test_two_significant_figures_can_fail_the_default_tolerance():
    assert not accepts(NUMBER, 0.20, 0.19661193324148185)
