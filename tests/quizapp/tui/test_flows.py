"""Whole flows through the app, driven by Pilot at 80×24 with a temporary progress home."""

from __future__ import annotations

import time
from datetime import timedelta

import numpy as np
from textual.command import CommandList

from quizapp.progress import open_store
from quizapp.study.session import QuizSettings, plan
from quizapp.tui.screens.feedback import FeedbackScreen
from quizapp.tui.screens.graph import GraphScreen
from quizapp.tui.screens.help import HelpScreen
from quizapp.tui.screens.home import HomeScreen
from quizapp.tui.screens.quiz import QuizScreen
from quizapp.tui.screens.results import ResultsScreen
from quizapp.tui.screens.setup import SetupScreen

from .conftest import FakeClock, drive, make_app, open_check, screen_text, text_of, type_text


def vector_text(values) -> str:
    return "[" + ", ".join(f"{v:.6g}" for v in values) + "]"


def sgd(question, sign: float = -1.0) -> np.ndarray:
    """The SGD step worked independently here; sign=+1 is gradient ascent (the classic mistake)."""
    p = question.params
    return np.asarray(p["w"], float) + sign * float(p["lr"]) * np.asarray(p["g"], float)


def softmax(question) -> np.ndarray:
    f = np.asarray(question.params["logits"], float)
    e = np.exp(f - f.max())
    return e / e.sum()


def test_practice_quiz_right_wrong_and_a_diagnosed_mistake(home, bank):
    app = make_app(home, bank)
    seen: dict[str, str] = {}

    async def scenario(pilot):
        app.start_quiz(QuizSettings(count=3, seed=11, templates=("softmax", "sgd-step", "sgd-step")))
        await pilot.pause()
        quiz = app.screen
        assert isinstance(quiz, QuizScreen)
        session = quiz.session
        # 1: right, typed key by key; the live preview shows how it was read.
        await type_text(pilot, vector_text(softmax(session.question())))
        await pilot.pause()
        assert text_of(quiz.query_one("#field-probs .preview")).startswith("→ [")
        await pilot.press("enter")
        await pilot.pause()
        assert quiz.feedback_for == 0  # feedback in place, inputs hidden
        assert not quiz.query_one("#fields").display
        seen["1"] = screen_text(app.screen)
        await pilot.press("enter")
        await pilot.pause()
        # 2: wrong, and not a recognised mistake.
        await type_text(pilot, "[9, 9, 9]")
        await pilot.press("ctrl+s")
        await pilot.pause()
        seen["2"] = screen_text(app.screen)
        await pilot.press("n")
        await pilot.pause()
        # 3: gradient ascent instead of descent: diagnosed.
        quiz.query_one("#input-w").value = vector_text(sgd(session.question(), sign=+1))
        await pilot.press("enter")
        await pilot.pause()
        seen["3"] = screen_text(app.screen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        seen["results"] = screen_text(app.screen)
        await pilot.press("down", "enter")  # question 2 opens again with its explanation
        await pilot.pause()
        assert isinstance(app.screen, FeedbackScreen)
        seen["again"] = screen_text(app.screen)
        await pilot.press("right")
        await pilot.pause()
        seen["again3"] = screen_text(app.screen)

    drive(app, scenario)
    assert "Not right." in seen["again"] and "Mistake" not in seen["again"]
    assert "Mistake: You added the gradient" in seen["again3"]
    assert "Right!" in seen["1"] and "Worked solution" in seen["1"]
    assert "Not right." in seen["2"] and "expected:" in seen["2"] and "Mistake" not in seen["2"]
    assert "Mistake: You added the gradient" in seen["3"]
    assert "Score 1 / 3" in seen["results"]
    with open_store(home) as store:
        attempts = store.attempts()
        assert [(a.template_id, a.correct, a.mode) for a in attempts] == [
            ("softmax", True, "practice"), ("sgd-step", False, "practice"), ("sgd-step", False, "practice")]
        assert attempts[2].parts["w"]["diagnosis"]["id"] == "ascent"
        assert store.unfinished_sessions() == []


def test_exam_with_a_flagged_question_revisited(home, bank):
    clock = FakeClock()
    app = make_app(home, bank, clock)
    marks: list[str] = []

    async def scenario(pilot):
        app.start_quiz(QuizSettings(mode="exam", count=3, seed=12, minutes=15,
                                    templates=("sgd-step", "concept-residual", "softmax")))
        await pilot.pause()
        quiz = app.screen
        session = quiz.session
        quiz.query_one("#input-w").value = vector_text(sgd(session.question()))
        await pilot.press("ctrl+s")  # save and go on: no feedback in an exam
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen) and session.position == 1
        await pilot.press("ctrl+f")  # not sure: flag it and come back
        await pilot.press("ctrl+n")
        await pilot.pause()
        await type_text(pilot, "[1, 1, 1]")  # a wrong softmax, left as it is
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert session.position == 1 and session.flagged == {1}
        with open_store(home) as other:  # flags and drafts are already saved
            record = other.session(session.session_id)
            assert record.flagged == [1] and record.drafts["2"] == {"probs": "[1, 1, 1]"}
        right = next(letter for letter, opt in session.question().options("answer") if opt.correct)
        clock.advance(300)
        await pilot.press(right.lower())
        await pilot.press("ctrl+f")  # unflag
        marks.append(text_of(quiz.query_one("#progress")))
        await pilot.press("ctrl+g")
        await pilot.pause()
        await pilot.click("#yes")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        marks.append(screen_text(app.screen))

    drive(app, scenario)
    assert "●●●" in marks[0] and "10:00 left" in marks[0]
    assert "Score 2 / 3" in marks[1]
    with open_store(home) as store:
        attempts = store.attempts()
        assert [(a.question_index, a.correct, a.mode) for a in attempts] == [
            (0, True, "exam"), (1, True, "exam"), (2, False, "exam")]
        assert store.unfinished_sessions() == []


