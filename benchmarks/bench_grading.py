"""Grading one question with every part answered, beside solving it (issue 11; goal: p95 under 20 ms).

For each computed template and a run of fresh seeds, three sheets are graded: the right answers
written to the stated precision, a sheet with one part wrong in no named way (diagnosis searches
every tier: named mistakes, non-answers, slips, two at once, neighbouring variants), and one with a
named mistake. Times are per question, in the same process, beside the time to sample and solve the
question (its bands included, which grading reuses). Run: python benchmarks/bench_grading.py
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from question_bank.bank import load_bank
from quizapp.grading import grade

SEEDS = range(5000, 5012)


def text(value: object, figures: int) -> str:
    arr = np.asarray(value, dtype=np.float64) if not isinstance(value, str) else None
    if arr is None:
        return str(value)
    if arr.ndim == 0:
        return f"{float(arr):.{figures}g}"
    return "[" + ", ".join(text(v, figures) for v in arr) + "]"


def sheets(q) -> list[dict[str, str]]:
    numeric = [p for p in q.parts if p.type in ("number", "vector", "matrix")]
    right = {p.name: text(q.expected[p.name], q.sigfigs()) if p in numeric else str(q.expected[p.name])
             for p in q.parts}
    out = [right]
    if numeric:
        wrong = dict(right)
        first = numeric[0]
        wrong[first.name] = text(np.asarray(q.expected[first.name], dtype=np.float64) * 1.37 + 0.11, q.sigfigs())
        out.append(wrong)
    for ans in q.misconception_answers().values():
        if ans.recognisable:
            named = dict(right)
            for name, value in ans.answers.items():
                named[name] = text(value, q.sigfigs()) if q.template.part(name).type != "choice" else str(value)
            out.append(named)
            break
    return out


def percentile(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]


def main() -> None:
    bank = load_bank()
    ids = [t for t, tpl in bank.templates.items() if not tpl.is_concept]
    solve_ms: list[float] = []
    grade_ms: list[float] = []
    for tid in ids:
        for seed in SEEDS:
            t0 = time.perf_counter()
            q = bank.instantiate(tid, seed)
            q.judgement  # noqa: B018 - the bands are part of the question, worked out once
            solve_ms.append((time.perf_counter() - t0) * 1000)
            for sheet in sheets(q):
                t0 = time.perf_counter()
                grade(q, sheet)
                grade_ms.append((time.perf_counter() - t0) * 1000)
    print(f"{len(ids)} templates × {len(SEEDS)} seeds; {len(grade_ms)} sheets graded")
    print(f"solve (sample, solve, bands): median {statistics.median(solve_ms):.1f} ms, "
          f"p95 {percentile(solve_ms, 0.95):.1f} ms")
    print(f"grade (every part answered, with diagnosis): median {statistics.median(grade_ms):.1f} ms, "
          f"p95 {percentile(grade_ms, 0.95):.1f} ms   goal: p95 under 20 ms")
    print(f"grade / solve (medians): {statistics.median(grade_ms) / statistics.median(solve_ms):.2f}")


if __name__ == "__main__":
    main()
