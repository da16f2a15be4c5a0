"""The closed-form global minimizer of the expected Dropout objective.

Factorizations of a linear map with equal unit products (the constructive Schur-Horn argument),
the induced regularizer ``||M||_*^2 / m``, the minimizer of Mianjy, Arora & Vidal (2018) and
Cavazza et al. (2018), and the rescalings and perturbations the chapter starts flows from.

Imports only :mod:`twolayer._checks` and the package's own checks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import as_array, as_rng, check_int, check_real
from ._checks import check_keep_probability, check_layers, check_regression_data

__all__ = [
    "DropoutMinimizer",
    "dropout_minimizer",
    "equalize_factorization",
    "induced_regularizer",
    "perturb",
    "rebalance",
    "unit_products",
]


def unit_products(X: np.ndarray, W1: np.ndarray, W2: np.ndarray) -> np.ndarray:
    """The products ``||u_i|| ||X v_i||`` of every hidden unit, shape ``(m,)``.

    For whitened data (``X^T X = I``) this is ``||u_i|| ||v_i||``. Every global minimizer of the
    Dropout objective makes them all equal (Mianjy, Arora & Vidal 2018, Theorem 2.4).
    """
    X = as_array(X, "X", ndim=2)
    W1, W2 = check_layers(W1, W2, X.shape[1])
    return _unit_products(X, W1, W2)


def _unit_products(X: np.ndarray, W1: np.ndarray, W2: np.ndarray) -> np.ndarray:
    return np.linalg.norm(W2, axis=0) * np.linalg.norm(X @ W1.T, axis=0)


def induced_regularizer(M: np.ndarray, width: int) -> float:
    """``min { sum_i ||u_i||^2 ||v_i||^2 : sum_i u_i v_i^T = M }`` over factorizations of width m.

    Equals ``||M||_*^2 / m`` when ``rank(M) <= m`` (Cavazza et al. 2018, Theorem 1; Mianjy, Arora &
    Vidal 2018, Theorem 2.2): the squared nuclear norm divided by the width.

    Parameters
    ----------
    M : (k, d) array
    width : int
        Number of hidden units ``m``; must be at least ``rank(M)``.
    """
    M = as_array(M, "M", ndim=2)
    width = check_int(width, "width", low=1)
    s = np.linalg.svd(M, compute_uv=False)
    rank = int(np.sum(s > 1e-12 * max(1.0, s[0] if s.size else 0.0)))
    if rank > width:
        raise ValueError(f"width must be at least rank(M) = {rank}, got {width}")
    return float(np.sum(s) ** 2 / width)


def equalize_factorization(M: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Factor ``M = A B`` with ``m`` balanced units of equal product ``||M||_* / m``.

    Returns ``A (k, m)`` and ``B (m, d)`` with ``A @ B = M`` and, for every unit ``i``,
    ``||A[:, i]||^2 = ||B[i]||^2 = ||M||_* / m``. Built from the SVD ``M = U S V^T`` as
    ``A = [U S^(1/2), 0] Q`` and ``B = Q^T [S^(1/2) V^T; 0]`` with an orthogonal ``Q (m, m)``
    for which ``Q^T diag(s, 0) Q`` has a constant diagonal. ``Q`` is a product of at most
    ``m - 1`` Givens rotations, each fixing one diagonal entry at the mean (the constructive
    Schur-Horn argument of Chan & Li 1983; the existence of such a factorization is Lemma A.4 of
    Mianjy, Arora & Vidal 2018).

    Parameters
    ----------
    M : (k, d) array
    width : int, at least ``rank(M)``
    """
    M = as_array(M, "M", ndim=2)
    width = check_int(width, "width", low=1)
    return _equalize_factorization(M, width)


