"""The `quizapp` command: no arguments opens the study app; subcommands script everything else.

Each subcommand lives in ``quizapp.commands.<module>`` with ``add_parser(subparsers)`` and
``run(args) -> int``. Modules are imported only to build the parser; they keep heavy imports
(the bank, SymPy, Textual) inside ``run`` so every command starts fast.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Sequence

from quizapp.errors import UsageError

COMMAND_MODULES = (
    "listing",  # list, show
    "solving",  # solve, check, grad
    "lint",
    "audit",
    "generate",
    "progress",  # stats, export-progress
    "playground",
)


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


EXIT_NO_TERMINAL = 2
EXIT_WRITE_FAILED = 1


def no_terminal_reason(environ: dict[str, str] | None = None) -> str | None:
    """Why the full-screen app cannot run here (cron, CI, a pipe, TERM=dumb), or None when it can."""
    term = (os.environ if environ is None else environ).get("TERM", "")
    if term == "dumb":
        return "the terminal is TERM=dumb, which cannot show the full-screen app"
    for name, stream in (("input", sys.stdin), ("output", sys.stdout)):
        try:
            if stream is None or not stream.isatty():
                return f"standard {name} is not a terminal"
        except (AttributeError, ValueError):
            return f"standard {name} is not a terminal"
    return None


def _tolerant_streams() -> None:
    # An encoding that lacks a character (PYTHONIOENCODING=ascii, latin-1) prints "?" for it
    # instead of ending in UnicodeEncodeError; JSON output escapes non-ASCII itself (output.dumps).
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            pass


def _silence_stdout() -> None:
    # Point stdout at /dev/null so Python's own flush at exit does not fail a second time.
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def run() -> None:
    """The ``quizapp`` program: :func:`main`, then exit. Whatever is still alive is frozen first, so that
    the interpreter's last garbage collection at exit does not walk it all (a large problem set's
    records: about 0.3 s); it is freed as usual."""
    code = main()
    gc.freeze()
    sys.exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    _tolerant_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            reason = no_terminal_reason()
            if reason is not None:
                print(f"quizapp: the study app needs an interactive terminal: {reason}.\n"
                      "Run a command instead (quizapp --help lists them), e.g. quizapp list.", file=sys.stderr)
                return EXIT_NO_TERMINAL
            from quizapp.tui import run_app

            return run_app(home=args.home, banks=args.bank)
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a full disk is reported here, not as noise at interpreter exit
        return code
    except UsageError as exc:
        print(f"quizapp: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`quizapp list | head`): stop quietly.
        _silence_stdout()
        return 1
    except OSError as exc:
        # Writing the output failed (a full disk: `quizapp list > /dev/full`).
        _silence_stdout()
        what = f"cannot write {exc.filename}" if exc.filename else "cannot write the output"
        print(f"quizapp: error: {what}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_WRITE_FAILED


if __name__ == "__main__":
    sys.exit(main())  # UsageError lives in quizapp.errors, so this copy of the module catches it too
