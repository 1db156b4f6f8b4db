"""A worked solution step by step, and the verdict on each answered part."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from question_bank.render import markup
from quizapp.tui.display import BAD, OK, VALUE, WARN, answer_text, value_text
from quizapp.tui.widgets.answer import part_caption
from quizapp.tui.widgets.hanging import Hanging

if TYPE_CHECKING:
    from question_bank.question import Question
    from quizapp.grading import GradeResult, PartResult
    from solvers.steps import NodeRecord as GradNode
    from solvers.steps import Step


def _indent(text: str, by: str) -> str:
    return text.replace("\n", "\n" + by)


def steps_text(steps: Sequence[Step]) -> Text:
    """Each step: what it is, the formula, the numbers put in, and the value."""
    out = Text()
    for n, step in enumerate(steps, start=1):
        if n > 1:
            out.append("\n")
        out.append(f"{n}. ", style="dim")
        out.append(step.label, style="bold")  # in words: the step's internal name is never shown
        if step.given:
            out.append("  (your value)", style=f"{WARN}")
        out.append("\n")
        value = value_text(step.value)
        if step.formula:
            out.append(f"   {step.formula}\n", style="italic")
            if step.substituted:
                out.append(f"      = {_indent(step.substituted, '        ')}\n")
            out.append(f"      = {_indent(value, '        ')}", style=f"{VALUE}")
        else:
            out.append(f"   {_indent(value, '   ')}", style=f"{VALUE}")
    return out


def part_verdict(question: Question, index: int, result: PartResult) -> Text:
    """✓/✗, what was written, what was expected, and why it is wrong when we can tell."""
    part = question.template.part(result.name)
    out = Text()
    mark, style = ("✓ ", f"bold {OK}") if result.correct else ("✗ ", f"bold {BAD}")
    out.append(mark, style=style)
    out.append(part_caption(question, part, index), style="bold")
    given = "(no answer)" if result.text is None else answer_text(question, result.name, result.given)
    if result.text is not None and result.given is None:
        given = result.text
    if result.correct and not result.carried_forward and "\n" not in given:
        # A right part takes one line, so the worked solution starts on the first screen.
        out.append(": ", style="bold")
        out.append(given + "\n")
        return out
    out.append("\n")
    out.append("   you wrote: ", style="dim")
    out.append(_indent(given, "              ") + "\n")
    if not result.correct or result.carried_forward:
        out.append("   expected:  ", style="dim")
        out.append(_indent(answer_text(question, result.name, result.expected), "              ") + "\n",
                   style=f"{VALUE}")
    if result.carried_forward:
        out.append("   ↪ right, given your earlier answer (error carried forward)\n", style=f"{WARN}")
    if result.message and result.text is not None:
        out.append("   " + result.message.splitlines()[0] + "\n", style=f"{BAD}")
    if result.diagnosis is not None:
        kind = "Another convention" if result.diagnosis.kind == "convention" else "Mistake"
        out.append(f"   {kind}: ", style=f"bold {WARN}")
        out.append(result.diagnosis.message + "\n")
    if part.type == "choice" and part.options:
        chosen = next((o for o in part.options if o.id == result.given), None)
        if chosen is not None and chosen.why and not result.correct and result.diagnosis is None:
            out.append("   " + markup(chosen.why) + "\n", style="italic")
    return out


def verdict_text(question: Question, result: GradeResult | None, checking: bool = False) -> Text:
    """The verdict on every part (a skipped question shows the expected answers); ``checking``: a check of
    one's own work, where a part left blank is not checked rather than wrong."""
    out = Text()
    if result is None:
        out.append("Skipped.\n", style=f"bold {WARN}")
        for i, part in enumerate(question.parts):
            out.append(part_caption(question, part, i) + "\n", style="bold")
            out.append("   expected:  ", style="dim")
            out.append(_indent(answer_text(question, part.name, question.expected[part.name]), "              ")
                       + "\n", style=f"{VALUE}")
        return out
    # checking one's own work judges the parts given; a quiz, every part
    correct, score = (result.checked_correct, result.checked_score) if checking else (result.correct, result.score)
    head, style = (("Right!", f"bold {OK}") if correct else
                   (f"Partly right ({score:.0%})", f"bold {WARN}") if score > 0 else ("Not right.", f"bold {BAD}"))
    if checking and result.not_checked:
        head += f"  ({len(result.checked)} of {len(question.parts)} parts checked)"
    out.append(head + "\n", style=style)
    for i, part in enumerate(question.parts):
        r = result.parts[part.name]
        if checking and not r.answered:
            out.append("– ", style="dim")
            out.append(part_caption(question, part, i), style="bold")
            out.append(": not given, not checked\n", style="dim")
            continue
        out.append_text(part_verdict(question, i, r))
    return out


def explanation_text(question: Question, result: GradeResult | None,
                     graph: Sequence[GradNode] | None = None, command: str | None = None,
                     checking: bool = False) -> Text:
    """Verdict, the graph (for backprop), the worked solution and the command that reproduces it."""
    from quizapp.tui.widgets.graph import render_graph

    out = verdict_text(question, result, checking)
    if graph:
        out.append("\nComputational graph\n", style="bold underline")
        out.append_text(render_graph(graph))
        out.append("\n")
    out.append("\nWorked solution\n", style="bold underline")
    out.append_text(steps_text(question.solution.steps))
    # the command on a line of its own, so it is copied whole and never broken at 80 columns
    out.append("\n\nThis question at the command line:\n   ", style="dim")
    out.append(command or f"quizapp solve {question.id}", style="bold")
    return out


class ExplanationView(Static):
    """Verdict, worked solution and (for backprop) the graph of one graded question.

    One widget rather than one per section: feedback must appear within 100 ms of submitting,
    and every extra widget costs Textual styling and layout time.
    """

    def __init__(self, question: Question, result: GradeResult | None,
                 graph: Sequence[GradNode] | None = None, command: str | None = None, checking: bool = False,
                 **kwargs) -> None:
        super().__init__(Hanging(explanation_text(question, result, graph, command, checking)), **kwargs)

    def show(self, question: Question, result: GradeResult | None, graph: Sequence[GradNode] | None = None,
             command: str | None = None) -> None:
        self.update(Hanging(explanation_text(question, result, graph, command)))
