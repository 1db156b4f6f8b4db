"""Both QTI packages validated against IMS Global's published XML schemas (``tests/data/ims``, its README
says where each came from): every file of each zip, the manifests against IMS Content Packaging 1.1.4,
the Canvas assessment against QTI ASI 1.2, the QTI 2.1 test and items against QTI 2.1 (final, 2012).
Each document's ``xsi:schemaLocation`` must name the schema it is validated against. lxml never
reaches the network: the vendored schemas import each other by relative paths. Broken documents are
rejected, so the validation cannot pass vacuously.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree  # the test extra's; not skipped when missing: a skipped validation proves nothing

from question_bank.bank import load_bank
from quizapp.export import qti
from quizapp.export.build import build, numbered_variants, roster_variants
from quizapp.export.spec import from_flags

IMS = Path(__file__).resolve().parents[1] / "data" / "ims"
XSI = "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation"
XS = "{http://www.w3.org/2001/XMLSchema}"
# the schema each document names (xsi:schemaLocation) -> the vendored file it is validated against
LOCAL = {qti.SCHEMAS[qti.QTI21]: "qtiv2p1/imsqti_v2p1.xsd",
         qti.SCHEMAS[qti.QTI12]: "qtiv1p2/ims_qtiasiv1p2.xsd",
         qti.SCHEMAS[qti.CP]: "imscp_v1p1.xsd"}
ROOTS = {"imsmanifest.xml": "manifest", "test.xml": "assessmentTest", "A1/A1.xml": "questestinterop"}


def parser():
    return etree.XMLParser(no_network=True, resolve_entities=False)


@pytest.fixture(scope="module")
def schemas():
    return {url: etree.XMLSchema(etree.parse(str(IMS / path), parser())) for url, path in LOCAL.items()}


SETS = {
    # every template (numbers, vectors, matrices, expressions, concept questions), multiple choice on
    "every-template-mc": dict(multiple_choice=True, keys=lambda: numbered_variants(5, 2), title="Every template"),
    # numeric parts only, students from a roster whose ids are no identifiers, markup in the title
    "roster-numeric": dict(multiple_choice=False, title='Midterm <A> & "B" – é',
                           keys=lambda: roster_variants(11, [("0042", "Ann"), ("b.o@x.org", "Bo"), ("é 9", "Zé")])),
}


@pytest.fixture(scope="module", params=sorted(SETS))
def problem_set(request):
    bank = load_bank()
    how = SETS[request.param]
    spec = from_flags(templates=bank.ids(), points=3, multiple_choice=how["multiple_choice"], title=how["title"])
    return build(bank, spec, 5, how["keys"](), "test", minimum=2)


@pytest.fixture(scope="module")
def packages(problem_set):
    return qti.render(problem_set)


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def schema_url(doc) -> str:
    """The schema the document names for its own namespace in ``xsi:schemaLocation``."""
    pairs = (doc.get(XSI) or "").split()
    named = dict(zip(pairs[::2], pairs[1::2]))
    namespace = etree.QName(doc).namespace
    assert namespace in named, f"xsi:schemaLocation names no schema for {namespace}: {doc.get(XSI)!r}"
    return named[namespace]


def problems(schema, doc) -> list[str]:
    """The schema's errors for ``doc`` as ``file:line element-path: message`` (none when it is valid)."""
    if schema.validate(doc):
        return []
    return [f"{e.filename}:{e.line} {e.path}: {e.message}" for e in schema.error_log]


def test_the_sets_have_every_kind_of_part(problem_set):
    """Vector, matrix, formula and number parts (and, in one set, multiple choice) are all exported."""
    parts = [p for v in problem_set.variants for q in v.questions for p in q.parts]
    assert {"number", "vector", "matrix", "expression"} <= {p.type for p in parts}
    assert len({q.id for q in problem_set.variants[0].questions}) >= 10


