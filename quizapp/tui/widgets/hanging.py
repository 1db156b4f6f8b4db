"""Text whose wrapped lines keep their indent (a hanging indent), for worked solutions and verdicts.

A worked step is laid out by indentation: ``1. label``, then the formula under it, then ``= numbers``.
Rich wraps a long line back to column 0, which breaks that layout at 80 columns. Here each line is
wrapped on its own, and its continuation lines start under the text after the line's lead: its
leading spaces and a marker such as ``= `` or ``you wrote: ``.
"""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

# what a continuation line goes under: leading spaces, then a step number, "= ", or a verdict label
_LEAD = re.compile(r" *(?:\d+\. |= |you wrote: |expected: +)?")
MIN_TEXT = 20  # columns left for the text; below that a line wraps from column 0 as usual


class Hanging:
    """A Rich renderable: ``text`` with a hanging indent on every line that wraps."""

    def __init__(self, text: Text, lead: int | None = None) -> None:
        self.text = text
        self.lead = lead  # the same lead for every line (an option's "○ B) "), else found per line

    @property
    def plain(self) -> str:
        return self.text.plain

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        for line in self.text.split("\n", allow_blank=True):
            lead = cell_len(_LEAD.match(line.plain).group()) if self.lead is None else self.lead
            if lead == 0 or width - lead < MIN_TEXT or cell_len(line.plain) <= width:
                yield from line.wrap(console, width)
                continue
            rest = line[lead:].wrap(console, width - lead)
            for i, piece in enumerate(rest):
                yield Text.assemble(line[:lead] if i == 0 else " " * lead, piece, end="\n")

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.text)