def test_check_my_work(home, bank):
    app = make_app(home, bank)
    seen: list[str] = []

    async def scenario(pilot):
        screen = await open_check(pilot, "sgd-step", 1)
        for name, value in (("w", "[1, -2, 0.5]"), ("g", "[0.4, -1, 2]"), ("lr", "0.5")):
            screen.query_one(f"#param-{name}").value = value
        await pilot.pause()
        assert "w = [1, -2, 0.5]" in text_of(screen.query_one("#check-prompt"))
        screen.query_one("#input-w").focus()
        await type_text(pilot, "0.8, -1.5, -0.5")  # [1, -2, 0.5] - 0.5·[0.4, -1, 2]
        await pilot.press("ctrl+s")
        await pilot.pause()
        seen.append(screen_text(screen))
        # Counted in the progress only when the student ticks it.
        screen.query_one("#check-save").value = True
        screen.query_one("#input-w").value = "1.2 -2.5 1.5"  # ascent
        await pilot.click("#check")
        await pilot.pause()
        seen.append(screen_text(screen))
        screen.query_one("#param-lr").value = "0.5.5"
        await pilot.pause()
        seen.append(text_of(screen.query_one("#check-param-status")))
        seen.append(screen_text(screen))

    drive(app, scenario)
    assert "Right!" in seen[0] and "Not counted in your progress." in seen[0]
    assert "quizapp solve sgd-step:1 --set 'w=[1, -2, 0.5]'" in seen[0]  # the same question, reproduced
    assert "Mistake: You added the gradient" in seen[1] and "Counted in your progress." in seen[1]
    assert seen[2].startswith("✗ α: ")  # named by its label on the form, not the parameter's name lr
    assert "Mistake" not in seen[3]  # an error replaces the result for the old numbers
    with open_store(home) as store:
        attempts = store.attempts()
    assert [(a.mode, a.correct) for a in attempts] == [("check", False)]
    assert attempts[0].params["w"] == [1, -2, 0.5] and attempts[0].params["lr"] == 0.5


def test_check_my_work_judges_the_parts_given(home, bank):
    # batch norm with one part worked: that part is judged, the others are not checked (not wrong,
    # not handed back), as `quizapp check` does
    app = make_app(home, bank)
    seen: list[str] = []

    async def scenario(pilot):
        screen = await open_check(pilot, "batchnorm", 1)
        x = np.asarray(screen.question.params["x"], dtype=float)
        screen.query_one("#input-mean").value = " ".join(f"{m:.6g}" for m in x.mean(axis=0))  # NumPy's mean
        await pilot.press("ctrl+s")
        await pilot.pause()  # also waits for the check, which runs in a worker
        seen.append(screen_text(screen))

    drive(app, scenario)
    assert "Right!  (1 of 3 parts checked)" in seen[0]
    assert seen[0].count("not given, not checked") == 2 and "Not graded" not in seen[0]


