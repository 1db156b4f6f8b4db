"""``quizapp solve``, ``quizapp check`` and ``quizapp grad``: the scripting interface (docs/cli.md).

Heavy imports (the bank, NumPy, the grader) happen inside ``run`` so that building the parser
stays fast for every other command.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import IO, Any

from quizapp.errors import UsageError

EXIT_OK, EXIT_WRONG, EXIT_USAGE = 0, 1, 2


def add_parser(sub: Any) -> None:
    p = sub.add_parser("solve", help="solve a question step by step",
                       description="Solve a question step by step (parameters not set are drawn from the seed).")
    _question_args(p)
    p.add_argument("--steps", type=int, metavar="K",
                   help="run length for a multi-step template (its n_steps), e.g. 20 for a published run")
    p.set_defaults(func=run)
    p = sub.add_parser("check", help="check hand-worked answers",
                       description="Check answers (any part, or any intermediate step) to a question.")
    _question_args(p)
    p.add_argument("--answer", action="append", default=[], metavar="PART=TEXT",
                   help="an answer to a part or a solution step (repeatable)")
    p.set_defaults(func=run)
    p = sub.add_parser("grad", help="backprop on a scalar expression",
                       description="Backprop on a scalar expression: value, gradients and every node. "
                                   "An expression that starts with '-' goes after '--'.")
    p.add_argument("expr", help='the expression, e.g. "(x + y) * z"')
    p.add_argument("--at", action="append", default=[], metavar="NAME=VALUE", help="a variable's value (repeatable)")
    p.add_argument("--symbolic", action="store_true",
                   help="every derivative as a simplified formula instead of a number (no --at)")
    p.add_argument("--json", action="store_true", help="one JSON document (see docs/cli.md)")
    p.set_defaults(func=run)


def _question_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("template", nargs="?", help="template id (or TEMPLATE:SEED)")
    p.add_argument("--seed", type=int, help="seed for the parameters not set (solve: random when omitted)")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="a parameter's value: a number, [..] vector, [[..]] matrix or word (repeatable)")
    p.add_argument("--batch", metavar="FILE", help="JSON Lines file (- for stdin), one request per line")
    p.add_argument("--json", action="store_true", help="JSON output (see docs/cli.md)")


def run(args: argparse.Namespace) -> int:
    if args.command == "grad":
        return _grad(args)
    if args.batch is not None:
        return _batch(args)
    if args.template is None:
        raise UsageError(f"{args.command}: give a template id, or --batch FILE")
    return _solve(args) if args.command == "solve" else _check(args)


# ----- shared helpers (also used by quizapp show) ----------------------------------------------


def load(args: argparse.Namespace) -> Any:
    from question_bank.bank import load_bank
    from question_bank.loader import TemplateError

    try:
        bank = load_bank(extra_paths=args.bank)
    except TemplateError as exc:
        raise UsageError(f"cannot load the question bank: {exc}") from None
    # A broken file in an added folder is skipped, not fatal: say which, and go on with the rest.
    for error in bank.errors:
        print(f"quizapp: warning: template skipped: {error} (quizapp lint explains)", file=sys.stderr)
    return bank


@contextmanager
def _bad_input() -> Iterator[None]:
    """Bad input of any kind as a usage error (exit 2, message on stderr, no traceback)."""
    try:
        yield
    except (ValueError, KeyError) as exc:
        raise UsageError(str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)) from None


def template_of(bank: Any, template_id: str) -> Any:
    from quizapp.study.requests import split_id, template_of

    with _bad_input():
        return template_of(bank, split_id(template_id)[0])


def instantiate(bank: Any, template_id: str, seed: Any, params: dict[str, Any], require_all: bool = False) -> Any:
    from quizapp.study.requests import question_for

    with _bad_input():
        return question_for(bank, template_id, seed, params, require_all)


def solve_dict(question: Any) -> dict[str, Any]:
    from quizapp.study.requests import solve_dict

    return solve_dict(question)


def _assignments(items: Sequence[str], flag: str) -> dict[str, str]:
    from quizapp.grading.params import split_assignment

    out: dict[str, str] = {}
    with _bad_input():
        for item in items:
            name, value = split_assignment(item, flag)
            if name in out:
                raise ValueError(f"{flag} {name} is given twice")
            out[name] = value
    return out


# ----- solve -----------------------------------------------------------------------------------


def _solve(args: argparse.Namespace) -> int:
    from quizapp import output

    bank = load(args)
    params = _with_steps(bank, args, _assignments(args.set, "--set"))
    question = instantiate(bank, args.template, args.seed, params)
    if args.json:
        output.print_json(solve_dict(question))
        return EXIT_OK
    print_solution(question)
    return EXIT_OK


def _with_steps(bank: Any, args: argparse.Namespace, params: dict[str, str]) -> dict[str, str]:
    """``--steps K`` as the template's run length ``n_steps`` (the worked solution shows every step)."""
    if args.steps is None:
        return params
    template = template_of(bank, args.template)
    if "n_steps" not in {p.name for p in template.params}:
        raise UsageError(f"--steps: {template.id} is not a multi-step template (no n_steps parameter); "
                         "try optimizer-three-steps")
    if "n_steps" in params:
        raise UsageError("give the run length once: --steps K or --set n_steps=K")
    if not 1 <= args.steps <= 50:
        raise UsageError(f"--steps must be from 1 to 50, got {args.steps}")
    return {**params, "n_steps": str(args.steps)}


