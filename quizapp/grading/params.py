"""A question's numbers as a person writes them (``--set w=[1, -2]``, a batch line's ``params``).

Values are read with the answer parser, guided by the parameter's kind in the template: numbers
for int/decimal parameters, ``[..]`` vectors, ``[[..]]`` or ``1 2; 3 4`` matrices, words for
choices. Values that are already numbers or lists (from JSON) are taken as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from question_bank import solving
from question_bank.schema import ParamSpec, Template
from quizapp import answers

# Parameter kinds a seed draws; the others are computed (derived) or constant (fixed).
DRAWN = ("int", "decimal", "choice", "vector", "matrix", "sample")


def split_assignment(text: str, flag: str) -> tuple[str, str]:
    """``NAME=VALUE`` as (name, value); ValueError naming ``flag`` when it is not that."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise ValueError(f"{flag} expects NAME=VALUE, got {text!r}")
    return name.strip(), value


class ParamError(ValueError):
    """A typed parameter that cannot be read: ``name`` says which, ``reason`` why (the message names it
    as the command line does, "parameter w2: ..."; the app shows its symbol instead)."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"parameter {name}: {reason}")
        self.name = name
        self.reason = reason


def read_params(template: Template, given: Mapping[str, Any]) -> dict[str, Any]:
    """Every given parameter read for ``template``; ValueError naming the parameter when one is bad."""
    names = [p.name for p in template.params]
    out = {}
    for name, raw in given.items():
        if name not in names:
            listed = ", ".join(names) or "none"
            raise ValueError(f"{template.id!r} has no parameter {name!r} (its parameters: {listed})")
        try:
            out[name] = read_param(template.param(name), raw)
        except ValueError as exc:
            raise ParamError(name, str(exc)) from None
    return out


def missing_params(template: Template, given: Iterable[str]) -> list[str]:
    """The drawn parameters the answers depend on that are not in ``given``.

    A parameter matters when the solver (or a misconception) receives it, or when it feeds a
    derived parameter that matters and was not given itself; display-only ones do not.
    """
    have = set(given)
    used = _solver_inputs(template)
    for spec in reversed(template.params):  # a derived parameter only reads earlier ones
        if spec.kind == "derived" and spec.name in used and spec.name not in have:
            used |= set(spec.expr.names)
    return [p.name for p in template.params if p.kind in DRAWN and p.name in used and p.name not in have]


def _solver_inputs(template: Template) -> set[str]:
    if template.solver is None:
        return set()
    names = {p.name for p in template.params}
    probe = {n: None for n in names}
    used: set[str] = set()
    calls = [(template.solver.name, template.solver.args)]
    calls += [(m.solver or template.solver.name, m.args) for m in template.misconceptions]
    for solver_name, args in calls:
        try:
            used |= set(solving.call_args(solver_name, probe)) & names
        except ValueError:  # an unknown solver: lint reports it; every parameter may matter
            return names
        used |= {r for r in solving.references(args) if r in names}
    return used


def read_param(spec: ParamSpec, raw: Any) -> Any:
    """One parameter value: text is parsed by the parameter's kind, anything else kept as given."""
    if not isinstance(raw, str):
        return raw
    kind = spec.kind
    if kind in ("int", "decimal"):
        return _whole_if(spec.kind == "int", answers.parse_number(raw))
    if kind == "vector":
        return _listed(answers.parse_vector(raw), spec.decimals == 0)
    if kind == "matrix":
        return _listed(answers.parse_matrix(raw), spec.decimals == 0)
    if kind == "choice":
        return _choice(spec.options, raw)
    if kind == "sample":
        return _sample(spec, raw)
    try:
        return guess(raw)
    except answers.AnswerError:
        if kind in ("derived", "fixed"):  # text the template computes for its prompt, as `solve` printed it
            return raw
        raise


MAX_WHOLE = 2**53  # beyond this a float no longer holds every whole number, and int64 overflows soon after


def _whole_if(whole: bool, value: float) -> float | int:
    if whole:
        if not float(value).is_integer():
            raise ValueError(f"expected a whole number, got {value:g}")
        if abs(value) > MAX_WHOLE:
            raise ValueError(f"expected a whole number of at most {MAX_WHOLE:,}, got {value:g}")
        return int(value)
    return value


def _listed(arr: np.ndarray, whole: bool) -> list[Any]:
    if whole and np.all(np.mod(arr, 1) == 0):
        if np.any(np.abs(arr) > MAX_WHOLE):  # astype(int) would wrap 1e300 to a negative number
            raise ValueError(f"expected whole numbers of at most {MAX_WHOLE:,}, got {np.max(np.abs(arr)):g}")
        return arr.astype(int).tolist()
    return arr.tolist()


def _choice(options: tuple[Any, ...], raw: str) -> Any:
    if options and all(isinstance(o, (int, float)) and not isinstance(o, bool) for o in options):
        return _whole_if(all(isinstance(o, int) for o in options), answers.parse_number(raw))
    for option in options:
        if str(option).casefold() == raw.strip().casefold():
            return option
    raise ValueError(f"{raw.strip()!r} is not one of: {', '.join(str(o) for o in options)}")


def _sample(spec: ParamSpec, raw: str) -> list[Any]:
    pool = spec.options
    if pool and all(isinstance(o, (int, float)) and not isinstance(o, bool) for o in pool):
        return _listed(answers.parse_vector(raw), all(isinstance(o, int) for o in pool))
    body = raw.strip().removeprefix("[").removesuffix("]")
    separator = "," if "," in body else None
    return [w.strip().strip("'\"") for w in body.split(separator) if w.strip()]


def guess(raw: str) -> Any:
    """A value of unknown kind: a matrix, a vector, a number, or else the word itself."""
    text = raw.strip()
    try:
        if text.startswith("[[") or ";" in text:
            return answers.parse_matrix(text).tolist()
        if text.startswith("[") or "," in text:
            return answers.parse_vector(text).tolist()
        return answers.parse_number(text)
    except answers.AnswerError:
        if text and all(c.isalnum() or c in "_-" for c in text):
            return text
        raise
