"""The two-process helpers: every piece comes back whole and in order, each made by exactly one
process; a piece the child failed to deliver is made here."""

from __future__ import annotations

import os
import time

import pytest

from quizapp.export import parallel

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def test_every_piece_comes_back_in_order():
    big = [bytes([i % 256]) * (100_000 + i) for i in range(40)]  # larger than a pipe's buffer, many times
    assert parallel.shared(len(big), lambda i: big[i]) == big


def test_both_processes_take_pieces_and_each_piece_is_made_once(tmp_path):
    log = tmp_path / "made"

    def work(i):
        time.sleep(0.02)  # long enough that the child is up before this process has taken them all
        with open(log, "a") as f:  # appends of one short line: whole, from either process
            f.write(f"{i} {os.getpid()}\n")
        return i * i

    done = []
    assert parallel.shared(30, work, done.append) == [i * i for i in range(30)]
    lines = [line.split() for line in log.read_text().splitlines()]
    assert sorted(int(i) for i, _ in lines) == list(range(30))  # each once
    makers = {pid for _, pid in lines}
    assert str(os.getpid()) in makers and len(makers) == 2
    assert sorted(done) == sorted(int(i) for i, pid in lines if pid == str(os.getpid()))


def test_a_piece_the_child_did_not_deliver_is_made_here():
    parent = os.getpid()

    def work(i):
        if os.getpid() != parent:
            raise RuntimeError("the child fails on its first piece")
        return -i

    assert parallel.shared(12, work) == [-i for i in range(12)]


def test_a_long_set_hands_out_runs_of_pieces():
    count = parallel._NUMBERS * 3 + 5
    assert parallel.shared(count, lambda i: i) == list(range(count))


def test_without_fork_one_process_makes_everything():
    assert parallel.shared(3, lambda i: os.getpid(), fork=False) == [os.getpid()] * 3


def test_an_error_here_stops_the_child_and_is_raised(tmp_path):
    parent = os.getpid()
    pids = tmp_path / "child"

    def work(i):
        if os.getpid() == parent:
            raise ValueError("a bad template")
        pids.write_text(str(os.getpid()))
        time.sleep(0.05)
        return i

    with pytest.raises(ValueError, match="a bad template"):
        parallel.shared(200, work)  # the child alone would take 10 s
    if pids.exists():  # the child had started: it is gone now, not working on in the background
        child = int(pids.read_text())
        with pytest.raises(ProcessLookupError):
            os.kill(child, 0)
