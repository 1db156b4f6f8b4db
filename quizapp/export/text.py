"""Splitting a question's text into what flows and what must keep its layout.

Prompts print matrices row by row with their columns aligned (``question_bank.render.matrix``):
those lines only read right in a fixed-width font with their spaces kept. Every other line is
ordinary text; its line breaks are kept as the template's author wrote them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_ROW = re.compile(r"^\s+\[")  # a continuation row of an aligned matrix


@dataclass(frozen=True)
class Segment:
    lines: tuple[str, ...]
    aligned: bool  # keep spaces and use a fixed-width font


@lru_cache(maxsize=4096)
def segments(text: str) -> tuple[Segment, ...]:
    """``text`` as runs of ordinary lines and aligned blocks (a matrix's first line and its rows)."""
    lines = text.rstrip("\n").split("\n")
    aligned = [False] * len(lines)
    for i in range(1, len(lines)):
        if _ROW.match(lines[i]) and lines[i - 1].strip():
            aligned[i] = aligned[i - 1] = True
    out: list[Segment] = []
    start = 0
    for i in range(1, len(lines) + 1):
        if i == len(lines) or aligned[i] != aligned[start]:
            out.append(Segment(tuple(lines[start:i]), aligned[start]))
            start = i
    return tuple(out)


def paragraphs(lines: tuple[str, ...]) -> list[list[str]]:
    """Ordinary lines grouped into paragraphs (blank lines separate them)."""
    out: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            out[-1].append(line.strip())
        elif out[-1]:
            out.append([])
    return [p for p in out if p]
