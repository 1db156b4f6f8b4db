"""Multiple-choice versions of numeric questions: every wrong option is a mistake students make.

The check is independent of the exporter's distractor code: each wrong option's text is given to
the grader (quizapp.grading.grade, its own misconception and sign-error diagnosis), which must
name the same misconception; the right option must be graded right.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from question_bank import judging
from question_bank.bank import load_bank
from quizapp.export.build import build, numbered_variants
from quizapp.export.spec import from_flags
from quizapp.grading import grade

# Templates with two or more misconceptions: the ones that can have three wrong options.
TEMPLATES = ["adamw-step", "dropout", "hinge-loss", "batchnorm", "logistic-regression", "adam-step", "sgd-step"]
VARIANTS = 6


@pytest.fixture(scope="module")
def bank():
    return load_bank()


@pytest.fixture(scope="module")
def problem_set(bank):
    spec = from_flags(templates=TEMPLATES, multiple_choice=True)
    return build(bank, spec, 3, numbered_variants(3, VARIANTS), "test", minimum=2)


def mc_parts(ps):
    for v in ps.variants:
        for q in v.questions:
            for p in q.parts:
                if p.multiple_choice:
                    yield v, q, p


def test_some_numeric_parts_become_choices(problem_set):
    found = {(q.template, p.name) for _, q, p in mc_parts(problem_set)}
    assert ("adamw-step", "w") in found and ("dropout", "out") in found


def test_every_wrong_option_is_what_the_grader_diagnoses(bank, problem_set):
    checked = 0
    for _, q, part in mc_parts(problem_set):
        question = bank.instantiate(q.template, q.seed)
        assert len(part.choices) >= 3 and sum(c.correct for c in part.choices) == 1
        for choice in part.choices:
            result = grade(question, {part.name: choice.text}).parts[part.name]
            if choice.correct:
                assert result.correct, (q.id, part.name, choice.text)
                assert choice.source == "answer" and part.letter == choice.letter
            else:
                assert not result.correct, (q.id, part.name, choice.text)
                assert result.diagnosis is not None and result.diagnosis.id == choice.source, (q.id, choice)
            checked += 1
    assert checked >= 3 * VARIANTS


def test_options_are_told_apart_by_the_grader(bank, problem_set):
    # No option lies within the grader's band around another (as printed, at the stated precision).
    for _, q, part in mc_parts(problem_set):
        question = bank.instantiate(q.template, q.seed)
        carried = np.max(question.judgement.propagated.get(part.name, 0.0))
        values = [np.asarray(eval_list(c.text), dtype=float) for c in part.choices]
        for i in range(len(values)):
            for j in range(len(values)):
                if i != j:
                    band = judging.band_around(values[j], np.full(values[j].shape, carried), question.sigfigs())
                    assert not judging.inside(values[i], values[j], band), (q.id, part.choices[i], part.choices[j])


def eval_list(text):
    return json.loads(text) if text.startswith("[") else float(text)


def test_a_part_is_a_choice_in_every_variant_or_in_none(problem_set):
    for number in range(1, len(TEMPLATES) + 1):
        for name in {p.name for p in problem_set.variants[0].questions[number - 1].parts}:
            kinds = {next(p for p in v.questions[number - 1].parts if p.name == name).multiple_choice
                     for v in problem_set.variants}
            assert len(kinds) == 1


def test_parts_kept_numeric_say_why(problem_set):
    decisions = {(d["template"], d["part"]): d for d in problem_set.decisions}
    sgd = decisions[("sgd-step", "w")]  # one misconception (ascent), the sign, the unchanged w: 3 at most
    made = {(q.template, p.name) for _, q, p in mc_parts(problem_set)}
    for key, d in decisions.items():
        assert d["multiple_choice"] == (key in made)
        if not d["multiple_choice"]:
            assert d["reason"].startswith("kept numeric: variant v") and "needs 2" in d["reason"]
    assert set(sgd["wrong_options_from"]) <= {"ascent", "sign-error", "unchanged"}
    assert any(not d["multiple_choice"] for d in decisions.values())


def test_no_sign_error_option_for_a_quantity_that_is_never_negative(bank):
    # A hinge loss is never negative: a negative option is an answer no student would choose.
    spec = from_flags(templates=["hinge-loss", "binary-cross-entropy"], multiple_choice=True)
    ps = build(bank, spec, 5, numbered_variants(5, 8), "test", minimum=1)
    for v in ps.variants:
        loss = next(p for p in v.questions[0].parts if p.name == "loss")
        assert all(c.source != "sign-error" for c in loss.choices)
        assert all(not c.text.startswith("-") for c in loss.choices)


def test_options_shuffle_with_the_seed_and_the_key_names_the_letter(problem_set):
    positions = set()
    for _, _q, part in mc_parts(problem_set):
        right = next(c for c in part.choices if c.correct)
        assert part.answer_text == f"{right.letter}) {right.text}"
        assert [c.letter for c in part.choices] == [chr(ord("A") + i) for i in range(len(part.choices))]
        positions.add(right.letter)
    assert len(positions) > 1  # the right answer is not always in the same place


def test_without_the_flag_nothing_is_a_choice(bank):
    ps = build(bank, from_flags(templates=TEMPLATES), 3, numbered_variants(3, 2), "test")
    assert not list(mc_parts(ps)) and ps.decisions == ()


def test_a_value_left_un_updated_is_an_option_the_grader_names(bank):
    """The grader's named non-answers (the value the part updates, left as it was) are offered too: the
    docs' example (adam-step, momentum-step) then has most of its parts as multiple choice."""
    spec = from_flags(templates=["adam-step", "momentum-step"], multiple_choice=True)
    ps = build(bank, spec, 7, numbered_variants(7, 6), "test")
    found = 0
    for _, q, part in mc_parts(ps):
        question = bank.instantiate(q.template, q.seed)
        for choice in part.choices:
            if choice.source in ("unchanged", "previous"):
                result = grade(question, {part.name: choice.text}).parts[part.name]
                assert not result.correct and result.diagnosis.id == choice.source
                found += 1
    assert found > 0
    assert sum(d["multiple_choice"] for d in ps.decisions) >= 4
