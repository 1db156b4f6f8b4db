"""A quiz as plain logic: which questions, what was answered, grading, flags, time, results.

No Textual here: the screens show a :class:`QuizSession` and forward what the student does to it,
and tests drive it directly. Every graded answer is written to the progress store before
:meth:`QuizSession.submit` returns (a killed terminal loses nothing answered); exam answers are
kept as drafts in the store until the exam is handed in.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from quizapp.progress.records import utcnow
from quizapp.study.record import record
from quizapp.study.seeds import SEED_RANGE, new_seed

if TYPE_CHECKING:
    from question_bank.bank import Bank
    from question_bank.question import Question
    from question_bank.schema import Template
    from quizapp.grading import GradeResult
    from quizapp.progress import SessionRecord, Store

QUIZ_MODES = ("practice", "exam", "review")
DIFFICULTIES: dict[str, int | None] = {"any": None, "easy": 1, "medium": 2, "hard": 3}
MAX_QUESTIONS = 50

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class QuizSettings:
    """What a quiz is made of. The same settings (seed included) always give the same questions."""

    mode: str = "practice"
    topics: tuple[str, ...] = ()  # empty: every topic
    count: int = 5
    difficulty: int | None = None  # None: any
    seed: int = 0
    minutes: int | None = None  # exam time limit
    templates: tuple[str, ...] = ()  # a fixed list of templates (review, retry) instead of a draw

    def __post_init__(self) -> None:
        if self.mode not in QUIZ_MODES:
            raise ValueError(f"unknown quiz mode {self.mode!r}; expected one of: {', '.join(QUIZ_MODES)}")
        if not 1 <= int(self.count) <= MAX_QUESTIONS:
            raise ValueError(f"the number of questions must be 1 to {MAX_QUESTIONS}, got {self.count}")
        if self.difficulty is not None and self.difficulty not in (1, 2, 3):
            raise ValueError(f"difficulty must be 1, 2 or 3, got {self.difficulty}")
        if self.minutes is not None and not self.minutes > 0:
            raise ValueError(f"the time limit must be a positive number of minutes, got {self.minutes}")
        if not 0 <= int(self.seed) < 2**63:
            raise ValueError(f"the seed must be a non-negative whole number, got {self.seed}")

    @property
    def exam(self) -> bool:
        return self.mode == "exam"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["topics"], d["templates"] = list(self.topics), list(self.templates)
        return d

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QuizSettings:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        for key in ("topics", "templates"):
            if key in known:
                known[key] = tuple(known[key])
        return cls(**known)


@dataclass(frozen=True)
class QuestionRef:
    template: str
    seed: int

    def to_dict(self) -> dict[str, Any]:
        return {"template": self.template, "seed": self.seed}


def candidates(bank: Bank, settings: QuizSettings) -> list[Template]:
    """The templates a quiz with these settings draws from (id order)."""
    topics = set(settings.topics)
    return [t for t in (bank.get(i) for i in bank.ids())
            if (not topics or t.topic in topics)
            and (settings.difficulty is None or t.difficulty == settings.difficulty)]


def plan(bank: Bank, settings: QuizSettings) -> list[QuestionRef]:
    """The questions of a quiz: templates and seeds drawn from the quiz seed alone."""
    rng = random.Random(f"quiz:{settings.seed}")  # str seeds hash with SHA-512: stable everywhere
    if settings.templates:
        ids = [t for t in settings.templates if t in bank]
    else:
        pool = [t.id for t in candidates(bank, settings)]
        rng.shuffle(pool)
        ids = pool[: settings.count]
        # More questions than templates: numeric templates again with new numbers (a concept
        # question would only repeat itself).
        again = [t for t in pool if not bank.get(t).is_concept]
        while len(ids) < settings.count and again:
            ids.append(again[(len(ids) - len(pool)) % len(again)])
    if not ids:
        raise ValueError("no questions match these settings: choose more topics or any difficulty")
    return [QuestionRef(t, rng.randrange(SEED_RANGE)) for t in ids]


@dataclass
class Outcome:
    """What happened to one question: the texts given, the grade, the time it took."""

    index: int
    texts: dict[str, str]
    score: float
    correct: bool
    seconds: float | None = None
    skipped: bool = False
    result: GradeResult | None = None  # None until (re)graded, e.g. after a resume
    # Parts handed back ungraded (blank or unreadable), with the reason: not a miss, not recorded.
    handed_back: dict[str, str] = field(default_factory=dict)

    @property
    def returned(self) -> bool:
        """True when the answer came back to the student instead of being graded."""
        return bool(self.handed_back)


@dataclass(frozen=True)
class TopicScore:
    topic: str
    questions: int
    correct: int
    score: float  # sum of partial scores


@dataclass
class Summary:
    total: int
    answered: int
    correct: int
    score: float
    seconds: float
    topics: list[TopicScore] = field(default_factory=list)
    wrong: list[int] = field(default_factory=list)  # indexes not fully right (skipped included)

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.total if self.total else 0.0


def texts_of(result: GradeResult) -> dict[str, str]:
    return {name: r.text for name, r in result.parts.items() if r.text is not None}


def handed_back(result: GradeResult) -> dict[str, str]:
    """The parts grading handed back ungraded (blank or unreadable), each with its reason."""
    return {name: str(getattr(r, "message", "") or "this answer could not be read")
            for name, r in result.parts.items() if getattr(r, "handed_back", False)}


class QuizSession:
    """One quiz in progress. Use :meth:`start` or :meth:`resume`."""

    def __init__(self, bank: Bank, settings: QuizSettings, refs: list[QuestionRef], *,
                 store: Store | None = None, session_id: int | None = None, clock: Clock | None = None,
                 started_at: datetime | None = None) -> None:
        self.bank = bank
        self.settings = settings
        self.refs = refs
        self.store = store
        self.session_id = session_id
        self.clock = clock or utcnow
        self.started_at = started_at or self.clock()
        self.position = 0
        self.outcomes: dict[int, Outcome] = {}
        self.drafts: dict[int, dict[str, str]] = {}
        self.flagged: set[int] = set()
        self.hints_shown: dict[int, int] = {}
        self.finished = False
        self._questions: dict[int, Question] = {}
        self._lock = threading.Lock()
        self._shown_at = self.clock()
        self._deadline: datetime | None = None  # the stored one, when resumed

    # -- creation ---------------------------------------------------------------------------

    @classmethod
    def start(cls, bank: Bank, settings: QuizSettings, store: Store | None = None,
              clock: Clock | None = None) -> QuizSession:
        refs = plan(bank, settings)
        settings = replace(settings, count=len(refs))
        session = cls(bank, settings, refs, store=store, clock=clock)
        if store is not None:
            stored = settings.to_dict()
            if session.deadline is not None:
                stored["deadline"] = session.deadline.isoformat()
            row = store.start_session(settings.mode, stored, [r.to_dict() for r in refs], now=session.started_at)
            session.session_id = row.id
        return session

    @classmethod
    def resume(cls, bank: Bank, store: Store, record: SessionRecord, clock: Clock | None = None) -> QuizSession:
        """The quiz of an unfinished stored session, with its answers, drafts and flags."""
        settings = QuizSettings.from_dict(record.settings)
        refs = [QuestionRef(q["template"], int(q["seed"])) for q in record.questions]
        missing = [r.template for r in refs if r.template not in bank]
        if missing:
            raise ValueError(f"the quiz uses templates no longer in the bank: {', '.join(missing)}")
        session = cls(bank, settings, refs, store=store, session_id=record.id, clock=clock,
                      started_at=record.started_at)
        for index, attempt in store.session_answers(record.id).items():
            texts = {k: v["text"] for k, v in attempt.parts.items()
                     if isinstance(v, dict) and v.get("text") is not None}
            session.outcomes[index] = Outcome(index, texts, attempt.score, attempt.correct, attempt.seconds,
                                              skipped=not texts)
        session._deadline = _stored_deadline(record.settings)
        session.drafts = {int(k): dict(v) for k, v in record.drafts.items()}
        session.flagged = set(record.flagged)
        session.position = min(record.position, len(refs) - 1)
        if not settings.exam and session.position in session.outcomes:
            session.position = session.next_open(session.position) or session.position
        return session

    # -- questions --------------------------------------------------------------------------

    @property
    def count(self) -> int:
        return len(self.refs)

    @property
    def mode(self) -> str:
        return self.settings.mode

    @property
    def exam(self) -> bool:
        return self.settings.exam

    def template(self, index: int | None = None) -> Template:
        return self.bank.get(self.refs[self.position if index is None else index].template)

    def question(self, index: int | None = None) -> Question:
        """The question at ``index`` (default: the current one), instantiated once."""
        index = self.position if index is None else index
        with self._lock:
            cached = self._questions.get(index)
        if cached is None:
            ref = self.refs[index]
            cached = self.bank.instantiate(ref.template, ref.seed)
            with self._lock:
                cached = self._questions.setdefault(index, cached)
        return cached

    def prefetch(self, index: int) -> None:
        """Instantiate a question ahead of time (from a worker thread)."""
        if 0 <= index < self.count:
            self.question(index)

    @property
    def answered(self) -> int:
        return len(self.outcomes)

    def is_done(self) -> bool:
        return self.finished or (not self.exam and self.answered >= self.count)

    def next_open(self, after: int) -> int | None:
        """The first unanswered question after ``after`` (wrapping round), or None."""
        for step in range(1, self.count + 1):
            i = (after + step) % self.count
            if i not in self.outcomes:
                return i
        return None

    def go(self, index: int) -> None:
        if not 0 <= index < self.count:
            raise IndexError(f"question {index + 1} does not exist (the quiz has {self.count})")
        self.position = index
        self._shown_at = self.clock()
        self._deadline: datetime | None = None  # the stored one, when resumed
        if self.store is not None and self.session_id is not None:
            self.store.set_position(self.session_id, index)

    def advance(self) -> bool:
        """Move on to the next open question; False when there is none left."""
        nxt = self.next_open(self.position)
        if nxt is None:
            return False
        self.go(nxt)
        return True

    def hint(self) -> str | None:
        """The next hint of the current question, or None when there are no more."""
        hints = self.question().hints()
        shown = self.hints_shown.get(self.position, 0)
        if shown >= len(hints):
            return None
        self.hints_shown[self.position] = shown + 1
        return hints[shown]

    # -- answering --------------------------------------------------------------------------

    def _elapsed(self) -> float:
        return max(0.0, (self.clock() - self._shown_at).total_seconds())

    def submit(self, texts: Mapping[str, str]) -> Outcome:
        """Grade and save the answers to the current question (practice and review)."""
        if self.exam:
            raise RuntimeError("an exam is graded when it is handed in: use save_draft")
        from quizapp.grading import grade

        result = grade(self.question(), {k: v for k, v in texts.items() if v.strip()})
        back = handed_back(result)
        outcome = Outcome(self.position, texts_of(result), result.score, result.correct, self._elapsed(),
                          result=result, handed_back=back)
        if not back:  # a handed-back answer goes back to the student: not a miss, not saved
            self._record(outcome)
        return outcome

    def skip(self) -> Outcome:
        """Give up on the current question: it counts as wrong and comes back in review."""
        if self.exam:
            raise RuntimeError("in an exam, move on with go() and come back later")
        outcome = Outcome(self.position, {}, 0.0, False, self._elapsed(), skipped=True)
        self._record(outcome)
        return outcome

    def _record(self, outcome: Outcome) -> None:
        self.outcomes[outcome.index] = outcome
        record(self.store, self.template(outcome.index), mode=self.mode, score=outcome.score,
               correct=outcome.correct, result=outcome.result, question=self._questions.get(outcome.index),
               seed=self.refs[outcome.index].seed, seconds=outcome.seconds, session_id=self.session_id,
               question_index=outcome.index, now=self.clock())

    def result(self, index: int) -> GradeResult | None:
        """The full grade of question ``index`` (graded again from the saved texts after a resume);
        None when it was not answered (skipped, or left blank in an exam)."""
        outcome = self.outcomes.get(index)
        if outcome is None or outcome.skipped:
            return None
        if outcome.result is None:
            from quizapp.grading import grade

            outcome.result = grade(self.question(index), outcome.texts)
        return outcome.result

    # -- exams ------------------------------------------------------------------------------

    def partly_answered(self) -> list[int]:
        """The exam questions with an answer to some of their parts but not all (0-based, in order):
        worth a word before handing in, as a blank part scores nothing."""
        return [i for i in sorted(self.drafts) if len(self.drafts[i]) < len(self.question(i).parts)]

    def save_draft(self, texts: Mapping[str, str], index: int | None = None) -> None:
        """Keep an exam answer (committed to the store at once) until the exam is handed in."""
        index = self.position if index is None else index
        kept = {k: v for k, v in texts.items() if v.strip()}
        if kept == self.drafts.get(index, {}):
            return
        if kept:
            self.drafts[index] = kept
        else:
            self.drafts.pop(index, None)
        if self.store is not None and self.session_id is not None:
            self.store.save_draft(self.session_id, index, kept or None)

    def toggle_flag(self, index: int | None = None) -> bool:
        index = self.position if index is None else index
        self.flagged ^= {index}
        if self.store is not None and self.session_id is not None:
            self.store.set_flagged(self.session_id, self.flagged)
        return index in self.flagged

    @property
    def deadline(self) -> datetime | None:
        """When a timed exam ends, on the wall clock (None without a limit).

        The deadline itself is stored, not the time left, so the clock runs on while the app is
        closed or killed: a resumed exam past its deadline is handed in."""
        if not self.exam or not self.settings.minutes:
            return None
        return self._deadline or self.started_at + timedelta(minutes=self.settings.minutes)

    def deadline_seconds(self) -> float | None:
        """Seconds left in a timed exam (negative once over), or None without a limit."""
        deadline = self.deadline
        return None if deadline is None else (deadline - self.clock()).total_seconds()

    def time_up(self) -> bool:
        left = self.deadline_seconds()
        return left is not None and left <= 0

    def hand_in(self) -> Summary:
        """Grade every exam question from its draft (unanswered ones count as wrong) and finish."""
        if not self.exam:
            raise RuntimeError("only an exam is handed in")
        from quizapp.grading import grade

        per_question = None
        if self.count:
            total = (self.clock() - self.started_at).total_seconds()
            per_question = max(0.0, total) / self.count
        for index in range(self.count):
            if index in self.outcomes:
                continue
            texts = self.drafts.get(index, {})
            result = grade(self.question(index), texts) if texts else None
            if result is not None and len(handed_back(result)) < len(result.parts):
                outcome = Outcome(index, texts_of(result), result.score, result.correct, per_question,
                                  result=result)
            else:  # blank, or every part handed back: unanswered
                outcome = Outcome(index, {}, 0.0, False, per_question, skipped=True)
            self._record(outcome)
        return self.finish()

    # -- the end ----------------------------------------------------------------------------

    def finish(self) -> Summary:
        if not self.finished:
            self.finished = True
            if self.store is not None and self.session_id is not None:
                self.store.finish_session(self.session_id, now=self.clock())
        return self.summary()

    def summary(self) -> Summary:
        by_topic: dict[str, list[Outcome]] = {}
        for i in range(self.count):
            outcome = self.outcomes.get(i)
            by_topic.setdefault(self.template(i).topic, [])
            if outcome is not None:
                by_topic[self.template(i).topic].append(outcome)
        topics = []
        for topic in sorted(by_topic):
            n = sum(1 for i in range(self.count) if self.template(i).topic == topic)
            got = by_topic[topic]
            topics.append(TopicScore(topic, n, sum(o.correct for o in got), sum(o.score for o in got)))
        outcomes = list(self.outcomes.values())
        return Summary(
            total=self.count,
            answered=sum(not o.skipped for o in outcomes),
            correct=sum(o.correct for o in outcomes),
            score=sum(o.score for o in outcomes),
            seconds=sum(o.seconds or 0.0 for o in outcomes),
            topics=topics,
            wrong=[i for i in range(self.count) if not (i in self.outcomes and self.outcomes[i].correct)],
        )

    def retry_settings(self, seed: int | None = None) -> QuizSettings | None:
        """A practice quiz on the templates answered wrong here, with new numbers; None if none."""
        wrong = [self.refs[i].template for i in self.summary().wrong]
        if not wrong:
            return None
        return QuizSettings(mode="practice", count=len(wrong), seed=new_seed() if seed is None else seed,
                            templates=tuple(wrong))


def review_settings(store: Store, bank: Bank, now: datetime | None = None, limit: int = 10,
                    seed: int | None = None) -> QuizSettings | None:
    """A review quiz over the templates due now (longest overdue first); None when nothing is due."""
    due = [t for t in store.due_templates(now=now) if t in bank][:limit]
    if not due:
        return None
    return QuizSettings(mode="review", count=len(due), seed=new_seed() if seed is None else seed,
                        templates=tuple(due))


def _stored_deadline(settings: Mapping[str, Any]) -> datetime | None:
    """The exam deadline saved with a session (None for older sessions: the start time gives it)."""
    try:
        deadline = datetime.fromisoformat(str(settings["deadline"]))
    except (KeyError, ValueError):
        return None
    return deadline if deadline.tzinfo else deadline.replace(tzinfo=timezone.utc)
