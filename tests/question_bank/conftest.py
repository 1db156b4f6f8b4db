"""A tiny solver and template writer for the engine tests (independent of the course solvers)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from solvers.registry import get, solver
from solvers.steps import Recorder, Solution


def _qb_test_affine(
    a: float, b: float, scale: float = 1.0, sign: float = 1.0, overrides: dict[str, Any] | None = None
) -> Solution:
    """{total, scaled}: total = a + sign·b, scaled = scale·total."""
    rec = Recorder(overrides)
    total = rec.step("total", "sum", "{a} + {b}", a + sign * b, a=a, b=b)
    scaled = rec.step("scaled", "scaled", "{scale} · {total}", scale * total, scale=scale, total=total)
    return rec.solution(total=float(total), scaled=float(scaled))


def _qb_test_vec(x: Any, overrides: dict[str, Any] | None = None) -> Solution:
    """{double}: 2x as a vector, and {kind} as a choice."""
    import numpy as np

    rec = Recorder(overrides)
    double = rec.step("double", "twice x", "2 · {x}", 2 * np.asarray(x, dtype=float), x=np.asarray(x))
    kind = rec.note("kind", "sign of the sum", "positive" if double.sum() > 0 else "other")
    return rec.solution(double=double, kind=kind)


for _name, _fn in (("_qb_test_affine", _qb_test_affine), ("_qb_test_vec", _qb_test_vec)):
    try:
        get(_name)
    except ValueError:
        solver(_name)(_fn)


AFFINE = """\
id: test-affine
title: Add two numbers
topic: test
difficulty: 1
tags: [test]
conventions:
  - "Scale is {scale}."
params:
  a: {kind: decimal, low: -2, high: 2, decimals: 1, nonzero: true}
  b: {kind: int, low: 1, high: 5}
  scale: 2
  minus_b: {kind: derived, expr: "-b"}
prompt: |
  Compute {a} + {b}, then scale it.
parts:
  - name: total
    type: number
    label: "a + b"
  - name: scaled
    type: number
    depends_on: [total]
solver:
  name: _qb_test_affine
  args: {scale: $scale}
misconceptions:
  - id: subtract
    kind: mistake
    message: "You subtracted."
    args: {b: $minus_b}
hints:
  - "Add them."
  - "{a} + {b} = {total}"
"""


@pytest.fixture
def write(tmp_path: Path):
    """write(text, name) -> path of a template file under a fresh folder."""

    def _write(text: str, name: str = "t.yaml", folder: str = "bank") -> Path:
        path = tmp_path / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return _write
