"""The two-process helpers: a forked child's items come back whole and in order, or, if the child
fails, this process makes them itself."""

from __future__ import annotations

import os

import pytest

from quizapp.export import parallel

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def test_streamed_items_come_back_in_order_beside_the_parents_result():
    big = [bytes([i]) * (200_000 + i) for i in range(30)]  # larger than a pipe's buffer, several times
    mine, theirs = parallel.streamed(lambda: os.getpid(), lambda: iter(big))
    assert mine == os.getpid()
    assert theirs == big


def test_streamed_items_were_made_in_another_process():
    _, pids = parallel.streamed(lambda: None, lambda: (os.getpid() for _ in range(3)))
    assert len(set(pids)) == 1 and pids[0] != os.getpid()


def test_a_failing_child_is_made_good_here():
    parent = os.getpid()

    def theirs():
        for i in range(5):
            if os.getpid() != parent and i == 3:
                raise RuntimeError("the child fails half-way")
            yield i

    mine, items = parallel.streamed(lambda: "mine", theirs)
    assert (mine, items) == ("mine", [0, 1, 2, 3, 4])


def test_without_fork_both_run_here():
    mine, items = parallel.streamed(lambda: 1, lambda: [os.getpid()], fork=False)
    assert (mine, items) == (1, [os.getpid()])
