"""The exam spec: which questions a problem set holds, from a YAML file or from command-line flags.

```yaml
title: Midterm practice          # optional
seed: 2024                       # optional; --seed wins
multiple_choice: false           # optional default for every section
sections:
  - title: Optimizers
    templates: [adam-step, momentum-step]   # template ids, and/or
    topics: [optimizers]                    # every template of these topics
    difficulty: [2, 3]                      # optional filter for topics: N, [LOW, HIGH] or "LOW-HIGH"
    count: 3                                # optional; default: every template in the pool
    points: 5                               # per question (default 1)
    multiple_choice: true                   # numeric parts as choices among misconception answers
```

Every problem is a :class:`SpecError` that says ``file:line: field: what``.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from question_bank.loader import MarkedDict, MarkedList, TemplateError, load_yaml_file

SPEC_KEYS = ("title", "seed", "multiple_choice", "sections")
SECTION_KEYS = ("title", "templates", "topics", "difficulty", "count", "points", "multiple_choice")
DIFFICULTIES = (1, 3)


class SpecError(TemplateError):
    """A bad exam spec (or bad selection flags), with the file and line when there is one."""

    def _text(self) -> str:
        if self.file:
            return super()._text()
        return f"{self.field}: {self.message}" if self.field else self.message


@dataclass(frozen=True)
class Section:
    title: str = ""
    templates: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    difficulty: tuple[int, int] | None = None
    count: int | None = None
    points: float = 1.0
    multiple_choice: bool = False
    line: int = 0
    lines: dict[str, int] = field(default_factory=dict, compare=False)  # key -> line, for messages


@dataclass(frozen=True)
class ExamSpec:
    sections: tuple[Section, ...]
    title: str = "Problem set"
    seed: int | None = None
    source: str = ""  # the spec file ("" for command-line flags)


def from_flags(templates: Sequence[str] = (), topics: Sequence[str] = (), difficulty: str | None = None,
               count: int | None = None, points: float = 1.0, multiple_choice: bool = False,
               title: str | None = None) -> ExamSpec:
    """The one-section spec that ``--template/--topic/--difficulty/--count/--points`` describe."""
    if not templates and not topics:
        raise SpecError("choose questions with --template ID, --topic T or --spec FILE")
    levels = _difficulty(difficulty, "", 0, "--difficulty") if difficulty is not None else None
    if count is not None and count < 1:
        raise SpecError("--count must be at least 1")
    if points <= 0:
        raise SpecError("--points must be positive")
    section = Section("", tuple(templates), tuple(topics), levels, count, float(points), multiple_choice)
    return ExamSpec((section,), title or "Problem set")


def load_spec(path: str | Path) -> ExamSpec:
    """Read and check an exam spec file (not yet against the bank: see :func:`check_ids`)."""
    source = str(path)
    try:
        data = load_yaml_file(path)
    except TemplateError as exc:
        raise SpecError(exc.message, exc.file, exc.line, exc.field) from None
    if not isinstance(data, MarkedDict):
        raise SpecError("an exam spec is a mapping with a 'sections' list", source, 1)
    _known(data, SPEC_KEYS, source, "")
    default_mc = _bool(data, "multiple_choice", False, source, "multiple_choice")
    sections = data.get("sections")
    if not isinstance(sections, MarkedList) or not sections:
        raise SpecError("'sections' must be a non-empty list", source, data.line_of("sections"), "sections")
    seed = data.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise SpecError("expected a whole number ≥ 0", source, data.line_of("seed"), "seed")
    parsed = tuple(_section(s, i, sections.line_of(i), source, default_mc) for i, s in enumerate(sections))
    title = data.get("title", "Problem set")
    if not isinstance(title, str) or not title.strip():
        raise SpecError("expected a non-empty text", source, data.line_of("title"), "title")
    return ExamSpec(parsed, title.strip(), seed, source)


def _section(raw: Any, index: int, line: int, source: str, default_mc: bool) -> Section:
    where = f"sections[{index}]"
    if not isinstance(raw, MarkedDict):
        raise SpecError("a section is a mapping with templates or topics", source, line, where)
    _known(raw, SECTION_KEYS, source, where)
    templates = _names(raw, "templates", source, where)
    topics = _names(raw, "topics", source, where)
    if not templates and not topics:
        raise SpecError("a section needs 'templates' or 'topics'", source, raw.line, where)
    levels = None
    if raw.get("difficulty") is not None:
        levels = _difficulty(raw["difficulty"], source, raw.line_of("difficulty"), f"{where}.difficulty")
    count = raw.get("count")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
        raise SpecError("expected a whole number ≥ 1", source, raw.line_of("count"), f"{where}.count")
    points = raw.get("points", 1)
    if isinstance(points, bool) or not isinstance(points, (int, float)) or not points > 0:
        raise SpecError("expected a positive number", source, raw.line_of("points"), f"{where}.points")
    title = raw.get("title", "")
    if not isinstance(title, str):
        raise SpecError("expected a text", source, raw.line_of("title"), f"{where}.title")
    mc = _bool(raw, "multiple_choice", default_mc, source, f"{where}.multiple_choice")
    lines = {k: raw.line_of(k) for k in raw}
    for key, names in (("templates", templates), ("topics", topics)):
        for i in range(len(names)):
            lines[f"{key}[{i}]"] = raw[key].line_of(i) if isinstance(raw[key], MarkedList) else raw.line_of(key)
    return Section(title.strip(), templates, topics, levels, count, float(points), mc, raw.line, lines)


def _known(data: MarkedDict, keys: Sequence[str], source: str, where: str) -> None:
    for key in data:
        if key not in keys:
            close = difflib.get_close_matches(str(key), keys, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f" (expected: {', '.join(keys)})"
            raise SpecError(f"unknown key {key!r}{hint}", source, data.line_of(key), where or str(key))


def _names(raw: MarkedDict, key: str, source: str, where: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise SpecError("expected a list of names", source, raw.line_of(key), f"{where}.{key}")
    return tuple(v.strip() for v in value)


def _bool(raw: MarkedDict, key: str, default: bool, source: str, where: str) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise SpecError("expected true or false", source, raw.line_of(key), where)
    return value


def _difficulty(value: Any, source: str, line: int, where: str) -> tuple[int, int]:
    """``2``, ``[1, 2]`` or ``"1-2"`` as (low, high)."""
    if isinstance(value, str):
        value = value.split("-") if "-" in value else [value]
        try:
            value = [int(v) for v in value] * (2 if len(value) == 1 else 1)
        except ValueError:
            value = None
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value, value]
    lo, hi = DIFFICULTIES
    ok = (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) and not isinstance(v, bool)
                                                               for v in value))
    if not ok or not lo <= value[0] <= value[1] <= hi:
        raise SpecError(f"expected a difficulty from {lo} to {hi}: N, [LOW, HIGH] or LOW-HIGH", source, line, where)
    return value[0], value[1]


def check_ids(spec: ExamSpec, ids: Sequence[str], topics: Sequence[str]) -> None:
    """Every template id and topic the spec names exists in the bank (else a SpecError with a suggestion)."""
    for s_index, section in enumerate(spec.sections):
        where = f"sections[{s_index}]" if spec.source else ""
        for kind, names, known in (("template", section.templates, ids), ("topic", section.topics, topics)):
            for i, name in enumerate(names):
                if name in known:
                    continue
                close = difflib.get_close_matches(name, known, n=3)
                hint = f"; did you mean {' or '.join(close)}?" if close else f" (quizapp list shows the {kind}s)"
                field_name = f"{where}.{kind}s[{i}]" if where else ""
                line = section.lines.get(f"{kind}s[{i}]", section.line)
                raise SpecError(f"unknown {kind} {name!r}{hint}", spec.source, line, field_name)
