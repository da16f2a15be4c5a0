"""Shallow linear networks under Dropout and Dropconnect.

The network is ``x -> W2 F W1 x`` with first layer ``W1 (m, d)`` (row ``i`` is ``v_i``), second
layer ``W2 (k, m)`` (column ``i`` is ``u_i``) and a random mask ``F``:

* **Dropout** (Srivastava et al. 2014): ``F = diag(f)``, ``f_i ~ Bernoulli(p)`` independent,
  one keep/drop decision per hidden unit;
* **Dropconnect** (Wan et al. 2013): every entry of ``W1`` is kept independently with
  probability ``p``, ``W1 -> B * W1`` with ``B_ij ~ Bernoulli(p)``.

No rescaling by ``1/p`` is used; ``p`` is the *keep* probability. On data ``X (n, d)`` (rows are
samples) and targets ``Y (n, k)`` the network outputs ``X W1^T F W2^T``, and the expected squared
loss has the closed form (derived in the chapter "Dropout flows")::

    E ||Y - X W1^T F W2^T||_F^2 = ||Y - p X W1^T W2^T||_F^2 + p (1 - p) R(W1, W2),
    R_dropout     = sum_i ||u_i||^2 ||X v_i||^2,
    R_dropconnect = sum_i sum_j W1_ij^2 ||u_i||^2 ||X_{:, j}||^2.

The module computes these objectives, checks them by exact enumeration of every mask and by
Monte Carlo, gives the closed-form global minimizer of the Dropout objective (Mianjy, Arora & Vidal
2018; Cavazza et al. 2018), integrates the gradient flow and measures its local linear rate, which
is compared with the smallest positive Hessian eigenvalue at the limit (Senen-Cerda & Sanders
2022), and runs stochastic Dropout gradient descent.

Targets may be given as ``y (n,)``; they are then treated as ``Y (n, 1)`` and ``W2`` must be
``(1, m)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp

from ._checks import as_array, as_rng, check_int, check_real

__all__ = [
    "DropoutMinimizer",
    "ExplorerResult",
    "FlowResult",
    "HessianRate",
    "RunResult",
    "dropout_data",
    "enumerate_expected_gradient",
    "enumerate_expected_objective",
    "equalize_factorization",
    "explore_gd",
    "expected_gradient",
    "expected_hessian",
    "expected_objective",
    "dropout_gradient_descent",
    "dropout_minimizer",
    "dropout_sgd",
    "fit_rate",
    "gradient_flow",
    "hessian_rate",
    "induced_regularizer",
    "masked_gradient",
    "masked_loss",
    "monte_carlo_objective",
    "perturb",
    "rebalance",
    "regularizer",
    "single_output_rate",
    "unit_products",
]

KINDS = ("dropout", "dropconnect")
#: Largest number of masks :func:`enumerate_expected_objective` will sum over.
MAX_MASKS = 2**16


# --------------------------------------------------------------------------------------------
# input checks
# --------------------------------------------------------------------------------------------


def _check_p(p: object) -> float:
    return check_real(p, "p", low=0.0, high=1.0, low_open=True)


def _check_kind(kind: object) -> str:
    if kind not in KINDS:
        raise ValueError(f"kind must be 'dropout' or 'dropconnect', got {kind!r}")
    return str(kind)


def _check_data(X: object, Y: object) -> tuple[np.ndarray, np.ndarray]:
    X = as_array(X, "X", ndim=2)
    Y = np.asarray(Y)
    if Y.ndim == 1:
        Y = Y[:, None]
    Y = as_array(Y, "Y", ndim=2)
    if Y.shape[0] != X.shape[0]:
        raise ValueError(
            f"X and Y must have the same number of rows (samples), got {X.shape[0]} and "
            f"{Y.shape[0]}"
        )
    return X, Y


def _check_problem(
    X: object, Y: object, W1: object, W2: object
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    X, Y = _check_data(X, Y)
    d, k = X.shape[1], Y.shape[1]
    W1 = as_array(W1, "W1", shape=(None, d))
    W2 = as_array(W2, "W2", shape=(k, W1.shape[0]))
    return X, Y, W1, W2


# --------------------------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------------------------


def _check_arguments(
    X: object, Y: object, W1: object, W2: object, p: object, kind: object
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float, str]:
    """The checks shared by every function of the expected objective: data, weights, p, kind."""
    X, Y, W1, W2 = _check_problem(X, Y, W1, W2)
    return X, Y, W1, W2, _check_p(p), _check_kind(kind)


def dropout_data(
    n: int,
    d: int,
    k: int,
    rng: object,
    *,
    spectrum: tuple[float, ...] | None = None,
    noise: float = 0.1,
    whiten: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic regression data ``Y = X M^T + noise`` for a shallow linear network.

    Parameters
    ----------
    n, d, k : int
        Samples, input dimension, output dimension.
    rng : numpy.random.Generator or int
    spectrum : tuple of float, optional
        Singular values of the teacher ``M (k, d)``; default ``3, 2, 1, 0.5, ...`` (halving
        after the third), truncated to ``min(k, d)`` entries.
    noise : float
        Standard deviation of the Gaussian noise added to the targets.
    whiten : bool
        If true, ``X`` has orthonormal columns, ``X^T X = I_d`` (needs ``n >= d``); otherwise its
        rows are i.i.d. ``N(0, I_d / n)`` so that ``X^T X`` is close to, but not, ``I_d``.

    Returns
    -------
    X : (n, d) array
    Y : (n, k) array
    """
    n = check_int(n, "n", low=1)
    d = check_int(d, "d", low=1)
    k = check_int(k, "k", low=1)
    noise = check_real(noise, "noise", low=0.0)
    gen = as_rng(rng)
    r = min(k, d)
    if spectrum is None:
        base = [3.0, 2.0, 1.0]
        while len(base) < r:
            base.append(base[-1] / 2)
        spectrum = tuple(base[:r])
    s = as_array(spectrum, "spectrum", ndim=1)
    if s.size != r or np.any(s < 0):
        raise ValueError(f"spectrum must hold {r} = min(k, d) non-negative values, got {s}")
    if whiten and n < d:
        raise ValueError(f"whiten=True needs n >= d, got n={n}, d={d}")
    A = gen.standard_normal((n, d))
    X = np.linalg.qr(A)[0] if whiten else A / np.sqrt(n)
    U = np.linalg.qr(gen.standard_normal((k, r)))[0]
    V = np.linalg.qr(gen.standard_normal((d, r)))[0]
    M = (U * s) @ V.T
    Y = X @ M.T + noise * gen.standard_normal((n, k)) / np.sqrt(n)
    return X, Y


