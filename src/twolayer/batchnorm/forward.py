"""The BN network's forward pass, its weight-decay objective and the objective's gradient.

``f(X) = sum_j relu(BN_{gamma_j, alpha_j}(X w_j)) a_j`` with
``BN_{gamma, alpha}(z) = gamma (I - 11^T/n) z / ||(I - 11^T/n) z|| + alpha 1 / sqrt(n)``, and
``1/2 ||f(X) - y||^2 + beta/2 sum_j (gamma_j^2 + alpha_j^2 + a_j^2)`` (Ergen et al., 2022).
The private kernels take a batch of networks (leading run axis) and serve gradient descent.

Imports :mod:`twolayer._checks` and the package's ``_checks``.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_array, check_real
from ._checks import check_data, check_network

__all__ = ["DEGENERATE_TOL", "bn_forward", "bn_gradient", "bn_objective"]

#: A centred pre-activation with norm at most this fraction of ``||X_c||_F ||w||`` is treated
#: as constant: BN has nothing to normalize.
DEGENERATE_TOL = 1e-12

def _centred_preactivations(
    X: np.ndarray, W: np.ndarray, mean: np.ndarray, scale: float
) -> tuple[np.ndarray, np.ndarray]:
    """Centred pre-activations ``Z = (X - mean) W^T`` ``(..., n, m)`` and their norms ``(..., m)``.

    ``W`` may carry leading batch axes ``(..., m, d)``. Raises for a constant pre-activation.
    """
    Z = (X - mean) @ np.swapaxes(W, -1, -2)
    norms = np.linalg.norm(Z, axis=-2)
    floor = DEGENERATE_TOL * scale * np.linalg.norm(W, axis=-1)
    bad = norms <= floor
    if np.any(bad):
        j = int(np.argwhere(bad)[0][-1])
        raise ValueError(
            f"neuron {j} has a constant pre-activation X w_j over the batch (centred norm "
            f"{float(norms[bad].flat[0]):.3g}): batch normalization divides by zero; choose a "
            "w_j that is not orthogonal to every centred data point"
        )
    return Z, norms


def _bn_outputs(
    X: np.ndarray, W: np.ndarray, gamma: np.ndarray, alpha: np.ndarray,
    reference: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BN outputs ``H (..., n, m)`` of the rows of ``X`` with statistics of ``reference``.

    Also returns the centred, normalized pre-activations of ``X`` and the reference norms.
    """
    mean = reference.mean(axis=0)
    scale = float(np.linalg.norm(reference - mean))
    _, norms = _centred_preactivations(reference, W, mean, scale)
    Z = (X - mean) @ np.swapaxes(W, -1, -2)
    Zhat = Z / norms[..., None, :]
    n_ref = reference.shape[0]
    H = gamma[..., None, :] * Zhat + alpha[..., None, :] / np.sqrt(n_ref)
    return H, Zhat, norms


def bn_forward(
    X: object, W: object, gamma: object, alpha: object, a: object, *,
    reference: object | None = None,
) -> np.ndarray:
    """Evaluate the BN network ``f(X) = sum_j relu(BN_{gamma_j, alpha_j}(X w_j)) a_j``.

    ``BN_{gamma, alpha}(z) = gamma (I - 11^T/n) z / ||(I - 11^T/n) z|| + alpha 1 / sqrt(n)``
    (Ergen et al., 2022, with the normalization by the norm instead of the standard
    deviation, which rescales ``gamma`` by ``sqrt(n)``). With ``reference`` the mean and the
    norm come from that batch (the training data) instead of ``X``: the network at inference.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Batch (at least two rows when it is its own reference).
    W : array_like, shape (m, d)
        First layer, one neuron per row (scale-invariant).
    gamma, alpha : array_like, shape (m,)
        BN scale and shift.
    a : array_like, shape (m,)
        Second layer.
    reference : array_like, shape (n_ref, d), optional
        Batch whose statistics normalize ``X``; default ``X`` itself.

    Returns
    -------
    numpy.ndarray, shape (n,)

    Raises
    ------
    ValueError
        For mismatched shapes, non-finite entries, or a neuron whose pre-activation is constant
        over the (reference) batch: its centred norm is zero and BN is undefined.
    """
    if reference is None:
        X, _ = check_data(X)
        ref = X
    else:
        X = as_array(X, "X", ndim=2)
        ref, _ = check_data(reference)
        if ref.shape[1] != X.shape[1]:
            raise ValueError(
                f"reference must have {X.shape[1]} columns like X, got shape {ref.shape}"
            )
    W, gamma, alpha, a = check_network(W, gamma, alpha, a, X.shape[1])
    H, _, _ = _bn_outputs(X, W, gamma, alpha, ref)
    return np.maximum(H, 0.0) @ a


