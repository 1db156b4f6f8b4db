"""Machine-readable outputs: the whole set as JSON, and the answer key as CSV.

``set.json`` holds every variant's questions with their parameters, answers (exactly as
``quizapp solve --json`` gives them), tolerances, choices and worked steps. ``answer-key.csv``
has one row per student (or variant), question and part, so a grading script can filter it by
student.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from quizapp.export.model import ProblemSet, points_text

JSON_FILES = ("set.json",)
CSV_FILES = ("answer-key.csv",)
CSV_COLUMNS = ("variant", "student", "name", "variant_seed", "question", "template", "version", "question_seed",
               "part", "type", "answer", "answer_text", "letter", "tolerance", "points")


def dumps(data: Any, indent: int | None = 1) -> str:
    """Stable JSON: sorted keys, no NaN, one trailing newline."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=indent, allow_nan=False) + "\n"


def _value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, allow_nan=False)


def csv_rows(ps: ProblemSet) -> list[list[str]]:
    rows = []
    for v in ps.variants:
        for q in v.questions:
            for p in q.parts:
                tol = "" if p.tolerance is None else _value(p.tolerance)
                rows.append([v.id, v.student, v.name, str(v.seed), str(q.number), q.template, str(q.version),
                             str(q.seed), p.name, p.type, _value(p.answer), p.answer_text, p.letter, tol,
                             points_text(q.points)])
    return rows


def answer_key_csv(ps: ProblemSet) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_rows(ps))
    return out.getvalue()


def render_json(ps: ProblemSet) -> dict[str, bytes]:
    return {JSON_FILES[0]: dumps(ps.to_dict(), indent=None).encode()}  # large: compact


def render_csv(ps: ProblemSet) -> dict[str, bytes]:
    return {CSV_FILES[0]: answer_key_csv(ps).encode()}
