"""Hyperplane-arrangement patterns of a data matrix.

A ReLU neuron ``u`` acts on the data ``X (n, d)`` through the diagonal matrix
``D(u) = diag(1[X u >= 0])``: on the set of ``u`` where this *activation pattern* is
constant, ``relu(X u) = D X u`` is linear in ``u``. The patterns are the cells of the
arrangement of the ``n`` hyperplanes ``{u : x_i . u = 0}`` through the origin
(Pilanci and Ergen, 2020; Cover, 1965). This module samples them, enumerates them exactly
for two-dimensional data (and for one-dimensional data with a bias, whose augmented
data ``[x, 1]`` is two-dimensional), and counts them.

Patterns are returned as boolean arrays ``(P, n)``: row ``i`` is the diagonal of ``D_i``.
"""

from __future__ import annotations

import math

import numpy as np

from ._checks import as_array, as_rng, check_int

__all__ = [
    "critical_angles_2d",
    "enumerate_patterns_1d",
    "enumerate_patterns_2d",
    "essential_constraints",
    "pattern_count_bound",
    "pattern_count_general_position",
    "patterns_from_directions",
    "sample_patterns",
    "unit_circle",
]


def _unique_rows(patterns: np.ndarray) -> np.ndarray:
    """Distinct rows of a boolean matrix, in order of first appearance."""
    if patterns.shape[0] == 0:
        return patterns
    _, first = np.unique(patterns, axis=0, return_index=True)
    return patterns[np.sort(first)]


def patterns_from_directions(X: object, U: object) -> np.ndarray:
    """Activation patterns ``1[X u >= 0]`` of given directions, duplicates removed.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Data matrix, one sample per row.
    U : array_like, shape (k, d)
        Directions ``u``, one per row.

    Returns
    -------
    numpy.ndarray of bool, shape (P, n)
        The distinct patterns, in order of first appearance (``P <= k``).
    """
    X = as_array(X, "X", ndim=2)
    U = as_array(U, "U", ndim=2)
    if U.shape[1] != X.shape[1]:
        raise ValueError(
            f"U must have {X.shape[1]} columns like X, got shape {U.shape}"
        )
    return _patterns_from_directions(X, U)


def _patterns_from_directions(X: np.ndarray, U: np.ndarray) -> np.ndarray:
    return _unique_rows((U @ X.T) >= 0)


def sample_patterns(X: object, num: int, rng: object) -> np.ndarray:
    """Activation patterns of ``num`` random Gaussian directions, duplicates removed.

    This is the sampling scheme of Pilanci and Ergen (2020): draw
    ``u_1, ..., u_num ~ N(0, I_d)`` and keep the distinct diagonals ``1[X u_k >= 0]``.
    Large cells of the arrangement are found first; small ones may be missed, so the
    convex program built on sampled patterns is a restriction of the exact one.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Data matrix.
    num : int
        Number of random directions, at least 1.
    rng : numpy.random.Generator or int
        Source of randomness.

    Returns
    -------
    numpy.ndarray of bool, shape (P, n)
        Distinct patterns, ``P <= num``, in order of first appearance.
    """
    X = as_array(X, "X", ndim=2)
    num = check_int(num, "num", low=1)
    gen = as_rng(rng)
    U = gen.standard_normal((num, X.shape[1]))
    return _patterns_from_directions(X, U)


def unit_circle(theta: object) -> np.ndarray:
    """Points ``u(theta) = (cos theta, sin theta)`` of the unit circle.

    Parameters
    ----------
    theta : array_like, shape (k,)
        Angles in radians.

    Returns
    -------
    numpy.ndarray, shape (k, 2)
    """
    return _unit_circle(as_array(theta, "theta", ndim=1))


def _unit_circle(theta: np.ndarray) -> np.ndarray:
    return np.column_stack([np.cos(theta), np.sin(theta)])


def critical_angles_2d(X: object) -> np.ndarray:
    """Angles in ``[0, 2 pi)`` where ``u(theta)`` is orthogonal to some data point.

    For ``X (n, 2)`` the hyperplane ``{u : x_i . u = 0}`` is a line through the origin
    and meets the unit circle at the two angles ``phi_i +- pi/2``, where ``phi_i`` is
    the angle of ``x_i``. Between consecutive critical angles the pattern
    ``1[X u(theta) >= 0]`` is constant. Zero rows of ``X`` define no hyperplane.

    Parameters
    ----------
    X : array_like, shape (n, 2)

    Returns
    -------
    numpy.ndarray, shape (K,)
        The distinct critical angles, sorted increasingly (``K <= 2n``).
    """
    return _critical_angles_2d(as_array(X, "X", shape=(None, 2)))


