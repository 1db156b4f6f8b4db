"""A class roster: a CSV file with a header row, one student per line.

The id column is the first of ``id``, ``student_id``, ``student`` (any case); an optional
``name`` column is printed on the student's sheet. Every problem is a ValueError naming the
file and line.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

ID_COLUMNS = ("id", "student_id", "student")


def _rows(text: str, path: str | Path) -> list[tuple[int, list[str]]]:
    """(line number, cells) for each record, split the way the csv module does.

    Only CR and LF end a record (``str.splitlines`` would also split at a form feed or U+2028 inside
    a name, making a phantom student). A record that runs over several lines has a quoted field with
    a line break in it: on a roster that is a quote never closed, and it would swallow the students
    after it, so it is an error naming the line where the quote opened.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for row in reader:
            if any("\n" in cell or "\r" in cell for cell in row):
                raise ValueError(f"{path}:{start}: a quote (\") opened on this line is not closed on it; "
                                 "close it, or double a quote that is part of a name (\"\")")
            rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        if "end of data" in str(exc):
            raise ValueError(f"{path}:{start}: a quote (\") opened on this line is never closed") from None
        raise ValueError(f"{path}:{start}: cannot read this line as CSV: {exc}") from None
    return rows


def read_roster(path: str | Path) -> list[tuple[str, str]]:
    """(student id, name) for each student, in the file's order."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read the roster {path}: {getattr(exc, 'strerror', None) or exc}") from None
    numbered = _rows(text, path)
    rows = [row for _, row in numbered]
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise ValueError(f"{path}:1: the roster needs a header row with an id column ({', '.join(ID_COLUMNS)})")
    header = [cell.strip().lower() for cell in rows[0]]
    id_col = next((header.index(c) for c in ID_COLUMNS if c in header), None)
    if id_col is None:
        raise ValueError(f"{path}:1: no id column in the header (expected one of {', '.join(ID_COLUMNS)})")
    name_col = header.index("name") if "name" in header else None
    students: list[tuple[str, str]] = []
    first_line: dict[str, int] = {}
    for line, row in numbered[1:]:
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
