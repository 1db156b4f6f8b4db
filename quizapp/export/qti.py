"""QTI packages: ``qti12-canvas.zip`` (QTI 1.2, as Canvas imports it) and ``qti21.zip`` (QTI 2.1, for
Blackboard, D2L, OpenOLAT, Inspera, TAO...). Both are IMS content packages (a zip with
``imsmanifest.xml``) written with the standard library.

Libraries on PyPI were looked at: ``text2qti`` writes Canvas QTI 1.2 from its own Markdown
dialect only; ``qti-package-maker`` (LGPL, lxml, crcmod, num2words, tabulate) writes one answer
per item and no per-blank tolerance or feedback; neither writes QTI 2.1 items with several
responses. ElementTree writes both formats in a few hundred lines, byte for byte reproducibly.

**QTI 2.1**: one item per question and variant, every part in it (a ``textEntryInteraction``
per number or entry, a ``choiceInteraction`` per choice part, shuffled by the player), each
response scored by its own condition: ``equal`` with ``toleranceMode="absolute"`` and the part's
tolerance (the grader's band, to three significant figures rounded up, as Moodle gets it), so a
question scores its points shared among its parts as the other exports weigh them. The worked
solution is a modal feedback shown after submitting. The test has one section per question
position holding every variant with ``<selection select="1"/>``: the item bank a student draws
one variant from.

**QTI 1.2 (Canvas)**: Canvas's question types hold one answer each (``numerical_question``
with its margin, ``multiple_choice_question`` with feedback per option,
``short_answer_question``), so, as in GIFT, each part and each entry of a vector or matrix part
is its own item, and each (question, part, entry) is a question group (``selection_number``
1, its points per item) holding that blank in every variant. The worked solution is the general
feedback.
"""

from __future__ import annotations

import html.parser
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from typing import Any

from quizapp.export.gift import entries
from quizapp.export.htmltext import esc, math_part, math_solution, math_stem
from quizapp.export.model import ExportPart, ExportQuestion, ProblemSet, apportion, points_text
from quizapp.export.moodle import accepted_forms, choice_html, number, tolerance

FILES = ("qti12-canvas.zip", "qti21.zip")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # a constant date in the zip: same set, same bytes
QTI21 = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI12 = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMAS = {QTI21: "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd",
           QTI12: "http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd",
           CP: "http://www.imsglobal.org/xsd/imscp_v1p1.xsd"}


# ----- shared ------------------------------------------------------------------------------

def identifier(*parts: Any) -> str:
    """An identifier QTI accepts (an NCName: a letter first, then letters, digits, ``_ - .``)."""
    text = "_".join(str(p) for p in parts if str(p))
    text = re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")
    return text if re.match(r"[A-Za-z_]", text) else "I" + text


def positions(ps: ProblemSet) -> Iterator[tuple[str, int, ExportQuestion]]:
    """(``Q01``, index, the question in the first variant) for each question position."""
    if not ps.variants:
        return
    width = len(str(len(ps.variants[0].questions)))
    for index, first in enumerate(ps.variants[0].questions):
        yield f"Q{first.number:0{width}d}", index, first


def bounds(value: Any, tol: Any) -> tuple[str, str, str]:
    """The answer and the band around it as decimals, exactly (no float noise in a bound)."""
    centre, width = Decimal(number(value)), Decimal(tolerance(tol))
    return number(value), _decimal(centre - width), _decimal(centre + width)


