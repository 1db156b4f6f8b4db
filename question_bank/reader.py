"""From a loaded YAML mapping to a checked :class:`~question_bank.schema.Template`.

Every problem is a :class:`~question_bank.loader.TemplateError` that names the file, the line
and the field (``params.x.low``, ``parts[1].rel_tol``...). Checks that need no solver run here,
so a broken template fails when it is loaded, not when a student meets it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from question_bank import constraints as named
from question_bank import param_exprs, render, solving
from question_bank.loader import MarkedDict, MarkedList, TemplateError
from question_bank.schema import (
    ABS_TOL,
    CONCEPT_FORMS,
    MISCONCEPTION_KINDS,
    PARAM_KINDS,
    PART_TYPES,
    REL_TOL,
    Constraint,
    HandFriendly,
    Misconception,
    Option,
    ParamSpec,
    PartSpec,
    SolverCall,
    Statement,
    Template,
)

# Bounds on what a template may ask for: far beyond any hand-worked question, small enough that a
# typo (size: 100000000, low: -1e308, {lr:999999999f}) is refused at load time instead of hanging.
MAX_ABS = 1e9  # a drawn range's bounds
MAX_SIZE = 1000  # entries of one vector or matrix, items drawn by a sample
MAX_FORMAT_NUMBER = 40  # width or precision in a placeholder's format spec
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
TOP_FIELDS = (
    "id",
    "version",
    "title",
    "topic",
    "difficulty",
    "tags",
    "conventions",
    "params",
    "constraints",
    "hand",
    "prompt",
    "parts",
    "solver",
    "misconceptions",
    "require_distinct",
    "hints",
    "stem",
    "pool",
    "forms",
    "notes",
)
_REQUIRED = ("id", "title", "topic", "difficulty", "prompt", "parts", "hints")
_PARAM_FIELDS: dict[str, tuple[str, ...]] = {
    "int": ("low", "high", "nonzero", "exclude"),
    "decimal": ("low", "high", "decimals", "nonzero", "exclude"),
    "choice": ("options",),
    "vector": ("size", "low", "high", "decimals", "nonzero", "distinct", "exclude"),
    "matrix": ("shape", "low", "high", "decimals", "nonzero", "distinct", "exclude"),
    "sample": ("from", "size", "replace"),
    "derived": ("expr", "decimals"),
    "fixed": ("value",),
}


class _Ctx:
    """Where we are in one file, to build errors."""

    def __init__(self, file: str) -> None:
        self.file = file

    def error(self, node: Any, key: Any, field: str, message: str) -> TemplateError:
        line = 0
        if isinstance(node, MarkedDict):
            line = node.line_of(key)
        elif isinstance(node, MarkedList):
            line = node.line_of(key) if isinstance(key, int) else node.line
        return TemplateError(message, self.file, line, field)


def parse_template(data: Any, file: str = "<template>") -> Template:
    """Check ``data`` (from :func:`question_bank.loader.load_yaml`) and build the Template."""
    ctx = _Ctx(file)
    if not isinstance(data, MarkedDict):
        raise TemplateError("a template must be a YAML mapping (id: ..., title: ..., ...)", file, 1)
    for key in data:
        if key not in TOP_FIELDS:
            raise ctx.error(data, key, str(key), f"unknown field; expected one of: {', '.join(TOP_FIELDS)}")
    for key in _REQUIRED:
        if key not in data:
            raise TemplateError("missing (required)", file, data.line, key)
    tid = _text(ctx, data, "id", "id")
    if not _ID.match(tid):
        raise ctx.error(data, "id", "id", f"{tid!r}: use lower-case letters, digits and dashes")
    params = _params(ctx, data)
    names = [p.name for p in params]
    solver = _solver(ctx, data, names)
    parts = _parts(ctx, data, names, concept=solver is None)
    template = Template(
        id=tid,
        version=_int(ctx, data, "version", "version", default=1, low=1),
        title=_text(ctx, data, "title", "title"),
        topic=_text(ctx, data, "topic", "topic"),
        difficulty=_int(ctx, data, "difficulty", "difficulty", low=1, high=3),
        tags=tuple(_text_list(ctx, data, "tags", "tags")),
        conventions=tuple(_checked_texts(ctx, data, "conventions", names)),
        params=params,
        constraints=_constraints(ctx, data, names),
        hand=_hand(ctx, data),
        prompt=_checked_text(ctx, data, "prompt", "prompt", names),
        parts=parts,
        solver=solver,
        misconceptions=(misconceptions := _misconceptions(ctx, data, names, [p.name for p in parts], solver)),
        require_distinct=_require_distinct(ctx, data, misconceptions),
        hints=tuple(_hints(ctx, data)),
        **_pool(ctx, data, concept=solver is None),
        source=file,
        line=data.line,
        field_lines=dict(data.key_lines),
    )
    _check_hand(ctx, data, template)
    return template


# -- scalar fields -------------------------------------------------------------------------


def _text(ctx: _Ctx, node: MarkedDict, key: str, field: str, default: str | None = None) -> str:
    if key not in node:
        if default is None:
            raise ctx.error(node, key, field, "missing (required)")
        return default
    value = node[key]
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ctx.error(node, key, field, f"expected text, got {_kind(value)}")
    text = str(value)
    if not text.strip():
        raise ctx.error(node, key, field, "is empty")
    return text


def _number(ctx: _Ctx, node: MarkedDict, key: str, field: str, default: float) -> float:
    value = node.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ctx.error(node, key, field, f"expected a number, got {_kind(value)}")
    if not math.isfinite(value) or value > MAX_ABS:
        raise ctx.error(node, key, field, f"must be a finite number up to {MAX_ABS:g}, got {value}")
    if value < 0:
        raise ctx.error(node, key, field, f"must not be negative, got {value}")
    return float(value)


def _int(
    ctx: _Ctx,
    node: MarkedDict,
    key: str,
    field: str,
    default: int | None = None,
    low: int | None = None,
    high: int | None = None,
) -> int:
    if key not in node:
        if default is None:
            raise ctx.error(node, key, field, "missing (required)")
        return default
    value = node[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ctx.error(node, key, field, f"expected a whole number, got {_kind(value)}")
    if (low is not None and value < low) or (high is not None and value > high):
        span = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise ctx.error(node, key, field, f"must be {span}, got {value}")
    return value


def _bool(ctx: _Ctx, node: MarkedDict, key: str, field: str, default: bool) -> bool:
    value = node.get(key, default)
    if not isinstance(value, bool):
        raise ctx.error(node, key, field, f"expected true or false, got {_kind(value)}")
    return value


def _mapping(ctx: _Ctx, node: MarkedDict, key: str, field: str) -> MarkedDict:
    return _container(ctx, node, key, field, MarkedDict, "a mapping")


def _list(ctx: _Ctx, node: MarkedDict, key: str, field: str) -> MarkedList:
    return _container(ctx, node, key, field, MarkedList, "a list")


def _container(ctx: _Ctx, node: MarkedDict, key: str, field: str, kind: type, what: str) -> Any:
    """``node[key]`` as a ``kind`` (empty when the key is left out); an error naming ``what`` otherwise."""
    value = node.get(key)
    if value is None:
        return kind.empty(node.line_of(key))
    if not isinstance(value, kind):
        raise ctx.error(node, key, field, f"expected {what}, got {_kind(value)}")
    return value


def _text_list(ctx: _Ctx, node: MarkedDict, key: str, field: str) -> list[str]:
    items = _list(ctx, node, key, field)
    out = []
    for i, item in enumerate(items):
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            raise ctx.error(items, i, f"{field}[{i}]", f"expected text, got {_kind(item)}")
        out.append(str(item))
    return out


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {
        MarkedDict: "a mapping",
        MarkedList: "a list",
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


def _checked(ctx: _Ctx, node: Any, key: Any, field: str, text: str, names: list[str]) -> str:
    """``text`` whose placeholders all name parameters."""
    try:
        used = render.placeholders(text)
    except ValueError as exc:
        raise ctx.error(node, key, field, str(exc)) from None
    problem = _placeholder_problem(text)
    if problem:
        raise ctx.error(node, key, field, problem)
    unknown = [n for n in used if n not in names]
    if unknown:
        raise ctx.error(node, key, field, f"placeholder {{{unknown[0]}}} is not a parameter")
    return text


# What is left after the real placeholders: text in braces such as Σ_{j≠y} is prose, but a name
# followed by "." "!" "(" or "[" is a placeholder gone wrong ({lr.__class__}, {w[i]}).
_BROKEN = re.compile(r"\{\s*[A-Za-z_]\w*\s*[.!(\[][^{}]*\}?")


def _placeholder_problem(text: str) -> str | None:
    """A brace that is not a placeholder (``{lr.__class__}`` would be shown as typed), or a format
    spec so wide that filling it in would use gigabytes (``{lr:999999999f}``)."""
    for m in render._TOKEN.finditer(text):
        spec = m.group(3) or ""
        if any(int(n) > MAX_FORMAT_NUMBER for n in re.findall(r"\d+", spec)):
            return f"{m.group(0)}: a width or precision above {MAX_FORMAT_NUMBER} is not allowed"
    rest = render._TOKEN.sub("", text)
    stray = _BROKEN.search(rest)
    if stray:
        return (f"{stray.group(0)!r} is not a placeholder: write {{name}}, {{name[0]}} or {{name:.2f}} "
                "with a parameter's name (attributes and calls are not allowed), and {{ or }} for a brace")
    return None


def _checked_text(ctx: _Ctx, node: MarkedDict, key: str, field: str, names: list[str]) -> str:
    return _checked(ctx, node, key, field, _text(ctx, node, key, field), names)


def _checked_texts(ctx: _Ctx, node: MarkedDict, key: str, names: list[str]) -> list[str]:
    items = _list(ctx, node, key, key)
    texts = _text_list(ctx, node, key, key)
    return [_checked(ctx, items, i, f"{key}[{i}]", t, names) for i, t in enumerate(texts)]


def _hints(ctx: _Ctx, node: MarkedDict) -> list[str]:
    hints = _text_list(ctx, node, "hints", "hints")
    if not hints:
        raise ctx.error(node, "hints", "hints", "give at least one hint")
    items = node["hints"]
    for i, h in enumerate(hints):
        try:  # hints may also name solution steps, so only the syntax is checked here
            render.placeholders(h)
        except ValueError as exc:
            raise ctx.error(items, i, f"hints[{i}]", str(exc)) from None
    return hints


# -- parameters ----------------------------------------------------------------------------


def _params(ctx: _Ctx, data: MarkedDict) -> tuple[ParamSpec, ...]:
    node = _mapping(ctx, data, "params", "params")
    specs: list[ParamSpec] = []
    for name, raw in node.items():
        field = f"params.{name}"
        if not isinstance(name, str) or not _NAME.match(name):
            raise ctx.error(node, name, field, "a parameter name must be an identifier (letters, digits, _)")
        specs.append(_param(ctx, node, name, raw, [s.name for s in specs], field))
    return tuple(specs)


def _param(ctx: _Ctx, parent: MarkedDict, name: str, raw: Any, earlier: list[str], field: str) -> ParamSpec:
    line = parent.line_of(name)
    if not isinstance(raw, MarkedDict):
        return ParamSpec(name, "fixed", value=_plain(raw), line=line)
    kind = raw.get("kind")
    if kind not in PARAM_KINDS:
        raise ctx.error(raw, "kind", f"{field}.kind", f"expected one of: {', '.join(PARAM_KINDS)}, got {kind!r}")
    for key in raw:
        if key != "kind" and key not in _PARAM_FIELDS[kind]:
            raise ctx.error(
                raw,
                key,
                f"{field}.{key}",
                f"not a field of a {kind} parameter; expected: {', '.join(_PARAM_FIELDS[kind])}",
            )
    return _PARAM_BUILDERS[kind](ctx, raw, name, earlier, field, line)


def _plain(value: Any) -> Any:
    """Marked containers back to plain lists and dicts."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _bound(ctx: _Ctx, raw: MarkedDict, key: str, field: str, earlier: list[str]) -> Any:
    if key not in raw:
        raise ctx.error(raw, key, f"{field}.{key}", "missing (required)")
    value = raw[key]
    if isinstance(value, bool):
        raise ctx.error(raw, key, f"{field}.{key}", "expected a number or an expression")
    expr = None
    if not isinstance(value, (int, float)):
        expr = _expr(ctx, raw, key, f"{field}.{key}", value, earlier)
        if expr.names:
            return expr  # depends on other parameters: the sampler bounds it when it draws
        try:  # a constant written as text ("-1e308" is text to YAML): check it now
            value = expr({})
        except ValueError as exc:
            raise ctx.error(raw, key, f"{field}.{key}", str(exc)) from None
    try:
        ok = math.isfinite(float(value)) and abs(float(value)) <= MAX_ABS
    except (TypeError, ValueError, OverflowError):
        ok = False
    if not ok:
        raise ctx.error(raw, key, f"{field}.{key}", f"must be a number from -{MAX_ABS:g} to {MAX_ABS:g}, "
                        f"got {raw[key]!r}")
    return value if expr is None else expr


