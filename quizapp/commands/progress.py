"""``quizapp stats`` and ``quizapp export-progress``: the saved progress, summarised or exported.

Exit codes: 0 done, 1 the progress store cannot be used, 2 bad usage (for example an output
folder that does not exist).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from quizapp.errors import UsageError

FORMATS = ("json", "csv")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    stats = subparsers.add_parser("stats", help="accuracy, mastery and streaks from your saved answers")
    stats.add_argument("--json", action="store_true", help="print the statistics as JSON")
    stats.set_defaults(func=run)
    export = subparsers.add_parser("export-progress", help="every saved answer as JSON or CSV")
    export.add_argument("--format", choices=FORMATS,
                        help="json or csv (default: from the --output suffix, else json)")
    export.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of standard output")
    export.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from quizapp.progress import StoreError, open_store

    try:
        store = open_store(args.home, writable=False)  # reading only: a read-only database is fine
    except StoreError as exc:
        print(f"quizapp: error: {exc}", file=sys.stderr)
        return 1
    for warning in store.warnings:
        print(f"quizapp: warning: {warning}", file=sys.stderr)
    with store:
        try:
            return _stats(store, args) if args.command == "stats" else _export(store, args)
        except UsageError as exc:
            # Reported here, not left to cli.main: under `python -m quizapp.cli` that module is
            # __main__ and its UsageError is a different class from quizapp.cli.UsageError.
            print(f"quizapp: error: {exc}", file=sys.stderr)
            return 2


# -- stats ----------------------------------------------------------------------------------------

def _stats(store: Any, args: argparse.Namespace) -> int:
    from quizapp.progress import stats

    data = stats.summary(store.attempts())
    data["due_reviews"] = len(store.due_templates())
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        _print_stats(data)
    return 0


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def _local(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")


def _print_stats(data: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not data["attempts"]:
        console.print("No answers saved yet. Start practising with [bold]quizapp[/bold].")
        return
    n = data["attempts"]
    table = Table(title=f"{n} answer{'s' if n != 1 else ''}, {_percent(data['accuracy'])} right")
    for name, justify in (("Topic", "left"), ("Attempts", "right"), ("Accuracy", "right"),
                          ("Mastery", "right"), ("Last answered", "left")):
        table.add_column(name, justify=justify)
    for t in data["topics"]:
        table.add_row(t["topic"] or "(no topic)", str(t["attempts"]), _percent(t["accuracy"]),
                      _percent(t["mastery"]), _local(t["last_answered"]))
    console.print(table)
    s = data["streaks"]
    console.print(f"Day streak: {s['current_days']} (longest {s['longest_days']})   "
                  f"Right in a row: {s['current_correct']} (longest {s['longest_correct']})")
    if data["weakest"]:
        weak = ", ".join(f"{w['topic']} {_percent(w['accuracy'])} of the last {w['attempts']}"
                         for w in data["weakest"])
        console.print(f"Weakest topics: {weak}")
    console.print(f"Reviews due now: {data['due_reviews']}")


# -- export ---------------------------------------------------------------------------------------

def _export(store: Any, args: argparse.Namespace) -> int:
    output = Path(args.output) if args.output else None
    fmt = args.format or ("csv" if output is not None and output.suffix.lower() == ".csv" else "json")
    if output is not None:
        _check_output(output)
    rows = [a.as_dict() for a in store.attempts()]
    text = _to_csv(rows) if fmt == "csv" else json.dumps(rows, indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        try:
            _write_atomically(output, text)
        except OSError as exc:
            raise UsageError(f"cannot write {output}: {exc}") from exc
    return 0


def _to_csv(rows: list[dict[str, Any]]) -> str:
    from quizapp.progress.records import EXPORT_COLUMNS

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS)
    writer.writeheader()
    for row in rows:
        # Nested values stay JSON inside their cell; booleans as 1/0 so spreadsheets can average them.
        writer.writerow({k: json.dumps(v) if isinstance(v, (dict, list)) else int(v) if isinstance(v, bool)
                         else v for k, v in row.items()})
    return buffer.getvalue()


def _check_output(output: Path) -> None:
    if output.is_dir():
        raise UsageError(f"--output {output} is a folder; give a file name")
    if not output.parent.is_dir():
        raise UsageError(f"--output {output}: the folder {output.parent} does not exist")


def _write_atomically(output: Path, text: str) -> None:
    # A temporary file in the same folder, renamed over the target: readers never see half a file.
    fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, output)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
