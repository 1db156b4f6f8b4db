"""Lint's check of what a student reads (issue 13, item 2): no internal name, seed-file number or float
noise in a prompt, convention, part label or step label; reported as file:line: field: message."""

from __future__ import annotations

from question_bank.bank import BUILTIN, load_template, template_files
from question_bank.lint import lint, shown_name_issues
from solvers.registry import get, solver
from solvers.steps import Recorder
from tests.question_bank.conftest import AFFINE


def _qb_test_nodes(a, b, overrides=None):
    """A solver whose step label names its inner node n1 (as the graph solvers still do)."""
    rec = Recorder(overrides)
    n1 = rec.step("n1", "value of n1", "{a} + {b}", a + b, a=a, b=b)
    return rec.solution(total=float(n1), scaled=2 * float(n1))


try:
    get("_qb_test_nodes")
except ValueError:
    solver("_qb_test_nodes")(_qb_test_nodes)

CLEAN = AFFINE.replace("  scale: 2\n", "  scale: 2\n  w0: 3\n").replace(
    "Compute {a} + {b}, then scale it.", "Compute {a} + {b}, then scale it by $w_0$ = {w0}.")


def _issues(write, text):
    path = write(text)
    return [str(i) for i in lint([path.parent], seeds=5)], path


def test_notation_in_maths_and_filled_values_pass(write):
    issues, _ = _issues(write, CLEAN)
    assert issues == []


def test_internal_names_seed_numbers_and_float_noise_are_reported_where_written(write):
    text = (CLEAN.replace("$w_0$ = {w0}.", "w0 = {w0}, as in seed 003, or 0.13000000000000006.")
            .replace('label: "a + b"', 'label: "a + minus_b"'))
    issues, path = _issues(write, text)
    lines = text.splitlines()
    prompt_line = lines.index("prompt: |") + 1
    label_line = next(i for i, line in enumerate(lines, 1) if "- name: total" in line)
    assert issues == [
        f"{path}:{prompt_line}: prompt: shows the internal name 'w0': write it in the course's notation "
        "(maths: $...$) (seed 0)",
        f"{path}:{prompt_line}: prompt: shows a seed number 'seed 003' (seed 0)",
        f"{path}:{prompt_line}: prompt: shows float noise '0.13000000000000006' (seed 0)",
        f"{path}:{label_line}: parts.total.label: shows the internal name 'minus_b': write it in the course's "
        "notation (maths: $...$) (seed 0)",
    ]


def test_an_unlabelled_part_of_several_shows_its_name(write):
    text = CLEAN.replace("  - name: scaled\n", "  - name: scaled_total\n    key: scaled\n")
    issues = shown_name_issues(load_template(write(text)), seeds=1)
    assert [(i.field, i.message.split(":")[0]) for i in issues] == [
        ("parts.scaled_total.label", "shows the internal name 'scaled_total'")]


def test_a_step_label_showing_a_node_name_is_found(write):
    text = CLEAN.replace("  name: _qb_test_affine\n  args: {scale: $scale}\n", "  name: _qb_test_nodes\n")
    text = text[:text.index("misconceptions:")] + text[text.index("hints:"):].replace("{total}", "{a}")
    template = load_template(write(text))
    (issue,) = shown_name_issues(template, seeds=1)
    assert (issue.field, issue.message) == ("solver: step 'n1' label", "shows the internal name 'n1': write it in "
                                            "the course's notation (maths: $...$) (seed 0)")
    assert shown_name_issues(template, seeds=1, steps=False) == []


def test_the_bank_shows_no_internal_name_in_its_own_text():
    """What the templates write (prompts, conventions, part labels) reads in the course's notation."""
    found = [str(i) for path in template_files(BUILTIN) for i in shown_name_issues(load_template(path), 2, False)]
    assert found == []


# --- every text a student or TA reads (hints, messages, options, pool statements), and raw maths ---

