"""The decision-boundary field as half-block characters: colours, points, layout and speed."""


import numpy as np
import pytest
from rich.color import Color

from quizapp.playground import render
from quizapp.playground.session import PlaygroundSession
from tests.budget import within


def _rgb(hex_colour):
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def _dimmed(rgb):
    """The field's colour: the scale colour mixed into the background at FIELD_STRENGTH."""
    return tuple(round(b + (c - b) * render.FIELD_STRENGTH) for b, c in zip(render.BACKGROUND, rgb))


def test_scale_ends_and_middle_are_the_playgrounds_colours():
    assert render.colour_of(0) == _dimmed(_rgb("#f59322"))
    assert render.colour_of(render.LEVELS // 2) == _dimmed(_rgb("#e8eaeb"))
    assert render.colour_of(render.LEVELS - 1) == _dimmed(_rgb("#0877bd"))


def test_codes_quantise_clip_and_mark_nan():
    values = np.array([[0.0, 0.5, 1.0, np.nan], [-3.0, 7.0, 0.26, 0.74]])
    top = render.LEVELS - 1
    expected = [[0, top // 2, top, render.NAN_CODE], [0, top, round(0.26 * top), round(0.74 * top)]]
    np.testing.assert_array_equal(render.codes(values), expected)
    np.testing.assert_array_equal(render.codes(np.array([-1.0, 0.0, 1.0]), -1, 1), [0, top // 2, top])


def test_each_cell_shows_the_upper_pixel_in_front_and_the_lower_behind():
    grid = np.array([[0, 0, 20], [20, 20, 20], [3, 3, 3]])  # odd height: the last row is repeated
    lines = render.lines(grid)
    assert len(lines) == 2
    first = lines[0]
    assert [seg.text for seg in first] == ["▀▀", "▀"]
    assert first[0].style.color == Color.from_rgb(*render.colour_of(0))
    assert first[0].style.bgcolor == Color.from_rgb(*render.colour_of(20))
    assert first[1].style.color == first[1].style.bgcolor == Color.from_rgb(*render.colour_of(20))
    assert [seg.text for seg in lines[1]] == ["▀▀▀"]


def test_points_land_in_their_pixels_train_over_test():
    grid = render.codes(np.full((4, 6), 0.5))
    render.draw_points(grid, np.array([[5.9, 5.9], [-5.9, -5.9]]), np.array([1, 0]), test=True)
    render.draw_points(grid, np.array([[5.5, 5.5], [0.1, -0.1]]), np.array([0, 1]))
    base = render.LEVELS + 1
    assert grid[0, 5] == base + 0  # training class 0 drawn over the test point in that pixel
    assert grid[3, 0] == base + 2 + 0  # test class 0, bottom-left
    assert grid[2, 3] == base + 1  # (0.1, -0.1): just right of and below the centre
    assert np.sum(grid != render.LEVELS // 2) == 3


def test_text_is_one_half_block_per_column_and_two_pixel_rows_per_line():
    s = PlaygroundSession(dataset="circle", hidden=(3,))
    text = render.to_text(render.session_lines(s, 30, 12))
    rows = text.plain.split("\n")
    assert len(rows) == 12 and all(row == "▀" * 30 for row in rows)
    assert text.spans and text.spans[-1].end == len(text.plain)


def test_a_learned_circle_is_blue_inside_and_orange_outside():
    s = PlaygroundSession(dataset="circle", hidden=(), features=("x1sq", "x2sq"))
    s.step(300)
    lines = render.field_lines(s.field(20))
    cells = [[seg for seg in line for _ in seg.text] for line in lines]  # one entry per column

    def bluish(colour):
        r, _, b = colour.get_truecolor()
        return b > r

    assert bluish(cells[5][10].style.color) and bluish(cells[5][10].style.bgcolor)
    assert not bluish(cells[0][0].style.color) and not bluish(cells[9][19].style.bgcolor)


def test_neuron_field_uses_the_minus_one_to_one_scale():
    s = PlaygroundSession(hidden=(2,), activation="tanh")
    lines = render.session_lines(s, 8, 4, neuron=(0, 1))
    values = s.neuron_field(0, 1, (8, 8))
    codes = render.codes(values, -1.0, 1.0)
    expected = render.lines(codes)
    assert [[(seg.text, seg.style) for seg in line] for line in lines] == \
        [[(seg.text, seg.style) for seg in line] for line in expected]


def test_sparkline():
    assert render.sparkline([7, 6, 5, 4, 3, 2, 1, 0], 8) == "█▇▆▅▄▃▂▁"
    assert render.sparkline(np.linspace(1, 0, 500), 20)[0] == "█" and len(render.sparkline(range(500), 20)) == 20
    assert render.sparkline([1.0, float("nan"), 0.0], 3) == "█·▁"
    assert render.sparkline([]) == ""


def test_redraw_of_a_2_8_8_1_network_on_200_points_is_fast():
    """A work budget, the same on every machine: one redraw is one batched forward pass over the
    64 x 48 pixels, not a pass per pixel (3,072 of them), and a few calls per cell of text. The
    frame rate itself (10 a second while training) is measured in benchmarks/bench_playground.py."""
    s = PlaygroundSession(dataset="spiral", points=200, hidden=(8, 8))
    s.step(5)
    for _ in range(3):  # the first redraw fills caches; each one stays within the budget
        text = within(10_000, lambda: render.to_text(render.session_lines(s, 64, 24)))  # about 3,700
        assert not isinstance(text, Exception), repr(text)


@pytest.mark.parametrize("resolution", [0, (3, 0)])
def test_bad_resolution(resolution):
    with pytest.raises(ValueError, match="resolution"):
        PlaygroundSession().field(resolution)
