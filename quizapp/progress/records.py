"""The rows of the progress store as plain dataclasses, and the time/JSON helpers they share.

Times are stored as ISO 8601 text in UTC (``2024-03-01T09:30:00+00:00``) so that text order is
time order; in Python they are always timezone-aware datetimes.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

MODES = ("practice", "exam", "check", "review")
EXPORT_COLUMNS = ("id", "answered_at", "template_id", "template_version", "topic", "seed", "params", "parts",
                  "score", "correct", "seconds", "mode", "session_id", "question_index")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def to_iso(when: datetime) -> str:
    """``when`` as UTC text; a naive datetime is taken to be local time, like ``astimezone`` does."""
    return when.astimezone(timezone.utc).isoformat(timespec="microseconds")


def from_iso(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _plain(obj: Any) -> Any:
    # NumPy arrays and scalars (answers, parameters) without importing NumPy here.
    if hasattr(obj, "tolist"):
        return obj.tolist()
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    return str(obj)


def to_json(obj: Any) -> str:
    """``obj`` as strict JSON: a non-finite number (NaN, ±inf) is stored as null, because JSON has no
    such values and an export containing ``NaN`` would not load elsewhere."""
    try:
        return json.dumps(obj, default=_plain, sort_keys=True, allow_nan=False)
    except ValueError:
        finite = from_json(json.dumps(obj, default=_plain))
        return json.dumps(finite, sort_keys=True, allow_nan=False)


def from_json(text: str) -> Any:
    """Stored JSON back as Python; a ``NaN`` or ``Infinity`` an older version wrote reads as None."""
    return json.loads(text, parse_constant=lambda _constant: None)


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; expected one of: {', '.join(MODES)}")
    return mode


def check_score(score: float) -> float:
    score = float(score)
    if not (math.isfinite(score) and 0.0 <= score <= 1.0):
        raise ValueError(f"score must be between 0 and 1, got {score}")
    return score


@dataclass(frozen=True)
class Attempt:
    """One answered question.

    ``parts`` maps each part name to ``{"given": ..., "correct": ..., "diagnosis": ...}`` (whatever
    the grader produced, as JSON). ``topic`` is copied from the template so stats need no bank.
    """

    id: int
    template_id: str
    topic: str
    score: float
    correct: bool
    mode: str
    answered_at: datetime
    seed: int | None = None
    params: dict[str, Any] = field(default_factory=dict)
    parts: dict[str, Any] = field(default_factory=dict)
    seconds: float | None = None
    session_id: int | None = None
    question_index: int | None = None
    template_version: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the time as ISO text) with the keys of ``EXPORT_COLUMNS``, in order."""
        row = {name: getattr(self, name) for name in EXPORT_COLUMNS}
        row["answered_at"] = to_iso(self.answered_at)
        return row


@dataclass(frozen=True)
class ReviewState:
    """A template's spaced-repetition state: when it is next due and how often it was reviewed.

    ``state`` is FSRS's: 1 learning, 2 review, 3 relearning. ``lapses`` counts wrong answers.
    """

    template_id: str
    due: datetime
    state: int
    reviews: int
    lapses: int
    last_review: datetime


@dataclass(frozen=True)
class SessionRecord:
    """A quiz: its settings (seed, topics, ...), its questions, and where the student is in it.

    ``questions`` is whatever the quiz screen needs to rebuild each question (typically
    ``{"template": id, "seed": n}``); ``flagged`` holds question indexes; ``drafts`` maps a question
    index (as text, JSON keys are text) to answers typed but not yet submitted (exam mode).
    """

    id: int
    mode: str
    settings: dict[str, Any]
    questions: list[Any]
    position: int
    flagged: list[int]
    drafts: dict[str, Any]
    started_at: datetime
    finished_at: datetime | None = None

    @property
    def finished(self) -> bool:
        return self.finished_at is not None
