"""Exam specs, rosters, template selection, seed derivation and all-or-nothing writing."""

from __future__ import annotations

import hashlib
import random
import textwrap

import pytest

from question_bank.bank import load_bank
from quizapp.export.build import derive_seed, numbered_variants, plan, roster_variants
from quizapp.export.roster import read_roster
from quizapp.export.spec import SpecError, from_flags, load_spec
from quizapp.export.writer import OutputError, write_files


@pytest.fixture(scope="module")
def bank():
    return load_bank()


def spec_file(tmp_path, text):
    path = tmp_path / "exam.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


GOOD = """\
    title: Midterm practice
    seed: 2024
    sections:
      - title: Optimizers
        templates: [adam-step, momentum-step]
        points: 5
      - title: Losses
        topics: [losses]
        difficulty: "1-1"
        count: 2
        points: 2.5
        multiple_choice: true
    """


def test_a_spec_file_is_read_into_sections(tmp_path):
    spec = load_spec(spec_file(tmp_path, GOOD))
    assert spec.title == "Midterm practice" and spec.seed == 2024
    first, second = spec.sections
    assert first.templates == ("adam-step", "momentum-step") and first.points == 5 and not first.multiple_choice
    assert second.topics == ("losses",) and second.difficulty == (1, 1) and second.count == 2
    assert second.points == 2.5 and second.multiple_choice


def test_plan_follows_the_spec(tmp_path, bank):
    spec = load_spec(spec_file(tmp_path, GOOD))
    slots = plan(spec, bank, 2024)
    assert [s.template for s in slots[:2]] == ["adam-step", "momentum-step"]
    easy_losses = {t.id for t in bank.by_topic("losses") if t.difficulty == 1}
    assert len(slots) == 4 and {s.template for s in slots[2:]} <= easy_losses
    assert len({s.template for s in slots[2:]}) == 2
    assert [s.number for s in slots] == [1, 2, 3, 4]
    assert [s.points for s in slots] == [5, 5, 2.5, 2.5]
    assert plan(spec, bank, 2024) == slots  # the same seed, the same choice


def test_count_above_the_pool_repeats_templates_and_below_samples_it(bank):
    chosen = [s.template for s in plan(from_flags(templates=["sgd-step", "mse"], count=5), bank, 1)]
    assert len(chosen) == 5 and sorted(chosen.count(t) for t in ("sgd-step", "mse")) == [2, 3]
    pool = [t.id for t in bank.by_topic("optimizers")]
    picks = {tuple(s.template for s in plan(from_flags(topics=["optimizers"], count=3), bank, seed))
             for seed in range(12)}
    assert len(picks) > 1  # another seed, another sample
    for pick in picks:
        assert len(set(pick)) == 3 and list(pick) == sorted(pick, key=pool.index)


@pytest.mark.parametrize("text, where, message", [
    ("sections: []\n", "exam.yaml:1: sections", "non-empty list"),
    ("title: T\nsection:\n  - templates: [sgd-step]\n", "exam.yaml:2: section", "did you mean 'sections'"),
    ("sections:\n  - templates: [sgd-step]\n    count: two\n", "exam.yaml:3: sections[0].count", "whole number"),
    ("sections:\n  - templates: [sgd-step]\n    difficulty: 5\n", "exam.yaml:3: sections[0].difficulty",
     "difficulty from 1 to 3"),
    ("sections:\n  - title: nothing\n", "exam.yaml:2: sections[0]", "needs 'templates' or 'topics'"),
    ("sections:\n  - templates: [sgd-step]\n    points: -1\n", "exam.yaml:3: sections[0].points", "positive"),
    ("sections:\n  - templates: [sgd-step\n", "exam.yaml:", "invalid YAML"),
    ("seed: 1.5\nsections:\n  - templates: [sgd-step]\n", "exam.yaml:1: seed", "whole number"),
])
def test_a_bad_spec_names_the_file_line_and_field(tmp_path, text, where, message):
    with pytest.raises(SpecError) as err:
        load_spec(spec_file(tmp_path, text))
    assert str(err.value).startswith(str(tmp_path / where)) and message in str(err.value)


