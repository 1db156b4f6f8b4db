"""The training playground: watch a small network learn a data set on the plane, and ask about it.

Training runs off the event loop, in a thread worker that steps the session one update at a time;
a timer redraws at ``FPS`` by reading the session's ``state`` (the session is thread-safe: a
reader waits for one update at most). Pause, step and reset take ``_gate``, the lock the worker
holds around each update, so once they return no update of an older run can land: reset really
is step 0, and a paused count stays put.

Changing any setting starts over with the new settings (as the TensorFlow Playground does for the
network). "Question" builds a question about the settings on screen (it trains a few networks, so
in a worker), and a run of its explanation can be replayed here.
"""

from __future__ import annotations

import threading
import time
from functools import partial
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, OptionList, Static

from quizapp.playground.questions import PlaygroundQuestion, Run, make_question, questions_for
from quizapp.playground.session import PlaygroundSession, Settings
from quizapp.tui.widgets.boundary import BoundaryView
from quizapp.tui.widgets.playground_controls import PlaygroundControls
from quizapp.tui.widgets.playground_neurons import NeuronList, neuron_title
from quizapp.tui.widgets.playground_question import QuestionDialog
from quizapp.tui.widgets.playground_stats import TrainingStats

FPS = 20  # redraws a second while training (the issue asks for at least 10)
TRAIN, PAUSE = "▶ Train", "⏸ Pause"


