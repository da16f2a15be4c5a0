"""The rectified ellipsoid ``Q_X``, spike-free data, and neurons as auto-encoders.

Ergen and Pilanci (2021) write the unit-norm form of weight-decay training as a lasso over the
set ``Q_X = {(Xu)_+ : ||u|| <= 1}`` of ``R^n``, the image of the unit ball under ``u -> (Xu)_+``:
a "rectified ellipsoid", non-convex in general. Its convex hull is all the lasso sees, and the
optimal neurons are extreme points of that hull, the maximizers of ``|v*^T z|`` over it
(their Corollary 2). The data are **spike-free** when rectifying adds nothing outside the
ellipsoid, ``Q_X = X B_2 ∩ R^n_+`` (Lemma 3): then every point of ``Q_X`` is ``Xu'`` for some
``||u'|| <= 1`` with ``Xu' >= 0``, and the problem is a convex program over one cone
(Theorem 4). Whitened data with ``n <= d`` (Lemma 4) and rank-one data ``c a^T``, ``c >= 0``
(Lemma 5), are spike-free.

The extreme point along a coordinate axis ``e_i`` is an auto-encoder of sample ``i``: the
neuron separates ``x_i`` from the convex hull of the other samples (Lemma 7, Corollary 1); when
every sample is a vertex of the hull of the data, ``n`` such neurons interpolate any labels
(Theorem 6).
"""

from __future__ import annotations

from dataclasses import dataclass

import cvxpy as cp
import numpy as np
from scipy.spatial import ConvexHull

from .._checks import as_array, as_rng, check_int, check_real
from ..convex import solve_problem

__all__ = [
    "RectifiedEllipsoid",
    "autoencoder_neurons",
    "hull_vertices",
    "is_spike_free",
    "rectified_ellipsoid_2d",
    "spike_excess",
]


def _spike_excess(X: np.ndarray, U: np.ndarray) -> np.ndarray:
    """Per direction: how far ``(Xu)_+`` lies outside ``X B_2`` (relative to ``||u||``)."""
    Z = np.maximum(U @ X.T, 0.0)  # (k, n)
    pinv = np.linalg.pinv(X)  # (d, n)
    pre = Z @ pinv.T  # minimum-norm preimages X^+ z, (k, d)
    scale = np.linalg.norm(U, axis=1)
    off_range = np.linalg.norm(pre @ X.T - Z, axis=1) / scale
    too_long = np.linalg.norm(pre, axis=1) / scale - 1.0
    return np.maximum(off_range, too_long)


def spike_excess(X: object, U: object) -> np.ndarray:
    """How far ``(Xu)_+`` sticks out of the ellipsoid ``X B_2``, for each direction ``u``.

    A point ``z = (Xu)_+`` of ``Q_X`` lies in ``X B_2`` when ``z`` is in the range of ``X`` and its
    minimum-norm preimage ``X^+ z`` has norm at most ``||u||``. The excess of ``u`` is the larger
    of ``||X X^+ z - z|| / ||u||`` and ``||X^+ z|| / ||u|| - 1``: at most zero for every ``u``
    exactly when ``X`` is spike-free (Ergen and Pilanci, 2021, Lemma 3), positive at a "spike".

    Parameters
    ----------
    X : array_like, shape (n, d)
    U : array_like, shape (k, d)
        Nonzero directions.

    Returns
    -------
    numpy.ndarray, shape (k,)
    """
    X = as_array(X, "X", ndim=2)
    U = as_array(U, "U", shape=(None, X.shape[1]))
    if np.any(np.linalg.norm(U, axis=1) == 0):
        raise ValueError("U must have nonzero rows (directions)")
    return _spike_excess(X, U)


