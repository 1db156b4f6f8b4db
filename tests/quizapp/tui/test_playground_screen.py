"""The training playground screen, driven by Pilot in a small app of its own (not the study app).

Expected facts come from outside our code: a model with no hidden layer on x₁, x₂ draws a straight
boundary, and no straight line separates XOR (so it stays near chance); a seeded run is repeatable.
Snapshots: ``pytest tests/quizapp/tui/test_playground_screen.py --snapshot-update``, then look at
the SVGs in ``__snapshots__/test_playground_screen/``.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import Button, Input, Select, Static

import quizapp.tui
from quizapp.playground.render import session_lines
from quizapp.playground.session import Settings
from quizapp.tui.screens.playground import PlaygroundScreen
from quizapp.tui.widgets.boundary import BoundaryView
from quizapp.tui.widgets.playground_controls import PlaygroundControls
from quizapp.tui.widgets.playground_neurons import NeuronList
from quizapp.tui.widgets.playground_question import LETTERS, QuestionDialog

from .conftest import text_of


class PlaygroundApp(App):
    """Just the playground screen, as the study app pushes it (with the widgets' styles)."""

    CSS_PATH = Path(quizapp.tui.__file__).with_name("widgets.tcss")

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__()
        self.settings = settings

    def on_mount(self) -> None:
        self.push_screen(PlaygroundScreen(self.settings))


def drive(scenario, size=(80, 24), settings: Settings | None = None) -> None:
    app = PlaygroundApp(settings)

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, PlaygroundScreen)
            await scenario(pilot, app.screen)

    asyncio.run(main())


async def until(pilot, condition, hang_after: float = 120.0) -> None:
    """Let the app run until ``condition()`` holds (a worker thread is doing the work).

    ``hang_after`` only turns a hang into a failure; it is no speed target (those are in
    benchmarks/bench_playground.py), so it is far beyond what a loaded machine takes."""
    deadline = time.monotonic() + hang_after
    while not condition():
        assert time.monotonic() < deadline, "hung: the condition never came true"
        await pilot.pause(0.02)


def training_stopped(screen) -> bool:
    """No training worker of the screen is running (a paused or reset run can step no more)."""
    return not any(w.group == "pg-train" and not w.is_finished for w in screen.app.workers)


def stats_text(screen) -> str:
    return text_of(screen.query_one("#pg-stats", Static))


def test_train_pause_step_and_reset(home):
    async def scenario(pilot, screen):
        session = screen.session
        assert session.state.step == 0
        await pilot.press("space")
        await until(pilot, lambda: session.state.step >= 20)
        assert screen.running
        assert str(screen.query_one("#pg-train", Button).label) == "⏸ Pause"
        await pilot.press("space")
        assert not screen.running
        paused_at = session.state.step
        await until(pilot, lambda: training_stopped(screen))  # the worker has ended...
        await pilot.pause()
        assert session.state.step == paused_at  # ...without stepping past the pause
        assert f"step {paused_at}" in stats_text(screen)
        assert str(screen.query_one("#pg-train", Button).label) == "▶ Train"
        await pilot.press("s")
        assert session.state.step == paused_at + 1
        await pilot.click("#pg-train")  # the button does what space does
        await until(pilot, lambda: session.state.step > paused_at + 10)
        await pilot.press("r")  # reset while training: step 0, and it stays there
        assert not screen.running
        await until(pilot, lambda: training_stopped(screen))
        await pilot.pause()
        state = session.state
        assert (state.step, len(state.train_losses)) == (0, 1)
        assert "Paused · step 0 " in stats_text(screen)

    drive(scenario)


def test_a_diverging_run_stops_by_itself_and_says_why(home):
    # a linear network with plain SGD at learning rate 10 overshoots further at every step
    settings = Settings(optimizer="sgd", lr=10.0, activation="linear", hidden=(8, 8))

    async def scenario(pilot, screen):
        await pilot.press("space")
        await until(pilot, lambda: not screen.running)
        await pilot.pause(0.1)
        state = screen.session.state
        assert state.diverged and state.step < 100
        assert "Diverged" in stats_text(screen)
        await pilot.press("space")  # nothing to train on: it says so instead
        await pilot.pause()
        assert not screen.running and screen.session.state.step == state.step
        await pilot.press("r")
        assert not screen.session.state.diverged and "Diverged" not in stats_text(screen)

    drive(scenario, settings=settings)


def test_the_ui_keeps_redrawing_while_it_trains(home):
    """Training is off the event loop: the field goes on being redrawn on the timer while the
    worker trains, frame after frame, each showing a later step (a loop blocked by training would
    draw none until it stopped, and this run never stops by itself). The rates, 10 frames a second
    and 50 steps a second, are measured in benchmarks/bench_playground.py."""
    settings = Settings(dataset="spiral", hidden=(8, 8), points=200)

    async def scenario(pilot, screen):
        field = screen.query_one(BoundaryView)
        await pilot.press("space")
        await until(pilot, lambda: screen.session.state.step > 0)
        seen = [(field.frames, screen.session.state.step)]

        def drawn_a_later_step() -> bool:
            now = (field.frames, screen.session.state.step)
            if now[0] > seen[-1][0] and now[1] > seen[-1][1]:
                seen.append(now)
            return len(seen) > 5

        await until(pilot, drawn_a_later_step)
        assert screen.running  # five new frames of five later steps, all while it trained
        await pilot.press("space")

    drive(scenario, size=(120, 40), settings=settings)


