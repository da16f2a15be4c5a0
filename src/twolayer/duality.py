"""The dual of weight-decay training, its constraint, certificates and cutting planes.

For the network ``f(x) = sum_j a_j relu(w_j . x)`` trained with
``1/2 ||f(X) - y||^2 + beta/2 sum_j (||w_j||^2 + a_j^2)``, Pilanci and Ergen (2020)
and Ergen and Pilanci (2021) derive the dual problem::

    max_v  -1/2 ||v - y||^2 + 1/2 ||y||^2     s.t.   max_{||u|| <= 1} |v^T relu(X u)| <= beta.

Weak duality holds for every network of every width: any dual-feasible ``v`` gives a lower
bound on the objective of any network, so a trained network comes with a *certificate* of how
far it is from global optimality (:func:`certificate`). At the optimum the dual vector is the
residual ``v* = y - f*(X)`` and the constraint is active, ``|v*^T relu(X u)| = beta``, exactly
at the directions ``u = w_j / ||w_j||`` of the optimal neurons.

The constraint is a maximum over the sphere of a piecewise-linear function of ``u``: on the
cone of each activation pattern ``D_i`` it equals ``v^T D_i X u``. For ``d = 2`` it is
computed exactly over the arcs between consecutive critical angles; for any ``d`` and a list of
patterns it is computed exactly on the union of their cones, by a nonnegative least-squares
projection onto each cone.
"""

from __future__ import annotations

from dataclasses import dataclass

import cvxpy as cp
import numpy as np
from scipy import sparse
from scipy.optimize import nnls

from ._checks import (
    as_array,
    as_rng,
    check_int,
    check_patterns,
    check_real,
    check_same_length,
)
from .arrangements import (
    _arc_midpoints,
    _critical_angles_2d,
    _patterns_from_directions,
    _unit_circle,
    critical_angles_2d,
    essential_constraints,
    sample_patterns,
    unit_circle,
)
from .convex import (
    ConvexSolution,
    _check_problem,
    _solve,
    convex_objective,
    solve_convex,
    solve_problem,
)
from .network import _forward, _objective, _path_norm

__all__ = [
    "Certificate",
    "ConstraintMax",
    "CuttingPlaneResult",
    "certificate",
    "convex_certificate",
    "cutting_plane",
    "dual_constraint",
    "dual_value",
    "dual_vector",
    "max_dual_constraint",
    "network_patterns",
    "solve_dual",
]


def dual_vector(solution: ConvexSolution) -> np.ndarray:
    """Optimal dual vector ``v* = y - sum_i D_i X (v_i - w_i)`` of a convex solution, (n,).

    The optimality conditions of the convex program make the residual the dual solution
    (Pilanci and Ergen, 2020).
    """
    if not isinstance(solution, ConvexSolution):
        raise TypeError(f"solution must be a ConvexSolution, got {type(solution).__name__}")
    return solution.residual


def dual_value(y: object, v: object) -> float:
    """Dual objective ``-1/2 ||v - y||^2 + 1/2 ||y||^2`` (Pilanci and Ergen, 2020).

    Parameters
    ----------
    y : array_like, shape (n,)
    v : array_like, shape (n,)

    Returns
    -------
    float
    """
    y = as_array(y, "y", ndim=1)
    return _dual_value(y, as_array(v, "v", shape=y.shape))


def _dual_value(y: np.ndarray, v: np.ndarray) -> float:
    return float(-0.5 * np.sum((v - y) ** 2) + 0.5 * y @ y)


def dual_constraint(X: object, v: object, U: object, signed: bool = False) -> np.ndarray:
    """The dual constraint function ``|v^T relu(X u)|`` at given directions.

    Parameters
    ----------
    X : array_like, shape (n, d)
    v : array_like, shape (n,)
        Dual vector.
    U : array_like, shape (k, d)
        Directions ``u``, one per row (the constraint is over ``||u|| <= 1``; pass unit
        vectors to evaluate it on the sphere).
    signed : bool
        Return ``v^T relu(X u)`` without the absolute value.

    Returns
    -------
    numpy.ndarray, shape (k,)
    """
    X = as_array(X, "X", ndim=2)
    v = as_array(v, "v", shape=(X.shape[0],))
    U = as_array(U, "U", ndim=2)
    if U.shape[1] != X.shape[1]:
        raise ValueError(f"U must have {X.shape[1]} columns like X, got shape {U.shape}")
    values = np.maximum(U @ X.T, 0.0) @ v
    return values if signed else np.abs(values)


