"""Where a playground run stands: running or paused, step and epoch, losses and accuracies, and
the training and test loss curves as sparklines (each scaled to its own range; the numbers beside
them compare the two)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from quizapp.playground.render import sparkline
from quizapp.playground.session import State
from quizapp.tui.display import BAD, OK, VALUE

TRAIN_STYLE, TEST_STYLE = f"bold {VALUE}", ""  # mid-tone and the text colour: both themes


def status_text(state: State, running: bool, note: str = "") -> Text:
    """One line: ▶/⏸, step and epoch (and why the run stopped, if it diverged)."""
    text = Text("▶ Training" if running else "⏸ Paused", style=f"bold {OK}" if running else "bold")
    text.append(f" · step {state.step} · epoch {state.epoch:.1f}")
    if state.diverged:
        text.append("\n✗ Diverged: the loss is no longer a number. Lower the rate and reset.", style=f"bold {BAD}")
    if note:
        text.append("\n" + note, style="italic")
    return text


def curve_lines(state: State, width: int) -> Text:
    """Training and test loss and accuracy, then the loss curve from step 0."""
    curve_width = max(1, width - 27)
    text = Text()
    for i, (name, values, accuracy, style) in enumerate((
        ("Train", state.train_losses, state.train_accuracy, TRAIN_STYLE),
        ("Test", state.test_losses, state.test_accuracy, TEST_STYLE),
    )):
        if i:
            text.append("\n")
        text.append(f"{name:<5} loss {values[-1]:6.3f} acc {accuracy:4.0%} ", style=style)
        text.append(sparkline(values, curve_width), style=style)
    return text


class TrainingStats(Static):
    """Status line and loss curves; :meth:`show` redraws them for a new state."""


    def show(self, state: State, running: bool, note: str = "") -> None:
        width = max(20, self.size.width - 2)
        text = status_text(state, running, note)
        text.append("\n")
        text.append_text(curve_lines(state, width))
        self.update(text)
