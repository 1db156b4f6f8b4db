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
    jobs = [job for name in formats for job in JOBS.get(name, (name,))]
    mine = [job for job in jobs if job not in parallel.CHILD_JOBS]
    theirs = [job for job in jobs if job in parallel.CHILD_JOBS]
    big = sum(len(v.questions) for v in ps.variants) >= parallel.MIN_QUESTIONS
    ours, other = parallel.both(lambda: _render_some(ps, mine), lambda: _render_some(ps, theirs),
                                fork=big and bool(mine) and bool(theirs))
    done = {**ours, **other}
    # files in the order they have always been listed: these three formats last
    order = [f for f in formats if f not in LISTED_LAST] + [f for f in formats if f in LISTED_LAST]
    files = {name: data for f in order for job in JOBS.get(f, (f,)) for name, data in done[job].items()}
    if tick:
        tick(len(formats))
    files.update(manifest.render(ps, files, command))
    return files


# A format whose files are rendered separately (so that two processes can share the work): its jobs.
JOBS = {"qti": ("qti12", "qti21")}
LISTED_LAST = ("moodle", "gift", "anki")


def _job_renderers() -> dict[str, Renderer]:
    from quizapp.export import qti

    return {**_renderers(), "qti12": lambda ps: {qti.FILES[0]: qti.package12(ps)},
            "qti21": lambda ps: {qti.FILES[1]: qti.package21(ps)}}


def _render_some(ps: ProblemSet, jobs: Iterable[str]) -> dict[str, dict[str, bytes]]:
    """Each job's files (job -> name -> content)."""
    renderers = _job_renderers()
    return {job: renderers[job](ps) for job in jobs}
