"""The playground's decision boundary: a coloured field of half blocks with the data points over it.

All drawing is ``quizapp.playground.render.session_lines``; this widget only sizes the picture,
centres it, and caches one frame's strips, so that the ``render_line`` calls of a frame build the
field once (a forward pass over every pixel) instead of once per line.
"""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from textual.strip import Strip
from textual.widget import Widget

from quizapp.playground.render import session_lines

MAX_ROWS = 48  # beyond this a bigger terminal only costs frame rate: the picture stays this size


class BoundaryView(Widget):
    """The output field of a session (or one hidden neuron's), square, centred in the widget."""


    def __init__(self, session: Any = None, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.session = session
        self.neuron: tuple[int, int] | None = None
        self.show_test = True
        self.frames = 0  # pictures built so far: a benchmark divides this by the time
        self._strips: list[Strip] | None = None
        self._key: tuple[Any, ...] = ()

    def show(self, neuron: tuple[int, int] | None = None, show_test: bool | None = None) -> None:
        """Draw the output (``neuron=None``) or hidden neuron ``(layer, unit)``, both from 0."""
        self.neuron = neuron
        if show_test is not None:
            self.show_test = show_test
        self.redraw()

    def redraw(self) -> None:
        """The session has changed: build a new picture at the next paint."""
        self._strips = None
        self.refresh()

    def picture_size(self) -> tuple[int, int]:
        """(columns, rows) of the field: a square of pixels, two pixel rows per text row."""
        width, height = self.size
        rows = max(0, min(height, width // 2, MAX_ROWS))
        return 2 * rows, rows

    def render_line(self, y: int) -> Strip:
        strips = self._frame()
        top = (self.size.height - len(strips)) // 2
        if 0 <= y - top < len(strips):
            return strips[y - top]
        return Strip.blank(self.size.width, self.rich_style)

    def _frame(self) -> list[Strip]:
        key = (self.size, self.neuron, self.show_test)
        if self._strips is None or key != self._key:
            self._strips, self._key = self._build(), key
            self.frames += 1
        return self._strips

    def _build(self) -> list[Strip]:
        columns, rows = self.picture_size()
        if self.session is None or rows == 0:
            return []
        width = self.size.width
        left = (width - columns) // 2
        pad_left = [Segment(" " * left, self.rich_style)] if left else []
        right = width - columns - left
        pad_right = [Segment(" " * right, self.rich_style)] if right else []
        lines = session_lines(self.session, columns, rows, neuron=self.neuron, show_test=self.show_test)
        return [Strip([*pad_left, *line, *pad_right], width) for line in lines]
