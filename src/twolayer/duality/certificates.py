"""Certificates of global optimality: a lower bound on the objective of every network from a
dual-feasible vector, for a trained network (:func:`certificate`) or a convex solution, and
the dual problem solved directly (:func:`solve_dual`).

Imports :mod:`twolayer._checks`, :mod:`twolayer.arrangements`, :mod:`twolayer.convex`,
:mod:`twolayer.network` and the package's ``constraint``.
"""

from __future__ import annotations

from dataclasses import dataclass

import cvxpy as cp
import numpy as np
from scipy import sparse

from .._checks import (
    as_array,
    check_patterns,
    check_problem,
    check_regression,
)
from ..arrangements import (
    _critical_angles_2d,
    _patterns_from_directions,
    _unit_circle,
    essential_constraints,
)
from ..convex import (
    ConvexSolution,
    _solve,
    convex_objective,
    solve_problem,
)
from ..network import _forward, _objective, _path_norm
from .constraint import _cone_max, _constraint_max, _dual_value, _sphere_max

__all__ = [
    "Certificate",
    "certificate",
    "convex_certificate",
    "network_patterns",
    "solve_dual",
]


@dataclass(frozen=True)
class Certificate:
    """Optimality certificate of a network from a scaled dual-feasible point.

    Attributes
    ----------
    primal : float
        Non-convex objective of the network as given.
    primal_balanced : float
        Objective after rebalancing the neurons (``1/2 ||f - y||^2 + beta * path norm``).
    dual : float
        Dual value at ``v = s r``, a lower bound on the objective of every network.
    gap : float
        ``primal - dual >= primal - optimum``.
    relative_gap : float
        ``gap / primal``.
    constraint_max : float
        ``max_u |r^T relu(X u)|`` of the residual ``r``.
    scale : float
        The scaling ``s`` of the residual, in ``[0, beta / constraint_max]``.
    exact : bool
        Whether ``constraint_max`` is the exact maximum over the sphere (then the bound is
        rigorous).
    refined : bool
        Whether the dual point came from the restricted convex program
        (``certificate(..., refine=True)``) rather than from the network's residual.
    """

    primal: float
    primal_balanced: float
    dual: float
    gap: float
    relative_gap: float
    constraint_max: float
    scale: float
    exact: bool
    refined: bool = False


def certificate(
    X: object,
    y: object,
    W: object,
    a: object,
    beta: float,
    patterns: object | None = None,
    complete: bool = False,
    refine: bool = False,
) -> Certificate:
    """Duality-gap certificate of a trained network (no bias), for any width.

    With the residual ``r = y - f(X)`` and ``c = max_{||u||<=1} |r^T relu(X u)|``, every
    ``v = s r`` with ``0 <= s <= beta / c`` is dual feasible, hence (weak duality, Pilanci and
    Ergen, 2020)::

        -1/2 ||s r - y||^2 + 1/2 ||y||^2  <=  min over all networks of the objective.

    The best such ``s`` is ``clip(r.y / ||r||^2, 0, beta / c)``. At a global minimum ``r`` is
    the optimal dual vector, ``c = beta`` and the gap is zero (Ergen and Pilanci, 2021).

    The bound degrades to first order in the error of ``r``: a network whose objective is
    within ``eps`` of the optimum has a residual off by about ``sqrt(eps)``, and so does the
    scaled dual point. With ``refine=True`` the dual point is instead the residual of the
    convex program restricted to the network's own activation patterns (for ``d = 2`` also
    those of the neighbouring arcs), a small program of ``O(m)`` patterns: when training
    has found the right patterns its dual vector is the optimal one, and the certified gap
    becomes the true suboptimality. The better of the two bounds is returned; both are
    rigorous lower bounds when the constraint maximum is exact.

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
    W : array_like, shape (m, d)
    a : array_like, shape (m,)
    beta : float, > 0
    patterns, complete
        As in :func:`max_dual_constraint` (needed when ``d > 2``).
    refine : bool
        Also try the dual vector of the convex program on the network's patterns.

    Returns
    -------
    Certificate
    """
    X, y, beta = check_regression(X, y, beta)
    W = as_array(W, "W", ndim=2)
    a = as_array(a, "a", shape=(W.shape[0],))
    if W.shape[1] != X.shape[1]:
        raise ValueError(f"W must have {X.shape[1]} columns like X, got shape {W.shape}")
    if patterns is not None:
        patterns = check_patterns(patterns, X.shape[0])
    elif X.shape[1] > 2:
        raise ValueError(
            f"patterns must be given when X has d = {X.shape[1]} > 2 columns: the exact "
            "maximum over the sphere is computed over pattern cones"
        )
    return _certificates(X, y, W, a, beta, patterns, complete, refine)[1]


