"""The one place a graded answer is written to the progress store."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from question_bank.question import Question
    from question_bank.schema import Template
    from quizapp.grading import GradeResult
    from quizapp.progress import Store


def parts_of(template: Template, result: GradeResult | None) -> dict[str, Any]:
    """The per-part record: the graded parts, or every part blank for a skipped question."""
    if result is not None:
        return {k: v.to_dict() for k, v in result.parts.items()}
    return {p.name: {"text": None, "correct": False} for p in template.parts}


def record(store: Store | None, template: Template, *, mode: str, score: float, correct: bool,
           result: GradeResult | None = None, question: Question | None = None, seed: Any = None,
           seconds: float | None = None, session_id: int | None = None, question_index: int | None = None,
           now: datetime | None = None) -> None:
    """Save one answer (or skip) to ``store``; nothing happens without a store."""
    if store is None:
        return
    params = question.params if question is not None else {}
    store.record_attempt(
        template_id=template.id, topic=template.topic, score=score, correct=correct, mode=mode,
        seed=seed if isinstance(seed, int) else None, params=params, parts=parts_of(template, result),
        seconds=seconds, session_id=session_id, question_index=question_index,
        template_version=template.version, now=now)
