"""Batch, layer and instance normalization: forward, backward, running statistics, worked solutions.

Conventions (PyTorch): normalize with the biased variance (divide by n), keep ``running_var`` with
the unbiased batch variance (divide by n - 1), r <- (1 - m) r + m·stat with m = 0.1, eps = 1e-5;
batch norm in evaluation normalizes with the running statistics.

The plain functions (``batchnorm_forward``, ``layernorm_forward``, ``instancenorm_forward``,
``norm_backward``) return statistics in their keep-dims shape (batch norm 1×C×1×1, layer norm
N×1×1×1, instance norm N×C×1×1) so they broadcast against x. The registered solvers answer with the
reduced axes dropped (batch norm: one value per channel), which is how a student writes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from solvers import validate
from solvers.registry import solver
from solvers.steps import NULL, Recorder, Solution

EPS = 1e-5
MOMENTUM = 0.1
KINDS = ("batch", "layer", "instance")
MODES = ("train", "eval")
VARIANCES = ("biased", "unbiased")

_MIN_NDIM = {"batch": 2, "layer": 2, "instance": 3}
_LAYOUT = {"batch": "N×D or N×C×...", "layer": "N×D or N×C×...", "instance": "N×C×L or N×C×H×W"}
_OVER = {
    "batch": "each channel over the batch and positions",
    "layer": "each example over its features",
    "instance": "each channel of each example over its positions",
}


# ---------------------------------------------------------------------------- shapes


def stats_axes(kind: str, ndim: int) -> tuple[int, ...]:
    """The axes of an ``ndim``-d input that ``kind`` norm averages over."""
    validate.choice(kind, "normalization kind", KINDS)
    if ndim < _MIN_NDIM[kind]:
        raise ValueError(f"x: {kind} norm needs a {_LAYOUT[kind]} input, got {ndim}-d")
    if kind == "batch":
        return (0, *range(2, ndim))
    if kind == "layer":
        return tuple(range(1, ndim))
    return tuple(range(2, ndim))


def stats_shape(kind: str, shape: tuple[int, ...]) -> tuple[int, ...]:
    """Shape of the mean and variance, reduced axes kept as 1 (N×C×H×W batch norm: 1×C×1×1)."""
    axes = stats_axes(kind, len(shape))
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def _param_axes(kind: str, ndim: int) -> tuple[int, ...]:
    """The axes along which γ and β are shared (broadcast)."""
    stats_axes(kind, ndim)
    return (0,) if kind == "layer" else tuple(i for i in range(ndim) if i != 1)


def param_shape(kind: str, shape: tuple[int, ...]) -> tuple[int, ...]:
    """Shape of γ and β as they broadcast: 1×C×1×1, or 1×C×H×W for layer norm."""
    ones = _param_axes(kind, len(shape))
    return tuple(1 if i in ones else s for i, s in enumerate(shape))


def _feature_shape(kind: str, pshape: tuple[int, ...]) -> tuple[int, ...]:
    """γ's shape as PyTorch stores it: (C,), or the normalized shape C×H×W for layer norm."""
    return tuple(pshape[1:]) if kind == "layer" else (pshape[1],)


@dataclass(frozen=True)
class _Frame:
    """Geometry of one normalization of an input of a given shape."""

    kind: str
    axes: tuple[int, ...]
    keep: tuple[int, ...]  # statistics' shape with reduced axes kept (broadcasts against x)
    flat: tuple[int, ...]  # statistics' shape with reduced axes dropped (what a student writes)
    params: tuple[int, ...]  # γ, β as they broadcast
    features: tuple[int, ...]  # γ, β as given and reported
    n: int  # values behind each statistic


def _frame(kind: str, shape: tuple[int, ...]) -> _Frame:
    axes = stats_axes(kind, len(shape))
    pshape = param_shape(kind, shape)
    return _Frame(
        kind=kind,
        axes=axes,
        keep=stats_shape(kind, shape),
        flat=tuple(s for i, s in enumerate(shape) if i not in axes),
        params=pshape,
        features=_feature_shape(kind, pshape),
        n=int(np.prod([shape[i] for i in axes])),
    )


def _over(fr: _Frame) -> str:
    """What one statistic averages, in the words of the input's shape (an N×D batch has no positions)."""
    if fr.kind == "batch" and len(fr.keep) == 2:
        return "each feature over the batch"
    return _OVER[fr.kind]


# ---------------------------------------------------------------------------- input checks


def _input(x: Any, kind: str) -> np.ndarray:
    arr = validate.array(x, "x")
    stats_axes(kind, arr.ndim)
    if arr.size == 0:
        raise ValueError(f"x: empty input, shape {arr.shape}")
    return arr