# --------------------------------------------------------------------------------------------
# objectives for one mask, in expectation, by enumeration, by Monte Carlo
# --------------------------------------------------------------------------------------------


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
    X, Y, W1, W2 = _check_problem(X, Y, W1, W2)
    kind = _check_kind(kind)
    mask = _check_mask(mask, W1.shape, kind)
    R = Y - _masked_output(X, W1, W2, mask, kind)
    return float(np.sum(R**2))


def _check_mask(mask: object, shape: tuple[int, int], kind: str) -> np.ndarray:
    want = (shape[0],) if kind == "dropout" else shape
    arr = as_array(mask, "mask", shape=want)
    if not np.all((arr == 0) | (arr == 1)):
        raise ValueError("mask must hold only 0 and 1")
    return arr


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
    X, Y, W1, W2 = _check_problem(X, Y, W1, W2)
    kind = _check_kind(kind)
    mask = _check_mask(mask, W1.shape, kind)
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
    W1 = as_array(W1, "W1", shape=(None, X.shape[1]))
    W2 = as_array(W2, "W2", shape=(None, W1.shape[0]))
    return float(_reg_terms(X, W1, W2, _check_kind(kind))[0])


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
    X, Y, W1, W2, p, kind = _check_arguments(X, Y, W1, W2, p, kind)
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
    X, Y, W1, W2, p, kind = _check_arguments(X, Y, W1, W2, p, kind)
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
    X, Y, W1, W2, p, kind = _check_arguments(X, Y, W1, W2, p, kind)
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
    X, Y, W1, W2, p, kind = _check_arguments(X, Y, W1, W2, p, kind)
    masks = _all_masks((W1.shape[0],) if kind == "dropout" else W1.shape)
    return float(_mask_probabilities(masks, p) @ _batch_losses(X, Y, W1, W2, masks, kind))


