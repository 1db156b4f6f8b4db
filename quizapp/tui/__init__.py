"""The Textual study app. ``run_app`` is all the command line needs; Textual loads only here."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def run_app(home: str | Path | None = None, banks: Sequence[str] = ()) -> int:
    """Open the study app; returns the exit code when it closes."""
    from quizapp.tui.app import QuizApp

    result = QuizApp(home=home, banks=banks).run()
    return int(result or 0)
