"""Answer inputs: one per part, each with a live preview of how the answer was read.

The preview reads the text exactly as the grader will (``quizapp.grading.compare.read``), so what
the student sees under the input is what gets graded, or the parser's message with a caret.
Choice parts are a list of options chosen by click, Enter, or the option's letter.
"""

from __future__ import annotations

import string
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.events import Key
from textual.message import Message
from textual.widgets import Input, Label, OptionList, Static

from quizapp.tui.display import BAD, OK, WARN, kind_hint, value_text
from quizapp.tui.widgets.hanging import Hanging

if TYPE_CHECKING:
    from question_bank.question import Question
    from question_bank.schema import PartSpec


def preview(question: Question, part: PartSpec, text: str) -> Text:
    """How ``text`` reads as an answer to ``part``: the value, or why it cannot be read."""
    if not text.strip():
        return Text(kind_hint(part, question.expected.get(part.name)), style="dim italic")
    from quizapp.grading import read, targets

    target = targets(question)[part.name]
    try:
        value = read(target, text, question)
    except (ValueError, ArithmeticError, RecursionError) as exc:
        lines = str(exc).splitlines() or ["cannot read this"]
        out = Text("✗ " + lines[0], style=f"{BAD}")
        for extra in lines[1:]:
            out.append("\n" + extra, style="dim")
        return out
    return Text("→ " + _shown(value), style=f"{OK}")


def _shown(value: Any) -> str:
    if isinstance(value, (str, int, float)) or hasattr(value, "shape"):
        text = value_text(value, digits=6)
    else:  # a formula tree
        from solvers.expr import to_text

        text = to_text(value)
    return text.replace("\n", "\n  ")


def part_caption(question: Question, part: PartSpec, index: int) -> str:
    return question.caption(part, "Your answer")


def handed_back_text(message: str) -> Text:
    """Why an answer came back ungraded: it is not a miss, just something to fix."""
    sentence = message.rstrip() if message.rstrip().endswith((".", "!", "?")) else message.rstrip() + "."
    return Text("↩ Not graded: " + sentence + " Fix it and submit again.", style=f"bold {WARN}")


class _PartField(Vertical):
    """What both kinds of field share: the part's label follows the question's numbers."""

    question: Question
    part: PartSpec
    index: int

    def show_question(self, question: Question) -> None:
        """The same part of ``question`` (new numbers typed): the label says them."""
        self.question = question
        self.query_one(".part-label", Label).update(part_caption(question, self.part, self.index))

    def hand_back(self, message: str) -> None:
        """Show why this part was handed back ungraded; the text typed stays."""
        self.query_one(".preview", Static).update(handed_back_text(message))


class AnswerField(_PartField):
    """One answer part: its label, an input, and the live preview under it."""

    class Entered(Message):
        """Enter was pressed in this field."""

        def __init__(self, field: AnswerField) -> None:
            super().__init__()
            self.field = field

    def __init__(self, question: Question, part: PartSpec, index: int, value: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.question = question
        self.part = part
        self.index = index
        self._initial = value

    def compose(self) -> ComposeResult:
        yield Label(part_caption(self.question, self.part, self.index), classes="part-label")
        yield Input(self._initial, placeholder="your answer", compact=True, id=f"input-{self.part.name}")
        yield Static(preview(self.question, self.part, self._initial), classes="preview")

    @property
    def value(self) -> str:
        return self.query_one(Input).value

    def set_value(self, text: str) -> None:
        self.query_one(Input).value = text

    def focus_input(self) -> None:
        self.query_one(Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.query_one(".preview", Static).update(preview(self.question, self.part, event.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Entered(self))


class _Options(OptionList):
    """An option list that also picks an option by its letter."""

    BINDINGS = [Binding("space", "select", "Choose", show=False)]

    def on_key(self, event: Key) -> None:
        if event.character and len(event.character) == 1 and event.character.isalpha():
            index = string.ascii_lowercase.find(event.character.lower())
            if 0 <= index < self.option_count:
                event.stop()
                self.highlighted = index
                self.action_select()


class ChoiceField(_PartField):
    """A multiple-choice part: the options, the one chosen marked ●."""

    class Entered(Message):
        def __init__(self, field: ChoiceField) -> None:
            super().__init__()
            self.field = field

    def __init__(self, question: Question, part: PartSpec, index: int, value: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.question = question
        self.part = part
        self.index = index
        self.options = question.options(part)
        letters = [letter for letter, _ in self.options]
        self.chosen: int | None = letters.index(value.upper()) if value.upper() in letters else None

    def compose(self) -> ComposeResult:
        yield Label(part_caption(self.question, self.part, self.index), classes="part-label")
        yield _Options(*self._prompts(), id=f"input-{self.part.name}")
        yield Static(self._preview(), classes="preview")

    def _prompts(self) -> list[Hanging]:
        out = []
        for i, (letter, opt) in enumerate(self.options):
            mark = f"{'●' if i == self.chosen else '○'} {letter}) "
            text = Text(mark + opt.text, style="bold" if i == self.chosen else "")
            out.append(Hanging(text, lead=cell_len(mark)))  # a long option wraps under its text
        return out

    def _preview(self) -> Text:
        if self.chosen is None:
            return Text(kind_hint(self.part, None), style="dim italic")
        return Text(f"→ {self.options[self.chosen][0]}", style=f"{OK}")

    @property
    def value(self) -> str:
        return "" if self.chosen is None else self.options[self.chosen][0]

    def set_value(self, text: str) -> None:
        letters = [letter for letter, _ in self.options]
        self.chosen = letters.index(text.upper()) if text.upper() in letters else None
        self._refresh()

    def focus_input(self) -> None:
        self.query_one(OptionList).focus()

    def _refresh(self) -> None:
        options = self.query_one(OptionList)
        for i, prompt in enumerate(self._prompts()):
            options.replace_option_prompt_at_index(i, prompt)
        self.query_one(".preview", Static).update(self._preview())

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.chosen = event.option_index
        self._refresh()
        self.post_message(self.Entered(self))


Field = AnswerField | ChoiceField


def make_field(question: Question, part: PartSpec, index: int, value: str = "") -> Field:
    if part.type == "choice" and part.options:
        return ChoiceField(question, part, index, value, id=f"field-{part.name}")
    return AnswerField(question, part, index, value, id=f"field-{part.name}")
