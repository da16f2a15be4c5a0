"""Optimal two-layer ReLU networks in closed form: whitened data and rank-one data.

For whitened data, ``X X^T = I_n`` (so ``n <= d``), the set ``{(Xu)_+ : ||u|| <= 1}`` is the
nonnegative part of the unit ball of ``R^n`` and the extreme point that best correlates with a
nonnegative target ``z`` is ``z / ||z||`` itself. Ergen and Pilanci (2021, Theorem 9) read off
the optimal network of weight-decay regression::

    u_+ = X^+ y_+ / ||X^+ y_+||,  weight ||y_+|| - beta;   u_- = X^+ y_- / ||X^+ y_-||,
    weight -(||y_-|| - beta),   y_+ = (y)_+,  y_- = (-y)_+,

a neuron being dropped once ``beta`` exceeds its threshold ``||y_+||`` (or ``||y_-||``); with
one-hot labels ``Y (n, K)`` the same holds class by class (their Theorem 15). For rank-one data
``X = c a^T`` with ``c >= 0`` and neurons with a (free) bias, the extreme points are the neurons
``(+-(a / ||a||) . x - b)_+`` with knots at the samples (their Lemma 6 and Corollary 5): the
optimal network is a linear spline along ``a`` whose output weights solve a lasso over those
``2n`` neurons.

For hinge-loss classification on whitened data with labels ``+-1`` (their Theorem 12) the
optimal network has the same two neurons, now ``X^T y_+ / sqrt(n_+)`` and ``X^T y_- / sqrt(n_-)``
with output weights ``sqrt(n_+)`` and ``-sqrt(n_-)`` (every sample on the margin), a neuron
being dropped once ``beta`` reaches ``sqrt(n_+-)``; :func:`hinge_convex_program` is the convex
program of the hinge loss over given activation patterns, to check it against.
"""

from __future__ import annotations

import cvxpy as cp
import numpy as np

from .._checks import as_array, check_patterns, check_real, check_regression, check_same_length
from ..convex import solve_problem

__all__ = [
    "hinge_convex_program",
    "hinge_objective",
    "multiclass_objective",
    "rank_one_network",
    "whiten",
    "whitened_classification",
    "whitened_multiclass",
    "whitened_optimal_value",
    "whitened_regression",
]


def _check_whitened(X: object, tol: object) -> tuple[np.ndarray, float]:
    X = as_array(X, "X", ndim=2)
    tol = check_real(tol, "tol", low=0.0)
    n, d = X.shape
    if n == 0 or n > d:
        raise ValueError(
            f"X must be whitened, X X^T = I_n, which needs 1 <= n <= d; got shape {X.shape}"
        )
    dev = float(np.abs(X @ X.T - np.eye(n)).max())
    if dev > tol:
        raise ValueError(
            f"X must be whitened, X X^T = I_n within tol = {tol:g}; got a largest deviation "
            f"of {dev:.3g} (whiten it first, e.g. with twolayer.extreme.whiten)"
        )
    return X, tol


def _check_beta_thresholds(norms: np.ndarray, beta: float, strict: bool, what: str) -> None:
    if strict and np.any((norms > 0) & (norms <= beta)):
        k = int(np.flatnonzero((norms > 0) & (norms <= beta))[0])
        raise ValueError(
            f"beta = {beta:g} is at or above the threshold ||{what}[{k}]|| = {norms[k]:.6g}: "
            "that neuron is dropped from the optimal network (pass strict=False to allow it)"
        )


def _neurons(X: np.ndarray, Z: np.ndarray, beta: float) -> tuple[np.ndarray, np.ndarray, list]:
    """Balanced neurons ``sqrt(c) X^T z / ||z||`` with ``c = ||z|| - beta > 0``, one per column."""
    norms = np.linalg.norm(Z, axis=0)
    keep = np.flatnonzero(norms > beta)
    U = (X.T @ Z[:, keep] / norms[keep]).T  # unit rows: ||X^T z|| = ||z|| for whitened X
    root = np.sqrt(norms[keep] - beta)
    return U * root[:, None], root, list(keep)


