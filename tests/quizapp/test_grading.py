"""Grading: tolerance and significant figures, shapes, choices, error carried forward, diagnosis.

Every wrong answer a test feeds in is what a student making that mistake would write, computed
here with NumPy from the formulas in the conventions, never taken from our solvers.
"""

from __future__ import annotations

import math
import string
from pathlib import Path

import numpy as np
import pytest

from question_bank.bank import load_bank, load_template
from question_bank.question import instantiate
from quizapp.grading import GradingError, grade

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def bank():
    return load_bank()


def vec(a) -> str:
    return "[" + ", ".join(repr(float(x)) for x in np.ravel(a)) + "]"


def mat(a) -> str:
    return "[" + ", ".join(vec(row) for row in np.asarray(a)) + "]"


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


# ----- Adam (t = 2 so that the bias correction matters) ------------------------------------------

ADAM = {"t": 2, "w": [0.5, -1.0], "g": [0.2, -0.4], "m_prev": [0.1, -0.2], "v_prev": [0.04, 0.02], "lr": 0.1}


def adam_numbers(m_override=None):
    w, g = np.array(ADAM["w"]), np.array(ADAM["g"])
    m = 0.9 * np.array(ADAM["m_prev"]) + 0.1 * g if m_override is None else np.asarray(m_override)
    v = 0.999 * np.array(ADAM["v_prev"]) + 0.001 * g**2
    t = ADAM["t"]
    w_bc = w - 0.1 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    w_plain = w - 0.1 * m / (np.sqrt(v) + 1e-8)
    return m, v, w_bc, w_plain


def test_all_right_scores_one(bank):
    q = bank.instantiate("adam-step", 0, ADAM)
    m, v, w, _ = adam_numbers()
    r = grade(q, {"m": vec(m), "v": vec(v), "w": vec(w)})
    assert r.correct and r.score == 1.0 and r.first_wrong_step is None
    assert all(p.diagnosis is None and not p.carried_forward for p in r.parts.values())


def test_error_carried_forward_credits_w_and_names_m_as_first_wrong_step(bank):
    q = bank.instantiate("adam-step", 0, ADAM)
    m_right, v, _, _ = adam_numbers()
    m_wrong = m_right + np.array([0.5, 0.3])  # one slip in m ...
    _, _, w_from_wrong_m, _ = adam_numbers(m_wrong)  # ... then w worked correctly from it
    r = grade(q, {"m": vec(m_wrong), "v": vec(v), "w": vec(w_from_wrong_m)})
    assert not r.parts["m"].correct
    assert r.parts["v"].correct and not r.parts["v"].carried_forward
    assert r.parts["w"].correct and r.parts["w"].carried_forward
    np.testing.assert_allclose(r.parts["w"].implied, w_from_wrong_m, rtol=1e-9)
    assert r.first_wrong_step == "m"
    assert r.score == pytest.approx(2 / 3) and not r.correct


def test_wrong_w_that_does_not_follow_from_the_students_m_is_not_credited(bank):
    q = bank.instantiate("adam-step", 0, ADAM)
    m_right, v, w_right, _ = adam_numbers()
    r = grade(q, {"m": vec(m_right + 0.5), "v": vec(v), "w": vec(w_right + 1.0)})
    assert not r.parts["w"].correct and not r.parts["w"].carried_forward
    assert r.first_wrong_step == "m"


def test_intermediate_steps_can_be_checked_and_lead_the_order(bank):
    q = bank.instantiate("adam-step", 0, ADAM)
    m, v, w, _ = adam_numbers()
    m_hat = m / (1 - 0.9 ** ADAM["t"])
    r = grade(q, {"w": vec(w), "m_hat": vec(m_hat * 2), "m": vec(m)})
    assert r.steps["m_hat"].is_step and not r.steps["m_hat"].correct
    assert r.order == ["m", "m_hat", "w"]
    assert r.first_wrong_step == "m_hat"
    assert r.parts["w"].correct  # right on its own terms
    assert not r.parts["v"].answered and r.parts["v"].message == "not answered"
    assert r.score == pytest.approx(2 / 3)


