"""One solve or check request (a command line, or a line of a batch file) turned into a result.

Every problem with a request is a ValueError with a message meant for the person who wrote it;
the command line turns it into exit code 2, batch mode into that line's ``{"error": ...}``.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from question_bank.bank import Bank
from question_bank.question import Question
from question_bank.schema import Template
from quizapp.grading.grade import grade
from quizapp.grading.params import missing_params, read_params
from quizapp.grading.results import GradeResult
from quizapp.study.seeds import new_seed


def split_id(text: str) -> tuple[str, int | None]:
    """``adam-step`` or ``adam-step:42`` (a question id as the app shows it) as (template id, seed)."""
    tid, sep, seed = text.partition(":")
    if not sep:
        return tid, None
    try:
        return tid, int(seed)
    except ValueError:
        raise ValueError(f"{text!r}: the part after ':' must be a seed number") from None


def template_of(bank: Bank, template_id: str) -> Template:
    if template_id in bank:
        return bank.get(template_id)
    close = difflib.get_close_matches(template_id, bank.ids(), n=3)
    hint = f"; did you mean {' or '.join(close)}?" if close else " (quizapp list shows them)"
    raise ValueError(f"no template {template_id!r}{hint}")


def question_for(bank: Bank, template_id: str, seed: Any, params: Mapping[str, Any],
                 require_all: bool = False) -> Question:
    """The question of ``template_id`` with ``params`` (text or values) and the rest drawn from ``seed``.

    ``require_all``: with no seed, every drawn parameter must be given (checking an answer to
    numbers the student did not say would be meaningless).
    """
    tid, id_seed = split_id(template_id)
    template = template_of(bank, tid)
    seed = id_seed if seed is None else seed
    values = read_params(template, params)
    if seed is None:
        missing = missing_params(template, values)
        if require_all and missing:
            raise ValueError(f"give the question's numbers ({', '.join(f'--set {m}=...' for m in missing)}) "
                             "or its seed (--seed N)")
        seed = 0 if require_all else new_seed()
    if not isinstance(seed, (int, str)) or isinstance(seed, bool):
        raise ValueError(f"seed: expected a whole number, got {seed!r}")
    return bank.instantiate(template.id, seed, values)


def solve_dict(question: Question) -> dict[str, Any]:
    """The documented ``solve --json`` result."""
    return {
        "template": question.template.id,
        "seed": question.seed,
        "params": question.params,
        "answer": dict(question.expected),
        "steps": [s.to_dict() for s in question.solution.steps],
    }


def _fields(data: Any, required: Iterable[str], optional: Iterable[str]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object such as {{\"template\": ..., \"params\": {{...}}}}, got {data!r}")
    missing = [k for k in required if k not in data]
    if missing:
        raise ValueError(f"missing {', '.join(repr(k) for k in missing)}")
    allowed = set(required) | set(optional)
    extra = [k for k in data if k not in allowed]
    if extra:
        raise ValueError(f"unknown field {extra[0]!r} (expected: {', '.join(sorted(allowed))})")
    for key in ("params", "answer"):
        if key in data and not isinstance(data[key], dict):
            raise ValueError(f"{key!r} must be an object of NAME: VALUE")
    if not isinstance(data["template"], str):
        raise ValueError("'template' must be a template id (text)")
    return data


def solve_request(bank: Bank, data: Any, seed: int | None) -> dict[str, Any]:
    """A batch line ``{"template", "params", "seed"?}`` solved."""
    d = _fields(data, ["template"], ["params", "seed", "student", "answer"])  # answers are ignored here
    question = question_for(bank, d["template"], d.get("seed", seed), d.get("params") or {})
    return solve_dict(question)


def check_request(bank: Bank, data: Any, seed: int | None) -> GradeResult:
    """A batch line ``{"template", "params", "answer": {PART: TEXT}, "seed"?}`` graded."""
    d = _fields(data, ["template", "answer"], ["params", "seed", "student"])
    question = question_for(bank, d["template"], d.get("seed", seed), d.get("params") or {}, require_all=True)
    answers = {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in d["answer"].items()}
    return grade(question, answers)


def run_batch(lines: Iterable[str], handle: Callable[[Any], dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """One result per non-blank line, in order, each with its 1-based ``line``; a bad line's result is
    ``{"line", "error"}`` and the rest go on. ``student`` is copied from the input when present."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        head: dict[str, Any] = {"line": number}
        try:
            data = json.loads(line)
            if isinstance(data, dict) and "student" in data:
                head["student"] = data["student"]
            yield {**head, **handle(data)}
        except (ValueError, KeyError, TypeError, ArithmeticError, RecursionError) as exc:
            yield {**head, "error": _message(exc)}


def _message(exc: BaseException) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON: {exc.msg} at character {exc.pos + 1}"
    if isinstance(exc, KeyError) and exc.args:
        return str(exc.args[0])
    return str(exc) or type(exc).__name__


def solve_command(question: Question, params: Mapping[str, str] | None = None) -> str:
    """The command line that shows this question's worked solution: ``quizapp solve TEMPLATE:SEED``,
    with ``--set NAME=VALUE`` for numbers typed in instead of drawn."""
    import shlex

    words = ["quizapp", "solve", question.id]
    for name, text in (params or {}).items():
        words += ["--set", f"{name}={' '.join(text.split())}"]
    return shlex.join(words)