def test_a_hidden_neuron_shows_its_own_field(home):
    async def scenario(pilot, screen):
        screen.session.step(50)
        screen.refresh_view()
        field = screen.query_one(BoundaryView)
        neurons = screen.query_one(NeuronList)
        assert neurons.option_count == 1 + 4 + 2  # the output, then hidden layers of 4 and 2
        columns, rows = field.picture_size()
        top = (field.size.height - rows) // 2

        def picture() -> list[list]:
            return [list(field.render_line(top + y))[1:-1] for y in range(rows)]  # without the margins

        output = picture()
        assert output == session_lines(screen.session, columns, rows)
        await pilot.press("down", "down")  # output -> L1 n1 -> L1 n2
        await pilot.pause()
        assert field.neuron == (0, 1)
        assert field.border_title.startswith("Layer 1, neuron 2")
        neuron = picture()
        assert neuron == session_lines(screen.session, columns, rows, neuron=(0, 1))
        assert neuron != output
        await pilot.click("#pg-neurons", offset=(3, 6))  # "L2 n1": the sixth option, after a border row
        await pilot.pause()
        assert field.neuron == (1, 0)

    drive(scenario)


def test_settings_on_the_form_start_over_and_bad_ones_are_named(home):
    async def scenario(pilot, screen):
        session = screen.session
        session.step(20)
        screen.query_one("#pg-dataset", Select).value = "circle"
        await pilot.pause()
        assert (session.settings.dataset, session.state.step) == ("circle", 0)
        for name in ("x1sq", "x2sq"):
            screen.query_one(f"#pg-f-{name}").value = True
        screen.query_one("#pg-hidden", Input).value = ""
        await pilot.pause()
        assert session.settings.features == ("x1", "x2", "x1sq", "x2sq")
        assert session.settings.hidden == ()
        assert screen.query_one(NeuronList).option_count == 1
        screen.query_one("#pg-noise", Input).value = "10"  # percent, as the Playground shows it
        screen.query_one("#pg-lr", Input).value = "0.1"
        await pilot.pause()
        assert (session.settings.noise, session.settings.lr) == (0.1, 0.1)

        good = session.settings
        screen.query_one("#pg-hidden", Input).value = "4,9"
        await pilot.pause()
        error = screen.query_one("#pg-error", Static)
        assert error.display and "hidden" in text_of(error) and "9" in text_of(error)
        assert session.settings == good
        screen.query_one("#pg-lr", Input).value = "fast"
        screen.query_one("#pg-hidden", Input).value = "3"
        await pilot.pause()
        assert "learning rate" in text_of(error) and "'fast'" in text_of(error)
        screen.query_one("#pg-lr", Input).value = "0.1"
        await pilot.pause()
        assert not error.display
        assert session.settings.hidden == (3,)

        # the form set from settings (as a question's run does) does not start anything over
        screen.query_one(PlaygroundControls).show(Settings(dataset="moons", seed=7))
        await pilot.pause()
        assert session.settings.hidden == (3,)
        assert screen.query_one(PlaygroundControls).read() == Settings(dataset="moons", seed=7)

        field = screen.query_one(BoundaryView)
        width = field.size.width
        await pilot.press("c")  # hide the controls: the field gets their room
        await pilot.pause()
        assert not screen.query_one(PlaygroundControls).display
        assert field.size.width > width

    drive(scenario)


def test_a_question_is_answered_and_its_run_replayed(home):
    async def scenario(pilot, screen):
        await pilot.press("a")
        await until(pilot, lambda: isinstance(pilot.app.screen, QuestionDialog))
        dialog = pilot.app.screen
        q = dialog.question
        assert q.kind == "xor-no-hidden"  # the question about what is on screen comes first
        # a model with no hidden layer draws a straight line, and no line separates XOR
        assert q.options[q.answer].startswith("No")
        wrong = next(i for i in range(len(q.options)) if i != q.answer)
        await pilot.press(LETTERS[wrong].lower())
        await pilot.pause()
        verdict = text_of(dialog.query_one("#pg-q-verdict", Static))
        assert verdict.startswith("✗") and f"the answer is {LETTERS[q.answer]}" in verdict
        assert "Run 1:" in text_of(dialog.query_one("#pg-q-explanation", Static))
        await pilot.press(LETTERS[q.answer].lower())  # one answer only
        assert dialog.chosen == wrong

        run = q.runs[0]
        assert run.settings.hidden == () and run.settings.features == ("x1", "x2")
        dialog.query_one("#pg-q-run-0", Button).press()
        await until(pilot, lambda: pilot.app.screen is screen)
        await until(pilot, lambda: not screen.running and screen.session.state.step == run.steps)
        state = screen.session.state
        assert screen.session.settings == run.settings
        assert screen.query_one(PlaygroundControls).read() == run.settings
        assert state.train_losses == run.state.train_losses  # same seed, same numbers
        assert state.train_accuracy <= 0.75

    drive(scenario)


async def seeded_run(pilot) -> None:
    screen = pilot.app.screen
    screen.session.step(300)
    screen.refresh_view()
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_after_a_seeded_run(snap_compare, home, size):
    app = PlaygroundApp(Settings(dataset="xor", hidden=(4, 2), seed=1))
    assert snap_compare(app, terminal_size=size, run_before=seeded_run)