def _per_feature(value: Any, name: str, fr: _Frame, shape: tuple[int, ...]) -> np.ndarray:
    """A per-feature array in ``shape``; a single number means the same value for every feature."""
    arr = validate.array(value, name)
    if arr.ndim == 0:
        return np.full(shape, float(arr))
    if arr.shape in (fr.features, fr.params):
        return arr.reshape(shape)
    raise ValueError(f"{name}: expected shape {fr.features} (one value per feature), got {arr.shape}")


def _eps(eps: Any) -> float:
    # eps = 0 is allowed: hand-worked questions often leave it out.
    return validate.positive(validate.scalar(eps, "eps"), "eps", strict=False)


def _momentum(momentum: Any) -> float:
    m = validate.scalar(momentum, "momentum")
    if not 0.0 <= m <= 1.0:
        raise ValueError(f"momentum must be in [0, 1], got {m}")
    return m


def _running(value: Any, name: str, fr: _Frame) -> np.ndarray:
    arr = _per_feature(value, name, fr, fr.flat)
    if name == "running_var" and np.any(arr < 0):
        raise ValueError("running_var: a variance cannot be negative")
    return arr


# ---------------------------------------------------------------------------- forward


@dataclass(frozen=True)
class NormResult:
    """One forward pass; ``mean``/``var`` in keep-dims shape (``stats_shape``)."""

    kind: str
    out: np.ndarray
    mean: np.ndarray
    var: np.ndarray  # the variance that normalized x (biased in training)
    x_hat: np.ndarray
    gamma: np.ndarray  # in ``param_shape``
    eps: float
    batch_stats: bool  # False when the statistics were constants (batch norm evaluation)
    running_mean: np.ndarray | None = None  # updated running statistics, shape (C,)
    running_var: np.ndarray | None = None


DIVISORS = ("std", "variance")


def _batch_stats(rec: Recorder, fr: _Frame, x: np.ndarray, variance: str) -> tuple[np.ndarray, np.ndarray,
                                                                                  np.ndarray]:
    """(mean, deviations x - μ, variance) as a student works them: the mean, each deviation, each
    squared deviation, then their average. Later steps use the recorded (possibly given) values."""
    mean = rec.step("mean", f"mean of {_over(fr)}", "(1/{n}) Σ x", x.mean(axis=fr.axes), n=fr.n)
    dev = _deviations(rec, fr, x, mean)
    squares = rec.step("sq_dev", "squared deviations", "{dev}²", np.square(dev), dev=dev)
    total = np.sum(squares, axis=fr.axes)
    if variance == "biased":
        var = rec.step("var", f"variance of {_over(fr)} (divide by n)",
                       "(1/{n}) Σ (x - {mean})²", total / fr.n, n=fr.n, mean=mean)
    else:
        var = rec.step("var", f"variance of {_over(fr)} with n - 1 (unbiased)",
                       "(1/({n} - 1)) Σ (x - {mean})²", total / (fr.n - 1), n=fr.n, mean=mean)
    return mean, dev, var


def _deviations(rec: Recorder, fr: _Frame, x: np.ndarray, mean: np.ndarray) -> np.ndarray:
    return rec.step("dev", "deviations from the mean", "x - {mean}", x - np.reshape(mean, fr.keep), mean=mean)


def _normalized(rec: Recorder, fr: _Frame, dev: np.ndarray, var: np.ndarray, eps: float,
                divide_by: str = "std") -> np.ndarray:
    """x̂ = (x - μ)/√(σ² + ε) from the recorded deviations and standard deviation.

    ``divide_by="variance"`` is the mistake of dividing by σ² + ε, the root forgotten."""
    denom = np.reshape(var, fr.keep) + eps
    if np.any(denom <= 0):
        raise ValueError("var + eps must be positive to normalize (a zero variance needs eps > 0)")
    if divide_by == "variance":
        if np.allclose(denom, 1.0, rtol=0, atol=1e-4):
            # σ² + ε = 1 is its own root: this mistake changes nothing here, so it names nothing.
            raise ValueError("divide_by='variance' is the right computation when every σ² + ε is 1")
        return rec.step("x_hat", "deviations over the variance (the square root forgotten)",
                        "{dev} / ({var} + {eps})", dev / denom, dev=dev, var=var, eps=eps)
    std = rec.step("std", "standard deviation", "√({var} + {eps})", np.sqrt(np.reshape(var + eps, fr.flat)),
                   var=var, eps=eps)
    return rec.step("x_hat", "normalized input", "{dev} / {std}", dev / np.reshape(std, fr.keep),
                    dev=dev, std=std)


