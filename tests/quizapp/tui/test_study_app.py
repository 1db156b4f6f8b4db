"""Issue 16 as a student meets it, driven by Pilot: what must hold at 80×24 (and wider)."""

from __future__ import annotations

import random

import numpy as np
from textual.command import CommandList
from textual.widgets import DataTable

from question_bank.bank import BUILTIN, load_template
from quizapp.progress import open_store
from quizapp.study.session import QuizSession, QuizSettings
from quizapp.tui.screens.check import CheckScreen
from quizapp.tui.screens.dialogs import ConfirmDialog
from quizapp.tui.screens.graph import GraphScreen
from quizapp.tui.screens.home import HomeScreen
from quizapp.tui.screens.results import ResultsScreen, score_text

from .conftest import FakeClock, drive, make_app, open_check, screen_text, small_bank, text_of


def on_screen(widget) -> bool:
    """Whether some of ``widget`` is inside the terminal (its region overlaps the screen's)."""
    region = widget.region
    return region.height > 0 and region.y < widget.screen.size.height - 1 and region.bottom > 0


def test_after_submitting_the_verdict_and_solution_are_on_screen_and_end_reaches_the_rest(home, bank):
    app = make_app(home, bank)
    seen: dict[str, object] = {}

    async def scenario(pilot):
        app.start_quiz(QuizSettings(count=1, seed=31, templates=("batchnorm",)))
        await pilot.pause()
        quiz = app.screen
        question = quiz.session.question()
        seen["id"] = text_of(quiz.query_one("#prompt"))
        seen["question"] = question
        for part, text in (("mean", "0 0"), ("var", "1 1"), ("out", "0 0; 0 0; 0 0; 0 0")):
            quiz.query_one(f"#input-{part}").value = text  # readable, and wrong: every part is graded
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.pause()
        body = quiz.query_one("#question-body")
        view = quiz.query_one("ExplanationView")
        seen["top"] = view.region.y - body.region.y  # the verdict starts at the top of the body
        seen["scrolled"] = body.scroll_y
        await pilot.press("end")
        await pilot.pause()
        seen["end"] = (body.scroll_y, body.max_scroll_y)
        seen["text"] = text_of(view)

    drive(app, scenario)
    question = seen["question"]
    assert f"id batchnorm:{question.seed}" in seen["id"]
    assert seen["top"] <= 1 and seen["scrolled"] > 0
    scroll_y, max_y = seen["end"]
    assert max_y > 0 and scroll_y == max_y
    assert f"quizapp solve batchnorm:{question.seed}" in seen["text"]


def test_hint_keeps_the_focused_field_in_view_and_its_focus_is_marked(home, bank):
    app = make_app(home, bank)
    seen: list = []

    async def scenario(pilot):
        app.start_quiz(QuizSettings(count=1, seed=32, templates=("batchnorm",)))
        await pilot.pause()
        quiz = app.screen
        quiz.query_one("#input-var").focus()
        await pilot.pause()
        for _ in range(3):
            await pilot.press("ctrl+t")
            await pilot.pause()
        focused = app.focused
        field = quiz.query_one("#field-var")
        seen.append((focused.id, on_screen(focused), field.has_focus_within,
                     str(field.styles.border_left[0]), str(quiz.query_one("#field-mean").styles.border_left[0])))

    drive(app, scenario)
    focused_id, visible, within, marked, other = seen[0]
    assert focused_id == "input-var" and visible and within
    assert marked == "thick" and other == "blank"  # a bar that reads without colour


def test_quitting_mid_quiz_says_it_is_saved_and_home_has_no_bare_q(home, bank):
    app = make_app(home, bank)
    seen: list[str] = []

    async def scenario(pilot):
        await pilot.press("q")  # one quit key everywhere: ctrl+q, not q
        await pilot.pause()
        seen.append(type(app.screen).__name__)
        app.start_quiz(QuizSettings(count=2, seed=33, templates=("sgd-step", "softmax")))
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        seen.append(screen_text(app.screen))
        await pilot.press("n")  # stay
        await pilot.pause()
        seen.append(type(app.screen).__name__)
        await pilot.press("ctrl+q", "ctrl+q")  # twice: the student means it
        await pilot.pause()
        seen.append(str(app.is_running))

    drive(app, scenario)
    assert seen[0] == "HomeScreen"
    assert "Your quiz is saved: resume it from the home screen (u)." in seen[1]
    assert seen[2] == "QuizScreen" and seen[3] == "False"


