"""Calling a template's reference solver and reading its answers as typed part values."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from functools import cache
from typing import Any

import numpy as np

from solvers import registry
from solvers.steps import Recorder, Solution

from question_bank.schema import Misconception, PartSpec, Template


@cache
def _accepted(name: str) -> frozenset[str]:
    """The keyword names solver ``name`` declares (a ``**options`` catch-all gets only what
    the template's ``args`` pass explicitly, so display-only parameters never leak into it)."""
    params = inspect.signature(registry.get(name)).parameters.values()
    named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return frozenset(p.name for p in params if p.kind in named and p.name != "overrides")


def required_args(name: str) -> list[str]:
    """The solver's keyword parameters without a default (the template must supply them)."""
    params = inspect.signature(registry.get(name)).parameters.values()
    return [p.name for p in params if p.default is inspect.Parameter.empty
            and p.kind not in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)]


def resolve(value: Any, params: Mapping[str, Any]) -> Any:
    """``$name`` strings (also inside lists and mappings) replaced by the parameter's value."""
    if isinstance(value, str) and value.startswith("$"):
        return params[value[1:]]
    if isinstance(value, list):
        return [resolve(v, params) for v in value]
    if isinstance(value, dict):
        return {k: resolve(v, params) for k, v in value.items()}
    return value


def call_args(solver: str, params: Mapping[str, Any], *arg_sets: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters the solver takes by name, then each set of template arguments over them."""
    accepted = _accepted(solver)
    kwargs = {k: v for k, v in params.items() if k in accepted}
    for args in arg_sets:
        kwargs.update({k: resolve(v, params) for k, v in args.items()})
    return kwargs


def run(template: Template, params: Mapping[str, Any], overrides: Mapping[str, Any] | None = None,
        misconception: Misconception | None = None) -> Solution:
    """Solve ``template`` for ``params`` (optionally as ``misconception`` would, or with a student's
    ``overrides`` for error carried forward)."""
    if template.solver is None:
        return concept_solution(template)
    name = template.solver.name
    arg_sets: list[Mapping[str, Any]] = [template.solver.args]
    if misconception is not None:
        if misconception.solver:
            name = misconception.solver
        arg_sets.append(misconception.args)
    kwargs = call_args(name, params, *arg_sets)
    return registry.get(name)(**kwargs, overrides=dict(overrides) if overrides else None)


def concept_solution(template: Template) -> Solution:
    rec = Recorder()
    for part in template.parts:
        right = part.correct_option()
        assert right is not None  # the parser insists on exactly one
        rec.note(part.name, right.why or right.text, right.id)
    return rec.solution(**{p.name: p.correct_option().id for p in template.parts})  # type: ignore[union-attr]


def typed(part: PartSpec, value: Any) -> Any:
    """A solver's value in the part's type; a ValueError when it does not fit."""
    kind = part.type
    if kind == "number":
        arr = np.asarray(value, dtype=np.float64)
        if arr.ndim != 0:
            raise ValueError(f"part {part.name!r}: expected a number, got shape {arr.shape}")
        return float(arr)
    if kind in ("vector", "matrix"):
        arr = np.asarray(value, dtype=np.float64)
        want = 1 if kind == "vector" else 2
        if arr.ndim != want:
            raise ValueError(f"part {part.name!r}: expected a {kind}, got shape {arr.shape}")
        return arr
    if kind == "integer":
        if isinstance(value, bool) or float(value) != int(value):
            raise ValueError(f"part {part.name!r}: expected a whole number, got {value!r}")
        return int(value)
    if kind == "choice":
        text = str(value)
        if part.options and text not in {o.id for o in part.options}:
            raise ValueError(f"part {part.name!r}: {text!r} is not one of the options "
                             f"{', '.join(o.id for o in part.options)}")
        return text
    return str(value)


def answers(template: Template, solution: Solution, keys: Mapping[str, str] | None = None,
            only_mapped: bool = False) -> dict[str, Any]:
    """Each part's answer read from ``solution`` (``keys`` maps part names to other answer keys)."""
    keys = keys or {}
    values = solution.answer
    out: dict[str, Any] = {}
    for part in template.parts:
        if only_mapped and keys and part.name not in keys:
            continue
        key = keys.get(part.name, part.answer_key)
        if key not in values:
            if only_mapped:
                continue
            raise ValueError(f"part {part.name!r}: the solver gave no answer {key!r} "
                             f"(it gave {', '.join(values) or 'none'})")
        out[part.name] = typed(part, values[key])
    return out