def _expr(ctx: _Ctx, node: Any, key: Any, field: str, text: Any, names: list[str]) -> param_exprs.Expr:
    try:
        return param_exprs.compile_expr(text, names)
    except ValueError as exc:
        raise ctx.error(node, key, field, str(exc)) from None


def _ranged(ctx: _Ctx, raw: MarkedDict, field: str, earlier: list[str], decimals: int) -> dict[str, Any]:
    low, high = _bound(ctx, raw, "low", field, earlier), _bound(ctx, raw, "high", field, earlier)
    if isinstance(low, (int, float)) and isinstance(high, (int, float)) and low > high:
        raise ctx.error(raw, "low", f"{field}.low", f"low {low} is above high {high}")
    exclude = raw.get("exclude", [])
    if not isinstance(exclude, list):
        exclude = [exclude]
    return {
        "low": low,
        "high": high,
        "decimals": decimals,
        "exclude": tuple(_plain(exclude)),
        "nonzero": _bool(ctx, raw, "nonzero", f"{field}.nonzero", False),
    }


def _int_param(ctx: _Ctx, raw: MarkedDict, name: str, earlier: list[str], field: str, line: int) -> ParamSpec:
    return ParamSpec(name, "int", line=line, **_ranged(ctx, raw, field, earlier, 0))


