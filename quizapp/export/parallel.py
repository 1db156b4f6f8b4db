"""Two cores for the long runs: a forked child does half of the work while this process does the rest.

Every piece of work here is a pure function of its inputs, so the result is the same bytes as a
serial run's. Without ``fork`` (Windows, or a platform that lacks it) or if the child fails, the
parent does the child's half itself.
"""

from __future__ import annotations

import gc
import os
import pickle
import struct
import tempfile
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

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


def streamed(mine: Callable[[], T], theirs: Callable[[], Iterable[U]], fork: bool = True) -> tuple[T, list[U]]:
    """``(mine(), list(theirs()))``, the items of ``theirs`` made in a forked child and written one by
    one, as they are made, to a file both processes share. Once ``mine`` is done this process reads
    back (unpickles) what has come in while the child makes the rest: reading back the child's half
    then costs little time beyond the child's own. A file, not a pipe: the child never waits for this
    process to read, and nothing here runs beside ``mine`` to compete with it."""
    if not fork or not hasattr(os, "fork"):
        return mine(), list(theirs())
    try:
        shared = tempfile.TemporaryFile()
    except OSError:  # no writable temporary folder: one process does both
        return mine(), list(theirs())
    with shared:
        fd = shared.fileno()
        gc.freeze()  # as in both()
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                for item in theirs():
                    data = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
                    _write_all(fd, _FRAME.pack(len(data)) + data)
            except BaseException:  # noqa: BLE001 - the parent redoes this half and reports any error
                code = 1
            os._exit(code)
        try:
            result = mine()
            items, status = _read_back(fd, pid)
        finally:
            gc.unfreeze()
    return result, items if status == 0 else list(theirs())


_FRAME = struct.Struct("<Q")  # each item: its length, then its pickle
_POLL = 0.002  # seconds between looks at the shared file while the child is still writing


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _read_back(fd: int, pid: int) -> tuple[list[Any], int]:
    """Every item the child wrote (read at our own offsets: the file's shared offset is the child's),
    and the child's exit status once it is done."""
    items: list[Any] = []
    offset, status = 0, None
    while True:
        head = os.pread(fd, _FRAME.size, offset)
        if len(head) == _FRAME.size:
            (size,) = _FRAME.unpack(head)
            body = os.pread(fd, size, offset + _FRAME.size)
            if len(body) == size:
                items.append(pickle.loads(body))  # our own child's data: trusted
                offset += _FRAME.size + size
                continue
        if status is not None:
            return items, status
        done, code = os.waitpid(pid, os.WNOHANG)
        if done:
            status = code  # one more pass reads what it wrote last
        else:
            time.sleep(_POLL)
