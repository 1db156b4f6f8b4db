"""``quizapp generate``: reproducible problem sets with variants, answer keys and course formats.

See docs/generate.md. Without ``--out`` the set is previewed as Markdown on the terminal.
The bank, genanki and YAML are imported inside ``run`` so other commands start fast.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from quizapp.errors import UsageError

# quizapp.export.FORMATS, repeated so that building the parser imports nothing heavy (a test checks they agree)
FORMATS = ("md", "tex", "moodle", "gift", "qti", "anki", "json", "csv")
PROGRESS_MIN = 200  # questions: shorter runs finish before a bar would be worth drawing
# Far beyond any class, small enough that a typo (--count 100000000) is refused, not run for minutes.
MAX_COUNT = 1000  # questions per variant
MAX_VARIANTS = 10_000  # variants, or students in a roster
MAX_QUESTIONS = 100_000  # questions in the whole set (variants × questions)
FULL_COLLECTION_EVERY = 1000  # middle-generation collections between two full ones (Python's default: 10)
MAX_POINTS = 1000.0
STALE_SECONDS = 600  # a staging file this old belongs to a generate that was killed


def add_parser(sub: Any) -> None:
    p = sub.add_parser("generate", help="problem sets: variants, answer keys, LaTeX/Moodle/GIFT/QTI/Anki/JSON/CSV",
                       description="Generate a reproducible problem set (see docs/generate.md).")
    pick = p.add_argument_group("choosing questions (or --spec)")
    pick.add_argument("--template", action="append", default=[], metavar="ID", help="a template id (repeatable)")
    pick.add_argument("--topic", action="append", default=[], metavar="T",
                      help="every template of a topic (repeatable)")
    pick.add_argument("--difficulty", metavar="D", help="only topic templates of difficulty D or LOW-HIGH (1-3)")
    pick.add_argument("--count", type=int, metavar="N", help="number of questions (default: one per template)")
    pick.add_argument("--points", type=float, default=1.0, metavar="P", help="points per question (default 1)")
    pick.add_argument("--spec", metavar="FILE",
                      help="an exam spec (YAML: sections with templates/topics, counts, points)")
    p.add_argument("--title", help="the set's title (default: the spec's, or 'Problem set')")
    p.add_argument("--seed", type=int, help="seed of the whole set (same seed, same files; default: a fresh one)")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--variants", type=int, default=1, metavar="N", help="number of variants (default 1)")
    who.add_argument("--roster", metavar="FILE.csv", help="one variant per student (CSV with an id column)")
    p.add_argument("--multiple-choice", action="store_true",
                   help="numeric parts as choices among the misconceptions' answers, where there are enough")
    p.add_argument("--min-distractors", type=int, default=3, metavar="N",
                   help="wrong options a multiple-choice part needs (default 3)")
    p.add_argument("--format", default="all", metavar="LIST",
                   help=f"comma-separated formats: {','.join(FORMATS)} (default all)")
    p.add_argument("--pdf", action="store_true",
                   help="also build the LaTeX files into PDFs (needs latexmk or pdflatex; implies the tex format)")
    p.add_argument("--out", metavar="DIR", help="output folder (default: preview the Markdown on the terminal)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from question_bank.loader import TemplateError
    from quizapp.commands.solving import load
    from quizapp.export.writer import OutputError

    formats = _formats(args.format)
    if args.pdf:
        if args.out is None:
            raise UsageError("--pdf builds files: give --out DIR too")
        formats += [] if "tex" in formats else ["tex"]
    if args.out is None and args.format != "all":
        raise UsageError("--format chooses the files to write: give --out DIR too (without it, a Markdown preview)")
    _check_numbers(args)
    try:
        spec = _spec(args)
        seed = _seed(args, spec)
        keys = _keys(args, seed)
        _check_size(spec, keys)
        bank = load(args)
        files, ps = _make(args, bank, spec, seed, keys, formats)
        if args.out is None:
            _preview(files)
            return 0
        from quizapp.export.writer import write_files

        clean_stale_staging(args.out)
        written = write_files(args.out, files)
        written += _pdfs(args, files)
    except (TemplateError, OutputError) as exc:
        raise UsageError(str(exc)) from None
    _summary(args.out, written, ps)
    return 0


def _pdfs(args: argparse.Namespace, files: dict[str, bytes]) -> list[Any]:
    """With --pdf: the .tex files built into PDFs (references resolved: as many passes as needed)."""
    if not getattr(args, "pdf", False):
        return []
    from quizapp.export.pdf import PdfError, build

    try:
        return build(args.out, sorted(name for name in files if name.endswith(".tex")))
    except PdfError as exc:
        raise UsageError(str(exc)) from None


def _formats(text: str) -> list[str]:
    names = [f.strip() for f in text.split(",") if f.strip()]
    if names == ["all"]:
        return list(FORMATS)
    bad = [n for n in names if n not in FORMATS]
    if bad or not names:
        raise UsageError(f"--format: unknown format {bad[0]!r} (formats: {', '.join(FORMATS)}, or all)" if bad
                         else "--format: give at least one format")
    return list(dict.fromkeys(names))


def _check_numbers(args: argparse.Namespace) -> None:
    import math

    if args.variants < 1:
        raise UsageError("--variants must be at least 1")
    if args.variants > MAX_VARIANTS:
        raise UsageError(f"--variants {args.variants}: at most {MAX_VARIANTS:,} variants")
    if not (math.isfinite(args.points) and 0 < args.points <= MAX_POINTS):
        raise UsageError(f"--points must be a positive number up to {MAX_POINTS:g}, got {args.points:g}")
    if args.count is not None and not 1 <= args.count <= MAX_COUNT:
        raise UsageError(f"--count must be from 1 to {MAX_COUNT:,}, got {args.count}")
    if args.count is not None and args.count * args.variants > MAX_QUESTIONS:
        raise UsageError(f"--count {args.count} × --variants {args.variants} is more than {MAX_QUESTIONS:,} "
                         "questions in one set")
    if args.min_distractors < 1:
        raise UsageError("--min-distractors must be at least 1")
    if args.seed is not None and args.seed < 0:
        raise UsageError("--seed must be 0 or more")


def _spec(args: argparse.Namespace) -> Any:
    from dataclasses import replace

    from quizapp.export.spec import from_flags, load_spec

    flags = args.template or args.topic or args.difficulty or args.count is not None or args.points != 1.0
    if args.spec:
        if flags:
            raise UsageError("give either --spec FILE or --template/--topic/--difficulty/--count/--points, not both")
        spec = load_spec(args.spec)
        if args.multiple_choice:
            spec = replace(spec, sections=tuple(replace(s, multiple_choice=True) for s in spec.sections))
        return replace(spec, title=args.title) if args.title else spec
    return from_flags(args.template, args.topic, args.difficulty, args.count, args.points, args.multiple_choice,
                      args.title)


def _seed(args: argparse.Namespace, spec: Any) -> int:
    if args.seed is not None:
        return int(args.seed)
    if spec.seed is not None:
        return int(spec.seed)
    from quizapp.study.requests import new_seed

    seed = new_seed()
    print(f"quizapp: seed {seed} (give --seed {seed} to make this set again)", file=sys.stderr)
    return seed


def _keys(args: argparse.Namespace, seed: int) -> list[Any]:
    from quizapp.export.build import numbered_variants, roster_variants

    if args.roster is None:
        return numbered_variants(seed, args.variants)
    from quizapp.export.roster import read_roster

    try:
        students = read_roster(args.roster)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if len(students) > MAX_VARIANTS:
        raise UsageError(f"{args.roster}: {len(students):,} students; at most {MAX_VARIANTS:,} in one set")
    return roster_variants(seed, students)


def _check_size(spec: Any, keys: list[Any]) -> None:
    """A spec file's counts times the variants, bounded like --count (before any question is made)."""
    counts = [s.count for s in getattr(spec, "sections", ()) if s.count is not None]
    if any(c > MAX_COUNT for c in counts):
        raise UsageError(f"a section asks for {max(counts):,} questions; at most {MAX_COUNT:,}")
    if sum(counts) * len(keys) > MAX_QUESTIONS:
        raise UsageError(f"{sum(counts):,} questions × {len(keys):,} variants is more than {MAX_QUESTIONS:,} "
                         "questions in one set")


