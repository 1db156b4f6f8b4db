"""Moodle XML checked with Moodle's own matching, ported from Moodle's source (GPL; re-implemented here):

- question/type/multianswer/questiontype.php: how a cloze question's text is cut into blanks
  (``ANSWER_REGEX``, ``qtype_multianswer_extract_question``) and what Moodle unescapes in them;
- question/type/shortanswer/question.php: ``compare_string_with_wildcard``, how a typed answer is
  matched against a short answer (``*`` a wildcard, ``\\*`` a star);
- question/type/numerical: an answer is right within [answer - tolerance, answer + tolerance].

Every key of a set holding every template is run through them: the bank's right answer, typed as a
student types it, must be accepted; a slightly wrong one must not.
"""

from __future__ import annotations

import html
import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import replace

import numpy as np
import pytest

from question_bank.bank import load_bank
from quizapp.export import moodle
from quizapp.export.build import build, numbered_variants
from quizapp.export.spec import from_flags

SEED = 5
VARIANTS = 2

# ----- the port of Moodle's matching -------------------------------------------------------------

FRACTION = r"=|%(-?[0-9]+(?:[.,][0-9]*)?)%"
# PHP's (?<!\\|&|&amp;): Python's lookbehinds must have one width each, so three of them
ANSWER = r".+?(?<!\\)(?<!&)(?<!&amp;)(?=[~#}]|$)"
FEEDBACK = r".*?(?<!\\)(?=[~}]|$)"
ALTERNATIVE = f"({FRACTION})?({ANSWER})(#({FEEDBACK}))?"
TYPES = ("NUMERICAL|NM|MULTICHOICE|MC|MULTICHOICE_V|MCV|MULTICHOICE_H|MCH|SHORTANSWER|SA|MW|SHORTANSWER_C|SAC|MWC|"
         "MULTICHOICE_S|MCS|MULTICHOICE_VS|MCVS|MULTICHOICE_HS|MCHS|MULTIRESPONSE|MR|MULTIRESPONSE_H|MRH|"
         "MULTIRESPONSE_S|MRS|MULTIRESPONSE_HS|MRHS")
BLANK = re.compile(r"\{([0-9]*):(" + TYPES + "):(?P<alts>" + ALTERNATIVE + "(~" + ALTERNATIVE + r")*)\}", re.S)
ONE_ALTERNATIVE = re.compile("~?" + ALTERNATIVE, re.S)
NUMBER = r"-?(([0-9]+[.,]?[0-9]*|[.,][0-9]+)([eE][-+]?[0-9]+)?)"
NUMERICAL = re.compile(f"^({NUMBER})(:{NUMBER})?$", re.S)


def cloze_blanks(text):
    """[(weight, kind, [(fraction, answer, feedback, tolerance)])] as qtype_multianswer_extract_question reads them."""
    blanks = []
    while m := BLANK.search(text):
        kind = m.group(2)
        alts, rest = [], m.group("alts")
        while a := ONE_ALTERNATIVE.search(rest):
            fraction = 1.0 if a.group(1) == "=" else (float(a.group(2).replace(",", ".")) / 100 if a.group(2) else 0.0)
            feedback = html.unescape(a.group(5) or "").replace("\\}", "}").replace("\\#", "#")
            num = NUMERICAL.match(a.group(3)) if kind in ("NUMERICAL", "NM") else None
            if num:
                alts.append((fraction, num.group(1), feedback, float(num.group(6) or 0)))
            else:
                answer = html.unescape(a.group(3)).replace("\\}", "}").replace("\\#", "#")
                alts.append((fraction, answer, feedback, None))
            rest = rest.split(a.group(0), 1)[1]
        blanks.append((int(m.group(1) or 1), kind, alts))
        text = text.replace(m.group(0), f"{{#{len(blanks)}}}", 1)
    assert not re.search(r"\{[0-9]*:[A-Z_]+:", text), "a blank Moodle could not read"
    return blanks


def wildcard_match(string, pattern, ignorecase=True):
    """compare_string_with_wildcard: split on unescaped runs of *, unescape \\*, match the trimmed response."""
    pattern, string = unicodedata.normalize("NFC", pattern), unicodedata.normalize("NFC", string)
    bits = re.split(r"(?<!\\)\*+", pattern)
    regexp = ".*".join(re.escape(bit.replace("\\*", "*")) for bit in bits)
    return re.fullmatch(regexp, string.strip(), re.I if ignorecase else 0) is not None


def numerical_right(response, answer, tolerance):
    return abs(float(response) - float(answer)) <= abs(float(tolerance)) + 1e-12 * max(1.0, abs(float(answer)))


def test_the_port_reads_moodle_syntax_as_moodle_does():
    assert wildcard_match("3*x^2 - 2", "3\\*x^2 - 2")
    assert not wildcard_match("3*x^2 - 2", "3\\\\*x^2 - 2")  # the old double escape: Moodle wants a backslash
    assert wildcard_match("3 times x", "3*x") and not wildcard_match("3*x+1", "3\\*x")
    (blank,) = cloze_blanks("<p>{2:SHORTANSWER:=a\\}b~%50%c#half \\# marks}</p>")
    assert blank == (2, "SHORTANSWER", [(1.0, "a}b", "", None), (0.5, "c", "half # marks", None)])
    (blank,) = cloze_blanks("{1:NUMERICAL:=-0.25:0.005}")
    assert blank == (1, "NUMERICAL", [(1.0, "-0.25", "", 0.005)])