def test_a_resumed_exam_past_its_deadline_is_handed_in(home, bank):
    clock = FakeClock()
    with open_store(home) as store:
        settings = QuizSettings(mode="exam", count=2, seed=34, minutes=5, templates=("sgd-step", "softmax"))
        session = QuizSession.start(bank, settings, store, clock)
        session.save_draft({"w": "1 2 3"})
    clock.advance(6 * 60)  # the app was killed, and time went on
    app = make_app(home, bank, clock)
    seen: list[str] = []

    async def scenario(pilot):
        await pilot.press("u")
        for _ in range(10):
            await pilot.pause()
            if isinstance(app.screen, ResultsScreen):
                break
        assert isinstance(app.screen, ResultsScreen)
        seen.append(screen_text(app.screen))

    drive(app, scenario)
    assert "Score 0 / 2" in seen[0] and "1 unanswered" in seen[0]


def test_the_palette_finds_templates_and_topics(home, bank):
    app = make_app(home, bank)
    found: dict[str, list[str]] = {}

    async def scenario(pilot):
        for query in ("softmax", "normalization"):
            await pilot.press("ctrl+p")
            await pilot.pause()
            for key in query:
                await pilot.press(key)
            for _ in range(20):
                await pilot.pause(0.05)
                options = app.screen.query_one(CommandList).options
                if options:
                    break
            found[query] = [str(o.prompt) for o in options]
            await pilot.press("enter")
            await pilot.pause()
            found[query].append(type(app.screen).__name__)
            await pilot.press("escape")
            await pilot.pause()

    drive(app, scenario)
    assert any("(softmax)" in text for text in found["softmax"]) and found["softmax"][-1] == "CheckScreen"
    assert any("Practise normalization" in text for text in found["normalization"])
    assert found["normalization"][-1] == "SetupScreen"


def test_check_labels_follow_the_typed_numbers_and_an_error_replaces_the_result(home, bank):
    with_labels = small_bank()
    with_labels.add(load_template(BUILTIN / "activations/activation.yaml"))  # parts "f(x)", "f'(x)"
    app = make_app(home, with_labels)
    seen: list[str] = []

    async def scenario(pilot):
        screen = await open_check(pilot, "activation", 1)
        screen.query_one("#param-x").value = "0.5"
        await pilot.pause()
        seen.append(" ".join(str(label.content) for label in screen.query(".part-label")))
        seen.append(text_of(screen.query_one("#check-prompt")))

    drive(app, scenario)
    assert "f(0.5)" in seen[0] and "f'(0.5)" in seen[0]
    assert "id activation:1" in seen[1]


def test_the_graph_page_drops_the_old_table_on_an_error(home, bank):
    app = make_app(home, bank)
    seen: list = []

    async def scenario(pilot):
        await app.push_screen(GraphScreen("x*y", "x=2, y=3"))
        await pilot.pause()
        screen = app.screen
        seen.append(screen.query_one("#grad-table", DataTable).display)
        screen.query_one("#grad-expr").value = "x*("
        await pilot.pause()
        seen.append(screen.query_one("#grad-table", DataTable).display)
        seen.append(text_of(screen.query_one("#grad-status")))

    drive(app, scenario)
    assert seen[0] is True and seen[1] is False and seen[2].startswith("✗")


def test_scores_are_rounded_for_people():
    assert [score_text(s) for s in (19 / 6, 2.5, 3.0, 0.0)] == ["3.17", "2.5", "3", "0"]


def test_home_mastery_is_never_cut_and_wide_terminals_use_their_width(home, bank):
    widths: dict[int, tuple] = {}
    for size in ((80, 24), (120, 40)):
        app = make_app(home, bank)

        async def scenario(pilot, size=size):
            table = pilot.app.screen.query_one("#topics", DataTable)
            columns = list(table.columns.values())
            widths[size[0]] = (sum(c.get_render_width(table) for c in columns), table.region.width)

        drive(app, scenario, size=size)
    for width, (needed, shown) in widths.items():
        assert needed <= shown, (width, needed, shown)
    assert widths[120][0] > widths[80][0] + 20


