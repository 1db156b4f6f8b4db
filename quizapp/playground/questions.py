"""Multiple-choice questions about what the playground shows, answered by running the training core.

A question never states its answer by hand: it trains the networks it asks about, reads the key
off the runs (accuracy reached, shape of the loss curve), and returns those runs as the
explanation, so a UI can replay them. Building a question trains a few small networks (about a
second): a UI should build it off its event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from quizapp.playground.render import sparkline
from quizapp.playground.session import PlaygroundSession, Settings, State

FITS = 0.95  # accuracy that counts as "fits the data"
SHAPES = {
    "decreases": "it falls steadily, as with a small learning rate (only faster)",
    "unstable": "it jumps up and down and does not settle: each step overshoots the minimum",
    "diverges": "it grows without bound until it is no longer a number (NaN): training diverges",
    "flat": "it barely changes: the steps are too small to matter",
}


@dataclass(frozen=True)
class Run:
    """One training run: its settings, how long it trained, and where it ended."""

    settings: Settings
    steps: int
    state: State

    @property
    def shape(self) -> str:
        return curve_shape(self.state.train_losses)

    def summary(self) -> str:
        st, losses = self.state, np.asarray(self.state.train_losses)
        lowest = np.nanmin(losses) if np.isfinite(losses).any() else float("nan")
        return (
            f"{self.settings.describe()}\n"
            f"  after {st.step} steps: train accuracy {st.train_accuracy:.0%}, test accuracy "
            f"{st.test_accuracy:.0%}; training loss {losses[0]:.3g} -> {losses[-1]:.3g} "
            f"(lowest {lowest:.3g}): {self.shape}\n"
            f"  {sparkline(losses, 48)}"
        )


def run(settings: Settings, steps: int) -> Run:
    """Train a fresh network with ``settings`` for ``steps`` steps."""
    state = PlaygroundSession(settings).step(steps)
    return Run(settings, steps, state)


def curve_shape(losses: tuple[float, ...] | np.ndarray) -> str:
    """How a loss curve behaves: "diverges", "unstable", "decreases" or "flat".

    "unstable": over the second half the loss spans more than half its starting value and climbs,
    in total, more than its starting value. Calibrated on 300-step runs of every data set and
    optimizer: at learning rate 0.03 the span stays below 0.4 of the start, at 10 it exceeds 3.
    "decreases": ends below 90% of its start; "flat": anything else.
    """
    v = np.asarray(losses, dtype=np.float64)
    if not np.isfinite(v).all():
        return "diverges"
    late = v[len(v) // 2:]
    diffs = np.diff(late)
    if late.max() - late.min() > 0.5 * v[0] and diffs[diffs > 0].sum() > v[0]:
        return "unstable"
    return "decreases" if v[-1] < 0.9 * v[0] else "flat"


@dataclass(frozen=True)
class PlaygroundQuestion:
    kind: str
    prompt: str
    options: tuple[str, ...]
    answer: int  # index into options
    runs: tuple[Run, ...]
    explanation: str

    @property
    def answer_key(self) -> str:
        return "ABCDEFGH"[self.answer]

    def is_correct(self, choice: int | str) -> bool:
        """``choice`` as an index or a letter."""
        if isinstance(choice, str):
            return choice.strip().upper() == self.answer_key
        return choice == self.answer


def _shuffled(kind: str, prompt: str, options: list[str], answer: int, runs: tuple[Run, ...],
              explanation: str, seed: int) -> PlaygroundQuestion:
    order = np.random.default_rng(seed).permutation(len(options)).tolist()
    return PlaygroundQuestion(kind, prompt, tuple(options[i] for i in order), order.index(answer), runs,
                              explanation)


def _runs_text(runs: tuple[Run, ...]) -> str:
    return "\n".join(f"Run {i}: {r.summary()}" for i, r in enumerate(runs, start=1))


# ----- the questions ---------------------------------------------------------------------

def xor_no_hidden(base: Settings, seed: int = 0) -> PlaygroundQuestion:
    linear = base.replace(dataset="xor", hidden=(), features=("x1", "x2"))
    runs = (
        run(linear, 400),
        run(linear.replace(lr=linear.lr * 10), 400),
        run(linear.replace(hidden=(4,), activation="tanh", optimizer="adam", lr=0.05, batch_size=0), 800),
    )
    fits, fits_faster = (r.state.train_accuracy >= FITS for r in runs[:2])
    answer = 0 if fits else 2 if fits_faster else 1
    options = [
        "Yes: after enough steps it classifies every training point correctly",
        "No: its decision boundary is a straight line, and no straight line separates XOR",
        "Only with a larger learning rate",
        "Only with ReLU instead of tanh",
    ]
    why = (
        f"With no hidden layer the model is σ(w₁x₁ + w₂x₂ + b): there is no activation to change, and "
        f"the boundary w₁x₁ + w₂x₂ + b = 0 is a line. Run 1 stops at "
        f"{runs[0].state.train_accuracy:.0%} training accuracy, and ten times the learning rate "
        f"(run 2) reaches {runs[1].state.train_accuracy:.0%}. One hidden layer of 4 tanh neurons "
        f"(run 3) reaches {runs[2].state.train_accuracy:.0%}: the hidden neurons bend the boundary."
    )
    prompt = (f"The network has no hidden layer and only x₁, x₂ as inputs ({linear.optimizer}, "
              f"learning rate {linear.lr:g}). Can it fit the XOR data set?")
    return _shuffled("xor-no-hidden", prompt, options, answer, runs, f"{why}\n\n{_runs_text(runs)}", seed)


def learning_rate_10(base: Settings, seed: int = 0) -> PlaygroundQuestion:
    fast = base.replace(lr=10.0)
    usual = base.replace(lr=base.lr if base.lr < 1 else 0.03)
    runs = (run(fast, 300), run(usual, 300))
    answer_shape = runs[0].shape
    keys = list(SHAPES)
    options = [SHAPES[k][0].upper() + SHAPES[k][1:] for k in keys]
    why = (
        f"Run 1, learning rate 10: {SHAPES[answer_shape]}. Run 2, learning rate {usual.lr:g}: "
        f"{SHAPES[runs[1].shape]}. A step of 10 times the gradient can be far longer than the "
        f"distance to the minimum along steep directions, and then the weights overshoot."
    )
    prompt = (f"On screen: {base.describe()}. The learning rate is set to 10. "
              f"What happens to the training loss over 300 steps?")
    return _shuffled("learning-rate-10", prompt, options, keys.index(answer_shape), runs,
                     f"{why}\n\n{_runs_text(runs)}", seed)


_CIRCLE_OPTIONS = {
    "x₁² and x₂²": ("x1sq", "x2sq"),
    "x₁x₂": ("x1x2",),
    "sin x₁ and sin x₂": ("sinx1", "sinx2"),
}


def circle_feature(base: Settings, seed: int = 0) -> PlaygroundQuestion:
    linear = base.replace(dataset="circle", hidden=(), features=("x1", "x2"))
    runs = tuple(run(linear.replace(features=("x1", "x2", *extra)), 500) for extra in _CIRCLE_OPTIONS.values())
    accuracies = [r.state.train_accuracy for r in runs]
    best = int(np.argmax(accuracies))
    answer = best if accuracies[best] >= FITS else len(runs)
    options = [*_CIRCLE_OPTIONS, "None of these: it needs a hidden layer"]
    why = (
        "With no hidden layer the boundary is where w·features + b = 0. Each added input was tried "
        "(runs 1-3): " + ", ".join(f"{name}: {acc:.0%}" for name, acc in zip(_CIRCLE_OPTIONS, accuracies))
        + ". With x₁² and x₂² the boundary w₃x₁² + w₄x₂² + w₁x₁ + w₂x₂ + b = 0 can be a circle."
    )
    prompt = ("A network with no hidden layer and inputs x₁, x₂ cannot fit the circle data set. "
              "Which added input lets it fit the circle?")
    return _shuffled("circle-feature", prompt, options, answer, runs, f"{why}\n\n{_runs_text(runs)}", seed)


QUESTIONS: dict[str, Callable[[Settings, int], PlaygroundQuestion]] = {
    "xor-no-hidden": xor_no_hidden,
    "learning-rate-10": learning_rate_10,
    "circle-feature": circle_feature,
}
_FOR_DATASET = {"xor": "xor-no-hidden", "circle": "circle-feature"}


def questions_for(settings: Settings) -> list[str]:
    """The question kinds, the ones about what is on screen first."""
    first = [_FOR_DATASET[settings.dataset]] if settings.dataset in _FOR_DATASET else []
    return first + [k for k in QUESTIONS if k not in first]


def make_question(kind: str, base: Settings | None = None, seed: int = 0) -> PlaygroundQuestion:
    """Question ``kind`` built on the settings on screen (``base``); ``seed`` orders the options."""
    if kind not in QUESTIONS:
        raise ValueError(f"unknown playground question {kind!r}; expected one of: {', '.join(QUESTIONS)}")
    return QUESTIONS[kind](base or Settings(), seed)

