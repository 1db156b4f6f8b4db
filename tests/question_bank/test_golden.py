"""Reproducibility: a fresh process renders the same questions as the golden files.

Regenerate after a deliberate change with ``QB_UPDATE_GOLDEN=1 python -m pytest
tests/question_bank/test_golden.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

from solvers.steps import to_jsonable

GOLDEN = Path(__file__).parent / "golden"
SEEDS = (0, 1, 2)
ROOT = Path(__file__).resolve().parents[2]


def render_all() -> dict[str, dict[str, Any]]:
    """Every built-in template's questions for SEEDS, as JSON-ready data."""
    from question_bank.bank import load_bank

    bank = load_bank(environ={})
    out: dict[str, dict[str, Any]] = {}
    for tid in bank.ids():
        out[tid] = {}
        for seed in SEEDS:
            q = bank.instantiate(tid, seed)
            out[tid][str(seed)] = {
                "params": to_jsonable(q.params),
                "text": q.text(),
                "hints": q.hints(),
                "expected": {k: to_jsonable(v) for k, v in q.expected.items()},
            }
    return out


def _fresh_process() -> dict[str, dict[str, Any]]:
    code = "import json; from tests.question_bank.test_golden import render_all; print(json.dumps(render_all()))"
    # A different hash seed than this process: nothing may depend on Python's salted hash().
    env = {**os.environ, "PYTHONHASHSEED": "4242", "QUIZAPP_BANK": ""}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=300
    )
    return json.loads(done.stdout)


def _same_numbers(got: Any, want: Any, where: str) -> None:
    if isinstance(want, str) or isinstance(got, str):
        assert got == want, where
    else:
        np.testing.assert_allclose(
            np.asarray(got, dtype=float), np.asarray(want, dtype=float), rtol=1e-12, atol=1e-15, err_msg=where
        )


def test_fresh_process_matches_golden_files():
    fresh = _fresh_process()
    if os.environ.get("QB_UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        for old in GOLDEN.glob("*.json"):
            old.unlink()
        for tid, data in fresh.items():
            (GOLDEN / f"{tid}.json").write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    files = {p.stem for p in GOLDEN.glob("*.json")}
    assert files == set(fresh), "templates without golden files (or golden files without templates)"
    for tid, by_seed in fresh.items():
        golden = json.loads((GOLDEN / f"{tid}.json").read_text(encoding="utf-8"))
        assert set(golden) == set(by_seed)
        for seed, want in golden.items():
            got = by_seed[seed]
            where = f"{tid} seed {seed}"
            assert got["text"] == want["text"], where
            assert got["hints"] == want["hints"], where
            assert got["params"] == want["params"], where
            assert set(got["expected"]) == set(want["expected"]), where
            for part, value in want["expected"].items():
                _same_numbers(got["expected"][part], value, f"{where} {part}")


def test_this_process_matches_the_fresh_one():
    from question_bank.bank import load_bank

    bank = load_bank(environ={})
    golden = json.loads((GOLDEN / "adam-step.json").read_text(encoding="utf-8"))
    q = bank.instantiate("adam-step", 1)
    assert q.text() == golden["1"]["text"]
    assert to_jsonable(q.params) == golden["1"]["params"]