@pytest.mark.parametrize("zip_name", qti.FILES)
def test_every_file_of_the_package_validates(packages, schemas, zip_name):
    files = unzip(packages[zip_name])
    assert "imsmanifest.xml" in files
    errors, roots = [], set()
    for name, data in files.items():
        doc = etree.fromstring(data, parser(), base_url=f"{zip_name}/{name}")
        roots.add(etree.QName(doc).localname)
        url = schema_url(doc)
        assert url in LOCAL, f"{zip_name}/{name} names {url}, which is not vendored in {IMS}"
        errors += problems(schemas[url], doc)
    assert not errors, f"{len(errors)} schema errors:\n" + "\n".join(errors[:50])
    expected = {"manifest", "questestinterop"} if zip_name.startswith("qti12") else {
        "manifest", "assessmentTest", "assessmentItem"}
    assert roots == expected


def test_multiple_choice_is_exported_and_valid(packages, problem_set):
    """The multiple-choice set really has choice interactions (so the schema saw them)."""
    if not any(p.choices for v in problem_set.variants for q in v.questions for p in q.parts):
        pytest.skip("this set has no multiple-choice part")
    files = unzip(packages["qti21.zip"])
    tags = {etree.QName(el).localname for name, data in files.items() if name.startswith("items/")
            for el in etree.fromstring(data).iter()}
    assert {"choiceInteraction", "simpleChoice", "textEntryInteraction"} <= tags
    canvas = etree.fromstring(unzip(packages["qti12-canvas.zip"])["A1/A1.xml"])
    assert {"response_lid", "render_choice", "response_str", "render_fib"} <= {
        etree.QName(el).localname for el in canvas.iter()}


def test_the_schemas_import_each_other_locally():
    """Every import and include that names a file names one in this folder: validation never needs
    the network."""
    files = sorted(IMS.rglob("*.xsd"))
    assert len(files) >= 8
    for path in files:
        for el in etree.parse(str(path), parser()).iter(f"{XS}import", f"{XS}include", f"{XS}redefine"):
            location = el.get("schemaLocation")
            if location is None:  # MathML's bare <xs:import/>: any foreign namespace, nothing to load
                continue
            assert "://" not in location, (path, location)
            assert (path.parent / location).resolve().is_file(), (path, location)


# ----- broken documents are rejected -----------------------------------------------------------

def _item21(files):
    return etree.fromstring(files[next(n for n in files if n.startswith("items/"))])


def _canvas(files):
    return etree.fromstring(files["A1/A1.xml"])


def _manifest(files):
    return etree.fromstring(files["imsmanifest.xml"])


def _body_after_processing(item):
    body = item.find(f"{{{qti.QTI21}}}itemBody")
    item.remove(body)
    item.append(body)  # itemBody must come before responseProcessing


def _identifier_not_ncname(item):
    item.find(f"{{{qti.QTI21}}}responseDeclaration").set("identifier", "1 blank")


def _block_in_paragraph(item):
    etree.SubElement(item.find(f"{{{qti.QTI21}}}itemBody").find(f"{{{qti.QTI21}}}p"), f"{{{qti.QTI21}}}div")


def _item_without_ident(doc):
    del next(doc.iter(f"{{{qti.QTI12}}}item")).attrib["ident"]


def _without_organizations(doc):
    doc.remove(doc.find(f"{{{qti.CP}}}organizations"))


BROKEN = {  # (package, which document, how it is broken, what the schema says)
    "qti21 itemBody after responseProcessing": ("qti21.zip", _item21, _body_after_processing, "not expected"),
    "qti21 identifier not an NCName": ("qti21.zip", _item21, _identifier_not_ncname, "identifier"),
    "qti21 div inside p": ("qti21.zip", _item21, _block_in_paragraph, "div"),
    "qti12 item without ident": ("qti12-canvas.zip", _canvas, _item_without_ident, "'ident' is required"),
    "manifest without organizations": ("qti21.zip", _manifest, _without_organizations, "organizations"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_document_is_rejected(packages, schemas, case):
    """The document as exported is valid; broken in one place, the schema rejects it and says where."""
    zip_name, pick, breaker, says = BROKEN[case]
    doc = pick(unzip(packages[zip_name]))
    schema = schemas[schema_url(doc)]
    assert problems(schema, doc) == []
    breaker(doc)
    errors = problems(schema, doc)
    assert errors, f"{case}: the schema accepted a broken document"
    assert any(says in e for e in errors), errors