def whitened_regression(
    X: object, y: object, beta: float, *, tol: float = 1e-8, strict: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """The optimal network of weight-decay regression on whitened data, in closed form.

    Minimizes ``1/2 ||sum_j a_j (X w_j)_+ - y||^2 + beta/2 sum_j (||w_j||^2 + a_j^2)`` over
    networks of any width when ``X X^T = I_n`` (Ergen and Pilanci, 2021, Theorem 9). With
    ``y_+ = (y)_+`` and ``y_- = (-y)_+``, the optimum has (at most) two neurons, with unit
    directions ``X^T y_+ / ||y_+||`` and ``X^T y_- / ||y_-||`` (``X^+ = X^T`` here) and
    output weights ``||y_+|| - beta`` and ``-(||y_-|| - beta)``; the optimal value is
    :func:`whitened_optimal_value`, ``beta (||y_+|| + ||y_-||) - beta^2`` when ``beta`` is below
    both thresholds. A neuron whose threshold ``beta`` reaches is absent.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Whitened data, ``X X^T = I_n`` within ``tol`` (so ``n <= d``).
    y : array_like, shape (n,)
    beta : float
        Weight decay, ``> 0``.
    tol : float
        Largest entry of ``|X X^T - I|`` accepted.
    strict : bool
        Raise instead of dropping a neuron when ``beta >= ||y_+||`` or ``beta >= ||y_-||``.

    Returns
    -------
    W : numpy.ndarray, shape (m, d), m <= 2
        Balanced first layer, the positive neuron first.
    a : numpy.ndarray, shape (m,)

    Raises
    ------
    ValueError
        If ``X`` is not whitened, shapes disagree, ``beta <= 0``, or (``strict``) ``beta`` is
        at or above a threshold.
    """
    X, tol = _check_whitened(X, tol)
    y = as_array(y, "y", ndim=1)
    check_same_length(X, "X", y, "y")
    beta = check_real(beta, "beta", low=0.0, low_open=True)
    Z = np.column_stack([np.maximum(y, 0.0), np.maximum(-y, 0.0)])
    _check_beta_thresholds(np.linalg.norm(Z, axis=0), beta, bool(strict), "(+-y)_+")
    W, root, keep = _neurons(X, Z, beta)
    sign = np.array([1.0, -1.0])[keep]
    return W, sign * root


def whitened_multiclass(
    X: object, Y: object, beta: float, *, tol: float = 1e-8, strict: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """The optimal vector-output network for one-hot labels on whitened data, in closed form.

    Minimizes ``1/2 ||sum_j (X w_j)_+ A_j^T - Y||_F^2 + beta/2 sum_j (||w_j||^2 + ||A_j||^2)``
    (:func:`multiclass_objective`) when ``X X^T = I_n`` and the columns of ``Y`` are
    nonnegative with disjoint supports, as one-hot labels are (Ergen and Pilanci, 2021,
    Theorem 15): one neuron per class ``k`` with ``||y_k|| > beta``, unit direction
    ``X^T y_k / ||y_k||`` (the whitened mean of class ``k``) and output ``(||y_k|| - beta) e_k``.
    The residual ``min(beta, ||y_k||) y_k / ||y_k||`` has orthogonal columns, which makes it
    dual feasible: ``||R^T z|| <= beta`` for every ``z >= 0``, ``||z|| <= 1``.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Whitened data.
    Y : array_like, shape (n, K)
        Nonnegative labels with at most one nonzero entry per row (one-hot, for instance).
    beta : float, > 0
    tol, strict
        As in :func:`whitened_regression`.

    Returns
    -------
    W : numpy.ndarray, shape (m, d), m <= K
        Balanced first layer, classes in order.
    A : numpy.ndarray, shape (m, K)
        Second layer; row ``j`` is ``sqrt(||y_k|| - beta) e_k`` for the class ``k`` of neuron j.
    """
    X, tol = _check_whitened(X, tol)
    Y = as_array(Y, "Y", ndim=2)
    check_same_length(X, "X", Y, "Y")
    beta = check_real(beta, "beta", low=0.0, low_open=True)
    if np.any(Y < 0) or np.any((Y != 0).sum(axis=1) > 1):
        raise ValueError(
            "Y must be nonnegative with at most one nonzero entry per row (one-hot labels): "
            "Theorem 15 needs columns with disjoint supports"
        )
    _check_beta_thresholds(np.linalg.norm(Y, axis=0), beta, bool(strict), "Y[:, k]")
    W, root, keep = _neurons(X, Y, beta)
    A = np.zeros((len(keep), Y.shape[1]))
    A[np.arange(len(keep)), keep] = root
    return W, A


def _check_signs(X: np.ndarray, y: object) -> np.ndarray:
    y = as_array(y, "y", ndim=1)
    check_same_length(X, "X", y, "y")
    bad = np.flatnonzero((y != 1.0) & (y != -1.0))
    if bad.size:
        raise ValueError(
            f"y must hold labels in {{-1, +1}}, got y[{bad[0]}] = {y[bad[0]]:g}"
        )
    return y


def whitened_classification(
    X: object, y: object, beta: float, *, tol: float = 1e-8, strict: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """The optimal network of hinge-loss classification on whitened data, in closed form.

    Minimizes ``sum_i max(0, 1 - y_i f(x_i)) + beta/2 sum_j (||w_j||^2 + a_j^2)``
    (:func:`hinge_objective`) over networks ``f(x) = sum_j a_j (w_j . x)_+`` of any width, when
    ``X X^T = I_n`` and ``y`` is in ``{-1, +1}^n`` (Ergen and Pilanci, 2021, Theorem 12). With
    ``y_+ = (y)_+``, ``y_- = (-y)_+`` and ``n_+-`` the class sizes, the unit-norm optimum has the
    neurons ``X^T y_+ / sqrt(n_+)`` and ``X^T y_- / sqrt(n_-)`` with weights ``sqrt(n_+)`` and
    ``-sqrt(n_-)``: the network outputs ``y_i`` on every sample (all of them on the margin) at the
    path-norm cost ``beta (sqrt(n_+) + sqrt(n_-))``. A class with ``sqrt(n_k) <= beta`` is
    cheaper left at output zero (hinge loss ``n_k``), and its neuron is absent (at
    ``beta = sqrt(n_k)`` both are optimal, as is every weight in between). The optimal value is
    ``sum_k min(beta sqrt(n_k), n_k)``. In the original coordinates of data whitened by ``M``
    the neuron ``M X^T y_+`` is ``X_raw^+ y_+ = n Sigma^+ mu_+`` (``Sigma`` the second-moment
    matrix, ``mu_+`` the mean of the first class over ``n``): Fisher's discriminant direction
    in the paper's reading.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Whitened data, ``X X^T = I_n`` within ``tol`` (so ``n <= d``).
    y : array_like, shape (n,)
        Labels, each ``-1`` or ``+1``.
    beta : float
        Weight decay, ``> 0``.
    tol : float
        Largest entry of ``|X X^T - I|`` accepted.
    strict : bool
        Raise instead of dropping a neuron when ``beta >= sqrt(n_k)`` for a class present.

    Returns
    -------
    W : numpy.ndarray, shape (m, d), m <= 2
        Balanced first layer (``||w_j|| = |a_j|``), the neuron of the ``+1`` class first.
    a : numpy.ndarray, shape (m,)

    Raises
    ------
    ValueError
        If ``X`` is not whitened, ``y`` has a label other than ``+-1`` or the wrong length,
        ``beta <= 0``, or (``strict``) ``beta`` is at or above a threshold ``sqrt(n_k)``.
    """
    X, tol = _check_whitened(X, tol)
    y = _check_signs(X, y)
    beta = check_real(beta, "beta", low=0.0, low_open=True)
    Z = np.column_stack([y > 0, y < 0]).astype(float)
    roots = np.sqrt(Z.sum(axis=0))  # sqrt(n_+), sqrt(n_-)
    if strict:
        hit = np.flatnonzero((roots > 0) & (roots <= beta))
        if hit.size:
            k = int(hit[0])
            raise ValueError(
                f"beta = {beta:g} is at or above the threshold sqrt(n_{'+-'[k]}) = "
                f"{roots[k]:.6g} of the {'+-'[k]}1 class: its neuron is dropped from the "
                "optimal network (pass strict=False to allow it)"
            )
    keep = np.flatnonzero(roots > beta)
    U = (X.T @ Z[:, keep] / roots[keep]).T  # unit rows, since ||X^T z|| = ||z||
    scale = np.sqrt(roots[keep])  # balanced: ||w|| = |a| = sqrt(sqrt(n_k))
    return U * scale[:, None], np.array([1.0, -1.0])[keep] * scale


def hinge_objective(
    X: object, y: object, W: object, a: object, beta: float, b: object | None = None
) -> float:
    """Hinge loss with weight decay, ``sum_i max(0, 1 - y_i f(x_i)) + beta/2 (||W||^2 + ||a||^2)``.

    ``f(x) = sum_j a_j (w_j . x + b_j)_+`` (biases, if given, are not penalized), the
    objective of Ergen and Pilanci (2021), eq. (18), before rescaling.

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
        Labels, each ``-1`` or ``+1``.
    W : array_like, shape (m, d)
    a : array_like, shape (m,)
    beta : float, >= 0
    b : array_like, shape (m,), optional

    Returns
    -------
    float
    """
    X = as_array(X, "X", ndim=2)
    y = _check_signs(X, y)
    W = as_array(W, "W", shape=(None, X.shape[1]))
    a = as_array(a, "a", shape=(W.shape[0],))
    beta = check_real(beta, "beta", low=0.0)
    Z = X @ W.T
    if b is not None:
        Z = Z + as_array(b, "b", shape=(W.shape[0],))
    f = np.maximum(Z, 0.0) @ a
    return float(np.maximum(1.0 - y * f, 0.0).sum() + 0.5 * beta * (np.sum(W**2) + a @ a))


def hinge_convex_program(
    X: object, y: object, beta: float, patterns: object, *, solver: str = "CLARABEL"
) -> float:
    """Optimal value of the convex program of hinge-loss training over given patterns.

    ``min sum_i max(0, 1 - y_i sum_k [D_k X (v_k - w_k)]_i) + beta sum_k (||v_k|| + ||w_k||)``
    subject to ``(2 D_k - I) X v_k >= 0`` and ``(2 D_k - I) X w_k >= 0``: the program of
    Pilanci and Ergen (2020) with the squared loss replaced by the hinge loss. With every
    activation pattern of ``X`` it equals the minimum of :func:`hinge_objective` over networks
    of any width (the strong duality of Ergen and Pilanci, 2021, Theorem 10); with fewer
    patterns it is an upper bound.

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
        Labels, each ``-1`` or ``+1``.
    beta : float, > 0
    patterns : array_like of bool, shape (P, n)
    solver : str
        cvxpy solver.

    Returns
    -------
    float

    Raises
    ------
    RuntimeError
        If the solver does not report an optimal status.
    """
    X = as_array(X, "X", ndim=2)
    y = _check_signs(X, y)
    beta = check_real(beta, "beta", low=0.0, low_open=True)
    pat = check_patterns(patterns, X.shape[0])
    P, d = pat.shape[0], X.shape[1]
    V = cp.Variable((P, d))
    U = cp.Variable((P, d))
    M = pat.astype(float)  # (P, n)
    # prediction i is x_i . sum_k [D_k]_ii (v_k - u_k)
    pred = cp.sum(cp.multiply(X, M.T @ (V - U)), axis=1)
    signs = 2.0 * M - 1.0
    constraints = [cp.multiply(signs, V @ X.T) >= 0, cp.multiply(signs, U @ X.T) >= 0]
    loss = cp.sum(cp.pos(1.0 - cp.multiply(y, pred)))
    penalty = cp.sum(cp.norm(V, 2, axis=1)) + cp.sum(cp.norm(U, 2, axis=1))
    problem = cp.Problem(cp.Minimize(loss + beta * penalty), constraints)
    solve_problem(problem, solver, None, "the hinge-loss convex program")
    return float(problem.value)


def whitened_optimal_value(Y: object, beta: float) -> float:
    """Optimal value of weight-decay training on whitened data, for the closed forms above.

    With nonnegative target columns ``z_k`` of disjoint supports (``(y)_+`` and ``(-y)_+`` for
    a vector ``y``, the classes of one-hot labels for a matrix ``Y``) the optimum is
    ``sum_k (beta ||z_k|| - beta^2 / 2)`` over the columns with ``||z_k|| > beta`` plus
    ``||z_k||^2 / 2`` over the others (Ergen and Pilanci, 2021, Theorems 9 and 15); for a
    vector ``y`` below both thresholds it is ``beta (||y_+|| + ||y_-||) - beta^2``.

    Parameters
    ----------
    Y : array_like, shape (n,) or (n, K)
    beta : float, > 0

    Returns
    -------
    float
    """
    Y = as_array(Y, "Y")
    beta = check_real(beta, "beta", low=0.0, low_open=True)
    if Y.ndim == 1:
        Y = np.column_stack([np.maximum(Y, 0.0), np.maximum(-Y, 0.0)])
    elif Y.ndim != 2:
        raise ValueError(f"Y must be 1- or 2-dimensional, got shape {Y.shape}")
    elif np.any(Y < 0) or np.any((Y != 0).sum(axis=1) > 1):
        raise ValueError("Y must be nonnegative with at most one nonzero entry per row")
    norms = np.linalg.norm(Y, axis=0)
    return float(np.where(norms > beta, beta * norms - 0.5 * beta**2, 0.5 * norms**2).sum())


def multiclass_objective(
    X: object, Y: object, W: object, A: object, beta: float
) -> float:
    """Weight-decay objective of a vector-output network ``f(x) = sum_j A_j relu(w_j . x)``.

    ``1/2 ||relu(X W^T) A - Y||_F^2 + beta/2 (||W||_F^2 + ||A||_F^2)``, the objective of
    :func:`twolayer.network.objective` with ``K`` outputs (Ergen and Pilanci, 2021, eq. 40).

    Parameters
    ----------
    X : array_like, shape (n, d)
    Y : array_like, shape (n, K)
    W : array_like, shape (m, d)
    A : array_like, shape (m, K)
    beta : float, >= 0

    Returns
    -------
    float
    """
    X = as_array(X, "X", ndim=2)
    Y = as_array(Y, "Y", ndim=2)
    check_same_length(X, "X", Y, "Y")
    W = as_array(W, "W", shape=(None, X.shape[1]))
    A = as_array(A, "A", shape=(W.shape[0], Y.shape[1]))
    beta = check_real(beta, "beta", low=0.0)
    R = np.maximum(X @ W.T, 0.0) @ A - Y
    return float(0.5 * np.sum(R**2) + 0.5 * beta * (np.sum(W**2) + np.sum(A**2)))


def whiten(X: object, *, rcond: float = 1e-10) -> tuple[np.ndarray, np.ndarray]:
    """Whiten the samples: ``X M`` with ``M = V S^{-1} V^T`` from the thin SVD ``X = U S V^T``.

    Then ``(X M)(X M)^T = U U^T = I_n``; ``M (d, d)`` applies to new samples as ``X_new M``
    (the whitening of the paper's experiments, Ergen and Pilanci, 2021, section 7).

    Parameters
    ----------
    X : array_like, shape (n, d)
        Samples with linearly independent rows (``n <= d``, rank ``n``).
    rcond : float
        Smallest singular value, relative to the largest, accepted as nonzero.

    Returns
    -------
    Xw : numpy.ndarray, shape (n, d)
    M : numpy.ndarray, shape (d, d)

    Raises
    ------
    ValueError
        If the rows of ``X`` are linearly dependent (then no linear map whitens them).
    """
    X = as_array(X, "X", ndim=2)
    rcond = check_real(rcond, "rcond", low=0.0, high=1.0, low_open=True)
    if X.shape[0] == 0 or X.shape[0] > X.shape[1]:
        raise ValueError(f"X must have 1 <= n <= d to be whitened, got shape {X.shape}")
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    if s[-1] <= rcond * s[0]:
        raise ValueError(
            f"X must have linearly independent rows to be whitened; its smallest singular "
            f"value is {s[-1]:.3g} (largest {s[0]:.3g})"
        )
    M = Vt.T @ (Vt / s[:, None])
    return U @ Vt, M


#: Bias of the constant unit of :func:`rank_one_network`: its penalty is ``beta t^2 / (2 B^2)``.
_CONSTANT_BIAS = 1e6


def _rank_one_factors(X: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """``X = c q^T`` with ``c >= 0`` and ``||q|| = 1``, or a ValueError."""
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    if s[0] == 0.0:
        raise ValueError("X must be rank one, X = c a^T with c >= 0; got X = 0")
    if s.size > 1 and s[1] > tol * s[0]:
        raise ValueError(
            f"X must be rank one, X = c a^T, within tol = {tol:g}: its second singular value "
            f"is {s[1] / s[0]:.3g} times the first"
        )
    c, q = U[:, 0] * s[0], Vt[0]
    if c.sum() < 0:
        c, q = -c, -q
    if c.min() < -tol * s[0]:
        raise ValueError(
            "X = c a^T must have c >= 0 (all samples on one side of the origin along a); "
            f"got an entry of c of {c.min():.3g}"
        )
    return np.maximum(c, 0.0), q


def rank_one_network(
    X: object,
    y: object,
    beta: float,
    *,
    tol: float = 1e-10,
    solver: str = "CLARABEL",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The optimal network with biases on rank-one data ``X = c a^T``, ``c >= 0``.

    Minimizes ``1/2 ||sum_j a_j (X w_j + b_j)_+ - y||^2 + beta/2 sum_j (||w_j||^2 + a_j^2)``
    (biases free, :func:`twolayer.network.objective` with ``b``). Every sample is
    ``x_i = c_i q`` with ``q = a / ||a||``, and the extreme points of the rectified set are the
    neurons ``(s q . x - s c_i)_+``, ``s = +-1``, with knots at the samples (Ergen and Pilanci,
    2021, Lemma 6 and Corollary 5): the optimal network is a linear spline in ``c`` whose
    weights solve the lasso ``min 1/2 ||K w + t 1 - y||^2 + beta ||w||_1`` over those ``2n``
    neurons and a free offset ``t`` (the dual's ``1^T v = 0``). The offset is absorbed into
    the neuron active on every sample (its knot moves outside the data, which costs nothing);
    when the optimum has no such neuron of the right sign the infimum over networks is not
    attained (a constant costs ``beta t^2 / (2 B^2)`` as the unit ``w = 0, b = B, a = t / B``),
    and the offset is returned as that unit with ``B = 1e6``, an excess below
    ``5e-13 beta t^2``.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Rank-one data with all samples on one ray, ``X = c a^T``, ``c >= 0``.
    y : array_like, shape (n,)
    beta : float, > 0
    tol : float
        Relative size of the second singular value (and of negative entries of ``c``) accepted.
    solver : str
        cvxpy solver of the lasso.

    Returns
    -------
    W : numpy.ndarray, shape (m, d)
        Balanced first layer (``|a_j| = ||w_j||``), rows along ``+-q``.
    b : numpy.ndarray, shape (m,)
    a : numpy.ndarray, shape (m,)

    Raises
    ------
    ValueError
        If ``X`` is not rank one with ``c >= 0``, or for bad shapes and ``beta <= 0``.
    RuntimeError
        If the solver does not reach an optimal status.
    """
    X, y, beta = check_regression(X, y, beta)
    tol = check_real(tol, "tol", low=0.0)
    c, q = _rank_one_factors(X, tol)
    knots = np.unique(c)
    # atoms: s = +1 knot k is (c - knot_k)_+, s = -1 is (knot_k - c)_+
    K = np.hstack([np.maximum(c[:, None] - knots, 0.0), np.maximum(knots - c[:, None], 0.0)])
    w = cp.Variable(K.shape[1])
    t = cp.Variable()
    problem = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(K @ w + t - y) + beta * cp.norm1(w)))
    solve_problem(problem, solver, None, "the rank-one lasso")
    w, t = np.asarray(w.value, dtype=float), float(t.value)
    w[np.abs(w) <= 1e-9 * max(np.abs(w).max(initial=0.0), 1.0)] = 0.0
    p = len(knots)
    signs = np.concatenate([np.ones(p), -np.ones(p)])
    shifts = np.concatenate([knots, knots])
    offsets = np.zeros(2 * p)  # knot moved outside the data by t / weight
    first, last = 0, 2 * p - 1  # (c - min c)_+ and (max c - c)_+ are active on every sample
    constant = 0.0
    if t != 0.0:
        if w[first] * t > 0:
            offsets[first] = t / w[first]
        elif w[last] * t > 0:
            offsets[last] = t / w[last]
        else:
            constant = t
    keep = np.flatnonzero(w != 0)
    root = np.sqrt(np.abs(w[keep]))
    W = (signs[keep] * root)[:, None] * q[None, :]
    b = root * (-signs[keep] * shifts[keep] + offsets[keep])
    a = np.sign(w[keep]) * root
    if constant != 0.0:
        W = np.vstack([W, np.zeros((1, X.shape[1]))])
        b = np.append(b, _CONSTANT_BIAS)
        a = np.append(a, constant / _CONSTANT_BIAS)
    return W, b, a
