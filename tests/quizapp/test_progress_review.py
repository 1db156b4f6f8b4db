"""Spaced repetition: ratings from grades, and what becomes due after wrong, slow and fast answers."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import fsrs
import pytest

from quizapp.progress import open_store
from quizapp.progress.review import AGAIN, EASY, GOOD, HARD, describe_due, rating_for

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)
MIN, DAY = timedelta(minutes=1), timedelta(days=1)


@pytest.mark.parametrize("score, correct, seconds, expected, rating", [
    (0.0, False, 10.0, None, AGAIN),  # wrong
    (0.5, False, 10.0, None, HARD),  # partly right
    (1.0, True, 45.0, None, GOOD),  # right, normal time (default expectation 60 s)
    (1.0, True, None, None, GOOD),  # right, time unknown
    (1.0, True, 30.0, None, EASY),  # right and fast: at most half the expected time
    (1.0, True, 121.0, None, HARD),  # right but slow: over twice the expected time
    (1.0, True, 140.0, 300.0, EASY),  # a long question: fast relative to its own expectation
    (1.0, True, 200.0, 60.0, HARD),
])
def test_rating_from_grade(score, correct, seconds, expected, rating):
    assert rating_for(score, correct, seconds, expected) == rating
    assert (AGAIN, HARD, GOOD, EASY) == tuple(int(r) for r in fsrs.Rating)


def record(store, template_id, when, score=1.0, correct=True, seconds=45.0, **kw):
    return store.record_attempt(template_id=template_id, topic="losses", score=score, correct=correct,
                                mode="practice", seconds=seconds, now=when, **kw)


def test_wrong_answer_becomes_due_fast_right_one_does_not(tmp_path):
    with open_store(tmp_path) as store:
        record(store, "wrong", T0, score=0.0, correct=False)
        record(store, "fast", T0, seconds=5.0)
        assert store.due_templates(T0 + 30 * timedelta(seconds=1)) == []
        # FSRS's first relearning/learning step for Again is one minute.
        assert store.due_templates(T0 + 2 * MIN) == ["wrong"]
        assert store.due_templates(T0 + DAY) == ["wrong"]
        assert store.review_state("fast").due > T0 + DAY
        assert store.next_due() == store.review_state("wrong").due


def test_slow_or_partial_answers_due_before_plain_right_ones(tmp_path):
    with open_store(tmp_path) as store:
        record(store, "slow", T0, seconds=600.0)
        record(store, "partial", T0, score=0.5, correct=False)
        record(store, "right", T0, seconds=45.0)
        record(store, "fast", T0, seconds=5.0)
        due = {t: store.review_state(t).due for t in ("slow", "partial", "right", "fast")}
        assert due["slow"] == due["partial"] < due["right"] < due["fast"]
        # Longest overdue first, and a limit.
        assert store.due_templates(T0 + DAY) == ["partial", "slow", "right"]
        assert store.due_templates(T0 + DAY, limit=1) == ["partial"]


def test_schedule_matches_fsrs_replayed_directly(tmp_path):
    # The same history given to FSRS by hand: checks ratings, times and card state are passed through.
    history = [(T0, 0.0, False, 20.0), (T0 + 2 * MIN, 1.0, True, 40.0), (T0 + 20 * MIN, 1.0, True, 10.0),
               (T0 + 5 * DAY, 0.5, False, 90.0), (T0 + 6 * DAY, 1.0, True, 400.0)]
    scheduler = fsrs.Scheduler(enable_fuzzing=False)
    card = fsrs.Card(card_id=1, due=T0)
    hand_ratings = [fsrs.Rating.Again, fsrs.Rating.Good, fsrs.Rating.Easy, fsrs.Rating.Hard, fsrs.Rating.Hard]
    with open_store(tmp_path) as store:
        for (when, score, correct, seconds), rating in zip(history, hand_ratings, strict=True):
            record(store, "t", when, score=score, correct=correct, seconds=seconds)
            card, _ = scheduler.review_card(card, rating, when, int(seconds * 1000))
            state = store.review_state("t")
            assert state.due == card.due and state.state == int(card.state)
        assert (state.reviews, state.lapses, state.last_review) == (5, 1, T0 + 6 * DAY)


def test_unscheduled_attempt_leaves_review_alone(tmp_path):
    with open_store(tmp_path) as store:
        record(store, "t", T0, score=0.0, correct=False, schedule=False)
        assert store.review_state("t") is None and store.due_templates(T0 + DAY) == []
        assert store.attempt_count() == 1


def test_describe_due():
    assert describe_due(T0 - MIN, T0) == "now"
    assert describe_due(T0 + 10 * MIN, T0) == "in 10 min"
    assert describe_due(T0 + timedelta(hours=3), T0) == "in 3 h"
    assert describe_due(T0 + 8 * DAY, T0) == "in 8 days"