# -- no traceback from any key sequence on any screen --------------------------------------

KEYS = (list("abcdefghijklmnoprstuvwxyz0123456789.,-[]") +
        ["enter", "escape", "tab", "shift+tab", "up", "down", "left", "right", "pageup", "pagedown", "home", "end",
         "space", "backspace", "ctrl+s", "ctrl+t", "ctrl+n", "ctrl+b", "ctrl+f", "ctrl+g", "ctrl+r", "f1", "f2",
         "question_mark", "ctrl+p"])


async def _start(app, pilot, where: str) -> None:
    settings = {
        "quiz": QuizSettings(count=3, seed=41, templates=("sgd-step", "concept-residual", "batchnorm")),
        "exam": QuizSettings(mode="exam", count=3, seed=42, minutes=5,
                             templates=("softmax", "concept-residual", "mse")),
    }
    if where in settings:
        app.start_quiz(settings[where])
    elif where == "check":
        await app.push_screen(CheckScreen("sgd-step", seed=43))
    elif where != "home":
        await pilot.press({"graph": "g", "history": "h", "review": "r", "playground": "t", "setup": "p"}[where])
    await pilot.pause()


def test_random_keys_on_every_screen_never_raise(home, bank):
    for where in ("home", "quiz", "exam", "check", "graph", "history", "review", "setup", "playground"):
        rng = random.Random(f"keys:{where}")  # seeded: a failure names the keys that caused it
        app = make_app(home, bank, FakeClock())
        pressed: list[str] = []

        async def scenario(pilot, where=where, rng=rng, pressed=pressed):
            await _start(pilot.app, pilot, where)
            for _ in range(60):
                key = rng.choice(KEYS)
                pressed.append(key)
                await pilot.press(key)
            await pilot.pause()
            assert pilot.app.is_running, f"{where}: the app closed after {pressed}"

        drive(app, scenario)  # an exception in the app is raised here
        assert app._exception is None, f"{where}: {app._exception!r} after {pressed}"


def test_answers_keep_their_numbers_in_review_and_results(home, bank):
    """A quiz through to the results: the right answer, worked out here, is scored 1."""
    app = make_app(home, bank)
    seen: list[str] = []

    async def scenario(pilot):
        app.start_quiz(QuizSettings(count=1, seed=44, templates=("sgd-step",)))
        await pilot.pause()
        p = app.screen.session.question().params
        w = np.asarray(p["w"], float) - float(p["lr"]) * np.asarray(p["g"], float)
        app.screen.query_one("#input-w").value = ", ".join(f"{v:.6g}" for v in w)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        seen.append(screen_text(app.screen))
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)

    drive(app, scenario)
    assert "Score 1 / 1  (100%)" in seen[0]


def test_a_handed_back_answer_stays_with_its_text_and_focus_and_is_not_saved(home, bank):
    app = make_app(home, bank)
    seen: list = []

    async def scenario(pilot):
        app.start_quiz(QuizSettings(count=1, seed=45, templates=("batchnorm",)))
        await pilot.pause()
        quiz = app.screen
        quiz.query_one("#input-mean").value = "0 0"
        quiz.query_one("#input-var").value = "1 (2"  # unreadable; "out" is left blank
        await pilot.press("ctrl+s")
        await pilot.pause()
        seen.append((quiz.feedback_for, app.focused.id, quiz.query_one("#input-var").value,
                     text_of(quiz.query_one("#field-var .preview")), text_of(quiz.query_one("#field-out .preview"))))

    drive(app, scenario)
    feedback_for, focused, typed, var_note, out_note = seen[0]
    assert feedback_for is None and focused == "input-var" and typed == "1 (2"
    assert var_note.startswith("↩ Not graded") and out_note.startswith("↩ Not graded")
    with open_store(home) as store:
        assert store.attempts() == []