@dataclass(frozen=True)
class ConstraintMax:
    """Maximum of ``|v^T relu(X u)|`` over the unit ball and where it is attained.

    Attributes
    ----------
    value : float
        The maximum.
    direction : numpy.ndarray, shape (d,)
        A unit maximizer ``u``.
    pattern : numpy.ndarray of bool, shape (n,)
        Activation pattern of a cell whose closure contains ``direction``.
    sign : float
        ``+1`` if ``v^T relu(X u) = +value`` there, ``-1`` if it is ``-value``.
    exact : bool
        Whether the maximum is over the whole sphere rather than over the cones of the given
        patterns only: for ``d <= 2`` without patterns, or with patterns whose cones cover the
        sphere (checked: for ``d = 1`` those of both ``u = +1`` and ``u = -1``, for ``d = 2``
        those of every arc); for ``d > 2``, patterns declared complete.
    """

    value: float
    direction: np.ndarray
    pattern: np.ndarray
    sign: float
    exact: bool


def _circle_max(X: np.ndarray, v: np.ndarray) -> ConstraintMax:
    """Exact maximum of |v^T relu(X u(theta))| over the circle (d = 2)."""
    angles = _critical_angles_2d(X)
    if angles.size == 0:  # X = 0: the constraint is identically zero
        return ConstraintMax(0.0, np.array([1.0, 0.0]), np.ones(X.shape[0], bool), 1.0, True)
    start = angles
    stop = np.concatenate([angles[1:], [angles[0] + 2 * np.pi]])
    mid = 0.5 * (start + stop)
    pats = (_unit_circle(mid) @ X.T) >= 0  # (K, n): pattern of each open arc
    G = (pats * v) @ X  # (K, 2): g_k = X^T D_k v, the constraint is g_k . u(theta) on arc k
    best_val, best_theta, best_k, best_sign = -1.0, 0.0, 0, 1.0
    # candidates: both endpoints of every arc, and the angles of +-g_k when inside arc k
    phi = np.arctan2(G[:, 1], G[:, 0])
    cands = [start, stop]
    for shift in (0.0, np.pi):
        t = start + (phi + shift - start) % (2 * np.pi)
        cands.append(np.where(t <= stop, t, start))
    for t in cands:
        vals = np.einsum("kd,kd->k", G, _unit_circle(t))
        k = int(np.argmax(np.abs(vals)))
        if abs(vals[k]) > best_val:
            best_val, best_theta, best_k = float(abs(vals[k])), float(t[k]), k
            best_sign = 1.0 if vals[k] >= 0 else -1.0
    u = np.array([np.cos(best_theta), np.sin(best_theta)])
    return ConstraintMax(best_val, u, pats[best_k], best_sign, True)


def _sphere_max(X: np.ndarray, v: np.ndarray) -> ConstraintMax:
    """Exact maximum over the sphere for d <= 2: the two directions u = +-1, or the circle."""
    if X.shape[1] == 2:
        return _circle_max(X, v)
    U = np.array([[1.0], [-1.0]])
    vals = np.maximum(U @ X.T, 0.0) @ v
    k = int(np.argmax(np.abs(vals)))
    return ConstraintMax(
        float(abs(vals[k])), U[k], (X @ U[k]) >= 0, 1.0 if vals[k] >= 0 else -1.0, True
    )


def _cone_max(X: np.ndarray, v: np.ndarray, patterns: np.ndarray, exact: bool) -> ConstraintMax:
    """Max of |v^T D_i X u| over u in the cones {(2D_i - I) X u >= 0, ||u|| <= 1}."""
    best = (-1.0, None, 0, 1.0)
    for i, p in enumerate(patterns):
        A = (2.0 * p - 1.0)[:, None] * X  # (n, d): the cone is A u >= 0
        g = X.T @ (p * v)
        for sign in (1.0, -1.0):
            # max_{Au >= 0, ||u|| <= 1} (sign g).u = min_{lam >= 0} ||sign g + A^T lam||
            lam, rnorm = nnls(A.T, -sign * g)
            if rnorm > best[0]:
                proj = sign * g + A.T @ lam
                best = (float(rnorm), proj, i, sign)
    value, proj, i, sign = best
    d = X.shape[1]
    if proj is None or value <= 0.0:
        u = np.zeros(d)
        u[0] = 1.0
    else:
        u = proj / value
    return ConstraintMax(max(value, 0.0), u, patterns[i].copy(), sign, exact)