def _decimal(x: Decimal) -> str:
    text = format(x.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def xml_bytes(root: ET.Element, namespace: str, indent: bool = True) -> bytes:
    """``root`` as a document in ``namespace``; an item body is not indented (spaces in <pre> show)."""
    root.set("xmlns", namespace)
    root.set("xmlns:xsi", XSI)
    root.set("xsi:schemaLocation", f"{namespace} {SCHEMAS[namespace]}")
    if indent:
        ET.indent(root)
    return tostring(root) + b"\n"


XML_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"


class _Unusual(Exception):
    """A tree the fast writer leaves to ElementTree (a namespaced tag, a comment, a non-text value)."""


def tostring(root: ET.Element) -> bytes:
    """``ET.tostring(root, encoding="utf-8", xml_declaration=True)``, the same bytes, several times faster.

    ElementTree writes each piece through a text stream (millions of small writes for a large
    set); our trees are plain (no namespaced tags, comments or processing instructions), so they
    are written into a list and encoded once. Any other tree goes to ElementTree itself.
    """
    pieces = [XML_DECLARATION]
    done = io.BytesIO()

    def write(piece: str) -> None:
        pieces.append(piece)
        if len(pieces) >= CHUNK:  # encoded as it goes: a list of every piece would double the memory
            done.write("".join(pieces).encode("utf-8", "xmlcharrefreplace"))
            pieces.clear()

    try:
        _write(root, write)
    except _Unusual:
        return ET.tostring(root, encoding="utf-8", xml_declaration=True)
    done.write("".join(pieces).encode("utf-8", "xmlcharrefreplace"))
    return done.getvalue()


CHUNK = 4096  # pieces


def _write(el: ET.Element, write: Any) -> None:
    tag = el.tag
    if type(tag) is not str or "{" in tag:
        raise _Unusual
    write("<" + tag)
    for key, value in el.items():
        if type(key) is not str or type(value) is not str or "{" in key:
            raise _Unusual
        write(f' {key}="{_escape_attrib(value)}"')
    text = el.text
    if text or len(el):
        write(">")
        if text:
            write(_escape_cdata(text))
        for child in el:
            _write(child, write)
        write("</" + tag + ">")
    else:
        write(" />")
    if el.tail:
        write(_escape_cdata(el.tail))


def _escape_cdata(text: str) -> str:
    if type(text) is not str:
        raise _Unusual
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _escape_attrib(text: str) -> str:
    """As ElementTree escapes an attribute value (CR, LF and tab as character references)."""
    for raw, entity in _ATTRIB_ENTITIES:
        if raw in text:
            text = text.replace(raw, entity)
    return text


_ATTRIB_ENTITIES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("\r", "&#13;"),
                    ("\n", "&#10;"), ("\t", "&#09;"))


def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, {k.rstrip("_"): v for k, v in attrs.items()})
    if text is not None:
        el.text = text
    return el


