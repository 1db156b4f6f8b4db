"""The alternatives of conventions.md as data (question_bank/conventions.yaml).

A convention says how it changes the computation (the template's solver with other ``args``, or
another ``solver``) and what the checker tells a student it explains. Templates wire one in with
``- convention: ID``; :func:`unwired` lists the ones a template's solver concerns but the template
does not wire, which ``quizapp lint`` reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from question_bank.schema import Misconception, Template

REGISTRY = Path(__file__).with_name("conventions.yaml")


@dataclass(frozen=True)
class Convention:
    id: str
    concerns: tuple[str, ...]  # solver names; "optimizer_steps:adam" = that solver with optimizer: adam
    message: str
    args: dict[str, Any] = field(default_factory=dict)
    solver: str | None = None

    def misconception(self, parts: Mapping[str, str], line: int = 0) -> Misconception:
        return Misconception(self.id, "convention", self.message, self.solver, dict(self.args), dict(parts), line)

    def concerns_template(self, template: Template) -> bool:
        call = template.solver
        if call is None:
            return False
        for c in self.concerns:
            name, _, optimizer = c.partition(":")
            if name == call.name and (not optimizer or call.args.get("optimizer") == optimizer):
                return True
        return False


def _load() -> dict[str, Convention]:
    data = yaml.safe_load(REGISTRY.read_text(encoding="utf-8"))
    return {
        cid: Convention(cid, tuple(entry["concerns"]), " ".join(str(entry["message"]).split()),
                        dict(entry.get("args") or {}), entry.get("solver"))
        for cid, entry in data.items()
    }


CONVENTIONS: dict[str, Convention] = _load()


def line_of(cid: str) -> int:
    """The line of conventions.yaml where entry ``cid`` starts (0 when it is not there)."""
    for number, line in enumerate(REGISTRY.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith(f"{cid}:"):
            return number
    return 0


def unwired(template: Template) -> list[Convention]:
    """The conventions the template's solver concerns that the template does not name."""
    named = {m.id: m for m in template.misconceptions}
    return [c for c in CONVENTIONS.values() if c.concerns_template(template)
            and not (c.id in named and named[c.id].kind == "convention" and named[c.id].args == c.args)]
