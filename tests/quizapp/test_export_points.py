"""Per-part points: a template part's ``points`` weight, and shares a person can read.

Every expected share below is worked by hand from the rule in docs/generate.md: whole points when
each part gets at least one, else halves when each gets at least a half, each by largest remainder
with ties to the earlier part; else exact shares and no points per part on the sheet.
"""

from __future__ import annotations

import csv
import io
import math
import re
from fractions import Fraction
from pathlib import Path

import pytest

from question_bank.bank import load_bank, load_template
from question_bank.loader import TemplateError
from quizapp.export import data, latex, markdown, moodle
from quizapp.export.build import build, numbered_variants
from quizapp.export.model import share_points
from quizapp.export.spec import from_flags

HINGE = Path(__file__).resolve().parents[2] / "question_bank" / "templates" / "losses" / "hinge-loss.yaml"
LOSS_LABEL = '    label: "the loss L"\n'


@pytest.mark.parametrize(
    ("points", "weights", "shares"),
    [
        # 5/3 = 1.667 each: floors 1, 1, 1, two points left, remainders tie: the first two get them
        (5, [1, 1, 1], (2, 2, 1)),
        # 3 over weights 2:1 is exactly 2 and 1
        (3, [2, 1], (2, 1)),
        # 4/3 = 1.333 each: floors 1, 1, 1, one point left for the first
        (4, [1, 1, 1], (2, 1, 1)),
        # 10/3 = 3.333 each: 4, 3, 3
        (10, [1, 1, 1], (4, 3, 3)),
        # 2 over 3 parts: fewer points than parts, so no whole split. In halves: 4 halves, 4/3 = 1.333
        # halves each, floors 1, 1, 1, one half left for the first: 1, 0.5, 0.5 (sum 2)
        (2, [1, 1, 1], (1, 0.5, 0.5)),
        # 1 over 2 parts: halves, 0.5 each
        (1, [1, 1], (0.5, 0.5)),
        # 2.5 is no whole number; 5 halves over 2 parts = 2.5 halves each: 3 and 2 halves
        (2.5, [1, 1], (1.5, 1)),
        # one part takes the question's points
        (1, [1], (1,)),
        # 1 over weights 2:1: 2 halves, exactly 1.333 and 0.667 of them, floors 1 and 0, the half left
        # goes to the larger remainder (0.667): 0.5 and 0.5 (halves are too coarse to show the 2:1)
        (1, [2, 1], (0.5, 0.5)),
    ],
)
def test_readable_shares_by_largest_remainder(points, weights, shares):
    got = share_points(points, weights)
    assert got.shown
    assert got.points == shares
    assert sum(got.points) == points


@pytest.mark.parametrize(
    ("points", "weights", "exact"),
    [
        # 1 over 3 parts: no whole point each, 2 halves for 3 parts leave one part with none
        (1, [1, 1, 1], (1 / 3, 1 / 3, 1 / 3)),
        # 3 over 10:1:1: whole points 3, 0, 0 and halves 5, 1, 0 leave a part with nothing
        (3, [10, 1, 1], (2.5, 0.25, 0.25)),
        # 1 over 2:1:1: no whole point each; 2 halves, exactly 1, 0.5, 0.5: floors 1, 0, 0, the half
        # left goes to the tie's earlier part: 1, 1, 0 halves, a part with nothing
        (1, [2, 1, 1], (0.5, 0.25, 0.25)),
        # 0.3 is neither whole nor a number of halves
        (0.3, [1], (0.3,)),
    ],
)
def test_no_readable_split_gives_exact_shares_and_none_shown(points, weights, exact):
    got = share_points(points, weights)
    assert not got.shown
    assert got.points == pytest.approx(exact, rel=1e-15)
    assert math.isclose(sum(got.points), points, rel_tol=1e-15)


def _weighted(tmp_path: Path, value: str) -> tuple[Path, int]:
    """hinge-loss as a new template whose loss part has ``points: value``; the file and that line."""
    text = HINGE.read_text(encoding="utf-8").replace("id: hinge-loss\n", "id: hinge-weighted\n", 1)
    assert LOSS_LABEL in text
    text = text.replace(LOSS_LABEL, LOSS_LABEL + f"    points: {value}\n", 1)
    line = text.splitlines().index(f"    points: {value}") + 1
    path = tmp_path / "bank" / "hinge-weighted.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path, line


def test_a_part_weight_is_read(tmp_path):
    path, _ = _weighted(tmp_path, "2")
    template = load_template(path)
    assert [(p.name, p.points) for p in template.parts] == [("loss", 2.0), ("grad", 1.0)]


@pytest.mark.parametrize(("value", "words"), [("0", "must be positive"), ("-1", "must not be negative"),
                                              ("two", "expected a number"), (".inf", "finite")])
