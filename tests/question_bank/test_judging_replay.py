"""The bands' fast paths against their definitions.

A band sums, over every entry of every recorded step, how far rounding that entry moves the answer
(``question_bank/judging.py``). Two shortcuts compute the same numbers with fewer solves, and each is
checked here, for every template of the bank, against the slow way the docstring defines:

- the honest path (every step rounded as it is written down and worked on) in one replayed solve,
  against one solve per step with the earlier steps given rounded;
- the slopes of several entries read from one solve (entries that move no row in common), against
  one solve per entry.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from question_bank import judging, solving
from question_bank.bank import load_bank

BANK = load_bank(environ={})
NUMERIC = [tid for tid in BANK.ids()
           if BANK.get(tid).solver is not None and any(p.type in judging.NUMERIC for p in BANK.get(tid).parts)]
SEEDS = (0, 1, 2)


def _question(template_id: str, seed: int) -> tuple[Any, dict[str, Any], Any]:
    template = BANK.get(template_id)
    q = BANK.instantiate(template_id, seed)
    return template, q.params, solving.run(template, q.params)


def _steps(template: Any, solution: Any) -> list[str]:
    base = judging._numeric_values(template, solution)
    return [n for n in dict.fromkeys(s.name for s in solution.steps) if n in base]


@pytest.mark.parametrize("template_id", NUMERIC)
def test_honest_path_in_one_solve_is_the_stepwise_path(template_id: str) -> None:
    for seed in SEEDS:
        template, params, solution = _question(template_id, seed)
        names = _steps(template, solution)
        for figures in (2, 3):
            fast = judging.honest_path(template, params, names, figures)
            slow = judging.honest_path_stepwise(template, params, names, figures)
            assert list(fast) == list(slow), f"{template_id} seed {seed} at {figures} figures"
            for name in slow:
                np.testing.assert_array_equal(fast[name], slow[name], err_msg=f"{template_id} seed {seed} {name}")


@pytest.mark.parametrize("template_id", NUMERIC)
def test_slopes_read_in_groups_are_the_slopes_of_one_entry_at_a_time(template_id: str) -> None:
    for seed in SEEDS:
        template, params, solution = _question(template_id, seed)
        inf = judging.influence(template, params, solution)
        frame = judging._Frame.of(template, params, inf.base)
        one_by_one = [((name, index), slope) for name in _steps(template, solution)
                      for index, slope in judging._each(frame, name)]
        assert [c for c, _ in one_by_one] == inf.columns, f"{template_id} seed {seed}"
        for k, (column, slope) in enumerate(one_by_one):
            np.testing.assert_allclose(inf.slopes[:, k], slope, rtol=1e-6, atol=1e-12,
                                       err_msg=f"{template_id} seed {seed}, {column}")


def test_a_pattern_that_does_not_hold_falls_back_to_one_entry_at_a_time() -> None:
    """Layer norm's deviations of one row all move that row's variance: a pattern that claims they
    move nothing in common is caught (by the rows no member claims, or by the all-at-once check)."""
    template, params, solution = _question("layernorm", 0)
    frame = judging._Frame.of(template, params, judging._numeric_values(template, solution))
    dev = frame.base["dev"]
    honest = {index: np.flatnonzero(slope) for index, slope in judging._each(frame, "dev")}
    read = judging._grouped(frame, "dev", judging.StepPattern.of(dev.shape, honest))
    assert isinstance(read, dict)
    assert judging._all_agree(frame, {"dev": read})
    assert judging._agrees(frame, "dev", dev, read, frame.itself("dev"))
    own_row_only = {index: rows[:1] for index, rows in honest.items()}
    assert judging._grouped(frame, "dev", judging.StepPattern.of(dev.shape, own_row_only)) is None
    # claims of the right rows, but each entry's moves of the shared rows given to the first entry
    shared = judging.StepPattern.of(dev.shape, {index: rows if index == (0, 0) else rows[:1]
                                                for index, rows in honest.items()})
    assert len(shared.groups) < dev.size
    assert judging._grouped(frame, "dev", shared) is None


def test_the_all_at_once_check_catches_slopes_given_to_the_wrong_entry():
    """What a wrong grouping reads: two entries' moves of a row added up and given to one of them."""
    template, params, solution = _question("layernorm", 0)
    frame = judging._Frame.of(template, params, judging._numeric_values(template, solution))
    # signed slopes, one entry at a time (_each gives their sizes)
    signed = {index: _signed(frame, "dev", index) for index in np.ndindex(frame.base["dev"].shape)}
    first, second = list(signed)[:2]
    shared = np.flatnonzero((signed[first] != 0) & (signed[second] != 0))
    assert shared.size  # both deviations of a row move that row's variance
    assert judging._all_agree(frame, {"dev": signed})
    misread = {index: s.copy() for index, s in signed.items()}
    misread[first][shared] += misread[second][shared]
    misread[second][shared] = 0.0
    assert not judging._all_agree(frame, {"dev": misread})
    assert not judging._agrees(frame, "dev", frame.base["dev"], misread, frame.itself("dev"))


def _signed(frame: Any, name: str, index: tuple[int, ...]) -> np.ndarray:
    nudge = judging._nudge(float(frame.base[name][index]))
    return judging._delta(frame, name, {index: nudge}, frame.itself(name)) / nudge


def test_a_step_that_moves_nothing_needs_no_solve_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    template, params, solution = _question("layernorm", 0)
    frame = judging._Frame.of(template, params, judging._numeric_values(template, solution))
    solves = []
    original = judging._Frame.moved

    def counted(self: Any, name: str, nudges: Any) -> Any:
        solves.append(name)
        return original(self, name, nudges)

    monkeypatch.setattr(judging._Frame, "moved", counted)
    read = judging._grouped(frame, "out", judging.StepPattern.of(frame.base["out"].shape, {}))
    assert solves == [] and read and not any(slope.any() for slope in read.values())
    assert judging._all_agree(frame, {"out": read})  # checked with the others, in one solve
    assert judging._each(frame, "out") == []
