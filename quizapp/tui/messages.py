"""Messages between the app and its screens: "attributes down, messages up".

The app broadcasts :class:`BankLoaded` and :class:`StoreChanged` down to every screen (they do not
bubble back up); screens post the others up to the app, which starts what they ask for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from quizapp.study.session import QuizSettings


class BankLoaded(Message, bubble=False):
    """The question bank is ready (or failed to load: ``error`` says why)."""

    def __init__(self, error: str | None = None) -> None:
        super().__init__()
        self.error = error


class StoreChanged(Message, bubble=False):
    """New answers were saved: screens showing progress refresh."""


class ProgressSaved(Message):
    """A screen saved answers through the study layer: the app tells every screen."""


class StartQuiz(Message):
    """Start a quiz with these settings (a retry, a review...)."""

    def __init__(self, settings: QuizSettings) -> None:
        super().__init__()
        self.settings = settings


class PracticeTopic(Message):
    """Set up a practice quiz on one topic."""

    def __init__(self, topic: str) -> None:
        super().__init__()
        self.topic = topic


class CheckTemplate(Message):
    """Open Check my work on one template (from the command palette)."""

    def __init__(self, template_id: str) -> None:
        super().__init__()
        self.template_id = template_id
