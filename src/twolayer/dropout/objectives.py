"""Objectives of a shallow linear network under Dropout and Dropconnect.

The network is ``x -> W2 F W1 x`` with a random mask ``F`` (see :mod:`twolayer.dropout`). This
module gives the loss and gradient for one mask, the closed-form expected objective with its
gradient and Hessian, and two checks of the closed form: exact enumeration of every mask and
Monte Carlo.

Imports only :mod:`twolayer._checks` and the package's own checks.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .._checks import as_array, as_rng, check_int
from ._checks import (
    check_expected_problem,
    check_kind,
    check_layers,
    check_linear_network,
    check_mask,
)

__all__ = [
    "MAX_MASKS",
    "enumerate_expected_gradient",
    "enumerate_expected_objective",
    "expected_gradient",
    "expected_hessian",
    "expected_objective",
    "masked_gradient",
    "masked_loss",
    "monte_carlo_objective",
    "regularizer",
]

#: Largest number of masks :func:`enumerate_expected_objective` will sum over.
MAX_MASKS = 2**16


def masked_loss(
    X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray, mask: np.ndarray,
    *, kind: str = "dropout",
) -> float:
    """Squared loss ``||Y - X W1^T F W2^T||_F^2`` of the network with one mask applied.

    Parameters
    ----------
    X (n, d), Y (n, k) or (n,), W1 (m, d), W2 (k, m)
    mask : array of 0/1
        ``(m,)`` for Dropout (kept hidden units), ``(m, d)`` for Dropconnect (kept weights).
    kind : {"dropout", "dropconnect"}
    """
    X, Y, W1, W2 = check_linear_network(X, Y, W1, W2)
    kind = check_kind(kind)
    mask = check_mask(mask, W1.shape, kind)
    R = Y - _masked_output(X, W1, W2, mask, kind)
    return float(np.sum(R**2))


def _masked_output(
    X: np.ndarray, W1: np.ndarray, W2: np.ndarray, mask: np.ndarray, kind: str
) -> np.ndarray:
    if kind == "dropout":
        return (X @ W1.T * mask) @ W2.T
    return X @ (W1 * mask).T @ W2.T


def masked_gradient(
    X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray, mask: np.ndarray,
    *, kind: str = "dropout",
) -> tuple[np.ndarray, np.ndarray]:
    """Gradient ``(gW1 (m, d), gW2 (k, m))`` of :func:`masked_loss` for one mask.

    This is the update direction of one step of Dropout (or Dropconnect) gradient descent.
    """
    X, Y, W1, W2 = check_linear_network(X, Y, W1, W2)
    kind = check_kind(kind)
    mask = check_mask(mask, W1.shape, kind)
    return _masked_gradient(X, Y, W1, W2, mask, kind)


def _masked_gradient(
    X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray, mask: np.ndarray, kind: str
) -> tuple[np.ndarray, np.ndarray]:
    if kind == "dropout":
        H = X @ W1.T * mask  # (n, m) kept hidden activations
        R = Y - H @ W2.T
        gW2 = -2.0 * R.T @ H
        gW1 = -2.0 * mask[:, None] * (W2.T @ R.T @ X)
    else:
        Wm = W1 * mask
        H = X @ Wm.T
        R = Y - H @ W2.T
        gW2 = -2.0 * R.T @ H
        gW1 = -2.0 * mask * (W2.T @ R.T @ X)
    return gW1, gW2


def regularizer(X: np.ndarray, W1: np.ndarray, W2: np.ndarray, *, kind: str = "dropout") -> float:
    """The regularizer ``R`` that Dropout or Dropconnect adds, without the factor ``p (1 - p)``.

    ``R_dropout = sum_i ||u_i||^2 ||X v_i||^2`` (Mianjy, Arora & Vidal 2018, Eq. (3) up to
    their rescaling by 1/p); ``R_dropconnect = sum_ij W1_ij^2 ||u_i||^2 ||X_{:, j}||^2``.

    Parameters
    ----------
    X (n, d), W1 (m, d), W2 (k, m)
    """
    X = as_array(X, "X", ndim=2)
    W1, W2 = check_layers(W1, W2, X.shape[1])
    return float(_reg_terms(X, W1, W2, check_kind(kind))[0])


def _reg_terms(
    X: np.ndarray, W1: np.ndarray, W2: np.ndarray, kind: str
) -> tuple[float, np.ndarray, np.ndarray]:
    """Return ``(R, h, g)`` with ``h_i = ||u_i||^2`` and ``g_i`` the weight of unit ``i``."""
    h = np.sum(W2**2, axis=0)
    if kind == "dropout":
        g = np.sum((X @ W1.T) ** 2, axis=0)
    else:
        g = W1**2 @ np.sum(X**2, axis=0)
    return float(h @ g), h, g


def expected_objective(
    X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray, p: float,
    *, kind: str = "dropout",
) -> float:
    """Closed-form expected loss over the masks, ``E ||Y - X W1^T F W2^T||_F^2``.

    ``||Y - p X W1^T W2^T||_F^2 + p (1 - p) R(W1, W2)`` with ``R`` from :func:`regularizer`
    (Srivastava et al. 2014 for linear regression; Cavazza et al. 2018; Mianjy, Arora & Vidal
    2018; Senen-Cerda & Sanders 2022, for the shallow linear network).

    Parameters
    ----------
    X (n, d), Y (n, k) or (n,), W1 (m, d), W2 (k, m)
    p : float in (0, 1]
        Keep probability.
    kind : {"dropout", "dropconnect"}
    """
    X, Y, W1, W2, p, kind = check_expected_problem(X, Y, W1, W2, p, kind)
    return _objective(X, Y, W1, W2, p, kind)


def _objective(
    X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray, p: float, kind: str
) -> float:
    R = Y - p * (X @ W1.T) @ W2.T
    reg = _reg_terms(X, W1, W2, kind)[0]
    return float(np.sum(R**2) + p * (1.0 - p) * reg)


def expected_gradient(
    X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray, p: float,
    *, kind: str = "dropout",
) -> tuple[np.ndarray, np.ndarray]:
    """Gradient ``(gW1 (m, d), gW2 (k, m))`` of :func:`expected_objective`.

    With ``Z = X W1^T`` and ``E = Y - p Z W2^T``: the data term gives
    ``gW2 = -2 p E^T Z`` and ``gW1 = -2 p W2^T E^T X``; the Dropout regularizer adds
    ``2 p (1-p) u_i ||X v_i||^2`` to column ``i`` of ``gW2`` and
    ``2 p (1-p) ||u_i||^2 X^T X v_i`` to row ``i`` of ``gW1``.
    """
    X, Y, W1, W2, p, kind = check_expected_problem(X, Y, W1, W2, p, kind)
    return _gradient(X, Y, W1, W2, p, kind)


def _gradient(
    X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray, p: float, kind: str
) -> tuple[np.ndarray, np.ndarray]:
    lam = p * (1.0 - p)
    Z = X @ W1.T
    E = Y - p * Z @ W2.T
    _, h, g = _reg_terms(X, W1, W2, kind)
    gW2 = -2.0 * p * E.T @ Z + 2.0 * lam * W2 * g
    if kind == "dropout":
        gW1 = -2.0 * p * W2.T @ E.T @ X + 2.0 * lam * h[:, None] * (Z.T @ X)
    else:
        c = np.sum(X**2, axis=0)
        gW1 = -2.0 * p * W2.T @ E.T @ X + 2.0 * lam * h[:, None] * W1 * c
    return gW1, gW2


def _gram_gradient(
    X: np.ndarray, Y: np.ndarray, p: float, kind: str
) -> Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Return a fast closure for :func:`_gradient` that uses ``C = X^T X`` and ``X^T Y`` only."""
    lam = p * (1.0 - p)
    C = X.T @ X
    B = X.T @ Y  # (d, k)
    c = np.diag(C).copy()

    def grad(W1: np.ndarray, W2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        W1C = W1 @ C  # (m, d) = Z^T X
        G = W1C @ W1.T  # (m, m) = Z^T Z
        EX = B.T - p * W2 @ W1C  # (k, d) = E^T X
        EZ = EX @ W1.T  # (k, m) = E^T Z
        h = np.sum(W2**2, axis=0)
        if kind == "dropout":
            g = np.diag(G)
            reg1 = h[:, None] * W1C
        else:
            g = W1**2 @ c
            reg1 = h[:, None] * W1 * c
        gW2 = -2.0 * p * EZ + 2.0 * lam * W2 * g
        gW1 = -2.0 * p * W2.T @ EX + 2.0 * lam * reg1
        return gW1, gW2

    return grad


def _hvp(
    X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray, p: float, kind: str,
    dW1: np.ndarray, dW2: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Hessian-vector product of the expected objective along ``(dW1, dW2)``."""
    lam = p * (1.0 - p)
    Z = X @ W1.T
    dZ = X @ dW1.T
    E = Y - p * Z @ W2.T
    dE = -p * (dZ @ W2.T + Z @ dW2.T)
    _, h, g = _reg_terms(X, W1, W2, kind)
    dh = 2.0 * np.sum(W2 * dW2, axis=0)
    out2 = -2.0 * p * (dE.T @ Z + E.T @ dZ)
    out1 = -2.0 * p * (dW2.T @ E.T @ X + W2.T @ dE.T @ X)
    if kind == "dropout":
        dg = 2.0 * np.sum(Z * dZ, axis=0)
        out1 += 2.0 * lam * (dh[:, None] * (Z.T @ X) + h[:, None] * (dZ.T @ X))
    else:
        c = np.sum(X**2, axis=0)
        dg = 2.0 * (W1 * dW1) @ c
        out1 += 2.0 * lam * (dh[:, None] * W1 * c + h[:, None] * dW1 * c)
    out2 += 2.0 * lam * (dW2 * g + W2 * dg)
    return out1, out2


def expected_hessian(
    X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray, p: float,
    *, kind: str = "dropout",
) -> np.ndarray:
    """Hessian of :func:`expected_objective` in the parameters ``theta = (W1.ravel(), W2.ravel())``.

    Returns
    -------
    H : (m d + k m, m d + k m) symmetric array
        Built column by column from exact Hessian-vector products.
    """
    X, Y, W1, W2, p, kind = check_expected_problem(X, Y, W1, W2, p, kind)
    return _hessian(X, Y, W1, W2, p, kind)


def _hessian(
    X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray, p: float, kind: str
) -> np.ndarray:
    n1 = W1.size
    P = n1 + W2.size
    H = np.empty((P, P))
    e = np.zeros(P)
    for j in range(P):
        e[j] = 1.0
        o1, o2 = _hvp(X, Y, W1, W2, p, kind, e[:n1].reshape(W1.shape), e[n1:].reshape(W2.shape))
        H[:, j] = np.concatenate([o1.ravel(), o2.ravel()])
        e[j] = 0.0
    return 0.5 * (H + H.T)


def _mask_probabilities(masks: np.ndarray, p: float) -> np.ndarray:
    kept = masks.reshape(masks.shape[0], -1).sum(axis=1)
    total = masks[0].size
    return p**kept * (1.0 - p) ** (total - kept)


def _all_masks(shape: tuple[int, ...]) -> np.ndarray:
    size = int(np.prod(shape))
    if 2**size > MAX_MASKS:
        raise ValueError(
            f"exact enumeration needs 2**{size} masks, more than the limit {MAX_MASKS}; "
            "use smaller sizes or monte_carlo_objective"
        )
    codes = np.arange(2**size)[:, None] >> np.arange(size)[None, :] & 1
    return codes.astype(np.float64).reshape((2**size, *shape))


def enumerate_expected_objective(
    X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray, p: float,
    *, kind: str = "dropout",
) -> float:
    """Expected loss as the exact probability-weighted sum over every mask.

    There are ``2^m`` Dropout masks and ``2^(m d)`` Dropconnect masks; at most
    ``MAX_MASKS = 2^16`` are allowed. This is the definition of the expectation, with no algebra,
    and checks :func:`expected_objective`.
    """
    X, Y, W1, W2, p, kind = check_expected_problem(X, Y, W1, W2, p, kind)
    masks = _all_masks((W1.shape[0],) if kind == "dropout" else W1.shape)
    return float(_mask_probabilities(masks, p) @ _batch_losses(X, Y, W1, W2, masks, kind))


def enumerate_expected_gradient(
    X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray, p: float,
    *, kind: str = "dropout",
) -> tuple[np.ndarray, np.ndarray]:
    """Exact expectation over every mask of :func:`masked_gradient` (checks unbiasedness)."""
    X, Y, W1, W2, p, kind = check_expected_problem(X, Y, W1, W2, p, kind)
    masks = _all_masks((W1.shape[0],) if kind == "dropout" else W1.shape)
    probs = _mask_probabilities(masks, p)
    gW1, gW2 = np.zeros_like(W1), np.zeros_like(W2)
    for prob, mask in zip(probs, masks, strict=True):
        a, b = _masked_gradient(X, Y, W1, W2, mask, kind)
        gW1 += prob * a
        gW2 += prob * b
    return gW1, gW2


def _batch_losses(
    X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray, masks: np.ndarray, kind: str
) -> np.ndarray:
    """Losses of a batch of masks ``(S, m)`` or ``(S, m, d)``, in chunks to bound memory."""
    out = np.empty(masks.shape[0])
    chunk = max(1, 2**20 // max(1, X.shape[0] * (W1.shape[0] + Y.shape[1])))
    Z = X @ W1.T
    for start in range(0, masks.shape[0], chunk):
        mk = masks[start : start + chunk]
        if kind == "dropout":
            H = Z[None, :, :] * mk[:, None, :]  # (S, n, m)
        else:
            H = np.einsum("nd,smd->snm", X, W1[None] * mk)
        R = Y[None] - H @ W2.T
        out[start : start + chunk] = np.sum(R**2, axis=(1, 2))
    return out


def monte_carlo_objective(
    X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray, p: float,
    rng: object, *, kind: str = "dropout", samples: int = 10_000,
) -> tuple[float, float]:
    """Monte Carlo estimate of the expected loss from ``samples`` i.i.d. masks.

    Returns
    -------
    mean : float
        Sample mean of the masked losses.
    stderr : float
        Its standard error, ``std / sqrt(samples)``.
    """
    X, Y, W1, W2, p, kind = check_expected_problem(X, Y, W1, W2, p, kind)
    samples = check_int(samples, "samples", low=2)
    gen = as_rng(rng)
    shape = (samples, W1.shape[0]) if kind == "dropout" else (samples, *W1.shape)
    masks = (gen.random(shape) < p).astype(np.float64)
    losses = _batch_losses(X, Y, W1, W2, masks, kind)
    return float(losses.mean()), float(losses.std(ddof=1) / np.sqrt(samples))