def _critical_angles_2d(X: np.ndarray) -> np.ndarray:
    nonzero = np.linalg.norm(X, axis=1) > 0
    phi = np.arctan2(X[nonzero, 1], X[nonzero, 0])
    angles = np.concatenate([phi + np.pi / 2, phi - np.pi / 2]) % (2 * np.pi)
    # x % 2 pi rounds up to 2 pi for x just below 0 (the direction of angle 0)
    angles = np.sort(np.where(angles < 2 * np.pi, angles, 0.0))
    if angles.size == 0:
        return angles
    # merge angles that coincide up to rounding (collinear data points)
    keep = np.concatenate([[True], np.diff(angles) > 1e-12])
    angles = angles[keep]
    if angles.size > 1 and (angles[0] + 2 * np.pi - angles[-1]) <= 1e-12:
        angles = angles[:-1]
    return angles


def _arc_midpoints(angles: np.ndarray) -> np.ndarray:
    """Midpoints of the arcs between consecutive sorted angles on the circle."""
    if angles.size == 0:
        return np.array([0.0])
    nxt = np.concatenate([angles[1:], [angles[0] + 2 * np.pi]])
    return 0.5 * (angles + nxt)


def enumerate_patterns_2d(X: object) -> np.ndarray:
    """All distinct patterns ``1[X u >= 0]``, ``u != 0``, for two-dimensional data.

    Exact enumeration through the critical angles (:func:`critical_angles_2d`): the
    pattern is constant on each open arc between consecutive critical angles, so the
    patterns at the arc midpoints and at the critical angles themselves are all the
    patterns the circle (hence the plane, by positive homogeneity) produces. For data
    in general position (no two points collinear with the origin) there are exactly
    ``2n`` of them (Cover, 1965), against the bound of :func:`pattern_count_bound`.

    Parameters
    ----------
    X : array_like, shape (n, 2)
        Data matrix.

    Returns
    -------
    numpy.ndarray of bool, shape (P, n)
        The distinct patterns, ordered by the angle at which they first occur, starting
        at the first arc after the smallest critical angle.
    """
    return _enumerate_patterns_2d(as_array(X, "X", shape=(None, 2)))


def _enumerate_patterns_2d(X: np.ndarray) -> np.ndarray:
    angles = _critical_angles_2d(X)
    mids = _arc_midpoints(angles)
    # interleave: arc midpoint k, then the critical angle closing arc k
    if angles.size == 0:
        return _unique_rows((_unit_circle(mids) @ X.T) >= 0)
    closing = np.concatenate([angles[1:], angles[:1]])
    at_mid = (_unit_circle(mids) @ X.T) >= 0
    # at a critical angle some x_i . u vanish exactly; rounding must not decide 1[0 >= 0]
    values = _unit_circle(closing) @ X.T
    scale = np.linalg.norm(X, axis=1)
    at_crit = values >= -1e-12 * scale
    patterns = np.empty((2 * angles.size, X.shape[0]), dtype=bool)
    patterns[0::2] = at_mid
    patterns[1::2] = at_crit
    return _unique_rows(patterns)


def enumerate_patterns_1d(x: object) -> np.ndarray:
    """All distinct patterns ``1[a x_i + b >= 0]`` over ``(a, b) != 0``, for 1-D data.

    These are the patterns of the augmented data ``[x, 1] (n, 2)``, i.e. of neurons with
    a bias: the sets ``{x_i >= t}`` and ``{x_i <= t}`` for thresholds ``t`` at the data
    values, plus the empty and the full set. For ``n`` distinct values there are ``2n``
    of them (Ergen and Pilanci, 2021; Pilanci and Ergen, 2020).

    Parameters
    ----------
    x : array_like, shape (n,)
        One-dimensional inputs.

    Returns
    -------
    numpy.ndarray of bool, shape (P, n)
        The distinct patterns: the full set, then ``{x >= s}`` for increasing data
        values ``s``, the empty set, then ``{x <= s}`` for decreasing ``s``.
    """
    x = as_array(x, "x", ndim=1)
    if x.size == 0:
        raise ValueError("x must hold at least one point, got an empty array")
    values = np.unique(x)
    n = x.size
    rows = [np.ones(n, dtype=bool)]
    rows += [x >= s for s in values]
    rows.append(np.zeros(n, dtype=bool))
    rows += [x <= s for s in values[::-1]]
    return _unique_rows(np.array(rows, dtype=bool).reshape(-1, n))


def pattern_count_bound(n: int, r: int) -> float:
    """Upper bound ``2 r (e (n - 1) / r)^r`` on the number of activation patterns.

    For ``X (n, d)`` of rank ``r`` the number ``P`` of distinct patterns
    ``1[X u >= 0]`` satisfies ``P <= 2 r (e (n - 1) / r)^r``
    (Pilanci and Ergen, 2020, after Cover, 1965): polynomial in ``n`` for fixed
    rank. It needs ``n >= 2``: for one point it is 0, and one point has 2 patterns.

    Parameters
    ----------
    n : int
        Number of samples, at least 2.
    r : int
        Rank of the data matrix, ``1 <= r <= n``.

    Returns
    -------
    float
    """
    n = check_int(n, "n", low=2)
    r = check_int(r, "r", low=1)
    if r > n:
        raise ValueError(f"r must be <= n = {n} (a rank), got {r}")
    return 2.0 * r * (math.e * (n - 1) / r) ** r


