"""Output-layer deltas: a hand-worked example and bad input named (autograd checks: the template test)."""

from __future__ import annotations

import numpy as np
import pytest

from solvers.output_delta import output_delta_sigmoid, output_delta_softmax


def test_sigmoid_delta_by_hand():
    # s = 0: y = 0.5, σ'(0) = 0.25; t = 1: δ = (0.5 - 1)·0.25 = -0.125; ∂E/∂W = δ·h.
    sol = output_delta_sigmoid(s=[0.0], t=[1.0], h=[2.0, 4.0])
    np.testing.assert_allclose(sol.answer["delta"], [-0.125])
    np.testing.assert_allclose(sol.answer["grad_W"], [[-0.25, -0.5]])
    assert output_delta_sigmoid(s=[0.0], t=[1.0], h=[2.0], error="t - y").answer["delta"][0] == pytest.approx(0.125)


def test_softmax_delta_by_hand():
    # Equal logits: p = 1/2 each; label 0: δ = [1/2 - 1, 1/2].
    sol = output_delta_softmax(s=[1.0, 1.0], label=0, h=[1.0])
    np.testing.assert_allclose(sol.answer["delta"], [-0.5, 0.5])


@pytest.mark.parametrize(("call", "words"), [
    (lambda: output_delta_sigmoid(s=[0.0, 1.0], t=[1.0], h=[1.0]), "mismatched shapes"),
    (lambda: output_delta_sigmoid(s=[0.0], t=[1.0], h=[1.0], loss="cubic"), "unknown loss"),
    (lambda: output_delta_softmax(s=[0.0, 1.0], label=5, h=[1.0]), "label"),
])
def test_bad_input_is_named(call, words):
    with pytest.raises(ValueError, match=words):
        call()
