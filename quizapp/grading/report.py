"""The class report after ``quizapp check --batch``: per template, how many got it right and which
mistakes were most common (what a TA wants to talk about in the next recitation)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from quizapp.grading.results import GradeResult


@dataclass
class TemplateReport:
    template: str
    graded: int = 0
    correct: int = 0
    total_score: float = 0.0
    diagnoses: Counter[tuple[str, str]] = field(default_factory=Counter)  # (id, kind) -> students
    first_wrong: Counter[str] = field(default_factory=Counter)  # step -> students who left the path there

    @property
    def share_correct(self) -> float:
        return self.correct / self.graded if self.graded else 0.0

    @property
    def mean_score(self) -> float:
        return self.total_score / self.graded if self.graded else 0.0

    def common_diagnoses(self, n: int = 3) -> list[tuple[str, str, int]]:
        """The ``n`` most common diagnoses as (id, kind, number of students), most common first."""
        ranked = sorted(self.diagnoses.items(), key=lambda kv: (-kv[1], kv[0]))
        return [(i, k, c) for (i, k), c in ranked[:n]]

    def common_first_wrong(self, n: int = 2) -> list[tuple[str, int]]:
        return sorted(self.first_wrong.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def class_report(results: Iterable[GradeResult]) -> list[TemplateReport]:
    """One report per template, in template-id order. A diagnosis counts once per student's sheet."""
    reports: dict[str, TemplateReport] = {}
    for r in results:
        rep = reports.setdefault(r.template, TemplateReport(r.template))
        rep.graded += 1
        rep.correct += r.correct
        rep.total_score += r.score
        rep.diagnoses.update({(d.id, d.kind) for d in r.diagnoses()})
        if r.first_wrong_step:
            rep.first_wrong[r.first_wrong_step] += 1
    return [reports[k] for k in sorted(reports)]
