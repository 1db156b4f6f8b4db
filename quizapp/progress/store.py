"""The SQLite progress store: attempts, quiz sessions and review state, one file per student.

Every write is its own committed transaction, so a killed terminal loses nothing already
answered. WAL mode lets the study app and a ``quizapp stats`` run side by side. A database that
cannot be read is renamed aside (never deleted) and a fresh one is started; the reason is put in
``Store.warnings`` for the UI to show.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from quizapp.progress import review, schema
from quizapp.progress.records import (
    Attempt,
    ReviewState,
    SessionRecord,
    check_mode,
    check_score,
    from_iso,
    from_json,
    to_iso,
    to_json,
    utcnow,
)

DB_NAME = "progress.sqlite3"
HOME_ENV = "QUIZAPP_HOME"
_COMPANIONS = ("-wal", "-shm", "-journal")
_INT64 = 2**63

_ATTEMPT_COLUMNS = ("id, template_id, topic, score, correct, mode, answered_at, seed, params, parts, "
                    "seconds, session_id, question_index, template_version")
_SESSION_COLUMNS = "id, mode, settings, questions, position, flagged, drafts, started_at, finished_at"


class StoreError(Exception):
    """The progress store cannot be used (folder not writable, database locked or from a newer app)."""


class _Unreadable(Exception):
    """The database file is corrupt, not ours, or not a readable file: move it aside."""


def resolve_home(home: str | os.PathLike[str] | None = None) -> Path:
    """The progress folder: ``home`` if given, else ``$QUIZAPP_HOME``, else the user data dir."""
    if home:
        return Path(home).expanduser()
    if os.environ.get(HOME_ENV):
        return Path(os.environ[HOME_ENV]).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("quizapp", appauthor=False))


def open_store(home: str | os.PathLike[str] | None = None, writable: bool = True) -> Store:
    """Open (creating or migrating as needed) the progress database in :func:`resolve_home`.

    ``writable=False`` (reading commands such as ``stats``): a database or folder that cannot be
    written is opened read-only instead of failing, and a missing one reads as empty.
    """
    return Store(resolve_home(home) / DB_NAME, writable=writable)


def _aside_name(path: Path, stamp: str) -> Path:
    for n in itertools.count():
        candidate = path.with_name(f"{path.name}.corrupt-{stamp}" + (f"-{n}" if n else ""))
        taken = [candidate, *(candidate.with_name(candidate.name + c) for c in _COMPANIONS)]
        if not any(os.path.lexists(p) for p in taken):
            return candidate
    raise AssertionError("unreachable")


def move_aside(path: Path) -> Path:
    """Rename ``path`` (and its -wal/-shm/-journal files) with a timestamp suffix; never overwrites."""
    target = _aside_name(path, utcnow().strftime("%Y%m%dT%H%M%SZ"))
    os.rename(path, target)
    # A stale WAL next to a new database would be replayed into it: it goes with its database.
    for suffix in _COMPANIONS:
        companion = path.with_name(path.name + suffix)
        if os.path.lexists(companion):
            os.rename(companion, target.with_name(target.name + suffix))
    return target


def _check(conn: sqlite3.Connection) -> None:
    problems = [row[0] for row in conn.execute("PRAGMA quick_check(5)")]
    if problems != ["ok"]:
        raise _Unreadable("integrity check failed: " + "; ".join(problems))
    found = schema.version(conn)
    if found > schema.CURRENT_VERSION:
        raise StoreError(f"the progress database was written by a newer quizapp (schema version {found}, "
                         f"this one knows up to {schema.CURRENT_VERSION}); update quizapp")
    if found == 0 and conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        raise _Unreadable("it is an SQLite database of some other program")


def _probe(path: Path) -> None:
    """Check an existing database without changing it.

    Read-only, because a read-write connection to a corrupt file deletes its -wal on close, and
    the WAL may hold the latest answers: everything must go aside exactly as it was found.
    """
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open {path}: {exc}") from exc
    try:
        _check(conn)
    except sqlite3.OperationalError as exc:  # locked, I/O error: not the file's fault
        raise StoreError(f"cannot read {path}: {exc}") from exc
    except sqlite3.DatabaseError as exc:  # not a database, malformed
        raise _Unreadable(str(exc)) from exc
    finally:
        conn.close()


def write_problem(path: Path) -> str | None:
    """Why the database at ``path`` cannot be written (its file or its folder is read-only), or None.

    WAL mode writes two files beside the database, so the folder must be writable too.
    """
    if os.path.lexists(path) and not os.access(path, os.W_OK):
        return f"{path} is read-only"
    folder = path.parent
    if os.path.isdir(folder) and not os.access(folder, os.W_OK):
        return f"the folder {folder} is read-only"
    return None


def _read_only_hint(path: Path, problem: str) -> str:
    return (f"the progress database cannot be saved to: {problem}. Nothing was changed; reading commands "
            f"(quizapp stats, export-progress) still work. To save answers again, make it writable "
            f"(chmod u+w {path} {path.parent}) or choose another folder with --home")


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to an existing database (checked, never changed, never migrated)."""
    _probe(path)
    conn = None
    # mode=ro shares locks with writers; a read-only folder may not allow the lock files (-shm),
    # and then the file is read as immutable: nobody can be writing it without write permission.
    for query in ("mode=ro", "immutable=1"):
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?{query}", uri=True, check_same_thread=False,
                                   timeout=5.0, isolation_level=None)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            break
        except sqlite3.Error:
            if conn is not None:
                conn.close()
            conn = None
    if conn is None:
        raise StoreError(f"cannot read {path}: SQLite could not open it read-only")
    if schema.version(conn) < schema.CURRENT_VERSION:
        conn.close()
        raise StoreError(f"{path} is read-only and was written by an older quizapp, so it cannot be "
                         f"upgraded: make it writable (chmod u+w {path} {path.parent}) and run again")
    return conn


