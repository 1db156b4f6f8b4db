"""An Anki deck (.apkg, built with genanki) so students can drill the questions on their phones.

One note per question and variant: the front is the question, the back its answer and worked
solution. Every id is derived from the set (title and seed), never from the clock, so the same
command writes the same bytes, and importing a regenerated deck updates its notes (same GUIDs)
instead of duplicating them.
"""

from __future__ import annotations

import hashlib
import io
import os
import sqlite3
import tempfile
import zipfile
from typing import Any

from quizapp.export.htmltext import esc, question_html, solution_html
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


def _note(model: Any, ps: ProblemSet, variant: str, q: ExportQuestion) -> Any:
    import genanki

    front = f"<p><b>{esc(q.title)}</b></p>" + question_html(q)
    source = esc(f"{ps.title} · {variant} · question {q.number} · {q.template} v{q.version}, seed {q.seed}")
    return genanki.Note(model=model, fields=[front, solution_html(q), source],
                        guid=genanki.guid_for("quizapp", ps.title, ps.seed, variant, q.number),
                        tags=[_tag(q.topic), _tag(q.template)])


def deck(ps: ProblemSet) -> Any:
    import genanki

    d = genanki.Deck(_id("deck", ps.title, ps.seed), f"{ps.title} (seed {ps.seed})")
    model = _model()
    for v in ps.variants:
        for q in v.questions:
            d.add_note(_note(model, ps, v.id, q))
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


def _counter(start: int) -> Any:
    import itertools

    return itertools.count(start)


def render(ps: ProblemSet) -> dict[str, bytes]:
    return {FILES[0]: package_bytes(ps)}
