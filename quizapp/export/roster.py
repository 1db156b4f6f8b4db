"""A class roster: a CSV file with a header row, one student per line.

The id column is the first of ``id``, ``student_id``, ``student`` (any case); an optional
``name`` column is printed on the student's sheet. Every problem is a ValueError naming the
file and line.
"""

from __future__ import annotations

import csv
from pathlib import Path

ID_COLUMNS = ("id", "student_id", "student")


def read_roster(path: str | Path) -> list[tuple[str, str]]:
    """(student id, name) for each student, in the file's order."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read the roster {path}: {getattr(exc, 'strerror', None) or exc}") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise ValueError(f"{path}:1: the roster needs a header row with an id column ({', '.join(ID_COLUMNS)})")
    header = [cell.strip().lower() for cell in rows[0]]
    id_col = next((header.index(c) for c in ID_COLUMNS if c in header), None)
    if id_col is None:
        raise ValueError(f"{path}:1: no id column in the header (expected one of {', '.join(ID_COLUMNS)})")
    name_col = header.index("name") if "name" in header else None
    students: list[tuple[str, str]] = []
    first_line: dict[str, int] = {}
    for line, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue
        sid = row[id_col].strip() if id_col < len(row) else ""
        if not sid:
            raise ValueError(f"{path}:{line}: no student id")
        if sid in first_line:
            raise ValueError(f"{path}:{line}: student id {sid!r} is also on line {first_line[sid]}")
        first_line[sid] = line
        name = row[name_col].strip() if name_col is not None and name_col < len(row) else ""
        students.append((sid, name))
    if not students:
        raise ValueError(f"{path}: the roster lists no students")
    return students
