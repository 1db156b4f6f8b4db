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

from quizapp.tui.app import StoreChanged
from quizapp.tui.display import BAD

REVIEW_LIMIT = 10  # questions in one review quiz
STATES = {1: "learning", 2: "review", 3: "relearning"}


class ReviewScreen(Screen):
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
        table = self.query_one("#review-table", DataTable)
        table.add_columns("Question", "Topic", "Due", "Reviews", "Lapses", "State")
        self.refresh_table()
        table.focus()

    def due_now(self) -> list[str]:
        store, bank = self.app.store, self.app.bank
        if store is None or bank is None:
            return []
        return [t for t in store.due_templates(now=self.app.clock()) if t in bank]

    def refresh_table(self) -> None:
        from quizapp.progress.review import describe_due

        store, bank = self.app.store, self.app.bank
        table = self.query_one("#review-table", DataTable)
        table.clear()
        summary = self.query_one("#review-summary", Static)
        if store is None or bank is None:
            summary.update("Progress is not being saved, so there is nothing to review.")
            return
        now = self.app.clock()
        states = [s for s in (store.review_state(t) for t in bank.ids()) if s is not None]
        states.sort(key=lambda s: (s.due, s.template_id))
        for s in states:
            template = bank.get(s.template_id)
            due = describe_due(s.due, now)
            table.add_row(template.title[:34], template.topic, Text(due, style=f"bold {BAD}" if due == "now" else ""),
                          str(s.reviews), str(s.lapses), STATES.get(s.state, str(s.state)), key=s.template_id)
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
        self.dismiss()
        self.app.start_review()

    def action_back(self) -> None:
        self.dismiss()

    def on_store_changed(self, message: StoreChanged) -> None:
        self.refresh_table()

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        await self.run_action(event.button.id or "")
