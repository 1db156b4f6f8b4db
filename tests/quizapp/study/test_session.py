"""The quiz logic without the UI: planning from a seed, grading, saving, exams, resuming."""

from __future__ import annotations

import numpy as np
import pytest

from quizapp.progress import open_store
from quizapp.study.session import QuizSession, QuizSettings, plan, review_settings

from .conftest import FakeClock


def sgd_answer(question) -> np.ndarray:
    """w - α∇L, computed here from the question's numbers."""
    p = question.params
    return np.asarray(p["w"], dtype=float) - float(p["lr"]) * np.asarray(p["g"], dtype=float)


def vector_text(values) -> str:
    return "[" + ", ".join(f"{v:.6g}" for v in values) + "]"


def test_same_seed_same_quiz_and_other_seeds_differ(bank):
    a = plan(bank, QuizSettings(count=4, seed=123))
    assert a == plan(bank, QuizSettings(count=4, seed=123))
    assert plan(bank, QuizSettings(count=4, seed=124)) != a
    assert len({(r.template, r.seed) for r in a}) == 4


def test_topics_and_difficulty_filter_the_draw(bank):
    refs = plan(bank, QuizSettings(count=2, seed=1, topics=("losses",)))
    assert {bank.get(r.template).topic for r in refs} == {"losses"}
    easy = plan(bank, QuizSettings(count=3, seed=1, difficulty=1))
    assert all(bank.get(r.template).difficulty == 1 for r in easy)


def test_more_questions_than_templates_repeat_only_numeric_ones(bank):
    refs = plan(bank, QuizSettings(count=5, seed=2, topics=("backprop",)))
    concept = [r for r in refs if r.template == "concept-residual"]
    assert len(refs) == 5 and len(concept) == 1
    assert len({r.seed for r in refs if r.template == "backprop-sum-product"}) == 4


@pytest.mark.parametrize("bad", [dict(count=0), dict(count=51), dict(mode="quiz"), dict(difficulty=4),
                                 dict(minutes=0), dict(seed=-1)])
def test_bad_settings_are_refused_with_a_message(bad):
    with pytest.raises(ValueError):
        QuizSettings(**bad)


def test_no_matching_template_is_an_error(bank):
    with pytest.raises(ValueError, match="no questions match"):
        plan(bank, QuizSettings(topics=("losses",), difficulty=3))


def test_submit_grades_and_saves_every_answer_at_once(bank, home):
    clock = FakeClock()
    store = open_store(home)
    s = QuizSession.start(bank, QuizSettings(count=2, seed=9, templates=("sgd-step", "sgd-step")), store, clock)
    clock.advance(42)
    right = s.submit({"w": vector_text(sgd_answer(s.question()))})
    assert right.correct and right.score == 1.0 and right.seconds == 42
    # A second store on the same file sees the answer before the quiz goes on.
    with open_store(home) as other:
        saved = other.attempts()
    assert [(a.template_id, a.correct, a.question_index, a.seconds) for a in saved] == [("sgd-step", True, 0, 42)]
    assert saved[0].parts["w"]["text"] == vector_text(sgd_answer(s.question()))
    s.advance()
    wrong = s.skip()
    assert wrong.skipped and not wrong.correct
    summary = s.finish()
    assert (summary.total, summary.correct, summary.score, summary.wrong) == (2, 1, 1.0, [1])
    assert store.session(s.session_id).finished
    store.close()


def test_ascent_mistake_is_diagnosed(bank):
    s = QuizSession.start(bank, QuizSettings(count=1, seed=3, templates=("sgd-step",)))
    p = s.question().params
    ascent = np.asarray(p["w"], float) + float(p["lr"]) * np.asarray(p["g"], float)
    outcome = s.submit({"w": vector_text(ascent)})
    diagnosis = outcome.result.parts["w"].diagnosis
    assert not outcome.correct and diagnosis is not None and diagnosis.id == "ascent"


def test_resume_restores_answers_drafts_and_flags(bank, home):
    clock = FakeClock()
    store = open_store(home)
    settings = QuizSettings(mode="exam", count=3, seed=4, minutes=30,
                            templates=("sgd-step", "softmax", "concept-residual"))
    s = QuizSession.start(bank, settings, store, clock)
    s.save_draft({"w": "1 2 3"})
    s.go(2)
    s.toggle_flag()
    store.close()
    clock.advance(600)
    with open_store(home) as store2:
        record = store2.unfinished_sessions()[0]
        again = QuizSession.resume(bank, store2, record, clock)
        assert again.refs == s.refs and again.settings == s.settings
        assert again.drafts == {0: {"w": "1 2 3"}} and again.flagged == {2} and again.position == 2
        assert again.deadline_seconds() == pytest.approx(30 * 60 - 600)
        summary = again.hand_in()
        assert summary.answered == 1 and summary.total == 3
        assert [a.question_index for a in store2.attempts()] == [0, 1, 2]
        assert not store2.unfinished_sessions()


def test_retry_takes_the_wrong_templates_with_new_numbers(bank):
    s = QuizSession.start(bank, QuizSettings(count=2, seed=5, templates=("sgd-step", "softmax")))
    s.submit({"w": vector_text(sgd_answer(s.question()))})
    s.advance()
    s.skip()
    retry = s.retry_settings(seed=77)
    assert retry.templates == ("softmax",) and retry.mode == "practice"
    assert plan(bank, retry)[0].seed != s.refs[1].seed


def test_review_takes_the_templates_due(bank, home):
    clock = FakeClock()
    with open_store(home) as store:
        s = QuizSession.start(bank, QuizSettings(count=1, seed=6, templates=("softmax",)), store, clock)
        s.skip()
        assert review_settings(store, bank, now=clock.now) is None  # wrong: due again in minutes, not now
        clock.advance(3600)
        settings = review_settings(store, bank, now=clock.now, seed=1)
        assert settings is not None and settings.templates == ("softmax",) and settings.mode == "review"


def test_partly_answered_names_the_questions_with_a_blank_part(bank):
    settings = QuizSettings(mode="exam", count=3, seed=4, minutes=30,
                            templates=("sgd-step", "batchnorm", "concept-residual"))
    s = QuizSession.start(bank, settings, None, FakeClock())
    several = next(i for i in range(3) if len(s.question(i).parts) > 1)
    first, *rest = [p.name for p in s.question(several).parts]
    s.save_draft({first: "1", **{name: " " for name in rest}}, several)  # the others left blank
    one = next(i for i in range(3) if len(s.question(i).parts) == 1)
    s.save_draft({s.question(one).parts[0].name: "1"}, one)
    assert s.partly_answered() == [several]
    s.save_draft({first: "1", **{name: "2" for name in rest}}, several)
    assert s.partly_answered() == []
