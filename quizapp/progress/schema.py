"""The progress database schema as an ordered list of migrations.

``PRAGMA user_version`` holds the number of migrations applied. Opening a database applies the
missing ones in order, each in its own transaction together with the version bump, so a crash
mid-migration leaves the database at the previous version, never half-migrated. Never edit a
migration that has shipped: append a new one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from quizapp.progress import review
from quizapp.progress.records import from_iso, to_iso

V1 = (
    """CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        mode TEXT NOT NULL,
        settings TEXT NOT NULL DEFAULT '{}',
        questions TEXT NOT NULL DEFAULT '[]',
        position INTEGER NOT NULL DEFAULT 0,
        flagged TEXT NOT NULL DEFAULT '[]',
        started_at TEXT NOT NULL,
        finished_at TEXT
    )""",
    """CREATE TABLE attempts (
        id INTEGER PRIMARY KEY,
        template_id TEXT NOT NULL,
        topic TEXT NOT NULL DEFAULT '',
        seed INTEGER,
        params TEXT NOT NULL DEFAULT '{}',
        parts TEXT NOT NULL DEFAULT '{}',
        score REAL NOT NULL CHECK (score BETWEEN 0 AND 1),
        correct INTEGER NOT NULL CHECK (correct IN (0, 1)),
        seconds REAL,
        mode TEXT NOT NULL,
        session_id INTEGER REFERENCES sessions(id),
        question_index INTEGER,
        answered_at TEXT NOT NULL
    )""",
    "CREATE INDEX attempts_by_time ON attempts(answered_at)",
    "CREATE INDEX attempts_by_session ON attempts(session_id, question_index)",
)

V2 = (
    # Which version of a template was answered (templates get fixed; old answers keep meaning).
    "ALTER TABLE attempts ADD COLUMN template_version INTEGER",
    # Answers typed but not yet submitted in an exam, so a resumed exam shows them again.
    "ALTER TABLE sessions ADD COLUMN drafts TEXT NOT NULL DEFAULT '{}'",
    """CREATE TABLE review_state (
        template_id TEXT PRIMARY KEY,
        card TEXT NOT NULL,
        due TEXT NOT NULL,
        state INTEGER NOT NULL,
        reviews INTEGER NOT NULL DEFAULT 0,
        lapses INTEGER NOT NULL DEFAULT 0,
        last_review TEXT NOT NULL
    )""",
    "CREATE INDEX review_by_due ON review_state(due)",
)


def upsert_review(conn: sqlite3.Connection, template_id: str, rating: int, when_iso: str,
                  seconds: float | None) -> None:
    """Apply one graded answer to ``template_id``'s FSRS card (inside the caller's transaction)."""
    row = conn.execute("SELECT card FROM review_state WHERE template_id = ?", (template_id,)).fetchone()
    previous = row[0] if row else None
    card, due, state = review.schedule(previous, template_id, rating, from_iso(when_iso), seconds)
    lapse = int(rating == review.AGAIN)
    conn.execute(
        """INSERT INTO review_state (template_id, card, due, state, reviews, lapses, last_review)
           VALUES (?, ?, ?, ?, 1, ?, ?)
           ON CONFLICT(template_id) DO UPDATE SET card = excluded.card, due = excluded.due,
               state = excluded.state, reviews = reviews + 1, lapses = lapses + excluded.lapses,
               last_review = excluded.last_review""",
        (template_id, card, to_iso(due), state, lapse, when_iso),
    )


def _backfill_reviews(conn: sqlite3.Connection) -> None:
    # v1 kept answers but no schedule: replay them in order so old mistakes come up for review.
    rows = conn.execute(
        "SELECT template_id, score, correct, seconds, answered_at FROM attempts ORDER BY answered_at, id"
    ).fetchall()
    for template_id, score, correct, seconds, answered_at in rows:
        rating = review.rating_for(score, bool(correct), seconds)
        upsert_review(conn, template_id, rating, answered_at, seconds)


Step = tuple[str, ...] | Callable[[sqlite3.Connection], None]

# MIGRATIONS[i] takes the database from version i to version i + 1.
MIGRATIONS: tuple[tuple[Step, ...], ...] = (
    (V1,),
    (V2, _backfill_reviews),
)
CURRENT_VERSION = len(MIGRATIONS)


def version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int = CURRENT_VERSION) -> list[int]:
    """Apply the migrations from the database's version up to ``target``; returns the versions reached.

    ``conn`` must be in autocommit mode (``isolation_level=None``): each migration runs in an
    explicit ``BEGIN IMMEDIATE`` transaction.
    """
    reached = []
    current = version(conn)
    for number in range(current, target):
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the write lock.
            if version(conn) != number:
                conn.execute("ROLLBACK")
                continue
            for step in MIGRATIONS[number]:
                if callable(step):
                    step(conn)
                else:
                    for statement in step:
                        conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number + 1}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        reached.append(number + 1)
    return reached
