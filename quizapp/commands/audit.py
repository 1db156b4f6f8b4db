"""``quizapp audit [ID ...]``: which mistakes and conventions each template names, and how often the
checker names them on fresh variants (quizapp.grading.audit)."""

from __future__ import annotations

import argparse
from typing import Any

from quizapp.errors import UsageError

DEFAULT_SEEDS = 50


def add_parser(sub: Any) -> None:
    p = sub.add_parser("audit", help="which mistakes the checker names, per template",
                       description="For each template: its named mistakes and conventions, and the share of "
                                   "seeds (where each gives another answer) on which the checker names it.")
    p.add_argument("ids", nargs="*", metavar="ID", help="template ids (default: every computed template)")
    p.add_argument("--seeds", type=int, default=DEFAULT_SEEDS, help=f"seeds per template (default {DEFAULT_SEEDS})")
    p.add_argument("--json", action="store_true", help="one JSON document")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from quizapp import output
    from quizapp.commands.solving import load
    from quizapp.grading.audit import GENERIC, audit

    if not 1 <= args.seeds <= 10_000:
        raise UsageError("--seeds must be from 1 to 10000")
    bank = load(args)
    ids = args.ids or [t for t, tpl in bank.templates.items() if not tpl.is_concept]
    unknown = [i for i in ids if i not in bank.templates]
    if unknown:
        raise UsageError(f"no template {unknown[0]!r} (see quizapp list)")
    reports = [audit(bank.templates[i], args.seeds) for i in ids]
    if args.json:
        output.print_json({"generic": list(GENERIC), "templates": [r.to_dict() for r in reports]})
        return 0
    rows = []
    for r in reports:
        if not r.named:
            rows.append((r.template, "(generic slips only)", "", "", ""))
        for c in r.named:
            share = "-" if c.share is None else f"{c.share:.0%}"
            rows.append((r.template, c.id, c.kind, f"{c.fired}/{c.applies}", share))
    output.table(("template", "names", "kind", "named/applies", "share"), rows,
                 f"Named mistakes and conventions over {args.seeds} seeds")
    output.say("Every template also names: " + "; ".join(GENERIC) + ".")
    return 0