def test_unknown_answer_name_lists_the_valid_names(bank):
    q = bank.instantiate("adam-step", 0, ADAM)
    with pytest.raises(GradingError) as err:
        grade(q, {"mhat": "1"})
    text = str(err.value)
    assert "'mhat'" in text and "parts: m, v, w" in text and "m_hat" in text


# ----- the misconception table -----------------------------------------------------------------


def _adam_no_bias_correction():
    m, v, _, w_plain = adam_numbers()
    return "adam-step", ADAM, {"m": vec(m), "v": vec(v), "w": vec(w_plain)}, "w"


def _cross_entropy_log10():
    logits, label = np.array([2.0, 1.0, -1.0]), 1
    p = np.exp(logits) / np.exp(logits).sum()
    loss10 = float(-math.log10(p[label]))
    return "cross-entropy", {"logits": logits.tolist(), "label": label}, {"loss": repr(loss10)}, "loss"


def _hinge_delta_outside():
    s, y = np.array([3.0, 1.0, 2.5, -1.0]), 1
    others = np.delete(s, y)
    # The seeds' Σ_{j≠y} max(0, s_j - s_y) + Δ, with Δ read inside the sum (once per class j ≠ y).
    wrong = (np.maximum(0, others - s[y]) + 1.0).sum()
    return "hinge-loss", {"scores": s.tolist(), "label": y}, {"loss": repr(float(wrong))}, "loss"


def _batchnorm_unbiased_variance():
    x = np.array([[2.0, -1.0], [-2.0, 3.0], [1.0, 1.0], [3.0, 0.0]])
    mean = x.mean(axis=0)
    var_n1 = ((x - mean) ** 2).sum(axis=0) / (len(x) - 1)
    params = {"x": x.tolist(), "gamma": [1.0, 1.5], "beta": [0.0, 0.5]}
    return "batchnorm", params, {"mean": vec(mean), "var": vec(var_n1)}, "var"


def _momentum_cs231n():
    w, g, v, lr, rho = np.array([0.5, -1.0]), np.array([0.4, 0.2]), np.array([0.3, -0.6]), 0.5, 0.9
    v_cs = rho * v - lr * g  # m ← μm - αg
    params = {"w": w.tolist(), "g": g.tolist(), "v": v.tolist(), "lr": lr, "rho": rho}
    return "momentum-step", params, {"v": vec(v_cs)}, "v"


def _adagrad_no_sqrt():
    w, g, cache, lr = np.array([1.0, -1.0]), np.array([2.0, -1.0]), np.array([5.0, 3.0]), 0.5
    c = cache + g**2
    wrong = w - lr * g / (c + 0.1)  # ε = 0.1 added to the cache itself, no root
    params = {"w": w.tolist(), "g": g.tolist(), "cache": cache.tolist(), "lr": lr, "eps": 0.1}
    return "adagrad-step", params, {"cache": vec(c), "w": vec(wrong)}, "w"


def _dropout_p_as_keep():
    x, mask, p = np.array([1.0, -2.0, 0.5, 3.0]), np.array([1, 0, 1, 1]), 0.2
    keep_reading = x * mask / p  # p read as the keep probability
    return "dropout", {"x": x.tolist(), "mask": mask.tolist(), "p": p}, {"out": vec(keep_reading)}, "out"


def _sigmoid_derivative_of_input():
    x = 2.0
    s = 1 / (1 + math.exp(-x))
    of_input = float(x * (1 - x))  # σ(1 - σ) with x put where σ(x) belongs
    return "activation", {"fn": "sigmoid", "x": x}, {"value": repr(s), "derivative": repr(of_input)}, "derivative"