def is_spike_free(
    X: object, *, rng: object, num: int = 4000, tol: float = 1e-8
) -> bool:
    """Whether ``Q_X = X B_2 ∩ R^n_+`` (spike-free data, Ergen and Pilanci, 2021, Lemma 3).

    Two sufficient conditions are checked exactly: whitened data, ``X X^T = I_n`` (Lemma 4),
    and rank-one data ``X = c a^T`` with ``c >= 0`` (Lemma 5). Otherwise ``num`` random
    directions and the ``n`` sample directions ``x_i`` (a pair of samples at an obtuse
    angle has its spike there) are searched for a spike (:func:`spike_excess` above
    ``tol``): ``False`` is then certain, ``True`` means none was found.

    Parameters
    ----------
    X : array_like, shape (n, d)
    rng : numpy.random.Generator or int
        For the random directions.
    num : int
        Number of random directions, ``>= 1``.
    tol : float
        Tolerance of the exact conditions and of the excess.

    Returns
    -------
    bool
    """
    X = as_array(X, "X", ndim=2)
    num = check_int(num, "num", low=1)
    tol = check_real(tol, "tol", low=0.0)
    gen = as_rng(rng)
    n, d = X.shape
    if n <= d and np.abs(X @ X.T - np.eye(n)).max() <= tol:
        return True
    s = np.linalg.svd(X, compute_uv=False)
    if s[0] == 0.0:
        return True
    if s.size == 1 or s[1] <= tol * s[0]:
        c = np.linalg.svd(X, full_matrices=False)[0][:, 0]
        return bool(c.min() >= -tol or c.max() <= tol)
    # the samples' own directions: at u = x_i a sample at an obtuse angle to x_i is switched off,
    # and for two such samples that point is the spike (the excess does not depend on ||u||)
    U = np.vstack([gen.standard_normal((num, d)), X[np.linalg.norm(X, axis=1) > 0]])
    return bool(_spike_excess(X, U).max() <= tol)


@dataclass(frozen=True)
class RectifiedEllipsoid:
    """The rectified ellipsoid of two samples, ``Q_X ⊂ R^2``, its hull and polar, for drawing.

    Attributes
    ----------
    X : numpy.ndarray, shape (2, d)
    theta : numpy.ndarray, shape (K,)
        Angles of the directions ``u(theta)`` on the unit circle (``d = 2``).
    ellipse : numpy.ndarray, shape (K, 2)
        ``X u(theta)``: the boundary of ``X B_2``.
    rectified : numpy.ndarray, shape (K, 2)
        ``(X u(theta))_+``: the boundary curve of ``Q_X`` (with the axis segments it folds onto).
    hull : numpy.ndarray, shape (H, 2)
        Vertices of the convex hull of ``Q_X ∪ -Q_X`` in counter-clockwise order.
    polar : numpy.ndarray, shape (K, 2)
        Boundary of the polar set ``{v : |v^T z| <= 1 for z in Q_X}`` (multiply by ``beta`` for
        the dual feasible set).
    spike_free : bool
    """

    X: np.ndarray
    theta: np.ndarray
    ellipse: np.ndarray
    rectified: np.ndarray
    hull: np.ndarray
    polar: np.ndarray
    spike_free: bool


def rectified_ellipsoid_2d(X: object, num: int = 721) -> RectifiedEllipsoid:
    """Sample ``Q_X``, its symmetric convex hull and the polar for two samples in the plane.

    Parameters
    ----------
    X : array_like, shape (2, 2)
        Two samples in the plane, linearly independent (so that the hull has interior).
    num : int
        Number of directions on the circle, ``>= 16``.

    Returns
    -------
    RectifiedEllipsoid
    """
    X = as_array(X, "X", shape=(2, 2))
    num = check_int(num, "num", low=16)
    if abs(np.linalg.det(X)) <= 1e-12 * max(np.abs(X).max() ** 2, 1e-300):
        raise ValueError("X must have two linearly independent rows, got a singular matrix")
    theta = np.linspace(0.0, 2 * np.pi, num)
    U = np.column_stack([np.cos(theta), np.sin(theta)])
    E = U @ X.T
    Q = np.maximum(E, 0.0)
    S = np.vstack([Q, -Q])
    hull = S[ConvexHull(S).vertices]
    support = np.abs(U @ Q.T).max(axis=1)  # h(e_phi) over Q ∪ -Q
    polar = U / support[:, None]
    return RectifiedEllipsoid(
        X=X, theta=theta, ellipse=E, rectified=Q, hull=hull, polar=polar,
        spike_free=bool(_spike_excess(X, U).max() <= 1e-9),
    )


