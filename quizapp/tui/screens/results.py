"""Results: score, per-topic breakdown and time; each question opens again with its
explanation, and the wrong ones can be retried with new numbers."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Header, Label, Static

from quizapp.study.session import QuizSession, QuizSettings, Summary
from quizapp.tui.display import BAD, OK, WARN, duration_text


def score_text(score: float) -> str:
    """A score for people: at most two decimals, no trailing zeros (3.17, 2.5, 3)."""
    return f"{round(score, 2):g}"


def summary_text(session: QuizSession, summary: Summary) -> Text:
    out = Text()
    out.append(f"Score {score_text(summary.score)} / {summary.total}  ({summary.percent:.0f}%)", style="bold")
    out.append(f"   {summary.correct} right · {summary.total - summary.correct} not right")
    skipped = summary.total - summary.answered
    if skipped:
        out.append(f" ({skipped} {'unanswered' if session.exam else 'skipped'})")
    label = "Exam" if session.exam else "Time answering"
    seconds = summary.seconds
    out.append(f"   {label}: {duration_text(seconds)}")
    out.append(f"\nSeed {session.settings.seed} · {session.mode}", style="dim")
    return out


# Everything in a question row but its title ("#", result, cell padding, margins): titles take the rest,
# so the result column fits at 80 columns and wide terminals show whole titles.
ROW_FRAME = 28


class ResultsScreen(Screen[QuizSettings | None]):
    """Dismissed with a retry quiz's settings, or None (home)."""

    BUTTONS = {"explain": "explain_selected", "retry": "retry", "home": "home"}  # button id -> action
    BINDINGS = [
        Binding("r", "retry", "Retry wrong"),
        Binding("escape,h", "home", "Home"),
    ]

    def __init__(self, session: QuizSession) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="results"):
            yield Static(id="results-summary")
            # One above the other: side by side, the topic rows looked matched to the question rows.
            with Vertical(id="results-tables"):
                with Vertical(id="results-questions-pane"):
                    yield Label("Questions (Enter: explanation)", classes="pane-title")
                    yield DataTable(id="results-questions", cursor_type="row", zebra_stripes=True)
                with Vertical(id="results-topics-pane"):
                    yield Label("By topic", classes="pane-title")
                    yield DataTable(id="results-topics", cursor_type="none", zebra_stripes=True)
        with Horizontal(classes="buttons"):
            yield Button("Explain", variant="primary", id="explain", compact=True)
            yield Button("Retry wrong with new numbers", id="retry", compact=True)
            yield Button("Home", id="home", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        s = self.session
        summary = s.summary()
        self.sub_title = "Results"
        self.query_one("#results-summary", Static).update(summary_text(s, summary))
        topics = self.query_one("#results-topics", DataTable)
        topics.add_columns("Topic", "Right", "Score")
        for t in summary.topics:
            topics.add_row(t.topic, f"{t.correct}/{t.questions}", f"{100 * t.score / t.questions:.0f}%")
        table = self.query_one("#results-questions", DataTable)
        table.add_columns("#", "Question", "Result")
        for i in range(s.count):
            title = s.template(i).title
            width = max(20, self.app.size.width - ROW_FRAME)
            title = title if len(title) <= width else title[: width - 1] + "…"
            table.add_row(str(i + 1), title, _mark(s, i), key=str(i))
        table.focus()
        if not summary.wrong:
            self.query_one("#retry", Button).disabled = True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry":
            return bool(self.session.summary().wrong) or None
        return True

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.explain(int(event.row_key.value or 0))

    def explain(self, index: int) -> None:
        from quizapp.tui.screens.feedback import FeedbackScreen

        self.app.push_screen(FeedbackScreen(self.session, index))

    def action_explain_selected(self) -> None:
        self.explain(self.query_one("#results-questions", DataTable).cursor_row)

    def action_retry(self) -> None:
        settings = self.session.retry_settings()
        if settings is None:
            self.notify("Everything was right: nothing to retry.")
            return
        self.dismiss(settings)

    def action_home(self) -> None:
        self.dismiss(None)

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        await self.run_action(self.BUTTONS[event.button.id or ""])


def _mark(session: QuizSession, index: int) -> Text:
    outcome = session.outcomes.get(index)
    if outcome is None or outcome.skipped:
        return Text("– skipped" if not session.exam else "– blank", style="dim")
    if outcome.correct:
        return Text("✓ right", style=f"{OK}")
    if outcome.score > 0:
        return Text(f"~ {outcome.score:.0%}", style=f"{WARN}")
    return Text("✗ wrong", style=f"{BAD}")
