"""Variety: `quizapp generate` warns on stderr when two students would get the same numbers for a
question (and still writes the set), naming them; a set where every variant differs has no warning.
Run as a TA runs it, in a fresh process; the repeats are found independently from set.json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAIN = "import sys; from quizapp.cli import main; sys.exit(main(sys.argv[1:]))"


def generate(out, template, variants):
    proc = subprocess.run([sys.executable, "-c", MAIN, "generate", "--template", template, "--seed", "1",
                           "--variants", str(variants), "--format", "json", "--out", str(out)],
                          capture_output=True, text=True, cwd=ROOT, env=dict(os.environ), timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stderr, json.loads((out / "set.json").read_text())


def repeats(data):
    params = Counter(json.dumps(v["questions"][0]["params"], sort_keys=True) for v in data["variants"])
    return sum(n for n in params.values() if n > 1), len(params)


def test_students_with_the_same_numbers_are_named_on_stderr(tmp_path):
    stderr, data = generate(tmp_path / "a", "svm-margin", 30)
    repeated, distinct = repeats(data)
    assert repeated > 0  # the bank's svm-margin draws from few values: 30 students repeat some
    (line,) = [x for x in stderr.splitlines() if "same numbers" in x]
    assert line.startswith("quizapp: warning: question 1 (svm-margin): ")
    assert f"{distinct} different sets of numbers for 30 variants" in line
    first = next(ids for ids in _groups(data) if len(ids) > 1)
    assert " = ".join(first) in line


def _groups(data):
    groups = {}
    for v in data["variants"]:
        groups.setdefault(json.dumps(v["questions"][0]["params"], sort_keys=True), []).append(v["id"])
    return list(groups.values())


def test_no_warning_when_every_student_has_other_numbers(tmp_path):
    stderr, data = generate(tmp_path / "b", "adam-step", 4)
    assert repeats(data)[0] == 0
    assert "same numbers" not in stderr


def test_a_concept_question_has_no_numbers_to_share(tmp_path):
    stderr, data = generate(tmp_path / "c", "concept-adagrad-stops", 5)
    assert all(v["questions"][0]["params"] == {} for v in data["variants"])
    assert "same numbers" not in stderr


def test_a_large_group_of_repeats_is_named_by_its_first_few_and_its_size():
    from quizapp.export.build import _group_text

    assert _group_text(["v1", "v2"], 3) == "v1 = v2"
    assert _group_text([f"v{i}" for i in range(1, 5)], 3) == "v1 = v2 = v3 = v4"
    assert _group_text([f"v{i:03d}" for i in range(1, 101)], 3) == "v001 = v002 = v003 = ... (100 variants)"
