"""Home: what to do next (practice, exam, review, check my work...) and mastery per topic."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Click
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, OptionList, Static
from textual.widgets.option_list import Option

from quizapp.tui.app import BankLoaded, StoreChanged
from quizapp.tui.display import OK, bar_text, percent_text

MENU = (
    ("resume", "Resume the last quiz", "u"),
    ("practice", "Practice quiz", "p"),
    ("exam", "Exam (timed)", "e"),
    ("review", "Review what is due", "r"),
    ("check", "Check my work", "c"),
    ("graph", "Backprop graph", "g"),
    ("history", "History & stats", "h"),
    ("playground", "Training playground", "t"),
    ("help", "Help", "?"),
)


class HomeScreen(Screen):
    _streak = ""
    BINDINGS = [
        Binding("p", "app.practice", "Practice"),
        Binding("e", "app.exam", "Exam"),
        Binding("r", "app.review", "Review"),
        Binding("c", "app.check", "Check"),
        Binding("g", "app.graph", "Graph", show=False),
        Binding("h", "app.history", "History"),
        Binding("u", "app.resume", "Resume", show=False),
        Binding("t", "app.playground", "Playground", show=False),
        Binding("q", "app.quit", "Quit"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="warnings", classes="banner")
        with Horizontal(id="home-body"):
            with Vertical(id="menu-pane"):
                yield Label("What next?", classes="pane-title")
                yield OptionList(id="menu")
                yield Static(id="resume-info", classes="dim")
            with Vertical(id="topics-pane"):
                yield Label("Topics", classes="pane-title")
                yield DataTable(id="topics", cursor_type="row", zebra_stripes=True)
                yield Static(id="home-summary", classes="dim")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#topics", DataTable)
        table.add_column("Topic", key="topic")
        table.add_column("Qs", key="count")
        table.add_column("Mastery", key="mastery", width=15)
        self.refresh_all()
        self.query_one("#menu", OptionList).focus()

    def refresh_all(self) -> None:
        self._show_warnings()
        self._show_menu()
        self._show_topics()

    def _show_warnings(self) -> None:
        banner = self.query_one("#warnings", Static)
        messages = list(self.app.warnings)
        if self.app.bank_error:
            messages.append(f"The question bank could not be loaded: {self.app.bank_error}")
        banner.update(Text("\n".join("⚠ " + m for m in messages) + "  (click to dismiss)"))
        banner.display = bool(messages)

    def _show_menu(self) -> None:
        menu = self.query_one("#menu", OptionList)
        highlighted = menu.highlighted
        record = self.app.last_unfinished()
        due = self._due_count()
        options = []
        for key, title, shortcut in MENU:
            if key == "resume" and record is None:
                continue
            label = Text()
            text = title
            if key == "review" and due is not None:
                text = f"{title} ({due})"
            label.append(text.ljust(24))
            label.append(shortcut, style="dim")
            options.append(Option(label, id=key))
        menu.set_options(options)
        menu.highlighted = min(highlighted or 0, len(options) - 1)
        info = self.query_one("#resume-info", Static)
        if record is not None:
            answered = len(self.app.store.session_answers(record.id)) if self.app.store else 0
            drafts = len(record.drafts)
            done = drafts if record.mode == "exam" else answered
            info.update(f"Unfinished {record.mode}: {done} of {len(record.questions)} answered.")
        else:
            info.update("")

    def _due_count(self) -> int | None:
        store = self.app.store
        if store is None:
            return None
        return len(store.due_templates(now=self.app.clock()))

    def _show_topics(self) -> None:
        table = self.query_one("#topics", DataTable)
        table.clear()
        summary = self.query_one("#home-summary", Static)
        bank = self.app.bank
        if bank is None:
            table.add_row("Loading the question bank…", "", "")
            summary.update("")
            return
        mastery = self._mastery()
        total = 0
        for topic, templates in bank.topics().items():
            total += len(templates)
            m = mastery.get(topic)
            cell = Text(bar_text(m or 0.0, 10), style=f"{OK}")
            cell.append(" " + percent_text(m))
            table.add_row(topic, str(len(templates)), cell, key=topic)
        answered = self.app.store.attempt_count() if self.app.store else 0
        text = Text(f"{total} question templates · {answered} answers saved")
        if self._streak:
            text.append("\n" + self._streak)
        summary.update(text)

    def _mastery(self) -> dict[str, float]:
        """Mastery per topic; also notes the day streak and the weakest topic for the summary."""
        self._streak = ""
        if self.app.store is None:
            return {}
        from quizapp.progress import stats

        rows = self.app.store.attempts()
        if rows:
            today = self.app.clock().astimezone(self.app.tz).date()
            streak = stats.streaks(rows, today=today, tz=self.app.tz)
            self._streak = f"Day streak {streak.current_days}"
            weak = stats.weakest_topics(rows, limit=1)
            if weak:
                self._streak += f" · weakest: {weak[0].topic} ({percent_text(weak[0].accuracy)})"
        return {t.topic: t.mastery for t in stats.topic_stats(rows)}

    def on_click(self, event: Click) -> None:
        """A click on the warning banner puts it away."""
        if event.widget is not None and event.widget.id == "warnings":
            event.widget.display = False
            self.app.warnings.clear()

    async def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        await self.app.run_action(event.option.id or "")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a topic starts a practice quiz on that topic."""
        topic = event.row_key.value
        if topic and self.app.bank is not None and topic in self.app.bank.topics():
            from quizapp.tui.screens.setup import SetupScreen

            self.app.push_screen(SetupScreen(self.app.bank, "practice", topics=(topic,)), self.app.settings_chosen)

    def on_bank_loaded(self, message: BankLoaded) -> None:
        self.refresh_all()

    def on_store_changed(self, message: StoreChanged) -> None:
        self.refresh_all()

    def on_screen_resume(self) -> None:
        self.refresh_all()
