"""One-hot against torch.nn.functional.one_hot; bag of words by hand."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from solvers.encoding import bag_of_words, one_hot


@pytest.mark.parametrize("label, classes", [(0, 1), (2, 4), (9, 10)])
def test_one_hot_matches_torch(label, classes):
    expected = F.one_hot(torch.tensor(label), classes).numpy()
    vector = one_hot(label=label, num_classes=classes).answer["vector"]
    assert vector.dtype == np.float64
    np.testing.assert_array_equal(vector, expected)


@pytest.mark.parametrize(
    "label, classes, message",
    [(4, 4, "label"), (-1, 3, "label"), (1.5, 3, "whole"), (0, 0, "num_classes"), (float("nan"), 3, "NaN")],
)
def test_one_hot_bad_input(label, classes, message):
    with pytest.raises(ValueError, match=message):
        one_hot(label=label, num_classes=classes)


def test_bag_of_words_counts_lower_case_whitespace_tokens():
    sol = bag_of_words(vocabulary=["the", "Cat", "sat", "mat"], text="The cat sat on the mat. THE end")
    # "mat." keeps its full stop, so it is not the word "mat".
    np.testing.assert_array_equal(sol.answer["vector"], [3.0, 1.0, 1.0, 0.0])
    assert sol.step("ignored").value == ["on", "mat.", "end"]


def test_bag_of_words_empty_text():
    np.testing.assert_array_equal(bag_of_words(vocabulary=["a", "b"], text="  ").answer["vector"], [0, 0])


@pytest.mark.parametrize(
    "vocabulary, text, message",
    [
        (["cat", "CAT"], "cat", "twice"),
        ([], "cat", "empty"),
        (["big cat"], "cat", "one word"),
        ("cat", "cat", "list"),
        (["cat"], 3, "string"),
    ],
)
def test_bag_of_words_bad_input(vocabulary, text, message):
    with pytest.raises(ValueError, match=message):
        bag_of_words(vocabulary=vocabulary, text=text)
