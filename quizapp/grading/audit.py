"""Coverage you can see (issue 12): which mistakes and conventions each template names, and how
often the checker really names them.

For every named mistake and convention of a template, over a run of seeds: where it gives an
answer that differs from the right one, a sheet is written as that student would write it (the
right answers, with the mistake's parts in their place, to the stated precision) and graded; the
mistake *fires* when the checker names it on a part it changes. The generic slips (another step's
value, a sign, a factor, an old value, two at once...) need no listing: every template has them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from question_bank.question import Question, instantiate
from question_bank.schema import NUMERIC_TYPES, Template
from quizapp.grading.grade import grade
from solvers import display

GENERIC = ("a value from another step or part", "the given value unchanged or the previous state", "zero",
           "a flipped sign or a step the wrong way", "a factor 2, ½, N, 1/N or α dropped or added",
           "a square or a square root", "a transposed matrix", "swapped hyper-parameters",
           "an old value used where its update belongs", "two slips at once", "a neighbouring variant's answer")


@dataclass
class Coverage:
    """One named mistake or convention of a template, over the seeds audited."""

    id: str
    kind: str
    applies: int = 0  # seeds where its answer differs from the right one
    fired: int = 0  # of those, seeds where the checker named it

    @property
    def share(self) -> float | None:
        return self.fired / self.applies if self.applies else None


@dataclass
class TemplateAudit:
    template: str
    seeds: int
    named: list[Coverage] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"template": self.template, "seeds": self.seeds,
                "named": [{"id": c.id, "kind": c.kind, "applies": c.applies, "fired": c.fired, "share": c.share}
                          for c in self.named]}


def audit(template: Template, seeds: int, start: int = 0) -> TemplateAudit:
    """How often each of ``template``'s named mistakes and conventions fires over ``seeds`` seeds."""
    result = TemplateAudit(template.id, seeds, [Coverage(m.id, m.kind) for m in template.misconceptions])
    by_id = {c.id: c for c in result.named}
    for seed in range(start, start + seeds):
        q = instantiate(template, seed)
        for mid, answer in q.misconception_answers().items():
            changed = [name for name, distinct in answer.distinct.items() if distinct]
            if not changed:
                continue
            by_id[mid].applies += 1
            sheet = {p.name: written(q, p.name, q.expected[p.name]) for p in q.parts}
            sheet.update({name: written(q, name, answer.answers[name]) for name in changed})
            graded = grade(q, sheet)
            if any((d := graded.parts[name].diagnosis) is not None and d.id.split("+")[0] == mid for name in changed):
                by_id[mid].fired += 1
    return result


def written(q: Question, part: str, value: Any) -> str:
    """An answer as a student writes it: numbers to the stated precision, options by their id."""
    spec = q.template.part(part)
    if spec.type in NUMERIC_TYPES:
        return display.render(display.value(value, q.sigfigs()), "plain")
    if spec.type == "expression":
        return str(value).replace("**", "^")
    return str(value)
