"""Check my work as plain logic: a template, the numbers on the student's sheet, their answers.

The screen shows a :class:`CheckWork` and forwards what is typed; tests drive it directly.
A checked answer is saved to the progress store only when the student asks for it
(``save=True``): work checked from a sheet is kept apart from quiz mastery and review by default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from quizapp.study.record import record
from quizapp.study.seeds import new_seed
from quizapp.study.session import Clock, handed_back, utcnow

if TYPE_CHECKING:
    from question_bank.bank import Bank
    from question_bank.question import Question
    from question_bank.schema import Template
    from quizapp.grading import GradeResult
    from quizapp.progress import Store

CHECK_MODE = "check"


def param_text(value: Any) -> str:
    """A parameter as it is typed back: ``[1, -2]``, ``0 -2; 3 1`` for a matrix, ``0.5``."""
    from question_bank.render import number

    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(row, (list, tuple)) for row in value):
            return "; ".join(" ".join(param_text(v) for v in row) for row in value)
        return "[" + ", ".join(param_text(v) for v in value) + "]"
    return number(value)


def shown_params(template: Template) -> list[str]:
    """The parameters a student types: the drawn ones the answers depend on."""
    from quizapp.grading.params import missing_params

    return missing_params(template, ())


@dataclass
class Checked:
    """One check: the question as typed, its grade, and the parts handed back (with why)."""

    question: Question
    result: GradeResult
    handed_back: dict[str, str] = field(default_factory=dict)
    saved: bool = False


class CheckWork:
    """One template being checked; ``read`` and ``check`` raise ValueError with a message to show."""

    def __init__(self, bank: Bank, template_id: str, seed: int | None = None, *, store: Store | None = None,
                 clock: Clock | None = None) -> None:
        self.bank = bank
        self.store = store
        self.clock = clock or utcnow
        self.template_id = template_id
        self.seed = new_seed() if seed is None else seed
        self.question = bank.instantiate(template_id, self.seed)

    @property
    def template(self) -> Template:
        return self.bank.get(self.template_id)

    def choose(self, template_id: str, seed: int | None = None) -> None:
        """Another template (or the same with new numbers: ``seed`` None draws one)."""
        self.template_id = template_id
        self.seed = new_seed() if seed is None else seed
        self.question = self.bank.instantiate(template_id, self.seed)

    def param_names(self) -> list[str]:
        return shown_params(self.template)

    def param_texts(self) -> dict[str, str]:
        """The drawn numbers, as a student would type them."""
        return {name: param_text(self.question.params[name]) for name in self.param_names()}

    def read(self, typed: Mapping[str, str]) -> Question:
        """The question with the typed numbers (the current one is replaced); ValueError when one is bad."""
        from quizapp.study.requests import question_for

        self.question = question_for(self.bank, self.template_id, self.seed, dict(typed))
        return self.question

    def check(self, typed: Mapping[str, str], answers: Mapping[str, str], save: bool = False,
              now: datetime | None = None) -> Checked:
        """Grade ``answers`` to the question with the ``typed`` numbers; saved only when ``save``."""
        from quizapp.grading import grade

        question = self.read(typed)
        texts = {k: v for k, v in answers.items() if v.strip()}
        if not texts:
            raise ValueError("type your answer first")
        result = grade(question, texts)
        # Checking one's own work judges the parts given (as `quizapp check` does): a part left blank
        # is not checked, not wrong; only an answer that cannot be read comes back to be fixed.
        unreadable = {name: why for name, why in handed_back(result).items() if result.parts[name].answered}
        checked = Checked(question, result, unreadable)
        if save and not checked.handed_back:
            record(self.store, question.template, mode=CHECK_MODE, score=result.checked_score,
                   correct=result.checked_correct,
                   result=result, question=question, seed=question.seed, now=now or self.clock())
            checked.saved = self.store is not None
        return checked