def _value_and_gradient(
    X: np.ndarray, y: np.ndarray, W: np.ndarray, gamma: np.ndarray, alpha: np.ndarray,
    a: np.ndarray, beta: float,
) -> tuple[np.ndarray, ...]:
    """Objective and gradients for a batch of networks ``W (R, m, d)``, ``gamma, alpha, a (R, m)``.

    Returns ``(value (R,), gW, ggamma, galpha, ga)``.
    """
    Xc = X - X.mean(axis=0)
    return _centred_value_and_gradient(Xc, y, W, gamma, alpha, a, beta, float(np.linalg.norm(Xc)))


def _centred_value_and_gradient(
    Xc: np.ndarray, y: np.ndarray, W: np.ndarray, gamma: np.ndarray, alpha: np.ndarray,
    a: np.ndarray, beta: float, scale: float | None,
) -> tuple[np.ndarray, ...]:
    """:func:`_value_and_gradient` on centred data ``Xc``; ``scale = ||Xc||_F`` enables the check
    for constant pre-activations (``None`` skips it, inside gradient descent between records)."""
    n = Xc.shape[0]
    Z = Xc @ np.swapaxes(W, -1, -2)  # (R, n, m)
    norms = np.sqrt((Z * Z).sum(axis=-2))  # (R, m)
    if scale is not None:
        floor = DEGENERATE_TOL * scale * np.linalg.norm(W, axis=-1)
        if np.any(norms <= floor):
            j = int(np.argwhere(norms <= floor)[0][-1])
            raise ValueError(
                f"neuron {j} has a constant pre-activation X w_j over the batch: batch "
                "normalization divides by zero"
            )
    Zhat = Z / norms[:, None, :]
    H = gamma[:, None, :] * Zhat + (alpha / np.sqrt(n))[:, None, :]
    act = np.maximum(H, 0.0)
    r = (act @ a[:, :, None])[..., 0] - y  # (R, n)
    value = 0.5 * (r * r).sum(axis=-1) + 0.5 * beta * (gamma**2 + alpha**2 + a**2).sum(axis=-1)
    ga = (np.swapaxes(act, -1, -2) @ r[:, :, None])[..., 0] + beta * a
    G = (H > 0) * a[:, None, :] * r[:, :, None]  # dL/dH, (R, n, m)
    gz = (G * Zhat).sum(axis=-2)  # (R, m)
    ggamma = gz + beta * gamma
    galpha = G.sum(axis=-2) / np.sqrt(n) + beta * alpha
    # d zhat / d z = (I - zhat zhat^T) / ||z||; z = X_c w, so dL/dw = X_c^T (...) gamma / ||z||
    proj = (G - Zhat * gz[:, None, :]) * (gamma / norms)[:, None, :]
    gW = np.swapaxes(proj, -1, -2) @ Xc
    return value, gW, ggamma, galpha, ga


def bn_objective(
    X: object, y: object, W: object, gamma: object, alpha: object, a: object, beta: float
) -> float:
    """Weight-decay objective of a BN network (Ergen et al., 2022).

    ``1/2 ||f(X) - y||^2 + beta/2 sum_j (gamma_j^2 + alpha_j^2 + a_j^2)`` with ``f`` of
    :func:`bn_forward`; the first layer is not penalized (BN makes it scale-invariant).

    Parameters
    ----------
    X (n, d), y (n,), W (m, d), gamma (m,), alpha (m,), a (m,)
    beta : float, >= 0

    Returns
    -------
    float
    """
    X, y = check_data(X, y)
    W, gamma, alpha, a = check_network(W, gamma, alpha, a, X.shape[1])
    beta = check_real(beta, "beta", low=0.0)
    value = _value_and_gradient(X, y, W[None], gamma[None], alpha[None], a[None], beta)[0]
    return float(value[0])


def bn_gradient(
    X: object, y: object, W: object, gamma: object, alpha: object, a: object, beta: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Gradient of :func:`bn_objective` with respect to ``(W, gamma, alpha, a)``.

    The gradient in ``w_j`` is ``gamma_j / ||z_j|| X_c^T (I - zhat_j zhat_j^T) g_j`` with
    ``z_j = X_c w_j``, ``zhat_j = z_j / ||z_j||`` and ``g_j`` the derivative of the loss with
    respect to the BN output: it is orthogonal to ``w_j`` (scale invariance).

    Returns
    -------
    gW (m, d), ggamma (m,), galpha (m,), ga (m,)
    """
    X, y = check_data(X, y)
    W, gamma, alpha, a = check_network(W, gamma, alpha, a, X.shape[1])
    beta = check_real(beta, "beta", low=0.0)
    _, gW, gg, gal, ga = _value_and_gradient(
        X, y, W[None], gamma[None], alpha[None], a[None], beta
    )
    return gW[0], gg[0], gal[0], ga[0]