def _scaled(rec: Recorder, fr: _Frame, x_hat: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> np.ndarray:
    return rec.step("out", "scale and shift", "{gamma} · {x_hat} + {beta}", gamma * x_hat + beta,
                    gamma=gamma.reshape(fr.features), x_hat=x_hat, beta=beta.reshape(fr.features))


def _setup(kind: str, x: Any, gamma: Any, beta: Any, eps: Any) -> tuple[np.ndarray, _Frame, np.ndarray,
                                                                       np.ndarray, float]:
    arr = _input(x, kind)
    fr = _frame(kind, arr.shape)
    g = _per_feature(gamma, "gamma", fr, fr.params)
    b = _per_feature(beta, "beta", fr, fr.params)
    return arr, fr, g, b, _eps(eps)


def _forward(rec: Recorder, kind: str, x: Any, gamma: Any, beta: Any, eps: Any, variance: str = "biased",
             divide_by: str = "std") -> NormResult:
    """Layer or instance norm: statistics of the input itself, at training and evaluation alike."""
    arr, fr, g, b, e = _setup(kind, x, gamma, beta, eps)
    variance = validate.choice(variance, "variance", VARIANCES)
    mean, dev, var = _batch_stats(rec, fr, arr, variance)
    x_hat = _normalized(rec, fr, dev, var, e, validate.choice(divide_by, "divide_by", DIVISORS))
    out = _scaled(rec, fr, x_hat, g, b)
    return NormResult(kind, out, np.reshape(mean, fr.keep), np.reshape(var, fr.keep), x_hat, g, e, True)


def _update_running(rec: Recorder, fr: _Frame, mean: np.ndarray, var: np.ndarray, running: tuple[Any, Any],
                    m: float, variance: str) -> tuple[np.ndarray, np.ndarray]:
    old_mean, old_var = _running(running[0], "running_mean", fr), _running(running[1], "running_var", fr)
    if variance == "biased":
        var = rec.step("var_unbiased", "unbiased batch variance (the running variance uses n - 1)",
                       "{var} · {n} / ({n} - 1)", var * fr.n / (fr.n - 1), var=var, n=fr.n)
    new_mean = rec.step("running_mean", "updated running mean", "(1 - {m}) · {running_mean} + {m} · {mean}",
                        (1 - m) * old_mean + m * mean, m=m, running_mean=old_mean, mean=mean)
    new_var = rec.step("running_var", "updated running variance",
                       "(1 - {m}) · {running_var} + {m} · {var_unbiased}",
                       (1 - m) * old_var + m * var, m=m, running_var=old_var, var_unbiased=var)
    return new_mean, new_var


def _batchnorm(rec: Recorder, x: Any, gamma: Any, beta: Any, eps: Any, training: bool,
               running: tuple[Any, Any], momentum: Any, variance: str, divide_by: str = "std") -> NormResult:
    arr, fr, g, b, e = _setup("batch", x, gamma, beta, eps)
    m = _momentum(momentum)
    variance = validate.choice(variance, "variance", VARIANCES)
    given = [r is not None for r in running]
    if any(given) and not all(given):
        raise ValueError("give both running_mean and running_var, or neither")
    if training:
        if fr.n < 2:
            raise ValueError(f"batch norm in training needs more than one value per channel, x has shape "
                             f"{arr.shape}")
        mean, dev, var = _batch_stats(rec, fr, arr, variance)
    else:
        if not all(given):
            raise ValueError("batch norm in evaluation needs running_mean and running_var")
        mean = rec.note("mean", "running mean (evaluation normalizes with the running statistics)",
                        _running(running[0], "running_mean", fr))
        var = rec.note("var", "running variance (evaluation normalizes with the running statistics)",
                       _running(running[1], "running_var", fr))
        dev = _deviations(rec, fr, arr, mean)
    x_hat = _normalized(rec, fr, dev, var, e, validate.choice(divide_by, "divide_by", DIVISORS))
    out = _scaled(rec, fr, x_hat, g, b)
    new_mean = new_var = None
    if training and all(given):
        new_mean, new_var = _update_running(rec, fr, mean, var, running, m, variance)
    return NormResult("batch", out, np.reshape(mean, fr.keep), np.reshape(var, fr.keep), x_hat, g, e,
                      training, new_mean, new_var)


def batchnorm_forward(x: Any, gamma: Any = 1.0, beta: Any = 0.0, eps: float = EPS, *, training: bool = True,
                      running_mean: Any = None, running_var: Any = None,
                      momentum: float = MOMENTUM) -> NormResult:
    """Batch norm of an N×D or N×C×H×W input; in training, also updates the running statistics if given."""
    return _batchnorm(NULL, x, gamma, beta, eps, training, (running_mean, running_var), momentum, "biased")


def layernorm_forward(x: Any, gamma: Any = 1.0, beta: Any = 0.0, eps: float = EPS) -> NormResult:
    """Layer norm: each example over all its features (γ, β per normalized element)."""
    return _forward(NULL, "layer", x, gamma, beta, eps)


def instancenorm_forward(x: Any, gamma: Any = 1.0, beta: Any = 0.0, eps: float = EPS) -> NormResult:
    """Instance norm of an N×C×L or N×C×H×W input: each channel of each example over its positions."""
    return _forward(NULL, "instance", x, gamma, beta, eps)


# ---------------------------------------------------------------------------- backward


def norm_backward(dout: Any, res: NormResult) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dx, dgamma, dbeta) for the forward pass ``res``; dgamma, dbeta in PyTorch's weight shape."""
    d = validate.array(dout, "dout")
    validate.same_shape(out=res.out, dout=d)
    features = _feature_shape(res.kind, res.gamma.shape)
    broadcast = _param_axes(res.kind, d.ndim)
    dbeta = d.sum(axis=broadcast).reshape(features)
    dgamma = (d * res.x_hat).sum(axis=broadcast).reshape(features)
    inv_std = 1.0 / np.sqrt(res.var + res.eps)
    g = d * res.gamma  # gradient with respect to x_hat
    if not res.batch_stats:
        return g * inv_std, dgamma, dbeta
    # The statistics depend on x too: remove the gradient's mean and its projection on x_hat.
    axes = stats_axes(res.kind, d.ndim)
    n = int(np.prod([d.shape[i] for i in axes]))
    dx = inv_std / n * (n * g - g.sum(axis=axes, keepdims=True)
                        - res.x_hat * (g * res.x_hat).sum(axis=axes, keepdims=True))
    return dx, dgamma, dbeta


