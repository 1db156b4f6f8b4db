"""Honest hand work is right, every classic mistake is named, a non-answer is never right.

For every computed template × N_SEEDS seeds, the numbers come from ``tests.oracles``, written from
the formulas in conventions.md (never from our solvers):
(a) honest work: every intermediate rounded to the stated precision and reused, the final values
    rounded too, is correct on every part;
(b) each mistake's or convention's answer, where it differs from the right one at that precision,
    is not correct and is named with its kind (a later part worked consistently from a wrong
    earlier part may instead be "right given your earlier answer", i.e. carried forward);
(c) the unchanged given value of an update part (the weights, the cache, the previous state) and
    an all-zero answer where zero is wrong are not correct.

Run ``python -m tests.quizapp.test_hand_work [seeds]`` for the table of failures per check.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from dataclasses import dataclass
from functools import partial

import numpy as np
import pytest
import sympy as sp

from question_bank.bank import load_bank
from quizapp.grading import grade
from tests.oracles import COMPUTED, ORACLES, round_sig
from tests.oracles.symbolic import same_expression

# Seeds per template in the suite; the full stress run is `python -m tests.quizapp.test_hand_work 500`
# (about 30 minutes on 2 cores), or QUIZAPP_HAND_WORK_SEEDS=500 for the test itself.
N_SEEDS = int(os.environ.get("QUIZAPP_HAND_WORK_SEEDS", "50"))
NUMERIC = ("number", "integer", "vector", "matrix")


@dataclass(frozen=True)
class Failure:
    template: str
    seed: int
    check: str  # "honest", "mistake:<id>", "convention:<id>", "unchanged-given", "zero"
    part: str
    detail: str

    def __str__(self) -> str:
        return f"{self.template}:{self.seed} [{self.check}] part {self.part}: {self.detail}"


# -- writing answers as a student does ----------------------------------------------------------


def figures(q, part: str) -> int:
    return q.sigfigs(part) if hasattr(q, "sigfigs") else 3


def rounded(spec, value, n: int):
    if spec.type in ("number", "vector", "matrix"):
        return round_sig(np.asarray(value, dtype=float), n)
    return value


def write(spec, value, n: int) -> str:
    if spec.type == "integer":
        return str(int(value))
    if spec.type == "choice":
        return str(value)
    if spec.type == "expression":
        return (value if isinstance(value, str) else sp.sstr(value)).replace("**", "^")
    return _numbers(np.asarray(value, dtype=float), n)


def _numbers(a: np.ndarray, n: int) -> str:
    if a.ndim == 0:
        return f"{float(a) + 0.0:.{n}g}"  # + 0.0: no "-0"
    return "[" + ", ".join(_numbers(row, n) for row in a) + "]"


def differs(spec, a, b) -> bool:
    """At the precision written: do the two answers read differently?"""
    if spec.type == "expression":
        return not same_expression(a, b)
    if spec.type in ("choice", "integer"):
        return str(a) != str(b)
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return True
    return not np.allclose(a, b, rtol=1e-9, atol=1e-12)


# -- the three checks ---------------------------------------------------------------------------


class HandWork:
    """One question: the honest sheet, and the sheets of each mistake and non-answer."""

    def __init__(self, q) -> None:
        self.q = q
        self.oracle = ORACLES[q.template.id]
        self.specs = {p.name: p for p in q.parts}
        self.n = {name: figures(q, name) for name in self.specs}
        r = partial(round_sig, figures=min(self.n.values()))
        raw = self.oracle.honest(q.params, r)
        self.honest = {k: rounded(self.specs[k], v, self.n[k]) for k, v in raw.items()}
        self.right = {k: rounded(self.specs[k], v, self.n[k]) for k, v in q.expected.items()}
        self.failures: list[Failure] = []

    def fail(self, check: str, part: str, detail: str) -> None:
        self.failures.append(Failure(self.q.template.id, self.q.seed, check, part, detail))

    def sheet(self, values) -> dict[str, str]:
        return {k: write(self.specs[k], v, self.n[k]) for k, v in values.items()}

    def grade(self, check: str, values):
        try:
            return grade(self.q, self.sheet(values))
        except Exception as exc:  # a crash is reported as a failure of this check, not the run
            self.fail(check, "*", f"grading raised {type(exc).__name__}: {exc}")
            return None

    def run(self) -> list[Failure]:
        self.check_honest()
        self.catalogue = self.oracle.mistakes(self.q.params)
        for mid, (kind, parts) in self.catalogue.items():
            self.check_mistake(mid, kind, parts)
        self.check_non_answers()
        return self.failures

    def check_honest(self) -> None:
        result = self.grade("honest", self.honest)
        for name, part in (result.parts.items() if result else ()):
            if not part.correct:
                sheet = self.sheet(self.honest)
                self.fail("honest", name, f"honest {sheet[name]} rejected (right {self.q.expected[name]!r})")

    def check_mistake(self, mid: str, kind: str, parts) -> None:
        wrong = {k: rounded(self.specs[k], v, self.n[k]) for k, v in parts.items()}
        changed = {k for k, v in wrong.items() if self._finite(k, v) and self._distinct(k, v)}
        if not changed:
            return
        result = self.grade(f"{kind}:{mid}", {**self.honest, **{k: wrong[k] for k in changed}})
        if result is None:
            return
        for name in changed:
            self._judge_wrong(result.parts[name], f"{kind}:{mid}", kind, self._downstream(name, changed))

    def _judge_wrong(self, part, check: str, kind: str, downstream: bool) -> None:
        if downstream and part.correct and part.carried_forward:
            return  # right given the student's own wrong earlier part
        given = f"{part.text} (right {self.sheet(self.right)[part.name]})"
        if part.correct:
            self.fail(check, part.name, f"{given} accepted as right")
        elif part.diagnosis is None:
            self.fail(check, part.name, f"{given} not named")
        elif part.diagnosis.kind != kind and not self._also(part, part.diagnosis.kind):
            self.fail(check, part.name, f"{given} named {part.diagnosis.kind} {part.diagnosis.id}")

    def _also(self, part, kind: str) -> bool:
        """Two catalogued explanations that read the same at the stated precision: either name is fair."""
        spec, n = self.specs[part.name], self.n[part.name]
        return any(k == kind and part.name in parts and write(spec, rounded(spec, parts[part.name], n), n) == part.text
                   for k, parts in self.catalogue.values())

    def check_non_answers(self) -> None:
        for name, values in self.oracle.givens(self.q.params).items():
            for value in values:
                if self._distinct(name, rounded(self.specs[name], value, self.n[name])):
                    self._reject(name, value, "unchanged-given")
        for name, spec in self.specs.items():
            if spec.type in NUMERIC and np.any(np.asarray(self.right[name], dtype=float) != 0):
                self._reject(name, np.zeros_like(np.asarray(self.right[name], dtype=float)), "zero")

    def _reject(self, name: str, value, check: str) -> None:
        result = self.grade(check, {**self.honest, name: rounded(self.specs[name], value, self.n[name])})
        if result is not None and result.parts[name].correct:
            self.fail(check, name, f"{result.parts[name].text} accepted as right")

    def _distinct(self, name: str, value) -> bool:
        spec = self.specs[name]
        return differs(spec, value, self.right[name]) and differs(spec, value, self.honest[name])

    def _finite(self, name: str, value) -> bool:
        if self.specs[name].type in ("number", "vector", "matrix"):
            return bool(np.all(np.isfinite(np.asarray(value, dtype=float))))
        return True

    def _downstream(self, name: str, changed: set[str]) -> bool:
        """Does ``name`` depend, directly or through other parts, on another changed part?"""
        seen, todo = set(), list(self.specs[name].depends_on)
        while todo:
            dep = todo.pop()
            if dep in changed:
                return True
            if dep not in seen and dep in self.specs:
                seen.add(dep)
                todo.extend(self.specs[dep].depends_on)
        return False


def failures_for(bank, template_id: str, seeds: int) -> list[Failure]:
    out: list[Failure] = []
    for seed in range(seeds):
        out += HandWork(bank.instantiate(template_id, seed)).run()
    return out


def summary(failures: list[Failure], shown: int = 8) -> str:
    counts = Counter((f.check, f.part) for f in failures)
    lines = [f"{n:4d} × {check} on part {part}" for (check, part), n in counts.most_common()]
    return "\n".join(lines + ["examples:"] + [str(f) for f in failures[:shown]])


# -- the tests ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bank():
    return load_bank()


@pytest.mark.parametrize("template_id", [t for t in COMPUTED if t in ORACLES])
def test_hand_work_is_judged_right(bank, template_id):
    failures = failures_for(bank, template_id, N_SEEDS)
    assert not failures, f"{template_id}: {len(failures)} failures over {N_SEEDS} seeds\n{summary(failures)}"


def main(seeds: int) -> None:
    """Print the failures per template and check, and the time each template took."""
    import time

    b = load_bank()
    for tid in [t for t in COMPUTED if t in ORACLES]:
        start = time.perf_counter()
        failures = failures_for(b, tid, seeds)
        took = time.perf_counter() - start
        counts = Counter(f.check for f in failures)
        parts = ", ".join(f"{check} {n}" for check, n in counts.most_common()) or "-"
        print(f"| {tid} | {took:.1f} s | {parts} |", flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else N_SEEDS)
