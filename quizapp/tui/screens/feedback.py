"""Feedback on one question: right or wrong per part, the expected answer, the diagnosis, the
worked solution step by step, and for backprop questions the computational graph."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Rule

from quizapp.tui.graphs import question_graph
from quizapp.tui.session import QuizSession
from quizapp.tui.widgets.prompt import QuestionPrompt
from quizapp.tui.widgets.solution import ExplanationView


class FeedbackScreen(Screen[str]):
    """Dismissed with "next" (carry on) or "leave" (leave the quiz); from results, "back"."""

    BINDINGS = [
        Binding("enter,n", "next", "Next"),
        Binding("escape", "leave", "Leave quiz"),
        Binding("up", "scroll_up", "Scroll", show=False),
        Binding("down", "scroll_down", "Scroll", show=False),
    ]

    def __init__(self, session: QuizSession, index: int, in_quiz: bool = False, last: bool = False) -> None:
        super().__init__()
        self.session = session
        self.index = index
        self.in_quiz = in_quiz
        self.last = last

    def compose(self) -> ComposeResult:
        question = self.session.question(self.index)
        result = self.session.result(self.index)
        prompt = QuestionPrompt(id="feedback-prompt")
        prompt.show(question, self.index + 1, self.session.count)
        yield Header()
        with VerticalScroll(id="feedback-body"):
            yield prompt
            yield Rule()
            yield ExplanationView(question, result, question_graph(question), id="explanation")
        with Horizontal(classes="buttons"):
            if self.in_quiz:
                yield Button("See results" if self.last else "Next question", variant="primary", id="next",
                             compact=True)
                yield Button("Leave quiz", id="leave", compact=True)
            else:
                yield Button("Back", variant="primary", id="next", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"Question {self.index + 1} of {self.session.count}"
        self.query_one("#next", Button).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "leave":
            return self.in_quiz
        return True

    def action_next(self) -> None:
        self.dismiss("next" if self.in_quiz else "back")

    def action_leave(self) -> None:
        self.dismiss("leave" if self.in_quiz else "back")

    def action_scroll_up(self) -> None:
        self.query_one("#feedback-body", VerticalScroll).scroll_up()

    def action_scroll_down(self) -> None:
        self.query_one("#feedback-body", VerticalScroll).scroll_down()

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        await self.run_action(event.button.id or "")