def test_an_unknown_template_or_topic_names_its_line_and_the_closest_ids(tmp_path, bank):
    text = "sections:\n  - templates:\n      - sgd-step\n      - adam-stp\n"
    with pytest.raises(SpecError) as err:
        plan(load_spec(spec_file(tmp_path, text)), bank, 0)
    assert f"{tmp_path / 'exam.yaml'}:4: sections[0].templates[1]: unknown template 'adam-stp'" in str(err.value)
    assert "did you mean adam-step" in str(err.value)
    with pytest.raises(SpecError, match="unknown topic 'optimisers'; did you mean optimizers"):
        plan(from_flags(topics=["optimisers"]), bank, 0)
    with pytest.raises(SpecError, match="no template matches"):
        plan(from_flags(topics=["knn"], difficulty="3"), bank, 0)


def test_flags_need_a_choice_of_questions():
    with pytest.raises(SpecError, match="--template ID, --topic T or --spec FILE"):
        from_flags()
    with pytest.raises(SpecError, match="--difficulty"):
        from_flags(topics=["losses"], difficulty="easy")


# ----- seeds and rosters ---------------------------------------------------------------------------


def test_derived_seeds_are_sha256_of_the_names():
    # Independent of our code: SHA-256 seeds random.Random as question_bank.sampler documents.
    digest = hashlib.sha256(b"quizapp-generate\x007\x00student:s42").digest()
    want = random.Random(int.from_bytes(digest[:16], "little")).randrange(10**9)
    assert derive_seed(7, "student:s42") == want
    assert [k.id for k in numbered_variants(7, 10)] == [f"v{i:02d}" for i in range(1, 11)]
    assert len({k.seed for k in numbered_variants(7, 50)}) == 50


def test_a_students_seed_depends_only_on_the_set_seed_and_their_id():
    few = roster_variants(7, [("s1", "Ann"), ("s2", "Bo")])
    more = roster_variants(7, [("s0", "Zed"), ("s2", "Bo"), ("s1", "Ann")])
    assert {k.id: k.seed for k in few} == {k.id: k.seed for k in more if k.id != "s0"}
    assert roster_variants(8, [("s1", "Ann")])[0].seed != few[0].seed


def test_roster_reads_ids_and_names(tmp_path):
    path = tmp_path / "class.csv"
    path.write_text("Name,Student_ID,email\nAnn Lee,s1,a@x\n\nBo,s2,b@x\n", encoding="utf-8")
    assert read_roster(path) == [("s1", "Ann Lee"), ("s2", "Bo")]


@pytest.mark.parametrize("text, message", [
    ("name,email\nAnn,a@x\n", "class.csv:1: no id column"),
    ("id,name\ns1,Ann\ns1,Bo\n", "class.csv:3: student id 's1' is also on line 2"),
    ("id,name\n,Ann\n", "class.csv:2: no student id"),
    ("id,name\n", "lists no students"),
])
def test_a_bad_roster_names_the_line(tmp_path, text, message):
    path = tmp_path / "class.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        read_roster(path)


# ----- writing -------------------------------------------------------------------------------------


def test_files_are_written_whole_and_temporary_files_never_stay(tmp_path):
    out = tmp_path / "set"
    write_files(out, {"a.md": b"one", "b.json": b"{}"})
    assert (out / "a.md").read_bytes() == b"one" and sorted(p.name for p in out.iterdir()) == ["a.md", "b.json"]
    (out / "c.csv").mkdir()  # a folder where a file should go: renaming over it fails
    with pytest.raises(OutputError, match="cannot write to"):
        write_files(out, {"c.csv": b"x,y", "a.md": b"two"})
    assert sorted(p.name for p in out.iterdir()) == ["a.md", "b.json", "c.csv"]  # no .tmp left behind
    assert (out / "c.csv").is_dir()


def test_an_output_folder_under_a_file_cannot_be_written(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="cannot write to"):
        write_files(blocker / "set", {"a.md": b"one"})
    with pytest.raises(OutputError, match="it is a file"):
        write_files(blocker, {"a.md": b"one"})


def test_the_command_offers_every_export_format():
    from quizapp import export
    from quizapp.commands import generate

    assert generate.FORMATS == export.FORMATS
