"""Where the student is in a quiz: a bar, one mark per question, and the exam clock."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from quizapp.tui.display import bar_text, duration_text

if TYPE_CHECKING:
    from quizapp.tui.session import QuizSession

LEGEND_PRACTICE = "✓ right  ~ partly  ✗ wrong  - skipped  ○ open"
LEGEND_EXAM = "● answered  ○ open  ⚑ flagged"


def marks(session: QuizSession) -> Text:
    """One mark per question; the current one highlighted."""
    out = Text()
    for i in range(session.count):
        if session.exam:
            mark, style = ("●", "") if i in session.drafts else ("○", "dim")
            if i in session.flagged:
                mark, style = "⚑", "bold yellow"
        else:
            outcome = session.outcomes.get(i)
            if outcome is None:
                mark, style = "○", "dim"
            elif outcome.skipped:
                mark, style = "-", "dim"
            elif outcome.correct:
                mark, style = "✓", "green"
            elif outcome.score > 0:
                mark, style = "~", "yellow"
            else:
                mark, style = "✗", "red"
        if i == session.position and not session.is_done():
            style += " reverse"
        out.append(mark, style=style.strip())
    return out


def progress_text(session: QuizSession) -> Text:
    done = len(session.drafts) if session.exam else session.answered
    out = Text()
    out.append(f"Question {session.position + 1}/{session.count}  ", style="bold")
    bar = bar_text(done / session.count if session.count else 0, 12)
    filled = bar.rstrip()
    out.append(filled, style="green")
    out.append("░" * (len(bar) - len(filled)), style="dim")
    out.append(f" {done}/{session.count}  ")
    out.append_text(marks(session))
    left = session.deadline_seconds()
    if left is not None:
        out.append(f"   ⏱ {duration_text(max(0.0, left))} left", style="bold red" if left < 60 else "bold")
    return out


class QuizProgress(Static):
    """The progress line at the top of the question screen."""

    DEFAULT_CSS = """
    QuizProgress { height: auto; padding: 0 1; background: $boost; }
    """

    def show(self, session: QuizSession) -> None:
        self.update(progress_text(session))
