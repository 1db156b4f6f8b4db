"""Playground questions: each answer key is read off real runs, and the runs are the explanation."""

import numpy as np
import pytest

from quizapp.playground.questions import QUESTIONS, curve_shape, make_question, questions_for
from quizapp.playground.session import Settings

BASE = Settings()  # what is on screen: xor, hidden 4-2, tanh, adam 0.03


@pytest.fixture(scope="module")
def built():
    return {kind: make_question(kind, BASE, seed=0) for kind in QUESTIONS}


def test_curve_shapes():
    steps = np.arange(300)
    assert curve_shape(0.7 * np.exp(-steps / 50)) == "decreases"
    assert curve_shape(0.7 - 0.0001 * steps) == "flat"
    assert curve_shape(0.7 + 2.0 * (steps % 2)) == "unstable"
    assert curve_shape([0.7, 5.0, float("inf"), float("nan")]) == "diverges"
    noisy_plateau = 0.7 * np.exp(-steps / 20) + 0.1 + 0.01 * np.random.default_rng(0).standard_normal(300)
    assert curve_shape(noisy_plateau) == "decreases"  # minibatch noise at the bottom is not instability


def test_xor_without_hidden_layer_answer_is_no(built):
    q = built["xor-no-hidden"]
    assert q.options[q.answer].startswith("No:")
    linear, faster, hidden = q.runs
    assert linear.settings.hidden == () and linear.settings.features == ("x1", "x2")
    assert linear.state.train_accuracy <= 0.75 and faster.state.train_accuracy <= 0.75
    assert hidden.state.train_accuracy == 1.0
    assert f"{linear.state.train_accuracy:.0%}" in q.explanation


def test_learning_rate_10_answer_is_that_the_loss_jumps_around(built):
    q = built["learning-rate-10"]
    assert "jumps up and down" in q.options[q.answer]
    fast, usual = (np.asarray(r.state.train_losses) for r in q.runs)
    assert q.runs[0].settings.lr == 10 and q.runs[1].settings.lr == BASE.lr
    assert fast.max() > 2 * fast[0]  # it climbs far above where it started
    assert usual[-1] < 0.5 * usual[0]


def test_circle_answer_is_the_squares(built):
    q = built["circle-feature"]
    assert q.options[q.answer] == "x₁² and x₂²"
    squares = next(r for r in q.runs if "x1sq" in r.settings.features)
    assert squares.settings.hidden == () and squares.state.train_accuracy >= 0.95
    assert all(r.state.train_accuracy < 0.95 for r in q.runs if r is not squares)


def test_every_question_is_multiple_choice_with_its_runs_in_the_explanation(built):
    for q in built.values():
        assert len(q.options) == 4 and len(set(q.options)) == 4
        assert q.is_correct(q.answer) and q.is_correct(q.answer_key.lower())
        assert not q.is_correct((q.answer + 1) % 4)
        for i, r in enumerate(q.runs, start=1):
            assert f"Run {i}: {r.settings.describe()}" in q.explanation


def test_seed_orders_the_options_but_not_the_answer(built):
    a = built["circle-feature"]
    b = make_question("circle-feature", BASE, seed=5)
    assert a.options != b.options
    assert a.options[a.answer] == b.options[b.answer]


def test_questions_about_the_screen_come_first():
    assert questions_for(Settings(dataset="circle"))[0] == "circle-feature"
    assert questions_for(Settings(dataset="xor"))[0] == "xor-no-hidden"
    assert sorted(questions_for(Settings(dataset="moons"))) == sorted(QUESTIONS)
    with pytest.raises(ValueError, match="unknown playground question"):
        make_question("overfitting")
