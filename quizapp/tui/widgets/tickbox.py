"""A checkbox, a radio button and a selection list whose state reads without colour: ``[✓]``, ``(●)``."""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import Checkbox, RadioButton, SelectionList


class TickBox(Checkbox):
    BUTTON_LEFT = "["
    BUTTON_RIGHT = "]"

    @property  # type: ignore[override]
    def BUTTON_INNER(self) -> str:  # noqa: N802 - Textual's name for the mark inside the box
        return "✓" if self.value else " "


class Radio(RadioButton):
    """A radio button whose state reads without colour: ``(●)`` chosen, ``( )`` not."""

    BUTTON_LEFT = "("
    BUTTON_RIGHT = ")"

    @property  # type: ignore[override]
    def BUTTON_INNER(self) -> str:  # noqa: N802 - Textual's name for the mark inside the button
        return "●" if self.value else " "


class TickList(SelectionList[str]):
    """A selection list whose ticked options show ``[✓]`` and the others ``[ ]``.

    Textual draws every option's box as the same ``▐X▌`` and tells them apart by colour only.
    """

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        if len(segments) < 3 or segments[1].text != Checkbox.BUTTON_INNER:
            return strip  # a line without a box (below the last option)
        ticked = self.get_option_at_index(self.scroll_offset.y + y).value in self._selected
        left, inner, right = segments[:3]
        box = [Segment("[", left.style), Segment("✓" if ticked else " ", inner.style), Segment("]", right.style)]
        return Strip(box + segments[3:], strip.cell_length)
