"""The layering holds: quizapp -> question_bank -> solvers, and the core runs without the TUI.

As Harlequin does: an import-linter contract, and imports checked in a fresh interpreter
through ``sys.modules`` (a test process has already imported everything).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _modules_after(code: str) -> set[str]:
    script = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    return {m.split(".")[0] for m in json.loads(out.stdout.strip().splitlines()[-1])}


def test_import_linter_contract_holds():
    lint = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    result = subprocess.run([lint], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_solvers_import_without_sympy_torch_or_textual():
    loaded = _modules_after("import solvers, solvers.registry, solvers.nn, solvers.train")
    assert not loaded & {"sympy", "torch", "textual", "yaml"}


@pytest.mark.parametrize("code", [
    "import question_bank",
    "from quizapp.cli import build_parser; build_parser()",
    "from quizapp.cli import main; main(['list', '--json'])",
])
def test_core_and_cli_run_without_textual(code):
    assert "textual" not in _modules_after(code)
