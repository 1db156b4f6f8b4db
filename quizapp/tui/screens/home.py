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

from quizapp.tui.display import OK, bar_text, percent_text
from quizapp.tui.handle import study
from quizapp.tui.messages import BankLoaded, PracticeTopic, StoreChanged

# (option id, title, key, the app action it runs): the id is only a name, the action is explicit.
MENU = (
    ("resume", "Resume the last quiz", "u", "app.resume"),
    ("practice", "Practice quiz", "p", "app.practice"),
    ("exam", "Exam (timed)", "e", "app.exam"),
    ("review", "Review what is due", "r", "app.review"),
    ("check", "Check my work", "c", "app.check"),
    ("graph", "Backprop graph", "g", "app.graph"),
    ("history", "History & stats", "h", "app.history"),
    ("playground", "Training playground", "t", "app.playground"),
    ("help", "Help", "?", "app.help"),
)
ACTIONS = {key: action for key, _, _, action in MENU}
MENU_WIDTH = 32  # #menu-pane in app.tcss
PERCENT = 5  # " 100%"
MAX_BAR = 40


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
        self.refresh_all()
        self.query_one("#menu", OptionList).focus()

    def on_resize(self) -> None:
        self._show_topics()  # the mastery bars take the width there is

    def refresh_all(self) -> None:
        self._show_warnings()
        self._show_menu()
        self._show_topics()

    def _show_warnings(self) -> None:
        banner = self.query_one("#warnings", Static)
        messages = list(study(self).warnings)
        if study(self).bank_error:
            messages.append(f"The question bank could not be loaded: {study(self).bank_error}")
        banner.update(Text("\n".join("⚠ " + m for m in messages) + "  (click to dismiss)"))
        banner.display = bool(messages)

    def _show_menu(self) -> None:
        menu = self.query_one("#menu", OptionList)
        highlighted = menu.highlighted
        record = study(self).last_unfinished()
        due = self._due_count()
        options = []
        for key, title, shortcut, _ in MENU:
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
            answered = len(study(self).store.session_answers(record.id)) if study(self).store else 0
            drafts = len(record.drafts)
            done = drafts if record.mode == "exam" else answered
            info.update(f"Unfinished {record.mode}: {done} of {len(record.questions)} answered.")
        else:
            info.update("")

    def _due_count(self) -> int | None:
        store = study(self).store
        if store is None:
            return None
        return len(store.due_templates(now=study(self).clock()))

    def _columns(self, topics: list[str]) -> tuple[int, int]:
        """(topic, bar) widths that fit the pane: the percentage is never cut, the bar grows with it."""
        pane = self.query_one("#topics-pane").size.width or max(0, self.size.width - MENU_WIDTH)
        room = pane - 2 - 3 * 2 - 4 - PERCENT  # scrollbar, cell padding, "Qs", " 100%"
        topic = min(max((len(t) for t in topics), default=5), max(8, room - 5))
        return topic, max(3, min(MAX_BAR, room - topic))

    def _show_topics(self) -> None:
        table = self.query_one("#topics", DataTable)
        summary = self.query_one("#home-summary", Static)
        bank = study(self).bank
        topics = list(bank.topics()) if bank is not None else []
        topic_width, bar_width = self._columns(topics)
        table.clear(columns=True)
        table.add_column("Topic", key="topic", width=topic_width)
        table.add_column("Qs", key="count", width=2)
        table.add_column("Mastery", key="mastery", width=bar_width + PERCENT)
        if bank is None:
            table.add_row("Loading…", "", "")
            summary.update("")
            return
        mastery = self._mastery()
        total = 0
        for topic, templates in bank.topics().items():
            total += len(templates)
            m = mastery.get(topic)
            cell = Text(bar_text(m or 0.0, bar_width), style=f"{OK}")
            cell.append(percent_text(m).rjust(PERCENT))
            name = topic if len(topic) <= topic_width else topic[: topic_width - 1] + "…"
            table.add_row(name, str(len(templates)), cell, key=topic)
        answered = study(self).store.attempt_count() if study(self).store else 0
        text = Text(f"{total} question templates · {answered} answer{'' if answered == 1 else 's'} saved")
        if self._streak:
            text.append("\n" + self._streak)
        summary.update(text)

    def _mastery(self) -> dict[str, float]:
        """Mastery per topic; also notes the day streak and the weakest topic for the summary."""
        self._streak = ""
        if study(self).store is None:
            return {}
        from quizapp.progress import stats

        rows = study(self).store.attempts()
        if rows:
            today = study(self).clock().astimezone(study(self).tz).date()
            streak = stats.streaks(rows, today=today, tz=study(self).tz)
            self._streak = f"Day streak {streak.current_days}"
            weak = stats.weakest_topics(rows, limit=1)
            if weak:
                self._streak += f" · weakest: {weak[0].topic} ({percent_text(weak[0].accuracy)})"
        return {t.topic: t.mastery for t in stats.topic_stats(rows)}

    def on_click(self, event: Click) -> None:
        """A click on the warning banner puts it away."""
        if event.widget is not None and event.widget.id == "warnings":
            event.widget.display = False
            study(self).warnings.clear()

    async def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        action = ACTIONS.get(event.option.id or "")
        if action is not None:
            await self.run_action(action)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a topic starts a practice quiz on that topic."""
        topic = event.row_key.value
        bank = study(self).bank
        if topic and bank is not None and topic in bank.topics():
            self.post_message(PracticeTopic(topic))

    def on_bank_loaded(self, message: BankLoaded) -> None:
        self.refresh_all()

    def on_store_changed(self, message: StoreChanged) -> None:
        self.refresh_all()

    def on_screen_resume(self) -> None:
        self.refresh_all()
