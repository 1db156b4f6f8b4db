"""Parameters from a seed: reproducible, exact decimals, conditions honoured, clear failures."""

from __future__ import annotations

import hashlib
import random

import pytest

from question_bank.bank import load_template
from question_bank.loader import TemplateError
from question_bank.sampler import draw_params, rng_for, sample
from tests.question_bank.conftest import AFFINE

SPECS = """\
id: test-specs
title: Specs
topic: test
difficulty: 1
params:
  n: {kind: int, low: 2, high: 4}
  x: {kind: decimal, low: -1, high: 1, decimals: 2, exclude: [0, 0.5]}
  v: {kind: vector, size: n, low: -3, high: 3, distinct: true}
  M: {kind: matrix, shape: [2, n], low: 0, high: 1, decimals: 1, nonzero: true}
  c: {kind: choice, options: [red, green, [1, 2]]}
  s: {kind: sample, from: [a, b, c, d], size: 3}
  d: {kind: derived, expr: "sum(v) * 2 + n", decimals: 0}
  f: 0.25
prompt: "{n} {x} {v} {M} {c} {s} {d} {f}"
parts:
  - {name: answer, type: choice, options: [{id: a, text: A, correct: true, why: w}, {id: b, text: B, why: w}]}
hints: ["h"]
"""


@pytest.fixture
def specs(write):
    return load_template(write(SPECS))


def test_seed_hash_is_sha256_of_id_and_seed():
    digest = hashlib.sha256(b"some-id\x0042\x00").digest()
    expected = random.Random(int.from_bytes(digest[:16], "little")).random()
    assert rng_for("some-id", 42).random() == expected


def test_same_seed_same_params_other_seed_other_params(specs):
    runs = [sample(specs, 7)[0] for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]
    others = {repr(sample(specs, s)[0]) for s in range(20)}
    assert len(others) == 20


def test_kinds_and_per_parameter_conditions(specs):
    for seed in range(300):
        p, _ = sample(specs, seed)
        n = p["n"]
        assert isinstance(n, int) and 2 <= n <= 4
        assert -1 <= p["x"] <= 1 and p["x"] not in (0, 0.5)
        assert round(p["x"], 2) == p["x"] and len(repr(p["x"]).split(".")[-1]) <= 2
        assert len(p["v"]) == n and len(set(p["v"])) == n and all(isinstance(e, int) for e in p["v"])
        assert len(p["M"]) == 2 and all(len(r) == n for r in p["M"])
        assert all(e in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0) for r in p["M"] for e in r)
        assert p["c"] in ("red", "green", [1, 2])
        assert len(p["s"]) == 3 and len(set(p["s"])) == 3 and set(p["s"]) <= set("abcd")
        assert p["d"] == sum(p["v"]) * 2 + n and isinstance(p["d"], int)
        assert p["f"] == 0.25


def test_given_params_win_and_derived_follow(specs):
    p, _ = sample(specs, 3, {"n": 2, "v": [1, 5]})
    assert p["n"] == 2 and p["v"] == [1, 5] and p["d"] == 14
    assert len(p["M"][0]) == 2


def test_unknown_given_param(specs):
    with pytest.raises(ValueError, match="no parameter 'zz'"):
        sample(specs, 1, {"zz": 1})


def test_template_constraints_are_met(write):
    text = AFFINE.replace("prompt:", 'constraints:\n  - "a + b > 3"\n  - nonzero: minus_b\nprompt:')
    t = load_template(write(text))
    for seed in range(100):
        p, _ = sample(t, seed)
        assert p["a"] + p["b"] > 3


def test_impossible_template_constraint_names_template_and_constraint(write):
    text = AFFINE.replace("prompt:", 'constraints:\n  - expr: "a > 10"\n    message: "a is huge"\nprompt:')
    path = write(text)
    t = load_template(path)
    with pytest.raises(TemplateError) as info:
        sample(t, 0)
    err = info.value
    assert err.file == str(path) and err.line == 14 and err.field == "constraints[0]"
    assert "'test-affine'" in err.message and "a is huge" in err.message


def test_impossible_parameter_condition_names_the_parameter(write):
    path = write(AFFINE.replace("low: 1, high: 5}", "low: 0, high: 0, nonzero: true}"))
    with pytest.raises(TemplateError) as info:
        sample(load_template(path), 0)
    assert info.value.field == "params.b" and info.value.line == 10 and "nonzero" in info.value.message


def test_draw_params_is_a_single_pass(specs):
    first = draw_params(specs, rng_for(specs.id, 5))
    again = draw_params(specs, rng_for(specs.id, 5))
    assert first == again
