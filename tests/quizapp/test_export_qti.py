"""QTI packages read back with the standard library: the content package's manifest, the QTI 2.1 test
(a section per question drawing one variant) and items, the Canvas QTI 1.2 assessment (a question group
per part and entry). Identifiers are unique, every response is declared, answered by one interaction and
scored by one condition; a small interpreter of the response processing written here scores the right
answers full marks and answers two bands off zero, as the grader would.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from fractions import Fraction

import numpy as np
import pytest

from question_bank.bank import load_bank
from quizapp.export import qti
from quizapp.export.build import build, numbered_variants
from quizapp.export.gift import entries
from quizapp.export.moodle import tolerance
from quizapp.export.spec import from_flags

SEED = 5
N21 = {"q": qti.QTI21}
N12 = {"q": qti.QTI12}
NCP = {"cp": qti.CP}


def internal_names(q):
    """The question's code-like part and parameter names (grad_w0, dW1), as lint defines them."""
    names = [p.name for p in q.parts] + list(q.params)
    return [n for n in names if re.search(r"_|[A-Za-z]\d+$", n)]


def shows_internal(text, q):
    return [n for n in internal_names(q) if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text)]


@pytest.fixture(scope="module")
def problem_set():
    bank = load_bank()
    spec = from_flags(templates=bank.ids(), points=3, multiple_choice=True, title="Every template")
    return build(bank, spec, SEED, numbered_variants(SEED, 2), "test", minimum=2)


@pytest.fixture(scope="module")
def files(problem_set):
    return qti.render(problem_set)


def unzip(data):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def check_manifest(package):
    manifest = ET.fromstring(package["imsmanifest.xml"])
    resources = manifest.findall("cp:resources/cp:resource", NCP)
    ids = [r.get("identifier") for r in resources]
    assert len(ids) == len(set(ids))
    for r in resources:
        assert r.get("href") in package
        assert [f.get("href") for f in r.findall("cp:file", NCP)] == [r.get("href")]
        assert {d.get("identifierref") for d in r.findall("cp:dependency", NCP)} <= set(ids)
    listed = {r.get("href") for r in resources}
    assert listed == set(package) - {"imsmanifest.xml"}
    return resources


# ----- QTI 2.1 -------------------------------------------------------------------------------

def _value(el, responses, correct):
    tag = el.tag.split("}")[1]
    if tag == "variable":
        return responses.get(el.get("identifier"))
    if tag == "correct":
        return correct[el.get("identifier")]
    if tag == "baseValue":
        return el.text
    raise AssertionError(f"unexpected expression {tag}")


def _true(el, responses, correct):
    tag = el.tag.split("}")[1]
    args = list(el)
    if tag == "or":
        return any(_true(a, responses, correct) for a in args)
    a, b = (_value(x, responses, correct) for x in args)
    if a is None:
        return False
    if tag == "match" or tag == "stringMatch":
        return a == b
    assert tag == "equal" and el.get("toleranceMode") == "absolute"
    low, high = (float(t) for t in el.get("tolerance").split())
    return float(b) - low <= float(a) <= float(b) + high


def score21(item, responses):
    """SCORE after the item's response processing, as a QTI player computes it (our subset)."""
    correct = {d.get("identifier"): d.find("q:correctResponse/q:value", N21).text
               for d in item.findall("q:responseDeclaration", N21)}
    score = 0.0
    for cond in item.findall("q:responseProcessing/q:responseCondition/q:responseIf", N21):
        test, action = list(cond)
        if _true(test, responses, correct):
            total = action.find("q:sum", N21)
            assert total.find("q:variable", N21).get("identifier") == "SCORE"
            score += float(total.find("q:baseValue", N21).text)
    return score


def test_qti21_package_is_a_test_with_a_bank_per_question(files, problem_set):
    package = unzip(files["qti21.zip"])
    check_manifest(package)
    test = ET.fromstring(package["test.xml"])
    sections = test.findall("q:testPart/q:assessmentSection", N21)
    assert len(sections) == len(problem_set.variants[0].questions)
    for index, section in enumerate(sections):
        assert section.find("q:selection", N21).get("select") == "1"
        refs = [r.get("href") for r in section.findall("q:assessmentItemRef", N21)]
        assert len(refs) == len(problem_set.variants)
        for ref, v in zip(refs, problem_set.variants):
            item = ET.fromstring(package[ref])
            assert item.get("identifier") == ref.removeprefix("items/").removesuffix(".xml")
            check_item21(item, v.questions[index])


