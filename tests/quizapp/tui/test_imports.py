"""Import hygiene: the core and the CLI's other commands never load Textual; the app itself loads
SymPy, FSRS and the solvers lazily (start-up must stay under a second).

Checked in a fresh interpreter through ``sys.modules`` (this test process has imported everything).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def modules_after(code: str) -> set[str]:
    script = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def top(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


@pytest.mark.parametrize("code", [
    "import solvers, solvers.registry",
    "import question_bank; question_bank.load_bank()",
    "import quizapp.tui, quizapp.study.session, quizapp.tui.display",
    "from quizapp.cli import main; main(['stats'])",
])
def test_no_textual_outside_the_app(code, tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZAPP_HOME", str(tmp_path))
    assert "textual" not in top(modules_after(code))


def test_the_app_starts_without_sympy_fsrs_or_torch():
    loaded = top(modules_after("import quizapp.tui.app, quizapp.tui.screens.home"))
    assert "textual" in loaded
    assert not loaded & {"sympy", "fsrs", "torch", "numpy", "yaml"}
