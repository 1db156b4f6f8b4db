"""Diagnosis on the whole sheet (issue 12): the numbers are worked by hand here, never by our solvers.

- A later part worked correctly from a wrong earlier part is right given that part, and the
  mistake behind the earlier part is still named.
- Writing down more correct working never turns a right diagnosis into a wrong one.
- The coverage audit names each catalogued mistake on the variants where it applies.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

from question_bank.bank import load_bank
from quizapp.grading import grade
from quizapp.grading.audit import audit


@pytest.fixture(scope="module")
def bank():
    return load_bank(environ={})


def vec(values) -> str:
    return "[" + ", ".join(f"{v:.4g}" for v in values) + "]"


# RMSProp by hand: w = [1.5, -0.5], g = [2, -1], cache = [0.4, 1.0], β = 0.9, α = 0.1, ε = 0.1.
W, G, CACHE, BETA, LR, EPS = np.array([1.5, -0.5]), np.array([2.0, -1.0]), np.array([0.4, 1.0]), 0.9, 0.1, 0.1
RMSPROP = {"w": "[1.5, -0.5]", "g": "[2, -1]", "cache": "[0.4, 1]", "decay": "0.9", "lr": "0.1", "eps": "0.1"}


def rmsprop_question(bank):
    return bank.instantiate("rmsprop-step", 0, {k: json.loads(v) if v.startswith("[") else float(v)
                                                 for k, v in RMSPROP.items()})


def test_a_later_part_worked_from_a_wrong_cache_is_right_given_it_and_the_cache_mistake_is_named(bank):
    q = rmsprop_question(bank)
    wrong_cache = BETA * CACHE + G**2  # the (1 - β) forgotten: [4.36, 1.9]
    w_from_it = W - LR * G / (np.sqrt(wrong_cache) + EPS)
    r = grade(q, {"cache": vec(wrong_cache), "w": vec(w_from_it)})
    assert not r.parts["cache"].correct
    assert r.parts["cache"].diagnosis is not None and r.parts["cache"].diagnosis.id == "no-one-minus-beta"
    assert r.parts["w"].correct and r.parts["w"].carried_forward
    assert r.first_wrong_step == "cache"


def test_the_right_sheet_has_no_diagnosis(bank):
    q = rmsprop_question(bank)
    cache = BETA * CACHE + (1 - BETA) * G**2
    w = W - LR * G / (np.sqrt(cache) + EPS)
    r = grade(q, {"cache": vec(cache), "w": vec(w)})
    assert r.correct and all(p.diagnosis is None for p in r.parts.values())


ADAMW = {"t": 2, "w": [1.2, -0.8], "g": [0.5, -1.5], "m_prev": [0.1, 0.1], "v_prev": [0.02, 0.02],
         "lr": 0.1, "weight_decay": 0.5}


def adamw_by_hand(decay: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    w, g = np.array(ADAMW["w"]), np.array(ADAMW["g"])
    m = 0.9 * np.array(ADAMW["m_prev"]) + 0.1 * g  # step t = 2 from the moments after step 1
    v = 0.999 * np.array(ADAMW["v_prev"]) + 0.001 * g**2
    m_hat, v_hat = m / (1 - 0.9**2), v / (1 - 0.999**2)
    start = w * (1 - 0.1 * 0.5) if decay else w
    return m, v, start - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8)


def test_more_correct_working_never_turns_a_right_diagnosis_into_a_wrong_one(bank):
    q = bank.instantiate("adamw-step", 0, ADAMW)
    m, v, plain_adam = adamw_by_hand(decay=False)
    alone = grade(q, {"w": vec(plain_adam)}).parts["w"].diagnosis
    with_working = grade(q, {"m": vec(m), "v": f"[{v[0]:.4g}, {v[1]:.4g}]", "w": vec(plain_adam)})
    assert alone is not None and alone.id == "no-decay"
    assert with_working.parts["m"].correct and with_working.parts["v"].correct
    assert with_working.parts["w"].diagnosis is not None and with_working.parts["w"].diagnosis.id == "no-decay"
    # ... and the right AdamW step is right
    assert grade(q, {"w": vec(adamw_by_hand(decay=True)[2])}).parts["w"].correct


def test_a_step_never_taken_is_named_whatever_the_learning_rate(bank):
    # PyTorch's default lr = 1e-3: the step is tiny, so the question asks for more figures
    q = bank.instantiate("adam-step", 0, {"t": 1, "w": [0.8, 1.5], "g": [1.5, 1.3], "m_prev": [0.1, -0.2],
                                         "v_prev": [0.03, 0.05], "lr": 0.001})
    assert q.sigfigs() > 3 and str(q.sigfigs()) in q.precision_text()
    r = grade(q, {"w": "[0.8, 1.5]"})
    assert not r.parts["w"].correct and r.parts["w"].diagnosis.id == "unchanged"
    step = 0.001 * np.sign([1.5, 1.3])  # first Adam step: about α·sign(g)
    right = np.array([0.8, 1.5]) - step
    assert grade(q, {"w": "[" + ", ".join(f"{x:.{q.sigfigs()}g}" for x in right) + "]"}).parts["w"].correct


def test_checking_one_part_judges_that_part(bank):
    q = bank.instantiate("adamw-step", 0, ADAMW)
    r = grade(q, {"w": vec(adamw_by_hand(decay=True)[2])})
    assert r.checked == ["w"] and set(r.not_checked) == {"m", "v"}
    assert r.checked_correct and r.checked_score == 1.0 and not r.correct
    data = r.to_dict()
    assert data["correct"] is True and data["checked"] == ["w"] and data["score"] == 1.0


def test_blank_and_unreadable_answers_are_handed_back_not_graded(bank):
    q = rmsprop_question(bank)
    r = grade(q, {"cache": "[4.3, ", "w": "   "})
    assert r.parts["cache"].handed_back and r.parts["cache"].status == "unreadable" and r.parts["cache"].message
    assert r.parts["w"].handed_back and r.parts["w"].status == "blank"
    assert r.checked == [] and r.first_wrong_step is None


def test_percentages_are_read_for_probabilities(bank):
    q = bank.instantiate("softmax", 0, {"logits": [2.0, 1.0, -1.0]})
    p = np.exp([2.0, 1.0, -1.0]) / np.exp([2.0, 1.0, -1.0]).sum()
    text = " ".join(f"{100 * x:.3g}%" for x in p)  # "70.5% 25.9% 3.51%"
    assert grade(q, {"probs": text}).parts["probs"].correct
    assert grade(q, {"probs": f"{100 * p[0]:.3g}% 0.259 0.0351"}).parts["probs"].handed_back  # some, not all


def test_the_audit_names_each_catalogued_mistake_where_it_applies(bank):
    report = audit(bank.templates["rmsprop-step"], seeds=8)
    named = {c.id: c for c in report.named}
    assert {"no-one-minus-beta", "no-square-root", "pytorch-alpha-0.99", "eps-inside-root"} <= set(named)
    for c in named.values():
        assert c.applies > 0 and c.fired == c.applies, c


def test_audit_command_prints_the_coverage():
    done = subprocess.run([sys.executable, "-m", "quizapp", "audit", "sgd-step", "--seeds", "3", "--json"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["templates"][0]["template"] == "sgd-step" and data["generic"]
    assert all(math.isclose(c["share"], 1.0) for c in data["templates"][0]["named"] if c["applies"])