def enumerate_expected_gradient(
    X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray, p: float,
    *, kind: str = "dropout",
) -> tuple[np.ndarray, np.ndarray]:
    """Exact expectation over every mask of :func:`masked_gradient` (checks unbiasedness)."""
    X, Y, W1, W2, p, kind = _check_arguments(X, Y, W1, W2, p, kind)
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
    *, kind: str = "dropout", samples: int = 10_000, rng: object = 0,
) -> tuple[float, float]:
    """Monte Carlo estimate of the expected loss from ``samples`` i.i.d. masks.

    Returns
    -------
    mean : float
        Sample mean of the masked losses.
    stderr : float
        Its standard error, ``std / sqrt(samples)``.
    """
    X, Y, W1, W2, p, kind = _check_arguments(X, Y, W1, W2, p, kind)
    samples = check_int(samples, "samples", low=2)
    gen = as_rng(rng)
    shape = (samples, W1.shape[0]) if kind == "dropout" else (samples, *W1.shape)
    masks = (gen.random(shape) < p).astype(np.float64)
    losses = _batch_losses(X, Y, W1, W2, masks, kind)
    return float(losses.mean()), float(losses.std(ddof=1) / np.sqrt(samples))


# --------------------------------------------------------------------------------------------
# the global minimizer
# --------------------------------------------------------------------------------------------


def unit_products(X: np.ndarray, W1: np.ndarray, W2: np.ndarray) -> np.ndarray:
    """The products ``||u_i|| ||X v_i||`` of every hidden unit, shape ``(m,)``.

    For whitened data (``X^T X = I``) this is ``||u_i|| ||v_i||``. Every global minimizer of the
    Dropout objective makes them all equal (Mianjy, Arora & Vidal 2018, Theorem 2.4).
    """
    X = as_array(X, "X", ndim=2)
    W1 = as_array(W1, "W1", shape=(None, X.shape[1]))
    W2 = as_array(W2, "W2", shape=(None, W1.shape[0]))
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