def clean_stale_staging(folder: str | Path, now: float | None = None) -> list[Path]:
    """Remove the staging files (``.NAME.XXXXXXXX.tmp``) a killed generate left in ``folder``.

    Files written all-or-nothing are staged beside their targets first; a generate killed before it
    renamed them leaves them behind. Only files older than STALE_SECONDS go, so a generate writing
    the same folder right now keeps its own.
    """
    import re
    import time

    root = Path(folder)
    if not root.is_dir():
        return []
    limit = (time.time() if now is None else now) - STALE_SECONDS
    pattern = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$|^\.quizapp-probe-")
    removed = []
    for path in root.rglob(".*"):
        try:
            if pattern.match(path.name) and path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
                removed.append(path)
        except OSError:
            continue  # someone else's file, or gone already: not ours to insist on
    return removed


def _make(args: argparse.Namespace, bank: Any, spec: Any, seed: int, keys: list[Any],
          formats: list[str]) -> tuple[dict[str, bytes], Any]:
    from quizapp import export
    from quizapp.export.build import build, plan, same_numbers
    from quizapp.export.manifest import app_version

    slots = plan(spec, bank, seed)  # fails fast on an unknown id, before any long work
    formats = formats if args.out is not None else ["md"]
    with _progress(len(slots) * len(keys) + len(formats)) as tick, _few_full_collections():
        ps = build(bank, spec, seed, keys, app_version(), args.min_distractors, tick)
        files = export.render(ps, formats, _options(args, formats), tick)
    for warning in same_numbers(ps):  # on stderr: the set is still written, the TA decides
        print(f"quizapp: warning: {warning}", file=sys.stderr)
    return files, ps