class PlaygroundScreen(Screen):
    """Controls on the left (``c`` hides them), the field and the neurons, the loss curves below."""

    CSS_PATH = Path(__file__).resolve().parent.parent / "playground.tcss"
    AUTO_FOCUS = "#pg-neurons"
    BINDINGS = [
        Binding("space", "toggle", "Train/Pause"),
        Binding("s", "step", "Step", show=False),  # the buttons say Step and Reset; the footer fits 80 columns
        Binding("r", "reset", "Reset", show=False),
        Binding("a", "question", "Ask me"),  # not q: ctrl+q quits everywhere, and q must not look like it
        Binding("c", "controls", "Controls"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__()
        self.session = PlaygroundSession(settings or Settings())
        self._gate = threading.Lock()
        self._generation = 0  # bumped by every pause and reset: a worker of an older one stops
        self._training = False
        self._version = 0  # bumped by every reset, so that step 0 of a new run redraws
        self._drawn: tuple[object, ...] = ()
        self._note = ""
        self._asked = 0
        self._asking = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="pg-body"):
            yield PlaygroundControls(self.session.settings, id="pg-controls")
            with Vertical(id="pg-main"):
                with Horizontal(id="pg-buttons"):
                    yield Button(TRAIN, id="pg-train", compact=True, variant="success")
                    yield Button("Step", id="pg-step", compact=True)
                    yield Button("Reset", id="pg-reset", compact=True)
                    yield Button("Question", id="pg-question", compact=True, variant="primary")
                yield Static(id="pg-error")
                with Horizontal(id="pg-view"):
                    yield BoundaryView(self.session, id="pg-field")
                    yield NeuronList(id="pg-neurons")
                yield TrainingStats(id="pg-stats")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Training playground"
        self.query_one("#pg-error", Static).display = False
        neurons = self.query_one(NeuronList)
        neurons.border_title = "Draw"
        neurons.show_layers(self.session.settings.hidden)
        field = self.query_one(BoundaryView)
        field.border_title = neuron_title(None)
        field.border_subtitle = "orange 0 · blue 1 · pale: test"
        self.set_interval(1 / FPS, self.refresh_view)
        self.refresh_view()

    def on_unmount(self) -> None:
        self._pause()

    # ----- drawing --------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._training

    def refresh_view(self) -> None:
        """Redraw what changed since the last frame (the timer calls this)."""
        state = self.session.state
        key = (self._version, state.step, self._training, self._note)
        if key == self._drawn:
            return
        self._drawn = key
        self.query_one(BoundaryView).redraw()
        self.query_one(TrainingStats).show(state, self._training, self._note)
        self.query_one("#pg-train", Button).label = PAUSE if self._training else TRAIN

    # ----- training -------------------------------------------------------------------------
    def start(self, until: int | None = None) -> None:
        """Train in a worker thread until paused (or step ``until``, or the run diverges)."""
        if self.session.state.diverged:
            self.notify("This run diverged: lower the learning rate, then reset (r).", severity="warning")
            return
        with self._gate:
            self._generation += 1
            self._training = True
            generation = self._generation
        self.run_worker(partial(self._train, generation, until), thread=True, group="pg-train",
                        name="playground training")
        self.refresh_view()

    def _train(self, generation: int, until: int | None) -> None:
        while True:
            with self._gate:
                if generation != self._generation:
                    return
                state = self.session.step(1)
                if state.diverged or (until is not None and state.step >= until):
                    self._training = False
                    return
            time.sleep(0)  # the gate is not fair: let a waiting pause or reset take it now

    def _pause(self) -> None:
        with self._gate:
            self._generation += 1
            self._training = False

    def _reset(self, settings: Settings) -> None:
        self._pause()
        self.session.reset(settings)
        self._version += 1
        self._note = ""
        self.query_one(NeuronList).show_layers(settings.hidden)
        self._show_neuron()
        self.refresh_view()

    def action_toggle(self) -> None:
        if self._training:
            self._pause()
            self.refresh_view()
        else:
            self.start()

    def action_step(self) -> None:
        self._pause()
        self.session.step(1)
        self.refresh_view()

    def action_reset(self) -> None:
        """Back to step 0: with the settings on the form if they are valid, else the current ones."""
        try:
            settings = self.query_one(PlaygroundControls).read()
        except ValueError:
            settings = self.session.settings
        self._reset(settings)

    def action_controls(self) -> None:
        controls = self.query_one(PlaygroundControls)
        controls.display = not controls.display

    def action_back(self) -> None:
        """Out of the form first (escape in a field), then off the screen."""
        focused = self.focused
        if focused is not None and self.query_one(PlaygroundControls) in focused.ancestors:
            self.query_one(NeuronList).focus()
            return
        self._pause()
        self.dismiss()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        actions = {"pg-train": self.action_toggle, "pg-step": self.action_step, "pg-reset": self.action_reset,
                   "pg-question": self.action_question}
        actions[event.button.id or ""]()

    def on_playground_controls_changed(self, message: PlaygroundControls.Changed) -> None:
        error = self.query_one("#pg-error", Static)
        error.update(f"✗ {message.error}" if message.error else "")
        error.display = message.error is not None
        field = self.query_one(BoundaryView)
        if field.show_test != message.show_test:
            field.show(field.neuron, show_test=message.show_test)
        if message.settings is not None and message.settings != self.session.settings:
            self._reset(message.settings)

    # ----- neurons --------------------------------------------------------------------------
    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if isinstance(event.option_list, NeuronList):
            self._show_neuron()

    def _show_neuron(self) -> None:
        neuron = self.query_one(NeuronList).neuron
        field = self.query_one(BoundaryView)
        field.border_title = neuron_title(neuron)
        if neuron != field.neuron:
            field.show(neuron)

    # ----- questions ------------------------------------------------------------------------
    def action_question(self) -> None:
        """Build a question about the settings on screen (in a worker: it trains a few networks)."""
        if self._asking:
            return
        self._pause()
        settings = self.session.settings
        kinds = questions_for(settings)
        kind, seed = kinds[self._asked % len(kinds)], self._asked
        self._asked += 1
        self._asking = True
        self._note = "Building a question: training the networks that answer it…"
        self.refresh_view()
        self.run_worker(partial(self._build_question, kind, settings, seed), thread=True, group="pg-question",
                        name="playground question")

    def _build_question(self, kind: str, settings: Settings, seed: int) -> None:
        try:
            question: PlaygroundQuestion | str = make_question(kind, settings, seed)
        except ValueError as exc:
            question = str(exc)
        self.app.call_from_thread(self._ask, question)

    def _ask(self, question: PlaygroundQuestion | str) -> None:
        self._asking = False
        self._note = ""
        self.refresh_view()
        if isinstance(question, str):
            self.notify(question, title="No question this time", severity="error")
        elif self.is_attached:
            self.app.push_screen(QuestionDialog(question), self.replay)

    def replay(self, run: Run | None) -> None:
        """Show a run of a question's explanation: its settings, trained for its steps, live."""
        if run is None:
            return
        self.query_one(PlaygroundControls).show(run.settings)
        self._reset(run.settings)
        self._note = f"Replaying a run of the question: {run.steps} steps (its settings are on the left)"
        self.start(until=run.steps)
