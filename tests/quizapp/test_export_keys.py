"""Multiple choice in the keys: every key names the right option as it is lettered on that student's sheet.

The check reads the rendered sheets (questions.md and questions.tex), takes the option whose value
is the solver's answer for that student's question (``bank.instantiate(...).expected``, not the
exporter's choice records), and asks every key (answers.md, answers.tex, solutions.md,
solutions.tex, answer-key.csv, set.json) for the same letter. Options are shuffled per student,
so across 30 students the right letter varies.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter

import numpy as np
import pytest

from question_bank.bank import load_bank
from quizapp.export import data, latex, markdown
from quizapp.export.build import build, numbered_variants
from quizapp.export.spec import from_flags

# dropout's output and hinge-loss's loss have three or more recognised wrong answers in every variant
TEMPLATES = ["dropout", "hinge-loss"]
CHOICE_PARTS = {1: "out", 2: "loss"}  # question number -> its multiple-choice part
CHOICE_LABELS = {1: "the output", 2: "the loss L"}  # the same parts as the sheets name them
STUDENTS = 30


@pytest.fixture(scope="module")
def bank():
    return load_bank(environ={})


@pytest.fixture(scope="module")
def problem_set(bank):
    spec = from_flags(templates=TEMPLATES, multiple_choice=True)
    return build(bank, spec, 11, numbered_variants(11, STUDENTS), "test")


@pytest.fixture(scope="module")
def files(problem_set):
    out = {**markdown.render(problem_set), **latex.render(problem_set), **data.render_csv(problem_set),
           **data.render_json(problem_set)}
    return {name: body.decode("utf-8-sig") for name, body in out.items()}


def _per_variant(text: str, head: str) -> dict[str, str]:
    """The text of each variant, by variant id, split at its heading (``head`` matches the id)."""
    pieces = re.split(head, text, flags=re.M)
    return {pieces[i]: pieces[i + 1] for i in range(1, len(pieces), 2)}


def _numbers(text: str) -> np.ndarray:
    """The numbers of an option as printed: ``[0, -6.25, 1.5]``, or LaTeX ``0 & 4 \\times 10^{-5}``."""
    text = re.sub(r"\\times\s*10\^\{(-?\d+)\}", r"e\1", text)
    return np.array([float(x) for x in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", text)])


def _right_letter(options: list[tuple[str, str]], expected) -> str:
    """The letter of the one option whose printed value is the solver's answer."""
    want = np.ravel(np.asarray(expected, dtype=float))
    hits = [letter for letter, text in options
            if _numbers(text).shape == want.shape and np.allclose(_numbers(text), want, rtol=1e-3, atol=1e-9)]
    assert len(hits) == 1, (options, expected)
    return hits[0]


def _sheet_letters_md(text: str) -> dict[tuple[str, int], list[tuple[str, str]]]:
    """(variant, question) -> the options as lettered on the Markdown sheet."""
    out = {}
    for vid, body in _per_variant(text, r"^## Variant (v\d+) .*$\n").items():
        for number, question in _per_variant(body, r"^\*\*(\d+)\. .*$\n").items():
            options = re.findall(r"^- ([A-E])\) (.*)$", question, flags=re.M)
            if options:
                out[(vid, int(number))] = options
    return out


def _sheet_letters_tex(text: str) -> dict[tuple[str, int], list[tuple[str, str]]]:
    """(variant, question) -> the options of questions.tex, lettered A, B, ... in the order printed
    (the exam class letters its choices by position)."""
    out = {}
    for vid, body in _per_variant(text, r"Variant (v\d+) \\quad").items():
        for k, question in enumerate(body.split(r"\question")[1:], start=1):
            block = re.search(r"\\begin\{choices\}(.*?)\\end\{choices\}", question, flags=re.S)
            if block:
                items = re.findall(r"^\\(?:choice|CorrectChoice)\{\} (.*)$", block.group(1), flags=re.M)
                out[(vid, k)] = [(chr(ord("A") + i), item) for i, item in enumerate(items)]
    return out


