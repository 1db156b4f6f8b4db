"""Where the student is in a quiz: a bar, one mark per question, and the exam clock."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from quizapp.tui.display import BAD, OK, WARN, bar_text, duration_text

if TYPE_CHECKING:
    from quizapp.study.session import QuizSession

LEGEND_PRACTICE = "✓ right  ~ partly  ✗ wrong  - skipped  ○ open"
LEGEND_EXAM = "● answered  ○ open  ⚑ flagged"


def marks(session: QuizSession) -> Text:
    """One mark per question; the current one highlighted."""
    out = Text()
    for i in range(session.count):
        if session.exam:
            mark, style = ("●", "") if i in session.drafts else ("○", "dim")
            if i in session.flagged:
                mark, style = "⚑", f"bold {WARN}"
        else:
            outcome = session.outcomes.get(i)
            if outcome is None:
                mark, style = "○", "dim"
            elif outcome.skipped:
                mark, style = "-", "dim"
            elif outcome.correct:
                mark, style = "✓", OK
            elif outcome.score > 0:
                mark, style = "~", WARN
            else:
                mark, style = "✗", BAD
        if i == session.position and not session.is_done():
            style += " reverse"
        out.append(mark, style=style.strip())
    return out


def _head(session: QuizSession) -> tuple[str, str, str]:
    """The text before the marks: the position, a bar, and how many are done."""
    done = len(session.drafts) if session.exam else session.answered
    bar = bar_text(done / session.count if session.count else 0, 12)
    return f"Question {session.position + 1}/{session.count}  ", bar, f" {done}/{session.count}  "


def marks_start(session: QuizSession) -> int:
    """The column of the first question mark in :func:`progress_text` (to map a click to a mark)."""
    return sum(len(part) for part in _head(session))


def progress_text(session: QuizSession) -> Text:
    title, bar, count = _head(session)
    out = Text()
    out.append(title, style="bold")
    filled = bar.rstrip()
    out.append(filled, style=f"{OK}")
    out.append("░" * (len(bar) - len(filled)), style="dim")
    out.append(count)
    out.append_text(marks(session))
    left = session.deadline_seconds()
    if left is not None:
        out.append(f"   ⏱ {duration_text(max(0.0, left))} left", style=f"bold {BAD}" if left < 60 else "bold")
    return out


class QuizProgress(Static):
    """The progress line at the top of the question screen."""


    def show(self, session: QuizSession) -> None:
        self.update(progress_text(session))