def _decimal_param(ctx: _Ctx, raw: MarkedDict, name: str, earlier: list[str], field: str, line: int) -> ParamSpec:
    decimals = _int(ctx, raw, "decimals", f"{field}.decimals", default=1, low=0, high=6)
    return ParamSpec(name, "decimal", line=line, **_ranged(ctx, raw, field, earlier, decimals))


def _size(ctx: _Ctx, node: Any, key: Any, field: str, earlier: list[str]) -> Any:
    value = node[key]
    expr = None
    if isinstance(value, (str, float)) and not isinstance(value, bool):
        expr = _expr(ctx, node, key, field, value, earlier)
        if expr.names:
            return expr  # depends on other parameters: the sampler bounds it when it draws
        try:  # a constant written as text ("-1", "2 * 3"): check it now, not when a student meets it
            value = expr({})
        except ValueError as exc:
            raise ctx.error(node, key, field, str(exc)) from None
    whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if isinstance(value, bool) or not whole or not 1 <= value <= MAX_SIZE:
        raise ctx.error(node, key, field, f"a size must be a whole number from 1 to {MAX_SIZE} or an "
                        f"expression, got {node[key]!r}")
    return int(value) if expr is None else expr


def _array_param(
    ctx: _Ctx, raw: MarkedDict, name: str, earlier: list[str], field: str, line: int, kind: str
) -> ParamSpec:
    key = "size" if kind == "vector" else "shape"
    if key not in raw:
        raise ctx.error(raw, key, f"{field}.{key}", "missing (required)")
    if kind == "vector":
        shape: tuple[Any, ...] = (_size(ctx, raw, "size", f"{field}.size", earlier),)
    else:
        dims = raw["shape"]
        if not isinstance(dims, MarkedList) or len(dims) != 2:
            raise ctx.error(raw, "shape", f"{field}.shape", "expected [rows, columns]")
        shape = tuple(_size(ctx, dims, i, f"{field}.shape[{i}]", earlier) for i in range(2))
        if all(isinstance(d, int) for d in shape) and shape[0] * shape[1] > MAX_SIZE:
            raise ctx.error(raw, "shape", f"{field}.shape", f"{shape[0]}×{shape[1]} is more than {MAX_SIZE} entries")
    decimals = _int(ctx, raw, "decimals", f"{field}.decimals", default=0, low=0, high=6)
    ranged = _ranged(ctx, raw, field, earlier, decimals)
    distinct = _bool(ctx, raw, "distinct", f"{field}.distinct", False)
    return ParamSpec(name, kind, shape=shape, distinct=distinct, line=line, **ranged)


