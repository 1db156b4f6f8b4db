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
import re
from fractions import Fraction
from typing import Any

from quizapp.export.model import ExportQuestion, ProblemSet, apportion, points_text
from solvers.display import clean

JSON_FILES = ("set.json",)
CSV_FILES = ("answer-key.csv",)
CSV_COLUMNS = ("variant", "student", "name", "variant_seed", "question", "template", "version", "question_seed",
               "part", "type", "answer", "answer_text", "letter", "tolerance", "points")


def dumps(data: Any, indent: int | None = 1) -> str:
    """Stable JSON: sorted keys, no NaN, one trailing newline."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=indent, allow_nan=False) + "\n"


_NUMBER = re.compile(r"^-?[\d.]+(e-?\d+)?$")


CSV_DIGITS = 12  # significant figures in the CSV key: far finer than any grading band, and no float noise


def _value(value: Any) -> str:
    """A value for a spreadsheet cell: JSON with each number to 12 significant figures, so a person
    reads -0.17 where the computation left -0.16999999999999996 (set.json keeps every bit)."""
    if isinstance(value, str):
        return value
    return json.dumps(_denoised(clean(value)), allow_nan=False)


def _denoised(x: Any) -> Any:
    if isinstance(x, float):
        return float(f"{x:.{CSV_DIGITS}g}")
    if isinstance(x, list):
        return [_denoised(v) for v in x]
    return x


def safe(cell: str) -> str:
    """A cell a spreadsheet shows as text: one starting with = + - @ (or a tab/CR) is not run as a formula."""
    return "'" + cell if cell[:1] in ("=", "+", "@", "\t", "\r") or (cell[:1] == "-" and not _NUMBER.match(cell)) \
        else cell


def csv_rows(ps: ProblemSet) -> list[list[str]]:
    """One row per student (or variant), question and part; points are the part's share, so they sum
    to the exam's total."""
    rows = []
    for v in ps.variants:
        for q in v.questions:
            for i, p in enumerate(q.parts):
                tol = "" if p.tolerance is None else _value(p.tolerance)
                # roster cells come from outside and are made formula-safe; answers stay exact for scripts
                rows.append([safe(v.id), safe(v.student), safe(v.name), str(v.seed), str(q.number), q.template,
                             str(q.version), str(q.seed), p.name, p.type, _value(p.answer), p.answer_text, p.letter,
                             tol, _points(q, i)])
    return rows


KEY_POINTS_UNIT = Fraction(1, 10_000)  # a share with no whole or half split is written to 4 decimals


def _points(q: ExportQuestion, index: int) -> str:
    """The part's share of the question's points: whole or half points as the sheet shows them, else
    the share to four decimals by largest remainder (0.3334, 0.3333, 0.3333), so a question's rows
    sum exactly to its points and the column to the exam's total."""
    if q.part_points_shown:
        return points_text(q.part_points(index))
    shares = apportion(q.points, [p.weight for p in q.parts], KEY_POINTS_UNIT)
    if shares is None:  # points with more than four decimals: the exact share
        return repr(q.part_points(index))
    return f"{float(shares[index]):.4f}".rstrip("0").rstrip(".")


def answer_key_csv(ps: ProblemSet) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_rows(ps))
    return out.getvalue()


def render_json(ps: ProblemSet) -> dict[str, bytes]:
    return {JSON_FILES[0]: dumps(ps.to_dict(), indent=None).encode()}  # large: compact


def render_csv(ps: ProblemSet) -> dict[str, bytes]:
    # UTF-8 with a byte-order mark: Excel then reads names and Greek letters right
    return {CSV_FILES[0]: answer_key_csv(ps).encode("utf-8-sig")}
