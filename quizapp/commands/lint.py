"""``quizapp lint [PATH ...]``: check templates before a student meets them (question_bank.lint)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from quizapp.errors import UsageError


def add_parser(sub: Any) -> None:
    p = sub.add_parser("lint", help="check question templates",
                       description="Check templates: schema, solver, 500 seeds each (answers separated from "
                                   "named mistakes and non-answers), misconceptions able to fire. "
                                   "Without PATH: the built-in bank plus --bank folders and QUIZAPP_BANK.")
    p.add_argument("paths", nargs="*", metavar="PATH", help="template file or folder")
    p.add_argument("--seeds", type=int, default=None, help="seeds per template (default 500)")
    p.add_argument("--json", action="store_true", help="one JSON document (see docs/cli.md)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from question_bank import lint as qlint
    from question_bank.bank import bank_paths
    from quizapp import output

    for path in args.paths:
        if not Path(path).exists():
            raise UsageError(f"no such file or folder: {path}")
    if args.seeds is not None and args.seeds < 1:
        raise UsageError("--seeds must be at least 1")
    paths = args.paths or bank_paths(args.bank)
    issues = qlint.lint(paths, seeds=args.seeds or qlint.SEEDS)
    if args.json:
        output.print_json({"ok": not issues, "issues": [_issue_dict(i) for i in issues]})
    elif issues:
        for issue in issues:
            output.say(output.escape(str(issue)))
        output.say(f"{len(issues)} problem{'s' if len(issues) != 1 else ''} found.")
    else:
        output.say("All templates are fine.")
    return 1 if issues else 0


def _issue_dict(issue: Any) -> dict[str, Any]:
    return {"file": issue.file, "line": issue.line, "field": issue.field, "message": issue.message,
            "template": getattr(issue, "template", "")}