CONCEPT = """\
id: test-concept
title: Where the margin goes
topic: test
difficulty: 1
prompt: |
  Which form is the hinge loss?
parts:
  - name: answer
    type: choice
    options:
      - id: inside
        text: "OPTION_TEXT"
        correct: true
        why: "OPTION_WHY"
      - id: outside
        text: "Delta outside the max"
        why: "A constant changes no gradient."
hints:
  - "Take a correct score far above the others."
stem: |
  The multiclass SVM loss of an example with correct class y.
pool:
  - id: zero
    text: "POOL_TEXT"
    true: yes
    why: "POOL_WHY"
  - id: same
    text: "Both forms give the same loss."
    true: no
    why: "They differ when a score is within the margin."
"""


def _concept(write, **texts):
    text = CONCEPT
    for key, value in texts.items():
        text = text.replace(key.upper(), value)
    for key in ("OPTION_TEXT", "OPTION_WHY", "POOL_TEXT", "POOL_WHY"):
        text = text.replace(key, "Plain words.")
    return shown_name_issues(load_template(write(text)), seeds=1)


def test_raw_maths_in_a_hint_or_message_is_reported_and_markup_passes(write):
    text = (CLEAN.replace('"Add them."', '"Every term max(0, s_j - s_y + Δ) adds; Σ_{j≠y}, e^(-z), p_{b}, {a}^{b}."')
            .replace('"You subtracted."', '"You subtracted, as seeds 000 and 002 do (seed 003\'s typo)."'))
    issues, path = _issues(write, text)
    lines = text.splitlines()
    hints_line = lines.index("hints:") + 1
    message_line = next(i for i, line in enumerate(lines, 1) if "- id: subtract" in line)
    assert f"{path}:{hints_line}: hints[0]: prints raw maths 's_j', 's_y', 'Σ_{{j≠y}}', 'e^(-z)', 'p_{{b}}', " \
           "'{a}^{b}' as typed: write it in the maths markup between dollars ($s_j$, $\\sum_{j \\neq y}$, " \
           "$e^{-z}$)" in issues
    assert f"{path}:{message_line}: misconceptions[0].message: shows a seed number 'seeds 000' (seed 0)" in issues
    assert f"{path}:{message_line}: misconceptions[0].message: shows a seed number 'seed 003' (seed 0)" in issues
    fixed = CLEAN.replace('"Add them."', r'"Every term $\\max(0, s_j - s_y + \\Delta)$ adds; $\\sum_{j \\neq y}$, '
                          r'$e^{-z}$, $p_{{b}}$, ${a}^{{b}}$; {a} is a value, not maths."')
    assert _issues(write, fixed)[0] == []


def test_a_code_word_or_an_internal_name_is_not_reported_as_maths(write):
    text = CLEAN.replace('"You subtracted."', '"You subtracted, as multi_margin_loss does."')
    assert _issues(write, text)[0] == []
    text = CLEAN.replace('"Add them."', '"Add a to minus_b."')
    (issue,) = _issues(write, text)[0]
    assert "shows the internal name 'minus_b'" in issue and "raw maths" not in issue


def test_options_and_pool_statements_are_read_for_raw_maths_and_seed_numbers(write):
    issues = _concept(write, option_text="Delta inside, max(0, s_j - s_y + Δ)", option_why="seed 001 has it right",
                      pool_text="The loss is 0 when s_y beats every s_j by Δ.", pool_why="Each e^(a) term is 0.")
    assert sorted((i.field, i.message.split(" as typed")[0]) for i in issues) == [
        ("parts.answer.options[0].text", "prints raw maths 's_j', 's_y'"),
        ("parts.answer.options[0].why", "shows a seed number 'seed 001'"),
        ("pool[0].text", "prints raw maths 's_y', 's_j'"),
        ("pool[0].why", "prints raw maths 'e^(a)'"),
    ]
    assert _concept(write, option_text="Delta inside, $\\\\max(0, s_j - s_y + \\\\Delta)$",
                    pool_text="The loss is 0 when $s_y$ beats every $s_j$ by Δ.", pool_why="Each $e^{a}$ term is 0.",
                    option_why="Some slides have it right.") == []


def test_broken_markup_in_an_option_is_reported(write):
    (issue,) = _concept(write, option_why="It is $\\\\frac{1}{2$ of it.")
    assert (issue.field, issue.message.split(": ")[-1]) == ("parts.answer.options[0].why", "a '{' is never closed")
