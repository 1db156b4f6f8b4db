"""kNN, linear models, encodings and the learning-rate schedule by hand (conventions.md,
"Classic classifiers", "Gradient descent and schedules")."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from tests.oracles.base import arr, convention, honest, identity, mistake, mistakes

# -- kNN -----------------------------------------------------------------------------------------


def _knn(p, r=identity, metric=None, k=None):
    metric, k = metric or p["metric"], k or p["k"]
    diff = np.abs(arr(p["train_x"]) - arr(p["query"]))
    d = diff.sum(axis=1) if metric == "l1" else np.array([r(math.sqrt(s)) for s in (diff**2).sum(axis=1)])
    order = sorted(range(len(d)), key=lambda i: (d[i], i))[:k]  # equal distance: lower index first
    labels = [int(p["train_y"][i]) for i in order]
    votes = Counter(labels)
    top = max(votes.values())
    # a tied vote goes to the class whose nearest member is closest, i.e. first in ``order``
    return next(c for c in labels if votes[c] == top)


@honest("knn")
def knn(p, r):
    return {"label": _knn(p, r)}


@mistakes("knn")
def knn_mistakes(p):
    other = "l2" if p["metric"] == "l1" else "l1"
    out = {
        "other-distance": mistake(label=_knn(p, metric=other)),
        "one-neighbour-too-many": mistake(label=_knn(p, k=p["k"] + 1)),
    }
    if p["k"] > 1:
        out["nearest-neighbour-only"] = mistake(label=_knn(p, k=1))
    return out


# -- linear models -------------------------------------------------------------------------------


def _score(p, sign_b=1.0):
    return float(arr(p["w"]) @ arr(p["x"]) + sign_b * p["b"])


@honest("linear-classify")
def linear_classify(p, r):
    s = _score(p)
    return {"score": s, "label": 1 if s >= 0 else -1}


@mistakes("linear-classify")
def linear_classify_mistakes(p):
    s = _score(p, -1.0)
    return {"minus-b": convention(score=s, label=1 if s >= 0 else -1)}


@honest("logistic-regression")
def logistic_regression(p, r):
    s = _score(p)
    return {"p": 1.0 / (1.0 + r(math.exp(-s)))}


@mistakes("logistic-regression")
def logistic_regression_mistakes(p):
    s = _score(p)
    return {
        "sigmoid-sign-typo": mistake(p=1.0 / (1.0 + math.exp(s))),
        "bias-forgotten": mistake(p=1.0 / (1.0 + math.exp(-_score(p, 0.0)))),
    }


@honest("support-vector")
def support_vector(p, r):
    m = p["y"] * _score(p)
    return {"value": m, "support": "True" if m == 1 else "False"}


@mistakes("support-vector")
def support_vector_mistakes(p):
    s = _score(p)
    return {"label-forgotten": mistake(value=s, support="True" if s == 1 else "False")}


@honest("svm-margin")
def svm_margin(p, r):
    norm = r(math.sqrt(float(arr(p["w"]) @ arr(p["w"]))))
    return {"margin": 2 / norm}


@mistakes("svm-margin")
def svm_margin_mistakes(p):
    sq = float(arr(p["w"]) @ arr(p["w"]))
    return {
        "one-over-norm": mistake(margin=1 / math.sqrt(sq)),
        "two-over-squared-norm": mistake(margin=2 / sq),
    }


# -- encodings -----------------------------------------------------------------------------------


@honest("bag-of-words")
def bag_of_words(p, r):
    words = p["text"].lower().split(" ")
    return {"vector": np.array([float(words.count(v)) for v in p["vocabulary"]])}


@mistakes("bag-of-words")
def bag_of_words_mistakes(p):
    words = p["text"].lower().split(" ")
    return {"presence-not-count": mistake(vector=np.array([float(v in words) for v in p["vocabulary"]]))}


def _onehot(index, n):
    v = np.zeros(n)
    v[index] = 1.0
    return v


@honest("one-hot")
def one_hot(p, r):
    return {"vector": _onehot(p["label"], len(p["classes"]))}


@mistakes("one-hot")
def one_hot_mistakes(p):
    n, label = len(p["classes"]), p["label"]
    out = {}
    if label + 1 < n:
        out["numbered-from-one"] = mistake(vector=_onehot(label + 1, n))
    if label >= 1:
        out["shifted-down-by-one"] = mistake(vector=_onehot(label - 1, n))
    return out


# -- learning-rate schedule ----------------------------------------------------------------------


def _decay(p, r=identity, k=None, clamp=True, swapped=False):
    k, tau, lr0, lr_tau = p["k"] if k is None else k, p["tau"], p["lr0"], p["lr_tau"]
    if clamp and k > tau:
        return lr_tau
    a = r(k / tau)
    return a * lr0 + (1 - a) * lr_tau if swapped else (1 - a) * lr0 + a * lr_tau


@honest("lr-linear-decay")
def lr_linear_decay(p, r):
    return {"lr": _decay(p, r)}


@mistakes("lr-linear-decay")
def lr_linear_decay_mistakes(p):
    return {
        "one-step-late": mistake(lr=_decay(p, k=p["k"] + 1)),
        "not-clamped-after-tau": mistake(lr=_decay(p, clamp=False)),
        "weights-swapped": mistake(lr=_decay(p, swapped=True)),
    }