def _choice_param(ctx: _Ctx, raw: MarkedDict, name: str, earlier: list[str], field: str, line: int) -> ParamSpec:
    options = raw.get("options")
    if not isinstance(options, MarkedList) or not options:
        raise ctx.error(raw, "options", f"{field}.options", "expected a non-empty list of values")
    return ParamSpec(name, "choice", options=tuple(_plain(options)), line=line)


def _sample_param(ctx: _Ctx, raw: MarkedDict, name: str, earlier: list[str], field: str, line: int) -> ParamSpec:
    source = raw.get("from")
    if "size" not in raw:
        raise ctx.error(raw, "size", f"{field}.size", "missing (required)")
    size = _size(ctx, raw, "size", f"{field}.size", earlier)
    replace = _bool(ctx, raw, "replace", f"{field}.replace", False)
    if isinstance(source, str):
        if source not in earlier:
            raise ctx.error(raw, "from", f"{field}.from", f"{source!r} is not an earlier parameter")
        return ParamSpec(name, "sample", source=source, shape=(size,), replace=replace, line=line)
    if not isinstance(source, MarkedList) or not source:
        raise ctx.error(raw, "from", f"{field}.from", "expected a list of values or an earlier parameter's name")
    if not replace and isinstance(size, int) and size > len(source):
        raise ctx.error(raw, "size", f"{field}.size", f"cannot draw {size} different items from {len(source)}")
    return ParamSpec(name, "sample", options=tuple(_plain(source)), shape=(size,), replace=replace, line=line)


def _derived_param(ctx: _Ctx, raw: MarkedDict, name: str, earlier: list[str], field: str, line: int) -> ParamSpec:
    if "expr" not in raw:
        raise ctx.error(raw, "expr", f"{field}.expr", "missing (required)")
    expr = _expr(ctx, raw, "expr", f"{field}.expr", raw["expr"], earlier)
    decimals = _int(ctx, raw, "decimals", f"{field}.decimals", default=-1, low=0, high=10)
    return ParamSpec(name, "derived", expr=expr, expr_text=expr.text, decimals=decimals, line=line)


def _fixed_param(ctx: _Ctx, raw: MarkedDict, name: str, earlier: list[str], field: str, line: int) -> ParamSpec:
    if "value" not in raw:
        raise ctx.error(raw, "value", f"{field}.value", "missing (required)")
    return ParamSpec(name, "fixed", value=_plain(raw["value"]), line=line)


