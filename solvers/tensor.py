"""A small reverse-mode autograd on NumPy float64 arrays, in the manner of micrograd.

A node is a value plus a short closure for its local backward (the closure takes the node as an
argument rather than capturing it, so a graph has no reference cycles and is freed at once); gradients accumulate with
``+=``; ``backward()`` is a topological sort and a reversed loop. Elementwise ops keep their
local derivatives (``_local``) so that every node can report itself for an explanation.

0-d values are kept as ``np.float64`` scalars rather than 0-d arrays: NumPy scalar arithmetic
is several times cheaper, which keeps quiz-sized scalar graphs fast.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from solvers.steps import NodeRecord, fmt

_F64 = np.float64
_ONE = 1.0  # the local derivative of + and -: identity-checked to skip a multiplication


def _as_data(value: Any) -> Any:
    if type(value) is float:
        return value
    if isinstance(value, Tensor):
        return value.data
    arr = np.asarray(value, dtype=_F64)
    return arr[()] if arr.ndim == 0 else arr


def _unbroadcast(grad: Any, shape: tuple[int, ...]) -> Any:
    """Sum ``grad`` back to ``shape``: the backward of NumPy broadcasting."""
    grad = np.asarray(grad)
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad[()] if shape == () else grad


def _zeros(shape: tuple[int, ...]) -> Any:
    return _F64(0.0) if shape == () else np.zeros(shape)


def _stable_sigmoid(x: Any) -> Any:
    # exp of -|x| never overflows; both branches are exact for their sign of x.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))[()]


def _scalar_backward(parents: tuple[Tensor, ...], local: tuple[Any, ...]) -> Callable[[Tensor], None]:
    """Backward of a 0-d elementwise node, unrolled: the hot path of quiz-sized graphs."""
    if len(parents) == 2:
        a, b = parents
        da, db = local

        def binary(out: Tensor) -> None:
            a.grad += out.grad * da
            b.grad += out.grad * db

        return binary
    (a,) = parents
    (da,) = local

    def unary(out: Tensor) -> None:
        a.grad += out.grad * da

    return unary


class Tensor:
    """A float64 value in a computation graph, with its gradient."""

    __slots__ = ("data", "grad", "_prev", "_op", "_backward", "_local", "name", "requires_grad", "__weakref__")
    __array_priority__ = 1000  # ndarray <op> Tensor defers to Tensor's reflected ops

    def __init__(self, value: Any, name: str = "", _prev: tuple[Tensor, ...] = (), _op: str = "") -> None:
        if type(value) is float or type(value) is int:  # the 0-d fast path
            self.data = float(value)
            self.grad = 0.0
        else:
            self.data = _as_data(value)
            self.grad = _zeros(np.shape(self.data))
        self._prev = _prev
        self._op = _op
        self._backward: Callable[[Tensor], None] | None = None
        self._local: tuple[Any, ...] = ()
        self.name = name
        self.requires_grad = True  # False for numbers lifted into a graph: they need no gradient

    # ----- construction helpers -------------------------------------------------------
    @staticmethod
    def _lift(other: Any) -> Tensor:
        if isinstance(other, Tensor):
            return other
        const = Tensor(other)
        const.requires_grad = False
        return const

    def _elementwise(self, op: str, value: Any, parents: tuple[Tensor, ...], local: tuple[Any, ...]) -> Tensor:
        """A node whose input i receives upstream · local[i], summed back to its shape."""
        out = Tensor.__new__(Tensor)
        out.data = value
        out._prev, out._op, out._local, out.name, out.requires_grad = parents, op, local, "", True
        if isinstance(value, float):  # 0-d output: every input is 0-d too, nothing to unbroadcast
            out.grad = 0.0
            out._backward = _scalar_backward(parents, local)
            return out
        # Constants lifted from plain numbers need no gradient; that skips most unbroadcasting.
        targets = tuple((p, d) for p, d in zip(parents, local) if p.requires_grad)

        def _backward(out: Tensor) -> None:
            g = out.grad
            for p, d in targets:
                gd = g if d is _ONE else g * d
                pg = p.grad
                if type(pg) is np.ndarray and pg.shape == gd.shape:
                    pg += gd
                else:
                    p.grad = pg + _unbroadcast(gd, np.shape(p.data))

        out.grad = _zeros(np.shape(value))

        out._backward = _backward
        return out

    def _structural(self, op: str, value: Any, backward: Callable[[Tensor], None]) -> Tensor:
        """A node with a hand-written backward (shape ops, reductions, matmul)."""
        out = Tensor.__new__(Tensor)
        out.data = value
        out.grad = _zeros(np.shape(value))
        out._prev, out._op, out._local, out.name, out.requires_grad = (self,), op, (), "", True
        out._backward = backward
        return out

    # ----- properties -----------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return np.shape(self.data)

    @property
    def ndim(self) -> int:
        return np.ndim(self.data)

    @property
    def op(self) -> str:
        return self._op

    @property
    def parents(self) -> tuple[Tensor, ...]:
        return self._prev

    def item(self) -> float:
        return float(self.data)

    def numpy(self) -> np.ndarray:
        return np.asarray(self.data)

    def __repr__(self) -> str:
        label = f"{self.name}=" if self.name else ""
        return f"Tensor({label}{self.data!r}, grad={self.grad!r})"

    # ----- arithmetic -----------------------------------------------------------------
    def __add__(self, other: Any) -> Tensor:
        o = Tensor._lift(other)
        return self._elementwise("+", self.data + o.data, (self, o), (_ONE, _ONE))

    def __sub__(self, other: Any) -> Tensor:
        o = Tensor._lift(other)
        return self._elementwise("-", self.data - o.data, (self, o), (_ONE, -1.0))

    def __mul__(self, other: Any) -> Tensor:
        o = Tensor._lift(other)
        return self._elementwise("*", self.data * o.data, (self, o), (o.data, self.data))

    def __truediv__(self, other: Any) -> Tensor:
        o = Tensor._lift(other)
        inv = 1.0 / o.data
        value = self.data * inv
        return self._elementwise("/", value, (self, o), (inv, -value * inv))

    def __pow__(self, other: Any) -> Tensor:
        o = Tensor._lift(other)
        value = self.data**o.data
        d_base = o.data * self.data ** (o.data - 1.0)
        if isinstance(other, Tensor):
            # d(a^b)/db = a^b ln a, defined for a > 0 only
            with np.errstate(divide="ignore", invalid="ignore"):
                d_exp = np.where(self.data > 0, value * np.log(np.where(self.data > 0, self.data, 1.0)), 0.0)
            return self._elementwise("^", value, (self, o), (d_base, d_exp[()]))
        return self._elementwise("^", value, (self,), (d_base,))

    def __neg__(self) -> Tensor:
        return self._elementwise("neg", -self.data, (self,), (-1.0,))

    def __radd__(self, other: Any) -> Tensor:
        return Tensor._lift(other) + self

    def __rsub__(self, other: Any) -> Tensor:
        return Tensor._lift(other) - self

    def __rmul__(self, other: Any) -> Tensor:
        return Tensor._lift(other) * self

    def __rtruediv__(self, other: Any) -> Tensor:
        return Tensor._lift(other) / self

    def __rpow__(self, other: Any) -> Tensor:
        return Tensor._lift(other) ** self

    def __matmul__(self, other: Any) -> Tensor:
        o = Tensor._lift(other)
        a, b = self.data, o.data
        if np.ndim(a) == 0 or np.ndim(b) == 0:
            raise ValueError("matmul needs at least 1-d operands; use * for scalars")
        out = Tensor.__new__(Tensor)
        out.data = np.matmul(a, b)[()]
        out.grad = _zeros(np.shape(out.data))
        out._prev, out._op, out._local, out.name, out.requires_grad = (self, o), "@", (), "", True

        def _backward(out: Tensor) -> None:
            g = np.asarray(out.grad)
            if a.ndim == 2 and b.ndim == 2:  # the common case, kept short
                self.grad += g @ b.T
                if o.requires_grad:
                    o.grad += a.T @ g
                return
            if a.ndim == 1 and b.ndim == 1:  # dot product
                self.grad += g * b
                o.grad += g * a
                return
            # Lift vectors to matrices so one rule covers every case, then drop the added axes.
            a2 = a[None, :] if a.ndim == 1 else a
            b2 = b[:, None] if b.ndim == 1 else b
            g2 = g[..., None] if b.ndim == 1 else g
            g2 = g2[..., None, :] if a.ndim == 1 else g2
            ga = np.matmul(g2, np.swapaxes(b2, -1, -2))
            gb = np.matmul(np.swapaxes(a2, -1, -2), g2)
            if a.ndim == 1:
                ga = ga[..., 0, :]
            if b.ndim == 1:
                gb = gb[..., 0]
            self.grad += _unbroadcast(ga, a.shape)
            o.grad += _unbroadcast(gb, b.shape)

        out._backward = _backward
        return out

    # ----- reductions and shapes --------------------------------------------------------
    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        return self._sum("sum", axis, keepdims, 1.0)

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        if axis is None:
            n = np.size(self.data)
        else:
            n = int(np.prod([self.shape[a] for a in np.atleast_1d(axis)]))
        return self._sum("mean", axis, keepdims, 1.0 / n)

    def _sum(self, op: str, axis: int | tuple[int, ...] | None, keepdims: bool, scale: float) -> Tensor:
        """scale · Σ over ``axis``: the gradient is the upstream, scaled and broadcast back."""
        expand = axis is not None and not keepdims

        def backward(out: Tensor) -> None:
            g = out.grad * scale
            if expand:
                g = np.expand_dims(g, axis)
            if type(self.grad) is np.ndarray:
                self.grad += g  # broadcasts over the summed axes
            else:
                self.grad = self.grad + g

        value = np.sum(self.data, axis=axis, keepdims=keepdims)
        return self._structural(op, (value * scale if scale != 1.0 else value)[()], backward)

    def max(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """Maximum over axes; tied maxima share the gradient equally (as torch.amax)."""
        value = np.max(self.data, axis=axis, keepdims=True)
        mask = (self.data == value).astype(_F64)
        mask /= np.sum(mask, axis=axis, keepdims=True)

        def backward(out: Tensor) -> None:
            g = out.grad if keepdims or axis is None else np.expand_dims(out.grad, axis)
            self.grad += mask * g

        out_value = value if keepdims else np.max(self.data, axis=axis)
        return self._structural("max", np.asarray(out_value)[()], backward)

    def reshape(self, *shape: int | Sequence[int]) -> Tensor:
        new_shape = tuple(shape[0]) if len(shape) == 1 and not isinstance(shape[0], int) else shape
        old = self.shape

        def backward(out: Tensor) -> None:
            self.grad += np.reshape(out.grad, old)

        return self._structural("reshape", np.reshape(self.data, new_shape)[()], backward)

    def transpose(self, *axes: int) -> Tensor:
        order = axes or tuple(reversed(range(self.ndim)))
        inverse = tuple(np.argsort(order))

        def backward(out: Tensor) -> None:
            self.grad += np.transpose(out.grad, inverse)

        return self._structural("transpose", np.transpose(self.data, order), backward)

    @property
    def T(self) -> Tensor:  # noqa: N802 - NumPy's name
        return self.transpose()

    def __getitem__(self, index: Any) -> Tensor:
        if isinstance(index, Tensor):
            index = index.data.astype(np.intp)

        def backward(out: Tensor) -> None:
            g = np.zeros(self.shape)
            np.add.at(g, index, out.grad)  # repeated indices accumulate
            self.grad += g[()]

        return self._structural("index", np.asarray(self.data[index])[()], backward)

    # ----- elementwise functions --------------------------------------------------------
    def exp(self) -> Tensor:
        value = np.exp(self.data)
        return self._elementwise("exp", value, (self,), (value,))

    def log(self) -> Tensor:
        if np.any(np.asarray(self.data) <= 0):
            raise ValueError("log of a non-positive value (work through log-softmax instead)")
        return self._elementwise("log", np.log(self.data), (self,), (1.0 / self.data,))

    def sqrt(self) -> Tensor:
        if np.any(np.asarray(self.data) < 0):
            raise ValueError("sqrt of a negative value")
        value = np.sqrt(self.data)
        with np.errstate(divide="ignore"):
            return self._elementwise("sqrt", value, (self,), (0.5 / value,))

    def abs(self) -> Tensor:
        return self._elementwise("abs", np.abs(self.data), (self,), (np.sign(self.data),))

    def maximum(self, other: Any) -> Tensor:
        """Elementwise max; at a tie each side gets half the gradient (as torch.maximum)."""
        o = Tensor._lift(other)
        a, b = self.data, o.data
        da = np.where(a > b, 1.0, np.where(a == b, 0.5, 0.0))[()]
        return self._elementwise("max", np.maximum(a, b), (self, o), (da, 1.0 - da))

    def sigmoid(self) -> Tensor:
        s = _stable_sigmoid(self.data)
        # σ(1-σ), as PyTorch computes it (so both round alike far in the positive tail)
        return self._elementwise("sigmoid", s, (self,), (s * (1.0 - s),))

    def sin(self) -> Tensor:
        return self._elementwise("sin", np.sin(self.data), (self,), (np.cos(self.data),))

    def cos(self) -> Tensor:
        return self._elementwise("cos", np.cos(self.data), (self,), (-np.sin(self.data),))

    def tanh(self) -> Tensor:
        t = np.tanh(self.data)
        return self._elementwise("tanh", t, (self,), (1.0 - t * t,))

    def relu(self) -> Tensor:
        x = self.data
        # derivative at exactly 0 is 0, as in PyTorch
        return self._elementwise("relu", np.maximum(x, 0.0), (self,), ((x > 0) * 1.0,))

    def leaky_relu(self, slope: float = 0.01) -> Tensor:
        x = self.data
        pos = x > 0
        return self._elementwise("leaky_relu", np.where(pos, x, slope * x)[()], (self,),
                                 (np.where(pos, 1.0, slope)[()],))

    def prelu(self, a: Tensor) -> Tensor:
        """max(a·x, x) for a learned slope ``a`` (broadcast against x); ∂/∂a = x where x < 0."""
        x = self.data
        pos = x > 0
        value = np.where(pos, x, a.data * x)[()]
        return self._elementwise("prelu", value, (self, a),
                                 (np.where(pos, 1.0, a.data)[()], np.where(pos, 0.0, x)[()]))

    def elu(self, alpha: float = 1.0) -> Tensor:
        x = self.data
        pos = x > 0
        e = np.exp(np.minimum(x, 0.0))
        value = np.where(pos, x, alpha * (e - 1.0))[()]
        return self._elementwise("elu", value, (self,), (np.where(pos, 1.0, alpha * e)[()],))

    def softplus(self) -> Tensor:
        x = self.data
        return self._elementwise("softplus", np.logaddexp(0.0, x), (self,), (_stable_sigmoid(x),))

    def log_softmax(self, axis: int = -1) -> Tensor:
        """log p along ``axis``, shifted by the (constant) max so logits of 1000 are fine."""
        shifted = self - np.max(self.data, axis=axis, keepdims=True)
        return shifted - shifted.exp().sum(axis=axis, keepdims=True).log()

    def softmax(self, axis: int = -1) -> Tensor:
        return self.log_softmax(axis).exp()

    # ----- backward ---------------------------------------------------------------------
    def topo(self) -> list[Tensor]:
        """Every node that feeds into this one, inputs (in the order given) before their users."""
        order: list[Tensor] = []
        visited = {self}
        stack = [(self, iter(self._prev))]
        while stack:  # iterative DFS: deep graphs must not hit the recursion limit
            node, parents = stack[-1]
            for p in parents:
                if p not in visited:
                    visited.add(p)
                    stack.append((p, iter(p._prev)))
                    break
            else:
                stack.pop()
                order.append(node)
        return order

    def backward(self, grad: Any = None) -> None:
        """Accumulate ∂self/∂node into every node's ``grad``; ``grad`` seeds a non-scalar output."""
        if grad is None:
            if not isinstance(self.data, float) and self.shape != ():
                raise ValueError(f"backward() on a tensor of shape {self.shape} needs an explicit grad")
            self.grad = 1.0
        else:
            self.grad = _as_data(grad) + _zeros(self.shape)
        for node in reversed(self.topo()):
            if node._backward is not None:
                node._backward(node)

    def zero_grad(self) -> None:
        self.grad = _zeros(self.shape)

    def detach(self) -> Tensor:
        return Tensor(np.copy(self.data), name=self.name)

    # ----- explanation ------------------------------------------------------------------
    def records(self) -> list[NodeRecord]:
        """One record per node, inputs first; call after ``backward()``."""
        nodes = self.topo()
        names = _node_names(nodes)
        return [n._record(names) for n in nodes]

    def _record(self, names: dict[int, str]) -> NodeRecord:
        local = tuple(_as_data(d) + _zeros(np.shape(self.data)) for d in self._local)
        downstream = tuple(_unbroadcast(self.grad * d, p.shape) for p, d in zip(self._prev, local))
        return NodeRecord(
            name=names[id(self)],
            op=self._op or ("input" if self.name else "const"),  # only variables are named leaves
            inputs=tuple(names[id(p)] for p in self._prev),
            input_values=tuple(p.data for p in self._prev),
            value=self.data,
            local=local,
            upstream=self.grad,
            downstream=downstream,
        )


def _node_names(nodes: list[Tensor]) -> dict[int, str]:
    """Named nodes keep their names, constants show their value, the rest are numbered n1, n2, ...

    in evaluation order (``node1``, ... when a given name already looks like ``n1``).
    """
    taken = {n.name for n in nodes if n.name}
    prefix = "node" if any(re.fullmatch(r"n\d+", name) for name in taken) else "n"
    names: dict[int, str] = {}
    counter = 0
    for n in nodes:
        if n.name:
            names[id(n)] = n.name
        elif not n._prev:
            names[id(n)] = fmt(n.data)
        else:
            counter += 1
            names[id(n)] = f"{prefix}{counter}"
    return names


def tensor(value: Any, name: str = "") -> Tensor:
    return Tensor(value, name=name)