# ---------------------------------------------------------------------------- solvers


def _answer(res: NormResult) -> dict[str, np.ndarray]:
    axes = stats_axes(res.kind, res.out.ndim)
    return {"mean": res.mean.squeeze(axis=axes), "var": res.var.squeeze(axis=axes), "out": res.out}


@solver("batchnorm")
def batchnorm(
    x: Any,
    gamma: Any = 1.0,
    beta: Any = 0.0,
    eps: Any = EPS,
    mode: str = "train",
    running_mean: Any = None,
    running_var: Any = None,
    momentum: Any = MOMENTUM,
    variance: str = "biased",
    divide_by: str = "std",
    overrides: dict[str, Any] | None = None,
) -> Solution:
    """Batch norm {mean, var, out} (+ running_mean, running_var when training with running stats given).

    Mistakes a question may name: ``variance="unbiased"`` normalizes with n - 1;
    ``divide_by="variance"`` divides by σ² + ε instead of its square root.
    """
    mode = validate.choice(mode, "mode", MODES)
    rec = Recorder(overrides)
    res = _batchnorm(rec, x, gamma, beta, eps, mode == "train", (running_mean, running_var), momentum,
                     variance, divide_by)
    answer = _answer(res)
    if res.running_mean is not None:
        answer.update(running_mean=res.running_mean, running_var=res.running_var)
    return rec.solution(**answer)


@solver("layernorm")
def layernorm(x: Any, gamma: Any = 1.0, beta: Any = 0.0, eps: Any = EPS, variance: str = "biased",
              divide_by: str = "std", overrides: dict[str, Any] | None = None) -> Solution:
    """Layer norm {mean, var, out}: mean and var per example (mistakes as in :func:`batchnorm`)."""
    rec = Recorder(overrides)
    return rec.solution(**_answer(_forward(rec, "layer", x, gamma, beta, eps, variance, divide_by)))


@solver("instancenorm")
def instancenorm(x: Any, gamma: Any = 1.0, beta: Any = 0.0, eps: Any = EPS, variance: str = "biased",
                 statistics: str = "instance", overrides: dict[str, Any] | None = None) -> Solution:
    """Instance norm {mean, var, out} of N×C×L or N×C×H×W: mean and var as an N×C matrix.

    Mistakes: ``variance="unbiased"`` (n - 1); ``statistics="batch"`` or ``"layer"``: that
    normalization's statistics, written into the N×C table a student fills (one per channel
    repeated down the examples, or one per example repeated across the channels).
    """
    statistics = validate.choice(statistics, "statistics", KINDS)
    rec = Recorder(overrides)
    res = _forward(rec, statistics, x, gamma, beta, eps, variance)
    answer = _answer(res)
    n, c = res.out.shape[:2]
    if statistics == "batch":
        answer.update({k: np.broadcast_to(answer[k][None, :], (n, c)).copy() for k in ("mean", "var")})
    elif statistics == "layer":
        answer.update({k: np.broadcast_to(answer[k][:, None], (n, c)).copy() for k in ("mean", "var")})
    return rec.solution(**answer)


