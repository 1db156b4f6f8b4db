"""What grading returns: per answer a :class:`PartResult`, per question a :class:`GradeResult`.

``to_dict()`` is the documented ``quizapp check --json`` contract (docs/cli.md): keep keys stable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from solvers.steps import to_jsonable

MISTAKE = "mistake"
CONVENTION = "convention"
# What became of one answer. A blank or unreadable answer is handed back with the reason and is
# not graded (conventions.md, "Not answered is not wrong").
RIGHT, WRONG, BLANK, UNREADABLE = "right", "wrong", "blank", "unreadable"


@dataclass(frozen=True)
class Diagnosis:
    """A recognised wrong answer: a mistake, or right under another convention."""

    id: str
    kind: str  # MISTAKE | CONVENTION
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "kind": self.kind, "message": self.message}


@dataclass
class PartResult:
    """The verdict on one answered part or intermediate step."""

    name: str
    label: str
    correct: bool
    expected: Any  # the right answer to the question as stated
    given: Any = None  # the student's answer as read (None when missing or unreadable)
    text: str | None = None  # what the student typed
    message: str = ""  # why it could not be read or compared ("" when it could)
    diagnosis: Diagnosis | None = None
    carried_forward: bool = False  # right given the student's own earlier (wrong) answers
    implied: Any = None  # what the student's earlier answers imply, when that differs from ``expected``
    is_step: bool = False  # an intermediate step rather than an answer part
    unreadable: bool = False  # the text could not be read as an answer of this kind (``message`` says why)

    @property
    def answered(self) -> bool:
        return self.text is not None and bool(self.text.strip())

    @property
    def status(self) -> str:
        """RIGHT, WRONG, BLANK or UNREADABLE."""
        if not self.answered:
            return BLANK
        if self.unreadable:
            return UNREADABLE
        return RIGHT if self.correct else WRONG

    @property
    def handed_back(self) -> bool:
        """Blank or unreadable: returned to the student with ``message``, not graded."""
        return self.status in (BLANK, UNREADABLE)

    def to_dict(self) -> dict[str, Any]:
        return {
            "correct": self.correct,
            "expected": to_jsonable(self.expected),
            "given": to_jsonable(self.given),
            "diagnosis": None if self.diagnosis is None else self.diagnosis.to_dict(),
            "carried_forward": self.carried_forward,
            "implied": to_jsonable(self.implied),
            "message": self.message,
            "label": self.label,
            "text": self.text,
            "status": self.status,
        }


@dataclass
class GradeResult:
    """Every part of one question (answered or not) and every intermediate step answered."""

    template: str
    seed: int | str
    params: dict[str, Any]
    parts: dict[str, PartResult]
    steps: dict[str, PartResult] = field(default_factory=dict)
    first_wrong_step: str | None = None  # name of the first answer, in solution order, that is wrong
    order: list[str] = field(default_factory=list)  # the answered names in solution order
    precision: str = ""  # the precision the question grades, as it is stated to the student
    note: str = ""  # a warning about the numbers themselves (typed numbers too close to tell apart)

    @property
    def score(self) -> float:
        """Partial credit: the share of the question's parts answered correctly."""
        if not self.parts:
            return 0.0
        return sum(p.correct for p in self.parts.values()) / len(self.parts)

    @property
    def correct(self) -> bool:
        return bool(self.parts) and all(p.correct for p in self.parts.values())

    @property
    def checked(self) -> list[str]:
        """The parts that were graded (answered and readable), in part order."""
        return [n for n, p in self.parts.items() if not p.handed_back]

    @property
    def not_checked(self) -> list[str]:
        """The parts handed back: left blank, or unreadable."""
        return [n for n, p in self.parts.items() if p.handed_back]

    @property
    def checked_correct(self) -> bool:
        """Checking one's own work: every part given (and every step given) is right."""
        given = [self.parts[n] for n in self.checked] + [s for s in self.steps.values() if not s.handed_back]
        return bool(given) and all(r.correct for r in given)

    @property
    def checked_score(self) -> float:
        """The share of the graded parts that are right (0 when none was graded)."""
        graded = self.checked
        return sum(self.parts[n].correct for n in graded) / len(graded) if graded else 0.0

    def result(self, name: str) -> PartResult:
        """The result for a part or an answered step by name."""
        if name in self.parts:
            return self.parts[name]
        return self.steps[name]

    def answered(self) -> list[PartResult]:
        """The answered parts and steps, in solution order."""
        return [self.result(n) for n in self.order]

    def diagnoses(self) -> list[Diagnosis]:
        return [r.diagnosis for r in self.answered() if r.diagnosis is not None]

    def to_dict(self) -> dict[str, Any]:
        return {
            "template": self.template,
            "seed": self.seed,
            "params": to_jsonable(self.params),
            # Checking one's own work judges the parts given (conventions.md, "Not answered is not wrong").
            "correct": self.checked_correct,
            "score": self.checked_score,
            "parts": {k: v.to_dict() for k, v in self.parts.items()},
            "steps": {k: v.to_dict() for k, v in self.steps.items()},
            "first_wrong_step": self.first_wrong_step,
            "checked": self.checked,
            "not_checked": self.not_checked,
            "checked_correct": self.checked_correct,
            "checked_score": self.checked_score,
            "precision": self.precision,
            "note": self.note,
        }
