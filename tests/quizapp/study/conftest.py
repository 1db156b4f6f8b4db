"""The study layer's tests share the study app's fixtures: the small fixed bank, a temporary home, a fake clock."""

from tests.quizapp.tui.conftest import FakeClock, bank, clock, home, small_bank  # noqa: F401
