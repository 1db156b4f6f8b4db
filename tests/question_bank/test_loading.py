"""Broken templates fail at load time with ``file:line: field: problem``."""

from __future__ import annotations

import pytest

from question_bank.bank import load_template
from question_bank.loader import TemplateError, load_yaml
from tests.question_bank.conftest import AFFINE


def _error(write, text: str) -> TemplateError:
    path = write(text)
    with pytest.raises(TemplateError) as info:
        load_template(path)
    assert info.value.file == str(path)
    return info.value


def test_the_reference_template_loads(write):
    t = load_template(write(AFFINE))
    assert t.id == "test-affine"
    assert [p.name for p in t.params] == ["a", "b", "scale", "minus_b"]
    assert t.part("total").rel_tol == 5e-3 and t.part("total").abs_tol == 1e-4
    assert t.part("scaled").depends_on == ("total",)
    assert t.misconceptions[0].args == {"b": "$minus_b"}


def test_bad_yaml_names_file_and_line(write):
    err = _error(write, "id: x\ntitle: [unclosed\nprompt: hi\n")
    assert "invalid YAML" in err.message
    assert err.line in (2, 3)
    assert str(err).startswith(f"{err.file}:{err.line}:")


@pytest.mark.parametrize(
    "tag", ["!!python/object:os.system", "!!python/object/apply:os.system", "!!python/name:os.system", "!custom"]
)
def test_python_and_unknown_tags_are_refused(write, tag):
    err = _error(write, AFFINE.replace("difficulty: 1", f"difficulty: {tag} [1]"))
    assert err.line == 4
    assert "not allowed" in err.message and tag in err.message


def test_duplicate_keys_are_refused(write):
    err = _error(write, AFFINE.replace("difficulty: 1\n", "difficulty: 1\ndifficulty: 2\n"))
    assert err.line == 5 and "duplicate key 'difficulty'" in err.message


def test_yes_no_on_off_stay_words():
    assert load_yaml("w: [on, off, yes, no, true, false]")["w"] == ["on", "off", "yes", "no", True, False]


@pytest.mark.parametrize(
    ("old", "new", "field", "line", "words"),
    [
        ("difficulty: 1", "difficulty: 4", "difficulty", 4, "from 1 to 3"),
        ("topic: test\n", "", "topic", 1, "missing"),
        ("tags: [test]", "tagz: [test]", "tagz", 5, "unknown field"),
        ("kind: int, low: 1", "kind: integer, low: 1", "params.b.kind", 10, "expected one of"),
        ("low: 1, high: 5", "low: 5, high: 1", "params.b.low", 10, "above high"),
        ('expr: "-b"', 'expr: "-c"', "params.minus_b.expr", 12, "unknown name 'c'"),
        ('expr: "-b"', 'expr: "b.__class__"', "params.minus_b.expr", 12, "not allowed"),
        ("Compute {a}", "Compute {c}", "prompt", 13, "placeholder {c} is not a parameter"),
        ("type: number\n    label", "type: numeric\n    label", "parts[0].type", 17, "expected one of"),
        ("depends_on: [total]", "depends_on: [later]", "parts[1].depends_on", 21, "not an earlier part"),
        ("args: {b: $minus_b}", "args: {b: $nope}", "misconceptions[0].args.b", 29, "$nope is not a parameter"),
        ("kind: mistake", "kind: typo", "misconceptions[0].kind", 27, "mistake or convention"),
    ],
)
def test_schema_errors_name_field_and_line(write, old, new, field, line, words):
    assert old in AFFINE
    err = _error(write, AFFINE.replace(old, new, 1))
    assert err.field == field
    assert err.line == line
    assert words in err.message


def test_hints_are_required(write):
    text = AFFINE[: AFFINE.index("hints:")]
    err = _error(write, text)
    assert err.field == "hints"


def test_param_decimals_beyond_hand_friendliness(write):
    err = _error(write, AFFINE.replace("decimals: 1", "decimals: 3"))
    assert err.field == "params.a.decimals" and "hand.param_decimals" in err.message


def test_concept_needs_exactly_one_correct_option(write):
    text = """\
    id: c
    title: C
    topic: t
    difficulty: 1
    prompt: Which?
    parts:
      - name: answer
        type: choice
        options:
          - {id: a, text: A, correct: true, why: "right"}
          - {id: b, text: B, correct: true, why: "also right?"}
    hints: ["think"]
    """
    err = _error(write, text)
    assert err.field == "parts[0].options" and "exactly one" in err.message


def test_concept_options_need_explanations(write):
    text = """\
    id: c
    title: C
    topic: t
    difficulty: 1
    prompt: Which?
    parts:
      - name: answer
        type: choice
        options:
          - {id: a, text: A, correct: true, why: "right"}
          - {id: b, text: B}
    hints: ["think"]
    """
    err = _error(write, text)
    assert err.field == "parts[0].options[1].why"
    assert err.line == 11