def check_item21(item, q):
    declared = [d.get("identifier") for d in item.findall("q:responseDeclaration", N21)]
    assert len(declared) == len(set(declared)) == sum(sum(1 for _ in entries(p)) for p in q.parts)
    interactions = [i.get("responseIdentifier") for i in item.iter()
                    if i.tag.endswith("Interaction")]
    assert sorted(interactions) == sorted(declared)
    scored = [{v.get("identifier") for v in c[0].iter() if v.tag.endswith("}variable")}
              for c in item.findall("q:responseProcessing/q:responseCondition/q:responseIf", N21)]
    assert all(len(ids) == 1 for ids in scored)
    assert sorted(i for ids in scored for i in ids) == sorted(declared)  # each scored once, nothing else
    for choice in item.iter(f"{{{qti.QTI21}}}choiceInteraction"):
        ids = [c.get("identifier") for c in choice.findall("q:simpleChoice", N21)]
        assert len(ids) == len(set(ids)) and choice.get("shuffle") == "true"
    assert item.find("q:modalFeedback", N21).get("identifier") == "SOLUTION"
    text = "".join(item.find("q:itemBody", N21).itertext())
    assert not shows_internal(text, q), (q.id, shows_internal(text, q))
    right = {d.get("identifier"): d.find("q:correctResponse/q:value", N21).text
             for d in item.findall("q:responseDeclaration", N21)}
    assert score21(item, right) == pytest.approx(q.points, rel=1e-9)
    check_bands21(item, q, right)


def check_bands21(item, q, right):
    """A number within the grader's band scores; two bands off it does not."""
    tests = {c[0][0].get("identifier"): c[0] for c in
             item.findall("q:responseProcessing/q:responseCondition/q:responseIf", N21) if c[0].tag.endswith("equal")}
    bands = [tol for p in q.parts if not p.choices and p.type in ("number", "integer", "vector", "matrix")
             for _, _, tol in entries(p)]
    assert len(bands) == len(tests)
    for (rid, test), band in zip(tests.items(), bands):
        width = float(test.get("tolerance").split()[0])
        assert float(band) <= width <= max(float(band) * 1.01, 1e-300) or float(band) == width == 0
        value = float(right[rid])
        assert score21(item, {**right, rid: str(value + float(band))}) == pytest.approx(q.points)
        if width:
            assert score21(item, {**right, rid: str(value + 2 * width)}) < q.points


# ----- QTI 1.2 (Canvas) ----------------------------------------------------------------------

CANVAS_TYPES = {"numerical_question", "multiple_choice_question", "short_answer_question"}


def test_qti12_package_has_a_question_group_per_part_and_entry(files, problem_set):
    package = unzip(files["qti12-canvas.zip"])
    (resource,) = check_manifest(package)
    assert resource.get("type") == "imsqti_xmlv1p2"
    root = ET.fromstring(package[resource.get("href")])
    groups = root.findall("q:assessment/q:section/q:section", N12)
    idents = [el.get("ident") for el in root.iter() if el.get("ident") and el.tag.split("}")[1] in ("item", "section")]
    assert len(idents) == len(set(idents))
    by_variant = {v.id: v for v in problem_set.variants}
    blanks = sum(1 for v in problem_set.variants for q in v.questions for p in q.parts for _ in entries(p))
    assert sum(len(g.findall("q:item", N12)) for g in groups) == blanks  # every blank of every variant, once
    for group in groups:
        assert group.find("q:selection_ordering/q:selection/q:selection_number", N12).text == "1"
        items = group.findall("q:item", N12)
        # every variant that has this part or entry (vector sizes may differ), each once
        variants = [item.get("ident").split("_")[1] for item in items]
        assert 1 <= len(variants) == len(set(variants)) <= len(problem_set.variants)
        for item, vid in zip(items, variants):
            check_item12(item, by_variant[vid].questions[int(group.get("ident").split("_")[1][1:]) - 1])


