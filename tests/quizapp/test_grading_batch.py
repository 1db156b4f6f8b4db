"""Reading parameters as people write them, batch lines, and the class report."""

from __future__ import annotations

import json

import pytest

from question_bank.bank import load_bank
from quizapp.grading import grade
from quizapp.grading.params import missing_params, read_params, split_assignment
from quizapp.grading.report import class_report
from quizapp.study.requests import check_request, question_for, run_batch, solve_request, split_id


@pytest.fixture(scope="module")
def bank():
    return load_bank()


def test_params_are_read_by_kind(bank):
    t = bank.get("knn")
    got = read_params(t, {"train_x": "1 2; 3 4; 0 1", "train_y": "[0, 1, 1]", "query": "(1; 2)", "k": "3",
                          "metric": "L1"})
    assert got == {"train_x": [[1, 2], [3, 4], [0, 1]], "train_y": [0, 1, 1], "query": [1, 2], "k": 3,
                   "metric": "l1"}
    assert read_params(bank.get("momentum-step"), {"lr": "1/2"}) == {"lr": 0.5}
    assert read_params(bank.get("momentum-step"), {"w": [1, 2]}) == {"w": [1, 2]}  # JSON values as they are


@pytest.mark.parametrize(("template", "given", "message"), [
    ("knn", {"metric": "cosine"}, "'cosine' is not one of: l1, l2"),
    ("knn", {"k": "2.5"}, "parameter k: expected a whole number"),
    ("knn", {"kk": "2"}, "has no parameter 'kk'"),
    ("momentum-step", {"w": "[1, 2"}, "parameter w:"),
])
def test_bad_params_name_the_problem(bank, template, given, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace("[", r"\[")):
        read_params(bank.get(template), given)


def test_only_parameters_the_solver_needs_are_required(bank):
    adam = bank.get("adam-step")
    assert set(missing_params(adam, [])) == {"t", "w", "g", "m_prev", "v_prev", "lr"}
    # m and v given directly: the values they are derived from are no longer needed
    assert set(missing_params(adam, ["m", "v"])) == {"t", "w", "g", "lr"}
    assert missing_params(bank.get("concept-adam-bias"), []) == []


def test_split_assignment_and_ids():
    assert split_assignment("w=[1, -2]", "--set") == ("w", "[1, -2]")
    assert split_assignment("x = -2", "--at") == ("x", " -2")
    with pytest.raises(ValueError, match="--set expects NAME=VALUE"):
        split_assignment("w", "--set")
    assert split_id("adam-step:42") == ("adam-step", 42)
    with pytest.raises(ValueError, match="seed number"):
        split_id("adam-step:x")


def test_check_needs_the_numbers_or_a_seed(bank):
    with pytest.raises(ValueError, match=r"--set g=\.\.\..*or its seed"):
        question_for(bank, "momentum-step", None, {"w": "[1, 2]"}, require_all=True)
    assert question_for(bank, "momentum-step:7", None, {}, require_all=True).seed == 7


def test_unknown_template_suggests_close_ids(bank):
    with pytest.raises(ValueError, match="did you mean adam-step"):
        question_for(bank, "adam-stp", 1, {})


def test_batch_goes_on_after_bad_lines(bank):
    good = {"template": "sgd-step", "params": {"w": [1.0], "g": [2.0], "lr": 0.1}, "answer": {"w": "[0.8]"},
            "student": "s1"}
    lines = [json.dumps(good), "{not json", "", json.dumps([1, 2]), json.dumps({"template": "sgd-step"}),
             json.dumps({**good, "answer": {"w": "[0.5]"}})]
    results = list(run_batch(lines, lambda d: check_request(bank, d, None).to_dict()))
    assert [r["line"] for r in results] == [1, 2, 4, 5, 6]  # blank line 3 skipped, numbering kept
    assert results[0]["correct"] is True and results[0]["student"] == "s1"
    assert results[1]["error"].startswith("not valid JSON")
    assert "JSON object" in results[2]["error"]
    assert results[3]["error"] == "missing 'answer'"
    assert results[4]["correct"] is False


def test_solve_request_matches_the_contract(bank):
    d = solve_request(bank, {"template": "sgd-step", "params": {"w": [1.0], "g": [2.0], "lr": 0.1}}, 4)
    assert set(d) == {"template", "seed", "params", "answer", "steps"}
    assert d["seed"] == 4 and d["answer"]["w"] == pytest.approx([0.8])


def test_class_report_counts_students_and_mistakes(bank):
    q = bank.instantiate("momentum-step", 0, {"w": [0.5, -1.0], "g": [0.4, 0.2], "v": [0.3, -0.6], "lr": 0.5,
                                              "rho": 0.9})
    # v = ρv + g = [0.67, -0.34]; cs231n: ρv - αg = [0.07, -0.64]; w = w - αv = [0.165, -0.83]
    sheets = [
        {"v": "[0.67, -0.34]", "w": "[0.165, -0.83]"},
        {"v": "[0.07, -0.64]", "w": "[0.165, -0.83]"},
        {"v": "[0.07, -0.64]"},
        {"v": "[-0.67, 0.34]", "w": "[0.165, -0.83]"},
    ]
    results = [grade(q, s) for s in sheets]
    (rep,) = class_report(results)
    assert (rep.template, rep.graded, rep.correct) == ("momentum-step", 4, 1)
    assert rep.share_correct == 0.25
    assert rep.mean_score == pytest.approx((1 + 0.5 + 0 + 0.5) / 4)
    assert rep.common_diagnoses() == [("cs231n-form", "convention", 2), ("sign-error", "mistake", 1)]
    assert rep.common_first_wrong() == [("v", 3)]
