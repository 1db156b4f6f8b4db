"""Sampling, solving and rendering 1,000 questions drawn across all templates (target: under 1 s).

Prints questions per second, cold (first questions of each template in this process: SymPy's
import and first derivatives included) and warm. Run: python benchmarks/bench_bank.py
"""

from __future__ import annotations

import time

from question_bank.bank import load_bank

N = 1000


def run(bank, ids: list[str], start_seed: int) -> float:
    t0 = time.perf_counter()
    for i in range(N):
        q = bank.instantiate(ids[i % len(ids)], start_seed + i)
        q.text()
    return time.perf_counter() - t0


def main() -> None:
    t0 = time.perf_counter()
    bank = load_bank()
    load = time.perf_counter() - t0
    ids = bank.ids()
    cold = run(bank, ids, 0)
    warm = run(bank, ids, 10_000)  # new seeds: nothing is reused but imports and parsed templates
    print(f"load {len(ids)} templates: {load:.3f} s")
    print(f"{N} questions, cold: {cold:.3f} s ({N / cold:.0f}/s)")
    print(f"{N} questions, warm: {warm:.3f} s ({N / warm:.0f}/s)   target: under 1 s")


if __name__ == "__main__":
    main()
