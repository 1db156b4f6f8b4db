"""A student's progress: attempts, resumable quiz sessions, spaced-repetition review, statistics.

``open_store(home)`` gives the :class:`Store`; :mod:`.stats` computes statistics from its rows.
"""

from quizapp.progress.records import MODES, Attempt, ReviewState, SessionRecord
from quizapp.progress.store import Store, StoreError, open_store, resolve_home

__all__ = ["MODES", "Attempt", "ReviewState", "SessionRecord", "Store", "StoreError", "open_store", "resolve_home"]