def _equalize_factorization(M: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    U, s, Vt = np.linalg.svd(M, full_matrices=False)
    tol = 1e-12 * max(1.0, s[0] if s.size else 0.0)
    r = int(np.sum(s > tol))
    if r > width:
        raise ValueError(f"width must be at least rank(M) = {r}, got {width}")
    U, s, Vt = U[:, :r], s[:r], Vt[:r]
    D = np.zeros((width, width))
    D[np.arange(r), np.arange(r)] = s
    Q = _constant_diagonal_rotation(D)
    root = np.sqrt(s)
    A = np.zeros((M.shape[0], width))
    A[:, :r] = U * root
    B = np.zeros((width, M.shape[1]))
    B[:r] = root[:, None] * Vt
    return A @ Q, Q.T @ B


def _constant_diagonal_rotation(D: np.ndarray) -> np.ndarray:
    """Orthogonal ``Q`` with ``Q^T D Q`` of constant diagonal, for symmetric ``D`` (Givens)."""
    m = D.shape[0]
    A = D.copy()
    Q = np.eye(m)
    c = np.trace(A) / m
    tol = 1e-13 * max(1.0, np.max(np.abs(np.diag(A))))
    for _ in range(m):
        diag = np.diag(A)
        i, j = int(np.argmax(diag)), int(np.argmin(diag))
        a, b, e = diag[i], diag[j], A[i, j]
        if a - c <= tol or c - b <= tol:
            break
        root = np.sqrt(e**2 - (a - c) * (b - c))
        t = (e + root) / (c - b) if e >= 0 else (a - c) / (root - e)
        cs = 1.0 / np.sqrt(1.0 + t * t)
        sn = t * cs
        G = np.eye(m)
        G[i, i] = G[j, j] = cs
        G[j, i], G[i, j] = sn, -sn
        A = G.T @ A @ G
        Q = Q @ G
    return Q


@dataclass(frozen=True)
class DropoutMinimizer:
    """Closed-form global minimizer of the expected Dropout objective.

    Attributes
    ----------
    W1 : (m, d) array
        First layer; rows ``v_i``.
    W2 : (k, m) array
        Second layer; columns ``u_i``. Units are balanced (``||u_i|| = ||X v_i||``) and equalized.
    objective : float
        The global minimum value ``L*``.
    singular_values : (r0,) array
        Singular values ``sigma_j`` of the whitened target ``T = Y^T X (X^T X)^(-1/2)``.
    shrunk : (r0,) array
        Singular values of the trained predictor ``p W2 W1`` in whitened coordinates:
        ``(sigma_j - threshold)_+``.
    threshold : float
        The data-dependent soft threshold ``theta``.
    rank : int
        Number of singular values that survive.
    product : float
        The common value of ``||u_i|| ||X v_i||``, i.e. ``sum_j s_j / m``.
    """

    W1: np.ndarray
    W2: np.ndarray
    objective: float
    singular_values: np.ndarray
    shrunk: np.ndarray
    threshold: float
    rank: int
    product: float


def whitening(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(C^(1/2), C^(-1/2), U_X)`` for ``C = X^T X`` and ``U_X = X C^(-1/2)``."""
    C = X.T @ X
    evals, evecs = np.linalg.eigh(C)
    if evals[0] <= 1e-12 * max(evals[-1], 1e-300):
        raise ValueError(
            f"X must have full column rank d = {X.shape[1]} for the closed-form minimizer "
            f"(smallest eigenvalue of X^T X is {evals[0]:.3e})"
        )
    half = (evecs * np.sqrt(evals)) @ evecs.T
    inv_half = (evecs / np.sqrt(evals)) @ evecs.T
    return half, inv_half, X @ inv_half


def dropout_minimizer(X: np.ndarray, Y: np.ndarray, p: float, width: int) -> DropoutMinimizer:
    """Closed-form global minimizer of the expected Dropout objective of width ``m``.

    With ``C = X^T X`` (full rank) and ``T = Y^T X C^(-1/2) = sum_j sigma_j a_j b_j^T``, the
    objective equals ``||Y||^2 - ||T||^2 + ||T - p M~||^2 + p (1-p) sum_i ||u_i||^2 ||v~_i||^2`` in
    the whitened variables ``v~_i = C^(1/2) v_i``, ``M~ = W2 W1 C^(1/2)``. Minimizing over
    factorizations gives ``||M~||_*^2 / m`` (:func:`induced_regularizer`), and the minimizer keeps
    the singular vectors of ``T`` with singular values ``s_j = (sigma_j - theta)_+ / p``,

        theta = (1 - p) sum_{j <= r} sigma_j / (m p + r (1 - p)),

    ``r`` the largest index ``<= m`` with ``sigma_r > theta`` (Mianjy, Arora & Vidal 2018,
    Theorem 2.5; Cavazza et al. 2018, Theorem 2). The factors come from
    :func:`equalize_factorization`.

    Parameters
    ----------
    X (n, d) with full column rank, Y (n, k) or (n,)
    p : float in (0, 1]
    width : int
        Number of hidden units ``m``.
    """
    X, Y = check_regression_data(X, Y)
    p = check_keep_probability(p)
    width = check_int(width, "width", low=1)
    return _dropout_minimizer(X, Y, p, width)


def _dropout_minimizer(X: np.ndarray, Y: np.ndarray, p: float, width: int) -> DropoutMinimizer:
    _, inv_half, UX = whitening(X)
    T = Y.T @ UX
    Ua, sigma, Vbt = np.linalg.svd(T, full_matrices=False)
    r, theta = 0, 0.0
    for cand in range(min(width, int(np.sum(sigma > 0))), 0, -1):
        th = (1.0 - p) * np.sum(sigma[:cand]) / (width * p + cand * (1.0 - p))
        if sigma[cand - 1] > th:
            r, theta = cand, th
            break
    shrunk = np.zeros_like(sigma)
    shrunk[:r] = sigma[:r] - theta
    s = shrunk / p
    Mt = (Ua[:, :r] * s[:r]) @ Vbt[:r]
    A, B = _equalize_factorization(Mt, width) if r > 0 else (
        np.zeros((Y.shape[1], width)), np.zeros((width, X.shape[1]))
    )
    W2, W1 = A, B @ inv_half
    S = float(np.sum(s))
    lam = p * (1.0 - p)
    obj = float(
        np.sum(Y**2) - np.sum(sigma**2) + np.sum((sigma - shrunk) ** 2) + lam * S**2 / width
    )
    return DropoutMinimizer(
        W1=W1, W2=W2, objective=obj, singular_values=sigma, shrunk=shrunk, threshold=float(theta),
        rank=r, product=S / width,
    )


def rebalance(W1: np.ndarray, W2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rescale each unit ``(u_i, v_i) -> (c_i u_i, v_i / c_i)`` so that ``||u_i|| = ||v_i||``.

    The rescaling leaves ``u_i v_i^T`` and hence both expected objectives unchanged; the gradient
    flow conserves ``||u_i||^2 - ||v_i||^2``, so a flow started balanced stays balanced. Units with
    ``u_i = 0`` or ``v_i = 0`` are left as they are.

    Parameters
    ----------
    W1 (m, d), W2 (k, m)
    """
    W1 = as_array(W1, "W1", ndim=2)
    W1, W2 = check_layers(W1, W2, W1.shape[1])
    return _rebalance(W1, W2)


def _rebalance(W1: np.ndarray, W2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    nu, nv = np.linalg.norm(W2, axis=0), np.linalg.norm(W1, axis=1)
    ok = (nu > 0) & (nv > 0)
    c = np.ones_like(nu)
    c[ok] = np.sqrt(nv[ok] / nu[ok])
    return W1 / c[:, None], W2 * c


def perturb(
    W1: np.ndarray, W2: np.ndarray, scale: float, rng: object
) -> tuple[np.ndarray, np.ndarray]:
    """Add i.i.d. Gaussian noise of standard deviation ``scale`` to both layers."""
    W1 = as_array(W1, "W1", ndim=2)
    W1, W2 = check_layers(W1, W2, W1.shape[1])
    scale = check_real(scale, "scale", low=0.0)
    gen = as_rng(rng)
    return (W1 + scale * gen.standard_normal(W1.shape),
            W2 + scale * gen.standard_normal(W2.shape))
