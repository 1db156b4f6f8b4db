"""One graded question again, from the results: the prompt, right or wrong per part, the expected
answer, the diagnosis, the worked solution and, for backprop, the computational graph.

(During a quiz the same explanation appears in place on the question screen.)
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header

from quizapp.study.session import QuizSession
from quizapp.tui.graphs import question_graph
from quizapp.tui.widgets.prompt import QuestionPrompt
from quizapp.tui.widgets.solution import ExplanationView


class FeedbackScreen(Screen[None]):
    BINDINGS = [
        Binding("escape,enter", "back", "Back"),
        Binding("left", "other(-1)", "Previous"),
        Binding("right", "other(1)", "Next"),
        Binding("pagedown", "scroll(1)", "More ↓"),
        Binding("pageup", "scroll(-1)", "Up", show=False),
        Binding("end", "scroll_end", show=False),
    ]

    def __init__(self, session: QuizSession, index: int) -> None:
        super().__init__()
        self.session = session
        self.index = index

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="feedback-body"):
            yield QuestionPrompt(id="feedback-prompt")
            yield ExplanationView(*self._explained(), id="explanation")
        with Horizontal(classes="buttons"):
            yield Button("Back", variant="primary", id="back", compact=True)
        yield Footer()

    def _explained(self) -> tuple:
        question = self.session.question(self.index)
        return question, self.session.result(self.index), question_graph(question)

    def on_mount(self) -> None:
        self._show()

    def _show(self) -> None:
        self.sub_title = f"Question {self.index + 1} of {self.session.count}"
        question, result, graph = self._explained()
        self.query_one("#feedback-prompt", QuestionPrompt).show(question, self.index + 1, self.session.count)
        self.query_one("#explanation", ExplanationView).show(question, result, graph)
        self.query_one("#feedback-body", VerticalScroll).scroll_home(animate=False)

    def action_other(self, step: int) -> None:
        """The previous or next question of the quiz."""
        index = self.index + step
        if 0 <= index < self.session.count:
            self.index = index
            self._show()

    def action_scroll(self, pages: int) -> None:
        body = self.query_one("#feedback-body", VerticalScroll)
        (body.scroll_page_down if pages > 0 else body.scroll_page_up)(animate=False)

    def action_scroll_end(self) -> None:
        self.query_one("#feedback-body", VerticalScroll).scroll_end(animate=False)

    def action_back(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_back()
