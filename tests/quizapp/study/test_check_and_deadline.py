"""Check my work as plain logic, the one record, the wall-clock exam deadline, handed-back answers."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import numpy as np
import pytest

from quizapp.progress import open_store
from quizapp.study import session as session_module
from quizapp.study.check import CheckWork
from quizapp.study.requests import solve_command
from quizapp.study.session import QuizSession, QuizSettings

from .conftest import FakeClock


def test_a_check_is_saved_only_when_the_student_asks(bank, home):
    store = open_store(home)
    work = CheckWork(bank, "sgd-step", seed=1, store=store, clock=FakeClock())
    typed = {"w": "[1, -2, 0.5]", "g": "[0.4, -1, 2]", "lr": "0.5"}
    # w - lr·g by hand: [1 - 0.2, -2 + 0.5, 0.5 - 1]
    right = work.check(typed, {"w": "0.8, -1.5, -0.5"})
    assert right.result.correct and not right.saved and store.attempts() == []
    wrong = work.check(typed, {"w": "1.2 -2.5 1.5"}, save=True)
    assert not wrong.result.correct and wrong.saved
    [saved] = store.attempts()
    assert (saved.mode, saved.correct, saved.params["lr"]) == ("check", False, 0.5)
    store.close()


def test_a_check_judges_the_parts_given_and_leaves_the_others(bank, home):
    # Checking one's own work, as `quizapp check` does: a blank part is not checked (not wrong and not
    # handed back); only an answer that cannot be read comes back to be fixed.
    store = open_store(home)
    work = CheckWork(bank, "batchnorm", seed=1, store=store, clock=FakeClock())
    typed = work.param_texts()
    x = np.asarray(work.question.params["x"], dtype=float)
    mean = " ".join(f"{m:.6g}" for m in x.mean(axis=0))  # each feature's mean over the batch, by NumPy
    checked = work.check(typed, {"mean": mean, "var": "", "out": ""}, save=True)
    assert checked.handed_back == {} and checked.result.checked == ["mean"]
    assert checked.result.checked_correct and checked.saved
    assert [a.correct for a in store.attempts()] == [True]  # the part checked was right
    unreadable = work.check(typed, {"mean": mean, "var": "1 2 oops"})
    assert list(unreadable.handed_back) == ["var"]
    store.close()


def test_bad_numbers_and_a_blank_answer_are_messages(bank):
    work = CheckWork(bank, "sgd-step", seed=1)
    with pytest.raises(ValueError, match="lr"):
        work.read({"w": "[1, 2, 3]", "g": "[1, 1, 1]", "lr": "0.5.5"})
    with pytest.raises(ValueError, match="answer"):
        work.check(work.param_texts(), {"w": "  "})


def test_the_command_reproduces_the_question(bank):
    question = bank.instantiate("sgd-step", 42)
    assert solve_command(question) == "quizapp solve sgd-step:42"
    assert solve_command(question, {"lr": "0.5", "w": "1  2"}) == "quizapp solve sgd-step:42 --set lr=0.5 --set 'w=1 2'"


def test_the_exam_deadline_is_stored_and_runs_on_while_closed(bank, home):
    clock = FakeClock()
    store = open_store(home)
    settings = QuizSettings(mode="exam", count=2, seed=5, minutes=10, templates=("sgd-step", "softmax"))
    s = QuizSession.start(bank, settings, store, clock)
    record = store.unfinished_sessions()[0]
    assert record.settings["deadline"] == (clock() + timedelta(minutes=10)).isoformat()
    s.save_draft({"w": "1 2 3"})
    store.close()
    clock.advance(11 * 60)  # the app was closed for 11 minutes
    with open_store(home) as again_store:
        again = QuizSession.resume(bank, again_store, again_store.unfinished_sessions()[0], clock)
        assert again.time_up() and again.deadline_seconds() == pytest.approx(-60)


def test_a_stored_deadline_wins_over_the_start_time(bank, home):
    clock = FakeClock()
    with open_store(home) as store:
        settings = QuizSettings(mode="exam", count=1, seed=6, minutes=10, templates=("sgd-step",))
        QuizSession.start(bank, settings, store, clock)
        record = store.unfinished_sessions()[0]
        record.settings["deadline"] = (clock() + timedelta(minutes=3)).isoformat()
        again = QuizSession.resume(bank, store, record, clock)
        assert again.deadline_seconds() == pytest.approx(180)


def _handing_back(monkeypatch, message: str) -> None:
    """Grading that hands every part back (as it will for a blank or unreadable answer)."""
    import quizapp.grading

    def grade(question, answers):
        parts = {p.name: SimpleNamespace(handed_back=True, message=message, text=answers.get(p.name),
                                         to_dict=lambda: {}) for p in question.parts}
        return SimpleNamespace(parts=parts, score=0.0, correct=False)

    monkeypatch.setattr(quizapp.grading, "grade", grade)
    assert session_module  # the session imports grade from quizapp.grading when it grades


def test_a_handed_back_answer_is_not_a_miss_and_not_saved(bank, home, monkeypatch):
    store = open_store(home)
    s = QuizSession.start(bank, QuizSettings(count=1, seed=7, templates=("sgd-step",)), store, FakeClock())
    _handing_back(monkeypatch, "it reads as 2 numbers; 3 are expected.")
    outcome = s.submit({"w": "1 2"})
    assert outcome.returned and outcome.handed_back == {"w": "it reads as 2 numbers; 3 are expected."}
    assert s.answered == 0 and store.attempts() == [] and not s.is_done()
    store.close()


def test_an_exam_hands_in_a_handed_back_answer_as_unanswered(bank, monkeypatch):
    s = QuizSession.start(bank, QuizSettings(mode="exam", count=1, seed=8, minutes=5, templates=("sgd-step",)),
                          clock=FakeClock())
    s.save_draft({"w": "1 2"})
    _handing_back(monkeypatch, "unreadable")
    summary = s.hand_in()
    assert (summary.answered, summary.correct) == (0, 0) and s.outcomes[0].skipped


def test_submit_still_grades_for_real(bank):
    s = QuizSession.start(bank, QuizSettings(count=1, seed=9, templates=("sgd-step",)))
    p = s.question().params
    w = np.asarray(p["w"], float) - float(p["lr"]) * np.asarray(p["g"], float)
    outcome = s.submit({"w": ", ".join(f"{v:.6g}" for v in w)})
    assert outcome.correct and not outcome.returned
