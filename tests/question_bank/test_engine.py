"""Question, bank and lint on a tiny test solver (the course solvers are tested elsewhere)."""

from __future__ import annotations

import numpy as np
import pytest

from question_bank.bank import load_bank, load_template
from question_bank.lint import lint
from question_bank.loader import TemplateError
from question_bank.question import instantiate
from tests.question_bank.conftest import AFFINE

CONCEPT = """\
id: test-concept
title: A concept
topic: test
difficulty: 1
prompt: Which one?
parts:
  - name: answer
    type: choice
    options:
      - {id: right, text: "The right one", correct: true, why: "because"}
      - {id: wrong1, text: "A wrong one", why: "no"}
      - {id: wrong2, text: "Another wrong one", why: "no either"}
hints: ["Think about it."]
"""


@pytest.fixture
def affine(write):
    return load_template(write(AFFINE))


def test_question_answers_text_and_hints(affine):
    q = instantiate(affine, 5)
    a, b = q.params["a"], q.params["b"]
    assert q.id == "test-affine:5"
    assert q.expected == {"total": pytest.approx(a + b), "scaled": pytest.approx(2 * (a + b))}
    assert isinstance(q.expected["total"], float)
    assert q.conventions == ["Scale is 2."]
    text = q.text()
    assert text.startswith("Add two numbers\n")
    assert "(a) a + b" in text and "(b) scaled" in text
    assert f"Compute {q.params['a']:g} + {b}" in text
    hints = q.hints()
    assert hints[0] == "Add them."
    assert hints[1].endswith(f"= {a + b:g}")


def test_misconception_answers(affine):
    q = instantiate(affine, 5)
    res = q.misconception_answers()["subtract"]
    a, b = q.params["a"], q.params["b"]
    assert res.error is None and res.recognisable
    assert res.answers["total"] == pytest.approx(a - b)
    assert res.distinct == {"total": True, "scaled": True}


def test_error_carried_forward(affine):
    q = instantiate(affine, 5)
    sol, expected = q.solve_with({"total": 10.0})
    assert expected["scaled"] == 20.0
    assert sol.step("total").given


def test_given_params(write):
    t = load_template(write(AFFINE))
    q = instantiate(t, 1, {"a": 1.5, "b": 2})
    assert q.expected["total"] == 3.5


def test_concept_options_are_shuffled_per_seed_and_letters_map_to_ids(write):
    t = load_template(write(CONCEPT))
    orders = {tuple(o.id for _, o in instantiate(t, s).options("answer")) for s in range(30)}
    assert len(orders) > 1
    q = instantiate(t, 3)
    assert q.expected == {"answer": "right"}
    letter = next(letter for letter, o in q.options("answer") if o.id == "right")
    assert q.option_id("answer", letter.lower()) == "right"
    assert q.option_id("answer", "right") == "right"
    assert q.option_id("answer", "Z") is None
    assert f"  {letter}) The right one" in q.text()


def test_bank_folders_env_and_duplicates(write, tmp_path):
    first = write(AFFINE, "a.yaml", "one")
    write(CONCEPT, "c.yml", "two/sub")
    bank = load_bank([first.parent], environ={"QUIZAPP_BANK": str(tmp_path / "two")}, builtin=False)
    assert bank.ids() == ["test-affine", "test-concept"]
    assert list(bank.topics()) == ["test"]
    assert bank.instantiate("test-concept", 1).expected == {"answer": "right"}
    with pytest.raises(KeyError, match="no template 'nope'"):
        bank.get("nope")
    second = write(AFFINE, "again.yaml", "three")
    with pytest.raises(TemplateError) as info:
        load_bank([first.parent, second.parent], environ={}, builtin=False, skip_broken=False)
    assert str(first) in str(info.value) and str(second) in str(info.value)