def test_resume_after_the_app_is_closed_mid_quiz(home, bank):
    settings = QuizSettings(count=3, seed=13, templates=("sgd-step", "softmax", "mse"))
    first = make_app(home, bank)
    asked: list = []

    async def part_one(pilot):
        app = first
        app.start_quiz(settings)
        await pilot.pause()
        session = app.screen.session
        asked.append(session.refs)
        app.screen.query_one("#input-w").value = vector_text(sgd(session.question()))
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")  # on to question 2 ... and the terminal is closed

    drive(first, part_one)
    second = make_app(home, bank)
    seen: list[str] = []

    async def part_two(pilot):
        app = second
        assert isinstance(app.screen, HomeScreen)
        seen.append(screen_text(app.screen))
        await pilot.press("u")
        await pilot.pause()
        quiz = app.screen
        assert isinstance(quiz, QuizScreen)
        session = quiz.session
        assert session.refs == asked[0] and session.position == 1 and session.outcomes[0].correct
        await pilot.press("ctrl+n")  # skip
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        seen.append(screen_text(app.screen))

    drive(second, part_two)
    assert "Unfinished practice: 1 of 3 answered." in seen[0]
    assert "Score 1 / 3" in seen[1]
    with open_store(home) as store:
        assert [a.question_index for a in store.attempts()] == [0, 1, 2]


def test_a_corrupt_database_is_moved_aside_and_the_app_starts(home, bank):
    home.mkdir(parents=True)
    junk = b"not a database at all\n" * 50
    (home / "progress.sqlite3").write_bytes(junk)
    app = make_app(home, bank)
    seen: list[str] = []

    async def scenario(pilot):
        assert isinstance(app.screen, HomeScreen)
        seen.append(text_of(app.screen.query_one("#warnings")))
        app.start_quiz(QuizSettings(count=1, seed=1, templates=("sgd-step",)))
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()

    drive(app, scenario)
    assert "could not be read" in seen[0] and "moved to" in seen[0]
    aside = [p for p in home.iterdir() if ".corrupt-" in p.name]
    assert len(aside) == 1 and aside[0].read_bytes() == junk
    with open_store(home) as store:  # the fresh database works and kept the new answer
        assert store.warnings == [] and store.attempt_count() == 1


def test_backprop_graph_page_matches_the_seed_example(home, bank):
    app = make_app(home, bank)
    seen: list[str] = []

    async def scenario(pilot):
        await app.push_screen(GraphScreen("", ""))
        await pilot.pause()
        await type_text(pilot, "(x + y)*z")
        app.screen.query_one("#grad-values").focus()
        await type_text(pilot, "x=-2, y=5, z=-4")
        await pilot.pause()
        seen.append(text_of(app.screen.query_one("#grad-status")))
        seen.append(text_of(app.screen.query_one("#grad-graph")))
        app.screen.query_one("#grad-values").value = "x=-2, y=5"
        await pilot.pause()
        seen.append(text_of(app.screen.query_one("#grad-status")))

    drive(app, scenario)
    # Seed 003's worked example: f = -12, ∂f/∂x = ∂f/∂y = -4, ∂f/∂z = 3.
    assert seen[0] == "f = -12   ∂f/∂x = -4   ∂f/∂y = -4   ∂f/∂z = 3"
    assert "f = n₁ · z" in seen[1] and "├─ n₁ = x + y" in seen[1]
    assert seen[2].startswith("✗ no value for z")


def test_backprop_question_feedback_draws_the_graph(home, bank):
    app = make_app(home, bank)
    seen: list[str] = []

    async def scenario(pilot):
        app.start_quiz(QuizSettings(count=1, seed=14, templates=("backprop-sum-product",)))
        await pilot.pause()
        session = app.screen.session
        p = session.question().params
        x, y, z = (float(p[k]) for k in "xyz")
        answers = {"value": (x + y) * z, "grad_x": z, "grad_y": z, "grad_z": x + y}
        for part in session.question().parts:
            app.screen.query_one(f"#input-{part.name}").value = f"{answers[part.name]:g}"
        await pilot.press("ctrl+s")
        await pilot.pause()
        seen.append(screen_text(app.screen))

    drive(app, scenario)
    assert "Right!" in seen[0] and "Computational graph" in seen[0] and "f = n₁ · z" in seen[0]


def test_live_preview_shows_the_parser_message(home, bank):
    app = make_app(home, bank)
    seen: list[str] = []

    async def scenario(pilot):
        app.start_quiz(QuizSettings(count=1, seed=15, templates=("sgd-step",)))
        await pilot.pause()
        await type_text(pilot, "1, 2, 3x")
        await pilot.pause()
        seen.append(text_of(app.screen.query_one("#field-w .preview")))
        await pilot.press("ctrl+t")
        await pilot.pause()
        seen.append(text_of(app.screen.query_one("#hints")))

    drive(app, scenario)
    assert seen[0].startswith("✗ unknown name 'x'") and seen[0].endswith("^")
    assert seen[1].startswith("Hint 1: Gradient descent moves each weight")


