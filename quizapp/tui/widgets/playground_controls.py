"""The playground's control panel: every ``Settings`` field as a compact, scrollable form.

The panel reads itself into a :class:`~quizapp.playground.session.Settings` (which validates) and
posts :class:`PlaygroundControls.Changed` on every edit, with the settings or the error that
names the bad field; :meth:`PlaygroundControls.show` fills it in from settings without posting.
Noise and the training split are shown in percent, as the TensorFlow Playground shows them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Checkbox, Input, Label, Select

from quizapp.playground.datasets import DATASETS
from quizapp.playground.features import FEATURES, LABELS
from quizapp.playground.network import ACTIVATIONS
from quizapp.playground.session import OPTIMIZERS, Settings

DATASET_NAMES = {"xor": "XOR", "circle": "Circle", "gauss": "Gaussian blobs", "moons": "Two moons",
                 "spiral": "Spiral"}
OPTIMIZER_NAMES = {"sgd": "SGD", "momentum": "Momentum", "adam": "Adam", "rmsprop": "RMSProp"}
ACTIVATION_NAMES = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "linear": "Linear"}

# (input id, label, Settings -> text, text -> value for Settings); percent fields scale by 100
_NUMBERS: tuple[tuple[str, str, Callable[[Settings], str], Callable[[str], Any]], ...] = (
    ("points", "Points", lambda s: str(s.points), lambda t: _whole(t, "points")),
    ("noise", "Noise %", lambda s: f"{s.noise * 100:g}", lambda t: _number(t, "noise") / 100),
    ("train_ratio", "Train %", lambda s: f"{s.train_ratio * 100:g}", lambda t: _number(t, "train %") / 100),
    ("hidden", "Hidden", lambda s: ",".join(map(str, s.hidden)), lambda t: _layers(t)),
    ("lr", "Rate", lambda s: f"{s.lr:g}", lambda t: _number(t, "learning rate")),
    ("l1", "L1", lambda s: f"{s.l1:g}", lambda t: _number(t, "L1")),
    ("l2", "L2", lambda s: f"{s.l2:g}", lambda t: _number(t, "L2")),
    ("batch_size", "Batch", lambda s: str(s.batch_size), lambda t: _whole(t, "batch size")),
    ("dropout", "Dropout", lambda s: f"{s.dropout:g}", lambda t: _number(t, "dropout")),
    ("seed", "Seed", lambda s: str(s.seed), lambda t: _whole(t, "seed")),
)
_SELECTS = {
    "dataset": ("Data set", DATASET_NAMES, DATASETS),
    "activation": ("Activation", ACTIVATION_NAMES, ACTIVATIONS),
    "optimizer": ("Optimizer", OPTIMIZER_NAMES, OPTIMIZERS),
}
_TOOLTIPS = {
    "hidden": "neurons per hidden layer, e.g. 4,2; empty or 0 for none (up to 6 layers of 8)",
    "batch_size": "examples per step; 0 = the full batch",
    "dropout": "probability of dropping a hidden unit while training",
    "l1": "α in α·Σ|w| (weights only)",
    "l2": "α in α·Σw² (weights only)",
}


def _number(text: str, name: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{name}: {text.strip()!r} is not a number") from None


def _whole(text: str, name: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{name}: {text.strip()!r} is not a whole number") from None


def _layers(text: str) -> tuple[int, ...]:
    parts = [p for p in text.replace(" ", ",").split(",") if p]
    sizes = tuple(_whole(p, "hidden") for p in parts)
    return () if sizes == (0,) else sizes


class PlaygroundControls(VerticalScroll):
    """Data, features, network and training settings; ``c`` on the screen hides it."""


    class Changed(Message):
        """The form was edited: ``settings`` if they are valid, else ``error`` says why not."""

        def __init__(self, settings: Settings | None, error: str | None, show_test: bool) -> None:
            super().__init__()
            self.settings, self.error, self.show_test = settings, error, show_test

    def __init__(self, settings: Settings, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._initial = settings

    def compose(self) -> ComposeResult:
        s = self._initial
        yield Label("Data", classes="pg-heading pg-first")
        yield from self._select_row("dataset", s.dataset)
        for key in ("points", "noise", "train_ratio", "seed"):
            yield from self._input_row(key, s)
        yield Checkbox("Show test data", True, compact=True, id="pg-show_test")
        yield Label("Features", classes="pg-heading")
        for name in FEATURES:
            yield Checkbox(LABELS[name], name in s.features, compact=True, id=f"pg-f-{name}")
        yield Label("Network", classes="pg-heading")
        yield from self._input_row("hidden", s)
        yield from self._select_row("activation", s.activation)
        yield Label("Training", classes="pg-heading")
        yield from self._select_row("optimizer", s.optimizer)
        for key in ("lr", "batch_size", "l1", "l2", "dropout"):
            yield from self._input_row(key, s)

    def _select_row(self, key: str, value: str) -> ComposeResult:
        label, names, values = _SELECTS[key]
        with Horizontal(classes="pg-row"):
            yield Label(label)
            yield Select([(names[v], v) for v in values], value=value, allow_blank=False, compact=True,
                         id=f"pg-{key}")

    def _input_row(self, key: str, s: Settings) -> ComposeResult:
        _, label, show, _ = next(row for row in _NUMBERS if row[0] == key)
        with Horizontal(classes="pg-row"):
            yield Label(label)
            yield Input(show(s), compact=True, id=f"pg-{key}", tooltip=_TOOLTIPS.get(key))

    # ----- reading and writing ------------------------------------------------------------
    def read(self) -> Settings:
        """The settings on the form; ValueError naming the first bad field."""
        values: dict[str, Any] = {key: self.query_one(f"#pg-{key}", Select).value for key in _SELECTS}
        for key, _, _, parse in _NUMBERS:
            values[key] = parse(self.query_one(f"#pg-{key}", Input).value)
        values["features"] = tuple(n for n in FEATURES if self.query_one(f"#pg-f-{n}", Checkbox).value)
        return Settings(**values)

    @property
    def show_test(self) -> bool:
        return self.query_one("#pg-show_test", Checkbox).value

    def show(self, settings: Settings) -> None:
        """Fill the form in from ``settings`` without posting ``Changed``."""
        with self.prevent(Input.Changed, Select.Changed, Checkbox.Changed):
            for key in _SELECTS:
                self.query_one(f"#pg-{key}", Select).value = getattr(settings, key)
            for key, _, show, _ in _NUMBERS:
                self.query_one(f"#pg-{key}", Input).value = show(settings)
            for name in FEATURES:
                self.query_one(f"#pg-f-{name}", Checkbox).value = name in settings.features

    # ----- edits --------------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        self._changed(event)

    def on_select_changed(self, event: Select.Changed) -> None:
        self._changed(event)

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self._changed(event)

    def _changed(self, event: Message) -> None:
        event.stop()
        try:
            settings, error = self.read(), None
        except ValueError as exc:
            settings, error = None, str(exc)
        self.post_message(self.Changed(settings, error, self.show_test))
