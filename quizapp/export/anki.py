"""An Anki deck (.apkg, built with genanki) so students can drill the questions on their phones.

One note per question and variant: the front is the question, the back its answer and worked
solution (HTML with MathJax maths, which Anki typesets). A question whose card reads the same in
several variants (a concept question) is one note, not one per variant.

Every id is derived from the set, never from the clock, so the same command writes the same bytes:
a note's GUID from the deck (title and seed), the variant and the question's position. Anki
updates an imported note only when the incoming one is *newer*, so a note's modification time is
derived from its content: a fixed epoch, plus a day per app and template version (a corrected
template, whose version goes up, or a newer app always gives a newer note), plus seconds from a
hash of the note's text (the same content, the same time; the same bytes).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import sqlite3
import tempfile
import zipfile
from dataclasses import replace
from typing import Any

from quizapp.export.htmltext import esc, math_part, math_solution, math_stem
from quizapp.export.model import ExportQuestion, ProblemSet

FILES = ("deck.apkg",)
MODEL_ID = 1_607_392_319  # fixed: every quizapp deck shares one note type
FIELDS = ("Question", "Answer", "Source")
CSS = ".card { font-family: sans-serif; font-size: 18px; text-align: left; } pre { font-size: 16px; }"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # zip entries carry a date: a constant one keeps the file reproducible


def _id(*parts: Any, low: int = 1 << 30, span: int = 1 << 30) -> int:
    digest = hashlib.sha256("\x00".join(map(str, parts)).encode()).digest()
    return low + int.from_bytes(digest[:8], "little") % span


def _model() -> Any:
    import genanki

    return genanki.Model(
        MODEL_ID, "quizapp question",
        fields=[{"name": f} for f in FIELDS],
        templates=[{"name": "Card 1", "qfmt": "{{Question}}",
                    "afmt": "{{FrontSide}}<hr id=answer>{{Answer}}<p><small>{{Source}}</small></p>"}],
        css=CSS)


def _tag(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_:" else "-" for c in text)


EPOCH = 1_600_000_000  # 2020-09-13: note times start here (seconds)
DAY = 86_400


def _card(q: ExportQuestion) -> tuple[str, str]:
    q = canonical(q)
    front = f"<p><b>{esc(q.title)}</b></p>" + math_stem(q)
    for i, part in enumerate(q.parts):
        front += math_part(q, i)
        if part.choices:
            front += "<p>" + "<br>".join(f"{c.letter}) {esc(c.text)}" for c in part.choices) + "</p>"
    return front, math_solution(q)


def canonical(q: ExportQuestion) -> ExportQuestion:
    """``q`` with a concept part's options in one fixed order (by option id), lettered again: the
    variants of a concept question then give one card, not one per shuffle."""
    if not any(part.choices and not part.multiple_choice for part in q.parts):
        return q  # nothing to reorder
    parts, answers = list(q.parts), list(q.shown["html"].answers)
    for i, part in enumerate(q.parts):
        if part.choices and not part.multiple_choice:
            ordered = sorted(part.choices, key=lambda c: c.source)
            options = tuple(replace(c, letter=chr(ord("A") + k)) for k, c in enumerate(ordered))
            parts[i] = replace(part, choices=options)
            right = next(c for c in options if c.correct)
            answers[i] = f"{right.letter}) {esc(right.text)}"
    shown = {**q.shown, "html": replace(q.shown["html"], answers=tuple(answers))}
    return replace(q, parts=tuple(parts), shown=shown)


def _note(model: Any, ps: ProblemSet, variants: list[str], q: ExportQuestion, card: tuple[str, str]) -> Any:
    import genanki

    front, back = card  # drawn once, by notes
    source = esc(f"{ps.title} · {', '.join(variants)} · question {q.number} · {q.template} v{q.version}, "
                 f"seed {q.seed}")
    note = genanki.Note(model=model, fields=[front, back, source],
                        guid=genanki.guid_for("quizapp", ps.title, ps.seed, variants[0], q.number),
                        tags=[_tag(q.topic), _tag(q.template)])
    note.quizapp_mod = modification_time(ps.app_version, q.version, front + back + source)
    return note


def modification_time(app_version: str, template_version: int, content: str) -> int:
    """Seconds: later for a newer app or template version, and fixed by the content for the same ones."""
    numbers = [int(n) for n in re.findall(r"\d+", app_version)[:3]] + [0, 0, 0]
    app = numbers[0] * 10_000 + numbers[1] * 100 + numbers[2]
    return EPOCH + DAY * (app + int(template_version)) + _id("mod", content, low=0, span=DAY)


def notes(ps: ProblemSet) -> list[Any]:
    """One note per question and variant, except that variants whose card reads the same share one."""
    model = _model()
    out = []
    for index in range(len(ps.variants[0].questions) if ps.variants else 0):
        same: dict[tuple[str, str], list[str]] = {}
        first: dict[tuple[str, str], ExportQuestion] = {}
        for v in ps.variants:
            q = v.questions[index]
            card = _card(q)
            same.setdefault(card, []).append(v.id)
            first.setdefault(card, q)
        out += [_note(model, ps, same[card], q, card) for card, q in first.items()]
    return out


def deck(ps: ProblemSet) -> Any:
    import genanki

    d = genanki.Deck(_id("deck", ps.title, ps.seed), f"{ps.title} (seed {ps.seed})")
    for note in notes(ps):
        d.add_note(note)
    return d


def package_bytes(ps: ProblemSet) -> bytes:
    """The .apkg: a zip holding the SQLite collection (as genanki writes it) and an empty media map."""
    import genanki

    package = genanki.Package(deck(ps))
    # Note and card ids count up from a timestamp: derive it from the set (a recent-looking time,
    # so ids stay in Anki's usual range), not from the clock.
    timestamp = float(_id("time", ps.title, ps.seed, low=1_500_000_000, span=100_000_000))
    fd, db_path = tempfile.mkstemp(suffix=".anki2")
    os.close(fd)
    try:
        conn = sqlite3.connect(db_path)
        try:
            package.write_to_db(conn.cursor(), timestamp, _counter(int(timestamp * 1000)))
            _set_times(conn, package.decks[0].notes)
            conn.commit()
        finally:
            conn.close()
        with open(db_path, "rb") as handle:
            db = handle.read()
    finally:
        os.unlink(db_path)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("collection.anki2", ZIP_TIME), db, zipfile.ZIP_DEFLATED)
        zf.writestr(zipfile.ZipInfo("media", ZIP_TIME), "{}", zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _set_times(conn: sqlite3.Connection, written: list[Any]) -> None:
    """genanki stamps every note with one time: give each its content-based one (and its cards).

    Rows are found by their ids (one read of the notes table): Anki's schema has no index on
    ``guid``, and a lookup by guid per note scanned the whole table each time. The rows are
    updated in the same order with the same values, so the database is the same bytes."""
    ids: dict[str, list[int]] = {}
    for guid, nid in conn.execute("select guid, id from notes order by id"):
        ids.setdefault(guid, []).append(nid)
    for note in written:
        found = ids.get(note.guid, [])
        for nid in found:
            conn.execute("update notes set mod = ? where id = ?", (note.quizapp_mod, nid))
        if found:  # as ``where nid = (select id from notes where guid = ?)``: the first such note's cards
            conn.execute("update cards set mod = ? where nid = ?", (note.quizapp_mod, found[0]))


def _counter(start: int) -> Any:
    import itertools

    return itertools.count(start)


def render(ps: ProblemSet) -> dict[str, bytes]:
    return {FILES[0]: package_bytes(ps)}
