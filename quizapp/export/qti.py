"""QTI packages: ``qti12-canvas.zip`` (QTI 1.2, as Canvas imports it) and ``qti21.zip`` (QTI 2.1, for
Blackboard, D2L, OpenOLAT, Inspera, TAO...). Both are IMS content packages (a zip with
``imsmanifest.xml``) written with the standard library.

Libraries on PyPI were looked at: ``text2qti`` writes Canvas QTI 1.2 from its own Markdown
dialect only; ``qti-package-maker`` (LGPL, lxml, crcmod, num2words, tabulate) writes one answer
per item and no per-blank tolerance or feedback; neither writes QTI 2.1 items with several
responses. Both formats are written as text here, byte for byte reproducibly, laid out as ElementTree
writes them (``ET.indent`` for the indented documents).

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
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
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

_NOT_NAME = re.compile(r"[^A-Za-z0-9_.-]+")
_NAME_START = re.compile(r"[A-Za-z_]")
_DIGITS = re.compile(r"\d+")


def identifier(*parts: Any) -> str:
    """An identifier QTI accepts (an NCName: a letter first, then letters, digits, ``_ - .``)."""
    text = "_".join(str(p) for p in parts if str(p))
    text = _NOT_NAME.sub("-", text).strip("-")
    return text if _NAME_START.match(text) else "I" + text


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


def _blank_counts(q: ExportQuestion) -> list[int]:
    """How many blanks (entries) each part of ``q`` has."""
    return [sum(1 for _ in entries(part)) for part in q.parts]


# ----- XML as text -------------------------------------------------------------------------
# A large set has over half a million elements: building them as an ElementTree, indenting it and
# serialising it took several times longer than writing the text directly. These helpers write
# what ElementTree wrote, byte for byte: attributes in the order given, ``<tag />`` for an element
# with no content, ElementTree's escapes, UTF-8 with the same declaration; and an indented document
# as ``ET.indent`` lays it out (every element on its own line, two spaces a level, an element that
# holds only text on one line).

XML_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"
_PAD = tuple("\n" + "  " * depth for depth in range(32))  # the line break and indent before an element


def el(tag: str, inner: str = "", **attrs: str) -> str:
    """An element of an unindented document; ``inner`` is its content, XML already."""
    return _element("", tag, attrs, inner, "")


def node(depth: int, tag: str, *children: str, **attrs: str) -> str:
    """An element at ``depth`` of an indented document holding ``children``, elements written at ``depth + 1``."""
    return _element(_PAD[depth], tag, attrs, "".join(children), _PAD[depth])


def leaf(depth: int, tag: str, text: str | None = None, **attrs: str) -> str:
    """An element at ``depth`` of an indented document holding only ``text`` (escaped here)."""
    return _element(_PAD[depth], tag, attrs, escape_text(text) if text else "", "")


def _element(pad: str, tag: str, attrs: dict[str, str], inner: str, end: str) -> str:
    written = ""
    for key, value in attrs.items():  # a trailing underscore lets a Python keyword name one (continue_)
        written += f' {key.rstrip("_")}="{_escape_attrib(value)}"'
    return f"{pad}<{tag}{written}>{inner}{end}</{tag}>" if inner else f"{pad}<{tag}{written} />"


# Most of an item is the same elements in every item (or variant); only a few texts differ. Such a frame
# is written once with a sentinel where each text goes (the text then escaped by hand, as el() would).
_HOLE = "\x00"  # no text or attribute of ours holds a NUL


def _filled(frame: tuple[str, ...], *texts: str) -> str:
    """``frame``'s pieces with ``texts`` (XML already, none empty: an empty one makes ``<tag />``) between."""
    out = frame[0]
    for text, piece in zip(texts, frame[1:]):
        out += text + piece
    return out


def namespaced(namespace: str) -> dict[str, str]:
    """A root element's namespace attributes (written after its own)."""
    return {"xmlns": namespace, "xmlns:xsi": XSI, "xsi:schemaLocation": f"{namespace} {SCHEMAS[namespace]}"}


def xml_document(root: str) -> bytes:
    """The document of ``root`` (an indented root is written at depth 0: its leading line break goes)."""
    return _encode(XML_DECLARATION + root.removeprefix("\n") + "\n")


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "xmlcharrefreplace")