# ----- the set ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bank():
    return load_bank()


@pytest.fixture(scope="module")
def problem_set(bank):
    spec = from_flags(templates=bank.ids(), points=3, multiple_choice=True, title="Every template")
    return build(bank, spec, SEED, numbered_variants(SEED, VARIANTS), "test", minimum=2)


@pytest.fixture(scope="module")
def questions(problem_set):
    """(variant id, number) -> the question element of moodle.xml."""
    root = ET.fromstring(moodle.document(problem_set))
    out = {}
    for el in root:
        if el.get("type") != "category":
            number, variant, _ = el.find("name/text").text.split(" ")
            out[(variant, int(number[1:]))] = el
    return out


@pytest.fixture(scope="module")
def expected(bank, problem_set):
    return {(v.id, q.number): bank.instantiate(q.template, q.seed) for v in problem_set.variants for q in v.questions}


def entries(value):
    return [float(x) for x in np.ravel(np.asarray(value, dtype=np.float64))]


def test_every_key_is_accepted_by_moodles_matching(problem_set, questions, expected):
    kinds = set()
    for v in problem_set.variants:
        for q in v.questions:
            el, ref = questions[(v.id, q.number)], expected[(v.id, q.number)]
            kinds.add(el.get("type"))
            check_question(el, q, ref)
    assert kinds == {"numerical", "multichoice", "cloze"}


def test_a_formula_alone_is_a_short_answer_moodle_accepts(problem_set, expected):
    """No template asks for one formula alone: the derivative question cut to its formula part."""
    v = problem_set.variants[0]
    q = next(q for q in v.questions if q.template == "derivative")
    alone = replace(q, parts=q.parts[:1], shown={"html": replace(q.shown["html"], labels=("",), answers=("",))})
    ps = replace(problem_set, variants=(replace(v, questions=(alone,)),))
    (el,) = [el for el in ET.fromstring(moodle.document(ps)) if el.get("type") != "category"]
    assert el.get("type") == "shortanswer"
    check_question(el, alone, expected[(v.id, q.number)])


def check_question(el, q, ref):
    kind = el.get("type")
    if kind == "numerical":
        (answer,) = el.findall("answer")
        (value,) = ref.expected.values()
        assert NUMERICAL.match(answer.find("text").text)
        assert numerical_right(value, answer.find("text").text, answer.find("tolerance").text)
    elif kind == "shortanswer":
        check_formula([(float(a.get("fraction")) / 100, a.find("text").text) for a in el.findall("answer")],
                      ref.expected[ref.parts[0].name])
    elif kind == "multichoice":
        assert el.find("shuffleanswers").text == "true"
        right = [a for a in el.findall("answer") if a.get("fraction") == "100"]
        assert len(right) == 1 and len(el.findall("answer")) >= 2
    else:
        check_cloze(el.find("questiontext/text").text, q, ref)


def check_formula(alternatives, formula):
    """The formula typed as the key shows it, and without spaces, gets full marks; a changed one none."""
    def mark(response):
        return next((f for f, pattern in alternatives if wildcard_match(response, pattern)), 0.0)

    text = str(formula)
    assert mark(text) == 1.0 and mark("".join(text.split())) == 1.0, (text, alternatives)
    assert mark(text + " + 1") == 0.0


def check_cloze(text, q, ref):
    blanks = iter(cloze_blanks(text))
    weights = []
    for part, spec in zip(q.parts, ref.parts):
        value = ref.expected[spec.name]
        if part.choices:
            weight, kind, alts = next(blanks)
            assert kind == "MULTICHOICE_S"
            (right,) = [a for f, a, _, _ in alts if f == 1.0]
            assert right == next(c.text for c in part.choices if c.correct)
            weights.append(weight)
        elif spec.type in ("number", "integer", "vector", "matrix"):
            got = [next(blanks) for _ in entries(value)]
            for want, (_, kind, ((fraction, answer, _, tol),)) in zip(entries(value), got):
                assert kind == "NUMERICAL" and fraction == 1.0 and numerical_right(want, answer, tol)
            weights.append(sum(w for w, _, _ in got))
        else:
            weight, kind, alts = next(blanks)
            assert kind == "SHORTANSWER"
            check_formula([(f, a) for f, a, _, _ in alts], value)
            weights.append(weight)
    assert next(blanks, None) is None
    # each part's blanks weigh in proportion to the part's points
    shares = [w / sum(weights) for w in weights]
    points = [q.part_points(i) / q.points for i in range(len(q.parts))]
    assert np.allclose(shares, points), (q.template, weights)


def test_question_text_is_typeset_html_without_internal_names(problem_set, questions):
    for v in problem_set.variants:
        for q in v.questions:
            el = questions[(v.id, q.number)]
            body = el.find("questiontext/text").text + el.find("generalfeedback/text").text
            for part in q.parts:
                if "_" in part.name:
                    assert f"{part.name} =" not in body and f"{part.name}:" not in body, part.name
    mlp = next(questions[(v.id, q.number)] for v in problem_set.variants for q in v.questions
               if q.template == "mlp-2layer")
    assert r"\begin{bmatrix}" in mlp.find("questiontext/text").text
    assert r"\(\partial L/\partial W_{1}\)" in mlp.find("questiontext/text").text


def test_a_category_per_question_position(problem_set):
    root = ET.fromstring(moodle.document(problem_set))
    paths = [el.find("category/text").text for el in root if el.get("type") == "category"]
    assert len(paths) == len(set(paths)) == len(problem_set.variants[0].questions)
