"""Parameters from a seed: the same numbers for the same (template, seed) on every run and machine.

The integer seed of the generator comes from SHA-256 of the template id and the seed (Python's
``hash()`` is salted per process), and draws use :class:`random.Random`, whose integer methods
are stable across Python versions. Decimals are drawn as integers on their grid and divided, so
a one-decimal parameter is exactly what the student reads: numbers are rounded before solving.

Per-parameter conditions (``nonzero``, ``distinct``, ``exclude``) redraw that parameter alone;
template constraints and the hand-friendliness of answers redraw everything. When a condition
cannot be met the sampler fails with a :class:`TemplateError` naming the template and the condition.
"""

from __future__ import annotations

import hashlib
import math
import random
import string
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from question_bank import constraints as named
from question_bank.loader import TemplateError
from question_bank.param_exprs import Expr
from question_bank.reader import MAX_ABS, MAX_SIZE
from question_bank.schema import Constraint, Option, ParamSpec, PartSpec, Statement, Template

PARAM_TRIES = 200  # redraws of one parameter that breaks its own condition
TEMPLATE_TRIES = 300  # redraws of the whole set for template constraints and answer checks

# accept(params) -> (reason it is rejected or None, anything the caller wants back)
Accept = Callable[[dict[str, Any]], tuple[str | None, Any]]


def rng_for(template_id: str, seed: int | str, salt: str = "") -> random.Random:
    """A generator that depends only on the template id, the seed and ``salt``."""
    digest = hashlib.sha256(f"{template_id}\x00{seed}\x00{salt}".encode()).digest()
    return random.Random(int.from_bytes(digest[:16], "little"))


def plain(value: Any) -> Any:
    """NumPy values as plain Python (floats, ints, lists) for storage and JSON."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def _eval(template: Template, spec: ParamSpec, what: str, expr: Any, params: Mapping[str, Any]) -> Any:
    if not isinstance(expr, Expr):
        return expr
    try:
        return expr(params)
    except ValueError as exc:
        raise TemplateError(str(exc), template.source, spec.line, f"params.{spec.name}.{what}") from None


def _finite(template: Template, spec: ParamSpec, what: str, value: Any) -> float:
    """``value`` as a float within the bounds a template may use (an expression may compute anything)."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        number = math.inf
    if not (math.isfinite(number) and abs(number) <= MAX_ABS):
        raise TemplateError(f"{value!r:.60} is not a number from -{MAX_ABS:g} to {MAX_ABS:g}",
                            template.source, spec.line, f"params.{spec.name}.{what}")
    return number


def _whole(template: Template, spec: ParamSpec, what: str, value: Any) -> int:
    number = _finite(template, spec, what, value)
    if not number.is_integer():
        raise TemplateError(
            f"expected a whole number, got {value}", template.source, spec.line, f"params.{spec.name}.{what}"
        )
    return int(number)


def _size(template: Template, spec: ParamSpec, what: str, dims: list[int]) -> list[int]:
    # A size computed from other parameters is bounded as a literal one is at load time.
    if any(d < 0 for d in dims) or math.prod(dims) > MAX_SIZE:
        raise TemplateError(f"size {'×'.join(map(str, dims))}: expected from 0 to {MAX_SIZE} entries",
                            template.source, spec.line, f"params.{spec.name}.{what}")
    return dims


def _grid(rng: random.Random, low: float, high: float, decimals: int) -> float | int:
    if decimals == 0:
        return rng.randint(int(np.ceil(low)), int(np.floor(high)))
    scale = 10**decimals
    return round(rng.randint(round(low * scale), round(high * scale)) / scale, decimals)


def _ok(spec: ParamSpec, value: Any) -> bool:
    if not (spec.nonzero or spec.distinct or spec.exclude):
        return True
    flat = list(np.ravel(np.asarray(value, dtype=float)))
    if spec.nonzero and any(v == 0 for v in flat):
        return False
    if spec.exclude and any(v in spec.exclude for v in flat):
        return False
    return not (spec.distinct and len(set(flat)) != len(flat))