def _neuron_without_sigmoid_derivative():
    p = {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}
    f = 1 / (1 + math.exp(-(p["w0"] * p["x0"] + p["w1"] * p["x1"] + p["w2"])))
    return "backprop-sigmoid-neuron", p, {"value": repr(f), "grad_w0": repr(float(p["x0"]))}, "grad_w0"


def _rmsprop_eps_inside():
    w, g, cache = np.array([0.1, 0.9]), np.array([1.7, -1.9]), np.array([0.3, 0.5])
    c = 0.9 * cache + 0.1 * g**2
    wrong = w - 0.1 * g / np.sqrt(c + 0.5)
    return "test-rmsprop-eps", {"w": w.tolist(), "g": g.tolist(), "cache": cache.tolist()}, \
        {"cache": vec(c), "w": vec(wrong)}, "w"


MISCONCEPTIONS = [
    (_adam_no_bias_correction, "no-bias-correction", "convention"),  # conventions.md's Adam alternative
    (_cross_entropy_log10, "log10", "mistake"),
    (_hinge_delta_outside, "delta-outside-per-class", "mistake"),
    (_batchnorm_unbiased_variance, "unbiased-variance", "mistake"),
    (_momentum_cs231n, "cs231n-form", "convention"),
    (_adagrad_no_sqrt, "no-sqrt", "mistake"),
    (_dropout_p_as_keep, "p-is-keep", "convention"),  # the issue: "dropout's p as the keep probability"
    (_sigmoid_derivative_of_input, "derivative-of-input", "mistake"),
    (_neuron_without_sigmoid_derivative, "no-sigmoid-derivative", "mistake"),
    (_rmsprop_eps_inside, "eps-inside-root", "convention"),
]


def _question(bank, template_id, params):
    if template_id.startswith("test-"):
        return instantiate(load_template(DATA / f"{template_id}.yaml"), 0, params)
    return bank.instantiate(template_id, 0, params)


@pytest.mark.parametrize(("case", "mid", "kind"), MISCONCEPTIONS, ids=[m[1] for m in MISCONCEPTIONS])
def test_misconception_is_diagnosed_from_the_answer_it_gives(bank, case, mid, kind):
    template_id, params, answers, part = case()
    q = _question(bank, template_id, params)
    r = grade(q, answers)
    res = r.parts[part]
    assert not res.correct, "a misconception's answer never counts as right"
    assert res.diagnosis is not None, f"{part} = {answers[part]} not diagnosed"
    assert (res.diagnosis.id, res.diagnosis.kind) == (mid, kind)
    others = [p for name, p in r.parts.items() if name != part and p.answered]
    assert all(p.correct for p in others), "the parts the misconception does not touch are right"
    if kind == "convention":
        assert "right" in res.diagnosis.message and "assumes" in res.diagnosis.message


def test_sign_error_whole_and_per_entry(bank):
    logits, label = np.array([2.0, 1.0, -1.0]), 0
    p = np.exp(logits) / np.exp(logits).sum()
    grad = p - np.eye(3)[label]
    q = bank.instantiate("cross-entropy", 0, {"logits": logits.tolist(), "label": label})
    r = grade(q, {"grad": vec(-grad)})
    assert r.parts["grad"].diagnosis.id == "sign-error"
    flipped = grad.copy()
    flipped[1] *= -1
    r = grade(q, {"grad": vec(flipped)})
    d = r.parts["grad"].diagnosis
    assert d.id == "sign-error" and "entry 2" in d.message


def test_a_wrong_answer_that_matches_nothing_has_no_diagnosis(bank):
    q = bank.instantiate("cross-entropy", 0, {"logits": [2.0, 1.0, -1.0], "label": 0})
    r = grade(q, {"loss": "12.5"})
    assert not r.parts["loss"].correct and r.parts["loss"].diagnosis is None


# ----- error carried forward through batch norm and a backprop graph -----------------------------


