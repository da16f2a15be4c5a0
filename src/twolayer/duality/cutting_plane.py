"""The cutting-plane method over activation patterns: solve the program on a working set,
add the patterns of the most violated dual constraints, stop when the dual vector is feasible.

Imports :mod:`twolayer._checks`, :mod:`twolayer.arrangements`, :mod:`twolayer.convex` and the
package's other modules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._checks import (
    as_rng,
    check_int,
    check_patterns,
    check_problem,
    check_real,
)
from ..arrangements import (
    sample_patterns,
)
from ..convex import (
    ConvexSolution,
    solve_convex,
)
from .constraint import _constraint_max

__all__ = [
    "CuttingPlaneResult",
    "cutting_plane",
]


@dataclass(frozen=True)
class CuttingPlaneResult:
    """History of :func:`cutting_plane`.

    Attributes
    ----------
    solution : ConvexSolution
        Solution of the last restricted program.
    values : numpy.ndarray, shape (k,)
        Optimal value of the restricted program at each iteration (non-increasing).
    violations : numpy.ndarray, shape (k,)
        ``max_u |v^T relu(X u)| / beta`` of its dual vector at each iteration.
    num_patterns : numpy.ndarray of int, shape (k,)
        Number of patterns at each iteration.
    converged : bool
        Whether the last dual vector is feasible up to ``tol``.
    """

    solution: ConvexSolution
    values: np.ndarray
    violations: np.ndarray
    num_patterns: np.ndarray
    converged: bool


def cutting_plane(
    X: object,
    y: object,
    beta: float,
    rng: object,
    *,
    initial: int = 4,
    max_iter: int = 50,
    tol: float = 1e-6,
    candidates: object | None = None,
    solver: str = "CLARABEL",
) -> CuttingPlaneResult:
    """Cutting planes on the dual = pattern generation on the primal.

    Ergen and Pilanci (2021) solve the dual, whose constraint holds for infinitely
    many ``u``, by adding its most violated constraint one at a time. Equivalently: solve the
    convex program on a few patterns (``initial`` sampled directions), take its dual vector
    ``v = y - yhat``, find ``u* = argmax |v^T relu(X u)|``; if the maximum exceeds ``beta``,
    add the pattern of ``u*`` and repeat. The values decrease to the optimum, and the stop
    ``max <= beta (1 + tol)`` certifies it (the scaled ``v`` is dual feasible).

    The oracle is exact for ``d <= 2`` (:func:`max_dual_constraint`); for ``d > 2`` it
    searches the cones of ``candidates`` (e.g. many sampled patterns), required then.

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
    beta : float, > 0
    rng : numpy.random.Generator or int
        For the initial sampled patterns.
    initial : int
        Number of initial random directions, ``>= 1``.
    max_iter : int
        Maximum number of restricted solves, ``>= 1``.
    tol : float
        Relative feasibility tolerance of the stop, ``>= 0``.
    candidates : array_like of bool, shape (Q, n), optional
        Patterns searched by the oracle when ``d > 2``.
    solver : str

    Returns
    -------
    CuttingPlaneResult
    """
    X, y, beta, _ = check_problem(X, y, beta, np.ones((1, np.shape(X)[0]), bool))
    initial = check_int(initial, "initial", low=1)
    max_iter = check_int(max_iter, "max_iter", low=1)
    tol = check_real(tol, "tol", low=0.0)
    if X.shape[1] > 2 and candidates is None:
        raise ValueError(
            f"candidates must be given when X has d = {X.shape[1]} > 2 columns (the oracle "
            "searches their cones)"
        )
    if candidates is not None:
        candidates = check_patterns(candidates, X.shape[0], "candidates")

    def solve(patterns: np.ndarray) -> tuple[ConvexSolution, float, np.ndarray]:
        sol = solve_convex(X, y, beta, patterns, solver=solver)
        return sol, sol.value, sol.residual

    def oracle(v: np.ndarray) -> tuple[float, np.ndarray]:
        cmax = _constraint_max(X, v, candidates, False)
        return cmax.value / beta, cmax.pattern

    def extend(patterns: np.ndarray, pattern: np.ndarray) -> np.ndarray | None:
        if (patterns == pattern).all(axis=1).any():
            return None  # the oracle returned a pattern already present: numerical stall
        return np.vstack([patterns, pattern[None, :]])

    loop = _cutting_plane_loop(
        sample_patterns(X, initial, as_rng(rng)), solve, oracle, extend, len, max_iter, tol
    )
    return CuttingPlaneResult(
        solution=loop.solution,
        values=loop.values,
        violations=loop.violations,
        num_patterns=loop.sizes,
        converged=loop.converged,
    )


@dataclass(frozen=True)
class _Loop:
    """What :func:`_cutting_plane_loop` returns: the last solution, its working set, history."""

    solution: Any
    working_set: Any
    values: np.ndarray
    violations: np.ndarray
    sizes: np.ndarray
    converged: bool


def _cutting_plane_loop(
    working_set: Any,
    solve: Callable[[Any], tuple[Any, float, np.ndarray]],
    oracle: Callable[[np.ndarray], tuple[float, Any]],
    extend: Callable[[Any, Any], Any | None],
    size: Callable[[Any], int],
    max_solves: int,
    tol: float,
) -> _Loop:
    """The outer loop of a cutting-plane method on the dual of weight-decay training.

    ``max_solves`` times at most: ``solve(working_set)`` gives a solution, its value and its
    dual vector (the residual); ``oracle(v)`` gives the largest violation ``max |v^T z| / beta``
    over the atoms it searches and the cut that attains it; stop when the violation is at most
    ``1 + tol`` (converged), else ``extend(working_set, cut)``, whose ``None`` signals a stall
    (the cut is already in the working set). Shared by :func:`cutting_plane` (patterns) and
    :func:`twolayer.extreme.spike_free_cutting_plane` (neurons of the spike-free relaxation).
    """
    values, viols, sizes = [], [], []
    converged = False
    for it in range(max_solves):
        solution, value, v = solve(working_set)
        violation, cut = oracle(v)
        values.append(value)
        viols.append(violation)
        sizes.append(size(working_set))
        if violation <= 1.0 + tol:
            converged = True
            break
        if it == max_solves - 1:
            break  # out of solves: the working set stays the one just solved
        extended = extend(working_set, cut)
        if extended is None:
            break
        working_set = extended
    return _Loop(solution, working_set, np.asarray(values), np.asarray(viols),
                 np.asarray(sizes), converged)
