"""Quiz set-up: topics, how many questions, difficulty, practice or exam, time limit and seed.

The seed is shown and can be typed: a study group that types the same seed gets the same quiz.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Select, SelectionList, Static

from quizapp.study.session import DIFFICULTIES, MAX_QUESTIONS, QuizSettings, candidates, new_seed
from quizapp.tui.display import BAD
from quizapp.tui.widgets.tickbox import Radio, TickList

if TYPE_CHECKING:
    from question_bank.bank import Bank

DEFAULT_COUNT = {"practice": 5, "exam": 10}
DEFAULT_MINUTES = 20


class SetupScreen(ModalScreen[QuizSettings | None]):
    """Dismissed with the chosen settings, or None when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "start", "Start"),
    ]

    def __init__(self, bank: Bank, mode: str = "practice", topics: tuple[str, ...] = (),
                 seed: int | None = None) -> None:
        super().__init__()
        self.bank = bank
        self.mode = mode
        self.topics = topics
        self.seed = new_seed() if seed is None else seed

    def compose(self) -> ComposeResult:
        with Vertical(id="setup", classes="dialog"):
            yield Label("New exam" if self.mode == "exam" else "New practice quiz", classes="dialog-title")
            with Horizontal(id="setup-body"):
                with Vertical(id="setup-topics"):
                    yield Label("Topics (none ticked = all)")
                    yield TickList(
                        *((t, t, t in self.topics) for t in self.bank.topics()), id="topics")
                with Vertical(id="setup-form"):
                    yield Label("Mode")
                    with RadioSet(id="mode"):
                        yield Radio("Practice", value=self.mode != "exam", id="mode-practice")
                        yield Radio("Exam", value=self.mode == "exam", id="mode-exam")
                    yield Label("Questions")
                    yield Input(str(DEFAULT_COUNT.get(self.mode, 5)), type="integer", compact=True, id="count")
                    yield Label("Difficulty")
                    yield Select([(name, name) for name in DIFFICULTIES], value="any", allow_blank=False,
                                 compact=True, id="difficulty")
                    yield Label("Time limit (minutes)", id="minutes-label")
                    yield Input(str(DEFAULT_MINUTES), type="integer", compact=True, id="minutes")
                    yield Label("Seed (same seed, same quiz)")
                    yield Input(str(self.seed), type="integer", compact=True, id="seed")
            yield Static(id="setup-status")
            with Horizontal(classes="buttons"):
                yield Button("Start", variant="primary", id="start", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self._exam_fields()
        self._update_status()
        self.query_one("#topics").focus()

    @property
    def exam(self) -> bool:
        return self.query_one("#mode-exam", RadioButton).value

    def _exam_fields(self) -> None:
        for selector in ("#minutes", "#minutes-label"):
            self.query_one(selector).display = self.exam

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        self._exam_fields()
        self._update_status()

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        self._update_status()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._update_status()

    def on_select_changed(self, event: Select.Changed) -> None:
        self._update_status()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_start()

    def settings(self) -> QuizSettings:
        """The settings in the form; ValueError naming the field that is wrong."""
        count = _whole(self.query_one("#count", Input).value, "Questions")
        seed = _whole(self.query_one("#seed", Input).value, "Seed")
        minutes = _whole(self.query_one("#minutes", Input).value, "Time limit") if self.exam else None
        difficulty = DIFFICULTIES[str(self.query_one("#difficulty", Select).value)]
        topics = tuple(self.query_one("#topics", SelectionList).selected)
        return QuizSettings(mode="exam" if self.exam else "practice", topics=topics, count=count,
                            difficulty=difficulty, seed=seed, minutes=minutes)

    def _update_status(self) -> None:
        status = self.query_one("#setup-status", Static)
        try:
            settings = self.settings()
        except ValueError as exc:
            status.update(Text(str(exc), style=BAD))
            return
        n = len(candidates(self.bank, settings))
        if n == 0:
            status.update(Text("No questions match: tick more topics or choose any difficulty.", style=BAD))
        elif n < settings.count:
            status.update(f"{n} question templates match; some come again with new numbers.")
        else:
            status.update(f"{n} question templates match.")

    def action_start(self) -> None:
        try:
            settings = self.settings()
        except ValueError as exc:
            self.notify(str(exc), severity="error")
            return
        if not candidates(self.bank, settings):
            self.notify("No questions match these settings.", severity="error")
            return
        self.dismiss(settings)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "start":
            self.action_start()
        else:
            self.action_cancel()


def _whole(text: str, field: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise ValueError(f"{field}: enter a whole number") from None
    if field == "Questions" and not 1 <= value <= MAX_QUESTIONS:
        raise ValueError(f"Questions: 1 to {MAX_QUESTIONS}")
    if value < 0 or (field == "Time limit" and value == 0):
        raise ValueError(f"{field}: must be positive")
    return value
