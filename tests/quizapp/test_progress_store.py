"""The progress store: answers survive a killed process, sessions resume, bad databases move aside."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime, timezone
from pathlib import Path

import pytest

from quizapp.progress import Store, StoreError, open_store, resolve_home
from quizapp.progress import store as store_module
from quizapp.progress.store import DB_NAME

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)


def answer(store: Store, template_id: str = "loss.ce", **kw) -> object:
    fields = {"topic": "losses", "score": 1.0, "correct": True, "mode": "practice", "now": T0} | kw
    return store.record_attempt(template_id=template_id, **fields)


def raw_count(path: Path, table: str = "attempts") -> int:
    # A connection of our own, independent of the Store under test.
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


# -- every answer is committed as it is given -----------------------------------------------------

def test_answer_visible_to_another_connection_before_close(tmp_path):
    with open_store(tmp_path) as store:
        answer(store)
        assert raw_count(store.path) == 1
        answer(store, "loss.mse")
        assert raw_count(store.path) == 2


KILLED_SCRIPT = textwrap.dedent("""
    import sys
    from quizapp.progress import open_store
    store = open_store(sys.argv[1])
    s = store.start_session("exam", {"seed": 7, "topics": ["losses"]},
                            [{"template": "t0", "seed": 1}, {"template": "t1", "seed": 2},
                             {"template": "t2", "seed": 3}])
    for i in range(2):
        store.record_attempt(template_id=f"t{i}", topic="losses", score=0.5 * i, correct=i == 1,
                             mode="exam", seed=i + 1, session_id=s.id, question_index=i,
                             parts={"a": {"given": i, "correct": 1, "diagnosis": None}})
    store.set_position(s.id, 2)
    store.save_draft(s.id, 2, {"a": "0.25"})
    print("answered", flush=True)
    sys.stdin.read()  # wait to be killed; no fixed wait, and ends with a parent that went away
