"""Problem sets for TAs: export records, the exam spec, and one writer per output format.

``render(problem_set, formats)`` gives every file as bytes (name -> content), nothing written
yet; :mod:`quizapp.export.writer` writes them all or nothing. Writers import their heavy
dependencies (genanki) only when called.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from quizapp.export.model import ProblemSet

Renderer = Callable[[ProblemSet], dict[str, bytes]]


def _renderers() -> dict[str, Renderer]:
    from quizapp.export import anki, data, gift, latex, markdown, moodle, qti

    return {"md": markdown.render, "tex": latex.render, "moodle": moodle.render, "gift": gift.render,
            "qti": qti.render, "anki": anki.render, "json": data.render_json, "csv": data.render_csv}


FORMATS = ("md", "tex", "moodle", "gift", "qti", "anki", "json", "csv")


def render(ps: ProblemSet, formats: Iterable[str] = FORMATS, command: Mapping[str, Any] | None = None,
           tick: Callable[[int], None] | None = None) -> dict[str, bytes]:
    """Every file of ``formats`` plus the manifest (which lists them with their SHA-256)."""
    from quizapp.export import manifest, parallel

    formats = list(formats)
    unknown = [name for name in formats if name not in FORMATS]
    if unknown:
        raise ValueError(f"unknown format {unknown[0]!r} (formats: {', '.join(FORMATS)})")
    mine = [f for f in formats if f not in parallel.CHILD_FORMATS]
    theirs = [f for f in formats if f in parallel.CHILD_FORMATS]
    big = sum(len(v.questions) for v in ps.variants) >= parallel.MIN_QUESTIONS
    ours, other = parallel.both(lambda: _render_some(ps, mine), lambda: _render_some(ps, theirs),
                                fork=big and bool(mine) and bool(theirs))
    files = {**ours, **other}
    if tick:
        tick(len(formats))
    files.update(manifest.render(ps, files, command))
    return files


def _render_some(ps: ProblemSet, formats: Iterable[str]) -> dict[str, bytes]:
    renderers = _renderers()
    files: dict[str, bytes] = {}
    for name in formats:
        files.update(renderers[name](ps))
    return files
