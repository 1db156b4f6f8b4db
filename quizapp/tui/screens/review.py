"""Review: spaced repetition (FSRS, in the progress store) over the templates answered before.

Templates answered wrong or slowly come due soonest; the review quiz takes the ones due now,
longest overdue first, with new numbers.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Header, Label, Static

from quizapp.tui.display import BAD
from quizapp.tui.handle import study
from quizapp.tui.messages import StoreChanged

REVIEW_LIMIT = 10  # questions in one review quiz
# Every column but the question's title, with its width: together they fit 80 columns.
TOPIC_WIDTH = 12
COLUMNS = (("Topic", TOPIC_WIDTH), ("Due", 10), ("Reviews", 7), ("Lapses", 6), ("State", 10))
STATES = {1: "learning", 2: "review", 3: "relearning"}


class ReviewScreen(Screen[bool]):
    """Dismissed with True to start the review quiz, False to go back."""

    BUTTONS = {"start": "start", "back": "back"}  # button id -> action
    BINDINGS = [
        Binding("s", "start", "Start review"),
        Binding("escape", "back", "Back"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="review"):
            yield Static(id="review-summary")
            yield Label("Your cards, soonest due first", classes="pane-title")
            yield DataTable(id="review-table", cursor_type="row", zebra_stripes=True)
        with Horizontal(classes="buttons"):
            yield Button("Start review", variant="primary", id="start", compact=True)
            yield Button("Back", id="back", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Review"
        self.refresh_table()
        self.query_one("#review-table", DataTable).focus()

    def on_resize(self) -> None:
        self.refresh_table()

    def _columns(self, table: DataTable) -> int:
        """Fixed columns that always fit; the question's title takes the rest of the width."""
        table.clear(columns=True)
        room = max(12, (self.size.width or 80) - sum(w for _, w in COLUMNS) - 2 * (len(COLUMNS) + 1) - 4)
        table.add_column("Question", width=room)
        for label, width in COLUMNS:
            table.add_column(label, width=width)
        return room

    def due_now(self) -> list[str]:
        state = study(self)
        if state.store is None or state.bank is None:
            return []
        return [t for t in state.store.due_templates(now=state.clock()) if t in state.bank]

    def refresh_table(self) -> None:
        from quizapp.progress.review import describe_due

        state = study(self)
        store, bank = state.store, state.bank
        table = self.query_one("#review-table", DataTable)
        title_width = self._columns(table)
        summary = self.query_one("#review-summary", Static)
        if store is None or bank is None:
            summary.update("Progress is not being saved, so there is nothing to review.")
            return
        now = state.clock()
        states = [s for s in (store.review_state(t) for t in bank.ids()) if s is not None]
        states.sort(key=lambda s: (s.due, s.template_id))
        for s in states:
            template = bank.get(s.template_id)
            due = describe_due(s.due, now)
            table.add_row(_cut(template.title, title_width), _cut(template.topic, TOPIC_WIDTH),
                          Text(due, style=f"bold {BAD}" if due == "now" else ""), str(s.reviews), str(s.lapses),
                          STATES.get(s.state, str(s.state)), key=s.template_id)
        due_now = len(self.due_now())
        start = self.query_one("#start", Button)
        start.disabled = due_now == 0
        start.label = f"Start review ({min(due_now, REVIEW_LIMIT)})" if due_now else "Start review"
        if not states:
            summary.update("Nothing to review yet: every question you answer is scheduled here, and the ones "
                           "you get wrong or find hard come back soonest.")
        elif due_now:
            summary.update(Text(f"{due_now} due now.", style="bold").append(
                f" A review quiz takes up to {REVIEW_LIMIT}, longest overdue first, with new numbers.",
                style="not bold"))
        else:
            summary.update(f"Nothing due now; the next review is {describe_due(states[0].due, now)}.")

    def action_start(self) -> None:
        if not self.due_now():
            self.notify("Nothing is due for review right now.")
            return
        self.dismiss(True)

    def action_back(self) -> None:
        self.dismiss(False)

    def on_store_changed(self, message: StoreChanged) -> None:
        self.refresh_table()

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        await self.run_action(self.BUTTONS[event.button.id or ""])


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
