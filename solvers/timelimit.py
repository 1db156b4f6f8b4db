"""A wall-clock limit for work that can run long (SymPy's simplify on an odd formula).

On the main thread of a Unix process the limit is a real-time interval timer whose signal
raises :class:`TimeLimitError` inside the running computation. Elsewhere (a worker thread of the
study app, or a platform without ``setitimer``) no timer can interrupt the work, so callers also
bound the size of what they hand to SymPy.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class TimeLimitError(ValueError):
    """The work took longer than its limit (a ValueError, so the CLI shows it as bad input)."""


def _can_interrupt() -> bool:
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        return False
    # An outer limit is already running: it stays in charge (timers do not nest).
    return signal.getitimer(signal.ITIMER_REAL)[0] == 0


@contextmanager
def time_limit(seconds: float, what: str) -> Iterator[None]:
    """Run the body for at most ``seconds``; TimeLimitError naming ``what`` when it runs over."""
    if not _can_interrupt():
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        raise TimeLimitError(f"{what} took longer than {seconds:g} s and was stopped")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
