"""Work budgets: how much a piece of code does, counted, instead of how long it takes.

A wall-clock limit fails at random on a loaded CI machine; a count of function calls is the same
on every machine and every run, and still catches what a "fails fast" test is after: input that
makes a parser loop, recurse or compute without bound. Speed itself is measured in benchmarks/.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any


def calls(fn: Callable[[], Any]) -> tuple[int, Any]:
    """(number of Python and built-in function calls made while ``fn()`` ran, its result or the
    exception it raised). The exception is returned, not raised, so that a test can check both."""
    count = 0

    def profile(frame: Any, event: str, arg: Any) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        result: Any = fn()
    except Exception as exc:  # noqa: BLE001 - handed to the test, which checks its type
        result = exc
    finally:
        sys.setprofile(previous)
    return count, result


def within(budget: int, fn: Callable[[], Any]) -> Any:
    """Run ``fn`` and assert that it made at most ``budget`` calls; return what ``calls`` returns."""
    count, result = calls(fn)
    assert count <= budget, f"{count:,} calls, over the budget of {budget:,}"
    return result


def reading_budget(text: str, length_limit: int) -> int:
    """The calls a parser may make on ``text``: about what reading it up to the length limit costs
    (our parsers take some 20 calls a character), so input is read once and refused without
    looping, backtracking or computing; text over the limit must be refused before it is read."""
    return 500 + 25 * min(len(text), length_limit)
