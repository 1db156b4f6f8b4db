"""A typed handle on the app's state for screens, without importing the app (no import cycle)."""

from __future__ import annotations

from datetime import tzinfo
from typing import TYPE_CHECKING, Protocol, cast

from textual.dom import DOMNode

if TYPE_CHECKING:
    from question_bank.bank import Bank
    from quizapp.progress import SessionRecord, Store
    from quizapp.study.session import Clock


class StudyState(Protocol):
    """What the app hands down to its screens. Screens read it; they never write the store."""

    bank: Bank | None
    bank_error: str | None
    store: Store | None
    clock: Clock
    tz: tzinfo | None
    warnings: list[str]

    def last_unfinished(self) -> SessionRecord | None: ...


def study(node: DOMNode) -> StudyState:
    """The app's state as seen from ``node`` (a screen or widget)."""
    return cast(StudyState, node.app)
