"""A question's text: its title, the conventions it states, and the prompt with its maths."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

if TYPE_CHECKING:
    from question_bank.question import Question

# Numbers (with a sign when it is not a subtraction) stand out from the words around them.
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e-?\d+)?(?![\w])")


def reflow(text: str) -> str:
    """Prose lines of one paragraph joined, so the terminal wraps them at its own width.

    A maths line keeps its line break: one that starts indented (a matrix row under the first)
    or that is followed by an indented line (a matrix's first row).
    """
    lines = text.splitlines()

    def maths(i: int) -> bool:
        line = lines[i]
        following = lines[i + 1] if i + 1 < len(lines) else ""
        return line[:1].isspace() or following[:1].isspace()

    out: list[str] = []
    for i, line in enumerate(lines):
        if out and line.strip() and out[-1].strip() and not maths(i) and not maths(i - 1):
            out[-1] = out[-1].rstrip() + " " + line.strip()
        else:
            out.append(line)
    return "\n".join(out)


def prompt_text(question: Question, number: int | None = None, total: int | None = None) -> Text:
    """The title (with its position in the quiz), conventions and prompt as styled text."""
    out = Text()
    if number is not None:
        out.append(f"{number}/{total}  " if total else f"{number}  ", style="dim")
    out.append(question.title, style="bold")
    out.append(f"   [{question.template.topic}]", style="dim")
    # The id reproduces the question anywhere: `quizapp solve TEMPLATE:SEED`, a study group's chat...
    out.append(f"\nid {question.id}\n", style="dim")
    for convention in question.conventions:
        out.append("• " + convention + "\n", style="italic")
    out.append("\n")
    body = Text(reflow(question.prompt.rstrip()))
    body.highlight_regex(_NUMBER, "bold")
    out.append_text(body)
    precision = _precision(question)
    if precision:
        out.append("\n" + precision, style="italic")
    return out


def _precision(question: Question) -> str:
    """How precisely to answer ("Give numbers to 3 significant figures."), when the question says."""
    stated = getattr(question, "precision_text", None)
    return stated() if callable(stated) else ""


class QuestionPrompt(Static):
    """The question as the student reads it; matrices keep their rows aligned."""

    def show(self, question: Question, number: int | None = None, total: int | None = None) -> None:
        self.update(prompt_text(question, number, total))