def _certificates(
    X: np.ndarray,
    y: np.ndarray,
    W: np.ndarray,
    a: np.ndarray,
    beta: float,
    patterns: np.ndarray | None,
    complete: bool,
    refine: bool,
) -> tuple[Certificate, Certificate]:
    """:func:`certificate` on checked arrays: the scaled-residual certificate and the best one.

    The second is the first unless ``refine`` and the dual vector of the program on the
    network's own patterns gives a higher lower bound.
    """
    primal = _objective(X, y, W, a, beta, None)
    r = y - _forward(X, W, a, None)
    primal_bal = float(0.5 * r @ r + beta * _path_norm(W, a))
    basic = cert = _certify(X, y, beta, r, primal, primal_bal, patterns, complete)
    if refine:
        own = _network_patterns(X, W[(a != 0) & (np.linalg.norm(W, axis=1) > 0)], True)
        if own.shape[0]:
            restricted = _solve(X, y, beta, own, "CLARABEL", None)
            other = _certify(X, y, beta, restricted.residual, primal, primal_bal, patterns,
                             complete, refined=True)
            if other.dual > cert.dual:
                cert = other
    return basic, cert


def network_patterns(X: object, W: object, neighbours: bool = True) -> np.ndarray:
    """Activation patterns ``1[X w_j >= 0]`` of a network's neurons, duplicates removed.

    For ``d = 2`` and ``neighbours=True`` the patterns of the arcs next to each neuron's arc
    (between consecutive critical angles) are added, so that a neuron close to, but on the
    wrong side of, a critical angle still has the optimal cone available.

    Parameters
    ----------
    X : array_like, shape (n, d)
    W : array_like, shape (m, d)
    neighbours : bool

    Returns
    -------
    numpy.ndarray of bool, shape (P, n)
    """
    X = as_array(X, "X", ndim=2)
    W = as_array(W, "W", ndim=2)
    if W.shape[1] != X.shape[1]:
        raise ValueError(f"W must have {X.shape[1]} columns like X, got shape {W.shape}")
    return _network_patterns(X, W, bool(neighbours))


def _network_patterns(X: np.ndarray, W: np.ndarray, neighbours: bool) -> np.ndarray:
    if X.shape[1] != 2 or not neighbours or W.shape[0] == 0:
        return _patterns_from_directions(X, W)
    angles = _critical_angles_2d(X)
    if angles.size == 0:
        return _patterns_from_directions(X, W)
    mids = 0.5 * (angles + np.concatenate([angles[1:], [angles[0] + 2 * np.pi]]))
    theta = np.arctan2(W[:, 1], W[:, 0]) % (2 * np.pi)
    k = (np.searchsorted(angles, theta, side="right") - 1) % angles.size  # arc of each neuron
    K = angles.size
    arcs = np.unique(np.concatenate([(k - 1) % K, k, (k + 1) % K]))
    U = np.vstack([W, _unit_circle(mids[arcs])])
    return _patterns_from_directions(X, U)


def convex_certificate(solution: ConvexSolution) -> Certificate:
    """Duality gap of a solution of the convex program, from its own dual vector.

    The primal value is the convex objective at ``(V, U)``
    (:func:`twolayer.convex.convex_objective`), the dual point is the residual
    ``v = y - sum_i D_i X (v_i - w_i)`` scaled into the dual-feasible set as in
    :func:`certificate`. With all patterns of ``X`` the gap is zero up to the solver's
    accuracy (strong duality, Pilanci and Ergen, 2020, Theorem 1); with sampled patterns it
    measures how far the restricted program is from the exact one. Exact for ``d <= 2``;
    for ``d > 2`` the maximum is taken over the solution's patterns (``exact`` is then
    ``False`` unless ``d = 1``).

    Parameters
    ----------
    solution : ConvexSolution

    Returns
    -------
    Certificate
    """
    if not isinstance(solution, ConvexSolution):
        raise TypeError(f"solution must be a ConvexSolution, got {type(solution).__name__}")
    X, y, beta = solution.X, solution.y, solution.beta
    primal = convex_objective(X, y, beta, solution.patterns, solution.V, solution.U)
    patterns = solution.patterns if X.shape[1] > 2 else None
    return _certify(X, y, beta, solution.residual, primal, primal, patterns, False)


def _certify(
    X: np.ndarray,
    y: np.ndarray,
    beta: float,
    r: np.ndarray,
    primal: float,
    primal_bal: float,
    patterns: object | None,
    complete: bool,
    refined: bool = False,
) -> Certificate:
    cmax = _constraint_max(X, r, patterns, complete)
    rr = float(r @ r)
    if rr == 0.0:
        s = 0.0
    else:
        s = float(r @ y) / rr
        if cmax.value > 0:
            s = min(s, beta / cmax.value)
        s = max(s, 0.0)
    dual = _dual_value(y, s * r)
    gap = primal - dual
    return Certificate(
        primal=primal,
        primal_balanced=primal_bal,
        dual=dual,
        gap=gap,
        relative_gap=gap / primal if primal > 0 else 0.0,
        constraint_max=cmax.value,
        scale=s,
        exact=cmax.exact,
        refined=refined,
    )


