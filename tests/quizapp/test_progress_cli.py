"""`quizapp stats` and `quizapp export-progress` run as the student runs them: in a subprocess."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from quizapp.progress import open_store
from quizapp.progress.store import DB_NAME

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime.now(timezone.utc).replace(microsecond=0)


def quizapp(home: Path, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "QUIZAPP_HOME": str(home), "TZ": "UTC", "COLUMNS": "120"}
    return subprocess.run([sys.executable, "-m", "quizapp.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def home(tmp_path) -> Path:
    """Five answers: losses 2 of 3 right (one partly, 0.5), backprop 1 of 2 right."""
    with open_store(tmp_path / "home") as store:
        answers = [("loss.ce", "losses", 1.0, True), ("loss.ce", "losses", 0.5, False),
                   ("loss.mse", "losses", 1.0, True), ("bp.chain", "backprop", 0.0, False),
                   ("bp.relu", "backprop", 1.0, True)]
        for i, (template_id, topic, score, correct) in enumerate(answers):
            store.record_attempt(template_id=template_id, topic=topic, score=score, correct=correct,
                                 mode="practice", seed=100 + i, params={"x": [i, 0.5]},
                                 parts={"a": {"given": str(i), "correct": "1", "diagnosis": None}},
                                 seconds=45.0, now=NOW - timedelta(hours=1) + timedelta(minutes=i))
    return tmp_path / "home"


def test_stats_json(home):
    result = quizapp(home, "stats", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["attempts"], data["correct"], data["accuracy"]) == (5, 3, 0.6)
    topics = {t["topic"]: t for t in data["topics"]}
    assert (topics["losses"]["attempts"], topics["losses"]["accuracy"]) == (3, 2 / 3)
    assert topics["losses"]["mastery"] == pytest.approx(2.5 / 10)
    assert (topics["backprop"]["accuracy"], topics["backprop"]["mastery"]) == (0.5, 0.1)
    assert data["streaks"]["current_days"] == 1 and data["streaks"]["current_correct"] == 1
    # Four templates, all first seen an hour ago: FSRS learning steps (1 and 10 minutes) have passed
    # for each, whether the answer was wrong (Again), partly right (Hard) or right (Good).
    assert data["due_reviews"] == 4
    assert result.stderr == ""


def test_stats_table(home):
    result = quizapp(home, "stats")
    assert result.returncode == 0, result.stderr
    for text in ("losses", "backprop", "67%", "50%", "25%", "10%", "Day streak: 1"):
        assert text in result.stdout


def test_stats_on_empty_home(tmp_path):
    result = quizapp(tmp_path / "new", "stats", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["attempts"], data["accuracy"], data["topics"], data["due_reviews"]) == (0, None, [], 0)
    plain = quizapp(tmp_path / "new", "stats")
    assert plain.returncode == 0 and "No answers saved yet" in plain.stdout


def test_home_option_beats_environment(home, tmp_path):
    result = quizapp(tmp_path / "elsewhere", "--home", str(home), "stats", "--json")
    assert result.returncode == 0 and json.loads(result.stdout)["attempts"] == 5


def test_export_json_to_stdout(home):
    result = quizapp(home, "export-progress")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [r["seed"] for r in rows] == [100, 101, 102, 103, 104]
    assert rows[1] | {"answered_at": None, "id": None} == {
        "id": None, "answered_at": None, "template_id": "loss.ce", "template_version": None,
        "topic": "losses", "seed": 101, "params": {"x": [1, 0.5]},
        "parts": {"a": {"given": "1", "correct": "1", "diagnosis": None}}, "score": 0.5, "correct": False,
        "seconds": 45.0, "mode": "practice", "session_id": None, "question_index": None}
    assert datetime.fromisoformat(rows[0]["answered_at"]) == NOW - timedelta(hours=1)


def test_export_csv_to_file(home, tmp_path):
    out = tmp_path / "out" / "progress.csv"
    out.parent.mkdir()
    result = quizapp(home, "export-progress", "--output", str(out))  # format from the suffix
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    rows = list(csv.DictReader(io.StringIO(out.read_text(), newline="")))
    assert [(r["template_id"], r["correct"], r["score"]) for r in rows] == [
        ("loss.ce", "1", "1.0"), ("loss.ce", "0", "0.5"), ("loss.mse", "1", "1.0"),
        ("bp.chain", "0", "0.0"), ("bp.relu", "1", "1.0")]
    assert json.loads(rows[4]["params"]) == {"x": [4, 0.5]}
    assert sorted(p.name for p in out.parent.iterdir()) == ["progress.csv"]  # no temporary file left


def test_export_overwrites_existing_file_with_explicit_format(home, tmp_path):
    out = tmp_path / "progress.txt"
    out.write_text("old contents")
    result = quizapp(home, "export-progress", "--format", "csv", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text().splitlines()[0].startswith("id,answered_at,template_id")
    assert len(out.read_text().splitlines()) == 6


def test_export_empty_csv_has_header(tmp_path):
    result = quizapp(tmp_path / "new", "export-progress", "--format", "csv")
    assert result.returncode == 0
    assert result.stdout.strip() == ("id,answered_at,template_id,template_version,topic,seed,params,parts,"
                                     "score,correct,seconds,mode,session_id,question_index")


@pytest.mark.parametrize("args, message", [
    (["export-progress", "--output", "missing/dir/out.json"], "does not exist"),
    (["export-progress", "--output", "."], "is a folder"),
    (["export-progress", "--format", "xml"], "invalid choice"),
    (["stats", "--csv"], "unrecognized arguments"),
])
def test_usage_errors_exit_2(home, tmp_path, args, message):
    result = quizapp(home, *args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert list(tmp_path.glob("*.json")) == []


def test_unusable_home_exits_1(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    result = quizapp(tmp_path / "file", "stats")
    assert result.returncode == 1
    assert "quizapp: error:" in result.stderr and "progress folder" in result.stderr


def test_corrupt_database_warned_and_moved_aside(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / DB_NAME).write_bytes(b"\x00garbage" * 1000)
    result = quizapp(home, "stats", "--json")
    assert result.returncode == 0
    assert "quizapp: warning:" in result.stderr and "moved to" in result.stderr
    assert json.loads(result.stdout)["attempts"] == 0
    (aside,) = [p for p in home.iterdir() if ".corrupt-" in p.name and not p.name.endswith(("-wal", "-shm"))]
    assert aside.read_bytes() == b"\x00garbage" * 1000