def max_dual_constraint(
    X: object, v: object, patterns: object | None = None, complete: bool = False
) -> ConstraintMax:
    """Maximum of the dual constraint ``|v^T relu(X u)|`` over the unit ball.

    * ``d = 1``: the two directions ``u = +-1``.
    * ``d = 2`` and no ``patterns``: exact, over the arcs of the circle between consecutive
      critical angles, on each of which the function is ``g_k . u(theta)`` with
      ``g_k = X^T D_k v``: its maximum is at an endpoint or at ``+-g_k / ||g_k||``.
    * ``patterns`` given: exact over the union of their cones,
      ``max_i max {+-v^T D_i X u : (2D_i - I) X u >= 0, ||u|| <= 1}``, each inner maximum being
      the norm of the projection of ``+-X^T D_i v`` onto the cone (a nonnegative least
      squares problem, Moreau's decomposition). This is the maximum over the whole sphere
      when the patterns are all the patterns of ``X`` (pass ``complete=True`` to record it);
      with sampled patterns it is a lower estimate.

    Parameters
    ----------
    X : array_like, shape (n, d)
    v : array_like, shape (n,)
    patterns : array_like of bool, shape (P, n), optional
        Required when ``d > 2``.
    complete : bool
        Declare that ``patterns`` are all the patterns of ``X`` (needed for ``exact`` when
        ``d > 2``). For ``d <= 2`` the cells of the sphere are known, and whether the patterns
        cover them is checked instead: ``complete=True`` with a list that misses one raises.

    Returns
    -------
    ConstraintMax
    """
    X = as_array(X, "X", ndim=2)
    v = as_array(v, "v", shape=(X.shape[0],))
    pat = None if patterns is None else check_patterns(patterns, X.shape[0])
    return _constraint_max(X, v, pat, bool(complete))


def _constraint_max(
    X: np.ndarray, v: np.ndarray, pat: np.ndarray | None, complete: bool
) -> ConstraintMax:
    """:func:`max_dual_constraint` on checked arrays."""
    d = X.shape[1]
    if pat is None:
        if d <= 2:
            return _sphere_max(X, v)
        raise ValueError(
            f"patterns must be given when X has d = {d} > 2 columns: the exact maximum over "
            "the sphere is computed over pattern cones"
        )
    if d <= 2:
        # the cells of the sphere are known exactly: the list is complete iff it holds them all
        covered = _covers_sphere(X, pat)
        if complete and not covered:
            raise ValueError(
                "complete=True, but patterns miss a cell of the sphere of X: pass all the "
                "patterns (enumerate_patterns_2d for d = 2, the patterns of u = +1 and u = -1 "
                "for d = 1) or complete=False"
            )
        return _cone_max(X, v, pat, covered)
    return _cone_max(X, v, pat, bool(complete))


def _sphere_cells(X: np.ndarray) -> np.ndarray:
    """Pattern of every open cell of the sphere for d <= 2: u = +-1, or the arcs of the circle."""
    if X.shape[1] == 1:
        U = np.array([[1.0], [-1.0]])
    else:
        U = unit_circle(_arc_midpoints(critical_angles_2d(X)))
    return (U @ X.T) >= 0


def _covers_sphere(X: np.ndarray, patterns: np.ndarray) -> bool:
    """Whether the cones of ``patterns`` cover the sphere (d <= 2).

    The closed cones of the cells' patterns cover the sphere, and the cone of a pattern holds
    a point inside a cell only if it agrees with the cell's pattern on every nonzero row of
    ``X`` (on a zero row both values give the same cone).
    """
    nonzero = np.any(X != 0.0, axis=1)
    cells = _sphere_cells(X)[:, nonzero]
    given = patterns[:, nonzero]
    return bool(all((given == cell).all(axis=1).any() for cell in cells))


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
    X = as_array(X, "X", ndim=2)
    y = as_array(y, "y", ndim=1)
    check_same_length(X, "X", y, "y")
    beta = check_real(beta, "beta", low=0.0, low_open=True)
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
    primal = _objective(X, y, W, a, beta, None)
    r = y - _forward(X, W, a, None)
    primal_bal = float(0.5 * r @ r + beta * _path_norm(W, a))
    cert = _certify(X, y, beta, r, primal, primal_bal, patterns, complete)
    if refine:
        own = _network_patterns(X, W[(a != 0) & (np.linalg.norm(W, axis=1) > 0)], True)
        if own.shape[0]:
            restricted = _solve(X, y, beta, own, "CLARABEL", None)
            other = _certify(X, y, beta, restricted.residual, primal, primal_bal, patterns,
                             complete, refined=True)
            if other.dual > cert.dual:
                cert = other
    return cert


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
    X, y, beta, pat = _check_problem(X, y, beta, patterns)
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
    X, y, beta, _ = _check_problem(X, y, beta, np.ones((1, np.shape(X)[0]), bool))
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