_PARAM_BUILDERS: dict[str, Callable[..., ParamSpec]] = {
    "int": _int_param,
    "decimal": _decimal_param,
    "choice": _choice_param,
    "vector": lambda *a: _array_param(*a, kind="vector"),
    "matrix": lambda *a: _array_param(*a, kind="matrix"),
    "sample": _sample_param,
    "derived": _derived_param,
    "fixed": _fixed_param,
}


# -- constraints and hand-friendliness -----------------------------------------------------


def _constraints(ctx: _Ctx, data: MarkedDict, names: list[str]) -> tuple[Constraint, ...]:
    items = _list(ctx, data, "constraints", "constraints")
    return tuple(_constraint(ctx, items, i, names) for i in range(len(items)))


def _constraint(ctx: _Ctx, items: MarkedList, i: int, names: list[str]) -> Constraint:
    field, item, line = f"constraints[{i}]", items[i], items.line_of(i)
    if isinstance(item, str):
        return Constraint("expr", expr=_expr(ctx, items, i, field, item, names), text=item, line=line)
    if not isinstance(item, MarkedDict) or not item:
        raise ctx.error(items, i, field, "expected an expression or a mapping such as {nonzero: g}")
    if "expr" in item:
        extra = [k for k in item if k not in ("expr", "message")]
        if extra:
            raise ctx.error(item, extra[0], f"{field}.{extra[0]}", "an expr constraint takes expr and message")
        expr = _expr(ctx, item, "expr", f"{field}.expr", item["expr"], names)
        return Constraint("expr", expr=expr, text=str(item.get("message", expr.text)), line=line)
    if len(item) != 1:
        raise ctx.error(items, i, field, "one named constraint per list item")
    kind, value = next(iter(item.items()))
    args = {named.CHECKS[kind].required[0]: value} if isinstance(value, str) and kind in named.CHECKS else _plain(value)
    if not isinstance(args, dict):
        raise ctx.error(item, kind, f"{field}.{kind}", "expected a parameter name or a mapping of arguments")
    try:
        named.check_args(kind, args)
    except ValueError as exc:
        raise ctx.error(item, kind, f"{field}.{kind}", str(exc)) from None
    for role, ref in args.items():
        if role in ("train_x", "train_y", "query", "x") and ref not in names:
            raise ctx.error(item, kind, f"{field}.{kind}.{role}", f"{ref!r} is not a parameter")
    text = f"{kind}({', '.join(f'{k}={v}' for k, v in args.items())})"
    return Constraint(kind, args=args, text=text, line=line)


def _hand(ctx: _Ctx, data: MarkedDict) -> HandFriendly:
    node = _mapping(ctx, data, "hand", "hand")
    for key in node:
        if key not in ("param_decimals", "answer_decimals", "max_abs"):
            raise ctx.error(node, key, f"hand.{key}", "expected param_decimals, answer_decimals or max_abs")
    answer = node.get("answer_decimals")
    max_abs = node.get("max_abs")
    return HandFriendly(
        param_decimals=_int(ctx, node, "param_decimals", "hand.param_decimals", default=2, low=0, high=6),
        answer_decimals=None
        if answer is None
        else _int(ctx, node, "answer_decimals", "hand.answer_decimals", low=0, high=8),
        max_abs=None if max_abs is None else _number(ctx, node, "max_abs", "hand.max_abs", 0),
    )


def _check_hand(ctx: _Ctx, data: MarkedDict, template: Template) -> None:
    # Drawn ranges decide how many decimals a student must carry; constants (ε = 1e-8) do not.
    node = _mapping(ctx, data, "params", "params")
    for p in template.params:
        if p.kind in ("decimal", "vector", "matrix") and p.decimals > template.hand.param_decimals:
            raise ctx.error(
                node,
                p.name,
                f"params.{p.name}.decimals",
                f"{p.decimals} decimals is more than hand.param_decimals ({template.hand.param_decimals})",
            )


def _require_distinct(ctx: _Ctx, data: MarkedDict, misconceptions: tuple[Misconception, ...]) -> tuple[str, ...]:
    ids = _text_list(ctx, data, "require_distinct", "require_distinct")
    known = {m.id for m in misconceptions}
    for i in ids:
        if i not in known:
            raise ctx.error(data, "require_distinct", "require_distinct", f"{i!r} is not a misconception id")
    return tuple(ids)


# -- solver, parts, misconceptions ---------------------------------------------------------


def _args(ctx: _Ctx, node: MarkedDict, key: str, field: str, names: list[str]) -> dict[str, Any]:
    args = _mapping(ctx, node, key, field)
    for k, v in args.items():
        for ref in solving.references(v):
            if ref not in names:
                raise ctx.error(args, k, f"{field}.{k}", f"${ref} is not a parameter")
    return _plain(args)


