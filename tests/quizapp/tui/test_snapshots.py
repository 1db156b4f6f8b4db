"""Snapshots of the main screens at 80×24 and 120×40 (pytest-textual-snapshot).

Everything is seeded and the clock is fixed, so the pictures are stable. After an intended change
of a screen, regenerate with ``pytest tests/quizapp/tui/test_snapshots.py --snapshot-update`` and
look at the SVGs (``__snapshots__/``) before committing them.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from textual.command import CommandList
from textual.widgets import Input

from quizapp.study.session import QuizSettings
from quizapp.tui.screens.check import CheckScreen
from quizapp.tui.screens.graph import GraphScreen
from quizapp.tui.screens.setup import SetupScreen

from .conftest import T0, FakeClock, make_app, settle, small_bank

BOTH = [(80, 24), (120, 40)]


def seed_history(app, clock: FakeClock) -> None:
    """Three weeks of answers in two topics (fixed times), as if practised before."""
    start = T0 - timedelta(days=6)
    for day in range(6):
        for j in range(5):
            when = start + timedelta(days=day, minutes=j)
            app.store.record_attempt(template_id="sgd-step", topic="optimizers", score=float((j + day) % 4 > 0),
                                     correct=(j + day) % 4 > 0, mode="practice", seconds=40.0, now=when)
            app.store.record_attempt(template_id="softmax", topic="losses", score=float(j % 2),
                                     correct=j % 2 == 1, mode="practice", seconds=70.0, now=when)
    app.screen.refresh_all()


def build(home, name: str):
    """(app, run_before) for one named picture."""
    clock = FakeClock()
    app = make_app(home, small_bank(), clock)

    async def home_screen(pilot):
        seed_history(app, clock)
        await pilot.pause()

    async def question(pilot):
        app.start_quiz(QuizSettings(count=3, seed=21, templates=("batchnorm", "sgd-step", "softmax")))
        await pilot.pause()
        app.screen.query_one("#input-mean").value = "0.25, -1/2"
        app.screen.query_one("#input-var").value = "[2.69, 4.25"
        await pilot.pause()

    async def feedback(pilot):
        app.start_quiz(QuizSettings(count=2, seed=22, templates=("backprop-sum-product", "sgd-step")))
        await pilot.pause()
        q = app.screen.session.question()
        x, y, z = (float(q.params[k]) for k in "xyz")
        for part, text in (("value", (x + y) * z), ("grad_x", z), ("grad_y", x), ("grad_z", x + y)):
            app.screen.query_one(f"#input-{part}").value = f"{text:g}"
        await pilot.press("ctrl+s")
        await pilot.pause()

    async def results(pilot):
        app.start_quiz(QuizSettings(count=3, seed=23, templates=("sgd-step", "softmax", "concept-residual")))
        await pilot.pause()
        session = app.screen.session
        p = session.question().params
        w = np.asarray(p["w"], float) + float(p["lr"]) * np.asarray(p["g"], float)
        app.screen.query_one("#input-w").value = ", ".join(f"{v:g}" for v in w)
        for key in ("ctrl+s", "enter", "ctrl+n", "enter", "a", "ctrl+s", "enter"):
            await pilot.press(key)
            await pilot.pause()

    async def check(pilot):
        # The screen with the student's numbers and answer typed. The verdict scrolled into view after
        # checking is a flow test's job (the scroll lands a refresh or two later, at random for a picture).
        await app.push_screen(CheckScreen("sgd-step", seed=5))
        await pilot.pause()
        app.screen.query_one("#input-w").value = "1, 2, 3"
        await pilot.pause()

    async def feedback_end(pilot):
        """A long worked solution (batch norm) read to its end with the documented key."""
        app.start_quiz(QuizSettings(count=1, seed=25, templates=("batchnorm",)))
        await pilot.pause()
        for part, text in (("mean", "0 0"), ("var", "1 1"), ("out", "0 0; 0 0; 0 0; 0 0")):
            app.screen.query_one(f"#input-{part}").value = text
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("end")
        await pilot.pause()

    async def leave(pilot):
        app.start_quiz(QuizSettings(count=2, seed=26, templates=("sgd-step", "softmax")))
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()

    async def palette(pilot):
        await pilot.press("ctrl+p")
        await pilot.pause()
        for key in "softmax":  # a template of the small bank
            await pilot.press(key)
        for search in app.screen.query(Input):
            search.cursor_blink = False  # a blinking cursor would make the picture differ at random
        for _ in range(50):  # the palette searches in the background
            await pilot.pause(0.02)
            if app.screen.query_one(CommandList).option_count:
                break
        await pilot.pause()

    async def history(pilot):
        seed_history(app, clock)
        await pilot.press("h")
        await pilot.pause()

    async def review(pilot):
        seed_history(app, clock)
        await pilot.press("r")
        await pilot.pause()

    async def setup(pilot):
        await app.push_screen(SetupScreen(app.bank, "practice", topics=("losses",), seed=424242))
        await pilot.pause()

    async def exam(pilot):
        app.start_quiz(QuizSettings(mode="exam", count=4, seed=24, minutes=20,
                                    templates=("sgd-step", "concept-residual", "softmax", "mse")))
        await pilot.pause()
        app.screen.query_one("#input-w").value = "1 2 3"
        for key in ("ctrl+s", "ctrl+f", "ctrl+s"):
            await pilot.press(key)
            await pilot.pause()
        clock.advance(95)
        await pilot.press("ctrl+f")
        await pilot.pause()

    async def graph(pilot):
        await app.push_screen(GraphScreen("sigmoid(w0*x0 + w1*x1 + w2)", "w0=2, x0=-1, w1=-3, x1=-2, w2=-3"))
        await pilot.pause()

    async def help_screen(pilot):
        await pilot.press("f1")
        await pilot.pause()

    async def light(pilot):
        app.theme = "textual-light"
        seed_history(app, clock)
        await pilot.pause()

    scenarios = {"home": home_screen, "question": question, "feedback": feedback, "feedback_end": feedback_end,
                 "results": results, "check": check, "history": history, "review": review, "setup": setup,
                 "exam": exam, "leave": leave, "graph": graph, "help": help_screen, "home_light": light,
                 "palette": palette}

    async def run_before(pilot):
        pause = pilot.pause
        pilot.pause = lambda delay=None: settle(pilot, pause, delay)  # answers are graded in a worker
        await scenarios[name](pilot)

    return app, run_before


SCREENS = ["home", "question", "feedback", "feedback_end", "results", "check", "history", "review", "setup",
           "exam", "leave", "graph", "help", "home_light", "palette"]


@pytest.mark.parametrize("size", BOTH, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", SCREENS)
def test_main_screens(snap_compare, home, name, size):
    app, run_before = build(home, name)
    assert snap_compare(app, terminal_size=size, run_before=run_before)