""")


def test_answers_survive_sigkill(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", KILLED_SCRIPT, str(tmp_path)], cwd=ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "answered"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stdin.close()
    assert proc.returncode == -signal.SIGKILL
    with open_store(tmp_path) as store:
        attempts = store.attempts()
        assert [(a.template_id, a.score, a.correct, a.question_index) for a in attempts] == [
            ("t0", 0.0, False, 0), ("t1", 0.5, True, 1)]
        assert attempts[1].parts == {"a": {"given": 1, "correct": 1, "diagnosis": None}}
        (session,) = store.unfinished_sessions()
        assert session.position == 2 and session.drafts == {"2": {"a": "0.25"}}
        assert store.warnings == []


# -- sessions -------------------------------------------------------------------------------------

def test_unfinished_session_resumes_after_reopen(tmp_path):
    questions = [{"template": "act.relu", "seed": 11}, {"template": "loss.ce", "seed": 12},
                 {"template": "bp.chain", "seed": 13}]
    with open_store(tmp_path) as store:
        done = store.start_session("practice", {"seed": 1}, [{"template": "x", "seed": 0}], now=T0)
        store.finish_session(done.id)
        s = store.start_session("exam", {"seed": 42, "topics": ["losses", "backprop"]}, questions, now=T0)
        answer(store, "act.relu", topic="activations", mode="exam", session_id=s.id, question_index=0,
               seed=11, params={"x": [1.0, -2.0]})
        store.set_position(s.id, 1)
        assert store.toggle_flag(s.id, 2) is True
        store.save_draft(s.id, 1, {"p": "0.3"})
    with open_store(tmp_path) as store:
        (resumed,) = store.unfinished_sessions()
        assert resumed.id == s.id and resumed.mode == "exam"
        assert resumed.settings == {"seed": 42, "topics": ["losses", "backprop"]}
        assert resumed.questions == questions
        assert (resumed.position, resumed.flagged, resumed.drafts) == (1, [2], {"1": {"p": "0.3"}})
        assert resumed.started_at == T0 and not resumed.finished
        answers = store.session_answers(s.id)
        assert list(answers) == [0] and answers[0].params == {"x": [1.0, -2.0]} and answers[0].seed == 11
        assert store.toggle_flag(s.id, 2) is False
        store.save_draft(s.id, 1, None)
        store.finish_session(s.id)
        assert store.unfinished_sessions() == []
        assert store.session(s.id).flagged == [] and store.session(s.id).drafts == {}


def test_numpy_values_stored_as_plain_json(tmp_path):
    import numpy as np

    with open_store(tmp_path) as store:
        a = answer(store, params={"W": np.array([[1.5, 2.0], [0.0, -1.0]]), "k": np.int64(3)},
                   parts={"g": {"given": np.float64(0.25), "correct": [0.25], "diagnosis": "ok"}})
        assert a.params == {"W": [[1.5, 2.0], [0.0, -1.0]], "k": 3}
        assert a.parts["g"]["given"] == 0.25


@pytest.mark.parametrize("change, message", [
    ({"mode": "quiz"}, "mode"),
    ({"score": 1.5}, "score"),
    ({"score": float("nan")}, "score"),
    ({"template_id": ""}, "template_id"),
    ({"seconds": -1.0}, "seconds"),
    ({"seed": 2**64}, "seed"),
    ({"session_id": 999}, "session"),
])
def test_bad_attempt_is_value_error_and_nothing_saved(tmp_path, change, message):
    with open_store(tmp_path) as store:
        fields = {"template_id": "loss.ce"} | change
        with pytest.raises(ValueError, match=message):
            answer(store, **fields)
        assert store.attempt_count() == 0
        assert store.review_state(fields["template_id"] or "loss.ce") is None


def test_bad_session_calls(tmp_path):
    with open_store(tmp_path) as store:
        with pytest.raises(ValueError, match="mode"):
            store.start_session("homework")
        with pytest.raises(ValueError, match="no quiz session 5"):
            store.set_position(5, 1)
        with pytest.raises(ValueError, match="no quiz session 5"):
            store.session(5)


# -- where the database lives ---------------------------------------------------------------------

def test_home_from_argument_then_env_then_user_data_dir(tmp_path, monkeypatch):
    import platformdirs

    monkeypatch.setenv("QUIZAPP_HOME", str(tmp_path / "env"))
    assert resolve_home(tmp_path / "arg") == tmp_path / "arg"
    assert resolve_home() == tmp_path / "env"
    monkeypatch.delenv("QUIZAPP_HOME")
    assert resolve_home() == Path(platformdirs.user_data_dir("quizapp", appauthor=False))
    with open_store(tmp_path / "arg" / "nested") as store:
        assert store.path == tmp_path / "arg" / "nested" / DB_NAME and store.path.is_file()


def test_home_that_is_a_file_is_store_error(tmp_path):
    (tmp_path / "home").write_text("not a folder")
    with pytest.raises(StoreError, match="progress folder"):
        open_store(tmp_path / "home")


# -- unreadable databases are moved aside, never deleted ------------------------------------------

def _garbage(path: Path) -> None:
    path.write_bytes(random.Random(0).randbytes(8192))


def _truncated(path: Path) -> None:
    with open_store(path.parent) as store:
        for i in range(200):
            answer(store, f"t{i}", parts={"p": {"given": "x" * 200}})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _directory(path: Path) -> None:
    path.mkdir()
    (path / "inside.txt").write_text("keep me")


def _foreign(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.execute("INSERT INTO recipes VALUES ('soup')")
    conn.commit()
    conn.close()


def asides(folder: Path) -> list[Path]:
    """The moved-aside databases (their -wal/-shm companions, if any, travel with them)."""
    found = folder.glob(f"{DB_NAME}.corrupt-*")
    return sorted(p for p in found if not p.name.endswith(("-wal", "-shm", "-journal")))


def _snapshot(path: Path) -> object:
    if path.is_dir():
        return {p.name: p.read_bytes() for p in path.iterdir()}
    return path.read_bytes()


@pytest.mark.parametrize("spoil", [_garbage, _truncated, _directory, _foreign])
def test_unreadable_database_moved_aside_and_fresh_one_works(tmp_path, spoil):
    path = tmp_path / DB_NAME
    spoil(path)
    before = _snapshot(path)
    with open_store(tmp_path) as store:
        (warning,) = store.warnings
        (aside,) = asides(tmp_path)
        assert str(aside) in warning and "could not be read" in warning
        assert _snapshot(aside) == before
        assert store.attempt_count() == 0
        answer(store, "fresh")
    with open_store(tmp_path) as store:
        assert store.warnings == []
        assert [a.template_id for a in store.attempts()] == ["fresh"]


def test_companion_wal_goes_aside_with_its_database(tmp_path):
    path = tmp_path / DB_NAME
    _garbage(path)
    stale = b"stale write-ahead log" * 50
    Path(f"{path}-wal").write_bytes(stale)
    with open_store(tmp_path) as store:
        answer(store)
        (aside,) = asides(tmp_path)
        assert Path(f"{aside}-wal").read_bytes() == stale
        assert raw_count(path) == 1


def test_two_corruptions_in_the_same_second_both_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "utcnow", lambda: T0)
    path = tmp_path / DB_NAME
    contents = []
    for i in range(2):
        path.write_bytes(f"garbage number {i} ".encode() * 300)
        contents.append(path.read_bytes())
        open_store(tmp_path).close()
    kept = asides(tmp_path)
    assert len(kept) == 2
    assert sorted(p.read_bytes() for p in kept) == sorted(contents)


def test_database_from_newer_app_is_refused_and_left_alone(tmp_path):
    path = tmp_path / DB_NAME
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE attempts (id INTEGER)")
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer quizapp"):
        open_store(tmp_path)
    assert path.read_bytes() == before
    assert list(tmp_path.glob("*.corrupt-*")) == []