def solve_dual(
    X: object,
    y: object,
    beta: float,
    patterns: object,
    solver: str = "CLARABEL",
    solver_options: dict | None = None,
) -> tuple[float, np.ndarray]:
    """Solve the dual of the convex program directly (Pilanci and Ergen, 2020).

    ``max -1/2 ||v - y||^2 + 1/2 ||y||^2`` subject to, for every pattern ``D_i`` and both
    signs, ``min_{lam >= 0} ||+-X^T D_i v + X^T (2 D_i - I) lam|| <= beta``: the dual form of
    ``max {+-v^T D_i X u : (2 D_i - I) X u >= 0, ||u|| <= 1} <= beta``. The multipliers
    ``lam, mu >= 0`` are kept only for the rows of ``(2 D_i - I) X`` that bound the cone
    (:func:`twolayer.arrangements.essential_constraints`: at most two per pattern for
    ``d = 2``); the cone, hence the problem, is the same as with all ``n`` rows, but the
    multipliers become unique and the program small (``O(P)`` instead of ``n P`` variables).

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
    beta : float, > 0
    patterns : array_like of bool, shape (P, n)
    solver : str
    solver_options : dict, optional
        As in :func:`twolayer.convex.solve_convex`.

    The solver meets the constraint only up to its tolerance, which at small ``beta`` (against
    ``||y||``) is a large violation; so the constraint is evaluated after the solve (exactly for
    ``d <= 2``, over the cones of ``patterns`` otherwise) and ``v`` is scaled by
    ``min(1, beta / max_u |v^T relu(X u)|)`` into the feasible set. The value returned is that
    of the scaled vector: a lower bound on the optimum of every network when the maximum is
    exact (``d <= 2``, or ``d > 2`` with all patterns), equal to it up to the solver's accuracy.

    Returns
    -------
    value : float
        Dual value of the returned ``v`` (the primal optimum by strong duality, up to the
        solver's accuracy).
    v : numpy.ndarray, shape (n,)
        Dual vector, feasible: ``max_u |v^T relu(X u)| <= beta`` over the sphere for ``d <= 2``,
        over the cones of ``patterns`` otherwise.

    Raises
    ------
    RuntimeError
        If the solver does not report an optimal status.
    """
    X, y, beta, pat = check_problem(X, y, beta, patterns)
    n, P = pat.shape[1], pat.shape[0]
    M = pat.T.astype(float)  # (n, P)
    # one multiplier per essential row of each cone: with all n rows the multipliers of the
    # redundant ones are not unique, and the interior-point solver loses accuracy
    keep = essential_constraints(X, pat)  # (P, n)
    cone, row = np.nonzero(keep)
    # column i of X^T (S * Lam) is sum over the kept rows k of cone i of (2 p_ik - 1) lam_ik x_k
    signs = 2.0 * pat[cone, row] - 1.0
    C = [sparse.csr_array((signs * X[row, j], (cone, np.arange(cone.size))),
                          shape=(P, cone.size)) for j in range(X.shape[1])]
    # in the variable w = v / beta the constraint reads <= 1 and the objective, divided by beta,
    # is y.w - beta/2 ||w||^2: every term is of order one whatever beta (in v, the solver's
    # tolerances are relative to ||y||^2, far above the dual value at small beta)
    w = cp.Variable(n, name="w")
    lam = cp.Variable(cone.size, nonneg=True)
    mu = cp.Variable(cone.size, nonneg=True)
    # column i of X^T D_i w, coordinate by coordinate: (X[:, j] * pattern_i) . w
    Dw = cp.vstack([(M * X[:, j : j + 1]).T @ w for j in range(X.shape[1])])  # (d, P)
    plus = Dw + cp.vstack([Cj @ lam for Cj in C])
    minus = -Dw + cp.vstack([Cj @ mu for Cj in C])
    constraints = [cp.norm(plus, 2, axis=0) <= 1.0, cp.norm(minus, 2, axis=0) <= 1.0]
    problem = cp.Problem(cp.Maximize(y @ w - 0.5 * beta * cp.sum_squares(w)), constraints)
    solve_problem(problem, solver, solver_options, "the dual program")
    v = beta * np.asarray(w.value, dtype=float)
    return _feasible_dual(X, y, beta, pat, v)


def _feasible_dual(
    X: np.ndarray, y: np.ndarray, beta: float, pat: np.ndarray, v: np.ndarray
) -> tuple[float, np.ndarray]:
    """Scale a solver's dual vector into the feasible set and return its value with it.

    The solver meets the constraint only to its tolerance, relative to ``||y||``: when ``beta``
    is small against ``||y||`` its vector can violate the constraint by a large factor (and its
    value exceed the primal optimum). ``max_u |v^T relu(X u)|`` is evaluated exactly for
    ``d <= 2`` and over the cones of ``pat`` otherwise, and ``v`` is scaled by
    ``min(1, beta / max)``.
    """
    cmax = _sphere_max(X, v) if X.shape[1] <= 2 else _cone_max(X, v, pat, False)
    if cmax.value > beta:
        v = v * (beta / cmax.value)
    return float(-0.5 * np.sum((v - y) ** 2) + 0.5 * y @ y), v
