"""Small terminal charts: accuracy per day as columns of eighth-blocks with a percent axis."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from quizapp.tui.display import BAD, OK, WARN

_EIGHTHS = " ▁▂▃▄▅▆▇█"


def column_chart(values: Sequence[float], labels: Sequence[str] = (), height: int = 6, width: int = 60,
                 column: int = 2) -> Text:
    """Fractions 0..1 as columns (the most recent that fit in ``width``), a 0-100% axis on the left.

    ``labels`` name the columns; the first and last shown label go under the chart.
    """
    if not values:
        return Text("No answers yet: the chart fills in as you practise.", style="dim")
    fit = max(1, (width - 6) // column)
    values, labels = list(values)[-fit:], list(labels)[-fit:]
    rows = []
    for r in range(height, 0, -1):
        axis = f"{round(100 * r / height):>3}%┤" if r in (height, (height + 1) // 2) else "    │"
        line = Text(axis, style="dim")
        for v in values:
            eighths = round(min(1.0, max(0.0, v)) * height * 8) - (r - 1) * 8
            cell = _EIGHTHS[min(8, max(0, eighths))]
            style = OK if v >= 0.8 else WARN if v >= 0.5 else BAD
            line.append(cell * (column - 1) + " ", style=style)
        rows.append(line)
    rows.append(Text("  0%└" + "─" * (len(values) * column), style="dim"))
    if labels:
        first, last = labels[0], labels[-1]
        gap = len(values) * column - len(first) - (len(last) if len(labels) > 1 else 0)
        rows.append(Text("     " + first + (" " * max(1, gap) + last if len(labels) > 1 else ""), style="dim"))
    return Text("\n").join(rows)


class ColumnChart(Static):
    """A :func:`column_chart` that redraws itself for new data."""


    def plot(self, values: Sequence[float], labels: Sequence[str] = (), height: int = 6) -> None:
        width = self.size.width or 60
        self.update(column_chart(values, labels, height=height, width=width))
