"""Check my work: pick a template, type the problem's numbers from your sheet and your answers,
and get the verdict, the diagnosis and the worked steps for exactly those numbers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Select, Static

from quizapp.tui.display import BAD
from quizapp.tui.graphs import question_graph
from quizapp.tui.session import new_seed
from quizapp.tui.widgets.answer import AnswerField, ChoiceField, make_field
from quizapp.tui.widgets.prompt import QuestionPrompt
from quizapp.tui.widgets.solution import ExplanationView

if TYPE_CHECKING:
    from question_bank.question import Question
    from question_bank.schema import Template
    from quizapp.grading import GradeResult


def param_text(value: Any) -> str:
    """A parameter as it is typed back: ``[1, -2]``, ``0 -2; 3 1`` for a matrix, ``0.5``."""
    from question_bank.render import number

    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(row, (list, tuple)) for row in value):
            return "; ".join(" ".join(param_text(v) for v in row) for row in value)
        return "[" + ", ".join(param_text(v) for v in value) + "]"
    return number(value)


def shown_params(template: Template) -> list[str]:
    """The parameters a student types: the drawn ones the answers depend on."""
    from quizapp.grading.params import missing_params

    return missing_params(template, ())


class CheckScreen(Screen):
    BINDINGS = [
        Binding("ctrl+s", "check", "Check"),
        Binding("ctrl+r", "new_numbers", "New numbers"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, template_id: str | None = None, seed: int | None = None) -> None:
        super().__init__()
        self.template_id = template_id
        self.seed = new_seed() if seed is None else seed
        self.question: Question | None = None
        self.result: GradeResult | None = None

    def compose(self) -> ComposeResult:
        bank = self.app.bank
        assert bank is not None
        templates = [bank.get(t) for t in bank.ids()]
        templates.sort(key=lambda t: (t.topic, t.title))
        self.template_id = self.template_id or templates[0].id
        yield Header()
        yield Select([(f"{t.topic}: {t.title}", t.id) for t in templates], value=self.template_id,
                     allow_blank=False, compact=True, id="check-template")
        with VerticalScroll(id="check-body"):
            yield QuestionPrompt(id="check-prompt")
            yield Label("The numbers on your sheet", classes="pane-title")
            yield Vertical(id="check-params")
            yield Static(id="check-param-status")
            yield Label("Your answers", classes="pane-title")
            yield Vertical(id="check-fields")
            with Horizontal(classes="buttons"):
                yield Button("Check", variant="primary", id="check", compact=True)
                yield Button("New numbers", id="new_numbers", compact=True)
            yield Vertical(id="check-result")
        yield Footer()

    async def on_mount(self) -> None:
        self.sub_title = "Check my work"
        await self.load_template()

    @property
    def template(self) -> Template:
        assert self.app.bank is not None and self.template_id is not None
        return self.app.bank.get(self.template_id)

    async def load_template(self) -> None:
        """A fresh form for the chosen template, filled with one draw of its numbers."""
        bank = self.app.bank
        assert bank is not None
        self.question = bank.instantiate(self.template.id, self.seed)
        rows = []
        for name in shown_params(self.template):
            rows.append(Horizontal(Label(name, classes="form-label"),
                                   Input(param_text(self.question.params[name]), compact=True, id=f"param-{name}"),
                                   classes="form-row"))
        params = self.query_one("#check-params", Vertical)
        await params.remove_children()
        await params.mount_all(rows)
        if not rows:
            await params.mount(Static("This question has no numbers to type.", classes="dim"))
        fields = self.query_one("#check-fields", Vertical)
        await fields.remove_children()
        await fields.mount_all([make_field(self.question, p, i) for i, p in enumerate(self.question.parts)])
        await self.query_one("#check-result", Vertical).remove_children()
        self.query_one("#check-param-status", Static).update("")
        self._show_prompt()

    def _show_prompt(self) -> None:
        if self.question is not None:
            self.query_one("#check-prompt", QuestionPrompt).show(self.question)

    def _fields(self) -> list[AnswerField | ChoiceField]:
        return list(self.query_one("#check-fields").query_children().results((AnswerField, ChoiceField)))

    def read_question(self) -> Question | None:
        """The question with the numbers typed in, or None (with the reason shown) when one is bad."""
        from quizapp.grading.requests import question_for

        status = self.query_one("#check-param-status", Static)
        typed = {name: self.query_one(f"#param-{name}", Input).value for name in shown_params(self.template)}
        try:
            question = question_for(self.app.bank, self.template.id, self.seed, typed)
        except ValueError as exc:
            status.update(Text("✗ " + str(exc).splitlines()[0], style=f"{BAD}"))
            return None
        status.update("")
        return question

    async def on_select_changed(self, event: Select.Changed) -> None:
        if event.value != self.template_id and isinstance(event.value, str):
            self.template_id = event.value
            await self.load_template()

    def on_input_changed(self, event: Input.Changed) -> None:
        if not (event.input.id or "").startswith("param-"):
            return
        question = self.read_question()
        if question is not None:
            self.question = question
            for field in self._fields():
                field.question = question
            self._show_prompt()

    def on_answer_field_entered(self, message: AnswerField.Entered) -> None:
        fields = self._fields()
        i = fields.index(message.field)
        if i + 1 < len(fields):
            fields[i + 1].focus_input()
        else:
            self.run_worker(self.action_check())

    async def action_check(self) -> None:
        from quizapp.grading import grade

        question = self.read_question()
        if question is None:
            self.notify("Fix the numbers first.", severity="error")
            return
        texts = {f.part.name: f.value for f in self._fields() if f.value.strip()}
        if not texts:
            self.notify("Type your answer first.", severity="warning")
            return
        self.question = question
        self.result = grade(question, texts)
        self._record(question, self.result)
        box = self.query_one("#check-result", Vertical)
        await box.remove_children()
        view = ExplanationView(question, self.result, question_graph(question))
        await box.mount(view)
        self.query_one("#check-body", VerticalScroll).scroll_to_widget(view, top=True, animate=False)

    def _record(self, question: Question, result: GradeResult) -> None:
        store = self.app.store
        if store is None:
            return
        template = question.template
        seed = question.seed if isinstance(question.seed, int) else None
        store.record_attempt(template_id=template.id, topic=template.topic, score=result.score,
                             correct=result.correct, mode="check", seed=seed, params=question.params,
                             parts={k: v.to_dict() for k, v in result.parts.items()},
                             template_version=template.version, now=self.app.clock())
        self.app.progress_changed()

    async def action_new_numbers(self) -> None:
        self.seed = new_seed()
        await self.load_template()

    def action_back(self) -> None:
        self.dismiss()

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        await self.run_action(event.button.id or "")
