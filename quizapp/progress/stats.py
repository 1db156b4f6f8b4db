"""Progress statistics as pure functions over attempt rows, so the TUI can plot them.

A row is anything with ``topic``, ``answered_at`` (an aware datetime), ``correct``, ``score`` and
``id`` attributes: :class:`quizapp.progress.records.Attempt` in practice. Days are calendar days in
``tz`` (default: the computer's local time zone), because a student's "today" is local.

Definitions:

- accuracy: the fraction of attempts answered fully right (``correct``).
- mastery of a topic: the sum of the scores of its last ``MASTERY_WINDOW`` (10) attempts divided
  by 10. It is the recent average score with attempts not yet made counting as zero, so it needs
  both recent success and enough practice: five perfect answers give 0.5, ten give 1.0, and a
  topic once mastered drops as new mistakes push old successes out of the window. Partial
  credit (``score``) counts, unlike accuracy.
- weakest topics: the lowest accuracy over each topic's last ``RECENT`` (20) attempts, among
  topics with at least ``min_attempts`` attempts and below perfect.
- day streak: consecutive calendar days with at least one attempt. The current one ends today,
  or yesterday when nothing was answered yet today (the streak is still alive until the day ends).
- correct run: consecutive fully right answers in the order they were given.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, Protocol

MASTERY_WINDOW = 10
RECENT = 20
MIN_ATTEMPTS = 5


class Row(Protocol):
    id: int
    topic: str
    answered_at: datetime
    correct: bool
    score: float


@dataclass(frozen=True)
class DayPoint:
    day: date
    attempts: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.attempts


@dataclass(frozen=True)
class TopicStats:
    topic: str
    attempts: int
    correct: int
    accuracy: float
    mean_score: float
    mastery: float
    last_answered: datetime


@dataclass(frozen=True)
class WeakTopic:
    topic: str
    attempts: int  # how many recent attempts the accuracy is over
    accuracy: float


@dataclass(frozen=True)
class Streaks:
    current_days: int
    longest_days: int
    current_correct: int
    longest_correct: int


def chronological(rows: Iterable[Row]) -> list[Row]:
    return sorted(rows, key=lambda r: (r.answered_at, r.id))


def by_topic(rows: Iterable[Row]) -> dict[str, list[Row]]:
    """Rows grouped by topic (topics sorted), each group in answering order."""
    groups: dict[str, list[Row]] = defaultdict(list)
    for row in chronological(rows):
        groups[row.topic].append(row)
    return dict(sorted(groups.items()))


def local_day(when: datetime, tz: tzinfo | None = None) -> date:
    return when.astimezone(tz).date()


def daily_accuracy(rows: Iterable[Row], tz: tzinfo | None = None) -> list[DayPoint]:
    """One point per day with attempts, in date order (days without practice are left out)."""
    counts: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        bucket = counts[local_day(row.answered_at, tz)]
        bucket[0] += 1
        bucket[1] += int(bool(row.correct))
    return [DayPoint(day, n, k) for day, (n, k) in sorted(counts.items())]


def daily_accuracy_by_topic(rows: Iterable[Row], tz: tzinfo | None = None) -> dict[str, list[DayPoint]]:
    return {topic: daily_accuracy(group, tz) for topic, group in by_topic(rows).items()}


def mastery(rows: Sequence[Row], window: int = MASTERY_WINDOW) -> float:
    """Mastery (0..1) from one topic's rows; see the module docstring for the definition."""
    recent = chronological(rows)[-window:]
    return sum(float(r.score) for r in recent) / window


def topic_stats(rows: Iterable[Row]) -> list[TopicStats]:
    """Per topic: attempts, correct, accuracy, mean score, mastery and the last answer time."""
    table = []
    for topic, group in by_topic(rows).items():
        n, k = len(group), sum(bool(r.correct) for r in group)
        table.append(TopicStats(topic=topic, attempts=n, correct=k, accuracy=k / n,
                                mean_score=sum(float(r.score) for r in group) / n,
                                mastery=mastery(group), last_answered=group[-1].answered_at))
    return table


def weakest_topics(rows: Iterable[Row], min_attempts: int = MIN_ATTEMPTS, recent: int = RECENT,
                   limit: int = 3) -> list[WeakTopic]:
    """Topics with the lowest accuracy over their last ``recent`` attempts, weakest first."""
    weak = []
    for topic, group in by_topic(rows).items():
        last = group[-recent:]
        if len(group) < min_attempts:
            continue
        accuracy = sum(bool(r.correct) for r in last) / len(last)
        if accuracy < 1.0:
            weak.append(WeakTopic(topic, len(last), accuracy))
    # Ties: the topic with more evidence first, then by name so the order is stable.
    weak.sort(key=lambda w: (w.accuracy, -w.attempts, w.topic))
    return weak[:limit]


def _runs(flags: Iterable[bool]) -> tuple[int, int]:
    """(length of the final run of True, longest run of True)."""
    current = longest = 0
    for flag in flags:
        current = current + 1 if flag else 0
        longest = max(longest, current)
    return current, longest


def day_streaks(days: Iterable[date], today: date) -> tuple[int, int]:
    """(current, longest) runs of consecutive days among ``days``."""
    days = set(days)
    longest = 0
    for day in days:
        if day - timedelta(days=1) not in days:  # the start of a run
            length = 1
            while day + timedelta(days=length) in days:
                length += 1
            longest = max(longest, length)
    end = today if today in days else today - timedelta(days=1)
    current = 0
    while end - timedelta(days=current) in days:
        current += 1
    return current, longest


def streaks(rows: Iterable[Row], today: date | None = None, tz: tzinfo | None = None) -> Streaks:
    rows = chronological(rows)
    today = today or datetime.now().astimezone(tz).date()
    current_days, longest_days = day_streaks((local_day(r.answered_at, tz) for r in rows), today)
    current_correct, longest_correct = _runs(bool(r.correct) for r in rows)
    return Streaks(current_days, longest_days, current_correct, longest_correct)


def summary(rows: Iterable[Row], today: date | None = None, tz: tzinfo | None = None) -> dict[str, Any]:
    """Everything ``quizapp stats`` shows, JSON-ready (dates and times as ISO text)."""
    rows = chronological(rows)
    n, k = len(rows), sum(bool(r.correct) for r in rows)
    topics = [{**asdict(t), "last_answered": t.last_answered.isoformat()} for t in topic_stats(rows)]
    daily = {topic: [{"date": p.day.isoformat(), "attempts": p.attempts, "correct": p.correct,
                      "accuracy": p.accuracy} for p in points]
             for topic, points in daily_accuracy_by_topic(rows, tz).items()}
    return {
        "attempts": n,
        "correct": k,
        "accuracy": k / n if n else None,
        "topics": topics,
        "streaks": asdict(streaks(rows, today, tz)),
        "weakest": [asdict(w) for w in weakest_topics(rows)],
        "daily": daily,
    }
