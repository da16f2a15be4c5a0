"""The structured interior-point method for the convex program of a two-layer ReLU network.

Solves the program of :func:`twolayer.convex.solve_convex` (Pilanci and Ergen, 2020)::

    min  1/2 ||sum_i D_i X (v_i - w_i) - y||^2 + beta sum_i (||v_i|| + ||w_i||)
    s.t. (2 D_i - I) X v_i >= 0,  (2 D_i - I) X w_i >= 0

with NumPy and SciPy only, using three facts a generic conic solver does not see:

- ``(2 D_i - I)^2 = I``, so every cone block of the Newton matrix is ``X^T diag(w) X``, and
  all ``2P`` of them are one matrix product;
- the norm epigraph variables minimize out in closed form (a smoothed norm per group);
- the loss Hessian has rank ``n``, so each Newton step factors one ``n x n`` matrix (Woodbury)
  instead of a ``2Pd``-dimensional system.

It stops only on a certificate: a strictly feasible primal point and a feasible dual point
whose relative gap and residuals are within the tolerances (see :class:`Certificate`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import check_ipm_options, check_problem
from ..convex import ConvexSolution
from . import _ipm
from ._blocks import Structure
from ._ipm import Certificate, NotConvergedError

__all__ = ["Certificate", "IPMResult", "NotConvergedError", "solve_ipm"]


@dataclass(frozen=True)
class IPMResult:
    """Result of :func:`solve_ipm`.

    Attributes
    ----------
    solution : ConvexSolution
        The primal point (``status`` ``"optimal"`` only with a certificate within the
        tolerances, ``"iteration_limit"`` otherwise).
    certificate : Certificate
        Primal and dual objectives, relative gap and residuals of the last iterate.
    iterations : int
        Newton steps taken (each one factorization and two solves).
    converged : bool
        Whether the certificate holds within the tolerances.
    history : tuple of float
        Relative duality gap before each step.
    dual : numpy.ndarray, shape (n,)
        The dual vector of the certificate (a scaled residual ``y - fit``).
    """

    solution: ConvexSolution
    certificate: Certificate
    iterations: int
    converged: bool
    history: tuple[float, ...]
    dual: np.ndarray


def _row_space(X: np.ndarray) -> np.ndarray:
    """Orthonormal basis ``Q (d, r)`` of the row space of ``X`` (``r`` its numerical rank).

    The fit and the cone constraints depend on a group ``x_g`` only through ``X x_g``, and
    a component of ``x_g`` in the null space of ``X`` only adds to ``||x_g||``; so every
    optimal group lies in the row space, and the program in ``c_g`` with ``x_g = Q c_g`` (data
    ``X Q``, the same norms) has the same optimum. For rank-deficient ``X`` this removes the
    directions in which the Newton matrix has no curvature but the smoothed norm's, which
    vanishes as the barrier parameter goes to zero. For full column rank ``Q = I``.
    """
    d = X.shape[1]
    _, sv, Vt = np.linalg.svd(X, full_matrices=False)
    rank = int((sv > max(X.shape) * np.finfo(float).eps * sv[0]).sum()) if sv.size else 0
    if rank == d:
        return np.eye(d)
    return Vt[:max(rank, 1)].T


def _solve_checked(
    X: np.ndarray,
    y: np.ndarray,
    beta: float,
    patterns: np.ndarray,
    tol_gap: float = 1e-8,
    tol_feas: float = 1e-8,
    max_iter: int = 100,
    raise_on_limit: bool = True,
) -> IPMResult:
    """:func:`solve_ipm` on checked arrays (also the ``solver="ipm"`` path of solve_convex)."""
    basis = _row_space(X)
    st = Structure(X @ basis, patterns)
    P = patterns.shape[0]
    zero = _ipm.zero_certificate(st, y, beta)
    if zero is not None:
        G = np.zeros((2 * P, basis.shape[1]))
        state = _ipm.IPMState(G=G, Z=np.zeros((2 * P, 0)), rows=np.zeros((2 * P, 0), dtype=int),
                              lam=y.copy(),
                              certificate=zero, iterations=0, converged=True, history=(0.0,))
    else:
        state = _ipm.solve(st, y, beta, tol_gap=tol_gap, tol_feas=tol_feas,
                           max_iter=max_iter, raise_on_limit=raise_on_limit)
    G = state.G @ basis.T
    solution = ConvexSolution(
        value=state.certificate.primal,
        V=G[:P].copy(),
        U=G[P:].copy(),
        patterns=patterns,
        status="optimal" if state.converged else "iteration_limit",
        X=X,
        y=y,
        beta=beta,
    )
    return IPMResult(solution=solution, certificate=state.certificate,
                     iterations=state.iterations, converged=state.converged,
                     history=state.history, dual=state.lam)


def solve_ipm(
    X: object,
    y: object,
    beta: float,
    patterns: object,
    *,
    tol_gap: float = 1e-8,
    tol_feas: float = 1e-8,
    max_iter: int = 100,
    raise_on_limit: bool = True,
) -> IPMResult:
    """Solve the convex program by the structured interior-point method, with its certificate.

    Primal-dual path following with Mehrotra's predictor-corrector steps (Nocedal and
    Wright, 2006, ch. 14) on the cone constraints, and the norms through their eliminated
    barrier; every iterate is strictly feasible. At every iterate the residual
    ``y - fit`` and the cone multipliers are scaled into a feasible point of the dual
    program (Pilanci and Ergen, 2020), which bounds the optimum from below; the method stops
    when the relative gap ``(primal - dual) / max(|primal|, |dual|)`` is at most ``tol_gap``
    and the dual residual (violation of ``||+-X^T D_i lam + X^T S_i z_i|| <= beta`` before
    scaling, relative to ``beta``) and the primal residual are at most ``tol_feas``.

    Each cone's barrier holds only its ``q`` rows nearest to the group (constraint
    reduction, Tits, Absil and Woessner, 2006; ``q = 3 d`` at first, doubled when the gap and
    the complementarity stall, all rows where that leaves out fewer than three quarters of
    them); every step stops before the boundary of all ``n`` rows.

    Cost per step ``O(n^2 P d + P q d^2 + n^3)`` time and ``O(n P + n^2)`` memory.

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
    beta : float
        Weight decay, ``> 0``.
    patterns : array_like of bool, shape (P, n)
        Activation patterns; each cone ``(2 D_i - I) X v >= 0`` must have interior points
        (true for patterns of sampled or enumerated directions of data in general position).
    tol_gap, tol_feas : float
        Tolerances of the certificate, in ``(0, 1)``.
    max_iter : int
        Largest number of Newton steps, ``>= 0``.
    raise_on_limit : bool
        Raise :class:`NotConvergedError` (with the last gap) when ``max_iter`` steps do not
        reach the certificate; if False, return the last iterate with ``converged=False``
        and ``solution.status == "iteration_limit"``.

    Returns
    -------
    IPMResult

    Raises
    ------
    ValueError
        For bad input (the same checks and messages as :func:`twolayer.convex.solve_convex`),
        or a pattern whose cone has no interior point.
    NotConvergedError
        A RuntimeError with attribute ``gap``, if the certificate is not reached.
    """
    X, y, beta, pat = check_problem(X, y, beta, patterns)
    options = check_ipm_options(
        {"tol_gap": tol_gap, "tol_feas": tol_feas, "max_iter": max_iter,
         "raise_on_limit": raise_on_limit}
    )
    return _solve_checked(X, y, beta, pat, **options)
