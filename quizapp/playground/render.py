"""The decision boundary as coloured half-block characters, with the data points drawn over it.

Each character cell shows two pixels of the field: "▀" with the foreground colour for the upper
pixel and the background colour for the lower one. Colours follow the Playground's scale
(orange for class 0 / negative, near-white at the boundary, blue for class 1 / positive),
quantised to a few levels so that runs of equal cells merge into one segment and styles can be
cached. Everything per pixel is NumPy; Python loops only over runs of equal cells.

Output is a list of lines of Rich ``Segment`` (what a Textual widget's ``render_line`` wants,
wrapped in a ``Strip``) or one Rich ``Text``. Rich is imported here, Textual is not.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from rich.text import Span, Text

from quizapp.playground import plane

LEVELS = 21  # odd, so that the boundary (p = 0.5) has a level of its own
NEGATIVE, MIDDLE, POSITIVE = (245, 147, 34), (232, 234, 235), (8, 119, 189)  # the Playground's scale
BACKGROUND = (24, 24, 24)
FIELD_STRENGTH = 0.6  # the field is drawn dimmer than the points, so that the points stand out
NAN_CODE = LEVELS
POINT_COLOURS = {  # code -> colour: training points saturated, test points pale (hollow in the Playground)
    LEVELS + 1: (255, 150, 30), LEVELS + 2: (40, 160, 255),
    LEVELS + 3: (255, 215, 170), LEVELS + 4: (175, 220, 255),
}
CODES = LEVELS + 5
HALF_BLOCK = "▀"
SPARKS = "▁▂▃▄▅▆▇█"


def _mix(a: tuple[int, ...], b: tuple[int, ...], t: float) -> tuple[int, int, int]:
    r, g, bl = (round(x + (y - x) * t) for x, y in zip(a, b))
    return r, g, bl


def _field_colour(level: int) -> tuple[int, int, int]:
    t = 2.0 * level / (LEVELS - 1) - 1.0  # -1 .. 1 as in the Playground's d3 scale
    rgb = _mix(MIDDLE, NEGATIVE, -t) if t < 0 else _mix(MIDDLE, POSITIVE, t)
    return _mix(BACKGROUND, rgb, FIELD_STRENGTH)


def colour_of(code: int) -> tuple[int, int, int]:
    if code < LEVELS:
        return _field_colour(code)
    if code == NAN_CODE:
        return (90, 90, 90)
    return POINT_COLOURS[code]


@lru_cache(maxsize=CODES * CODES)
def _style(pair: int) -> Style:
    upper, lower = divmod(pair, CODES)
    return Style(color=Color.from_rgb(*colour_of(upper)), bgcolor=Color.from_rgb(*colour_of(lower)))


def codes(values: np.ndarray, lo: float = 0.0, hi: float = 1.0) -> np.ndarray:
    """Colour level of each value on the scale lo (orange) .. hi (blue); NaN -> grey."""
    v = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        t = np.clip((v - lo) / (hi - lo), 0.0, 1.0)
    out = np.rint(np.nan_to_num(t) * (LEVELS - 1)).astype(np.intp)
    out[np.isnan(v)] = NAN_CODE
    return out


def draw_points(grid: np.ndarray, X: np.ndarray, y: np.ndarray, test: bool = False) -> None:
    """Mark each point (n, 2) with label y (0/1) on the code grid (rows, columns), in place."""
    if len(X) == 0:
        return
    rows, cols = plane.pixels(np.asarray(X, np.float64), grid.shape[1], grid.shape[0])
    grid[rows, cols] = LEVELS + 1 + np.asarray(y, np.intp) + (2 if test else 0)


def lines(grid: np.ndarray) -> list[list[Segment]]:
    """Segments for a code grid of an even number of pixel rows: one line per two rows."""
    if grid.shape[0] % 2:
        grid = np.vstack([grid, grid[-1:]])  # repeat the last row rather than drop it
    pairs = grid[0::2] * CODES + grid[1::2]
    out = []
    for row in pairs:
        starts = np.flatnonzero(np.diff(row)) + 1
        bounds = [0, *starts.tolist(), len(row)]
        values = row[bounds[:-1]].tolist()
        out.append([Segment(HALF_BLOCK * (b - a), _style(v)) for a, b, v in zip(bounds[:-1], bounds[1:], values)])
    return out


def to_text(segment_lines: list[list[Segment]]) -> Text:
    """One Rich Text from lines of segments (built from spans, not appended piece by piece)."""
    plain: list[str] = []
    spans: list[Span] = []
    pos = 0
    for i, line in enumerate(segment_lines):
        if i:
            plain.append("\n")
            pos += 1
        for seg in line:
            spans.append(Span(pos, pos + len(seg.text), seg.style))
            plain.append(seg.text)
            pos += len(seg.text)
    return Text("".join(plain), spans=spans, no_wrap=True, overflow="crop")


def field_lines(
    values: np.ndarray,
    lo: float = 0.0,
    hi: float = 1.0,
    train: tuple[np.ndarray, np.ndarray] | None = None,
    test: tuple[np.ndarray, np.ndarray] | None = None,
) -> list[list[Segment]]:
    """A field (pixel rows, columns) with optional (X, y) training and test points over it."""
    grid = codes(values, lo, hi)
    if test is not None:
        draw_points(grid, *test, test=True)
    if train is not None:
        draw_points(grid, *train)
    return lines(grid)


def session_lines(session: Any, width: int, height: int, neuron: tuple[int, int] | None = None,
                  show_test: bool = True) -> list[list[Segment]]:
    """``width`` × ``height`` cells of a :class:`~quizapp.playground.session.PlaygroundSession`'s output field,
    or of hidden neuron ``(layer, unit)`` (scaled -1 .. 1 as the Playground draws neurons)."""
    if neuron is None:
        values, lo = session.field((width, 2 * height)), 0.0
        data = session.data
        return field_lines(values, lo, 1.0, train=(data.X_train, data.y_train),
                           test=(data.X_test, data.y_test) if show_test else None)
    return field_lines(session.neuron_field(*neuron, (width, 2 * height)), -1.0, 1.0)


def sparkline(values: Any, width: int = 40) -> str:
    """A loss curve in one line of block characters, resampled to ``width``; NaN shows as '·'."""
    v = np.asarray(values, dtype=np.float64)
    if v.size == 0:
        return ""
    idx = np.linspace(0, v.size - 1, min(width, v.size)).round().astype(np.intp)
    v = v[idx]
    finite = v[np.isfinite(v)]
    if finite.size == 0:
        return "·" * len(v)
    low, high = finite.min(), finite.max()
    span = high - low if high > low else 1.0
    levels = np.rint((np.nan_to_num(v, nan=low, posinf=high) - low) / span * (len(SPARKS) - 1)).astype(np.intp)
    return "".join("·" if not np.isfinite(x) else SPARKS[k] for x, k in zip(v, np.clip(levels, 0, len(SPARKS) - 1)))