def _solver(ctx: _Ctx, data: MarkedDict, names: list[str]) -> SolverCall | None:
    if "solver" not in data:
        return None
    raw = data["solver"]
    line = data.line_of("solver")
    if isinstance(raw, str):
        return SolverCall(raw, {}, line)
    if not isinstance(raw, MarkedDict):
        raise ctx.error(data, "solver", "solver", "expected a solver name or {name: ..., args: {...}}")
    for key in raw:
        if key not in ("name", "args"):
            raise ctx.error(raw, key, f"solver.{key}", "expected name and args")
    return SolverCall(_text(ctx, raw, "name", "solver.name"), _args(ctx, raw, "args", "solver.args", names), line)


_PART_FIELDS = ("name", "type", "label", "key", "rel_tol", "abs_tol", "sigfigs", "percent", "depends_on", "options",
                "shuffle", "points")


def _parts(ctx: _Ctx, data: MarkedDict, names: list[str], concept: bool) -> tuple[PartSpec, ...]:
    items = _list(ctx, data, "parts", "parts")
    if not items:
        raise ctx.error(data, "parts", "parts", "give at least one answer part")
    parts: list[PartSpec] = []
    for i, raw in enumerate(items):
        field = f"parts[{i}]"
        if not isinstance(raw, MarkedDict):
            raise ctx.error(items, i, field, f"expected a mapping with name and type, got {_kind(raw)}")
        part = _part(ctx, raw, field, names, [p.name for p in parts], concept)
        parts.append(part)
    return tuple(parts)


def _part(ctx: _Ctx, raw: MarkedDict, field: str, names: list[str], earlier: list[str], concept: bool) -> PartSpec:
    for key in raw:
        if key not in _PART_FIELDS:
            raise ctx.error(raw, key, f"{field}.{key}", f"unknown field; expected: {', '.join(_PART_FIELDS)}")
    name = _text(ctx, raw, "name", f"{field}.name")
    if not _NAME.match(name):
        raise ctx.error(raw, "name", f"{field}.name", "a part name must be an identifier (letters, digits, _)")
    if name in earlier:
        raise ctx.error(raw, "name", f"{field}.name", f"part {name!r} is listed twice")
    ptype = _text(ctx, raw, "type", f"{field}.type")
    if ptype not in PART_TYPES:
        raise ctx.error(raw, "type", f"{field}.type", f"expected one of: {', '.join(PART_TYPES)}, got {ptype!r}")
    if concept and ptype != "choice":
        raise ctx.error(raw, "type", f"{field}.type", "a template without a solver can only ask choice parts")
    depends = _text_list(ctx, raw, "depends_on", f"{field}.depends_on")
    for d in depends:
        if d not in earlier:
            raise ctx.error(raw, "depends_on", f"{field}.depends_on", f"{d!r} is not an earlier part")
    sigfigs = raw.get("sigfigs")
    for gone in ("rel_tol", "abs_tol"):  # a flat tolerance lets non-answers through (conventions.md)
        if gone in raw:
            raise ctx.error(raw, gone, f"{field}.{gone}", "tolerances are no longer set by hand: a number is "
                            "judged by the band honest work explains, worked out from the steps; ask for more "
                            "digits with sigfigs")
    percent = _bool(ctx, raw, "percent", f"{field}.percent", False)
    if percent and ptype not in ("number", "vector"):
        raise ctx.error(raw, "percent", f"{field}.percent", "only a number or vector part can accept percentages")
    options = _options(ctx, raw, field, ptype, concept)
    label = raw.get("label", "")
    if label:
        _checked(ctx, raw, "label", f"{field}.label", _text(ctx, raw, "label", f"{field}.label"), names)
    return PartSpec(
        name=name,
        type=ptype,
        label=str(label),
        key=_text(ctx, raw, "key", f"{field}.key", default=name),
        rel_tol=_number(ctx, raw, "rel_tol", f"{field}.rel_tol", REL_TOL),
        abs_tol=_number(ctx, raw, "abs_tol", f"{field}.abs_tol", ABS_TOL),
        sigfigs=None if sigfigs is None else _int(ctx, raw, "sigfigs", f"{field}.sigfigs", low=1, high=15),
        percent=percent,
        depends_on=tuple(depends),
        options=options,
        shuffle=_bool(ctx, raw, "shuffle", f"{field}.shuffle", concept),
        points=_weight(ctx, raw, f"{field}.points"),
        line=raw.line,
    )


def _weight(ctx: _Ctx, raw: MarkedDict, field: str) -> float:
    """A part's optional ``points``: its weight when the question's points are shared among the parts."""
    weight = _number(ctx, raw, "points", field, 1.0)
    if weight == 0:
        raise ctx.error(raw, "points", field, "must be positive (the part's share of the question's points)")
    return weight


