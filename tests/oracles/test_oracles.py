"""The oracles with r = identity reproduce the bank's answers: a cross-check of oracles and solvers.

Every computed template (one with a ``solver:``) must have an oracle, and over many seeds its
honest hand work, with nothing rounded, must equal ``q.expected`` to 1e-9 relative.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from question_bank.bank import load_bank
from tests.oracles import COMPUTED, ORACLES, identity
from tests.oracles.symbolic import same_expression

SEEDS = 200


@pytest.fixture(scope="module")
def bank():
    return load_bank()


def same(got, want) -> bool:
    if isinstance(want, str) and not isinstance(got, str):  # an expression part
        return same_expression(got, want)
    if isinstance(want, str):
        return got == want
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    return got.shape == want.shape and np.allclose(got, want, rtol=1e-9, atol=1e-12)


def test_every_computed_template_has_an_oracle():
    assert len(COMPUTED) >= 40
    missing = [t for t in COMPUTED if t not in ORACLES or ORACLES[t].honest is None]
    assert not missing, f"no oracle for {missing}"


@pytest.mark.parametrize("template_id", [t for t in COMPUTED if t in ORACLES])
def test_unrounded_hand_work_reproduces_the_bank(bank, template_id):
    oracle = ORACLES[template_id]
    for seed in range(SEEDS):
        q = bank.instantiate(template_id, seed)
        got = oracle.honest(q.params, identity)
        assert set(got) == set(q.expected), f"{template_id}:{seed} parts {sorted(got)} vs {sorted(q.expected)}"
        for part, want in q.expected.items():
            assert same(got[part], want), f"{template_id}:{seed} part {part}: oracle {got[part]!r}, bank {want!r}"


@pytest.mark.parametrize("template_id", [t for t in COMPUTED if t in ORACLES])
def test_mistakes_name_real_parts_with_a_kind(bank, template_id):
    oracle = ORACLES[template_id]
    for seed in range(20):
        q = bank.instantiate(template_id, seed)
        for mid, (kind, parts) in oracle.mistakes(q.params).items():
            assert kind in ("mistake", "convention"), f"{template_id}:{seed} {mid}"
            assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9.]+)*", mid), mid
            assert parts and set(parts) <= set(q.expected), f"{template_id}:{seed} {mid} parts {sorted(parts)}"