def test_help_theme_and_command_palette(home, bank):
    app = make_app(home, bank)
    themes: list[str] = []

    async def scenario(pilot):
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("f2")
        themes.append(app.theme)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Practice quiz", "Exam", "Check my work", "History", "Light/dark theme"} <= set(titles)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "backprop graph")
        # The palette searches in the background: wait for its results. The deadline only turns a
        # hang into a failure; it is no speed target, so it is far beyond what a loaded machine takes.
        deadline = time.monotonic() + 120
        while not (app.screen.query(CommandList) and app.screen.query_one(CommandList).option_count):
            assert time.monotonic() < deadline, "the palette never listed a command"
            await pilot.pause(0.05)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, GraphScreen)

    drive(app, scenario)
    assert themes == ["textual-light"]

    again = make_app(home, bank)  # the theme picked is kept for next time

    async def check_theme(pilot):
        themes.append(again.theme)

    drive(again, check_theme)
    assert themes == ["textual-light", "textual-light"]


def test_review_brings_back_what_was_wrong(home, bank):
    clock = FakeClock()
    with open_store(home) as store:  # softmax answered wrong an hour ago, sgd-step right
        earlier = clock.now - timedelta(hours=1)
        store.record_attempt(template_id="softmax", topic="losses", score=0.0, correct=False, mode="practice",
                             now=earlier)
        store.record_attempt(template_id="sgd-step", topic="optimizers", score=1.0, correct=True,
                             mode="practice", seconds=20.0, now=earlier)
    app = make_app(home, bank, clock)
    seen: list[str] = []

    async def scenario(pilot):
        seen.append(app.screen.query_one("#menu").get_option("review").prompt.plain)
        await pilot.press("r")
        await pilot.pause()
        seen.append(screen_text(app.screen))
        await pilot.press("s")
        await pilot.pause()
        quiz = app.screen
        assert isinstance(quiz, QuizScreen)
        assert quiz.session.mode == "review" and [r.template for r in quiz.session.refs] == ["softmax"]
        quiz.query_one("#input-probs").value = vector_text(softmax(quiz.session.question()))
        await pilot.press("ctrl+s")
        await pilot.pause()

    drive(app, scenario)
    assert seen[0].startswith("Review what is due (1)")
    assert "1 due now." in seen[1]
    with open_store(home) as store:
        last = store.attempts()[-1]
    assert (last.template_id, last.mode, last.correct) == ("softmax", "review", True)


def test_an_exam_is_handed_in_when_its_time_runs_out(home, bank):
    clock = FakeClock()
    app = make_app(home, bank, clock)
    seen: list[str] = []

    async def scenario(pilot):
        app.start_quiz(QuizSettings(mode="exam", count=2, seed=16, minutes=1, templates=("sgd-step", "softmax")))
        await pilot.pause()
        app.screen.query_one("#input-w").value = "1 2 3"
        clock.advance(61)
        # The test drives time: the fake clock moved past the end, and the screen gets the tick
        # its once-a-second timer gives, instead of the test waiting (in real time) for that timer.
        app.screen._tick()
        for _ in range(20):  # event-loop turns, not time: handing in takes a few messages
            await pilot.pause()
            if isinstance(app.screen, ResultsScreen):
                break
        await pilot.pause()  # let the results screen finish composing before reading it
        assert isinstance(app.screen, ResultsScreen)
        seen.append(screen_text(app.screen))
        # the results come with why the exam ended, and "Grading the exam…" is gone
        seen.append(" | ".join(n.message for n in app._notifications))

    drive(app, scenario)
    assert "Score 0 / 2" in seen[0] and "1 unanswered" in seen[0]
    assert seen[1] == "Time is up: the exam was handed in."
    with open_store(home) as store:
        assert [a.parts["w"]["text"] for a in store.attempts()[:1]] == ["1 2 3"]


def test_without_a_usable_progress_folder_the_app_still_works(tmp_path, bank):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    app = make_app(blocked / "home", bank)
    seen: list[str] = []

    async def scenario(pilot):
        seen.append(text_of(app.screen.query_one("#warnings")))
        app.start_quiz(QuizSettings(count=1, seed=17, templates=("sgd-step",)))
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        seen.append(screen_text(app.screen))

    drive(app, scenario)
    assert "will not be saved" in seen[0]
    assert "Skipped." in seen[1]


def test_set_up_with_a_typed_seed_gives_the_study_group_the_same_quiz(home, bank):
    app = make_app(home, bank)
    got: list = []

    async def scenario(pilot):
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, SetupScreen)
        app.screen.query_one("#count").value = "3"
        app.screen.query_one("#seed").value = "777"
        app.screen.query_one("#seed").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)
        got.append(app.screen.session)

    drive(app, scenario)
    session = got[0]
    assert session.settings.seed == 777 and session.count == 3
    assert session.refs == plan(bank, QuizSettings(count=3, seed=777))