def _hull_residuals(X: np.ndarray, solver: str) -> np.ndarray:
    """Row i: ``x_i - p_i`` with ``p_i`` the projection of ``x_i`` onto the hull of the others.

    The projection is the simplex-constrained least-squares fit of Lemma 7 of Ergen and
    Pilanci (2021): ``min ||x_i - sum_{j != i} lambda_j x_j||``, ``lambda >= 0``, ``sum = 1``.
    """
    n = X.shape[0]
    R = np.zeros_like(X)
    lam = cp.Variable(n - 1, nonneg=True)
    target = cp.Parameter(X.shape[1])
    others = cp.Parameter((n - 1, X.shape[1]))
    problem = cp.Problem(cp.Minimize(cp.sum_squares(others.T @ lam - target)),
                         [cp.sum(lam) == 1])
    for i in range(n):
        target.value = X[i]
        others.value = np.delete(X, i, axis=0)
        solve_problem(problem, solver, None, f"the hull projection of sample {i}")
        R[i] = X[i] - others.value.T @ np.asarray(lam.value, dtype=float)
    return R


def hull_vertices(
    X: object, *, tol: float = 1e-7, solver: str = "CLARABEL"
) -> np.ndarray:
    """Which samples are vertices of the convex hull of the data (not in the hull of the others).

    Theorem 6 of Ergen and Pilanci (2021) needs every sample to be one; for Gaussian samples
    that holds with high probability once ``d > 2 n log(n - 1)`` (their Theorem 7).

    Parameters
    ----------
    X : array_like, shape (n, d), n >= 2
    tol : float
        Distance to the hull of the others, relative to the largest sample norm, above which a
        sample counts as a vertex.
    solver : str

    Returns
    -------
    numpy.ndarray of bool, shape (n,)
    """
    X = as_array(X, "X", ndim=2)
    if X.shape[0] < 2:
        raise ValueError(f"X must have at least 2 rows, got shape {X.shape}")
    tol = check_real(tol, "tol", low=0.0)
    dist = np.linalg.norm(_hull_residuals(X, solver), axis=1)
    return dist > tol * np.linalg.norm(X, axis=1).max()


def autoencoder_neurons(
    X: object, *, tol: float = 1e-7, solver: str = "CLARABEL"
) -> tuple[np.ndarray, np.ndarray]:
    """The ``n`` neurons that each switch on one sample only (Ergen and Pilanci, 2021, Lemma 7).

    For sample ``i`` let ``p_i`` be its projection onto the convex hull of the other samples
    (the simplex-constrained least-squares fit ``sum_{j != i} lambda_j x_j``). The neuron is

        u_i = (x_i - p_i) / ||x_i - p_i||,   b_i = min_{j != i} (-x_j^T u_i),

    so that ``x_j^T u_i + b_i <= 0`` for every ``j != i`` (the hull lies on one side of the
    hyperplane through ``p_i`` normal to ``u_i``) and ``x_i^T u_i + b_i > 0``: the extreme point of
    the rectified set along ``e_i``, a neuron that "encodes" sample ``i``. With
    ``a_i = y_i / (x_i^T u_i + b_i)`` the ``n`` neurons interpolate any ``y`` (Theorem 6).

    Parameters
    ----------
    X : array_like, shape (n, d), n >= 2
        Samples, each a vertex of their convex hull (:func:`hull_vertices`).
    tol : float
        As in :func:`hull_vertices`.
    solver : str

    Returns
    -------
    U : numpy.ndarray, shape (n, d)
        Unit directions, one per sample.
    b : numpy.ndarray, shape (n,)
        Biases.

    Raises
    ------
    ValueError
        If a sample lies in the convex hull of the others (no neuron isolates it).
    """
    X = as_array(X, "X", ndim=2)
    if X.shape[0] < 2:
        raise ValueError(f"X must have at least 2 rows, got shape {X.shape}")
    tol = check_real(tol, "tol", low=0.0)
    R = _hull_residuals(X, solver)
    dist = np.linalg.norm(R, axis=1)
    inside = np.flatnonzero(dist <= tol * np.linalg.norm(X, axis=1).max())
    if inside.size:
        raise ValueError(
            f"X must have every sample outside the convex hull of the others (Theorem 6); "
            f"sample {int(inside[0])} lies in it (distance {dist[inside[0]]:.3g})"
        )
    U = R / dist[:, None]
    G = X @ U.T  # G[j, i] = x_j^T u_i
    np.fill_diagonal(G, -np.inf)
    return U, -G.max(axis=0)
