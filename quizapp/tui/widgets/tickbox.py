"""A checkbox and a radio button whose state reads without colour: ``[✓]``, ``(●)``."""

from __future__ import annotations

from textual.widgets import Checkbox, RadioButton


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
