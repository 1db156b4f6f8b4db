"""Speed of `quizapp generate`: 100 variants of a 20-question exam, with solutions, in all formats.

Target (issue 6): under 5 seconds on the project's 2-core machine, for the whole command as a TA
runs it (a fresh process: imports, loading the bank, generating, rendering, writing). The exam
mixes the computed topics (optimizers, losses, normalization, regularization, backprop, linear
models). Also timed, for information: the same exam with --multiple-choice, which also solves
every misconception for every question. Run: python benchmarks/bench_generate.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 5.0
TOPICS = ("optimizers", "losses", "normalization", "regularization", "backprop", "linear-models")
EXAM = [a for t in TOPICS for a in ("--topic", t)] + ["--count", "20", "--variants", "100", "--seed", "2024"]


def timed(extra: list[str]) -> tuple[float, str]:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "quizapp", "generate", *EXAM, *extra, "--out", out],
                              cwd=ROOT, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"generate failed:\n{proc.stderr}")
        size = sum(p.stat().st_size for p in Path(out).iterdir())
    return elapsed, f"{size / 1e6:.1f} MB"


def main() -> int:
    plain, size = min(timed([]) for _ in range(3))
    print(f"100 variants x 20 questions, all formats, with solutions: {plain:.2f} s ({size}; target < {TARGET:g} s)")
    choice, _ = timed(["--multiple-choice"])
    print(f"the same with --multiple-choice: {choice:.2f} s")
    return 0 if plain < TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