def _options(ctx: _Ctx, raw: MarkedDict, field: str, ptype: str, concept: bool) -> tuple[Option, ...]:
    if "options" not in raw:
        if concept:
            raise ctx.error(raw, "name", f"{field}.options", "a multiple-choice part needs options")
        return ()
    if ptype != "choice":
        raise ctx.error(raw, "options", f"{field}.options", "only a choice part has options")
    items = _list(ctx, raw, "options", f"{field}.options")
    if len(items) < 2:
        raise ctx.error(raw, "options", f"{field}.options", "give at least two options")
    options = [_option(ctx, items, i, f"{field}.options[{i}]", concept) for i in range(len(items))]
    ids = [o.id for o in options]
    dup = next((x for x in ids if ids.count(x) > 1), None)
    if dup is not None:
        raise ctx.error(raw, "options", f"{field}.options", f"option id {dup!r} is used twice")
    n_correct = sum(o.correct for o in options)
    if concept and n_correct != 1:
        raise ctx.error(raw, "options", f"{field}.options", f"mark exactly one option correct, not {n_correct}")
    if not concept and n_correct:
        raise ctx.error(raw, "options", f"{field}.options", "the solver decides the right option: drop 'correct'")
    return tuple(options)


def _option(ctx: _Ctx, items: MarkedList, i: int, field: str, concept: bool) -> Option:
    raw = items[i]
    if not isinstance(raw, MarkedDict):
        raise ctx.error(items, i, field, "expected a mapping with id, text and why")
    for key in raw:
        if key not in ("id", "text", "correct", "why"):
            raise ctx.error(raw, key, f"{field}.{key}", "expected id, text, correct and why")
    oid = _text(ctx, raw, "id", f"{field}.id")
    why = raw.get("why", "")
    if concept and not why:
        raise ctx.error(raw, "id", f"{field}.why", "explain why this option is right or wrong")
    return Option(
        id=oid,
        text=_text(ctx, raw, "text", f"{field}.text"),
        correct=_bool(ctx, raw, "correct", f"{field}.correct", False),
        why=str(why),
        line=raw.line,
    )


def _misconceptions(
    ctx: _Ctx, data: MarkedDict, names: list[str], part_names: list[str], solver: SolverCall | None
) -> tuple[Misconception, ...]:
    items = _list(ctx, data, "misconceptions", "misconceptions")
    if items and solver is None:
        raise ctx.error(
            data,
            "misconceptions",
            "misconceptions",
            "a template without a solver explains wrong options in their 'why' instead",
        )
    out: list[Misconception] = []
    for i, raw in enumerate(items):
        field = f"misconceptions[{i}]"
        if not isinstance(raw, MarkedDict):
            raise ctx.error(items, i, field, "expected a mapping with id, kind, message and args")
        m = _misconception(ctx, raw, field, names, part_names)
        if any(o.id == m.id for o in out):
            raise ctx.error(raw, "id", f"{field}.id", f"misconception {m.id!r} is listed twice")
        out.append(m)
    return tuple(out)


def _convention(ctx: _Ctx, raw: MarkedDict, field: str, part_names: list[str]) -> Misconception:
    """``- convention: ID`` (and optionally ``parts``): an alternative of conventions.md, taken from
    the registry (question_bank/conventions.yaml) with its computation and message."""
    from question_bank.conventions import CONVENTIONS

    for key in raw:
        if key not in ("convention", "parts"):
            raise ctx.error(raw, key, f"{field}.{key}", "a convention takes only 'convention' and 'parts' "
                            "(its computation and message are in question_bank/conventions.yaml)")
    cid = _text(ctx, raw, "convention", f"{field}.convention")
    if cid not in CONVENTIONS:
        known = ", ".join(sorted(CONVENTIONS))
        raise ctx.error(raw, "convention", f"{field}.convention", f"unknown convention {cid!r}; known: {known}")
    parts = _plain(_mapping(ctx, raw, "parts", f"{field}.parts"))
    for p in parts:
        if p not in part_names:
            raise ctx.error(raw, "parts", f"{field}.parts", f"{p!r} is not a part of this template")
    return CONVENTIONS[cid].misconception({str(k): str(v) for k, v in parts.items()}, raw.line)


def _misconception(ctx: _Ctx, raw: MarkedDict, field: str, names: list[str], part_names: list[str]) -> Misconception:
    if "convention" in raw:
        return _convention(ctx, raw, field, part_names)
    for key in raw:
        if key not in ("id", "kind", "message", "solver", "args", "parts"):
            raise ctx.error(raw, key, f"{field}.{key}", "expected id, kind, message, solver, args, parts")
    kind = _text(ctx, raw, "kind", f"{field}.kind", default="mistake")
    if kind not in MISCONCEPTION_KINDS:
        raise ctx.error(raw, "kind", f"{field}.kind", f"expected mistake or convention, got {kind!r}")
    parts = _plain(_mapping(ctx, raw, "parts", f"{field}.parts"))
    for p in parts:
        if p not in part_names:
            raise ctx.error(raw, "parts", f"{field}.parts", f"{p!r} is not a part of this template")
    args = _args(ctx, raw, "args", f"{field}.args", names)
    other = raw.get("solver")
    if other is None and not args:
        raise ctx.error(raw, "id", field, "give args (and/or another solver) that produce the wrong answer")
    return Misconception(
        id=_text(ctx, raw, "id", f"{field}.id"),
        kind=kind,
        message=_text(ctx, raw, "message", f"{field}.message"),
        solver=None if other is None else _text(ctx, raw, "solver", f"{field}.solver"),
        args=args,
        parts={str(k): str(v) for k, v in parts.items()},
        line=raw.line,
    )


