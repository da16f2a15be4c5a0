"""The whitened basis ``U' = [U, 1/sqrt(n)]`` of the centred data and a network's coordinates in it.

With the compact SVD ``(I - 11^T/n) X = U Sigma V^T`` every BN pre-activation is
``BN(X w) = U' c``, ``c = [gamma Sigma V^T w / ||Sigma V^T w||; alpha]`` (Ergen et al., 2022);
:func:`bn_energy` splits a network's path norm over the columns of ``U'``.

Imports the package's ``_checks``.
"""

from __future__ import annotations

import numpy as np

from ._checks import check_data, check_network

__all__ = ["RANK_TOL", "bn_basis", "bn_energy"]

#: Singular values of the centred data below this fraction of the largest are treated as zero.
RANK_TOL = 1e-10

def _basis(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = X.shape[0]
    Xc = X - X.mean(axis=0)
    U, s, Vt = np.linalg.svd(Xc, full_matrices=False)
    if s.size == 0 or s[0] == 0.0:
        raise ValueError(
            "X has identical rows: every pre-activation is constant over the batch and batch "
            "normalization is undefined"
        )
    r = int(np.sum(s > RANK_TOL * s[0]))
    Uprime = np.column_stack([U[:, :r], np.full(n, 1.0 / np.sqrt(n))])
    return Uprime, Vt[:r].T, s[:r]


def bn_basis(X: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The whitened basis ``U' = [U, 1/sqrt(n)]`` of the centred data, with ``V`` and ``Sigma``.

    ``(I - 11^T/n) X = U Sigma V^T`` is the compact SVD (rank ``r``: singular values below
    ``RANK_TOL`` times the largest are dropped). ``U'^T U' = I_{r+1}``, and every BN
    pre-activation is ``BN(X w) = U' c`` with ``c = [gamma Sigma V^T w / ||Sigma V^T w||;
    alpha]`` (Ergen et al., 2022).

    Parameters
    ----------
    X : array_like, shape (n, d), n >= 2

    Returns
    -------
    Uprime : numpy.ndarray, shape (n, r + 1)
    V : numpy.ndarray, shape (d, r)
    Sigma : numpy.ndarray, shape (r,), decreasing

    Raises
    ------
    ValueError
        If all rows of ``X`` are equal (rank 0: nothing to normalize).
    """
    X, _ = check_data(X)
    return _basis(X)

def _coefficients(
    X: np.ndarray, W: np.ndarray, gamma: np.ndarray, alpha: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``c_j`` with ``BN(X w_j) = U' c_j`` and the singular values of the centred data."""
    Uprime, V, s = _basis(X)
    Zt = (W @ V) * s  # rows Sigma V^T w_j
    norms = np.linalg.norm(Zt, axis=1, keepdims=True)
    if np.any(norms == 0.0):
        raise ValueError("a neuron has a constant pre-activation: batch normalization is undefined")
    C = np.column_stack([gamma[:, None] * Zt / norms, alpha])
    return C, s


def bn_energy(
    X: object, W: object, gamma: object, alpha: object, a: object
) -> np.ndarray:
    """Share of a BN network's path norm along each singular direction of the centred data.

    Neuron ``j`` is ``relu(U' c_j) a_j``; its path weight ``|a_j| ||c_j||`` is split over the
    columns of ``U'`` by the squared direction cosines ``c_jk^2 / ||c_j||^2``. Entry ``k`` of
    the result is ``sum_j |a_j| c_jk^2 / ||c_j||``, divided by the path norm
    ``sum_j |a_j| ||c_j||``: the first ``r`` entries are the singular directions (largest first),
    the last the constant direction ``1 / sqrt(n)``; they sum to one.

    Returns
    -------
    numpy.ndarray, shape (r + 1,)
    """
    X, _ = check_data(X)
    W, gamma, alpha, a = check_network(W, gamma, alpha, a, X.shape[1])
    C, _ = _coefficients(X, W, gamma, alpha)
    return _energy(C, a)


def _energy(C: np.ndarray, a: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(C, axis=1)
    alive = norms > 0
    share = (np.abs(a[alive]) / norms[alive]) @ (C[alive] ** 2)
    total = float(share.sum())
    if total == 0.0:
        raise ValueError("the network is zero: its energy has no direction")
    return share / total
