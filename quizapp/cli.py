"""The `quizapp` command: no arguments opens the study app; subcommands script everything else.

Each subcommand lives in ``quizapp.commands.<module>`` with ``add_parser(subparsers)`` and
``run(args) -> int``. Modules are imported only to build the parser; they keep heavy imports
(the bank, SymPy, Textual) inside ``run`` so every command starts fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

COMMAND_MODULES = (
    "listing",  # list, show
    "solving",  # solve, check, grad
    "lint",
    "generate",
    "progress",  # stats, export-progress
    "playground",
)


class UsageError(Exception):
    """Bad usage or bad input: printed on stderr, exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quizapp", description=__doc__.splitlines()[0])
    parser.add_argument("--home", help="folder for saved progress (default: QUIZAPP_HOME or the user data dir)")
    parser.add_argument("--bank", action="append", default=[], metavar="PATH",
                        help="extra template folder (repeatable; also QUIZAPP_BANK)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"quizapp.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"quizapp.commands.{name}":
                raise
            continue
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            from quizapp.tui import run_app

            return run_app(home=args.home, banks=args.bank)
        return int(args.func(args) or 0)
    except UsageError as exc:
        print(f"quizapp: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`quizapp list | head`): stop quietly. Point stdout at /dev/null so
        # Python's own flush at exit does not raise the same error again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    # Run as `python -m quizapp.cli` this file is `__main__`; the commands raise the UsageError of
    # `quizapp.cli`, so dispatch through that module rather than this copy.
    from quizapp.cli import main as _main

    sys.exit(_main())