def _draw_once(template: Template, spec: ParamSpec, rng: random.Random, params: Mapping[str, Any]) -> Any:
    kind = spec.kind
    if kind in ("int", "decimal", "vector", "matrix"):
        low = _finite(template, spec, "low", _eval(template, spec, "low", spec.low, params))
        high = _finite(template, spec, "high", _eval(template, spec, "high", spec.high, params))
        if low > high:
            raise TemplateError(f"low {low} is above high {high}", template.source, spec.line, f"params.{spec.name}")
        if kind in ("int", "decimal"):
            return _grid(rng, low, high, spec.decimals)
        dims = _size(template, spec, "shape",
                     [_whole(template, spec, "shape", _eval(template, spec, "shape", d, params)) for d in spec.shape])
        if kind == "vector":
            return [_grid(rng, low, high, spec.decimals) for _ in range(dims[0])]
        return [[_grid(rng, low, high, spec.decimals) for _ in range(dims[1])] for _ in range(dims[0])]
    if kind == "choice":
        return plain(spec.options[rng.randrange(len(spec.options))])
    if kind == "sample":
        pool = list(params[spec.source]) if spec.source else list(spec.options)
        size = _size(template, spec, "size",
                     [_whole(template, spec, "size", _eval(template, spec, "size", spec.shape[0], params))])[0]
        if spec.replace:
            return [plain(pool[rng.randrange(len(pool))]) for _ in range(size)]
        if size > len(pool):
            raise TemplateError(
                f"cannot draw {size} different items from {len(pool)}",
                template.source,
                spec.line,
                f"params.{spec.name}.size",
            )
        return [plain(v) for v in rng.sample(pool, size)]
    if kind == "derived":
        value = plain(_eval(template, spec, "expr", spec.expr, params))
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
            # 10**60 is exact as a Python int but overflows every float computation after it
            _finite(template, spec, "expr", value)
        return _round(value, spec.decimals) if spec.decimals >= 0 else value
    return plain(spec.value)  # fixed; plain() copies lists so no caller can change the template


def _round(value: Any, decimals: int) -> Any:
    if isinstance(value, list):
        return [_round(v, decimals) for v in value]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    return round(float(value), decimals) if decimals else int(round(value))


def _draw_param(template: Template, spec: ParamSpec, rng: random.Random, params: Mapping[str, Any]) -> Any:
    for _ in range(PARAM_TRIES):
        value = _draw_once(template, spec, rng, params)
        if _ok(spec, value):
            return value
    conditions = [
        c
        for c, on in (
            ("nonzero", spec.nonzero),
            ("distinct", spec.distinct),
            (f"exclude {list(spec.exclude)}", bool(spec.exclude)),
        )
        if on
    ]
    raise TemplateError(
        f"template {template.id!r}: could not draw a value meeting {' and '.join(conditions)} in {PARAM_TRIES} tries",
        template.source,
        spec.line,
        f"params.{spec.name}",
    )


