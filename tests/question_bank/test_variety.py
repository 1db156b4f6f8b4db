"""Issue 14, item 8: the widened templates give at least 200 distinct questions over 500 seeds."""

from __future__ import annotations

import pytest

from question_bank.bank import load_bank

BANK = load_bank(environ={})


@pytest.mark.parametrize("template_id", ["derivative", "critical-point", "one-hot"])
def test_at_least_200_distinct_questions(template_id: str):
    texts = {BANK.instantiate(template_id, seed).text() for seed in range(500)}
    assert len(texts) >= 200, f"{template_id}: {len(texts)} distinct questions"


def test_critical_point_asks_every_kind_of_point():
    kinds = {BANK.instantiate("critical-point", seed).expected["classification"] for seed in range(200)}
    assert kinds == {"minimum", "maximum", "saddle", "inconclusive"}
