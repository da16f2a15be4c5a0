"""The dual vector, the dual objective and the dual constraint ``max_u |v^T relu(X u)|``,
computed exactly on the circle (d = 2) and on the union of given pattern cones (any d).

Imports :mod:`twolayer._checks`, :mod:`twolayer.arrangements` and :mod:`twolayer.convex`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import nnls

from .._checks import (
    as_array,
    check_patterns,
)
from ..arrangements import (
    _arc_midpoints,
    _critical_angles_2d,
    _unit_circle,
    critical_angles_2d,
    unit_circle,
)
from ..convex import (
    ConvexSolution,
)

__all__ = [
    "ConstraintMax",
    "dual_constraint",
    "dual_value",
    "dual_vector",
    "max_dual_constraint",
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
