"""Spaced-repetition scheduling per template with FSRS (the ``fsrs`` package, imported lazily).

Each template has one FSRS card. Every graded answer is a review of that card, rated from the
grade: wrong -> Again, partly right -> Hard, right but slow -> Hard, right -> Good, right and fast
-> Easy. Again and Hard bring the card back soonest, so a template answered wrong or slowly
becomes due again within minutes, while one answered right and fast waits for days.
"""

from __future__ import annotations

import zlib
from datetime import datetime, timedelta, timezone

# FSRS rating values (fsrs.Rating), so choosing a rating needs no import.
AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
RATING_NAMES = {AGAIN: "again", HARD: "hard", GOOD: "good", EASY: "easy"}

# Without a per-template estimate, one minute is a typical hand-worked question.
EXPECTED_SECONDS = 60.0
FAST = 0.5  # at most this fraction of the expected time is "fast"
SLOW = 2.0  # more than this multiple of the expected time is "slow"

_scheduler = None


def rating_for(score: float, correct: bool, seconds: float | None = None,
               expected_seconds: float | None = None) -> int:
    """The FSRS rating (1 Again .. 4 Easy) for a graded answer.

    ``score`` is the fraction of the question right (0..1). ``seconds`` is the time taken; when it
    is unknown a right answer is simply Good.
    """
    if not correct:
        return HARD if score > 0 else AGAIN
    if seconds is None:
        return GOOD
    expected = expected_seconds if expected_seconds and expected_seconds > 0 else EXPECTED_SECONDS
    if seconds > SLOW * expected:
        return HARD
    if seconds <= FAST * expected:
        return EASY
    return GOOD


def _get_scheduler():
    global _scheduler
    if _scheduler is None:
        import fsrs

        # No fuzzing: the same history always gives the same due date (reproducible, testable).
        _scheduler = fsrs.Scheduler(enable_fuzzing=False)
    return _scheduler


def schedule(card_json: str | None, template_id: str, rating: int, when: datetime,
             seconds: float | None = None) -> tuple[str, datetime, int]:
    """Review ``template_id``'s card (``None`` for a first answer) with ``rating`` at ``when``.

    Returns the updated card as JSON, when it is next due (UTC), and its FSRS state
    (1 learning, 2 review, 3 relearning).
    """
    import fsrs

    if rating not in RATING_NAMES:
        raise ValueError(f"rating must be 1..4 (again, hard, good, easy), got {rating!r}")
    when = when.astimezone(timezone.utc)
    if card_json is None:
        # card_id is only an identifier for FSRS logs; a stable one avoids its time-based default.
        card = fsrs.Card(card_id=zlib.crc32(template_id.encode()), due=when)
    else:
        card = fsrs.Card.from_json(card_json)
    duration = None if seconds is None else int(seconds * 1000)
    card, _log = _get_scheduler().review_card(card, fsrs.Rating(rating), when, duration)
    return card.to_json(), card.due.astimezone(timezone.utc), int(card.state)


def describe_due(due: datetime, now: datetime) -> str:
    """``due`` relative to ``now`` in words, for the UI ("now", "in 10 min", "in 3 days")."""
    delta = due - now
    if delta <= timedelta(0):
        return "now"
    minutes = delta.total_seconds() / 60
    if minutes < 60:
        return f"in {max(1, round(minutes))} min"
    if minutes < 48 * 60:
        return f"in {round(minutes / 60)} h"
    return f"in {round(minutes / 1440)} days"
