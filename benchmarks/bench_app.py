"""Study-app benchmark: start-up to an interactive home screen, feedback latency, peak memory.

    python benchmarks/bench_app.py [--questions 50] [--runs 5]

1. Start-up: a fresh interpreter runs the app headless (as ``quizapp`` does, with an empty progress
   folder) and reports when the home screen is up and takes keys (Textual's Ready event); the
   time is taken by this process from just before spawning it, so interpreter start-up counts.
   The question bank goes on loading in the background after that; its time is printed too.
2. Feedback: a practice quiz of ``--questions`` questions answered through the UI (Pilot). For
   each, the time from the submit key until the feedback has been painted (the first screen
   refresh after the explanation is mounted), and the time of the work behind it (grading, the
   worked solution and graph, without the UI).
3. Memory: the peak resident set size of the process after that session (and Python's own
   peak allocations as tracemalloc counts them).

Targets (issue 5): start-up < 1.0 s, feedback < 100 ms, peak memory < 200 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = r"""
import sys, time
from quizapp.tui.app import QuizApp

class Bench(QuizApp):
    def on_ready(self):
        print("READY", time.perf_counter(), flush=True)
        self.set_interval(0.01, self._bank_done)

    def _bank_done(self):
        if self.bank is not None or self.bank_error is not None:
            print("BANK", time.perf_counter(), flush=True)
            self.exit(0)

Bench(home=sys.argv[1]).run(headless=True, size=(80, 24))
"""


def startup(runs: int) -> tuple[list[float], list[float]]:
    ready, bank = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as home:
            start = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "-c", CHILD, home], stdout=subprocess.PIPE, text=True,
                                    cwd=ROOT)
            times = {}
            assert proc.stdout is not None
            for line in proc.stdout:
                word, _, _ = line.partition(" ")
                times[word] = time.perf_counter() - start
            proc.wait()
            ready.append(times["READY"])
            bank.append(times["BANK"])
    return ready, bank


def answer_text(question, part) -> str:
    """The right answer to ``part`` as a student would type it."""
    import numpy as np

    value = question.expected[part.name]
    if part.type == "choice" and part.options:
        return next(letter for letter, opt in question.options(part) if opt.id == value)
    arr = np.asarray(value) if not isinstance(value, str) else None
    if arr is None or arr.dtype.kind not in "fiu":
        return str(value)
    if arr.ndim == 2:
        return "; ".join(" ".join(repr(float(v)) for v in row) for row in arr)
    if arr.ndim == 1:
        return "[" + ", ".join(repr(float(v)) for v in arr) + "]"
    return repr(value if part.type == "integer" else float(value))


async def session(count: int) -> tuple[list[float], list[float], int]:
    from question_bank import load_bank
    from quizapp.study.session import QuizSettings
    from quizapp.tui.app import QuizApp
    from quizapp.tui.graphs import question_graph
    from quizapp.tui.widgets.solution import ExplanationView, steps_text, verdict_text

    ui, work = [], []
    right = 0
    painted: list[float] = []
    original = ExplanationView.on_mount if hasattr(ExplanationView, "on_mount") else None

    def on_mount(view) -> None:
        view.call_after_refresh(lambda: painted.append(time.perf_counter()))
        if original is not None:
            original(view)

    ExplanationView.on_mount = on_mount  # type: ignore[method-assign]
    with tempfile.TemporaryDirectory() as home:
        app = QuizApp(home=home, bank=load_bank())
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            app.start_quiz(QuizSettings(count=count, seed=2024))
            await pilot.pause()
            quiz = app.screen
            s = quiz.session
            for _i in range(s.count):
                q = s.question()
                for field in quiz.fields():
                    field.set_value(answer_text(q, field.part))
                await pilot.pause()
                # A student reads the question first: the next one is instantiated meanwhile.
                await app.workers.wait_for_complete()
                painted.clear()
                t0 = time.perf_counter()
                await pilot.press("ctrl+s")
                while not painted:
                    await asyncio.sleep(0.001)
                ui.append(painted[0] - t0)
                # The same work again outside the UI, to separate it from Textual's own overhead.
                t1 = time.perf_counter()
                from quizapp.grading import grade

                result = grade(q, {p.name: answer_text(q, p) for p in q.parts})
                verdict_text(q, result), steps_text(q.solution.steps), question_graph(q)
                work.append(time.perf_counter() - t1)
                await pilot.press("enter")
                await pilot.pause()
            right = s.summary().correct
    return ui, work, right


def describe(name: str, values: list[float], unit: str = "ms", scale: float = 1000.0) -> str:
    digits = 1 if unit == "ms" else 3
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
    return (f"{name:<34} median {statistics.median(values) * scale:7.{digits}f} {unit}   "
            f"p95 {p95 * scale:7.{digits}f} {unit}   max {values[-1] * scale:7.{digits}f} {unit}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--traced", action="store_true", help="also count Python allocations (tracemalloc)")
    args = parser.parse_args()

    ready, bank = startup(args.runs)
    print(f"start-up over {args.runs} runs (target < 1.0 s to an interactive home screen)")
    print(describe("  command -> interactive home", ready, "s", 1.0))
    print(describe("  command -> question bank loaded", bank, "s", 1.0))

    ui, work, right = asyncio.run(session(args.questions))
    print(f"feedback over {len(ui)} questions, {right} answered right (target < 100 ms)")
    print(describe("  submit key -> feedback painted", ui))
    print(describe("  grading + explanation work", work))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"memory after the {len(ui)}-question session (target < 200 MB)")
    print(f"  peak resident set size            {rss:7.1f} MB")
    if args.traced:
        # A second session under tracemalloc (slow, so it is not timed): Python's own allocations.
        tracemalloc.start()
        asyncio.run(session(args.questions))
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"  peak Python allocations (traced)  {traced_peak / 2**20:7.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