def test_batchnorm_var_and_out_follow_a_wrong_mean(bank):
    x = np.array([[2.0, -1.0], [-2.0, 3.0], [1.0, 1.0], [3.0, 0.0]])
    gamma, beta, eps = np.array([1.0, 1.5]), np.array([0.0, 0.5]), 1e-5
    mean_wrong = x.mean(axis=0) + np.array([1.0, 0.0])
    var_from_it = ((x - mean_wrong) ** 2).mean(axis=0)
    out_from_them = gamma * (x - mean_wrong) / np.sqrt(var_from_it + eps) + beta
    q = bank.instantiate("batchnorm", 0, {"x": x.tolist(), "gamma": gamma.tolist(), "beta": beta.tolist()})
    r = grade(q, {"mean": vec(mean_wrong), "var": vec(var_from_it), "out": mat(out_from_them)})
    assert not r.parts["mean"].correct
    assert r.parts["var"].correct and r.parts["var"].carried_forward
    assert r.parts["out"].correct and r.parts["out"].carried_forward
    assert r.first_wrong_step == "mean" and r.score == pytest.approx(2 / 3)


def test_backprop_nodes_carry_forward_and_the_seed_example_checks(bank):
    q = bank.instantiate("backprop-sum-product", 0, {"x": -2, "y": 5, "z": -4})
    right = grade(q, {"value": "-12", "grad_x": "-4", "grad_y": "-4", "grad_z": "3"})  # seed 003
    assert right.correct and right.score == 1.0
    # q = x + y slipped to 4; f = q·z = -16 and ∂f/∂z = q = 4 follow from it.
    r = grade(q, {"n1": "4", "value": "-16", "grad_z": "4", "grad_x": "-4"})
    assert not r.steps["n1"].correct
    assert r.parts["value"].carried_forward and r.parts["grad_z"].carried_forward
    assert r.parts["grad_x"].correct and not r.parts["grad_x"].carried_forward
    assert r.first_wrong_step == "n1"


def test_sigmoid_neuron_of_the_seed_checks_to_three_significant_figures(bank):
    torch = pytest.importorskip("torch")
    vals = {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in vals.items()}
    f = torch.sigmoid(t["w0"] * t["x0"] + t["w1"] * t["x1"] + t["w2"])
    f.backward()
    answers = {"value": f"{f.item():.3g}", **{f"grad_{k}": f"{t[k].grad.item():.3g}" for k in vals}}
    q = bank.instantiate("backprop-sigmoid-neuron", 0, vals)
    r = grade(q, answers)
    assert r.correct, {k: p.to_dict() for k, p in r.parts.items() if not p.correct}


# ----- tolerance, significant figures, shapes, reading -----------------------------------------


@pytest.mark.parametrize(("text", "ok"), [
    ("0.731", True), ("0.7311", True), ("0.73106", True), ("1/(1+e^-1)", True), ("sigmoid(1)", True),
    ("0.7312", True), ("0.73", True), ("0.732", True), ("0.734", False), ("0.728", False), ("0.7", False),
])
def test_significant_figures_rounding_is_never_rejected(text, ok):
    # σ(1) = 1/(1 + e^-1) = 0.7310586. Honest work at 3 significant figures writes e^-1 = 0.368,
    # 1 + 0.368 = 1.37 and 1/1.37 = 0.730 (or keeps 1.368: 0.731): everything within about 0.0017 of
    # σ(1) is what such work explains; 0.734 and 0.728 are not.
    q = instantiate(load_template(DATA / "test-sigfigs.yaml"), 0)
    assert q.expected["p"] == pytest.approx(1 / (1 + math.exp(-1)), rel=1e-12)
    assert grade(q, {"p": text}).parts["p"].correct is ok


