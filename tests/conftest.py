"""Fixtures shared by the test modules.

- matplotlib draws with the Agg backend (no display), chosen here once before any test module
  imports pyplot;
- ``circle_problem``: the circle-teacher regression of the convex-program chapters (30 points,
  ``beta = 0.1``) with its exact arrangement and the solved convex program;
- ``central_difference``: central finite differences of a scalar or array-valued function.
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
