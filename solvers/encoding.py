"""One-hot and bag-of-words encodings.

Bag of words tokenizes the simplest way a student can do by hand: lower-case the text and split
it on whitespace. Punctuation stays attached to its word ("cat." is not "cat"), and words not in
the vocabulary are ignored. Vocabulary entries are compared lower-case as well.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from solvers import validate
from solvers.registry import solver
from solvers.steps import Recorder, Solution


def _whole(value: Any, name: str) -> int:
    number = validate.scalar(value, name)
    if number != int(number):
        raise ValueError(f"{name} must be a whole number, got {value}")
    return int(number)


@solver("one_hot")
def one_hot(label: Any, num_classes: Any, overrides: dict[str, Any] | None = None) -> Solution:
    """{vector}: length ``num_classes``, 1 at index ``label`` (classes count from 0), 0 elsewhere."""
    c = _whole(num_classes, "num_classes")
    y = _whole(label, "label")
    if c < 1:
        raise ValueError(f"num_classes must be at least 1, got {c}")
    if not 0 <= y < c:
        raise ValueError(f"label must be a class index from 0 to {c - 1}, got {y}")
    rec = Recorder(overrides)
    vector = np.zeros(c)
    vector[y] = 1.0
    vector = rec.note("vector", f"1 at position {y} of {c}, 0 elsewhere", vector)
    return rec.solution(vector=np.asarray(vector, dtype=np.float64))


def tokens(text: str) -> list[str]:
    """Lower-case whitespace tokens of ``text``."""
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    return text.lower().split()


def _vocabulary(vocabulary: Sequence[str]) -> list[str]:
    if isinstance(vocabulary, str) or not all(isinstance(w, str) for w in vocabulary):
        raise ValueError("vocabulary must be a list of words")
    words = [w.lower() for w in vocabulary]
    if not words:
        raise ValueError("vocabulary is empty")
    if any(not w or w != w.strip() or len(w.split()) != 1 for w in words):
        raise ValueError("vocabulary: every entry must be one word without spaces")
    if len(set(words)) != len(words):
        raise ValueError("vocabulary: a word is listed twice (after lower-casing)")
    return words


@solver("bag_of_words")
def bag_of_words(
    vocabulary: Sequence[str], text: str, binary: bool = False, overrides: dict[str, Any] | None = None
) -> Solution:
    """{vector}: how many times each vocabulary word occurs in ``text``, in vocabulary order.
    ``binary=True`` (1 if present) is the slip of marking presence, for the checker."""
    words = _vocabulary(vocabulary)
    toks = tokens(text)
    rec = Recorder(overrides)
    rec.note("tokens", "lower-case words of the text", toks)
    ignored = [t for t in toks if t not in words]
    if ignored:
        rec.note("ignored", "words not in the vocabulary (not counted)", ignored)
    vector = np.array([float(min(toks.count(w), 1) if binary else toks.count(w)) for w in words])
    vector = rec.note("vector", "count of each vocabulary word: " + ", ".join(words), vector)
    return rec.solution(vector=np.asarray(vector, dtype=np.float64))
