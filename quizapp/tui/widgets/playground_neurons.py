"""A list of what the playground can draw: the output, or any hidden neuron (its own field)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

OUTPUT = "output"


def neuron_id(layer: int, unit: int) -> str:
    return f"n{layer}-{unit}"


def parse_id(option_id: str | None) -> tuple[int, int] | None:
    """``(layer, unit)`` (from 0) of an option id, None for the output."""
    if not option_id or option_id == OUTPUT:
        return None
    layer, unit = option_id[1:].split("-")
    return int(layer), int(unit)


def neuron_title(neuron: tuple[int, int] | None) -> str:
    """What the field shows, for the field's border (numbered from 1, as students count)."""
    if neuron is None:
        return "Output: P(blue)"
    return f"Layer {neuron[0] + 1}, neuron {neuron[1] + 1}: output -1 … 1"


class NeuronList(OptionList):
    """Highlight (arrow keys or a click) the output or a hidden neuron to draw its field."""


    def show_layers(self, hidden: Sequence[int]) -> None:
        """One option per hidden neuron after the output; keeps the highlighted one if it still exists."""
        current = self.neuron
        options = [Option(Text("Output", style="bold"), id=OUTPUT)]
        for layer, size in enumerate(hidden):
            options.extend(Option(f"L{layer + 1} n{unit + 1}", id=neuron_id(layer, unit)) for unit in range(size))
        self.set_options(options)
        keep = current is not None and current[0] < len(hidden) and current[1] < hidden[current[0]]
        self.highlighted = self.get_option_index(neuron_id(*current)) if keep and current else 0

    @property
    def neuron(self) -> tuple[int, int] | None:
        """The highlighted neuron ``(layer, unit)``, None for the output."""
        if self.highlighted is None or self.option_count == 0:
            return None
        return parse_id(self.get_option_at_index(self.highlighted).id)
