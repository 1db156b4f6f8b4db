"""GIFT checked with a real GIFT parser: ``gift-pegjs`` from npm (the grammar Moodle's format follows),
run with node. Every question of a set holding every template is parsed back, and what the parser
reads (the stem, the answers, the option feedback, the general feedback) must be what we wrote;
each category holds one part (or entry) of one question position, in every variant.

CI installs gift-pegjs (.ci/run, into .venv/node); there a missing parser fails instead of skipping.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from question_bank.bank import load_bank
from quizapp.export import gift
from quizapp.export.build import build, numbered_variants
from quizapp.export.htmltext import esc, math_part, math_solution, math_stem
from quizapp.export.moodle import accepted_forms, shortanswer_text, tolerance
from quizapp.export.spec import from_flags

SEED = 3
VARIANTS = 2
ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = Path(os.environ.get("QUIZAPP_NODE_MODULES", ROOT / ".venv" / "node" / "node_modules"))
HAVE_PARSER = shutil.which("node") is not None and (NODE_MODULES / "gift-pegjs").is_dir()
PARSE = ("const {parse} = require('gift-pegjs');"
         "console.log(JSON.stringify(parse(require('fs').readFileSync(0, 'utf8'))));")

pytestmark = pytest.mark.skipif(not HAVE_PARSER and not os.environ.get("CI"),
                                reason="node and gift-pegjs are not installed (CI installs them)")


def parse_gift(text):
    env = {**os.environ, "NODE_PATH": str(NODE_MODULES)}
    done = subprocess.run(["node", "-e", PARSE], input=text, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def bank():
    return load_bank()


@pytest.fixture(scope="module")
def problem_set(bank):
    spec = from_flags(templates=bank.ids(), points=2, multiple_choice=True, title="Every template")
    return build(bank, spec, SEED, numbered_variants(SEED, VARIANTS), "test", minimum=2)


@pytest.fixture(scope="module")
def parsed(problem_set):
    return parse_gift(gift.document(problem_set))


@pytest.fixture(scope="module")
def expected(bank, problem_set):
    return {(v.id, q.number): bank.instantiate(q.template, q.seed) for v in problem_set.variants for q in v.questions}


TITLE = re.compile(r"Q(\d+) (\S+)(?: (\([a-z]\)))?(?: entry \(?([\d, ]+)\)?)?")


def test_every_question_round_trips_through_gift_pegjs(parsed, problem_set, expected):
    by_variant = {v.id: v for v in problem_set.variants}
    seen = 0
    for item in parsed:
        if item["type"] == "Category":
            continue
        number, variant, mark, entry = TITLE.fullmatch(item["title"]).groups()
        q = by_variant[variant].questions[int(number) - 1]
        index = "abcdefghij".index(mark[1]) if mark else 0
        part, ref = q.parts[index], expected[(variant, int(number))]
        ask = f"<p>Give entry {'(' + entry + ')' if ',' in (entry or '') else entry} of " \
              f"{'the answer to ' + mark if mark else 'the answer'}.</p>" if entry else ""
        assert item["stem"] == {"format": "html", "text": math_stem(q) + math_part(q, index) + ask}
        assert item["globalFeedback"]["text"] == math_solution(q)
        check_answers(item, part, ref.expected[ref.parts[index].name], entry)
        seen += 1
    want = sum(len(list(gift.entries(p))) for v in problem_set.variants for q in v.questions for p in q.parts)
    assert seen == want > 300


def check_answers(item, part, value, entry):
    if part.choices:
        assert item["type"] == "MC"
        got = [(c["isCorrect"], c["text"]["text"], (c["feedback"] or {}).get("text", "")) for c in item["choices"]]
        assert got == [(c.correct, esc(c.text), esc(c.feedback)) for c in part.choices]
    elif part.type in ("number", "integer", "vector", "matrix"):
        assert item["type"] == "Numerical" and item["choices"]["type"] == "range"
        index = tuple(int(i) - 1 for i in entry.split(",")) if entry else ()
        want = float(np.asarray(value, dtype=np.float64)[index])
        tol = np.broadcast_to(np.asarray(part.tolerance, dtype=np.float64), np.shape(value))[index]
        assert item["choices"]["range"] == float(tolerance(tol))
        assert abs(item["choices"]["number"] - want) <= item["choices"]["range"]
    else:
        assert item["type"] == "Short"
        assert [c["text"]["text"] for c in item["choices"]] == [shortanswer_text(f) for f in accepted_forms(value)]


def test_each_category_holds_one_part_of_one_question_in_every_variant(parsed, problem_set):
    categories, current = {}, None
    for item in parsed:
        if item["type"] == "Category":
            assert item["title"] not in categories
            current = categories.setdefault(item["title"], [])
        else:
            current.append(item["title"])
    for path, titles in categories.items():
        assert path.startswith("$course$/top/Every template/Q")
        keys = {re.sub(r" v\d+", "", t) for t in titles}
        assert len(keys) == 1, (path, keys)  # one part (entry) of one question
        assert 1 <= len(titles) <= VARIANTS
    first = problem_set.variants[0].questions
    multi = next(q for q in first if len(q.parts) > 1 and not q.parts[1].choices and q.parts[1].type == "number")
    assert any(p.endswith(f" {multi.title}/(b)") for p in categories)
