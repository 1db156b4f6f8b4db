"""Calling a template's reference solver and reading its answers as typed part values."""

from __future__ import annotations

import inspect
from collections import OrderedDict
from collections.abc import Callable, Mapping
from functools import cache, partial
from typing import Any

import numpy as np

from question_bank.schema import Misconception, PartSpec, Template
from solvers import registry
from solvers.steps import Recorder, Replay, Solution


@cache
def _accepted(name: str) -> frozenset[str]:
    """The keyword names solver ``name`` declares (a ``**options`` catch-all gets only what
    the template's ``args`` pass explicitly, so display-only parameters never leak into it)."""
    params = inspect.signature(registry.get(name)).parameters.values()
    named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return frozenset(p.name for p in params if p.kind in named and p.name != "overrides")


def takes_any(name: str) -> bool:
    """Whether solver ``name`` has a ``**options`` catch-all (it checks its own option names)."""
    params = inspect.signature(registry.get(name)).parameters.values()
    return any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params)


def required_args(name: str) -> list[str]:
    """The solver's keyword parameters without a default (the template must supply them)."""
    params = inspect.signature(registry.get(name)).parameters.values()
    return [
        p.name
        for p in params
        if p.default is inspect.Parameter.empty
        and p.kind not in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)
    ]


def resolve(value: Any, params: Mapping[str, Any]) -> Any:
    """``$name`` strings (also inside lists and mappings) replaced by the parameter's value."""
    if isinstance(value, str) and value.startswith("$"):
        return params[value[1:]]
    if isinstance(value, list):
        return [resolve(v, params) for v in value]
    if isinstance(value, dict):
        return {k: resolve(v, params) for k, v in value.items()}
    return value


def references(value: Any) -> list[str]:
    """The parameters ``$name`` strings in ``value`` (also inside lists and mappings) refer to."""
    if isinstance(value, str) and value.startswith("$"):
        return [value[1:]]
    if isinstance(value, (list, tuple)):
        return [r for v in value for r in references(v)]
    if isinstance(value, dict):
        return [r for v in value.values() for r in references(v)]
    return []


def call_args(solver: str, params: Mapping[str, Any], *arg_sets: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters the solver takes by name, then each set of template arguments over them.

    An argument given as ``null`` removes that argument, so the solver's default applies (a
    misconception can take back an argument of the template's own call).
    """
    accepted = _accepted(solver)
    kwargs = {k: v for k, v in params.items() if k in accepted}
    for args in arg_sets:
        for k, v in args.items():
            if v is None:
                kwargs.pop(k, None)
            else:
                kwargs[k] = resolve(v, params)
    return kwargs


_CACHE: OrderedDict[tuple[Any, ...], tuple[Any, Solution]] = OrderedDict()
CACHE_SIZE = 4096
# A misconception's solve is read twice for one question: for the bands (judging) and for its answers
# (multiple-choice distractors, require_distinct); a question's few solves need only a short memory.
_MISTAKES: OrderedDict[tuple[Any, ...], tuple[Any, Solution]] = OrderedDict()
MISTAKES_SIZE = 512


def _frozen(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return tuple((k, _frozen(v)) for k, v in value.items())
    return value


def run(
    template: Template,
    params: Mapping[str, Any],
    overrides: Mapping[str, Any] | None = None,
    misconception: Misconception | None = None,
) -> Solution:
    """Solve ``template`` for ``params`` (optionally as ``misconception`` would, or with a student's
    ``overrides`` for error carried forward).

    Plain solves are memoised (templates with few distinct parameter sets, such as the symbolic
    ones, would otherwise run SymPy again for every seed), and so are a misconception's without
    overrides: treat the Solution as read-only.
    """
    if overrides or isinstance(overrides, Replay):  # a replay (the bands') may start with no override
        return _run(template, params, overrides, misconception)
    if misconception is not None:
        # a misconception's solve may raise under some NumPy error states: those are part of its key.
        # Only its values are ever read (its answers, and its steps' values for diagnosis), so it is
        # replayed without writing formulas.
        key = (id(template), id(misconception), _frozen(params), tuple(np.geterr().values()))
        return _memoised(_MISTAKES, MISTAKES_SIZE, key, (template, misconception),
                         lambda: _run(template, params, Replay(), misconception))
    return _memoised(_CACHE, CACHE_SIZE, (id(template), _frozen(params)), (template,),
                     lambda: _run(template, params, None, None))


def replayer(template: Template, params: Mapping[str, Any]) -> Callable[[Replay], Solution]:
    """Re-solves of ``template`` for ``params`` with a :class:`Replay`'s overrides, the solver and its
    arguments found once (the tolerance bands re-solve one question many times)."""
    if template.solver is None:
        return lambda _: concept_solution(template)
    solve = _solver(template, params, None)
    return lambda replay: solve(overrides=replay)


def _memoised(memo: OrderedDict[tuple[Any, ...], tuple[Any, Solution]], size: int, key: tuple[Any, ...],
              keep: tuple[Any, ...], solve: Callable[[], Solution]) -> Solution:
    """``solve()``, remembered under ``key`` (least recently used out past ``size``). ``keep`` holds the
    objects whose ids are in the key, so no other object can take their id meanwhile. Only solves that
    succeed are kept: a failing one raises again."""
    try:
        memo.move_to_end(key)
        return memo[key][1]
    except KeyError:
        pass
    except TypeError:  # an unhashable parameter value: just solve
        return solve()
    sol = solve()
    memo[key] = (keep, sol)
    if len(memo) > size:
        memo.popitem(last=False)
    return sol


def _run(
    template: Template,
    params: Mapping[str, Any],
    overrides: Mapping[str, Any] | None,
    misconception: Misconception | None,
) -> Solution:
    if template.solver is None:
        return concept_solution(template)
    if not isinstance(overrides, Replay):
        overrides = dict(overrides) if overrides else None
    return _solver(template, params, misconception)(overrides=overrides)


def _solver(template: Template, params: Mapping[str, Any], misconception: Misconception | None
            ) -> Callable[..., Solution]:
    """The template's solver (or the misconception's) with its arguments for ``params`` bound."""
    assert template.solver is not None
    name = template.solver.name
    arg_sets: list[Mapping[str, Any]] = [template.solver.args]
    if misconception is not None:
        if misconception.solver:
            name = misconception.solver
        arg_sets.append(misconception.args)
    return partial(registry.get(name), **call_args(name, params, *arg_sets))


def concept_solution(template: Template) -> Solution:
    rec = Recorder()
    for part in template.parts:
        right = part.correct_option()
        assert right is not None  # the parser insists on exactly one
        # the step shows the right option's words (its id is for the grader, never for a reader)
        rec.note(part.name, right.why or "the right option", right.text)
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
            raise ValueError(
                f"part {part.name!r}: {text!r} is not one of the options {', '.join(o.id for o in part.options)}"
            )
        return text
    return str(value)


def answers(
    template: Template, solution: Solution, keys: Mapping[str, str] | None = None, only_mapped: bool = False
) -> dict[str, Any]:
    """Each part's answer read from ``solution`` (``keys`` maps part names to other answer keys).

    With ``only_mapped`` (a misconception's answers) a part the solver does not answer is
    skipped, and a value of another shape is kept as it is: it simply differs from the right one.
    """
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
            raise ValueError(
                f"part {part.name!r}: the solver gave no answer {key!r} (it gave {', '.join(values) or 'none'})"
            )
        try:
            out[part.name] = typed(part, values[key])
        except ValueError:
            if not only_mapped:
                raise
            out[part.name] = values[key]
    return out
