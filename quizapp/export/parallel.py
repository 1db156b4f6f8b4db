"""Two cores for the long runs: a forked child works beside this process.

``shared`` hands out numbered pieces (the variants of a set) to whichever process is free; ``both``
runs two fixed jobs (the formats, in two groups). Every piece of work here is a pure function of its
inputs, so the result is the same bytes as a serial run's. Without ``fork`` (Windows, or a platform
that lacks it) or if the child fails, this process does the child's part itself.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import struct
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, TypeVar

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

    def send() -> None:
        os.close(read_fd)
        data = pickle.dumps(theirs(), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_fd, "wb") as pipe:
            pipe.write(data)

    pid = _fork(send)
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


def shared(count: int, work: Callable[[int], U], done: Callable[[int], None] | None = None,
           fork: bool = True) -> list[U]:
    """``[work(i) for i in range(count)]``, the two processes each taking the next ``i`` no one has taken
    yet, so that both finish together however unequal the pieces (``done(i)`` is called here for each
    piece this process makes).

    The numbers wait in a pipe, each read by exactly one process; the child writes each result, as it
    is made, to a file both share, and once this process runs out of numbers it reads back (unpickles)
    what has come in while the child finishes. A file, not a pipe, for the results: the child never
    waits for this process to read. A piece the child took but did not deliver (it failed) is made here.
    """
    made: dict[int, U] = {}

    def make(pieces: Iterable[int]) -> None:
        for i in pieces:
            made[i] = work(i)
            if done:
                done(i)

    results = _shared_file() if fork and hasattr(os, "fork") and count > 1 else None
    if results is None:  # one process does it all
        make(range(count))
        return [made[i] for i in range(count)]
    with results:
        take, numbers = os.pipe()
        # Every number before the fork, in one write that fits any pipe's buffer (4 KiB of numbers at
        # most: a long set hands out runs of consecutive pieces); a read of 4 bytes gets one number.
        run = -(-count // _NUMBERS)
        _write_all(numbers, b"".join(_NUMBER.pack(i) for i in range(0, count, run)))
        os.close(numbers)
        fd = results.fileno()

        def deliver() -> None:
            for i in _taken(take, run, count):
                data = pickle.dumps((i, work(i)), protocol=pickle.HIGHEST_PROTOCOL)
                _write_all(fd, _FRAME.pack(len(data)) + data)

        pid = _fork(deliver)
        try:
            make(_taken(take, run, count))
            theirs, _ = _read_back(fd, pid)  # what a failed child did deliver is whole, and kept
        except BaseException:
            # an error here (or Ctrl-C) ends the command: the child's work is no longer wanted
            _stop(pid)
            raise
        finally:
            os.close(take)
            gc.unfreeze()
    made.update(theirs)
    make([i for i in range(count) if i not in made])  # taken by the child, which failed before it was done
    return [made[i] for i in range(count)]


def _shared_file() -> IO[bytes] | None:
    """A file for the child's results; None without a writable temporary folder."""
    try:
        return tempfile.TemporaryFile()
    except OSError:
        return None


def _fork(child: Callable[[], None]) -> int:
    """A forked child that runs ``child`` and leaves without running this process's cleanup (exit status
    1 if it raised: this process then does or redoes the child's part, and reports any error)."""
    # Everything made so far (the bank, the records) is long-lived: frozen, the collector of either
    # process no longer walks it (in the child, walking it would also copy every page it touches).
    # The caller unfreezes once the child is done.
    gc.freeze()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            child()
        except BaseException:  # noqa: BLE001 - see above
            code = 1
        os._exit(code)
    return pid


def _stop(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
    except (OSError, ChildProcessError):
        pass  # already gone


_NUMBER = struct.Struct("<I")
_NUMBERS = 1024  # at most this many numbers wait in the pipe (4 KiB: below every system's pipe buffer)


def _taken(fd: int, run: int, count: int) -> Iterator[int]:
    """The pieces this process takes from the pipe (each number starts a run of ``run``), until none
    is left."""
    while True:
        data = os.read(fd, _NUMBER.size)
        if len(data) < _NUMBER.size:
            return
        first = _NUMBER.unpack(data)[0]
        yield from range(first, min(first + run, count))


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