def draw_params(template: Template, rng: random.Random, given: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """One draw of every parameter in order (later ones may read earlier ones); ``given`` wins."""
    given = given or {}
    params: dict[str, Any] = {}
    for spec in template.params:
        params[spec.name] = plain(given[spec.name]) if spec.name in given else _draw_param(template, spec, rng, params)
    return params


def constraint_holds(template: Template, c: Constraint, params: Mapping[str, Any]) -> bool:
    """Whether one template constraint holds (a condition over vectors must hold entry by entry)."""
    index = template.constraints.index(c)
    try:
        if c.kind == "expr":
            return bool(np.all(c.expr(params)))
        return named.holds(c.kind, c.args, params)
    except (ValueError, TypeError, IndexError, KeyError) as exc:
        raise TemplateError(f"cannot evaluate: {exc}", template.source, c.line, f"constraints[{index}]") from None


def first_failing(template: Template, params: Mapping[str, Any]) -> Constraint | None:
    return next((c for c in template.constraints if not constraint_holds(template, c, params)), None)


def sample(
    template: Template,
    seed: int | str,
    given: Mapping[str, Any] | None = None,
    accept: Accept | None = None,
) -> tuple[dict[str, Any], Any]:
    """Parameters for ``seed`` that meet the constraints and ``accept``; returns (params, accept's payload).

    With ``given`` parameters the draw is still redrawn for the constraints, but if the given
    values make them impossible, the last draw is used: the person asked for those numbers.
    """
    unknown = [k for k in (given or {}) if k not in {p.name for p in template.params}]
    if unknown:
        raise ValueError(f"template {template.id!r} has no parameter {unknown[0]!r}")
    rng = rng_for(template.id, seed)
    failures: dict[str, int] = {}
    params: dict[str, Any] = {}
    payload: Any = None
    # When every drawn parameter is given, each draw is the same: one is enough (a batch of typed
    # questions must not solve each one 300 times over).
    fixed = bool(given) and all(p.name in given for p in template.params if p.kind not in ("derived", "fixed"))
    for _ in range(1 if fixed else TEMPLATE_TRIES):
        params = draw_params(template, rng, given)
        failing = first_failing(template, params)
        if failing is not None:
            key = f"constraints[{template.constraints.index(failing)}] ({failing.text})"
            failures[key] = failures.get(key, 0) + 1
            continue
        reason, payload = (None, None) if accept is None else accept(params)
        if reason is None:
            return params, payload
        failures[reason] = failures.get(reason, 0) + 1
    if given:
        reason, payload = (None, None) if accept is None else accept(params)
        return params, payload
    worst = max(failures, key=failures.__getitem__)
    field = worst.split(" ")[0]
    line = template.line_of(field.split(".")[0].split("[")[0])
    if field.startswith("constraints["):
        line = template.constraints[int(field[len("constraints[") : -1])].line
    raise TemplateError(
        f"template {template.id!r}: no parameters found in {TEMPLATE_TRIES} draws; "
        f"{worst} failed {failures[worst]} times",
        template.source,
        line,
        field,
    )


# -- concept templates with a pool of statements -------------------------------------------

DISTRACTORS = 3  # wrong options beside the right one when picking a statement
JUDGED = 3  # statements judged one by one in the which-true form


def concept_variant(template: Template, seed: int | str) -> Template:
    """The template as ``seed`` asks it: a per-seed copy with the drawn form's prompt and parts.

    A template without a pool, and the ``written`` form, are the template itself. Everything
    downstream (grading, exports, the app) reads the copy's parts as if they had been written."""
    if not template.pool:
        return template
    rng = rng_for(template.id, seed, "pool")
    form = template.forms[rng.randrange(len(template.forms))]
    if form == "written":
        return template
    return _FORM_BUILDERS[form](template, rng)


def _ask(template: Template, question: str, parts: list[PartSpec]) -> Template:
    return replace(template, prompt=f"{template.stem.rstrip()}\n\n{question}\n", parts=tuple(parts))


def _truth_part(name: str, statement: Statement, label: str = "") -> PartSpec:
    """True or False for one statement; either option explains the statement, so a wrong choice is
    named by why it is wrong. Not shuffled: True before False reads as people expect."""
    options = tuple(Option(oid, oid.capitalize(), correct=(oid == "true") == statement.true, why=statement.why,
                           line=statement.line) for oid in ("true", "false"))
    return PartSpec(name, "choice", label=label, options=options, shuffle=False, line=statement.line)


def _true_or_false(template: Template, rng: random.Random) -> Template:
    statement = template.pool[rng.randrange(len(template.pool))]
    return _ask(template, f"True or false? {statement.text}", [_truth_part("answer", statement)])


def _pick(template: Template, rng: random.Random, want: bool) -> Template:
    right = rng.choice([s for s in template.pool if s.true == want])
    others = [s for s in template.pool if s.true != want]
    chosen = [right, *rng.sample(others, min(DISTRACTORS, len(others)))]
    options = tuple(Option(s.id, s.text, correct=s is right, why=s.why, line=s.line) for s in chosen)
    question = f"Which of these statements is {'true' if want else 'false'}?"
    return _ask(template, question, [PartSpec("answer", "choice", options=options, line=right.line)])


def _which_true(template: Template, rng: random.Random) -> Template:
    # At least one true and one false statement, so "all true" is never a safe guess.
    truths, falsehoods = [s for s in template.pool if s.true], [s for s in template.pool if not s.true]
    chosen = [rng.choice(truths), rng.choice(falsehoods)]
    rest = [s for s in template.pool if s not in chosen]
    chosen += rng.sample(rest, min(JUDGED - 2, len(rest)))
    rng.shuffle(chosen)
    # Each part is named by the letter it is shown with, so `--answer b=A` is what the student reads.
    parts = [_truth_part(string.ascii_lowercase[i], s, s.text) for i, s in enumerate(chosen)]
    return _ask(template, "Which of these statements are true? Answer true or false for each.", parts)


_FORM_BUILDERS: dict[str, Callable[[Template, random.Random], Template]] = {
    "true-or-false": _true_or_false,
    "pick-true": lambda t, rng: _pick(t, rng, True),
    "pick-false": lambda t, rng: _pick(t, rng, False),
    "which-true": _which_true,
}
