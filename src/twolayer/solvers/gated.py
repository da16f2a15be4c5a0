"""The gated-ReLU relaxation of the convex program, and beta paths.

A gated-ReLU network ``x -> sum_i 1[g_i . x >= 0] x . v_i`` has fixed gates; on the data it is
``sum_i D_i X v_i``, and weight decay makes its training the unconstrained group lasso
(Mishkin, Sahiner and Pilanci, 2022; Pilanci and Ergen, 2020, the relaxation without the cone
constraints)::

    min_V  1/2 ||sum_i D_i X v_i - y||^2 + beta sum_i ||v_i||.

Its optimum is a lower bound on the convex program of :func:`twolayer.convex.solve_convex`
with the same patterns (every feasible ``(v_i, w_i)`` gives ``v_i - w_i``). Solved by Newton's
method on smoothed norms with ``O(n^2 P)`` work per step, stopped on the duality-gap
certificate of the dual ``max lam^T y - 1/2 ||lam||^2 s.t. ||X^T D_i lam|| <= beta``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import as_array, check_int, check_problem, check_real
from ..convex import _predict
from . import _gated
from ._ipm import Certificate

__all__ = ["GatedSolution", "PathResult", "gated_predictions", "solve_gated", "solve_path"]


@dataclass(frozen=True)
class GatedSolution:
    """Solution of the gated-ReLU relaxation (:func:`solve_gated`).

    Attributes
    ----------
    value : float
        Objective of ``V`` (within ``certificate.gap`` of the optimum).
    V : numpy.ndarray, shape (P, d)
        Group variables, one per gate.
    patterns : numpy.ndarray of bool, shape (P, n)
    beta : float
    certificate : Certificate
    iterations : int
        Newton steps.
    history : tuple of float
        Relative duality gap before each step.
    """

    value: float
    V: np.ndarray
    patterns: np.ndarray
    beta: float
    certificate: Certificate
    iterations: int
    history: tuple[float, ...]


def _solve_gated_checked(X, y, beta, pat, tol_gap, max_iter, V0=None, raise_on_limit=True):
    state = _gated.solve_gated(X, pat, y, beta, tol_gap=tol_gap, max_iter=max_iter, V0=V0,
                               raise_on_limit=raise_on_limit)
    return GatedSolution(value=state.certificate.primal, V=state.V, patterns=pat, beta=beta,
                         certificate=state.certificate, iterations=state.iterations,
                         history=state.history)


def _check_tolerances(tol_gap: object, max_iter: object) -> tuple[float, int]:
    return (check_real(tol_gap, "tol_gap", low=0.0, high=1.0, low_open=True, high_open=True),
            check_int(max_iter, "max_iter", low=0))


def solve_gated(
    X: object,
    y: object,
    beta: float,
    patterns: object,
    *,
    tol_gap: float = 1e-8,
    max_iter: int = 200,
    raise_on_limit: bool = True,
) -> GatedSolution:
    """Solve the gated-ReLU relaxation (group lasso over the patterns) with a certificate.

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
    beta : float
        Weight decay, ``> 0``.
    patterns : array_like of bool, shape (P, n)
        The gates' activation patterns ``D_i``.
    tol_gap : float
        Relative duality gap at which to stop, in ``(0, 1)``.
    max_iter : int
        Largest number of Newton steps.
    raise_on_limit : bool
        Raise :class:`twolayer.solvers.NotConvergedError` with the last gap if the
        certificate is not reached (else return the last iterate; check its certificate).

    Returns
    -------
    GatedSolution

    Raises
    ------
    ValueError, TypeError
        For bad input (the checks and messages of :func:`twolayer.convex.solve_convex`).
    """
    X, y, beta, pat = check_problem(X, y, beta, patterns)
    tol_gap, max_iter = _check_tolerances(tol_gap, max_iter)
    return _solve_gated_checked(X, y, beta, pat, tol_gap, max_iter,
                                raise_on_limit=bool(raise_on_limit))


@dataclass(frozen=True)
class PathResult:
    """Solutions along a beta path (:func:`solve_path`), in the order of ``betas``.

    Attributes
    ----------
    betas : numpy.ndarray, shape (k,)
    values : numpy.ndarray, shape (k,)
        Certified objectives.
    gaps : numpy.ndarray, shape (k,)
        Relative duality gaps of the certificates.
    iterations : numpy.ndarray of int, shape (k,)
        Newton steps of each solve (warm-started from the previous beta).
    active : numpy.ndarray of int, shape (k,)
        Nonzero groups (norm above ``1e-6`` times the largest).
    solutions : tuple of GatedSolution
    """

    betas: np.ndarray
    values: np.ndarray
    gaps: np.ndarray
    iterations: np.ndarray
    active: np.ndarray
    solutions: tuple[GatedSolution, ...]


def solve_path(
    X: object,
    y: object,
    betas: object,
    patterns: object,
    *,
    tol_gap: float = 1e-8,
    max_iter: int = 200,
) -> PathResult:
    """Solve the gated-ReLU relaxation along a grid of ``beta``, each solve warm-started.

    The grid is solved from the largest ``beta`` down (solutions get denser as ``beta``
    falls); each solve starts from the previous solution with the smoothing ``mu`` at the
    size of that start's duality gap, which typically needs a fraction of the Newton steps of a cold
    start. Results are returned in the order of ``betas``.

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
    betas : array_like, shape (k,)
        Weight decays, each ``> 0``.
    patterns : array_like of bool, shape (P, n)
    tol_gap : float
    max_iter : int

    Returns
    -------
    PathResult
    """
    betas = as_array(betas, "betas", ndim=1)
    if betas.size == 0:
        raise ValueError("betas must hold at least one value, got an empty array")
    if (betas <= 0).any():
        raise ValueError(f"betas must all be > 0, got minimum {betas.min()}")
    X, y, _, pat = check_problem(X, y, float(betas[0]), patterns)
    tol_gap, max_iter = _check_tolerances(tol_gap, max_iter)
    order = np.argsort(-betas, kind="stable")
    sols: list[GatedSolution | None] = [None] * betas.size
    V0 = None
    for j in order:
        sol = _solve_gated_checked(X, y, float(betas[j]), pat, tol_gap, max_iter, V0=V0)
        sols[j] = sol
        V0 = sol.V
    done = tuple(s for s in sols if s is not None)
    norms = [np.linalg.norm(s.V, axis=1) for s in done]
    return PathResult(
        betas=betas.copy(),
        values=np.array([s.value for s in done]),
        gaps=np.array([s.certificate.gap for s in done]),
        iterations=np.array([s.iterations for s in done]),
        active=np.array([int((nv > 1e-6 * max(nv.max(), 1e-300)).sum()) for nv in norms]),
        solutions=done,
    )


def gated_predictions(X: np.ndarray, solution: GatedSolution) -> np.ndarray:
    """Fit ``sum_i D_i X v_i`` of a gated solution, shape (n,) (``X`` as solved)."""
    return _predict(X, solution.patterns, solution.V, np.zeros_like(solution.V))