def escape_text(text: str) -> str:
    """Text content as ElementTree escapes it."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _escape_attrib(text: str) -> str:
    """As ElementTree escapes an attribute value (CR, LF and tab as character references)."""
    if not _ATTRIB_SPECIAL.search(text):  # most are identifiers: one search instead of seven
        return text
    for raw, entity in _ATTRIB_ENTITIES:
        if raw in text:
            text = text.replace(raw, entity)
    return text


_ATTRIB_SPECIAL = re.compile(r'[&<>"\r\n\t]')
_ATTRIB_ENTITIES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("\r", "&#13;"),
                    ("\n", "&#10;"), ("\t", "&#09;"))


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
    qti21 = "xmlv2p1" in " ".join(r[1] for r in resources)
    listed = [node(2, "resource", leaf(3, "file", href=href),
                   *(leaf(3, "dependency", identifierref=dep) for dep in deps), identifier=rid, type=kind, href=href)
              for rid, kind, href, deps in resources]
    meta = node(1, "metadata", leaf(2, "schema", "QTIv2.1 Package" if qti21 else "IMS Content"),
                leaf(2, "schemaversion", "1.0.0" if qti21 else "1.1.3"))
    return xml_document(node(0, "manifest", meta, leaf(1, "organizations"), node(1, "resources", *listed),
                             identifier=ident, **namespaced(CP)))


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


# What htmltext writes: tags without attributes, text escaped by html.escape (and &nbsp;). Such a
# fragment is already the XML the parser and ElementTree made of it, but for <br /> and <p />.
_SIMPLE_HTML = re.compile(r"(?:[^<>&]+|&(?:amp|lt|gt|nbsp);|</?(?:p|br|ul|ol|li|b|i|pre|sub|sup)>)*")
_TAG = re.compile(r"<(/?)([a-z]+)>")
_EMPTY = re.compile(r"<([a-z]+)></\1>")


def xhtml(fragment: str) -> str:
    """An HTML fragment as XML content, as ``add_html`` and ElementTree write it (without parsing it
    when it is one of our simple fragments, well nested)."""
    if not _SIMPLE_HTML.fullmatch(fragment) or not _well_nested(fragment):
        return _xhtml_parsed(fragment)
    text = fragment.replace("&nbsp;", "\xa0").replace("<br>", "<br />")
    return _EMPTY.sub(r"<\1 />", text) if "></" in text else text


def _well_nested(fragment: str) -> bool:
    open_tags: list[str] = []
    for end, tag in _TAG.findall(fragment):
        if not end:
            if tag not in VOID:
                open_tags.append(tag)
        elif tag in VOID or not open_tags or open_tags.pop() != tag:
            return False
    return not open_tags


_repeated_xhtml = lru_cache(maxsize=1024)(xhtml)  # a part's heading, an option: the same in many variants


def _xhtml_parsed(fragment: str) -> str:
    holder = add_html(ET.Element("x"), fragment)
    return ET.tostring(holder, encoding="unicode")[len("<x>"):-len("</x>")] if holder.text or len(holder) else ""


# ----- QTI 2.1 -----------------------------------------------------------------------------

def blanks21(q: ExportQuestion) -> Iterator[tuple[int, str, str, Any, Any]]:
    """(part index, response id, entry description, value, tolerance) for each blank of ``q``."""
    for i, part in enumerate(q.parts):
        letter = "abcdefghijklmnopqrstuvwxyz"[i]
        for which, value, tol in entries(part):
            yield i, _response_id(letter, which), which, value, tol


@lru_cache(maxsize=1024)  # the same blanks in every variant
def _response_id(letter: str, which: str) -> str:
    return identifier("RESPONSE", letter, *_DIGITS.findall(which))


def item21(q: ExportQuestion, ident: str, title: str) -> bytes:
    blanks = list(blanks21(q))
    counts = Counter(i for i, *_ in blanks)  # each part's blanks
    weights = {rid: q.part_points(i) / counts[i] for i, rid, *_ in blanks}
    declared = "".join(_declare(q.parts[i], rid, value) for i, rid, _, value, _tol in blanks)
    outcomes = _outcomes21(points_text(q.points))
    body = el("itemBody", xhtml(math_stem(q)) + _interactions(q, blanks))
    solution = el("modalFeedback", xhtml(math_solution(q)), outcomeIdentifier="FEEDBACK", identifier="SOLUTION",
                  showHide="show", title="Worked solution")
    root = el("assessmentItem", declared + outcomes + body + _processing(q, blanks, weights) + solution,
              identifier=ident, title=title, adaptive="false", timeDependent="false", **namespaced(QTI21))
    return xml_document(root)  # not indented: spaces in an item's <pre> show


@lru_cache(maxsize=256)  # the same for every variant of a question
def _outcomes21(points: str) -> str:
    maximum = el("defaultValue", el("value", escape_text(points)))
    return (el("outcomeDeclaration", identifier="SCORE", cardinality="single", baseType="float")
            + el("outcomeDeclaration", maximum, identifier="MAXSCORE", cardinality="single", baseType="float")
            + el("outcomeDeclaration", identifier="FEEDBACK", cardinality="single", baseType="identifier"))


POINTS_UNIT = Fraction(1, 1000)  # Canvas keeps an item's points to the thousandth


def blank_points(q: ExportQuestion) -> list[float]:
    """Each Canvas item's points, blank by blank in part order: the part's share over its blanks, to
    the thousandth by largest remainder so the items add up to the question's points exactly
    (1 point over 6 blanks: 0.167 four times, 0.166 twice, not 0.167 six times)."""
    counts = _blank_counts(q)
    return list(_blank_points(q.points, tuple(q.part_points(i) for i in range(len(counts))), tuple(counts)))


@lru_cache(maxsize=1024)  # the same split in every variant of a question
def _blank_points(points: float, part_points: tuple[float, ...], counts: tuple[int, ...]) -> tuple[float, ...]:
    weights = [share for part, n in zip(part_points, counts)
               for share in [Fraction(part).limit_denominator(10**6) / n] * n]
    shares = apportion(points, weights, POINTS_UNIT)
    return tuple(float(x) for x in shares) if shares is not None else tuple(float(w) for w in weights)


NUMERIC_PARTS = ("number", "integer", "vector", "matrix")


def _numeric(part: ExportPart) -> bool:
    """Whether a blank of ``part`` is a number within a tolerance (most blanks)."""
    return not part.choices and part.type in NUMERIC_PARTS


def _declare(part: ExportPart, rid: str, value: Any) -> str:
    if _numeric(part):
        return _filled(_numeric_blank21(rid)[0], escape_text(number(value)))
    return _declaration(rid, *_right21(part, value))


def _right21(part: ExportPart, value: Any) -> tuple[str, str]:
    """A blank's base type and right response."""
    if part.choices:
        base, right = "identifier", identifier("C", next(c.letter for c in part.choices if c.correct))
    elif part.type in NUMERIC_PARTS:
        base, right = "float", number(value)
    else:
        base, right = "string", accepted_forms(value)[0]
    return base, right


