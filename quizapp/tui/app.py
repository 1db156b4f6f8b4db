"""The study app: screens for quizzes, exams, review, checking work, graphs and progress.

The app owns the progress store and the question bank and hands them to its screens ("attributes
down, messages up"). The bank is loaded in a worker thread after the home screen is up, so the
app is interactive at once; anything that needs the bank waits for it with :meth:`when_bank`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen

from quizapp.study.session import Clock, QuizSession, QuizSettings, review_settings, utcnow
from quizapp.tui.messages import BankLoaded, CheckTemplate, PracticeTopic, ProgressSaved, StartQuiz, StoreChanged
from quizapp.tui.palette import BankCommands

if TYPE_CHECKING:
    from question_bank.bank import Bank
    from quizapp.progress import SessionRecord, Store

DARK, LIGHT = "textual-dark", "textual-light"
PREFS_NAME = "tui.json"


QUIT_TITLE = "Quit quizapp?"
QUIT_NOTE = "Your quiz is saved: resume it from the home screen (u)."


class QuizApp(App[int]):
    """``quizapp`` with no arguments."""

    TITLE = "quizapp"
    SUB_TITLE = "neural-network fundamentals"
    # Absolute paths (subclasses elsewhere find them too); every style lives in these files.
    CSS_PATH = [Path(__file__).with_name("app.tcss"), Path(__file__).with_name("widgets.tcss")]
    COMMANDS = App.COMMANDS | {BankCommands}
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("f1", "help", "Help"),
        Binding("question_mark", "help", "Help", show=False),
        Binding("f2", "toggle_theme", "Light/dark", show=False),
    ]

    def __init__(self, home: str | Path | None = None, banks: Sequence[str] = (), *, bank: Bank | None = None,
                 clock: Clock | None = None, tz: tzinfo | None = None, theme: str | None = None) -> None:
        super().__init__()
        self.home_dir = home
        self.bank_paths = tuple(banks)
        self.bank: Bank | None = bank
        self.bank_error: str | None = None
        self.clock: Clock = clock or utcnow
        self.tz = tz  # days for streaks and charts are local days (None: this computer's zone)
        self.store: Store | None = None
        self.warnings: list[str] = []
        self._waiting: list[Callable[[Bank], Any]] = []
        self._theme_given = theme

    # -- start-up ---------------------------------------------------------------------------

    def on_mount(self) -> None:
        self._open_store()
        self.theme = self._theme_given or self._saved_theme() or DARK
        from quizapp.tui.screens.home import HomeScreen

        self.push_screen(HomeScreen())
        for warning in self.warnings:
            self.notify(warning, title="Progress", severity="warning", timeout=12)
        # After the first paint: a loading thread would hold the GIL while the home screen draws.
        self.call_after_refresh(self._start_loading)

    def _start_loading(self) -> None:
        if self.bank is None:
            self.run_worker(self._load_bank, thread=True, exclusive=True, group="bank")
        else:
            self.run_worker(_warm_up, thread=True, group="warm")

    def _open_store(self) -> None:
        from quizapp.progress import StoreError, open_store

        try:
            self.store = open_store(self.home_dir)
        except StoreError as exc:
            self.warnings.append(f"{exc}. Your answers will not be saved this time.")
            return
        self.warnings.extend(self.store.warnings)

    def _load_bank(self) -> None:
        from question_bank import TemplateError, load_bank

        try:
            bank = load_bank(self.bank_paths)
        except (TemplateError, OSError, ValueError) as exc:
            self.call_from_thread(self._bank_failed, str(exc))
            return
        self.call_from_thread(self._bank_ready, bank)
        _warm_up()

    def _bank_ready(self, bank: Bank) -> None:
        self.bank = bank
        waiting, self._waiting = self._waiting, []
        self._broadcast(BankLoaded())
        for callback in waiting:
            callback(bank)

    def _bank_failed(self, error: str) -> None:
        self.bank_error = error
        self._waiting.clear()
        self._broadcast(BankLoaded(error))
        self.notify(error, title="The question bank could not be loaded", severity="error", timeout=30)

    def _broadcast(self, message: Message) -> None:
        for screen in self.screen_stack:
            screen.post_message(message)

    def when_bank(self, callback: Callable[[Bank], Any]) -> None:
        """Run ``callback(bank)`` now, or as soon as the bank has loaded."""
        if self.bank is not None:
            callback(self.bank)
        elif self.bank_error is not None:
            self.notify(self.bank_error, title="The question bank could not be loaded", severity="error")
        else:
            self.notify("Loading the question bank…", timeout=2)
            self._waiting.append(callback)

    def on_progress_saved(self, message: ProgressSaved) -> None:
        self._broadcast(StoreChanged())

    def on_start_quiz(self, message: StartQuiz) -> None:
        self.start_quiz(message.settings)

    def on_practice_topic(self, message: PracticeTopic) -> None:
        self._setup("practice", (message.topic,))

    def on_check_template(self, message: CheckTemplate) -> None:
        self.action_check(message.template_id)

    async def action_quit(self) -> None:
        """Quit; in the middle of a quiz, first say that it is saved (its typed answers are)."""
        from quizapp.tui.screens.dialogs import ConfirmDialog
        from quizapp.tui.screens.quiz import QuizScreen

        quiz = next((s for s in reversed(self.screen_stack) if isinstance(s, QuizScreen)), None)
        if quiz is None or not quiz.keep_for_later():
            self.exit()
            return
        if isinstance(self.screen, ConfirmDialog):
            if self.screen.title_text == QUIT_TITLE:  # ctrl+q twice: the student means it
                self.exit()
            return
        note = QUIT_NOTE if self.store is not None else "Progress is not being saved: this quiz will be lost."
        self.push_screen(ConfirmDialog(QUIT_TITLE, note, "Quit", "Stay"),
                         lambda yes: self.exit() if yes else None)

    def on_unmount(self) -> None:
        if self.store is not None:
            self.store.close()
        if self._theme_given is None and self.theme != (self._saved_theme() or DARK):
            self._save_theme()

    # The theme a student picked (F2, or the palette's theme picker) is kept next to the progress.

    def _prefs_path(self) -> Path | None:
        if self.store is None:
            return None
        return self.store.path.with_name(PREFS_NAME)

    def _saved_theme(self) -> str | None:
        path = self._prefs_path()
        try:
            theme = json.loads(path.read_text(encoding="utf-8")).get("theme") if path else None
        except (OSError, ValueError, AttributeError):
            return None  # no preferences yet, or unreadable ones: the default will do
        return theme if isinstance(theme, str) and theme in self.available_themes else None

    def _save_theme(self) -> None:
        path = self._prefs_path()
        if path is not None:
            try:
                path.write_text(json.dumps({"theme": self.theme}), encoding="utf-8")
            except OSError:
                pass  # a preference is not worth an error on the way out

    # -- flows ------------------------------------------------------------------------------

    def action_practice(self) -> None:
        self._setup("practice")

    def action_exam(self) -> None:
        self._setup("exam")

    def _setup(self, mode: str, topics: tuple[str, ...] = ()) -> None:
        from quizapp.tui.screens.setup import SetupScreen

        def ask(bank: Bank) -> None:
            self.push_screen(SetupScreen(bank, mode, topics=topics), self._settings_chosen)

        self.when_bank(ask)

    def _settings_chosen(self, settings: QuizSettings | None) -> None:
        if settings is not None:
            self.start_quiz(settings)

    def start_quiz(self, settings: QuizSettings) -> None:
        """A new quiz with ``settings``, on top of the current screen."""

        def start(bank: Bank) -> None:
            try:
                session = QuizSession.start(bank, settings, self.store, clock=self.clock)
            except ValueError as exc:
                self.notify(str(exc), title="Cannot start the quiz", severity="error")
                return
            self._show_quiz(session)

        self.when_bank(start)

    def _show_quiz(self, session: QuizSession) -> None:
        """The quiz screen; when it closes finished, its results (and perhaps a retry quiz)."""
        from quizapp.tui.screens.quiz import QuizScreen
        from quizapp.tui.screens.results import ResultsScreen

        def closed(done: QuizSession | None) -> None:
            self._broadcast(StoreChanged())
            if done is not None:
                self.push_screen(ResultsScreen(done), self._settings_chosen)

        self.push_screen(QuizScreen(session), closed)

    def last_unfinished(self) -> SessionRecord | None:
        if self.store is None:
            return None
        found = self.store.unfinished_sessions()
        return next((s for s in found if s.mode in ("practice", "exam", "review")), None)

    def action_resume(self) -> None:
        record = self.last_unfinished()
        if record is None:
            self.notify("There is no unfinished quiz to resume.")
            return
        def resume(bank: Bank) -> None:
            assert self.store is not None
            try:
                session = QuizSession.resume(bank, self.store, record, clock=self.clock)
            except (ValueError, KeyError) as exc:
                self.notify(str(exc), title="Cannot resume that quiz", severity="error")
                return
            self._show_quiz(session)

        self.when_bank(resume)

    def action_review(self) -> None:
        from quizapp.tui.screens.review import ReviewScreen

        self.when_bank(lambda bank: self.push_screen(ReviewScreen(), self._review_chosen))

    def _review_chosen(self, start: bool | None) -> None:
        if start:
            self.start_review()

    def start_review(self) -> None:
        if self.store is None or self.bank is None:
            return
        settings = review_settings(self.store, self.bank, now=self.clock())
        if settings is None:
            self.notify("Nothing is due for review right now.")
            return
        self.start_quiz(settings)

    def action_check(self, template_id: str | None = None) -> None:
        from quizapp.tui.screens.check import CheckScreen

        self.when_bank(lambda bank: self.push_screen(CheckScreen(template_id)))

    def action_graph(self) -> None:
        from quizapp.tui.screens.graph import GraphScreen

        self.push_screen(GraphScreen())

    def action_history(self) -> None:
        from quizapp.tui.screens.history import HistoryScreen

        self.push_screen(HistoryScreen(tz=self.tz))

    def action_playground(self) -> None:
        """Watch a small network learn on a 2-D data set."""
        from quizapp.tui.screens.playground import PlaygroundScreen

        self.push_screen(PlaygroundScreen())

    def action_help(self) -> None:
        from quizapp.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT if self.theme == DARK else DARK

    def action_home(self) -> None:
        """Back to the home screen, closing everything above it."""
        from quizapp.tui.screens.home import HomeScreen

        while len(self.screen_stack) > 2 and not isinstance(self.screen, HomeScreen):
            self.pop_screen()

    # -- command palette --------------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand("Practice quiz", "Set up a practice quiz with feedback after each question",
                            self.action_practice)
        yield SystemCommand("Exam", "A timed exam: no feedback until you hand it in", self.action_exam)
        yield SystemCommand("Review", "Spaced repetition: the questions due for review", self.action_review)
        yield SystemCommand("Resume", "Continue the last unfinished quiz", self.action_resume)
        yield SystemCommand("Check my work", "Type a problem's numbers and your answer; get the verdict",
                            self.action_check)
        yield SystemCommand("Backprop graph", "Gradients of any expression, node by node", self.action_graph)
        yield SystemCommand("History", "Accuracy over time, streaks and weakest topics", self.action_history)
        yield SystemCommand("Training playground", "Train a small network and watch it learn",
                            self.action_playground)
        yield SystemCommand("Light/dark theme", "Switch between the light and dark themes",
                            self.action_toggle_theme)
        yield SystemCommand("Help", "Keys and how to write answers", self.action_help)
        yield from super().get_system_commands(screen)


def _warm_up() -> None:
    """Import what the first answer needs (grading, the solvers, FSRS) before it is submitted."""
    import quizapp.grading  # noqa: F401
    from solvers import registry

    registry.names()
    try:
        import fsrs  # noqa: F401
    except ImportError:  # the store reports a missing fsrs itself when it schedules
        pass
