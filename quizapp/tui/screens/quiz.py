"""The question screen: the prompt, one input per part with a live preview, hints, progress.

Practice and review: submit shows the feedback screen at once. Exam: answers are saved as drafts
(in the store, as they are typed), questions can be flagged and revisited, and nothing is graded
until the exam is handed in or its time runs out.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import Button, Footer, Header, Input, Static
from textual.worker import Worker, WorkerState

from quizapp.study.session import Outcome, QuizSession
from quizapp.tui.display import WARN
from quizapp.tui.graphs import question_graph
from quizapp.tui.handle import study
from quizapp.tui.widgets.answer import AnswerField, ChoiceField, Field, make_field
from quizapp.tui.widgets.progress import QuizProgress, marks_start
from quizapp.tui.widgets.prompt import QuestionPrompt
from quizapp.tui.widgets.solution import ExplanationView

PRACTICE_ONLY = {"submit", "hint", "skip"}
FEEDBACK_ONLY = {"next_question"}
EXAM_ONLY = {"save_next", "next", "back", "flag", "hand_in"}
DRAFT_DELAY = 0.8  # seconds of no typing before an exam answer is saved
# Button id -> the action it runs (ids are names, not actions).
BUTTONS = {"back": "back", "save_next": "save_next", "flag": "flag", "hand_in": "hand_in", "submit": "submit",
           "hint": "hint", "skip": "skip", "next_question": "next_question", "leave": "leave"}


class _Progress(QuizProgress):
    """The progress line; clicking a question's mark in an exam goes to that question."""

    class Jump(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    session: QuizSession | None = None

    def on_click(self, event: events.Click) -> None:
        if self.session is None or not self.session.exam:
            return
        index = event.x - 1 - marks_start(self.session)  # 1: the widget's left padding
        if 0 <= index < self.session.count:
            self.post_message(self.Jump(index))


class QuizScreen(Screen[QuizSession | None]):
    """Dismissed with the session when it is finished (the app shows its results), else None."""

    BINDINGS = [
        Binding("ctrl+s", "submit", "Submit"),
        Binding("ctrl+s", "save_next", "Save & next"),
        Binding("ctrl+t", "hint", "Hint"),
        Binding("ctrl+n", "skip", "Skip"),
        Binding("ctrl+n", "next", "Next", show=False),
        Binding("ctrl+b", "back", "Back", show=False),  # the ◀ Back button says it; the footer fits 80 columns
        Binding("ctrl+f", "flag", "Flag"),
        Binding("ctrl+g", "hand_in", "Hand in"),
        Binding("n", "next_question", "Next"),
        Binding("pagedown", "scroll(1)", "More ↓"),
        Binding("pageup", "scroll(-1)", "Up", show=False),
        Binding("down", "scroll_line(1)", show=False),
        Binding("up", "scroll_line(-1)", show=False),
        Binding("end", "scroll_end", show=False),
        Binding("home", "scroll_top", show=False),
        Binding("escape", "leave", "Leave"),
    ]

    def __init__(self, session: QuizSession) -> None:
        super().__init__()
        self.session = session
        self._draft_timer: Timer | None = None
        self._clock: Timer | None = None
        # Feedback is shown in place (no new screen): the question's index while it is shown.
        self.feedback_for: int | None = None
        self.grading = False  # an answer is being graded in a worker: no second submit meanwhile
        self.handing_in = False  # the exam is being graded in a worker
        self.timed_out = False  # the exam clock ran out: handed in for the student

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield _Progress(id="progress")
        with VerticalScroll(id="question-body"):
            yield QuestionPrompt(id="prompt")
            yield Static(id="hints", classes="hints")
            yield Vertical(id="fields")
            yield Vertical(id="explanation-box")
        with Horizontal(id="quiz-actions", classes="buttons"):
            if self.session.exam:
                yield Button("◀ Back", id="back", compact=True)
                yield Button("Save & next ▶", variant="primary", id="save_next", compact=True)
                yield Button("⚑ Flag", id="flag", compact=True)
                yield Button("Hand in", variant="warning", id="hand_in", compact=True)
            else:
                yield Button("Submit", variant="primary", id="submit", compact=True)
                yield Button("Hint", id="hint", compact=True)
                yield Button("Skip", id="skip", compact=True)
        with Horizontal(id="feedback-actions", classes="buttons"):
            yield Button("Next question", variant="primary", id="next_question", compact=True)
            yield Button("Leave quiz", id="leave", compact=True)
        yield Footer()

    async def on_mount(self) -> None:
        s = self.session
        self.query_one(_Progress).session = s
        self._body().can_focus = False  # PgDn scrolls it from anywhere: no invisible stop for Tab
        self.sub_title = {"practice": "Practice", "exam": "Exam", "review": "Review"}[s.mode]
        if s.is_done():
            self.call_after_refresh(self._show_results)
            return
        if s.exam and s.deadline_seconds() is not None:
            self._clock = self.set_interval(1.0, self._tick)
        await self.show_question()
        if s.exam and s.time_up():
            self.call_after_refresh(self._time_up)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("scroll_line", "scroll_end", "scroll_top"):
            return self.feedback_for is not None  # while typing, these keys belong to the field
        if action in FEEDBACK_ONLY:
            return self.feedback_for is not None
        if action in PRACTICE_ONLY:
            return not self.session.exam and self.feedback_for is None
        if action in EXAM_ONLY:
            return self.session.exam
        return True

    async def show_question(self) -> None:
        """Show the current question (its saved draft, in an exam) and focus its first input."""
        s = self.session
        question = s.question()
        await self._leave_feedback()
        self.query_one("#prompt", QuestionPrompt).show(question, s.position + 1, s.count)
        hints = self.query_one("#hints", Static)
        shown = question.hints()[: s.hints_shown.get(s.position, 0)]
        hints.update(_hints_text(shown))
        hints.display = bool(shown)
        fields = self.query_one("#fields", Vertical)
        await fields.remove_children()
        draft = s.drafts.get(s.position, {})
        await fields.mount_all([make_field(question, p, i, draft.get(p.name, "")) for i, p in
                                enumerate(question.parts)])
        self.query_one("#question-body", VerticalScroll).scroll_home(animate=False)
        self._update_progress()
        self.fields()[0].focus_input()
        self.run_worker(lambda: s.prefetch(s.position + 1), thread=True, group="prefetch")

    def fields(self) -> list[Field]:
        return list(self.query_one("#fields").query_children().results((AnswerField, ChoiceField)))

    def texts(self) -> dict[str, str]:
        return {f.part.name: f.value for f in self.fields()}

    def _update_progress(self) -> None:
        try:
            progress = self.query_one(_Progress)
        except NoMatches:  # a timer that fires while the screen is being taken down
            return
        progress.show(self.session)
        flag = self.query("#flag")
        if flag:
            flag.first(Button).label = "⚑ Unflag" if self.session.position in self.session.flagged else "⚑ Flag"

    # -- answering ----------------------------------------------------------------------------

    def action_save_next(self) -> None:
        self._save_draft()
        if self.session.position + 1 < self.session.count:
            self.run_worker(self._go(self.session.position + 1), group="nav")
        else:
            self.notify("That was the last question: hand the exam in with ctrl+g (or go back).")

    def action_next(self) -> None:
        self.action_save_next()

    async def action_submit(self) -> None:
        if self.feedback_for is not None or self.grading:
            return
        if self.session.exam:
            self.action_save_next()
            return
        texts = self.texts()
        if not any(t.strip() for t in texts.values()):
            self.notify("Type an answer first, or skip the question with ctrl+n.", severity="warning")
            return
        # Formula grading can take a second or two: a worker keeps the screen responsive.
        self.grading = True
        self.run_worker(lambda: self.session.submit(texts), thread=True, group="grade", name="grade")

    async def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group == "grade" and worker.state in (WorkerState.SUCCESS, WorkerState.ERROR):
            self.grading = False
            if worker.state == WorkerState.ERROR:
                self.notify(f"This answer could not be graded: {worker.error}", severity="error")
            elif isinstance(worker.result, Outcome):
                await self._graded(worker.result)
        elif worker.group == "hand-in" and worker.state == WorkerState.SUCCESS:
            self.app.clear_notifications()  # "Grading the exam…" is done: it would cover the results' buttons
            if self.timed_out:
                self.notify("Time is up: the exam was handed in.", severity="warning", timeout=8)
            self._close(self.session)
        elif worker.group == "hand-in" and worker.state == WorkerState.ERROR:
            self.handing_in = False
            self.notify(f"The exam could not be handed in: {worker.error}", severity="error")

    async def _graded(self, outcome: Outcome) -> None:
        """Feedback; or, for parts handed back ungraded, why, on those fields (nothing was saved)."""
        if not outcome.returned:
            await self._show_feedback(outcome.index)
            return
        back = [f for f in self.fields() if f.part.name in outcome.handed_back]
        for field in back:
            field.hand_back(outcome.handed_back[field.part.name])
        n = len(back)
        self.notify(f"{n} answer{'s' if n != 1 else ''} not graded (see under {'them' if n != 1 else 'it'}): "
                    "fix and submit again, or skip the question with ctrl+n. Nothing was saved.",
                    severity="warning", timeout=8)
        if back:
            back[0].focus_input()
            self.query_one("#question-body", VerticalScroll).scroll_to_widget(back[0], animate=False)

    async def action_skip(self) -> None:
        if self.session.exam or self.feedback_for is not None:
            return
        outcome = self.session.skip()
        await self._show_feedback(outcome.index)

    async def _show_feedback(self, index: int) -> None:
        """The verdict, expected answers, diagnosis and worked steps, in place of the inputs."""
        s = self.session
        question = s.question(index)
        self.feedback_for = index
        self.query_one("#fields").display = False
        self.query_one("#hints").display = False
        box = self.query_one("#explanation-box", Vertical)
        await box.remove_children()
        await box.mount(ExplanationView(question, s.result(index), question_graph(question)))
        self.query_one("#quiz-actions").display = False
        self.query_one("#feedback-actions").display = True
        self.query_one("#next_question", Button).label = "See results" if s.is_done() else "Next question"
        self.query_one("#next_question", Button).focus()
        # The verdict at the top and the worked solution under it; PgDn (or ↓, End) reads on.
        body = self._body()
        self.call_after_refresh(body.scroll_to_widget, box, top=True, animate=False)
        self._update_progress()
        self.refresh_bindings()

    async def _leave_feedback(self) -> None:
        if self.feedback_for is None:
            return
        self.feedback_for = None
        await self.query_one("#explanation-box", Vertical).remove_children()
        self.query_one("#fields").display = True
        self.query_one("#feedback-actions").display = False
        self.query_one("#quiz-actions").display = True
        self.refresh_bindings()

    async def action_next_question(self) -> None:
        if self.feedback_for is None:
            return
        if self.session.is_done():
            self._show_results()
            return
        self.session.advance()
        await self.show_question()

    def action_hint(self) -> None:
        if self.session.exam:
            return
        hint = self.session.hint()
        if hint is None:
            self.notify("No more hints for this question.")
            return
        hints = self.query_one("#hints", Static)
        shown = self.session.question().hints()[: self.session.hints_shown[self.session.position]]
        hints.update(_hints_text(shown))
        hints.display = True
        focused = self.focused
        if focused is not None:  # the hint pushes the fields down: keep the one being typed in in view
            self.call_after_refresh(focused.scroll_visible, animate=False)

    # -- scrolling the question and its feedback ------------------------------------------------

    def _body(self) -> VerticalScroll:
        return self.query_one("#question-body", VerticalScroll)

    def action_scroll(self, pages: int) -> None:
        body = self._body()
        (body.scroll_page_down if pages > 0 else body.scroll_page_up)(animate=False)

    def action_scroll_line(self, lines: int) -> None:
        self._body().scroll_relative(y=lines, animate=False)

    def action_scroll_end(self) -> None:
        self._body().scroll_end(animate=False)

    def action_scroll_top(self) -> None:
        self._body().scroll_home(animate=False)

    async def on_answer_field_entered(self, message: AnswerField.Entered) -> None:
        await self._next_field(message.field, submit=True)

    async def on_choice_field_entered(self, message: ChoiceField.Entered) -> None:
        await self._next_field(message.field, submit=False)
        if self.session.exam:
            self._save_draft()
            self._update_progress()

    async def _next_field(self, field: Field, submit: bool) -> None:
        fields = self.fields()
        i = fields.index(field)
        if i + 1 < len(fields):
            fields[i + 1].focus_input()
        elif submit:
            await self.action_submit()
        else:
            self.query_one("#save_next" if self.session.exam else "#submit", Button).focus()

    # -- exams ------------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if not self.session.exam:
            return
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DELAY, self._save_draft)

    def _save_draft(self) -> None:
        if not self.session.exam or self.session.finished:
            return
        try:
            fields = self.fields()
        except NoMatches:  # the screen is being taken down
            return
        if fields:
            self.session.save_draft(self.texts())
            self._update_progress()

    async def _go(self, index: int) -> None:
        self._save_draft()
        self.session.go(index)
        await self.show_question()

    def action_back(self) -> None:
        if self.session.exam and self.session.position > 0:
            self.run_worker(self._go(self.session.position - 1), group="nav")

    def on__progress_jump(self, message: _Progress.Jump) -> None:
        self.run_worker(self._go(message.index), group="nav")

    def action_flag(self) -> None:
        if not self.session.exam:
            return
        self.session.toggle_flag()
        self._update_progress()  # the ⚑ mark and the button's label say it: no toast to wait for

    def action_hand_in(self) -> None:
        if not self.session.exam:
            return
        from quizapp.tui.screens.dialogs import ConfirmDialog

        self._save_draft()
        s = self.session
        blank = s.count - len(s.drafts)
        notes = []
        if blank:
            notes.append(f"{blank} question{'s' if blank != 1 else ''} not answered")
        partly = [i + 1 for i in s.partly_answered()]
        if partly:
            notes.append(f"a part left blank in question{'s' if len(partly) > 1 else ''} "
                         f"{', '.join(map(str, partly))}")
        if s.flagged:
            flagged = sorted(i + 1 for i in s.flagged)
            notes.append(f"flagged: question{'s' if len(flagged) > 1 else ''} {', '.join(map(str, flagged))}")
        message = ("; ".join(notes) + ".\n" if notes else "") + "Your answers are graded when you hand in."

        def answer(yes: bool | None) -> None:
            if yes:
                self._hand_in()

        self.app.push_screen(ConfirmDialog("Hand in the exam?", message, "Hand in", "Keep working"), answer)

    def _hand_in(self) -> None:
        if self._clock is not None:
            self._clock.stop()
        if self.session.finished or self.handing_in:  # a late tick of the exam clock, or a second ctrl+g
            return
        self.handing_in = True
        self.notify("Grading the exam…", timeout=2)
        self.run_worker(self.session.hand_in, thread=True, group="hand-in", name="hand-in")

    def _tick(self) -> None:
        self._update_progress()
        if self.session.time_up() and not self.session.finished and not self.handing_in:
            self._time_up()

    def _time_up(self) -> None:
        self._save_draft()
        self.timed_out = True  # said with the results, once grading is done
        self._hand_in()

    # -- leaving ------------------------------------------------------------------------------

    def _show_results(self) -> None:
        """Finish the quiz: the app shows its results."""
        self.session.finish()
        self._close(self.session)

    def _close(self, result: QuizSession | None) -> None:
        """Dismiss this screen, first closing a dialog left open over it (time ran out meanwhile)."""
        if self not in self.app.screen_stack:
            return
        while self.app.screen is not self and isinstance(self.app.screen, ModalScreen):
            self.app.pop_screen()
        self.dismiss(result)

    def keep_for_later(self) -> bool:
        """Save what is typed (an exam's draft); True when the quiz is unfinished (so worth a word)."""
        self._save_draft()
        return not self.session.is_done()

    def action_leave(self) -> None:
        from quizapp.tui.screens.dialogs import ConfirmDialog

        self._save_draft()
        where = "It is saved: resume it from the home screen (u)." if study(self).store else \
            "Progress is not being saved."

        def answer(yes: bool | None) -> None:
            if yes:
                if self._clock is not None:
                    self._clock.stop()
                self.dismiss(None)

        self.app.push_screen(ConfirmDialog("Leave this quiz?", where, "Leave", "Stay"), answer)

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        await self.run_action(BUTTONS[event.button.id or ""])

    def on_unmount(self) -> None:
        for timer in (self._draft_timer, self._clock):
            if timer is not None:
                timer.stop()


def _hints_text(hints: list[Any]) -> Text:
    out = Text()
    for i, hint in enumerate(hints, start=1):
        if i > 1:
            out.append("\n")
        out.append(f"Hint {i}: ", style=f"bold {WARN}")
        out.append(str(hint))
    return out