@contextmanager
def _few_full_collections() -> Iterator[None]:
    """The garbage collector's oldest generation collected rarely while a set is made: the set's records
    only accumulate, and each full collection would walk all of them again (about 0.3 s of a 100-variant
    set). Young garbage (the solvers' graphs) is still collected as usual."""
    young, middle, old = gc.get_threshold()
    gc.set_threshold(young, middle, max(old, FULL_COLLECTION_EVERY))
    try:
        yield
    finally:
        gc.set_threshold(young, middle, old)


def _options(args: argparse.Namespace, formats: list[str]) -> dict[str, Any]:
    """The command's choices, for the manifest (file names only: the same set from any folder)."""
    return {"formats": formats, "spec": Path(args.spec).name if args.spec else None,
            "roster": Path(args.roster).name if args.roster else None,
            "variants": None if args.roster else args.variants, "multiple_choice": args.multiple_choice,
            "min_distractors": args.min_distractors, "templates": args.template, "topics": args.topic,
            "difficulty": args.difficulty, "count": args.count, "points": args.points}


@contextmanager
def _progress(total: int) -> Iterator[Callable[[int], None] | None]:
    from quizapp import output

    if total < PROGRESS_MIN or not output.is_terminal(sys.stderr):
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("generating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("generate", total=total)
        yield lambda n: bar.advance(task, n)


def _preview(files: dict[str, bytes]) -> None:
    from quizapp import output

    text = files["questions.md"].decode() + "\n" + files["answers.md"].decode()
    if output.is_terminal():
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(text))
    else:
        sys.stdout.write(text)


def _summary(folder: str, written: list[Path], ps: Any) -> None:
    from quizapp import output

    n_q = len(ps.variants[0].questions) if ps.variants else 0
    output.say(f"wrote {len(written)} files to {output.escape(folder)}: {len(ps.variants)} variant"
               f"{'s' if len(ps.variants) != 1 else ''} × {n_q} questions, seed {ps.seed}")
    for path in written:
        output.say(f"  {output.escape(path.name)}")
    kept = [d for d in ps.decisions if not d["multiple_choice"]]
    if kept:
        output.say(f"{len(kept)} part{'s' if len(kept) != 1 else ''} stayed numeric (too few recognised wrong "
                   "answers for multiple choice): see manifest.json")