def _declaration(rid: str, base: str, right: str) -> str:
    return el("responseDeclaration", el("correctResponse", el("value", escape_text(right))), identifier=rid,
              cardinality="single", baseType=base)


# A numeric blank's declaration and scoring are the same elements in every variant but for its answer,
# tolerance and weight: written once per response id as frames (see _filled), with holes for those.
@lru_cache(maxsize=1024)
def _numeric_blank21(rid: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(declaration: a hole for the answer, condition: holes for the tolerance twice and the weight)."""
    declared = _declaration(rid, "float", _HOLE)
    condition = _condition21(_within(rid, _HOLE), _HOLE)
    return tuple(declared.split(_HOLE)), tuple(condition.split(_HOLE))


def _interactions(q: ExportQuestion, blanks: list[tuple[int, str, str, Any, Any]]) -> str:
    out = []
    done: set[int] = set()
    for i, rid, which, _value, _tol in blanks:
        part = q.parts[i]
        if i not in done:
            out.append(_repeated_xhtml(math_part(q, i)))
            done.add(i)
        if part.choices:
            options = "".join(el("simpleChoice", _repeated_xhtml(choice_html(c)), identifier=identifier("C", c.letter))
                              for c in part.choices)
            out.append(el("choiceInteraction", options, responseIdentifier=rid, shuffle="true", maxChoices="1"))
            continue
        out.append(_text_entry21(rid, which))
    return "".join(out)


@lru_cache(maxsize=1024)  # the same blanks in every variant
def _text_entry21(rid: str, which: str) -> str:
    label = (which[0].upper() + which[1:] + ": ") if which else "Answer: "
    entry = el("textEntryInteraction", responseIdentifier=rid, expectedLength="12")
    return el("p", escape_text(label) + entry)


def _processing(q: ExportQuestion, blanks: list[tuple[int, str, str, Any, Any]], weights: dict[str, float]) -> str:
    """Each response adds its weight to SCORE when right (within its tolerance); then the solution shows."""
    out = []
    for i, rid, _which, value, tol in blanks:
        weight = escape_text(number(weights[rid]))
        if _numeric(q.parts[i]):
            width = _escape_attrib(tolerance(tol))
            out.append(_filled(_numeric_blank21(rid)[1], width, width, weight))
        else:
            out.append(_condition21(_test(q.parts[i], rid, value, tol), weight))
    out.append(el("setOutcomeValue", el("baseValue", "SOLUTION", baseType="identifier"), identifier="FEEDBACK"))
    return el("responseProcessing", "".join(out))


def _condition21(test: str, weight: str) -> str:
    """A response's condition: when ``test`` holds, ``weight`` (escaped) is added to SCORE."""
    add = el("sum", el("variable", identifier="SCORE") + el("baseValue", weight, baseType="float"))
    return el("responseCondition", el("responseIf", test + el("setOutcomeValue", add, identifier="SCORE")))


def _within(rid: str, width: str) -> str:
    against = el("variable", identifier=rid) + el("correct", identifier=rid)
    return el("equal", against, toleranceMode="absolute", tolerance=f"{width} {width}")


def _test(part: ExportPart, rid: str, value: Any, tol: Any) -> str:
    if part.choices:
        return el("match", el("variable", identifier=rid) + el("correct", identifier=rid))
    if part.type in NUMERIC_PARTS:
        return _within(rid, tolerance(tol))
    return el("or", "".join(el("stringMatch", el("variable", identifier=rid)
                               + el("baseValue", escape_text(form), baseType="string"), caseSensitive="true")
                            for form in accepted_forms(value)))


def test21(ps: ProblemSet, sections: list[tuple[str, str, list[str]]]) -> bytes:
    banks = [node(2, "assessmentSection", leaf(3, "selection", select="1"),  # the bank: one variant per student
                  *(leaf(3, "assessmentItemRef", identifier=item, href=f"items/{item}.xml") for item in items),
                  identifier=sid, title=title, visible="true")
             for sid, title, items in sections]
    total = node(2, "setOutcomeValue", node(3, "sum", leaf(4, "testVariables", variableIdentifier="SCORE")),
                 identifier="SCORE")
    return xml_document(node(0, "assessmentTest",
                             leaf(1, "outcomeDeclaration", identifier="SCORE", cardinality="single", baseType="float"),
                             node(1, "testPart", *banks, identifier="PART", navigationMode="nonlinear",
                                  submissionMode="simultaneous"),
                             node(1, "outcomeProcessing", total),
                             identifier="TEST", title=ps.title, **namespaced(QTI21)))


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
# The document is indented, each element at a fixed depth: questestinterop 0, assessment 1, the
# root section 2, a question group 3, an item 4.

def canvas_type(part: ExportPart) -> str:
    if part.choices:
        return "multiple_choice_question"
    if part.type in NUMERIC_PARTS:
        return "numerical_question"
    return "short_answer_question"


def _metadata12(depth: int, fields: list[tuple[str, str]]) -> str:
    return node(depth, "qtimetadata", *(node(depth + 1, "qtimetadatafield", leaf(depth + 2, "fieldlabel", label),
                                             leaf(depth + 2, "fieldentry", entry)) for label, entry in fields))


def _mattext(depth: int, escaped: str) -> str:
    """HTML as the text of a <material>; ``escaped`` for XML already (a question's stem and solution are
    escaped once, not once per entry)."""
    return node(depth, "material", _element(_PAD[depth + 1], "mattext", {"texttype": "text/html"}, escaped, ""))


def item12(q: ExportQuestion, index: int, entry: tuple[str, Any, Any], ident: str, title: str, points: float,
           shown: str, feedback: str) -> list[str]:
    """One Canvas item: one entry of one part, as pieces to join. ``shown`` is the stem and the part's
    heading, escaped, and ``feedback`` the general feedback, written (the same for every entry of a part,
    of a question): most of the document's text, so these strings are joined once, with the position's,
    not copied into each item's string."""
    part, (which, value, tol) = q.parts[index], entry
    choices = [identifier(ident, "C", c.letter) for c in part.choices]
    kind = canvas_type(part)
    meta = _itemmetadata12(kind, _thousandths(points), ",".join(choices))
    mark = q.part_mark(index)
    ask = f"<p>Give {which} of {'the answer to ' + mark if mark else 'the answer'}.</p>" if which else ""
    asked = escape_text(ask)
    if part.choices or not (shown or asked):
        presentation = [node(5, "presentation", _mattext(6, shown + asked), _response12(part, choices))]
    else:  # a blank's presentation: the same elements around its text in every item
        before, after = _blank_presentation12(kind)
        presentation = [before, shown, asked, after]
    notes = [_feedback12(f"{cid}_fb", escape_text(esc(c.feedback)))
             for c, cid in zip(part.choices, choices) if c.feedback]
    start, end = _tags(4, "item", ident=ident, title=title)
    return [start, meta, *presentation, _processing12(part, choices, value, tol), feedback, *notes, end]


def _tags(depth: int, tag: str, **attrs: str) -> tuple[str, str]:
    """The start and end tags of an element at ``depth`` of an indented document, for content (not empty)
    written between them as pieces."""
    start, end = node(depth, tag, _HOLE, **attrs).split(_HOLE)
    return start, end


@lru_cache(maxsize=1024)  # a part's kind and points are the same in every variant
def _itemmetadata12(kind: str, points: str, choices: str) -> str:
    return node(5, "itemmetadata", _metadata12(6, [("question_type", kind), ("points_possible", points),
                                                  ("original_answer_ids", choices)]))


@lru_cache(maxsize=4)
def _blank_presentation12(kind: str) -> tuple[str, str]:
    """A blank's presentation, before and after its text."""
    xml = node(5, "presentation", _mattext(6, _HOLE), _BLANK12["Decimal" if kind == "numerical_question" else "String"])
    before, after = xml.split(_HOLE)
    return before, after


def _response12(part: ExportPart, choices: list[str]) -> str:
    if part.choices:
        labels = [node(8, "response_label", _mattext(9, escape_text(choice_html(c))), ident=cid)
                  for c, cid in zip(part.choices, choices)]
        return node(6, "response_lid", node(7, "render_choice", *labels, shuffle="Yes"), ident="response1",
                    rcardinality="Single")
    return _BLANK12["Decimal" if canvas_type(part) == "numerical_question" else "String"]


# what every item that is not a choice, and every item, holds: written once
_BLANK12 = {fib: node(6, "response_str", node(7, "render_fib", leaf(8, "response_label", ident="answer1",
                                                                   rshuffle="No"), fibtype=fib),
                      ident="response1", rcardinality="Single") for fib in ("Decimal", "String")}
_SCORE12 = (node(6, "outcomes", leaf(7, "decvar", maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal"))
            + node(6, "respcondition", node(7, "conditionvar", leaf(8, "other")),  # the worked solution, always
                   leaf(7, "displayfeedback", feedbacktype="Response", linkrefid="general_fb"), continue_="Yes"))


def _processing12(part: ExportPart, choices: list[str], value: Any, tol: Any) -> str:
    if not part.choices and canvas_type(part) == "numerical_question":  # most items: one frame
        return _filled(_NUMERIC12, *(escape_text(x) for x in bounds(value, tol)))
    said = [node(6, "respcondition", node(7, "conditionvar", leaf(8, "varequal", cid, respident="response1")),
                 leaf(7, "displayfeedback", feedbacktype="Response", linkrefid=f"{cid}_fb"), continue_="Yes")
            for c, cid in zip(part.choices, choices) if c.feedback]  # each option's feedback names its mistake
    right = node(6, "respcondition", node(7, "conditionvar", *_condition12(part, choices, value, tol)),
                 leaf(7, "setvar", "100", action="Set", varname="SCORE"), continue_="No")
    return node(5, "resprocessing", _SCORE12, *said, right)


def _condition12(part: ExportPart, choices: list[str], value: Any, tol: Any) -> list[str]:
    """A choice's or a short answer's right response (a numeric blank's is in its frame, _NUMERIC12)."""
    if part.choices:
        return [leaf(8, "varequal", choices[[c.correct for c in part.choices].index(True)], respident="response1")]
    return [leaf(8, "varequal", form, respident="response1") for form in accepted_forms(value)]


def _numeric_condition12(exact: str, low: str, high: str) -> str:
    """Canvas's "exact answer with margin": the answer, or between the bounds."""
    return node(8, "or", leaf(9, "varequal", exact, respident="response1"),
                node(9, "and", leaf(10, "vargte", low, respident="response1"),
                     leaf(10, "varlte", high, respident="response1")))


# a numeric blank's whole processing, but for its three numbers: written once
_NUMERIC12 = tuple(node(5, "resprocessing", _SCORE12, node(
    6, "respcondition", node(7, "conditionvar", _numeric_condition12(_HOLE, _HOLE, _HOLE)),
    leaf(7, "setvar", "100", action="Set", varname="SCORE"), continue_="No")).split(_HOLE))


def _feedback12(ident: str, escaped: str) -> str:
    return node(5, "itemfeedback", node(6, "flow_mat", _mattext(7, escaped)), ident=ident)


_GROUPS = "<groups>"  # where the question groups go in the document: no text or attribute holds a bare "<"


def assessment12(ps: ProblemSet) -> bytes:
    # encoded position by position: the whole document as one string is tens of megabytes
    groups = [_encode(_position12(ps, num, index, first)) for num, index, first in positions(ps)]
    root = node(0, "questestinterop",
                node(1, "assessment", _metadata12(2, [("cc_maxattempts", "1")]),
                     node(2, "section", _GROUPS if groups else "", ident="root_section"), ident="A1", title=ps.title),
                **namespaced(QTI12))
    before, _, after = xml_document(root).partition(_GROUPS.encode())
    return before + b"".join(groups) + after


def _position12(ps: ProblemSet, num: str, index: int, first: ExportQuestion) -> str:
    """The question groups of one question position, holding every variant's items."""
    # one group per part and entry, by position: vector sizes, and whether a concept's variant
    # letters its part, may differ between variants
    groups: dict[tuple[str, ...], list[str]] = {}
    heads: dict[tuple[str, ...], dict[str, str]] = {}
    for v in ps.variants:
        q = v.questions[index]
        stem = escape_text(math_stem(q))  # once per question, not per entry
        feedback = _feedback12("general_fb", escape_text(math_solution(q)))
        shares = iter(blank_points(q))
        for i, part in enumerate(q.parts):
            shown = stem + escape_text(math_part(q, i))
            for entry in entries(part):
                share = next(shares)
                which = " ".join(x for x in (q.part_mark(i), entry[0]) if x)
                key = ("abcdefghijklmnopqrstuvwxyz"[i], *_DIGITS.findall(entry[0]))
                if key not in groups:
                    heads[key] = {"ident": identifier("G", num, *key),
                                  "title": " ".join(x for x in (num, first.title, which) if x)}
                    groups[key] = [_selection12(share)]
                groups[key] += item12(q, i, entry, identifier(num, v.id, *key),
                                      " ".join(x for x in (num, v.id, which) if x), share, shown, feedback)
    out = []
    for key, members in groups.items():  # the position's text joined once, from its pieces
        start, end = _tags(3, "section", **heads[key])
        out += [start, *members, end]
    return "".join(out)


def _thousandths(points: float) -> str:
    return f"{points:.3f}".rstrip("0").rstrip(".")


def _selection12(points: float) -> str:
    """A Canvas question group draws one item for each student, worth ``points``."""
    return node(4, "selection_ordering",
                node(5, "selection", leaf(6, "selection_number", "1"),
                     node(6, "selection_extension", leaf(7, "points_per_item", _thousandths(points)))))


def package12(ps: ProblemSet) -> bytes:
    resources = [("A1", "imsqti_xmlv1p2", "A1/A1.xml", [])]
    return package({"imsmanifest.xml": manifest("MANIFEST", resources), "A1/A1.xml": assessment12(ps)})


def render(ps: ProblemSet) -> dict[str, bytes]:
    return {FILES[0]: package12(ps), FILES[1]: package21(ps)}
