"""Two cores for the long runs: a forked child does half of the work while this process does the rest.

Every piece of work here is a pure function of its inputs, so the result is the same bytes as a
serial run's. Without ``fork`` (Windows, or a platform that lacks it) or if the child fails, the
parent does the child's half itself.
"""

from __future__ import annotations

import gc
import os
import pickle
from collections.abc import Callable
from typing import TypeVar

MIN_QUESTIONS = 300  # below this a fork costs more than it saves
# About half of the rendering time (the QTI 1.2 package alone is the largest job), and small files: the
# child's files come back through a pipe, so the large ones (GIFT, Markdown, LaTeX) are made here.
CHILD_JOBS = ("qti12", "csv", "anki")

T = TypeVar("T")
U = TypeVar("U")


def both(mine: Callable[[], T], theirs: Callable[[], U], fork: bool = True) -> tuple[T, U]:
    """``(mine(), theirs())``, running ``theirs`` in a forked child when ``fork`` is set and possible."""
    if not fork or not hasattr(os, "fork"):
        return mine(), theirs()
    read_fd, write_fd = os.pipe()
    # Everything made so far (the bank, the records) is long-lived: frozen, the collector of either
    # process no longer walks it (in the child, walking it would also copy every page it touches).
    gc.freeze()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, and leave without running the parent's cleanup
        os.close(read_fd)
        code = 0
        try:
            data = pickle.dumps(theirs(), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(data)
        except BaseException:  # noqa: BLE001 - the parent redoes this half and reports any error
            code = 1
        os._exit(code)
    os.close(write_fd)
    try:
        result = mine()
    finally:
        with os.fdopen(read_fd, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
        gc.unfreeze()
    other = pickle.loads(data) if status == 0 and data else theirs()  # our own child's data: trusted
    return result, other
