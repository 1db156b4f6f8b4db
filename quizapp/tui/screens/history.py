"""History and stats: accuracy per day (all topics or one) as a chart, streaks, weakest topics,
and a table per topic with its recent trend."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, Select, Static

from quizapp.tui.display import OK, percent_text
from quizapp.tui.handle import study
from quizapp.tui.messages import StoreChanged
from quizapp.tui.widgets.plot import ColumnChart

ALL = "__all__"
_SPARK = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float], width: int = 10) -> str:
    """The last ``width`` fractions as one-line bars."""
    return "".join(_SPARK[min(7, int(v * 8))] for v in list(values)[-width:])


class HistoryScreen(Screen):
    BINDINGS = [Binding("escape", "back", "Back")]

    def __init__(self, tz: Any = None) -> None:
        super().__init__()
        self.tz = tz

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="history"):
            yield Static(id="history-summary")
            with Horizontal(classes="form-row"):
                yield Label("Accuracy per day:", classes="pane-title")
                yield Select([("all topics", ALL)], value=ALL, allow_blank=False, compact=True, id="history-topic")
            yield ColumnChart(id="history-chart")
            yield Static(id="history-weakest")
            yield Label("Topics", classes="pane-title")
            yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "History"
        table = self.query_one("#history-table", DataTable)
        table.add_columns("Topic", "Answers", "Accuracy", "Mastery", "Trend", "Last")
        self.refresh_all()

    def _rows(self) -> list[Any]:
        store = study(self).store
        return [] if store is None else store.attempts()

    def refresh_all(self) -> None:
        from quizapp.progress import stats

        rows = self._rows()
        today = study(self).clock().astimezone(self.tz).date()
        summary = self.query_one("#history-summary", Static)
        if not rows:
            summary.update("No answers saved yet: practise a little and your progress shows up here.")
        else:
            k = sum(r.correct for r in rows)
            s = stats.streaks(rows, today=today, tz=self.tz)
            text = Text(f"{len(rows)} answers · {percent_text(k / len(rows))} right", style="bold")
            text.append(f" · day streak {s.current_days} (best {s.longest_days})"
                        f" · right in a row {s.current_correct} (best {s.longest_correct})")
            summary.update(text)
        topics = stats.topic_stats(rows)
        select = self.query_one("#history-topic", Select)
        current = select.value
        select.set_options([("all topics", ALL)] + [(t.topic, t.topic) for t in topics])
        select.value = current if current in [ALL] + [t.topic for t in topics] else ALL
        self._plot(rows)
        weak = stats.weakest_topics(rows)
        weakest = self.query_one("#history-weakest", Static)
        if weak:
            weakest.update(Text("Weakest: ", style="bold").append(", ".join(
                f"{w.topic} {percent_text(w.accuracy)} of the last {w.attempts}" for w in weak), style="not bold"))
        else:
            weakest.update(Text("Weakest topics show up after 5 answers in a topic.", style="dim"))
        daily = stats.daily_accuracy_by_topic(rows, self.tz)
        table = self.query_one("#history-table", DataTable)
        table.clear()
        for t in topics:
            trend = sparkline([p.accuracy for p in daily.get(t.topic, [])])
            table.add_row(t.topic, str(t.attempts), percent_text(t.accuracy), percent_text(t.mastery),
                          Text(trend, style=f"{OK}"), t.last_answered.astimezone(self.tz).strftime("%Y-%m-%d"),
                          key=t.topic)

    def _plot(self, rows: list[Any] | None = None) -> None:
        from quizapp.progress import stats

        rows = self._rows() if rows is None else rows
        topic = self.query_one("#history-topic", Select).value
        if topic != ALL:
            rows = [r for r in rows if r.topic == topic]
        points = stats.daily_accuracy(rows, self.tz)
        self.query_one("#history-chart", ColumnChart).plot(
            [p.accuracy for p in points], [p.day.strftime("%m-%d") for p in points], height=5)

    def on_select_changed(self, event: Select.Changed) -> None:
        self._plot()

    def on_resize(self) -> None:
        self._plot()

    def on_store_changed(self, message: StoreChanged) -> None:
        self.refresh_all()

    def action_back(self) -> None:
        self.dismiss()
