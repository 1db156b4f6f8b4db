"""Help (``?`` or F1): the keys, and how to write answers."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Markdown

HELP = """\
**Everywhere**: `F1` (or `?` when not typing) help · `ctrl+p` command palette (commands, templates
such as `adam`, topics) · `F2` light/dark theme · `Esc` back · `ctrl+q` quit (in a quiz it tells
you the quiz is saved). `PgDn`/`PgUp` scroll what is below the screen.
The mouse works on every button, list and table.

**Home**: `p` practice quiz · `e` exam · `r` review what is due · `c` check my work ·
`g` backprop graph · `h` history · `t` training playground · `u` resume the last quiz.
Enter on a topic practises it.

**Questions**: each shows its id (`TEMPLATE:SEED`: `quizapp solve` with it shows the question again).
`Enter` moves to the next answer (on the last one it submits) · `ctrl+s` submit ·
`ctrl+t` hint · `ctrl+n` skip · `Esc` leave (the quiz is saved; resume it later).
After submitting: the verdict, then the worked solution: `PgDn`, `↓` or `End` read on · `n` next.
In an exam: `ctrl+s` save and go on · `ctrl+b` back · `ctrl+f` flag · `ctrl+g` hand in;
click a question's mark at the top to jump to it. The exam clock runs on while the app is closed.

**Check my work**: a check counts in your progress (mastery, streaks, review) only when you tick
"Count this in my progress".

**Playground**: `space` train/pause · `s` step · `r` reset · `a` ask me a question · `c` controls.

**Writing answers** (the line under each input shows how your answer was read):

| kind | examples |
|---|---|
| number | `0.25` `1/4` `e^-2` `sqrt(2)/2` `ln 2` `3.2e-4` |
| vector | `[1, -2, 0.5]` `1 -2 0.5` `(1; 2; 3)` |
| matrix | `1 2; 3 4` `[[1, 2], [3, 4]]` (rows on separate lines work too) |
| choice | click it, or press its letter |
| formula | `2*x*sigmoid(x)` `e^(-x)` `x^2 + 3x` |

`1 -2` is two entries; `1 - 2` and `1-2` are one (-1). Numbers within 0.5% (or 1e-4) count.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,f1", "close", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="help"):
            yield Label("Help", classes="dialog-title")
            with VerticalScroll():
                yield Markdown(HELP)

    def action_close(self) -> None:
        self.dismiss(None)