def package(files: dict[str, bytes]) -> bytes:
    """A zip of ``files`` in the given order, with constant dates (reproducible)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return out.getvalue()


def manifest(ident: str, resources: list[tuple[str, str, str, list[str]]]) -> bytes:
    """An IMS content package manifest; resources are (identifier, type, href, dependencies)."""
    root = ET.Element("manifest", {"identifier": ident})
    meta = sub(root, "metadata")
    sub(meta, "schema", "QTIv2.1 Package" if "xmlv2p1" in " ".join(r[1] for r in resources) else "IMS Content")
    sub(meta, "schemaversion", "1.0.0" if "xmlv2p1" in " ".join(r[1] for r in resources) else "1.1.3")
    sub(root, "organizations")
    res = sub(root, "resources")
    for rid, kind, href, deps in resources:
        el = sub(res, "resource", identifier=rid, type=kind, href=href)
        sub(el, "file", href=href)
        for dep in deps:
            sub(el, "dependency", identifierref=dep)
    return xml_bytes(root, CP)


# ----- XHTML for QTI 2.1 -------------------------------------------------------------------

VOID = {"br", "hr", "img"}


class _Builder(html.parser.HTMLParser):
    """Our HTML fragments (``htmltext``) as elements: QTI 2.1 bodies are XML in the QTI namespace."""

    def __init__(self, parent: ET.Element) -> None:
        super().__init__(convert_charrefs=True)
        self.stack = [parent]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = ET.SubElement(self.stack[-1], tag)
        if tag not in VOID:
            self.stack.append(el)

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and len(self.stack) > 1 and self.stack[-1].tag == tag:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        top = self.stack[-1]
        if len(top):
            top[-1].tail = (top[-1].tail or "") + data
        else:
            top.text = (top.text or "") + data


def add_html(parent: ET.Element, fragment: str) -> ET.Element:
    builder = _Builder(parent)
    builder.feed(fragment)
    builder.close()
    return parent


# ----- QTI 2.1 -----------------------------------------------------------------------------

def blanks21(q: ExportQuestion) -> Iterator[tuple[int, str, str, Any, Any]]:
    """(part index, response id, entry description, value, tolerance) for each blank of ``q``."""
    for i, part in enumerate(q.parts):
        letter = "abcdefghijklmnopqrstuvwxyz"[i]
        for which, value, tol in entries(part):
            digits = re.findall(r"\d+", which)
            yield i, identifier("RESPONSE", letter, *digits), which, value, tol


def item21(q: ExportQuestion, ident: str, title: str) -> bytes:
    root = ET.Element("assessmentItem", {"identifier": ident, "title": title, "adaptive": "false",
                                         "timeDependent": "false"})
    blanks = list(blanks21(q))
    weights = {rid: q.part_points(i) / _blank_count(q.parts[i]) for i, rid, *_ in blanks}
    for i, rid, _, value, _tol in blanks:
        _declare(root, q.parts[i], rid, value)
    for name, base, card in (("SCORE", "float", "single"), ("MAXSCORE", "float", "single"),
                             ("FEEDBACK", "identifier", "single")):
        el = sub(root, "outcomeDeclaration", identifier=name, cardinality=card, baseType=base)
        if name == "MAXSCORE":
            sub(sub(el, "defaultValue"), "value", points_text(q.points))
    body = sub(root, "itemBody")
    add_html(body, math_stem(q))
    _interactions(body, q, blanks)
    _processing(root, q, blanks, weights)
    add_html(sub(root, "modalFeedback", outcomeIdentifier="FEEDBACK", identifier="SOLUTION", showHide="show",
                 title="Worked solution"), math_solution(q))
    return xml_bytes(root, QTI21, indent=False)


def _blank_count(part: ExportPart) -> int:
    return sum(1 for _ in entries(part))


POINTS_UNIT = Fraction(1, 1000)  # Canvas keeps an item's points to the thousandth


def blank_points(q: ExportQuestion) -> list[float]:
    """Each Canvas item's points, blank by blank in part order: the part's share over its blanks, to
    the thousandth by largest remainder so the items add up to the question's points exactly
    (1 point over 6 blanks: 0.167 four times, 0.166 twice, not 0.167 six times)."""
    weights = [Fraction(q.part_points(i)).limit_denominator(10**6) / _blank_count(p)
               for i, p in enumerate(q.parts) for _ in entries(p)]
    shares = apportion(q.points, weights, POINTS_UNIT)
    return [float(x) for x in shares] if shares is not None else [float(w) for w in weights]


def _declare(root: ET.Element, part: ExportPart, rid: str, value: Any) -> None:
    if part.choices:
        base, right = "identifier", identifier("C", next(c.letter for c in part.choices if c.correct))
    elif part.type in ("number", "integer", "vector", "matrix"):
        base, right = "float", number(value)
    else:
        base, right = "string", accepted_forms(value)[0]
    el = sub(root, "responseDeclaration", identifier=rid, cardinality="single", baseType=base)
    sub(sub(el, "correctResponse"), "value", right)


def _interactions(body: ET.Element, q: ExportQuestion, blanks: list[tuple[int, str, str, Any, Any]]) -> None:
    done: set[int] = set()
    for i, rid, which, _value, _tol in blanks:
        part = q.parts[i]
        if i not in done:
            add_html(body, math_part(q, i))
            done.add(i)
        if part.choices:
            choice = sub(body, "choiceInteraction", responseIdentifier=rid, shuffle="true", maxChoices="1")
            for c in part.choices:
                add_html(sub(choice, "simpleChoice", identifier=identifier("C", c.letter)), choice_html(c))
            continue
        p = sub(body, "p", (which[0].upper() + which[1:] + ": ") if which else "Answer: ")
        sub(p, "textEntryInteraction", responseIdentifier=rid, expectedLength="12")


def _processing(root: ET.Element, q: ExportQuestion, blanks: list[tuple[int, str, str, Any, Any]],
                weights: dict[str, float]) -> None:
    """Each response adds its weight to SCORE when right (within its tolerance); then the solution shows."""
    rp = sub(root, "responseProcessing")
    for i, rid, _which, value, tol in blanks:
        cond = sub(sub(rp, "responseCondition"), "responseIf")
        _test(cond, q.parts[i], rid, value, tol)
        add = sub(sub(cond, "setOutcomeValue", identifier="SCORE"), "sum")
        sub(add, "variable", identifier="SCORE")
        sub(add, "baseValue", number(weights[rid]), baseType="float")
    sub(sub(rp, "setOutcomeValue", identifier="FEEDBACK"), "baseValue", "SOLUTION", baseType="identifier")


def _test(parent: ET.Element, part: ExportPart, rid: str, value: Any, tol: Any) -> None:
    if part.choices:
        match = sub(parent, "match")
    elif part.type in ("number", "integer", "vector", "matrix"):
        width = tolerance(tol)
        match = sub(parent, "equal", toleranceMode="absolute", tolerance=f"{width} {width}")
    else:
        forms = sub(parent, "or")
        for form in accepted_forms(value):
            same = sub(forms, "stringMatch", caseSensitive="true")
            sub(same, "variable", identifier=rid)
            sub(same, "baseValue", form, baseType="string")
        return
    sub(match, "variable", identifier=rid)
    sub(match, "correct", identifier=rid)


def test21(ps: ProblemSet, sections: list[tuple[str, str, list[str]]]) -> bytes:
    root = ET.Element("assessmentTest", {"identifier": "TEST", "title": ps.title})
    sub(root, "outcomeDeclaration", identifier="SCORE", cardinality="single", baseType="float")
    part = sub(root, "testPart", identifier="PART", navigationMode="nonlinear", submissionMode="simultaneous")
    for sid, title, items in sections:
        section = sub(part, "assessmentSection", identifier=sid, title=title, visible="true")
        sub(section, "selection", select="1")  # the bank: one variant per student
        for item in items:
            sub(section, "assessmentItemRef", identifier=item, href=f"items/{item}.xml")
    total = sub(sub(root, "outcomeProcessing"), "setOutcomeValue", identifier="SCORE")
    sub(sub(total, "sum"), "testVariables", variableIdentifier="SCORE")
    return xml_bytes(root, QTI21)


def package21(ps: ProblemSet) -> bytes:
    items: dict[str, bytes] = {}
    sections = []
    for num, index, first in positions(ps):
        ids = []
        for v in ps.variants:
            q = v.questions[index]
            ident = identifier(num, v.id)
            items[ident] = item21(q, ident, f"{num} {v.id} {q.title}")
            ids.append(ident)
        sections.append((identifier("S", num), f"{num} {first.title}", ids))
    resources = [("TEST", "imsqti_test_xmlv2p1", "test.xml", [f"R_{i}" for i in items])]
    resources += [(f"R_{i}", "imsqti_item_xmlv2p1", f"items/{i}.xml", []) for i in items]
    files = {"imsmanifest.xml": manifest("MANIFEST", resources), "test.xml": test21(ps, sections)}
    files.update({f"items/{i}.xml": data for i, data in items.items()})
    return package(files)


# ----- QTI 1.2 (Canvas) --------------------------------------------------------------------

def canvas_type(part: ExportPart) -> str:
    if part.choices:
        return "multiple_choice_question"
    if part.type in ("number", "integer", "vector", "matrix"):
        return "numerical_question"
    return "short_answer_question"


def _metadata(parent: ET.Element, fields: list[tuple[str, str]]) -> None:
    meta = sub(parent, "qtimetadata")
    for label, entry in fields:
        field = sub(meta, "qtimetadatafield")
        sub(field, "fieldlabel", label)
        sub(field, "fieldentry", entry)


def _mattext(parent: ET.Element, text: str) -> None:
    sub(sub(parent, "material"), "mattext", text, texttype="text/html")


def item12(section: ET.Element, q: ExportQuestion, index: int, entry: tuple[str, Any, Any], ident: str,
           title: str, points: float, html: tuple[str, str, str] | None = None) -> None:
    """One Canvas item: one entry of one part. ``html`` is (stem, the part's heading, solution) when the
    caller has them already (the same for every entry of a part)."""
    part, (which, value, tol) = q.parts[index], entry
    stem, heading, solution = html or (math_stem(q), math_part(q, index), math_solution(q))
    item = sub(section, "item", ident=ident, title=title)
    choices = [identifier(ident, "C", c.letter) for c in part.choices]
    _metadata(sub(item, "itemmetadata"), [("question_type", canvas_type(part)),
                                           ("points_possible", _thousandths(points)),
                                           ("original_answer_ids", ",".join(choices))])
    ask = f"<p>Give {which} of {'the answer to ' + q.part_mark(index) if q.part_mark(index) else 'the answer'}.</p>"
    presentation = sub(item, "presentation")
    _mattext(presentation, stem + heading + (ask if which else ""))
    _response12(presentation, part, choices)
    _processing12(item, part, choices, value, tol)
    _feedback12(item, "general_fb", solution)
    for c, cid in zip(part.choices, choices):
        if c.feedback:
            _feedback12(item, f"{cid}_fb", esc(c.feedback))


def _response12(presentation: ET.Element, part: ExportPart, choices: list[str]) -> None:
    if part.choices:
        render = sub(sub(presentation, "response_lid", ident="response1", rcardinality="Single"), "render_choice",
                     shuffle="Yes")
        for c, cid in zip(part.choices, choices):
            _mattext(sub(render, "response_label", ident=cid), choice_html(c))
        return
    fib = "Decimal" if canvas_type(part) == "numerical_question" else "String"
    render = sub(sub(presentation, "response_str", ident="response1", rcardinality="Single"), "render_fib",
                 fibtype=fib)
    sub(render, "response_label", ident="answer1", rshuffle="No")


def _processing12(item: ET.Element, part: ExportPart, choices: list[str], value: Any, tol: Any) -> None:
    rp = sub(item, "resprocessing")
    sub(sub(rp, "outcomes"), "decvar", maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal")
    general = sub(rp, "respcondition", continue_="Yes")  # the worked solution, whatever was answered
    sub(sub(general, "conditionvar"), "other")
    sub(general, "displayfeedback", feedbacktype="Response", linkrefid="general_fb")
    for c, cid in zip(part.choices, choices):  # each option's feedback names its mistake
        if c.feedback:
            said = sub(rp, "respcondition", continue_="Yes")
            sub(sub(said, "conditionvar"), "varequal", cid, respident="response1")
            sub(said, "displayfeedback", feedbacktype="Response", linkrefid=f"{cid}_fb")
    right = sub(rp, "respcondition", continue_="No")
    _condition12(sub(right, "conditionvar"), part, choices, value, tol)
    sub(right, "setvar", "100", action="Set", varname="SCORE")


def _condition12(cond: ET.Element, part: ExportPart, choices: list[str], value: Any, tol: Any) -> None:
    if part.choices:
        sub(cond, "varequal", choices[[c.correct for c in part.choices].index(True)], respident="response1")
    elif canvas_type(part) == "numerical_question":  # Canvas's "exact answer with margin"
        exact, low, high = bounds(value, tol)
        either = sub(cond, "or")
        sub(either, "varequal", exact, respident="response1")
        both = sub(either, "and")
        sub(both, "vargte", low, respident="response1")
        sub(both, "varlte", high, respident="response1")
    else:
        for form in accepted_forms(value):
            sub(cond, "varequal", form, respident="response1")


def _feedback12(item: ET.Element, ident: str, text: str) -> None:
    _mattext(sub(sub(item, "itemfeedback", ident=ident), "flow_mat"), text)


def assessment12(ps: ProblemSet) -> bytes:
    root = ET.Element("questestinterop")
    test = sub(root, "assessment", ident="A1", title=ps.title)
    _metadata(test, [("cc_maxattempts", "1")])
    top = sub(test, "section", ident="root_section")
    for num, index, first in positions(ps):
        # one group per part and entry, by position: vector sizes, and whether a concept's variant
        # letters its part, may differ between variants
        groups: dict[tuple[str, ...], ET.Element] = {}
        for v in ps.variants:
            q = v.questions[index]
            stem, solution = math_stem(q), math_solution(q)  # once per question, not per entry
            shares = iter(blank_points(q))
            for i, part in enumerate(q.parts):
                html = (stem, math_part(q, i), solution)
                for entry in entries(part):
                    share = next(shares)
                    which = " ".join(x for x in (q.part_mark(i), entry[0]) if x)
                    key = ("abcdefghijklmnopqrstuvwxyz"[i], *re.findall(r"\d+", entry[0]))
                    if key not in groups:
                        groups[key] = _group12(top, identifier("G", num, *key), num, first, which, share)
                    item12(groups[key], q, i, entry, identifier(num, v.id, *key),
                           " ".join(x for x in (num, v.id, which) if x), share, html)
    return xml_bytes(root, QTI12)


def _thousandths(points: float) -> str:
    return f"{points:.3f}".rstrip("0").rstrip(".")


def _group12(top: ET.Element, ident: str, num: str, first: ExportQuestion, which: str, points: float) -> ET.Element:
    """A Canvas question group: one item drawn from it for each student, worth ``points``."""
    title = " ".join(x for x in (num, first.title, which) if x)
    group = sub(top, "section", ident=ident, title=title)
    selection = sub(sub(group, "selection_ordering"), "selection")
    sub(selection, "selection_number", "1")
    sub(sub(selection, "selection_extension"), "points_per_item", _thousandths(points))
    return group


def package12(ps: ProblemSet) -> bytes:
    resources = [("A1", "imsqti_xmlv1p2", "A1/A1.xml", [])]
    return package({"imsmanifest.xml": manifest("MANIFEST", resources), "A1/A1.xml": assessment12(ps)})


def render(ps: ProblemSet) -> dict[str, bytes]:
    return {FILES[0]: package12(ps), FILES[1]: package21(ps)}