def test_a_bad_part_weight_names_file_line_and_field(tmp_path, value, words):
    path, line = _weighted(tmp_path, value)
    with pytest.raises(TemplateError) as info:
        load_template(path)
    err = info.value
    assert (err.file, err.line, err.field) == (str(path), line, "parts[0].points")
    assert words in err.message
    assert str(err).startswith(f"{path}:{line}:")


def _csv(ps) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.answer_key_csv(ps))))


def _part_points_on_sheet(tex: str) -> list[str]:
    return re.findall(r"^\\part .*\\hfill\\emph\{\(([\d.]+)~points?\)\}$", tex, flags=re.M)


@pytest.fixture(scope="module")
def bank():
    return load_bank(environ={})


def test_one_point_over_three_parts_shows_no_thirds(bank):
    # adam-step asks m, v and w: 1 point does not split into whole or half points
    spec = from_flags(templates=["adam-step", "hinge-loss"], points=1)
    ps = build(bank, spec, 4, numbered_variants(4, 3), "test")
    sheets = latex.document(ps, "") + latex.document(ps, "full") + latex.answer_key(ps)
    assert "0.333" not in sheets and "0.33" not in markdown.questions(ps) + markdown.answers(ps)
    # the sheet: adam-step's parts carry no points, hinge-loss's two parts half a point each
    assert _part_points_on_sheet(latex.document(ps, "")) == ["0.5", "0.5"] * 3
    assert r"\question[1]" in latex.document(ps, "")
    # the key has the question's point once, on its first part
    assert latex.answer_key(ps).count(r"& 1 for (a)--(c)\\") == 3
    # the Markdown key too: the question's point once, on its first part, and half points per part
    md_rows = [line for line in markdown.answers(ps).splitlines() if line.startswith("| 1 |")]
    assert [row.rsplit("|", 2)[1].strip() for row in md_rows[:3]] == ["1 for (a)–(c)", "", ""]
    rows = _csv(ps)
    assert len(rows) == 3 * 5
    # thirds to four decimals by largest remainder (ties to the first part): 0.3334 + 0.3333 + 0.3333 = 1
    adam = [r["points"] for r in rows if r["template"] == "adam-step"]
    assert adam == ["0.3334", "0.3333", "0.3333"] * 3
    assert sum(Fraction(r["points"]) for r in rows) == 3 * 2  # exactly, in decimals
    assert [r["points"] for r in rows if r["template"] == "hinge-loss"] == ["0.5"] * 6


def test_five_points_over_three_parts_are_two_two_one(bank):
    spec = from_flags(templates=["adam-step"], points=5)
    ps = build(bank, spec, 4, numbered_variants(4, 2), "test")
    assert _part_points_on_sheet(latex.document(ps, "")) == ["2", "2", "1"] * 2
    md = re.findall(r"^\([abc]\) .* \((\d) points?\)$", markdown.questions(ps), flags=re.M)
    assert md == ["2", "2", "1"] * 2
    assert [r["points"] for r in _csv(ps)] == ["2", "2", "1"] * 2
    assert sum(float(r["points"]) for r in _csv(ps)) == 10  # 2 variants of 5 points: each a total of 5
    # Moodle: whole-number blank weights; a part's blanks together weigh as its points (2:2:1)
    for v in ps.variants:
        q = v.questions[0]
        weights = moodle.blank_weights(q)
        assert all(isinstance(w, int) and w >= 1 for w in weights)
        per_part = [w * moodle.blank_count(p) for w, p in zip(weights, q.parts)]
        assert per_part[0] == per_part[1] == 2 * per_part[2]


def test_template_weights_share_the_question_points(bank, tmp_path):
    path, _ = _weighted(tmp_path, "2")
    weighted = load_bank([path.parent], environ={}, skip_broken=False)
    ps = build(weighted, from_flags(templates=["hinge-weighted"], points=3), 2, numbered_variants(2, 2), "test")
    # 3 points over weights 2:1 -> 2 and 1, with "point" for one
    sheet = latex.document(ps, "")
    assert re.findall(r"^\\part the loss L \\hfill\\emph\{\(2~points\)\}$", sheet, flags=re.M)
    assert len(re.findall(r"\\hfill\\emph\{\(1~point\)\}$", sheet, flags=re.M)) == 2
    assert [r["points"] for r in _csv(ps)] == ["2", "1"] * 2
    q = ps.variants[0].questions[0]
    assert q.to_dict()["parts"][0]["points"] == 2 and q.to_dict()["parts"][1]["points"] == 1
    # 1.5 points over weights 2:1: 1.5 is no whole number; 3 halves, exactly 2 and 1 of them
    ps = build(weighted, from_flags(templates=["hinge-weighted"], points=1.5), 2, numbered_variants(2, 1), "test")
    assert _part_points_on_sheet(latex.document(ps, "")) == ["1", "0.5"]
    assert r"\renewcommand{\qpoints}{1.5~points}" in latex.document(ps, "")  # the question's head: not 0
    assert [r["points"] for r in _csv(ps)] == ["1", "0.5"]
