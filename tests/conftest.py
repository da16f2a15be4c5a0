"""Fixtures shared by the test modules.

- matplotlib draws with the Agg backend (no display), chosen here once before any test module
  imports pyplot;
- ``circle_problem``: the circle-teacher regression of the convex-program chapters (30 points,
  ``beta = 0.1``) with its exact arrangement and the solved convex program;
- ``central_difference``: central finite differences of a scalar or array-valued function;
- ``relu_loss_by_hand``: the Gaussian teacher-student loss written out independently of
  ``twolayer.gaussian``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from twolayer.arrangements import enumerate_patterns_2d  # noqa: E402
from twolayer.convex import ConvexSolution, solve_convex  # noqa: E402
from twolayer.data import circle_teacher_regression  # noqa: E402


@dataclass(frozen=True)
class CircleProblem:
    """``X (30, 2)``, ``y (30,)``, ``beta``, all patterns of ``X`` and the convex optimum."""

    X: np.ndarray
    y: np.ndarray
    beta: float
    patterns: np.ndarray
    solution: ConvexSolution

    @property
    def data(self) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
        """The program's data ``(X, y, beta, patterns)``."""
        return self.X, self.y, self.beta, self.patterns


@pytest.fixture(scope="session")
def circle_problem() -> CircleProblem:
    X, y, _, _ = circle_teacher_regression(30, rng=0, noise=0.1)
    patterns = enumerate_patterns_2d(X)
    return CircleProblem(X, y, 0.1, patterns, solve_convex(X, y, 0.1, patterns))


def _central_difference(
    fun: Callable[[np.ndarray], object], x: np.ndarray, h: float = 1e-6
) -> np.ndarray:
    """``(fun(x + h e_i) - fun(x - h e_i)) / (2 h)`` for every entry ``i`` of ``x``.

    Shape ``x.shape + np.shape(fun(x))``: the gradient of a scalar function, the Jacobian (one
    block per entry of ``x``) of an array-valued one.
    """
    x = np.asarray(x, dtype=float)
    rows = []
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        rows.append((np.asarray(fun(x + e)) - np.asarray(fun(x - e))) / (2 * h))
    return np.array(rows).reshape(x.shape + np.shape(rows[0]))


@pytest.fixture(scope="session")
def central_difference() -> Callable[..., np.ndarray]:
    return _central_difference


def _relu_loss_by_hand(W: np.ndarray, V: np.ndarray) -> float:
    """``1/2 E (sum_j relu(w_j.x) - sum_i relu(v_i.x))^2`` for ``x ~ N(0, I)``, written out here.

    From the arc-cosine kernel of degree 1 (Cho & Saul 2009): ``E relu(w.x) relu(v.x) = |w| |v|
    (sin t + (pi - t) cos t) / (2 pi)`` with ``t`` the angle between ``w`` and ``v``.
    """

    def kernel(A: np.ndarray, B: np.ndarray) -> np.ndarray:
        na, nb = np.linalg.norm(A, axis=1)[:, None], np.linalg.norm(B, axis=1)[None, :]
        cos = np.clip(A @ B.T / (na * nb), -1.0, 1.0)
        t = np.arccos(cos)
        return na * nb * (np.sin(t) + (np.pi - t) * cos) / (2 * np.pi)

    return float(0.5 * (kernel(W, W).sum() - 2 * kernel(W, V).sum() + kernel(V, V).sum()))


@pytest.fixture(scope="session")
def relu_loss_by_hand() -> Callable[[np.ndarray, np.ndarray], float]:
    return _relu_loss_by_hand


@pytest.fixture
def record_solves(monkeypatch) -> Callable[..., list[tuple]]:
    """A function that wraps ``solve_problem`` as the given modules imported it and returns the
    list that then receives the ``(solver, options, what)`` of each of their calls."""

    def record(*modules) -> list[tuple]:
        calls: list[tuple] = []
        for module in modules:
            real = module.solve_problem

            def wrapped(problem, solver, options, what, real=real):
                calls.append((solver, options, what))
                return real(problem, solver, options, what)

            monkeypatch.setattr(module, "solve_problem", wrapped)
        return calls

    return record
