"""Schema migrations: a version 1 database is brought to the current version with its data kept."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from quizapp.progress import open_store
from quizapp.progress.schema import CURRENT_VERSION, MIGRATIONS, migrate
from quizapp.progress.store import DB_NAME

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)


def make_v1(path) -> None:
    """A database as version 1 of the app left it, written with v1's columns only."""
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, target=1) == [1]
    conn.execute("INSERT INTO sessions (id, mode, settings, questions, position, flagged, started_at) "
                 "VALUES (1, 'exam', '{\"seed\": 5}', '[{\"template\": \"a\", \"seed\": 1}]', 1, '[0]', ?)",
                 ((T0 - timedelta(days=1)).isoformat(timespec="microseconds"),))
    rows = [
        ("a", "losses", 1, '{"x": 1}', '{"p": {"given": 3, "correct": 3}}', 1.0, 1, 20.0, "exam", 1, 0,
         T0 - timedelta(days=1)),
        ("b", "backprop", 2, "{}", "{}", 0.0, 0, 50.0, "practice", None, None, T0 - timedelta(hours=1)),
    ]
    conn.executemany(
        "INSERT INTO attempts (template_id, topic, seed, params, parts, score, correct, seconds, mode, "
        "session_id, question_index, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(*r[:-1], r[-1].isoformat(timespec="microseconds")) for r in rows],
    )
    conn.close()


def test_v1_database_migrated_with_data_kept(tmp_path):
    assert CURRENT_VERSION == len(MIGRATIONS) >= 2
    make_v1(tmp_path / DB_NAME)
    with open_store(tmp_path) as store:
        assert store.warnings == []
        a, b = store.attempts()
        assert (a.template_id, a.topic, a.seed, a.params, a.parts, a.score, a.correct, a.seconds, a.mode,
                a.session_id, a.question_index, a.answered_at) == (
            "a", "losses", 1, {"x": 1}, {"p": {"given": 3, "correct": 3}}, 1.0, True, 20.0, "exam", 1, 0,
            T0 - timedelta(days=1))
        assert a.template_version is None  # a column v1 did not have
        assert (b.template_id, b.correct, b.answered_at) == ("b", False, T0 - timedelta(hours=1))
        (session,) = store.unfinished_sessions()
        assert (session.settings, session.position, session.flagged, session.drafts) == (
            {"seed": 5}, 1, [0], {})
        # v1 had no schedule: the migration replays old answers, so the wrong one is due for review.
        assert store.due_templates(T0) == ["b"]
        assert store.review_state("b").lapses == 1 and store.review_state("a").lapses == 0
        store.record_attempt(template_id="c", topic="losses", score=1.0, correct=True, mode="practice",
                             template_version=3, now=T0)
        assert store.attempts(template_id="c")[0].template_version == 3
    conn = sqlite3.connect(tmp_path / DB_NAME)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == CURRENT_VERSION
    conn.close()


def test_reopening_current_database_changes_nothing(tmp_path):
    with open_store(tmp_path) as store:
        store.record_attempt(template_id="a", topic="t", score=0.5, correct=False, mode="review", now=T0)
    conn = sqlite3.connect(tmp_path / DB_NAME, isolation_level=None)
    assert migrate(conn) == []
    conn.close()
    with open_store(tmp_path) as store:
        assert store.attempt_count() == 1 and store.review_state("a").reviews == 1


def test_failed_migration_rolls_back_to_previous_version(tmp_path, monkeypatch):
    from quizapp.progress import schema

    make_v1(tmp_path / DB_NAME)

    def explode(conn):
        raise RuntimeError("boom")

    monkeypatch.setattr(schema, "MIGRATIONS", (MIGRATIONS[0], (*MIGRATIONS[1], explode)))
    conn = sqlite3.connect(tmp_path / DB_NAME, isolation_level=None)
    with pytest.raises(RuntimeError, match="boom"):
        migrate(conn)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    columns = [r[1] for r in conn.execute("PRAGMA table_info(attempts)")]
    assert "template_version" not in columns  # v2's ALTER TABLE was rolled back too
    assert conn.execute("SELECT count(*) FROM attempts").fetchone()[0] == 2
    conn.close()
