"""Reference solvers by name, as YAML templates call them.

A solver is a function of keyword parameters (plus ``overrides`` for error carried forward)
that returns a :class:`solvers.steps.Solution`. Modules register their solvers with
``@solver("name")``; the registry imports them all the first time a name is looked up, so
``import solvers`` stays light.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from solvers.steps import Solution

SolverFn = Callable[..., Solution]

_SOLVERS: dict[str, SolverFn] = {}

# Modules that define solvers; imported on first lookup.
SOLVER_MODULES = (
    "solvers.activations",
    "solvers.losses",
    "solvers.optim",
    "solvers.optim_runs",
    "solvers.schedules",
    "solvers.lr_schedules",
    "solvers.output_delta",
    "solvers.loss_details",
    "solvers.norm",
    "solvers.regularization",
    "solvers.knn",
    "solvers.knn_k",
    "solvers.linear",
    "solvers.symbolic",
    "solvers.symbolic_graph",
    "solvers.backprop",
    "solvers.encoding",
)
_loaded = False


def solver(name: str) -> Callable[[SolverFn], SolverFn]:
    def register(fn: SolverFn) -> SolverFn:
        if name in _SOLVERS and _SOLVERS[name] is not fn:
            raise ValueError(f"solver {name!r} registered twice")
        _SOLVERS[name] = fn
        return fn

    return register


def _load_all() -> None:
    global _loaded
    if _loaded:
        return
    for module in SOLVER_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:  # a real import error inside the module
                raise
    _loaded = True


def names() -> list[str]:
    _load_all()
    return sorted(_SOLVERS)


def get(name: str) -> SolverFn:
    _load_all()
    try:
        return _SOLVERS[name]
    except KeyError:
        raise ValueError(f"unknown solver {name!r}") from None


def solve(name: str, /, **params: Any) -> Solution:
    return get(name)(**params)