def _whitening(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
    X, Y = _check_data(X, Y)
    p = _check_p(p)
    width = check_int(width, "width", low=1)
    half, inv_half, UX = _whitening(X)
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
    A, B = equalize_factorization(Mt, width) if r > 0 else (
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
    W2 = as_array(W2, "W2", shape=(None, W1.shape[0]))
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
    W2 = as_array(W2, "W2", shape=(None, W1.shape[0]))
    scale = check_real(scale, "scale", low=0.0)
    gen = as_rng(rng)
    return (W1 + scale * gen.standard_normal(W1.shape),
            W2 + scale * gen.standard_normal(W2.shape))


# --------------------------------------------------------------------------------------------
# dynamics: gradient descent, gradient flow, stochastic Dropout
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunResult:
    """Outcome of a discrete run.

    Attributes
    ----------
    W1 (m, d), W2 (k, m) : final weights
    steps : (T,) array of the recorded step indices
    objective : (T,) array of the expected objective at those steps
    """

    W1: np.ndarray
    W2: np.ndarray
    steps: np.ndarray
    objective: np.ndarray


def dropout_gradient_descent(
    X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray, p: float,
    *, lr: float, steps: int, kind: str = "dropout", record_every: int = 1,
) -> RunResult:
    """Full gradient descent on the *expected* objective, ``theta <- theta - lr grad L(theta)``.

    Records the expected objective at step 0 and every ``record_every`` steps.
    """
    X, Y, W1, W2, p, kind = _check_arguments(X, Y, W1, W2, p, kind)
    lr = check_real(lr, "lr", low=0.0, low_open=True)
    steps = check_int(steps, "steps", low=0)
    record_every = check_int(record_every, "record_every", low=1)
    W1, W2 = W1.copy(), W2.copy()
    grad = _gram_gradient(X, Y, p, kind)
    rec_steps, rec_obj = [0], [_objective(X, Y, W1, W2, p, kind)]
    for t in range(1, steps + 1):
        g1, g2 = grad(W1, W2)
        W1 -= lr * g1
        W2 -= lr * g2
        if t % record_every == 0:
            rec_steps.append(t)
            rec_obj.append(_objective(X, Y, W1, W2, p, kind))
    if not np.all(np.isfinite(rec_obj)):
        raise RuntimeError(f"gradient descent diverged (lr={lr} too large?)")
    return RunResult(W1, W2, np.array(rec_steps), np.array(rec_obj))


def dropout_sgd(
    X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray, p: float,
    *, lr: float, steps: int, rng: object, kind: str = "dropout", record_every: int = 1,
) -> RunResult:
    """Stochastic Dropout (or Dropconnect) gradient descent: a fresh mask at every step.

    Each step draws a mask with keep probability ``p`` and steps along
    :func:`masked_gradient` on the full data. Its mean is the gradient of the expected objective,
    so with small ``lr`` the iterates follow the gradient flow on :func:`expected_objective` at
    time ``lr * step`` (Senen-Cerda & Sanders 2020). The recorded values are the *expected*
    objective at the iterates.
    """
    X, Y, W1, W2, p, kind = _check_arguments(X, Y, W1, W2, p, kind)
    lr = check_real(lr, "lr", low=0.0, low_open=True)
    steps = check_int(steps, "steps", low=0)
    record_every = check_int(record_every, "record_every", low=1)
    gen = as_rng(rng)
    W1, W2 = W1.copy(), W2.copy()
    shape = (W1.shape[0],) if kind == "dropout" else W1.shape
    rec_steps, rec_obj = [0], [_objective(X, Y, W1, W2, p, kind)]
    for t in range(1, steps + 1):
        mask = (gen.random(shape) < p).astype(np.float64)
        g1, g2 = _masked_gradient(X, Y, W1, W2, mask, kind)
        W1 -= lr * g1
        W2 -= lr * g2
        if t % record_every == 0:
            rec_steps.append(t)
            rec_obj.append(_objective(X, Y, W1, W2, p, kind))
    if not np.all(np.isfinite(rec_obj)):
        raise RuntimeError(f"stochastic Dropout diverged (lr={lr} too large?)")
    return RunResult(W1, W2, np.array(rec_steps), np.array(rec_obj))


@dataclass(frozen=True)
class FlowResult:
    """Gradient flow ``d theta / dt = -grad L(theta)`` sampled at times ``t``.

    Attributes
    ----------
    t : (T,) array
    objective : (T,) array of ``L(theta(t))``
    grad_norm : (T,) array of ``||grad L(theta(t))||``
    W1 (m, d), W2 (k, m) : the state at the last time
    """

    t: np.ndarray
    objective: np.ndarray
    grad_norm: np.ndarray
    W1: np.ndarray
    W2: np.ndarray


def gradient_flow(
    X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray, p: float,
    *, t_max: float, num: int = 200, kind: str = "dropout", rtol: float = 1e-10,
    atol: float = 1e-12,
) -> FlowResult:
    """Integrate the gradient flow of :func:`expected_objective` with ``scipy.integrate.solve_ivp``.

    Uses the explicit Runge-Kutta method DOP853 (order 8, adaptive steps) with tight tolerances,
    so that the error of the integrator stays far below the values of ``L - L*`` that are fitted.

    Parameters
    ----------
    X (n, d), Y (n, k) or (n,), W1 (m, d), W2 (k, m) : data and initial weights
    p : float in (0, 1]
    t_max : float
        Final time.
    num : int
        Number of equally spaced sample times in ``[0, t_max]``.
    """
    X, Y, W1, W2, p, kind = _check_arguments(X, Y, W1, W2, p, kind)
    t_max = check_real(t_max, "t_max", low=0.0, low_open=True)
    num = check_int(num, "num", low=2)
    rtol = check_real(rtol, "rtol", low=0.0, low_open=True)
    atol = check_real(atol, "atol", low=0.0, low_open=True)
    n1, s1, s2 = W1.size, W1.shape, W2.shape
    grad = _gram_gradient(X, Y, p, kind)

    def rhs(_t: float, theta: np.ndarray) -> np.ndarray:
        g1, g2 = grad(theta[:n1].reshape(s1), theta[n1:].reshape(s2))
        return -np.concatenate([g1.ravel(), g2.ravel()])

    t_eval = np.linspace(0.0, t_max, num)
    sol = solve_ivp(rhs, (0.0, t_max), np.concatenate([W1.ravel(), W2.ravel()]),
                    method="DOP853", t_eval=t_eval, rtol=rtol, atol=atol)
    if sol.status != 0:
        raise RuntimeError(f"solve_ivp failed with status {sol.status}: {sol.message}")
    obj = np.empty(num)
    gn = np.empty(num)
    for i in range(num):
        a, b = sol.y[:n1, i].reshape(s1), sol.y[n1:, i].reshape(s2)
        obj[i] = _objective(X, Y, a, b, p, kind)
        g1, g2 = _gradient(X, Y, a, b, p, kind)
        gn[i] = np.sqrt(np.sum(g1**2) + np.sum(g2**2))
    return FlowResult(t=sol.t, objective=obj, grad_norm=gn,
                      W1=sol.y[:n1, -1].reshape(s1).copy(), W2=sol.y[n1:, -1].reshape(s2).copy())


def fit_rate(
    t: np.ndarray, gap: np.ndarray, *, window: tuple[float, float] = (1e-10, 1e-5)
) -> float:
    """Exponential rate ``c`` of ``gap(t) ~ exp(-c t)`` by least squares on ``log gap``.

    Only the samples with ``window[0] <= gap <= window[1]`` are used: late enough for the slowest
    mode to dominate, above the floating-point floor. At least three are needed.
    """
    t = as_array(t, "t", ndim=1)
    gap = as_array(gap, "gap", shape=(t.size,))
    lo, hi = window
    sel = (gap >= lo) & (gap <= hi)
    if np.sum(sel) < 3:
        raise ValueError(
            f"fewer than 3 samples with {lo:g} <= gap <= {hi:g} (got {int(np.sum(sel))}); "
            "integrate longer or widen the window"
        )
    slope = np.polyfit(t[sel], np.log(gap[sel]), 1)[0]
    return float(-slope)


@dataclass(frozen=True)
class HessianRate:
    """Spectrum of the Hessian at a (near-)minimizer and the linear rate it predicts.

    Attributes
    ----------
    eigenvalues : (P,) array, ascending
    null_dim : int
        Number of eigenvalues treated as zero: the dimension of the manifold of minimizers.
    lambda_min : float
        Smallest positive eigenvalue.
    rate : float
        Predicted rate of ``L(t) - L* ~ exp(-rate t)``, i.e. ``2 * lambda_min``.
    """

    eigenvalues: np.ndarray
    null_dim: int
    lambda_min: float
    rate: float


def hessian_rate(
    X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray, p: float,
    *, kind: str = "dropout", rel_tol: float = 1e-6,
) -> HessianRate:
    """Rate of local linear convergence predicted by the Hessian at a minimizer.

    Near a manifold of minimizers on which the Hessian ``H`` is non-degenerate in the normal
    directions, the gradient flow converges to a point ``theta_inf`` and the normal part of the
    error decays like ``exp(-lambda t)`` with ``lambda = lambda_min^+(H(theta_inf))``, so
    ``L - L* ~ exp(-2 lambda t)`` (Senen-Cerda & Sanders 2022). Eigenvalues below
    ``rel_tol * max |eigenvalue|`` count as zero.
    """
    X, Y, W1, W2, p, kind = _check_arguments(X, Y, W1, W2, p, kind)
    rel_tol = check_real(rel_tol, "rel_tol", low=0.0, low_open=True)
    ev = np.linalg.eigvalsh(_hessian(X, Y, W1, W2, p, kind))
    tol = rel_tol * np.max(np.abs(ev))
    if ev[0] < -tol:
        raise ValueError(
            f"the Hessian has a negative eigenvalue {ev[0]:.3e}: the point is not a minimizer"
        )
    pos = ev[ev > tol]
    if pos.size == 0:
        raise ValueError("the Hessian has no positive eigenvalue")
    lam = float(pos[0])
    return HessianRate(eigenvalues=ev, null_dim=int(ev.size - pos.size), lambda_min=lam,
                       rate=2.0 * lam)


def single_output_rate(X: np.ndarray, y: np.ndarray, p: float, width: int) -> tuple[float, float]:
    """Closed-form rate at a balanced global minimizer for one output, and a lower bound.

    For ``k = 1`` every global minimizer has ``u_i v_i = beta / (m p + 1 - p)`` for all ``i``, with
    ``beta`` the least-squares coefficients; at a balanced one (``u_i^2 = ||v_i||``) the smallest
    positive Hessian eigenvalue is

        lambda = 2 p (1 - p) * lambda_min( C^(1/2) (u^2 I + v v^T) C^(1/2) ),   C = X^T X,

    which for whitened data (``C = I``) is ``2 p (1 - p) ||beta|| / (m p + 1 - p)``. At any global
    minimizer ``lambda >= 2 p (1 - p) lambda_min(C) min_i u_i^2`` (derived in the chapter
    "Dropout flows"; compare Senen-Cerda & Sanders 2022, whose bound likewise depends on the data,
    ``p`` and the width).

    Returns
    -------
    rate : float
        ``2 * lambda``, the rate of ``L - L*`` at a balanced minimizer.
    lambda_min : float
        ``lambda`` itself.
    """
    X, Y = _check_data(X, y)
    if Y.shape[1] != 1:
        raise ValueError(f"single_output_rate needs one output, got Y with shape {Y.shape}")
    p = _check_p(p)
    width = check_int(width, "width", low=1)
    half, inv_half, _ = _whitening(X)
    beta = np.linalg.solve(X.T @ X, X.T @ Y[:, 0]) / (width * p + 1.0 - p)
    u2 = float(np.linalg.norm(beta))
    v = beta / np.sqrt(u2)
    B = half @ (u2 * np.eye(X.shape[1]) + np.outer(v, v)) @ half
    # smallest eigenvalue of 2 p^2 11^T + 2 p (1-p) I_m: 2 p (1-p) if m >= 2, else 2 p
    a_min = 2.0 * p * (1.0 - p) if width >= 2 else 2.0 * p
    lam = a_min * float(np.linalg.eigvalsh(B)[0])
    return 2.0 * lam, lam


@dataclass(frozen=True)
class ExplorerResult:
    """What the Dropout explorer shows for one choice of ``p``, width and number of steps.

    Attributes
    ----------
    steps : (T,) array of recorded GD steps
    gap : (T,) array of ``L(theta_t) - L*`` along gradient descent on the expected objective
    predicted_factor : float
        Predicted contraction of ``L - L*`` per step near the minimizer,
        ``(1 - lr * lambda_min^+)^2``, with ``lambda_min^+`` of the Hessian at the last iterate
        when ``L - L* < 1e-9`` there (the limit GD approaches), else at the closed-form minimizer.
    hessian_at_limit : bool
        Which of the two points the Hessian was taken at.
    products : (m,) array of ``||u_i|| ||X v_i||`` after gradient descent
    product_star : float
        Their common value at every global minimizer.
    shrunk : array of the singular values of ``p W2 W1`` (whitened) at the minimizer
    singular_values : array of the singular values of the whitened target
    """

    steps: np.ndarray
    gap: np.ndarray
    predicted_factor: float
    hessian_at_limit: bool
    products: np.ndarray
    product_star: float
    shrunk: np.ndarray
    singular_values: np.ndarray


def explore_gd(
    X: np.ndarray, Y: np.ndarray, p: float, width: int, *, steps: int, lr: float,
    rng: object = 0, init_scale: float = 0.3,
) -> ExplorerResult:
    """Gradient descent on the expected Dropout objective from a seeded random start.

    Compares it with the closed-form minimizer (:func:`dropout_minimizer`) and with the linear
    rate predicted by the Hessian there (:func:`hessian_rate`). This is the pure function behind
    the chapter's explorer; it takes well under 0.2 s for a few thousand steps on small data.
    """
    X, Y = _check_data(X, Y)
    p = _check_p(p)
    width = check_int(width, "width", low=1)
    steps = check_int(steps, "steps", low=1)
    init_scale = check_real(init_scale, "init_scale", low=0.0, low_open=True)
    gen = as_rng(rng)
    star = dropout_minimizer(X, Y, p, width)
    W1 = init_scale * gen.standard_normal((width, X.shape[1]))
    W2 = init_scale * gen.standard_normal((Y.shape[1], width))
    run = dropout_gradient_descent(X, Y, W1, W2, p, lr=lr, steps=steps,
                                   record_every=max(1, steps // 200))
    gap = np.maximum(run.objective - star.objective, 0.0)
    # the rate is set by the Hessian at the limit GD approaches, once it is close to it
    at_limit = bool(gap[-1] < 1e-9)
    W1h, W2h = (run.W1, run.W2) if at_limit else (star.W1, star.W2)
    lam = hessian_rate(X, Y, W1h, W2h, p).lambda_min
    return ExplorerResult(
        steps=run.steps, gap=gap, predicted_factor=float((1.0 - lr * lam) ** 2),
        hessian_at_limit=at_limit,
        products=unit_products(X, run.W1, run.W2), product_star=star.product,
        shrunk=star.shrunk, singular_values=star.singular_values,
    )