def test_skip_broken_keeps_the_good_templates(write):
    write(AFFINE, "good.yaml")
    bad = write("id: [broken\n", "bad.yaml")
    bank = load_bank([bad.parent], environ={}, builtin=False, skip_broken=True)
    assert bank.ids() == ["test-affine"]
    assert [e.file for e in bank.errors] == [str(bad)]


def test_builtin_bank_is_loaded_beside_extra_folders(write):
    path = write(AFFINE)
    bank = load_bank([path.parent], environ={})
    assert "test-affine" in bank and "softmax" in bank


def test_lint_clean_template(write):
    assert lint([write(AFFINE).parent], seeds=20) == []


def test_lint_unknown_solver(write):
    path = write(AFFINE.replace("name: _qb_test_affine", "name: no_such_solver"))
    issues = lint([path.parent], seeds=5)
    assert len(issues) == 1
    assert issues[0].file == str(path) and issues[0].field == "solver" and issues[0].line == 22
    assert "unknown solver 'no_such_solver'" in issues[0].message


def test_lint_missing_and_unknown_arguments(write):
    path = write(
        AFFINE.replace("args: {scale: $scale}", "args: {scale: $scale, colour: red}")
        .replace("  b: {kind: int, low: 1, high: 5}\n", "")
        .replace("{b}", "1")
        .replace("-b", "-1")
    )
    messages = [i.message for i in lint([path.parent], seeds=5)]
    assert any("needs b" in m for m in messages)
    assert any("takes no argument colour" in m for m in messages)


def test_lint_misconception_that_gives_the_right_answer(write):
    path = write(AFFINE.replace("args: {b: $minus_b}", "args: {b: $b}"))
    (issue,) = lint([path.parent], seeds=10)
    assert issue.field == "misconceptions[0]" and issue.line == 26
    # b replaced by b changes nothing: the "mistake" never applies to any seed
    assert "never applies in 10 seeds" in issue.message and "exactly the right answer" in issue.message


def test_lint_unfilled_hint_placeholder(write):
    path = write(AFFINE.replace('"{a} + {b} = {total}"', '"{a} + {zz}"'))
    (issue,) = lint([path.parent], seeds=3)
    assert issue.field == "hints[1]" and "{zz}" in issue.message


def test_lint_impossible_constraints(write):
    path = write(AFFINE.replace("prompt:", 'constraints:\n  - "a > 99"\nprompt:'))
    (issue,) = lint([path.parent], seeds=3)
    assert issue.field == "constraints[0]" and issue.line == 14 and "'test-affine'" in issue.message


def test_lint_reports_load_errors_and_duplicates(write):
    write("id: [broken\n", "bad.yaml")
    write(AFFINE, "a.yaml")
    write(AFFINE, "b.yaml")
    issues = lint([write(CONCEPT, "c.yaml").parent], seeds=3)
    assert sorted(i.field for i in issues) == ["", "id"]
    assert any("invalid YAML" in i.message and i.file.endswith("bad.yaml") for i in issues)
    assert any("duplicate template id" in i.message and i.file.endswith("b.yaml") for i in issues)


def test_vector_and_choice_parts(write):
    text = """\
    id: test-vec
    title: Vec
    topic: test
    difficulty: 1
    params:
      x: {kind: vector, size: 3, low: 1, high: 3}
    prompt: "x = {x}"
    parts:
      - {name: double, type: vector}
      - name: kind
        type: choice
        options: [{id: positive, text: "positive"}, {id: other, text: "other"}]
        shuffle: false
    solver: _qb_test_vec
    hints: ["2x"]
    """
    q = instantiate(load_template(write(text)), 2)
    assert isinstance(q.expected["double"], np.ndarray)
    assert q.expected["double"].tolist() == [2 * v for v in q.params["x"]]
    assert q.expected["kind"] == "positive"
    assert [letter for letter, _ in q.options("kind")] == ["A", "B"]


def test_builtin_bank_lints_clean():
    assert [str(i) for i in lint(None, seeds=100)] == []
