"""The cutting-plane method over activation patterns: solve the program on a working set,
add the patterns of the most violated dual constraints, stop when the dual vector is feasible.

Imports :mod:`twolayer._checks`, :mod:`twolayer.arrangements`, :mod:`twolayer.convex` and the
package's other modules.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    patterns = sample_patterns(X, initial, as_rng(rng))
    values, viols, counts = [], [], []
    converged = False
    sol = None
    for _ in range(max_iter):
        sol = solve_convex(X, y, beta, patterns, solver=solver)
        cmax = _constraint_max(X, sol.residual, candidates, False)
        values.append(sol.value)
        viols.append(cmax.value / beta)
        counts.append(patterns.shape[0])
        if cmax.value <= beta * (1.0 + tol):
            converged = True
            break
        if (patterns == cmax.pattern).all(axis=1).any():
            break  # the oracle returned a pattern already present: numerical stall
        patterns = np.vstack([patterns, cmax.pattern[None, :]])
    return CuttingPlaneResult(
        solution=sol,
        values=np.asarray(values),
        violations=np.asarray(viols),
        num_patterns=np.asarray(counts),
        converged=converged,
    )
