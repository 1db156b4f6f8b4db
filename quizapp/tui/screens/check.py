"""Check my work: pick a template, type the problem's numbers from your sheet and your answers,
and get the verdict, the diagnosis and the worked steps for exactly those numbers.

The logic is :class:`quizapp.study.check.CheckWork`; this screen shows it. A check is kept out of
quiz mastery, streaks and review unless the student ticks "Count this in my progress".
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from quizapp.grading.params import ParamError
from quizapp.study.check import Checked, CheckWork
from quizapp.study.requests import solve_command
from quizapp.tui.display import BAD
from quizapp.tui.graphs import question_graph
from quizapp.tui.handle import study
from quizapp.tui.messages import ProgressSaved
from quizapp.tui.widgets.answer import AnswerField, ChoiceField, make_field
from quizapp.tui.widgets.prompt import QuestionPrompt
from quizapp.tui.widgets.solution import ExplanationView
from quizapp.tui.widgets.tickbox import TickBox
from solvers.steps import notation

BUTTONS = {"check": "check", "new_numbers": "new_numbers"}  # button id -> action
KEPT_APART = ("Checks are kept apart from your quiz mastery, streaks and review unless you tick this.")


class CheckScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+s", "check", "Check"),
        Binding("ctrl+r", "new_numbers", "New numbers"),
        Binding("pagedown", "scroll(1)", "More ↓"),
        Binding("pageup", "scroll(-1)", "Up", show=False),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, template_id: str | None = None, seed: int | None = None) -> None:
        super().__init__()
        self.template_id = template_id
        self.seed = seed
        self.work: CheckWork | None = None
        self.checked: Checked | None = None

    def compose(self) -> ComposeResult:
        state = study(self)
        bank = state.bank
        assert bank is not None
        templates = sorted((bank.get(t) for t in bank.ids()), key=lambda t: (t.topic, t.title))
        if self.template_id not in bank:
            self.template_id = templates[0].id
        self.work = CheckWork(bank, self.template_id, self.seed, store=state.store, clock=state.clock)
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
            yield TickBox("Count this in my progress", False, compact=True, id="check-save")
            yield Static(KEPT_APART, classes="dim", id="check-save-note")
            with Horizontal(classes="buttons"):
                yield Button("Check", variant="primary", id="check", compact=True)
                yield Button("New numbers", id="new_numbers", compact=True)
            yield Vertical(id="check-result")
        yield Footer()

    async def on_mount(self) -> None:
        self.sub_title = "Check my work"
        self.query_one("#check-body", VerticalScroll).can_focus = False
        await self.load_template()

    @property
    def question(self):  # noqa: ANN201 - the question as typed so far
        return self.work.question if self.work is not None else None

    async def load_template(self) -> None:
        """A fresh form for the chosen template, filled with one draw of its numbers."""
        assert self.work is not None
        # each number under its symbol in the prompt (lr reads α, beta1 β₁, w0 w₀)
        rows = [Horizontal(Label(notation(name), classes="form-label"),
                           Input(text, compact=True, id=f"param-{name}"), classes="form-row")
                for name, text in self.work.param_texts().items()]
        params = self.query_one("#check-params", Vertical)
        await params.remove_children()
        await params.mount_all(rows)
        if not rows:
            await params.mount(Static("This question has no numbers to type.", classes="dim"))
        fields = self.query_one("#check-fields", Vertical)
        await fields.remove_children()
        question = self.work.question
        await fields.mount_all([make_field(question, p, i) for i, p in enumerate(question.parts)])
        await self._clear_result()
        self.query_one("#check-param-status", Static).update("")
        self._show_prompt()

    def _show_prompt(self) -> None:
        if self.work is not None:
            self.query_one("#check-prompt", QuestionPrompt).show(self.work.question)

    def _fields(self) -> list[AnswerField | ChoiceField]:
        return list(self.query_one("#check-fields").query_children().results((AnswerField, ChoiceField)))

    def _typed(self) -> dict[str, str]:
        assert self.work is not None
        return {name: self.query_one(f"#param-{name}", Input).value for name in self.work.param_names()}

    async def _clear_result(self) -> None:
        self.checked = None
        await self.query_one("#check-result", Vertical).remove_children()

    async def read_numbers(self) -> bool:
        """Read the typed numbers into the question; a bad one is shown (and the old result goes)."""
        assert self.work is not None
        status = self.query_one("#check-param-status", Static)
        try:
            question = self.work.read(self._typed())
        except ValueError as exc:
            # a bad number is named by its label on the form (w₂), not the parameter's name (w2)
            message = f"{notation(exc.name)}: {exc.reason}" if isinstance(exc, ParamError) else str(exc)
            status.update(Text("✗ " + message.splitlines()[0], style=f"{BAD}"))
            await self._clear_result()  # a result for other numbers would mislead
            return False
        status.update("")
        for field in self._fields():
            field.show_question(question)  # "(a) f(0.5)" follows what was typed
        self._show_prompt()
        return True

    async def on_select_changed(self, event: Select.Changed) -> None:
        if self.work is not None and isinstance(event.value, str) and event.value != self.work.template_id:
            self.work.choose(event.value)
            await self.load_template()

    async def on_input_changed(self, event: Input.Changed) -> None:
        if (event.input.id or "").startswith("param-"):
            if await self.read_numbers() and self.checked is not None:
                await self._clear_result()  # the verdict was for the numbers before

    def on_answer_field_entered(self, message: AnswerField.Entered) -> None:
        fields = self._fields()
        i = fields.index(message.field)
        if i + 1 < len(fields):
            fields[i + 1].focus_input()
        else:
            self.run_worker(self.action_check())

    async def action_check(self) -> None:
        if self.work is None or any(w.group == "check" for w in self.workers if w.is_running):
            return
        if not await self.read_numbers():
            self.notify("Fix the numbers first.", severity="error")
            return
        answers = {f.part.name: f.value for f in self._fields()}
        if not any(v.strip() for v in answers.values()):
            self.notify("Type your answer first.", severity="warning")
            return
        typed, save, work = self._typed(), self.query_one("#check-save", TickBox).value, self.work
        # Formula grading can take a second or two: a worker keeps the screen responsive.
        self.run_worker(lambda: work.check(typed, answers, save=save), thread=True, group="check")

    async def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "check":
            return
        if event.worker.state == WorkerState.ERROR:
            self.notify(str(event.worker.error), title="Cannot check this", severity="error")
        elif event.worker.state == WorkerState.SUCCESS and isinstance(event.worker.result, Checked):
            await self._show_checked(event.worker.result)

    async def _show_checked(self, checked: Checked) -> None:
        if checked.handed_back:
            for field in self._fields():
                if field.part.name in checked.handed_back:
                    field.hand_back(checked.handed_back[field.part.name])
            return
        self.checked = checked
        if checked.saved:
            self.post_message(ProgressSaved())
        box = self.query_one("#check-result", Vertical)
        await box.remove_children()
        command = solve_command(checked.question, self._typed())
        view = ExplanationView(checked.question, checked.result, question_graph(checked.question), command,
                               checking=True)
        note = "Counted in your progress." if checked.saved else "Not counted in your progress."
        await box.mount(Static(note, classes="dim"), view)
        body = self.query_one("#check-body", VerticalScroll)
        # After the layout has the result: the verdict at the top, the worked solution under it. The
        # first check of a template can be laid out a frame late (seen in tmux: the view stayed at
        # the top), so the scroll is asked again shortly after; asking twice moves nothing.
        self.call_after_refresh(body.scroll_to_widget, box, top=True, animate=False)
        self.set_timer(0.2, lambda: body.scroll_to_widget(box, top=True, animate=False))

    async def action_new_numbers(self) -> None:
        if self.work is not None:
            self.work.choose(self.work.template_id)
            await self.load_template()

    def action_scroll(self, pages: int) -> None:
        body = self.query_one("#check-body", VerticalScroll)
        (body.scroll_page_down if pages > 0 else body.scroll_page_up)(animate=False)

    def action_back(self) -> None:
        self.dismiss(None)

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        await self.run_action(BUTTONS[event.button.id or ""])