def pattern_count_general_position(n: int, r: int) -> int:
    """Exact number ``2 sum_{k<r} C(n-1, k)`` of patterns for data in general position.

    Cover's (1965) function counting theorem: ``n`` hyperplanes through the origin of
    ``R^r`` in general position cut it into ``2 sum_{k=0}^{r-1} binom(n-1, k)`` open
    cells. For ``r = 2`` this is ``2n``.

    Parameters
    ----------
    n : int
        Number of samples, at least 1.
    r : int
        Dimension (rank), at least 1.

    Returns
    -------
    int
    """
    n = check_int(n, "n", low=1)
    r = check_int(r, "r", low=1)
    return 2 * sum(math.comb(n - 1, k) for k in range(r))


def essential_constraints(X: object, patterns: object, *, angle_tol: float = 1e-9) -> np.ndarray:
    """Which rows of ``(2 D_i - I) X u >= 0`` the cone of each pattern needs.

    The cone ``K_i = {u : (2 D_i - I) X u >= 0}`` of a pattern is described by ``n``
    inequalities, most of them implied by the others. For ``d = 2`` the cone is an arc of
    directions bounded by (at most) two of the lines ``x_k . u = 0``: the row ``a_k`` of
    ``(2 D_i - I) X`` at angle ``psi_k`` allows the half circle ``|theta - psi_k| <= pi/2``, so
    only the rows of smallest and largest angle ``psi_k`` (measured around the cone) bound
    the intersection (when the cone is a single ray, degenerate data only, all rows are kept:
    the two extreme rows alone would allow the opposite ray too). Dropping the others leaves
    ``K_i`` unchanged and makes the convex
    programs over it far smaller and better conditioned: ``O(P)`` constraints instead of
    ``n P``, and unique multipliers in the dual (Pilanci and Ergen, 2020, write the constraints
    with all ``n`` rows). Rows within ``angle_tol`` radians of an extreme angle are kept, so
    ties and rounding never drop a row that matters. Zero rows of ``X`` (the constraint
    ``0 >= 0``) are dropped for every ``d``; for ``d != 2`` all other rows are kept, as they
    are for a pattern whose cone is ``{0}`` or a ray.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Data matrix.
    patterns : array_like of bool, shape (P, n)
        Activation patterns, row ``i`` the diagonal of ``D_i``.
    angle_tol : float
        Angular tolerance for ties with the extreme rows, ``>= 0``.

    Returns
    -------
    numpy.ndarray of bool, shape (P, n)
        Entry ``(i, k)`` is whether the cone of pattern ``i`` keeps the constraint of row
        ``k``; the cone of the kept rows equals ``K_i``.
    """
    X = as_array(X, "X", ndim=2)
    pat = np.asarray(patterns)
    if pat.ndim != 2 or pat.shape[1] != X.shape[0]:
        raise ValueError(
            f"patterns must have shape (P, n) with n = {X.shape[0]}, got shape {pat.shape}"
        )
    pat = pat.astype(bool)
    if not np.isfinite(angle_tol) or angle_tol < 0:
        raise ValueError(f"angle_tol must be >= 0, got {angle_tol}")
    nonzero = np.linalg.norm(X, axis=1) > 0
    keep = np.broadcast_to(nonzero, pat.shape).copy()
    if X.shape[1] != 2 or not nonzero.any():
        return keep
    idx = np.flatnonzero(nonzero)
    phi = np.arctan2(X[idx, 1], X[idx, 0])
    two_pi = 2 * np.pi
    for i, p in enumerate(pat):
        psi = (phi + np.where(p[idx], 0.0, np.pi)) % two_pi  # angle of row (2 p_k - 1) x_k
        order = np.argsort(psi, kind="stable")
        s = psi[order]
        gaps = np.diff(np.concatenate([s, [s[0] + two_pi]]))
        g = int(np.argmax(gaps))
        if gaps[g] <= np.pi + angle_tol:
            # the rows do not fit in an open half circle: the cone is {0}, or a ray, which the
            # two extreme rows alone would not tell from the opposite ray; keep every row
            continue
        # the rows span the arc from lo = s[g + 1] counterclockwise to hi = s[g]; each row's
        # distance to either end is measured from that end, so it is exactly 0 at the end
        lo, hi = s[(g + 1) % s.size], s[g]
        extreme = ((psi - lo) % two_pi <= angle_tol) | ((hi - psi) % two_pi <= angle_tol)
        row = np.zeros(X.shape[0], dtype=bool)
        row[idx[extreme]] = True
        keep[i] = row
    return keep
