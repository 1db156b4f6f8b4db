"""Fixtures for the study-app tests: a small fixed bank, a temporary progress home, a fake clock.

Pilot tests are plain functions that run ``asyncio.run`` (no asyncio plugin needed).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from rich.text import Text

from question_bank.bank import BUILTIN, Bank, load_template

# A fixed handful of built-in templates: new templates elsewhere in the bank must not change
# what these tests and snapshots see.
TEMPLATES = (
    "optimizers/sgd-step.yaml",
    "losses/softmax.yaml",
    "losses/mse.yaml",
    "backprop/concept-residual.yaml",
    "backprop/backprop-sum-product.yaml",
    "normalization/batchnorm.yaml",
)
T0 = datetime(2024, 3, 4, 9, 30, tzinfo=timezone.utc)


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def small_bank() -> Bank:
    bank = Bank()
    for rel in TEMPLATES:
        bank.add(load_template(BUILTIN / rel))
    return bank


@pytest.fixture(scope="session")
def bank() -> Bank:
    return small_bank()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh progress folder, also as QUIZAPP_HOME so nothing can touch the real one."""
    folder = tmp_path / "home"
    monkeypatch.setenv("QUIZAPP_HOME", str(folder))
    return folder


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_app(home: Path, bank: Bank, clock: FakeClock | None = None):
    from quizapp.tui.app import QuizApp

    return QuizApp(home=home, bank=bank, clock=clock or FakeClock(), tz=timezone.utc)


GRADING = ("grade", "check", "hand-in")  # the worker groups that grade answers off the UI thread


async def settle(pilot, pause: Callable[..., Awaitable[None]] | None = None, delay: float | None = None) -> None:
    """Let the screen update, including any answer being graded in a worker and what follows it."""
    step = pause or pilot.pause
    await step(delay)
    for _ in range(3):  # grading, then the feedback it shows, then anything that starts
        running = [w for w in pilot.app.workers if w.group in GRADING and not w.is_finished]
        if not running:
            break
        await pilot.app.workers.wait_for_complete(running)
        await step()
        await step()


def drive(app, scenario: Callable[..., Awaitable[None]], size: tuple[int, int] = (80, 24)) -> None:
    """Run ``scenario(pilot)`` against ``app`` headless at ``size``; ``pilot.pause()`` also waits for
    answers being graded in a worker (see :func:`settle`)."""

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            pause = pilot.pause
            pilot.pause = lambda delay=None: settle(pilot, pause, delay)
            await pilot.pause()
            await scenario(pilot)

    asyncio.run(main())


def text_of(widget) -> str:
    content = widget.content
    return content.plain if isinstance(content, Text) or hasattr(content, "plain") else str(content)


def screen_text(screen) -> str:
    """Everything the Static widgets of ``screen`` show, one block per widget."""
    from textual.widgets import Label, Static

    return "\n".join(text_of(w) for w in screen.query(Static) if isinstance(w, (Static, Label)))


async def type_text(pilot, text: str) -> None:
    await pilot.press(*[{" ": "space"}.get(c, c) for c in text])


async def open_check(pilot, template_id: str, seed: int):
    """Check my work for ``template_id`` at ``seed``, shown and settled; its screen."""
    from quizapp.tui.screens.check import CheckScreen

    await pilot.app.push_screen(CheckScreen(template_id, seed=seed))
    await pilot.pause()
    return pilot.app.screen