def connect(path: Path) -> sqlite3.Connection:
    """Open, check and migrate the database at ``path``; raises _Unreadable or StoreError."""
    if os.path.lexists(path):
        if not path.is_file():
            raise _Unreadable("it is not a regular file")
        if not os.access(path, os.R_OK):
            # A permission problem, not a broken file: moving it aside would hide the history.
            raise StoreError(f"no permission to read {path}: fix it with chmod u+rw {path}")
        problem = write_problem(path)
        if problem is not None:
            raise StoreError(_read_only_hint(path, problem))
        _probe(path)
    try:
        # Autocommit: each write below commits on its own or inside an explicit BEGIN..COMMIT.
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=5.0)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open {path}: {exc}") from exc
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        schema.migrate(conn)
    except sqlite3.OperationalError as exc:
        conn.close()
        raise StoreError(f"cannot use {path}: {exc}") from exc
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise _Unreadable(str(exc)) from exc
    except BaseException:
        conn.close()
        raise
    return conn


class Store:
    """One student's progress. Use :func:`open_store`; close it (or use ``with``) when done.

    ``warnings`` lists messages for the student (for example that an unreadable database was moved
    aside); the UI and CLI show them.
    """

    def __init__(self, path: str | os.PathLike[str], writable: bool = True) -> None:
        self.path = Path(path)
        self.warnings: list[str] = []
        # Set when the database is only read (see open_store); every write then raises StoreError.
        self.read_only: str | None = None
        # The TUI may write from a worker thread; one connection, one writer at a time.
        self._lock = threading.RLock()
        if not writable and write_problem(self.path):
            self._conn = self._open_read_only()
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            if not writable and not os.path.lexists(self.path.parent):  # nothing saved, nowhere to save
                self._conn = self._open_read_only()
                return
            raise StoreError(f"cannot create the progress folder {self.path.parent}: {exc}") from exc
        self._conn = self._open()

    def _open_read_only(self) -> sqlite3.Connection:
        problem = write_problem(self.path) or f"the folder {self.path.parent} cannot be created"
        self.read_only = _read_only_hint(self.path, problem)
        if os.path.lexists(self.path):
            try:
                return connect_read_only(self.path)
            except _Unreadable as exc:  # cannot be moved aside without write permission: say so
                raise StoreError(f"the progress database {self.path} cannot be read ({exc}) and, being "
                                 "read-only, cannot be moved aside") from exc
        # Nothing saved yet and nowhere to save: read an empty database kept in memory.
        conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        schema.migrate(conn)
        return conn

    def _open(self) -> sqlite3.Connection:
        try:
            return connect(self.path)
        except _Unreadable as exc:
            try:
                target = move_aside(self.path)
            except OSError as move_exc:
                raise StoreError(f"the progress database {self.path} cannot be read ({exc}) and could not "
                                 f"be moved aside ({move_exc})") from move_exc
            self.warnings.append(
                f"The progress database could not be read ({exc}). It was moved to {target} "
                "(nothing was deleted) and a new, empty one was started."
            )
        try:
            return connect(self.path)
        except _Unreadable as exc:
            raise StoreError(f"cannot start a new progress database at {self.path}: {exc}") from exc

    # -- plumbing -------------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        if self.read_only is not None:
            raise StoreError(f"not saved: {self.read_only}")
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _read(self, sql: str, args: Iterable[Any] = ()) -> list[tuple]:
        with self._lock:
            return self._conn.execute(sql, tuple(args)).fetchall()

    # -- sessions -------------------------------------------------------------------------------

    def start_session(self, mode: str, settings: dict[str, Any] | None = None,
                      questions: Iterable[Any] = (), *, now: datetime | None = None) -> SessionRecord:
        """Record a new quiz; ``settings`` should hold what rebuilds it (seed, topics, count...)."""
        check_mode(mode)
        with self._write() as conn:
            cur = conn.execute(
                "INSERT INTO sessions (mode, settings, questions, started_at) VALUES (?, ?, ?, ?)",
                (mode, to_json(settings or {}), to_json(list(questions)), to_iso(now or utcnow())),
            )
        return self.session(cur.lastrowid)

    def session(self, session_id: int) -> SessionRecord:
        rows = self._read(f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE id = ?", (session_id,))
        if not rows:
            raise ValueError(f"no quiz session {session_id}")
        return _session(rows[0])

    def unfinished_sessions(self, mode: str | None = None) -> list[SessionRecord]:
        """Sessions not finished yet, newest first: what the app offers to resume."""
        sql = f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE finished_at IS NULL"
        args: tuple = ()
        if mode is not None:
            sql, args = sql + " AND mode = ?", (check_mode(mode),)
        return [_session(r) for r in self._read(sql + " ORDER BY started_at DESC, id DESC", args)]

    def _update_session(self, session_id: int, column: str, value: Any) -> None:
        with self._write() as conn:
            cur = conn.execute(f"UPDATE sessions SET {column} = ? WHERE id = ?", (value, session_id))
            if cur.rowcount == 0:
                raise ValueError(f"no quiz session {session_id}")

    def set_position(self, session_id: int, position: int) -> None:
        if position < 0:
            raise ValueError(f"position must be non-negative, got {position}")
        self._update_session(session_id, "position", int(position))

    def set_flagged(self, session_id: int, flagged: Iterable[int]) -> None:
        self._update_session(session_id, "flagged", to_json(sorted({int(i) for i in flagged})))

    def toggle_flag(self, session_id: int, index: int) -> bool:
        """Flag question ``index`` of the session, or unflag it; returns whether it is now flagged."""
        with self._lock:
            flagged = set(self.session(session_id).flagged)
            flagged ^= {int(index)}
            self.set_flagged(session_id, flagged)
        return int(index) in flagged

    def save_draft(self, session_id: int, index: int, answers: Any | None) -> None:
        """Keep answers typed for question ``index`` but not submitted yet (``None`` clears them)."""
        with self._lock:
            drafts = dict(self.session(session_id).drafts)
            if answers is None:
                drafts.pop(str(index), None)
            else:
                drafts[str(index)] = answers
            self._update_session(session_id, "drafts", to_json(drafts))

    def finish_session(self, session_id: int, *, now: datetime | None = None) -> None:
        self._update_session(session_id, "finished_at", to_iso(now or utcnow()))

    def session_answers(self, session_id: int) -> dict[int, Attempt]:
        """The latest attempt at each question index of a session (to rebuild a resumed quiz)."""
        found = self.attempts(session_id=session_id)
        return {a.question_index: a for a in found if a.question_index is not None}

    # -- attempts -------------------------------------------------------------------------------

    def record_attempt(self, *, template_id: str, topic: str, score: float, correct: bool, mode: str,
                       seed: int | None = None, params: dict[str, Any] | None = None,
                       parts: dict[str, Any] | None = None, seconds: float | None = None,
                       session_id: int | None = None, question_index: int | None = None,
                       template_version: int | None = None, expected_seconds: float | None = None,
                       schedule: bool = True, now: datetime | None = None) -> Attempt:
        """Save one graded answer and, unless ``schedule`` is false, update the template's review.

        The answer and its schedule are committed together before this returns.
        ``expected_seconds`` is how long the question should take (see :mod:`.review`).
        """
        row = _attempt_row(template_id=template_id, topic=topic, score=score, correct=correct, mode=mode,
                           seed=seed, seconds=seconds, question_index=question_index)
        row.update(answered_at=to_iso(now or utcnow()), params=to_json(params or {}),
                   parts=to_json(parts or {}), session_id=session_id, template_version=template_version)
        with self._write() as conn:
            if session_id is not None and not conn.execute(
                    "SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone():
                raise ValueError(f"no quiz session {session_id}")
            names, slots = ", ".join(row), ", ".join(":" + k for k in row)
            cur = conn.execute(f"INSERT INTO attempts ({names}) VALUES ({slots})", row)
            if schedule:
                rating = review.rating_for(row["score"], row["correct"], row["seconds"], expected_seconds)
                schema.upsert_review(conn, template_id, rating, row["answered_at"], row["seconds"])
        return self.attempts(attempt_id=cur.lastrowid)[0]

    def attempts(self, *, since: datetime | None = None, until: datetime | None = None,
                 topic: str | None = None, template_id: str | None = None,
                 session_id: int | None = None, attempt_id: int | None = None) -> list[Attempt]:
        """Attempts in the order they were answered, filtered by any of the arguments
        (``since`` inclusive, ``until`` exclusive)."""
        filters = {"answered_at >= ?": since and to_iso(since), "answered_at < ?": until and to_iso(until),
                   "topic = ?": topic, "template_id = ?": template_id, "session_id = ?": session_id,
                   "id = ?": attempt_id}
        used = {k: v for k, v in filters.items() if v is not None}
        where = (" WHERE " + " AND ".join(used)) if used else ""
        rows = self._read(f"SELECT {_ATTEMPT_COLUMNS} FROM attempts{where} ORDER BY answered_at, id",
                          used.values())
        return [_attempt(r) for r in rows]

    def attempt_count(self) -> int:
        return int(self._read("SELECT count(*) FROM attempts")[0][0])

    # -- review ---------------------------------------------------------------------------------

    def due_templates(self, now: datetime | None = None, limit: int | None = None) -> list[str]:
        """Templates due for review at ``now``, the longest overdue first."""
        sql = "SELECT template_id FROM review_state WHERE due <= ? ORDER BY due, template_id"
        args: list[Any] = [to_iso(now or utcnow())]
        if limit is not None:
            sql, args = sql + " LIMIT ?", [*args, int(limit)]
        return [r[0] for r in self._read(sql, args)]

    def next_due(self) -> datetime | None:
        """When the next review falls due (possibly in the past), or None if nothing was answered."""
        return from_iso(self._read("SELECT min(due) FROM review_state")[0][0])

    def review_state(self, template_id: str) -> ReviewState | None:
        rows = self._read("SELECT template_id, due, state, reviews, lapses, last_review FROM review_state "
                          "WHERE template_id = ?", (template_id,))
        if not rows:
            return None
        tid, due, state, reviews, lapses, last = rows[0]
        return ReviewState(tid, from_iso(due), state, reviews, lapses, from_iso(last))


def _attempt_row(*, template_id: str, topic: str, score: float, correct: bool, mode: str,
                 seed: int | None, seconds: float | None, question_index: int | None) -> dict[str, Any]:
    """The checked column values of a new attempt; a ValueError names the first bad one."""
    if not isinstance(template_id, str) or not template_id:
        raise ValueError(f"template_id must be a non-empty string, got {template_id!r}")
    if not isinstance(topic, str):
        raise ValueError(f"topic must be a string, got {topic!r}")
    if seed is not None and not -_INT64 <= int(seed) < _INT64:
        raise ValueError(f"seed {seed} does not fit in 64 bits")
    if seconds is not None and not float(seconds) >= 0:  # also rejects NaN
        raise ValueError(f"seconds must be non-negative, got {seconds}")
    if question_index is not None and int(question_index) < 0:
        raise ValueError(f"question_index must be non-negative, got {question_index}")
    return {"template_id": template_id, "topic": topic, "score": check_score(score), "correct": bool(correct),
            "mode": check_mode(mode), "seed": None if seed is None else int(seed),
            "seconds": None if seconds is None else float(seconds),
            "question_index": None if question_index is None else int(question_index)}


def _attempt(row: tuple) -> Attempt:
    (id_, template_id, topic, score, correct, mode, answered_at, seed, params, parts, seconds,
     session_id, question_index, template_version) = row
    return Attempt(id=id_, template_id=template_id, topic=topic, score=score, correct=bool(correct),
                   mode=mode, answered_at=from_iso(answered_at), seed=seed, params=from_json(params),
                   parts=from_json(parts), seconds=seconds, session_id=session_id,
                   question_index=question_index, template_version=template_version)


def _session(row: tuple) -> SessionRecord:
    id_, mode, settings, questions, position, flagged, drafts, started, finished = row
    return SessionRecord(id=id_, mode=mode, settings=from_json(settings), questions=from_json(questions),
                   position=position, flagged=from_json(flagged), drafts=from_json(drafts),
                   started_at=from_iso(started), finished_at=from_iso(finished))
