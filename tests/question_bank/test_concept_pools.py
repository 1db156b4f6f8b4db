"""Issue 14, item 7: concept questions drawn from a pool of true and false statements.

Each seed asks one form (the written question, one statement to judge, the true or the false one among
others, or several statements judged one by one); grading reads the drawn parts like written ones.
"""

from __future__ import annotations

import pytest

from question_bank.bank import load_bank, load_template
from question_bank.lint import lint
from question_bank.loader import TemplateError
from question_bank.question import instantiate
from question_bank.sampler import concept_variant

BANK = load_bank(environ={})
CONCEPTS = sorted(t.id for t in BANK.templates.values() if t.is_concept)
NEW_TOPICS = ["concept-universal-approximation", "concept-overfitting", "concept-sgd-minibatch",
              "concept-l1-sparsity", "concept-input-encodings", "concept-pretraining"]

POOLED = """\
id: test-pool
title: Pooled
topic: test
difficulty: 1
prompt: Which one is right?
parts:
  - name: answer
    type: choice
    options:
      - {id: right, text: "Right", correct: true, why: "because it is"}
      - {id: wrong1, text: "A wrong one", why: "no"}
      - {id: wrong2, text: "Another wrong one", why: "no either"}
stem: About things.
pool:
  - {id: t1, text: "Truth one.", true: yes, why: "t1 holds"}
  - {id: t2, text: "Truth two.", true: yes, why: "t2 holds"}
  - {id: t3, text: "Truth three.", true: yes, why: "t3 holds"}
  - {id: f1, text: "Falsehood one.", true: no, why: "f1 fails"}
  - {id: f2, text: "Falsehood two.", true: no, why: "f2 fails"}
  - {id: f3, text: "Falsehood three.", true: no, why: "f3 fails"}
hints: ["Think."]
"""


def _variant_key(template, seed):
    v = concept_variant(template, seed)
    return v.prompt, tuple((p.label, frozenset(o.id for o in p.options)) for p in v.parts)


@pytest.mark.parametrize("template_id", CONCEPTS)
def test_every_concept_has_a_pool_with_20_variants(template_id):
    template = BANK.get(template_id)
    assert template.pool, template_id
    assert len({_variant_key(template, seed) for seed in range(500)}) >= 20


def test_the_seed_topics_are_asked():
    assert set(NEW_TOPICS) <= set(CONCEPTS)


def test_every_form_is_asked_and_its_answer_follows_the_statements(write):
    template = load_template(write(POOLED))
    truth = {s.id: s.true for s in template.pool}
    texts = {s.text: s.true for s in template.pool}
    forms = set()
    for seed in range(60):
        q = instantiate(template, seed)
        prompt = q.prompt
        if "True or false?" in prompt:
            forms.add("true-or-false")
            said = next(t for t in texts if t in prompt)
            assert q.expected == {"answer": "true" if texts[said] else "false"}
        elif "is true?" in prompt or "is false?" in prompt:
            want = "is true?" in prompt
            forms.add("pick-true" if want else "pick-false")
            ids = [o.id for _, o in q.options("answer")]
            assert len(ids) == 4 and [truth[i] for i in ids].count(want) == 1
            assert truth[q.expected["answer"]] == want
        elif "are true?" in prompt:
            forms.add("which-true")
            assert [p.name for p in q.parts] == ["a", "b", "c"]  # named by the letters shown
            verdicts = [texts[p.label] for p in q.parts]
            assert True in verdicts and False in verdicts
            assert [q.expected[p.name] == "true" for p in q.parts] == verdicts
        else:
            forms.add("written")
            assert q.expected == {"answer": "right"}
    assert forms == {"written", "true-or-false", "pick-true", "pick-false", "which-true"}


def test_every_option_explains_itself_and_a_seed_asks_the_same_question_twice():
    for template_id in CONCEPTS:
        for seed in range(30):
            q = BANK.instantiate(template_id, seed)
            assert all(o.why for p in q.parts for o in p.options), (template_id, seed)
            assert q.text() == BANK.instantiate(template_id, seed).text()
            assert "(a)" not in q.text() or all(len(p.name) == 1 for p in q.parts)


def test_a_chosen_wrong_statement_is_explained_by_its_why(write):
    template = load_template(write(POOLED))
    seed = next(s for s in range(60) if "is true?" in instantiate(template, s).prompt)
    q = instantiate(template, seed)
    letter, wrong = next((letter, o) for letter, o in q.options("answer") if not o.correct)
    assert q.option_id("answer", letter) == wrong.id
    assert wrong.why == next(s.why for s in template.pool if s.id == wrong.id)


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("true: no, why: \"f3 fails\"", "true: maybe, why: \"f3 fails\"", "pool[5].true", "yes or no"),
        ("stem: About things.\n", "", "stem", "a pool needs a stem"),
        ("{id: t2,", "{id: t1,", "pool", "'t1' is used twice"),
        ("hints:", "forms: [pick-true, riddle]\nhints:", "forms[1]", "expected one of"),
        # one false statement left: "pick the true one" has too few distractors
        ("  - {id: f2", "forms: [pick-true]\nignored:\n  - {id: f2", "forms[0]", "pick-true needs at least 1 true"),
    ],
)
def test_pool_errors_name_the_file_line_and_field(write, old, new, field, message):
    text = POOLED.replace(old, new)
    if "ignored:" in text:  # drop the two false statements after f1
        text = text.split("ignored:")[0] + "hints: [\"Think.\"]\n"
    path = write(text)
    with pytest.raises(TemplateError) as info:
        load_template(path)
    err = info.value
    assert (err.file, err.field) == (str(path), field) and message in err.message
    assert err.line > 0


def test_a_pool_on_a_computed_template_is_refused(write):
    from tests.question_bank.conftest import AFFINE

    path = write(AFFINE.replace("hints:", "stem: x\npool: []\nhints:", 1))
    with pytest.raises(TemplateError) as info:
        load_template(path)
    assert "only a template without a solver" in info.value.message


def test_lint_flags_a_pool_too_small_and_a_right_option_that_stands_out(write):
    small = POOLED.replace("hints:", "forms: [true-or-false]\nhints:")
    path = write(small)
    issues = lint([path.parent], seeds=100)
    assert [i.field for i in issues] == ["pool"] and "6 distinct questions" in issues[0].message
    careful = ", qualified at length so that it reads as the careful answer."
    long_right = POOLED.replace('"Right"', f'"Right{careful}"')
    for n in ("one", "two", "three"):
        long_right = long_right.replace(f'"Truth {n}."', f'"Truth {n}{careful}"')
    path.write_text(long_right, encoding="utf-8")
    (issue,) = lint([path.parent], seeds=100)
    assert issue.field == "pool" and "the right option is the longest" in issue.message
