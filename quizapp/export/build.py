"""A problem set from a spec: which templates, which seeds, and multiple-choice decisions.

Reproducibility: every seed is derived with SHA-256 (``question_bank.sampler.rng_for``) from the
set's seed and a name, never from Python's salted ``hash()`` or the clock, so the same command
gives the same set in any process. The templates are chosen once per set (every variant gets the
same kinds of questions, which keeps variants fair); each variant has its own seed (from its
number, or from the student id), and each question's seed comes from the variant's seed and the
question's number.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from question_bank.bank import Bank
from question_bank.sampler import rng_for
from quizapp.export import distractors as mc
from quizapp.export import parallel
from quizapp.export.model import ExportQuestion, ProblemSet, Variant, export_question, with_choices
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


Wrong = dict[tuple[int, str], list[mc.Distractor]]  # (question number, part) -> wrong answers, sign error last
MIN_PARALLEL = 300  # questions: below this a second process costs more than it saves


def variant_work(bank: Bank, slots: Sequence[Slot], key: VariantKey) -> tuple[list[ExportQuestion], Wrong]:
    """One variant's questions as records (numeric parts not yet turned into choices) and, for the
    multiple-choice slots, each numeric part's recognised wrong answers."""
    records: list[ExportQuestion] = []
    wrong: Wrong = {}
    for slot in slots:
        q = bank.instantiate(slot.template, derive_seed(key.seed, f"question:{slot.number}"))
        records.append(export_question(q, slot.number, slot.section, slot.points))
        if slot.multiple_choice:
            mistaken = q.misconception_answers()
            for part in q.parts:
                if mc.can_be_choice(part):
                    wrong[(slot.number, part.name)] = mc.distractors(q, part, mistaken, True, None)
    return records, wrong


def _work_range(bank: Bank, slots: Sequence[Slot], keys: Sequence[VariantKey],
                tick: Tick | None) -> list[tuple[list[ExportQuestion], Wrong]]:
    out = []
    for key in keys:
        out.append(variant_work(bank, slots, key))
        if tick:
            tick(len(slots))
    return out


def all_variants(bank: Bank, slots: Sequence[Slot], keys: Sequence[VariantKey],
                 tick: Tick | None = None) -> list[tuple[list[ExportQuestion], Wrong]]:
    """:func:`variant_work` for every key, in order (shared with a second process on long runs: each
    takes the next variant no one has taken, so both finish together)."""
    if len(slots) * len(keys) < MIN_PARALLEL or len(keys) < 3:
        return _work_range(bank, slots, keys, tick)
    made = [0]

    def done(_: int) -> None:  # the child cannot move our bar: count each of ours twice meanwhile
        made[0] += 1
        if tick and 2 * made[0] <= len(keys):
            tick(2 * len(slots))

    out = parallel.shared(len(keys), lambda i: variant_work(bank, slots, keys[i]), done)
    if tick:  # the rest of the bar now
        tick(len(slots) * (len(keys) - 2 * min(made[0], len(keys) // 2)))
    return out


def decide_choices(slots: Sequence[Slot], work: list[tuple[list[ExportQuestion], Wrong]],
                   keys: Sequence[VariantKey], minimum: int = MIN_DISTRACTORS) -> list[dict[str, Any]]:
    """Which numeric parts become multiple choice; turns them into choices in the records (in place).

    A part becomes a choice in every variant or in none (students of one exam get the same kind
    of question): it needs ``minimum`` recognised wrong answers in every variant. The sign error
    is offered only for a part whose answers take both signs across the variants.
    """
    decisions: list[dict[str, Any]] = []
    for i, slot in enumerate(slots):
        if not slot.multiple_choice:
            continue
        for p_index, part in enumerate(work[0][0][i].parts):
            if (slot.number, part.name) not in work[0][1]:
                continue
            answers = [records[i].parts[p_index].answer for records, _ in work]
            signed = part.type in mc.NUMERIC and mc.takes_both_signs(answers)
            wrong = [w[(slot.number, part.name)] for _, w in work]
            wrong = [w[: mc.MAX_DISTRACTORS] if signed else mc.without_sign_error(w) for w in wrong]
            decision = _decision(slot, part.name, wrong, keys, minimum)
            decisions.append(decision)
            if decision["multiple_choice"]:
                for (records, _), w in zip(work, wrong):
                    records[i] = _with_choices(records[i], p_index, w)
    return decisions


def _with_choices(q: ExportQuestion, index: int, wrong: list[mc.Distractor]) -> ExportQuestion:
    part = q.parts[index]
    return with_choices(q, index, mc.choices(q.template, q.seed, part.name, part.answer, wrong))


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
    work = all_variants(bank, slots, keys, tick)
    decisions = decide_choices(slots, work, keys, minimum)
    variants = tuple(Variant(key.id, key.seed, tuple(records), key.student, key.name)
                     for key, (records, _) in zip(keys, work))
    return ProblemSet(spec.title, seed, variants, app_version, tuple(decisions))


def same_numbers(ps: ProblemSet, shown: int = 3) -> list[str]:
    """A warning per question position where two variants (students) drew the same numbers: a small
    template's range of values can repeat, and students who compare sheets would notice."""
    warnings = []
    for index in range(len(ps.variants[0].questions) if ps.variants else 0):
        if not ps.variants[0].questions[index].params:
            continue  # a concept question has no numbers to share (its statements are drawn per student)
        groups: dict[str, list[str]] = {}
        for v in ps.variants:
            q = v.questions[index]
            groups.setdefault(json.dumps(q.params, sort_keys=True), []).append(v.student or v.id)
        repeated = [ids for ids in groups.values() if len(ids) > 1]
        if repeated:
            q = ps.variants[0].questions[index]
            listed = "; ".join(_group_text(ids, shown) for ids in repeated[:shown]) + (
                "; ..." if len(repeated) > shown else "")
            warnings.append(f"question {q.number} ({q.template}): {len(groups)} different sets of numbers for "
                            f"{len(ps.variants)} variants; the same numbers for {listed}")
    return warnings


def _group_text(ids: list[str], shown: int) -> str:
    """``v1 = v2``; a long group by its first few and its size, so that a warning stays one readable line."""
    if len(ids) <= shown + 1:
        return " = ".join(ids)
    return " = ".join(ids[:shown]) + f" = ... ({len(ids)} variants)"
