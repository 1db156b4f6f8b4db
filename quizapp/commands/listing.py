"""``quizapp list`` and ``quizapp show``: what the bank holds."""

from __future__ import annotations

import argparse
from typing import Any

from question_bank.render import markup
from quizapp.errors import UsageError


def add_parser(sub: Any) -> None:
    p = sub.add_parser("list", help="list the question templates", description="List the question templates.")
    p.add_argument("--topic", help="only this topic")
    p.add_argument("--json", action="store_true", help="one JSON document (see docs/cli.md)")
    p.set_defaults(func=run)
    p = sub.add_parser("show", help="one template: parameters, conventions, an example",
                       description="Show one template: its parameters, conventions, parts and an example.")
    p.add_argument("id", help="template id")
    p.add_argument("--seed", type=int, default=0, help="seed of the example (default 0)")
    p.add_argument("--json", action="store_true", help="one JSON document (see docs/cli.md)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from quizapp.commands.solving import load

    bank = load(args)
    if args.command == "list":
        return _list(bank, args)
    return _show(bank, args)


def template_summary(t: Any) -> dict[str, Any]:
    return {
        "id": t.id,
        "title": t.title,
        "topic": t.topic,
        "difficulty": t.difficulty,
        "tags": list(t.tags),
        "parameters": [p.name for p in t.params],
        "parts": [p.name for p in t.parts],
    }


def _list(bank: Any, args: argparse.Namespace) -> int:
    from quizapp import output

    templates = [bank.get(i) for i in bank.ids()]
    if args.topic:
        if args.topic not in bank.topics():
            raise UsageError(f"no topic {args.topic!r}; topics: {', '.join(bank.topics())}")
        templates = [t for t in templates if t.topic == args.topic]
    if args.json:
        output.print_json([template_summary(t) for t in templates])
        return 0
    rows = [(t.id, t.topic, t.title, ", ".join(p.name for p in t.params), ", ".join(p.name for p in t.parts))
            for t in templates]
    output.table(("id", "topic", "title", "parameters", "parts"), rows)
    return 0


def _param_text(p: Any) -> str:
    from solvers.display import render

    kind = p.kind
    if kind in ("int", "decimal", "vector", "matrix"):
        low, high = _bound(p.low), _bound(p.high)
        shape = "×".join(_bound(d) for d in p.shape)
        where = f" of {shape}" if shape else ""
        return f"{kind}{where} in [{low}, {high}]" + (f", {p.decimals} decimals" if p.decimals else "")
    if kind == "choice":
        return "one of " + ", ".join(render(o, "plain") for o in p.options)
    if kind == "sample":
        return f"drawn from {p.source or render(list(p.options), 'plain')}"
    if kind == "derived":
        return f"= {p.expr_text}"
    return f"fixed {render(p.value, 'plain')}"


def _bound(b: Any) -> str:
    """A bound or size: an expression's own text, a number as the display model writes it."""
    from solvers.display import render

    return getattr(b, "text", None) or render(b, "plain")


def _show(bank: Any, args: argparse.Namespace) -> int:
    from quizapp import output
    from quizapp.commands.solving import instantiate, solve_dict

    template = _template(bank, args.id)
    question = instantiate(bank, template.id, args.seed, {})
    if args.json:
        output.print_json({**template_summary(template), "conventions": question.conventions,
                           "misconceptions": [{"id": m.id, "kind": m.kind, "message": markup(m.message)}
                                              for m in template.misconceptions],
                           "example": solve_dict(question)})
        return 0
    output.say(f"[bold]{output.escape(template.title)}[/bold]  ({template.id}, topic {template.topic}, "
               f"difficulty {template.difficulty})")
    if template.params:
        output.table(("parameter", "kind"), [(p.name, _param_text(p)) for p in template.params], "Parameters")
    parts = [(p.name, p.type, _tolerance(p), ", ".join(p.depends_on)) for p in template.parts]
    output.table(("part", "type", "tolerance", "depends on"), parts, "Answer parts")
    if question.conventions:
        output.say("Conventions this question states:")
        for c in question.conventions:
            output.say(f"  • {output.escape(c)}")
    if template.misconceptions:
        output.table(("misconception", "kind", "message"),
                     [(m.id, m.kind, markup(m.message)) for m in template.misconceptions], "Recognised wrong answers")
    output.say(f"\n[bold]Example[/bold] (seed {args.seed}):")
    output.say(output.escape(question.text()))
    output.say("Answer: " + output.escape(
        "; ".join(f"{k} = {output.text(v)}" for k, v in question.expected.items())))
    return 0


def _tolerance(p: Any) -> str:
    from question_bank.judging import DEFAULT_SIGFIGS
    from question_bank.schema import NUMERIC_TYPES

    if p.type not in NUMERIC_TYPES:
        return "exact"
    # conventions.md: the band is what honest work explains, worked out per question from its steps
    return f"{p.sigfigs or DEFAULT_SIGFIGS} significant figures or more, honest rounding of every step"


def _template(bank: Any, template_id: str) -> Any:
    from quizapp.commands.solving import template_of

    return template_of(bank, template_id)
