"""Symbolic calculus against hand-derived derivatives, known Hessians and torch autograd."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from sympy.parsing.sympy_parser import convert_xor, parse_expr, standard_transformations

from solvers.symbolic import classify, critical_point, derivative, gd_step_symbolic, gradient, hessian


def test_import_does_not_load_sympy():
    modules = "solvers.symbolic, solvers.knn, solvers.linear, solvers.encoding, solvers.regularization"
    code = f"import sys, {modules}; assert 'sympy' not in sys.modules, 'sympy imported'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])


def test_derivative_by_hand():
    sol = derivative(expr="x^3 + 2*x", var="x", at=2)
    assert sol.answer["value"] == pytest.approx(14.0)  # 3·2² + 2
    # The derivative string is an expression equal to 3x² + 2 (checked at a few points).
    d = parse_expr(sol.answer["derivative"], transformations=(*standard_transformations, convert_xor))
    for x in (-1.5, 0.0, 0.7, 3.0):
        assert float(d.subs("x", x)) == pytest.approx(3 * x**2 + 2)


def test_derivative_of_sigmoid_matches_autograd():
    t = torch.tensor(0.8, dtype=torch.float64, requires_grad=True)
    torch.sigmoid(t).backward()
    sol = derivative(expr="1/(1 + exp(-x))", var="x", at=0.8)
    assert sol.answer["value"] == pytest.approx(t.grad.item(), rel=1e-12)
    assert derivative(expr="1/(1 + exp(-x))", var="x", at=0).answer["value"] == pytest.approx(0.25)


@pytest.mark.parametrize("expr, fn", [("relu(x)", torch.relu), ("abs(x)", torch.abs)])
@pytest.mark.parametrize("at", [-1.5, 0.0, 2.0])
def test_derivative_at_a_kink_follows_pytorch(expr, fn, at):
    t = torch.tensor(at, dtype=torch.float64, requires_grad=True)
    fn(t).backward()
    assert derivative(expr=expr, var="x", at=at).answer["value"] == t.grad.item()


def test_derivative_value_carried_forward_from_a_students_derivative():
    sol = derivative(expr="x^3", var="x", at=2, overrides={"derivative": "2*x"})
    assert sol.answer["value"] == pytest.approx(4.0)


def test_gradient_by_hand_and_variable_order():
    # f = x²y + 3y: ∂f/∂x = 2xy, ∂f/∂y = x² + 3
    sol = gradient(expr="x^2*y + 3*y", at={"x": 1, "y": -2})
    np.testing.assert_allclose(sol.answer["grad"], [-4.0, 4.0])
    swapped = gradient(expr="x^2*y + 3*y", at={"x": 1, "y": -2}, variables=["y", "x"])
    np.testing.assert_allclose(swapped.answer["grad"], [4.0, -4.0])


def test_gradient_matches_autograd():
    x = torch.tensor(0.4, dtype=torch.float64, requires_grad=True)
    y = torch.tensor(-1.3, dtype=torch.float64, requires_grad=True)
    (torch.exp(x) * torch.sin(y) + x * y**2).backward()
    sol = gradient(expr="exp(x)*sin(y) + x*y^2", at={"x": 0.4, "y": -1.3})
    np.testing.assert_allclose(sol.answer["grad"], [x.grad.item(), y.grad.item()], rtol=1e-12)


def test_hessian_matches_autograd():
    def f(v):
        return v[0] ** 3 * v[1] + torch.cos(v[0] * v[1])

    at = torch.tensor([0.5, 2.0], dtype=torch.float64)
    expected = torch.autograd.functional.hessian(f, at).numpy()
    sol = hessian(expr="x^3*y + cos(x*y)", at={"x": 0.5, "y": 2.0})
    np.testing.assert_allclose(sol.answer["hessian"], expected, rtol=1e-12)
    eig = np.sort(np.linalg.eigvals(expected).real)
    np.testing.assert_allclose(sol.answer["eigenvalues"], eig, rtol=1e-10)


def test_hessian_of_xy():
    sol = hessian(expr="x*y", at={"x": 3, "y": -1})
    np.testing.assert_array_equal(sol.answer["hessian"], [[0.0, 1.0], [1.0, 0.0]])
    np.testing.assert_allclose(sol.answer["eigenvalues"], [-1.0, 1.0])


@pytest.mark.parametrize(
    "expr, hess, kind",
    [
        ("x^2 + y^2", [[2, 0], [0, 2]], "minimum"),
        ("-(x^2 + y^2)", [[-2, 0], [0, -2]], "maximum"),
        ("x^2 - y^2", [[2, 0], [0, -2]], "saddle"),
        ("x^4 + y^2", [[0, 0], [0, 2]], "inconclusive"),
        ("x^4 - y^2", [[0, 0], [0, -2]], "inconclusive"),
        ("x^4 + y^4", [[0, 0], [0, 0]], "inconclusive"),
        ("x^2 + x*y + y^2", [[2, 1], [1, 2]], "minimum"),
    ],
)
def test_critical_point_at_origin(expr, hess, kind):
    sol = critical_point(expr=expr, at={"x": 0, "y": 0})
    np.testing.assert_array_equal(sol.answer["gradient"], [0.0, 0.0])
    np.testing.assert_allclose(sol.answer["hessian"], hess)
    assert sol.answer["classification"] == kind


def test_critical_point_away_from_origin():
    # f = (x - 1)² - (y + 2)² has a saddle at (1, -2).
    sol = critical_point(expr="(x - 1)^2 - (y + 2)^2", at={"x": 1, "y": -2})
    assert sol.answer["classification"] == "saddle"


def test_gd_step_by_hand():
    # ∇(x² + 3y²) at (1, 1) = (2, 6); step 0.1 -> (0.8, 0.4)
    sol = gd_step_symbolic(expr="x^2 + 3*y^2", at={"x": 1, "y": 1}, lr=0.1)
    np.testing.assert_allclose(sol.answer["grad"], [2.0, 6.0])
    np.testing.assert_allclose(sol.answer["new_point"], [0.8, 0.4])


def test_gd_step_carries_a_students_gradient_forward():
    sol = gd_step_symbolic(expr="x^2", at={"x": 1}, lr=0.5, overrides={"grad_x": 4.0})
    np.testing.assert_allclose(sol.answer["new_point"], [-1.0])


@pytest.mark.parametrize(
    "eigenvalues, kind",
    [
        ([1, 2], "minimum"), ([-1, -3], "maximum"), ([-1, 2], "saddle"), ([0, 2], "inconclusive"),
        ([-2, 0], "inconclusive"), ([0, 0], "inconclusive"), ([-1, 0, 1], "saddle"),
        ([1e-13, 4], "inconclusive"),  # a zero eigenvalue up to rounding
    ],
)
def test_classify(eigenvalues, kind):
    assert classify(eigenvalues) == kind


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: critical_point(expr="x^2 + y^2", at={"x": 1, "y": 0}), "not a critical point"),
        (lambda: gradient(expr="x*z", at={"x": 1}), "z"),
        (lambda: gradient(expr="x*y", at={"x": 1}, variables=["x", "y"]), "no value for y"),
        (lambda: gradient(expr="x*y", at={"x": 1, "y": float("nan")}), "NaN"),
        (lambda: gd_step_symbolic(expr="x^2", at={"x": 1}, lr=0), "lr"),
        (lambda: derivative(expr="log(x)", var="x", at=0), "not"),
        (lambda: derivative(expr="x +* 2", var="x", at=1), None),
        (lambda: derivative(expr="__import__('os')", var="x", at=1), None),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