@solver("batchnorm_backward")
def batchnorm_backward(x: Any, gamma: Any = 1.0, beta: Any = 0.0, dout: Any = None, eps: Any = EPS,
                       overrides: dict[str, Any] | None = None) -> Solution:
    """Batch norm (training) gradients {dx, dgamma, dbeta} for the upstream gradient ``dout``."""
    arr, fr, g, _, e = _setup("batch", x, gamma, beta, eps)
    if dout is None:
        raise ValueError("dout: the upstream gradient is required")
    d = validate.array(dout, "dout")
    validate.same_shape(x=arr, dout=d)
    if fr.n < 2:
        raise ValueError(f"batch norm in training needs more than one value per channel, x has shape "
                         f"{arr.shape}")
    rec = Recorder(overrides)
    _, dev, var = _batch_stats(rec, fr, arr, "biased")
    x_hat = _normalized(rec, fr, dev, var, e)
    dbeta = rec.step("dbeta", "gradient of β: sum of the upstream gradient", "Σ {dout}",
                     d.sum(axis=fr.axes), dout=d)
    dgamma = rec.step("dgamma", "gradient of γ", "Σ {dout} · {x_hat}", (d * x_hat).sum(axis=fr.axes),
                      dout=d, x_hat=x_hat)
    # Σ dx̂ = γ·dβ and Σ dx̂·x̂ = γ·dγ per channel, which gives the classic closed form.
    dx = g / (fr.n * np.sqrt(np.reshape(var, fr.keep) + e)) * (
        fr.n * d - np.reshape(dbeta, fr.keep) - x_hat * np.reshape(dgamma, fr.keep))
    dx = rec.step("dx", "gradient of x (the batch statistics depend on x too)",
                  "{gamma} / ({n} · √({var} + {eps})) · ({n} · {dout} - {dbeta} - {x_hat} · {dgamma})",
                  dx, gamma=g.reshape(fr.features), n=fr.n, var=var, eps=e, dout=d, dbeta=dbeta,
                  x_hat=x_hat, dgamma=dgamma)
    return rec.solution(dx=dx, dgamma=dgamma, dbeta=dbeta)


_LETTERS = {2: ("N", "D"), 3: ("N", "C", "L"), 4: ("N", "C", "H", "W")}


@solver("norm_shapes")
def norm_shapes(kind: str, N: Any, C: Any, H: Any = None, W: Any = None,
                overrides: dict[str, Any] | None = None) -> Solution:
    """Shapes of μ, σ² {stats, stats_shape} and of γ, β {params, params_shape} (seed 004's table).

    ``stats``/``params`` are symbolic strings such as "1×C×1×1"; ``*_shape`` are tuples of numbers.
    Without H and W the input is N×D; without W it is N×C×L.
    """
    kind = validate.choice(kind, "normalization kind", KINDS)
    if H is None and W is not None:
        raise ValueError("W given without H")
    shape = tuple(_dim(v, name) for v, name in ((N, "N"), (C, "C"), (H, "H"), (W, "W")) if v is not None)
    letters = _LETTERS[len(shape)]
    ndim = len(shape)
    stats = _symbolic(letters, stats_axes(kind, ndim))
    params = _symbolic(letters, _param_axes(kind, ndim))
    rec = Recorder(overrides)
    stats = rec.note("stats", f"shape of μ and σ² for {kind} norm of {'×'.join(letters)}", stats)
    params = rec.note("params", f"shape of γ and β for {kind} norm of {'×'.join(letters)}", params)
    return rec.solution(stats=stats, stats_shape=stats_shape(kind, shape), params=params,
                        params_shape=param_shape(kind, shape))


def _dim(value: Any, name: str) -> int:
    v = validate.scalar(value, name)
    if v < 1 or not v.is_integer():
        raise ValueError(f"{name} must be a positive whole number, got {v}")
    return int(v)


def _symbolic(letters: tuple[str, ...], ones: tuple[int, ...]) -> str:
    return "×".join("1" if i in ones else letter for i, letter in enumerate(letters))
