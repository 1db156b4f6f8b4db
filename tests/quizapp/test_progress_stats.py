"""Statistics on hand-made rows; every expected number is worked out by hand in the comments."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

from quizapp.progress import Attempt
from quizapp.progress import stats as st

UTC = timezone.utc


def row(id_, day, hour, minute, topic, correct, score=None):
    when = datetime(2024, 3, day, hour, minute, tzinfo=UTC)
    score = (1.0 if correct else 0.0) if score is None else score
    return Attempt(id=id_, template_id=f"{topic}.q", topic=topic, score=score, correct=correct,
                   mode="practice", answered_at=when)


# Shuffled on purpose: every function must order by time itself.
ROWS = [
    row(5, 2, 10, 0, "losses", False, 0.5),
    row(1, 1, 9, 0, "losses", True),
    row(8, 4, 8, 0, "backprop", True),
    row(2, 1, 9, 5, "losses", True),
    row(3, 1, 9, 10, "backprop", True),
    row(6, 2, 10, 5, "backprop", False),
    row(4, 1, 9, 20, "losses", True),
    row(7, 2, 10, 10, "backprop", True),
]
# In time order: 1 L+, 2 L+, 3 B+, 4 L+ (1 March), 5 L- (0.5), 6 B-, 7 B+ (2 March), 8 B+ (4 March).


def test_daily_accuracy_overall_and_by_topic():
    d1, d2, d4 = date(2024, 3, 1), date(2024, 3, 2), date(2024, 3, 4)
    overall = st.daily_accuracy(ROWS, UTC)
    # 1 March: 4 of 4; 2 March: rows 5, 6, 7 with only 7 right; 4 March: 1 of 1. 3 March left out.
    assert [(p.day, p.attempts, p.correct) for p in overall] == [(d1, 4, 4), (d2, 3, 1), (d4, 1, 1)]
    assert overall[1].accuracy == 1 / 3
    by_topic = st.daily_accuracy_by_topic(ROWS, UTC)
    assert list(by_topic) == ["backprop", "losses"]
    assert [(p.day, p.attempts, p.correct) for p in by_topic["losses"]] == [(d1, 3, 3), (d2, 1, 0)]
    assert [(p.day, p.attempts, p.correct) for p in by_topic["backprop"]] == [(d1, 1, 1), (d2, 2, 1), (d4, 1, 1)]


def test_days_are_local_days():
    late = [row(1, 1, 23, 30, "losses", True), row(2, 2, 0, 30, "losses", True)]
    # In UTC two days; at UTC+2 both are on 2 March (01:30 and 02:30).
    assert len(st.daily_accuracy(late, UTC)) == 2
    plus2 = timezone(timedelta(hours=2))
    assert [(p.day, p.attempts) for p in st.daily_accuracy(late, plus2)] == [(date(2024, 3, 2), 2)]
    # And at UTC-1 they are 1 March 22:30 and 23:30: one day again, the 1st.
    minus1 = timezone(timedelta(hours=-1))
    assert [(p.day, p.attempts) for p in st.daily_accuracy(late, minus1)] == [(date(2024, 3, 1), 2)]


def test_topic_stats_and_mastery():
    backprop, losses = st.topic_stats(ROWS)
    # losses: rows 1, 2, 4 right, 5 wrong with score 0.5 -> accuracy 3/4, mean score 3.5/4,
    # mastery 3.5 / 10 (fewer than 10 attempts: the missing ones count as 0).
    assert (losses.topic, losses.attempts, losses.correct) == ("losses", 4, 3)
    assert (losses.accuracy, losses.mean_score, losses.mastery) == (0.75, 0.875, 0.35)
    assert losses.last_answered == datetime(2024, 3, 2, 10, 0, tzinfo=UTC)
    # backprop: rows 3, 7, 8 right, 6 wrong -> 3/4 right, mean score 0.75, mastery 0.3.
    assert (backprop.attempts, backprop.correct, backprop.accuracy, backprop.mean_score) == (4, 3, 0.75, 0.75)
    assert backprop.mastery == 0.3
    assert backprop.last_answered == datetime(2024, 3, 4, 8, 0, tzinfo=UTC)


def test_mastery_uses_only_the_last_ten():
    start = datetime(2024, 1, 1, tzinfo=UTC)

    def at(i, correct):
        return Attempt(id=i, template_id="q", topic="t", score=float(correct), correct=correct,
                       mode="practice", answered_at=start + timedelta(minutes=i))

    twelve_right_then_wrong = [at(i, True) for i in range(12)] + [at(12, False)]
    assert st.mastery(twelve_right_then_wrong) == 0.9  # last 10: nine right, one wrong
    wrong_then_ten_right = [at(0, False)] + [at(i, True) for i in range(1, 11)]
    assert st.mastery(wrong_then_ten_right) == 1.0  # the old mistake fell out of the window
    assert st.mastery([at(i, True) for i in range(5)]) == 0.5


def test_weakest_topics():
    # Both topics: 3 of 4 right. Tie on accuracy and count -> by name.
    assert [(w.topic, w.attempts, w.accuracy) for w in st.weakest_topics(ROWS, min_attempts=4)] == [
        ("backprop", 4, 0.75), ("losses", 4, 0.75)]
    assert st.weakest_topics(ROWS, min_attempts=5) == []  # not enough evidence yet
    # Over the last 2: losses rows 4 (right), 5 (wrong) -> 0.5; backprop rows 7, 8 both right -> not weak.
    assert [(w.topic, w.attempts, w.accuracy) for w in st.weakest_topics(ROWS, min_attempts=2, recent=2)] == [
        ("losses", 2, 0.5)]
    assert [w.topic for w in st.weakest_topics(ROWS, min_attempts=4, limit=1)] == ["backprop"]


def test_streaks():
    # Days practised: 1, 2 and 4 March. Right/wrong in time order: + + + + - - + +.
    s = st.streaks(ROWS, today=date(2024, 3, 5), tz=UTC)
    assert (s.current_days, s.longest_days) == (1, 2)  # nothing yet on the 5th: the run ending on the 4th
    assert (s.current_correct, s.longest_correct) == (2, 4)
    assert st.streaks(ROWS, today=date(2024, 3, 4), tz=UTC).current_days == 1
    assert st.streaks(ROWS, today=date(2024, 3, 6), tz=UTC).current_days == 0  # missed the 5th
    assert st.streaks(ROWS, today=date(2024, 3, 2), tz=UTC).current_days == 2  # 1st and 2nd
    assert st.streaks(ROWS, today=date(2024, 3, 3), tz=UTC).current_days == 2  # still alive on the 3rd
    assert st.streaks([], today=date(2024, 3, 3), tz=UTC) == st.Streaks(0, 0, 0, 0)


def test_day_streaks_long_runs():
    days = [date(2024, 1, d) for d in (1, 2, 3, 10, 11, 12, 13, 14, 20, 21)]
    assert st.day_streaks(days, today=date(2024, 1, 21)) == (2, 5)
    assert st.day_streaks(days, today=date(2024, 1, 15)) == (5, 5)


def test_summary_is_json_ready():
    data = st.summary(ROWS, today=date(2024, 3, 5), tz=UTC)
    json.dumps(data)
    assert (data["attempts"], data["correct"], data["accuracy"]) == (8, 6, 0.75)
    assert [(t["topic"], t["mastery"]) for t in data["topics"]] == [("backprop", 0.3), ("losses", 0.35)]
    assert data["topics"][1]["last_answered"] == "2024-03-02T10:00:00+00:00"
    assert data["streaks"] == {"current_days": 1, "longest_days": 2, "current_correct": 2, "longest_correct": 4}
    assert data["weakest"] == []  # default minimum of 5 attempts per topic
    assert data["daily"]["losses"] == [
        {"date": "2024-03-01", "attempts": 3, "correct": 3, "accuracy": 1.0},
        {"date": "2024-03-02", "attempts": 1, "correct": 0, "accuracy": 0.0}]
    empty = st.summary([], today=date(2024, 3, 5), tz=UTC)
    assert (empty["attempts"], empty["accuracy"], empty["topics"], empty["daily"]) == (0, None, [], {})