def print_solution(question: Any, stream: IO[str] | None = None) -> None:
    from quizapp import output

    output.say(f"[bold]{question.template.id}[/bold]  seed {question.seed}", stream)
    output.say(output.escape(question.text()), stream)
    # steps by number and parts by their caption: a reader never sees an internal name
    rows = [(f"{n}.", s.label, s.formula, s.substituted, s.value) for n, s in enumerate(question.solution.steps, 1)]
    if rows:
        output.say("", stream)
        output.table(("", "what", "formula", "with the numbers", "value"), rows, "Worked solution", stream)
    output.say("", stream)
    for part in question.parts:
        answer = _answer_text(question, part.name, question.expected[part.name])
        output.say(f"[bold]{output.escape(question.caption(part))}[/bold] = {output.escape(answer)}", stream)


def _answer_text(question: Any, name: str, value: Any) -> str:
    from question_bank.render import answer_text

    return answer_text(question, question.template.part(name), value)


# ----- check -----------------------------------------------------------------------------------


def _check(args: argparse.Namespace) -> int:
    from quizapp import output
    from quizapp.grading import grade

    answers = _assignments(args.answer, "--answer")
    if not answers:
        raise UsageError("check: give at least one --answer PART=TEXT")
    bank = load(args)
    question = instantiate(bank, args.template, args.seed, _assignments(args.set, "--set"), require_all=True)
    with _bad_input():
        result = grade(question, answers)
    if args.json:
        output.print_json(result.to_dict())
    else:
        print_grade(result)
    # Checking one's own work judges the parts given: a part left out is not wrong.
    if not result.checked and not result.steps:
        print("quizapp: nothing was checked: every answer given was blank or could not be read", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK if result.checked_correct else EXIT_WRONG


def print_grade(result: Any, stream: IO[str] | None = None) -> None:
    from quizapp import output

    checked = result.checked
    n_right = sum(result.parts[n].correct for n in checked)
    left = f"; not checked: {', '.join(result.not_checked)}" if result.not_checked else ""
    output.say(f"[bold]{result.template}[/bold]  seed {result.seed}: {n_right}/{len(checked)} checked parts right"
               f"{left}", stream)
    if result.precision:
        output.say(output.escape(result.precision), stream)
    if result.note:
        output.say(output.escape(result.note), stream)
    items = result.answered() + [p for p in result.parts.values() if not p.answered]
    rows = [(r.name + ("" if r.is_step else " (part)"), "—" if r.handed_back else output.mark(r.correct, stream),
             r.given if r.message == "" else "", r.expected, _note(r)) for r in items]
    output.table(("answer", "result", "given", "expected", "note"), rows, stream=stream)
    for r in items:
        if r.answered and "\n" in r.message:  # a caret under the bad character needs its own lines
            output.say(f"{r.name}: {output.escape(r.message)}", stream)
    for r in items:
        if r.diagnosis is not None:
            kind = "another convention" if r.diagnosis.kind == "convention" else "mistake"
            output.say(f"{r.name} ({kind}): {output.escape(r.diagnosis.message)}", stream)
    if result.first_wrong_step:
        label = result.result(result.first_wrong_step).label
        output.say(f"Your working first left the right path at [bold]{result.first_wrong_step}[/bold] "
                   f"({output.escape(label)}).", stream)


def _note(r: Any) -> str:
    from quizapp import output

    if not r.answered:
        return "not given: not checked"
    if r.handed_back:
        return "unreadable: not checked"
    if r.carried_forward:
        return "right from your own earlier answers"
    if r.message:
        return r.message.splitlines()[0]
    if r.diagnosis is not None:  # named below, in words (the id is for scripts: --json)
        return "another convention" if r.diagnosis.kind == "convention" else "a mistake we know"
    if not r.correct and r.implied is not None:
        return f"your earlier answers give {output.text(r.implied)}"
    return ""


# ----- batch -----------------------------------------------------------------------------------


def _batch(args: argparse.Namespace) -> int:
    from quizapp.study.requests import check_request, run_batch, solve_request

    if args.template is not None or args.set or getattr(args, "answer", None):
        raise UsageError("--batch reads the template, params and answers from the file; "
                         "do not give them on the command line")
    bank = load(args)
    graded: list[Any] = []

    def check(data: Any) -> dict[str, Any]:
        result = check_request(bank, data, args.seed)
        graded.append(result)
        return result.to_dict()

    handle = (lambda data: solve_request(bank, data, args.seed)) if args.command == "solve" else check
    with _open_batch(args.batch) as lines:
        results = list(_emit(run_batch(lines, handle), args))
    if args.command == "check" and not args.json:
        print_report(graded, sum("error" in r for r in results))
    bad = [r["line"] for r in results if "error" in r]
    if bad:
        print(f"quizapp: {len(bad)} of {len(results)} lines had errors (lines {', '.join(map(str, bad))})",
              file=sys.stderr)
        return EXIT_USAGE
    wrong = args.command == "check" and any(not r.get("correct") for r in results)
    return EXIT_WRONG if wrong else EXIT_OK


@contextmanager
def _open_batch(path: str) -> Iterator[Any]:
    if path == "-":
        yield sys.stdin
        return
    try:
        handle = open(path, encoding="utf-8", errors="replace")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    with handle:
        yield handle


def _emit(results: Iterator[dict[str, Any]], args: argparse.Namespace) -> Iterator[dict[str, Any]]:
    """Write each result as soon as it is ready (a long batch shows progress) and pass it on."""
    from quizapp import output

    for r in results:
        try:
            output.dumps(r)  # checked before printing: a line that cannot be JSON is reported in place
        except (ValueError, TypeError) as exc:
            r = {"line": r.get("line"), "error": f"the result cannot be written as JSON: {exc}"}
        if args.json or args.command == "solve":
            output.print_json(r)
        else:
            _print_line(r)
        yield r


def _print_line(r: dict[str, Any]) -> None:
    from quizapp import output

    who = f" {r['student']}" if "student" in r else ""
    if "error" in r:
        output.say(f"line {r['line']}{output.escape(who)}: error: {output.escape(r['error'])}")
        return
    found = sorted({p["diagnosis"]["id"] for p in [*r["parts"].values(), *r["steps"].values()] if p["diagnosis"]})
    tail = f"; first wrong at {r['first_wrong_step']}" if r["first_wrong_step"] else ""
    tail += f"; {', '.join(found)}" if found else ""
    output.say(f"line {r['line']}{output.escape(who)}: {r['template']} score {r['score']:.2f} "
               f"{output.mark(r['correct'])}{output.escape(tail)}")


def print_report(graded: list[Any], errors: int, stream: IO[str] | None = None) -> None:
    from quizapp import output
    from quizapp.grading.report import class_report

    rows = []
    for rep in class_report(graded):
        mistakes = ", ".join(f"{i} ({'convention' if k == 'convention' else 'mistake'}) ×{n}"
                             for i, k, n in rep.common_diagnoses())
        where = ", ".join(f"{s} ×{n}" for s, n in rep.common_first_wrong())
        rows.append((rep.template, rep.graded, f"{rep.share_correct:.0%}", f"{rep.mean_score:.2f}",
                     mistakes or "-", where or "-"))
    output.say("", stream)
    output.table(("template", "answers", "correct", "mean score", "most common diagnoses", "first wrong step"),
                 rows, "Class report", stream)
    if errors:
        output.say(f"{errors} line{'s' if errors != 1 else ''} could not be graded (see above).", stream)


# ----- grad ------------------------------------------------------------------------------------


def _grad(args: argparse.Namespace) -> int:
    if args.symbolic:
        return _grad_symbolic(args)
    from quizapp import output
    from quizapp.answers import parse_number
    from solvers.backprop import gradients

    at = {}
    with _bad_input():
        for name, text in _assignments(args.at, "--at").items():
            try:
                at[name] = parse_number(text)
            except ValueError as exc:
                raise ValueError(f"--at {name}: {exc}") from None
        result = gradients(args.expr, at)
    if args.json:
        output.print_json(result.to_dict())
        return EXIT_OK
    point = ", ".join(f"{k} = {output.text(v)}" for k, v in at.items())
    output.say(f"f = {output.escape(args.expr)}" + (f"  at {point}" if point else ""))
    output.say(f"value: {output.text(result.value)}")
    for name, g in result.grads.items():
        output.say(f"∂f/∂{name} = {output.text(g)}")
    rows = [(n.name, n.op, ", ".join(n.inputs), n.value, _listed(n.local), n.upstream, _listed(n.downstream))
            for n in result.nodes]
    output.table(("node", "op", "inputs", "value", "local ∂node/∂input", "upstream ∂f/∂node",
                  "gradient ∂f/∂input"), rows, "Graph, inputs first")
    return EXIT_OK


def _grad_symbolic(args: argparse.Namespace) -> int:
    from quizapp import output
    from solvers.symbolic_graph import symbolic_backprop

    if args.at:
        raise UsageError("grad --symbolic works on formulas: leave out --at (or drop --symbolic for numbers)")
    with _bad_input():
        result = symbolic_backprop(args.expr)
    if args.json:
        output.print_json(result.to_dict())
        return EXIT_OK
    output.say(f"f = {output.escape(args.expr)}")
    output.say(f"value: {output.escape(result.value)}")
    for name, g in result.grads.items():
        output.say(f"∂f/∂{name} = {output.escape(g)}")
    rows = [(n.name, n.op, ", ".join(n.inputs), n.value, "; ".join(n.local), n.upstream, "; ".join(n.downstream))
            for n in result.nodes]
    output.table(("node", "op", "inputs", "value", "local ∂node/∂input", "upstream ∂f/∂node",
                  "gradient ∂f/∂input"), rows, "Graph, inputs first (formulas)")
    return EXIT_OK


def _listed(values: Sequence[float]) -> str:
    from quizapp import output

    return ", ".join(output.text(v) for v in values)