@pytest.fixture(scope="module")
def right(bank, problem_set, files):
    """(variant, question) -> the right letter, read off the printed sheets and the solver's answers."""
    md, tex = _sheet_letters_md(files["questions.md"]), _sheet_letters_tex(files["questions.tex"])
    out = {}
    for v in problem_set.variants:
        for q in v.questions:
            expected = bank.instantiate(q.template, q.seed).expected[CHOICE_PARTS[q.number]]
            letter = _right_letter(md[(v.id, q.number)], expected)
            assert _right_letter(tex[(v.id, q.number)], expected) == letter  # both sheets letter alike
            out[(v.id, q.number)] = letter
    assert len(out) == STUDENTS * len(TEMPLATES)
    return out


def test_the_options_are_shuffled_per_student(right):
    for number in CHOICE_PARTS:
        letters = Counter(letter for (_, n), letter in right.items() if n == number)
        # 30 students among 4 or 5 options: each right letter turns up, none for nearly everyone
        assert len(letters) >= 3 and max(letters.values()) < 20, (number, letters)
    # two students whose sheets put the right option of question 1 at different letters
    assert right[("v01", 1)] != right[("v02", 1)]


def test_markdown_key_and_solutions_give_the_sheet_letter(files, right):
    for vid, body in _per_variant(files["answers.md"], r"^## Variant (v\d+) .*$\n").items():
        for number, label in CHOICE_LABELS.items():
            row = re.search(rf"^\| {number} \| \(a\) {label} \| ([A-E])\) ", body, flags=re.M)
            assert row and row.group(1) == right[(vid, number)], (vid, number)
    for vid, body in _per_variant(files["solutions.md"], r"^## Variant (v\d+) .*$\n").items():
        for number, question in _per_variant(body, r"^\*\*(\d+)\. .*$\n").items():
            line = re.search(rf"^Answer: \(a\) {CHOICE_LABELS[int(number)]} = ([A-E])\) ", question, flags=re.M)
            assert line and line.group(1) == right[(vid, int(number))], (vid, number)


def test_latex_key_and_solutions_give_the_sheet_letter(files, right):
    # each variant's heading row, then its rows "Q & part & answer & pts"
    head = r"\\multicolumn\{4\}\{@\{\}l\}\{\\textbf\{Variant (v\d+)\}\}\\\\\*\n"
    rows = re.findall(rf"^(?:{head})?(\d) & \(a\) & ([A-E])\) ", files["answers.tex"], flags=re.M)
    assert len(rows) == STUDENTS * len(TEMPLATES)
    vid = ""
    for who, number, letter in rows:
        vid = who or vid
        assert letter == right[(vid, int(number))], (vid, number)
    for vid, body in _per_variant(files["solutions.tex"], r"Variant (v\d+) \\quad").items():
        for k, question in enumerate(body.split(r"\question")[1:], start=1):
            item = re.search(r"^\\item\{\} \(a\) [^:]*: \\textbf\{([A-E])\) ", question, flags=re.M)
            assert item and item.group(1) == right[(vid, k)], (vid, k)


def test_csv_and_json_keys_give_the_sheet_letter(files, right):
    rows = list(csv.DictReader(io.StringIO(files["answer-key.csv"])))
    choice_rows = [r for r in rows if r["part"] == CHOICE_PARTS[int(r["question"])]]
    assert len(choice_rows) == STUDENTS * len(TEMPLATES)
    for r in choice_rows:
        assert r["letter"] == right[(r["variant"], int(r["question"]))]
        assert r["answer_text"].startswith(r["letter"] + ") ")
    for v in json.loads(files["set.json"])["variants"]:
        for q in v["questions"]:
            part = next(p for p in q["parts"] if p["name"] == CHOICE_PARTS[q["number"]])
            assert part["multiple_choice"] and part["letter"] == right[(v["id"], q["number"])]
            chosen = [c["letter"] for c in part["choices"] if c["correct"]]
            assert chosen == [part["letter"]]
