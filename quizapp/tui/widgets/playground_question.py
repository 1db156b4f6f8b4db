"""A question about what the playground shows: options, the verdict, and the runs that answer it.

The dialog is given a built :class:`~quizapp.playground.questions.PlaygroundQuestion` (building
one trains networks: the screen does that in a worker). After an answer it shows the explanation
and offers each run of it; choosing "Show run N" closes the dialog with that run, so the screen
can replay it where the student can watch it.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, OptionList, Static
from textual.widgets.option_list import Option

from quizapp.playground.questions import PlaygroundQuestion, Run
from quizapp.tui.display import BAD, OK

LETTERS = "ABCDEFGH"


class QuestionDialog(ModalScreen[Run | None]):
    """Dismissed with the run to replay, or None."""

    BINDINGS = [Binding("escape", "close", "Close")] + [
        Binding(letter.lower(), f"answer({i})", show=False) for i, letter in enumerate(LETTERS[:4])
    ]

    def __init__(self, question: PlaygroundQuestion) -> None:
        super().__init__()
        self.question = question
        self.chosen: int | None = None

    def compose(self) -> ComposeResult:
        q = self.question
        with VerticalScroll(id="pg-q-box"):
            yield Label("Question: answer it from what you know, then watch the runs", id="pg-q-title")
            yield Static(q.prompt, id="pg-q-prompt")
            yield OptionList(*[Option(f"{LETTERS[i]}. {text}", id=str(i)) for i, text in enumerate(q.options)],
                             id="pg-q-options")
            yield Static(id="pg-q-verdict", classes="pg-q-after")
            yield Static(id="pg-q-explanation", classes="pg-q-after")
            with Horizontal(id="pg-q-buttons"):
                for i in range(len(q.runs)):
                    yield Button(f"Show run {i + 1}", id=f"pg-q-run-{i}", compact=True, classes="pg-q-run pg-q-after")
                yield Button("Close", id="pg-q-close", compact=True, variant="primary")

    def on_mount(self) -> None:
        for widget in self.query(".pg-q-after"):
            widget.display = False
        self.query_one("#pg-q-options", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_answer(int(event.option.id or 0))

    def action_answer(self, index: int) -> None:
        """Grade option ``index`` (once) and show why."""
        q = self.question
        if self.chosen is not None or index >= len(q.options):
            return
        self.chosen = index
        options = self.query_one("#pg-q-options", OptionList)
        options.highlighted = index
        options.disabled = True
        if q.is_correct(index):
            verdict = Text(f"✓ Correct: {q.answer_key}.", style=f"bold {OK}")
        else:
            verdict = Text(f"✗ Not quite: the answer is {q.answer_key}. {q.options[q.answer]}", style=f"bold {BAD}")
        verdict_view = self.query_one("#pg-q-verdict", Static)
        verdict_view.update(verdict)
        self.query_one("#pg-q-explanation", Static).update(Text(q.explanation))
        for widget in self.query(".pg-q-after"):
            widget.display = True
        self.query_one(".pg-q-run", Button).focus(scroll_visible=False)
        # once laid out, bring the verdict to the top: the explanation follows it
        self.call_after_refresh(verdict_view.scroll_visible, top=True, animate=False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        button_id = event.button.id or ""
        if button_id.startswith("pg-q-run-"):
            self.dismiss(self.question.runs[int(button_id.rsplit("-", 1)[1])])
        else:
            self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
