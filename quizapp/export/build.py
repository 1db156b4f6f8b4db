"""A problem set from a spec: which templates, which seeds, and multiple-choice decisions.

Reproducibility: every seed is derived with SHA-256 (``question_bank.sampler.rng_for``) from the
set's seed and a name, never from Python's salted ``hash()`` or the clock, so the same command
gives the same set in any process. The templates are chosen once per set (every variant gets the
same kinds of questions, which keeps variants fair); each variant has its own seed (from its
number, or from the student id), and each question's seed comes from the variant's seed and the
question's number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from question_bank.bank import Bank
from question_bank.question import Question
from question_bank.sampler import rng_for
from quizapp.export import distractors as mc
from quizapp.export.model import Choice, ProblemSet, Variant, export_question
from quizapp.export.spec import ExamSpec, Section, SpecError, check_ids

SEED_SPACE = 10**9  # derived seeds stay short enough to type back into `quizapp solve --seed`
NAMESPACE = "quizapp-generate"
MIN_DISTRACTORS = 3

Tick = Callable[[int], None]


def derive_seed(seed: int | str, name: str) -> int:
    """A seed that depends only on ``seed`` and ``name`` (``variant:3``, ``student:s123``, ``question:7``)."""
    return rng_for(NAMESPACE, seed, name).randrange(SEED_SPACE)


@dataclass(frozen=True)
class Slot:
    """One question position of the set: the same template in every variant."""

    number: int
    section: str
    template: str
    points: float
    multiple_choice: bool


@dataclass(frozen=True)
class VariantKey:
    id: str
    seed: int
    student: str = ""
    name: str = ""


def numbered_variants(seed: int, count: int) -> list[VariantKey]:
    width = len(str(count))
    return [VariantKey(f"v{i:0{width}d}", derive_seed(seed, f"variant:{i}")) for i in range(1, count + 1)]


def roster_variants(seed: int, students: Sequence[tuple[str, str]]) -> list[VariantKey]:
    """One variant per (student id, name); its seed comes from the set's seed and the id alone."""
    return [VariantKey(sid, derive_seed(seed, f"student:{sid}"), sid, name) for sid, name in students]


def plan(spec: ExamSpec, bank: Bank, seed: int) -> list[Slot]:
    """The question positions: each section's templates, drawn from its pool with the set's seed."""
    check_ids(spec, bank.ids(), list(bank.topics()))
    slots: list[Slot] = []
    for index, section in enumerate(spec.sections):
        pool = _pool(section, bank)
        if not pool:
            where = f"sections[{index}]" if spec.source else ""
            raise SpecError("no template matches these topics and difficulty", spec.source, section.line, where)
        picks = _draw(pool, section.count or len(pool), rng_for(NAMESPACE, seed, f"section:{index}"))
        for tid in picks:
            slots.append(Slot(len(slots) + 1, section.title, tid, section.points, section.multiple_choice))
    return slots


def _pool(section: Section, bank: Bank) -> list[str]:
    ids = list(dict.fromkeys(section.templates))
    for topic in section.topics:
        for t in bank.by_topic(topic):
            low, high = section.difficulty or (1, 3)
            if low <= t.difficulty <= high and t.id not in ids:
                ids.append(t.id)
    return ids


def _draw(pool: list[str], count: int, rng: Any) -> list[str]:
    """``count`` templates: whole rounds of the pool, then a sample of it, each in the pool's order."""
    rounds, rest = divmod(count, len(pool))
    chosen = set(rng.sample(range(len(pool)), rest))
    return pool * rounds + [tid for i, tid in enumerate(pool) if i in chosen]


def instantiate_all(bank: Bank, slots: Sequence[Slot], keys: Sequence[VariantKey],
                    tick: Tick | None = None) -> list[list[Question]]:
    """Every variant's questions, in slot order."""
    out = []
    for key in keys:
        row = []
        for slot in slots:
            row.append(bank.instantiate(slot.template, derive_seed(key.seed, f"question:{slot.number}")))
            if tick:
                tick(1)
        out.append(row)
    return out


Choices = dict[tuple[int, int, str], tuple[Choice, ...]]  # (variant index, slot number, part) -> choices


def decide_choices(slots: Sequence[Slot], questions: list[list[Question]], keys: Sequence[VariantKey],
                   minimum: int = MIN_DISTRACTORS) -> tuple[Choices, list[dict[str, Any]]]:
    """Which numeric parts become multiple choice, and the choices of each variant.

    A part becomes a choice in every variant or in none (students of one exam get the same kind
    of question): it needs ``minimum`` recognised wrong answers in every variant.
    """
    choices: Choices = {}
    decisions: list[dict[str, Any]] = []
    for i, slot in enumerate(slots):
        if not slot.multiple_choice:
            continue
        column = [row[i] for row in questions]
        mistaken = [q.misconception_answers() for q in column]
        for part in column[0].parts:
            if not mc.can_be_choice(part):
                continue
            signed = part.type in mc.NUMERIC and mc.takes_both_signs(column, part)
            wrong = [mc.distractors(q, part, m, signed) for q, m in zip(column, mistaken)]
            decision = _decision(slot, part.name, wrong, keys, minimum)
            decisions.append(decision)
            if decision["multiple_choice"]:
                for v, (q, w) in enumerate(zip(column, wrong)):
                    choices[(v, slot.number, part.name)] = mc.choices(q, part, w)
    return choices, decisions


def _decision(slot: Slot, part: str, wrong: list[list[mc.Distractor]], keys: Sequence[VariantKey],
              minimum: int) -> dict[str, Any]:
    head = {"question": slot.number, "template": slot.template, "part": part}
    fewest = min(range(len(wrong)), key=lambda v: len(wrong[v]))
    sources = sorted({d.source for w in wrong for d in w})
    if len(wrong[fewest]) >= minimum:
        return {**head, "multiple_choice": True, "wrong_options_from": sources, "reason": ""}
    found = [d.source for d in wrong[fewest]]
    listed = f" ({', '.join(found)})" if found else ""
    reason = (f"kept numeric: variant {keys[fewest].id} has {len(found)} recognised wrong "
              f"answer{'s' if len(found) != 1 else ''}{listed}; multiple choice needs {minimum}")
    return {**head, "multiple_choice": False, "wrong_options_from": sources, "reason": reason}


def build(bank: Bank, spec: ExamSpec, seed: int, keys: Sequence[VariantKey], app_version: str,
          minimum: int = MIN_DISTRACTORS, tick: Tick | None = None) -> ProblemSet:
    """The whole problem set: every variant's questions as export records."""
    slots = plan(spec, bank, seed)
    questions = instantiate_all(bank, slots, keys, tick)
    choices, decisions = decide_choices(slots, questions, keys, minimum)
    variants = []
    for v, (key, row) in enumerate(zip(keys, questions)):
        records = tuple(
            export_question(q, slot.number, slot.section, slot.points,
                            {p.name: choices[(v, slot.number, p.name)] for p in q.parts
                             if (v, slot.number, p.name) in choices})
            for slot, q in zip(slots, row))
        variants.append(Variant(key.id, key.seed, records, key.student, key.name))
    return ProblemSet(spec.title, seed, tuple(variants), app_version, tuple(decisions))