def check_item12(item, q):
    meta = {f.find("q:fieldlabel", N12).text: f.find("q:fieldentry", N12).text
            for f in item.findall("q:itemmetadata/q:qtimetadata/q:qtimetadatafield", N12)}
    assert meta["question_type"] in CANVAS_TYPES
    responses = [r.get("ident") for r in item.find("q:presentation", N12) if r.tag.endswith(("response_lid",
                                                                                               "response_str"))]
    assert responses == ["response1"]
    labels = [r.get("ident") for r in item.iter(f"{{{qti.QTI12}}}response_label")]
    assert len(labels) == len(set(labels))
    feedback = {f.get("ident") for f in item.findall("q:itemfeedback", N12)}
    for shown in item.iter(f"{{{qti.QTI12}}}displayfeedback"):
        assert shown.get("linkrefid") in feedback
    conditions = item.findall("q:resprocessing/q:respcondition", N12)
    for var in item.iter():
        if var.get("respident"):
            assert var.get("respident") == "response1"
    scoring = [c for c in conditions if c.find("q:setvar", N12) is not None]
    assert len(scoring) == 1 and scoring[0].find("q:setvar", N12).text == "100"
    cond = scoring[0].find("q:conditionvar", N12)
    if meta["question_type"] == "multiple_choice_question":
        assert cond.find("q:varequal", N12).text in labels
        assert set(meta["original_answer_ids"].split(",")) == set(labels)
    text = item.find("q:presentation/q:material/q:mattext", N12).text
    assert not shows_internal(text, q), (q.id, shows_internal(text, q))


def test_canvas_numeric_margin_is_the_graders_band(problem_set):
    """Canvas's exact answer with margin: the bounds are the answer ± the band rounded up, as decimals."""
    for v in problem_set.variants:
        for q in v.questions:
            for part in q.parts:
                if part.choices or part.type not in ("number", "integer", "vector", "matrix"):
                    continue
                for _, value, tol in entries(part):
                    exact, low, high = qti.bounds(value, tol)
                    width = float(tolerance(tol))
                    assert float(low) <= float(value) - float(tol) + 1e-12 * max(1.0, abs(float(value)))
                    assert float(high) >= float(value) + float(tol) - 1e-12 * max(1.0, abs(float(value)))
                    assert float(high) - float(low) == pytest.approx(2 * width, abs=1e-12)
                    assert "e" not in low + high and float(exact) == pytest.approx(float(value), rel=1e-6)


def test_same_set_same_bytes(problem_set, files):
    assert qti.render(problem_set) == files
    assert np.all([i.date_time == qti.ZIP_TIME for i in zipfile.ZipFile(io.BytesIO(files["qti21.zip"])).infolist()])


def test_identifiers_are_ncnames():
    assert qti.identifier("Q01", "s 03/é") == "Q01_s-03"
    assert qti.identifier("3", "x") == "I3_x"


def test_canvas_items_of_a_question_add_up_to_its_points_exactly():
    # 1 point over adam-step's three vector parts: a sixth or a ninth per blank, to the thousandth by
    # largest remainder, so a question's items add up to 1 (six items of 0.167 made 1.002)
    bank = load_bank()
    ps = build(bank, from_flags(templates=["adam-step"], points=1), SEED, numbered_variants(SEED, 4), "test")
    package = unzip(qti.render(ps)["qti12-canvas.zip"])
    (resource,) = check_manifest(package)
    root = ET.fromstring(package[resource.get("href")])
    totals: dict[tuple[str, str], Fraction] = {}
    for item in root.iter(f"{{{qti.QTI12}}}item"):
        meta = {f.find("q:fieldlabel", N12).text: f.find("q:fieldentry", N12).text
                for f in item.findall("q:itemmetadata/q:qtimetadata/q:qtimetadatafield", N12)}
        points = Fraction(meta["points_possible"])
        assert points * 1000 == int(points * 1000) and points > 0
        question, vid = item.get("ident").split("_")[:2]  # Q1_v1_a_1: question 1, variant v1, (a), entry 1
        totals[(vid, question)] = totals.get((vid, question), Fraction(0)) + points
    assert len(totals) == 4 and set(totals.values()) == {Fraction(1)}