# -- a concept template's pool of statements ------------------------------------------------

# What each form needs from the pool: (true statements, false statements, statements in all).
_FORM_NEEDS = {"true-or-false": (1, 1, 2), "pick-true": (1, 2, 3), "pick-false": (2, 1, 3), "which-true": (1, 1, 3)}
_YES_NO = {True: True, False: False, "yes": True, "no": False}


def _pool(ctx: _Ctx, data: MarkedDict, concept: bool) -> dict[str, Any]:
    """``stem``, ``pool`` and ``forms``: only a concept template varies its statements this way."""
    given = [k for k in ("stem", "pool", "forms") if k in data]
    if not given:
        return {}
    if not concept:
        raise ctx.error(data, given[0], given[0], "only a template without a solver has a pool of statements")
    if "pool" not in data:
        raise ctx.error(data, given[0], "pool", "missing: stem and forms go with a pool of statements")
    stem = _checked_text(ctx, data, "stem", "stem", []) if "stem" in data else ""
    if not stem:
        raise ctx.error(data, "pool", "stem", "missing: a pool needs a stem, the context every form starts with")
    items = _list(ctx, data, "pool", "pool")
    pool = [_statement(ctx, items, i) for i in range(len(items))]
    ids = [s.id for s in pool]
    dup = next((x for x in ids if ids.count(x) > 1), None)
    if dup is not None:
        raise ctx.error(data, "pool", "pool", f"statement id {dup!r} is used twice")
    return {"stem": stem, "pool": tuple(pool), "forms": _forms(ctx, data, pool)}


def _statement(ctx: _Ctx, items: MarkedList, i: int) -> Statement:
    field, raw = f"pool[{i}]", items[i]
    if not isinstance(raw, MarkedDict):
        raise ctx.error(items, i, field, "expected a mapping with id, text, true and why")
    # YAML reads the key `true` as the boolean true: accept it spelled either way.
    key = True if True in raw else "true"
    for k in raw:
        if k not in ("id", "text", "why", True, "true"):
            raise ctx.error(raw, k, f"{field}.{k}", "expected id, text, true (yes or no) and why")
    if key not in raw:
        raise ctx.error(items, i, f"{field}.true", "missing: say whether the statement is true (yes or no)")
    verdict = raw[key]
    if isinstance(verdict, str):
        verdict = verdict.lower()
    if verdict not in _YES_NO or isinstance(verdict, int) and not isinstance(verdict, bool):
        raise ctx.error(raw, key, f"{field}.true", f"expected yes or no, got {raw[key]!r}")
    if "why" not in raw:
        raise ctx.error(items, i, f"{field}.why", "explain why the statement is true or false")
    return Statement(
        id=_text(ctx, raw, "id", f"{field}.id"),
        text=_checked_text(ctx, raw, "text", f"{field}.text", []),
        true=_YES_NO[verdict],
        why=_text(ctx, raw, "why", f"{field}.why"),
        line=raw.line,
    )


def _forms(ctx: _Ctx, data: MarkedDict, pool: list[Statement]) -> tuple[str, ...]:
    """The forms asked: those listed, or every form the pool can fill."""
    n_true = sum(s.true for s in pool)
    counts = (n_true, len(pool) - n_true, len(pool))

    def fits(form: str) -> bool:
        return form == "written" or all(have >= need for have, need in zip(counts, _FORM_NEEDS[form]))

    if "forms" not in data:
        forms = tuple(f for f in CONCEPT_FORMS if fits(f))
        if len(forms) < 2:
            raise ctx.error(data, "pool", "pool", "give at least one true and one false statement")
        return forms
    listed = _text_list(ctx, data, "forms", "forms")
    items = data["forms"]
    for i, form in enumerate(listed):
        if form not in CONCEPT_FORMS:
            raise ctx.error(items, i, f"forms[{i}]", f"expected one of: {', '.join(CONCEPT_FORMS)}, got {form!r}")
        if not fits(form):
            need = _FORM_NEEDS[form]
            raise ctx.error(items, i, f"forms[{i}]", f"{form} needs at least {need[0]} true and {need[1]} false "
                            f"statements ({need[2]} in all); the pool has {counts[0]} true and {counts[1]} false")
    if not listed:
        raise ctx.error(data, "forms", "forms", "list at least one form")
    return tuple(listed)
