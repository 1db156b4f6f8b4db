"""The tolerance bands of a question (question_bank/judging.py), against working them by their definition.

A band needs how every entry of every recorded step moves each answer, and the values honest work
reaches. By definition that is one re-solve per step entry and one per step; the judge reads entries
that move no row in common from one re-solve (a pattern learned per template) and replays the honest
path in one solve. Both are timed here in the same run, over every computed template of the bank and
a run of seeds, with the number of solves each takes; the bands must be the same (checked on every
question). Goal, over the whole bank (its many one-number steps cannot share a solve): at least 1.5x
fewer solves and 1.2x less time.

Run: python benchmarks/bench_bands.py
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from question_bank import judging, solving
from question_bank.bank import load_bank

SEEDS = range(7000, 7010)


def questions() -> list[tuple[Any, dict[str, Any], Any]]:
    bank = load_bank(environ={})
    out = []
    for tid in bank.ids():
        template = bank.get(tid)
        if template.solver is None or not any(p.type in judging.NUMERIC for p in template.parts):
            continue
        for seed in SEEDS:
            q = bank.instantiate(tid, seed)
            out.append((template, q.params, q.solution))
    return out


def timed(qs: list[tuple[Any, dict[str, Any], Any]]) -> tuple[float, int, list[judging.Judgement]]:
    solves = 0
    run, replayer = solving._run, solving.replayer

    def counted(*args: Any) -> Any:
        nonlocal solves
        solves += 1
        return run(*args)

    def counted_replayer(*args: Any) -> Any:  # a question's re-solves call its solver directly
        solve = replayer(*args)

        def replay(overrides: Any) -> Any:
            nonlocal solves
            solves += 1
            return solve(overrides)

        return replay

    solving._run, solving.replayer = counted, counted_replayer
    try:
        start = time.process_time()
        found = [judging.judge(t, p, s) for t, p, s in qs]
        return time.process_time() - start, solves, found
    finally:
        solving._run, solving.replayer = run, replayer


def by_definition(run: Callable[[], Any]) -> Any:
    """``run()`` with one re-solve per entry and the honest path one step at a time."""
    pattern, path = judging._pattern, judging.honest_path
    judging._pattern = lambda *_: None  # type: ignore[assignment]
    judging.honest_path = judging.honest_path_stepwise  # type: ignore[assignment]
    try:
        return run()
    finally:
        judging._pattern, judging.honest_path = pattern, path


def same(a: judging.Judgement, b: judging.Judgement) -> bool:
    return a.sigfigs == b.sigfigs and all(
        np.allclose(a.bands[k], b.bands[k], rtol=1e-6, atol=0) and np.allclose(a.bounds[k], b.bounds[k], rtol=1e-6)
        for k in a.bands)


def main() -> int:
    qs = questions()
    timed(qs[:20])  # imports and each template's pattern, outside the timing
    fast_s, fast_n, fast = timed(qs)
    slow_s, slow_n, slow = by_definition(lambda: timed(qs))
    differ = sum(not same(a, b) for a, b in zip(fast, slow))
    print(f"{len(qs)} questions: bands in {fast_s:.2f} s with {fast_n} solves; by definition {slow_s:.2f} s "
          f"with {slow_n} solves: {slow_n / fast_n:.1f}x fewer solves, {slow_s / fast_s:.1f}x less time; "
          f"{differ} judgements differ")
    return 0 if differ == 0 and slow_n >= 1.5 * fast_n and slow_s >= 1.2 * fast_s else 1


if __name__ == "__main__":
    sys.exit(main())
