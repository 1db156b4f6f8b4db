"""Speed and memory of `quizapp generate`: 100 variants of a 20-question exam, with solutions, in all formats.

Target (issue 6): under 5 seconds on the project's 2-core machine, for the whole command as a TA
runs it (a fresh process: imports, loading the bank, generating, rendering, writing; no PDF build).
The exam mixes the computed topics (optimizers, losses, normalization, regularization, backprop,
linear models). Also timed, for information: the same exam with --multiple-choice, which also
solves every misconception for every question.

The goal is absolute, so a loaded machine reads as slow: each run is also given as a ratio to a
reference measured in the same run, just before it (a fresh Python importing the command and the
bank: ``python -c "import quizapp.cli, question_bank.bank"``), and with the CPU time the command
used (both of its processes), which load barely changes. A regression moves the ratio and the CPU
time; a busy machine moves the seconds and the reference together.

Peak memory is the generate process's peak resident set size (and its forked helper's, whichever
is larger), from ``os.wait4`` on that child: ``ru_maxrss``, in KiB on Linux.

Run: python benchmarks/bench_generate.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 5.0
TOPICS = ("optimizers", "losses", "normalization", "regularization", "backprop", "linear-models")
EXAM = [a for t in TOPICS for a in ("--topic", t)] + ["--count", "20", "--variants", "100", "--seed", "2024"]
REFERENCE = [sys.executable, "-c", "import quizapp.cli, question_bank.bank"]
REFERENCE_RUNS = 5


@dataclass(frozen=True)
class Run:
    seconds: float  # elapsed
    cpu: float  # user + system seconds of the child and its forked helper
    peak_mb: float  # peak resident set size, MB
    output_mb: float  # size of the files written, MB


def run_child(argv: list[str], out: str | None = None) -> Run:
    """Run ``argv`` and measure it; its own resource usage comes from wait4 (not the whole benchmark's)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(argv[1:4])}... failed:\n{err.read().decode(errors='replace')}")
    size = sum(p.stat().st_size for p in Path(out).rglob("*") if p.is_file()) if out else 0
    kib = 1 if sys.platform != "darwin" else 1024  # ru_maxrss: KiB on Linux, bytes on macOS
    return Run(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024 / kib / 1e6, size / 1e6)


def reference() -> float:
    """The quickest of a few fresh imports of the command and the bank, right now."""
    return min(run_child(REFERENCE).seconds for _ in range(REFERENCE_RUNS))


def generate(extra: list[str]) -> tuple[Run, float]:
    """One generate run and the reference measured just before it."""
    ref = reference()
    with tempfile.TemporaryDirectory() as out:
        run = run_child([sys.executable, "-m", "quizapp", "generate", *EXAM, *extra, "--out", out], out)
    return run, ref


def line(label: str, run: Run, ref: float, goal: str = "") -> str:
    return (f"{label}: {run.seconds:.2f} s{goal}, {run.seconds / ref:.1f}x the reference ({ref:.2f} s); "
            f"CPU {run.cpu:.2f} s; peak memory {run.peak_mb:.0f} MB; {run.output_mb:.1f} MB written")


def main() -> int:
    plain, ref = min((generate([]) for _ in range(3)), key=lambda r: r[0].seconds)
    print(line("100 variants x 20 questions, all formats, with solutions", plain, ref, f" (target < {TARGET:g} s)"))
    choice, choice_ref = generate(["--multiple-choice"])
    print(line("the same with --multiple-choice", choice, choice_ref))
    return 0 if plain.seconds < TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