def test_default_tolerance_is_three_significant_figures(bank):
    q = bank.instantiate("cross-entropy", 0, {"logits": [2.0, 1.0, -1.0], "label": 1})
    p = np.exp([2.0, 1.0, -1.0]) / np.exp([2.0, 1.0, -1.0]).sum()
    loss = -math.log(p[1])
    assert grade(q, {"loss": f"{loss:.3g}"}).parts["loss"].correct
    assert not grade(q, {"loss": f"{loss * 1.01:.4g}"}).parts["loss"].correct


def test_wrong_shape_gets_a_clear_message_and_no_credit(bank):
    q = bank.instantiate("adam-step", 0, ADAM)
    r = grade(q, {"m": "[1, 2, 3]"})
    assert not r.parts["m"].correct
    assert r.parts["m"].message == "wrong shape: expected 2 entries, got 3 entries"
    q = bank.instantiate("batchnorm", 0, {"x": [[1, 2], [3, 4], [5, 7]], "gamma": [1, 1], "beta": [0, 0]})
    r = grade(q, {"out": "[[1, 2, 3], [4, 5, 6]]"})
    assert r.parts["out"].message == "wrong shape: expected a 3×2 matrix, got a 2×3 matrix"


def test_unreadable_answer_points_at_the_character(bank):
    q = bank.instantiate("cross-entropy", 0, {"logits": [2.0, 1.0, -1.0], "label": 1})
    res = grade(q, {"loss": "1.2 */ 3"}).parts["loss"]
    assert not res.correct and res.given is None
    lines = res.message.splitlines()
    assert lines[-1].index("^") - 2 == lines[-2].index("/") - 2  # caret under the '/'


def test_choice_by_letter_by_text_and_by_id(bank):
    q = bank.instantiate("concept-adam-bias", 5)
    part = q.template.part("answer")
    shown = q.options(part)
    letter, right = next((lt, o) for lt, o in shown if o.correct)
    wrong_letter = next(lt for lt, o in shown if not o.correct)
    for text in (letter, letter.lower(), f"({letter.lower()})", right.text.upper(), right.id):
        assert grade(q, {"answer": text}).correct, text
    wrong = grade(q, {"answer": wrong_letter}).parts["answer"]
    chosen = next(o for lt, o in shown if lt == wrong_letter)
    assert not wrong.correct and wrong.given == chosen.id
    assert wrong.diagnosis.id == chosen.id and wrong.diagnosis.message == chosen.why  # why it is wrong
    missing = string.ascii_uppercase[len(shown)]
    res = grade(q, {"answer": missing}).parts["answer"]
    assert not res.correct and "no option" in res.message


def test_to_dict_follows_the_documented_contract(bank):
    import json

    q = bank.instantiate("momentum-step", 0, {"w": [0.5, -1.0], "g": [0.4, 0.2], "v": [0.3, -0.6],
                                              "lr": 0.5, "rho": 0.9})
    d = json.loads(json.dumps(grade(q, {"v": "[1, 2]"}).to_dict()))
    assert {"correct", "score", "parts", "steps", "first_wrong_step"} <= set(d)
    assert set(d["parts"]) == {"v", "w"}
    assert {"correct", "expected", "given", "diagnosis"} <= set(d["parts"]["v"])
    assert d["parts"]["v"]["given"] == [1.0, 2.0] and d["parts"]["w"]["given"] is None
    assert d["score"] == 0.0 and d["correct"] is False


def test_percentages_count_only_where_a_part_allows_them(bank):
    # σ(0.5·2 + (-1)·1 + 0.4) = σ(0.4), worked with math rather than our solver
    p = 1 / (1 + math.exp(-0.4))
    q = _question(bank, "logistic-regression", {"w": [0.5, -1.0], "b": 0.4, "x": [2.0, 1.0]})
    assert grade(q, {"p": f"{100 * p:.1f}%"}).parts["p"].correct
    sgd = _question(bank, "sgd-step", {"w": [1.0], "g": [0.5], "lr": 0.1})
    result = grade(sgd, {"w": "95%"}).parts["w"]
    assert not result.correct and "%" in result.message
