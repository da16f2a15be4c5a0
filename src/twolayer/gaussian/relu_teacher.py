"""Population loss, gradient and Hessian of a ReLU student fitted to a ReLU teacher with standard
Gaussian inputs, in closed form through the arc-cosine kernel (see :mod:`twolayer.gaussian`).

Imports only :mod:`twolayer._checks` and the package's ``_checks`` and ``arccos``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._checks import as_rng, check_int, check_pair
from ._checks import row_norms
from .arccos import _PARALLEL, _TWO_PI, _angles, _arccos, _sines

__all__ = [
    "hessian_rows",
    "hessian_spectrum",
    "monte_carlo_loss",
    "population_gradient",
    "population_hessian",
    "population_loss",
]


def population_loss(W: object, V: object) -> float:
    """Population loss ``L(W) = 1/2 E[(f(x; W) - f(x; V))^2]`` with ``x ~ N(0, I_d)``.

    Closed form through :func:`arccos_kernel` (Safran & Shamir 2018, section 2).

    Parameters
    ----------
    W : array_like, shape (k, d)
        Student first layer, rows are neurons.
    V : array_like, shape (m, d)
        Teacher first layer.
    """
    W, V = check_pair(W, V)
    total = (
        0.5 * _arccos(W, W, 1).sum()
        - _arccos(W, V, 1).sum()
        + 0.5 * _arccos(V, V, 1).sum()
    )
    return float(max(total, 0.0))


def monte_carlo_loss(
    W: object, V: object, n_samples: int, rng: object, *, batch: int = 100_000
) -> tuple[float, float]:
    """Monte Carlo estimate of the population loss and its standard error.

    Parameters
    ----------
    W : array_like, shape (k, d)
    V : array_like, shape (m, d)
    n_samples : int
        Number of Gaussian inputs.
    rng : numpy.random.Generator or int
    batch : int
        Inputs drawn per batch (memory control).

    Returns
    -------
    (estimate, standard_error) : tuple of float
    """
    W, V = check_pair(W, V)
    n_samples = check_int(n_samples, "n_samples", low=2)
    batch = check_int(batch, "batch", low=1)
    gen = as_rng(rng)
    values = []
    left = n_samples
    while left > 0:
        n = min(batch, left)
        X = gen.standard_normal((n, W.shape[1]))
        r = np.maximum(X @ W.T, 0.0).sum(axis=1) - np.maximum(X @ V.T, 0.0).sum(axis=1)
        values.append(0.5 * r * r)
        left -= n
    v = np.concatenate(values)
    return float(v.mean()), float(v.std(ddof=1) / np.sqrt(v.size))


# ----------------------------------------------------------------------------- gradient


def population_gradient(W: object, V: object, rows: Sequence[int] | None = None) -> np.ndarray:
    """Gradient of :func:`population_loss` with respect to W, optionally only some rows.

    For neuron i (Brutzkus & Globerson 2017, eq. 3; Safran & Shamir 2018, appendix)::

        dL/dw_i = 1/(2 pi) sum_j s_j ( |u_j| sin t_ij  w_i/|w_i|  + (pi - t_ij) u_j ),

    the sum over the student neurons ``u_j = w_j`` (sign ``s_j = +1``, the term ``j = i``
    included, where it equals ``w_i / 2``) and the teacher neurons ``u_j = v_j`` (``s_j = -1``).

    Parameters
    ----------
    W : array_like, shape (k, d)
    V : array_like, shape (m, d)
    rows : sequence of int, optional
        Rows of the gradient to compute (cost ``O(len(rows) (k + m) d)``); all when omitted.

    Returns
    -------
    ndarray, shape (k, d), or (len(rows), d) when ``rows`` is given

    Raises
    ------
    ValueError
        If a row of W is zero (the loss is not differentiable there).
    """
    W, V = check_pair(W, V)
    nw = row_norms(W, "W", allow_zero=False)
    nv = row_norms(V, "V", allow_zero=True)
    idx = _check_rows(rows, W.shape[0])
    Wi, ni = W[idx], nw[idx]
    out = np.zeros_like(Wi)
    for U, nu, sign in ((W, nw, 1.0), (V, nv, -1.0)):
        _, s, t = _angles(Wi, ni, U, nu)
        out += sign * ((s @ nu)[:, None] * (Wi / ni[:, None]) + (np.pi - t) @ U)
    return out / _TWO_PI


def _loss_and_gradient(
    W: np.ndarray, V: np.ndarray, nv: np.ndarray, const: float
) -> tuple[float, np.ndarray]:
    """Loss and gradient in one pass over the pairs (the inner loop of :func:`fit_student`).

    ``nv`` are the row norms of V and ``const = 1/2 sum kappa(V, V)``. A zero row of W gets the
    subgradient without the ``sin t`` term, so that a line search may pass through it.
    """
    nw = np.sqrt(np.einsum("ij,ij->i", W, W))
    Wb = W / np.where(nw > 0, nw, 1.0)[:, None]
    loss, grad = const, np.zeros_like(W)
    for U, nu, sign, half in ((W, nw, 1.0, 0.5), (V, nv, -1.0, 1.0)):
        c, s, t = _angles(W, nw, U, nu)
        loss += sign * half * float(nw @ ((s + (np.pi - t) * c) @ nu)) / _TWO_PI
        grad += sign * ((s @ nu)[:, None] * Wb + (np.pi - t) @ U)
    return max(loss, 0.0), grad / _TWO_PI


def _check_rows(rows: Sequence[int] | None, k: int) -> np.ndarray:
    if rows is None:
        return np.arange(k)
    idx = np.asarray(rows)
    if idx.ndim == 1 and idx.size == 0:
        return np.zeros(0, dtype=int)
    if idx.ndim != 1 or idx.dtype.kind not in "iu":
        raise TypeError(f"rows must be a 1-d sequence of integers, got {rows!r}")
    if idx.size and (idx.min() < 0 or idx.max() >= k):
        raise ValueError(f"rows must lie in [0, {k}), got {idx.tolist()}")
    return idx


# ----------------------------------------------------------------------------- Hessian


def population_hessian(W: object, V: object) -> np.ndarray:
    """Hessian of :func:`population_loss` with respect to ``vec(W)`` (rows stacked).

    Blocks between neurons ``i != l`` and within neuron ``i`` (Arjevani & Field 2020, sec. 3;
    derivation in the chapter "Hessian spectra")::

        H_il = 1/(2 pi) [ (pi - t) I + sin t  wi wl^T + (wl - cos t wi)(wi - cos t wl)^T / sin t ]
        H_ii = I/2 + sum_j s_j |u_j| / (2 pi |w_i|)
                     [ sin t_ij (I - wi wi^T) + (uj - cos t_ij wi)(uj - cos t_ij wi)^T / sin t_ij ]

    with ``wi, wl, uj`` unit vectors, ``t`` the angle between ``w_i`` and ``w_l``, and the sum
    over the other student neurons (``s_j = +1``) and the teacher neurons (``s_j = -1``). At
    ``sin t = 0`` the ``1/sin t`` terms are continued by their limit, 0.

    Parameters
    ----------
    W : array_like, shape (k, d)
    V : array_like, shape (m, d)

    Returns
    -------
    ndarray, shape (k d, k d), symmetric

    Raises
    ------
    ValueError
        If a row of W is zero.
    """
    W, V = check_pair(W, V)
    row_norms(W, "W", allow_zero=False)
    return _hessian(W, V)


def _hessian(W: np.ndarray, V: np.ndarray) -> np.ndarray:
    """:func:`population_hessian` on checked arrays (W without zero rows)."""
    k, d = W.shape
    nw = row_norms(W, "W", allow_zero=False)
    nv = row_norms(V, "V", allow_zero=True)
    Wb = W / nw[:, None]

    # Off-diagonal blocks, all pairs at once: T[i, l, a, b].
    c, s, t = _angles(W, nw, W, nw)
    inv_s = np.where(s > _PARALLEL, 1.0 / np.where(s > _PARALLEL, s, 1.0), 0.0)
    A = Wb[None, :, :] - c[:, :, None] * Wb[:, None, :]  # A[i, l] = wl - c wi
    T = np.einsum("il,ila,lib->ilab", inv_s, A, A)  # (wl - c wi)(wi - c wl)^T / s
    T += s[:, :, None, None] * Wb[:, None, :, None] * Wb[None, :, None, :]
    T += (np.pi - t)[:, :, None, None] * np.eye(d)
    T /= _TWO_PI

    # Diagonal blocks.
    diag = 0.5 * np.repeat(np.eye(d)[None], k, axis=0)
    for U, nu, sign, skip_self in ((W, nw, 1.0, True), (V, nv, -1.0, False)):
        diag += sign * _diagonal_terms(Wb, nw, U, nu, skip_self)
    idx = np.arange(k)
    T[idx, idx] = diag

    H = T.transpose(0, 2, 1, 3).reshape(k * d, k * d)
    return 0.5 * (H + H.T)


def _diagonal_terms(
    Wb: np.ndarray, nw: np.ndarray, U: np.ndarray, nu: np.ndarray, skip_self: bool
) -> np.ndarray:
    """sum_j |u_j|/(2 pi |w_i|) [s (I - wi wi^T) + D D^T / s], D = uj - c wi, for each i."""
    k, d = Wb.shape
    mask = nu > 0
    U, nu = U[mask], nu[mask]
    Ub = U / nu[:, None]
    c = np.clip(Wb @ Ub.T, -1.0, 1.0)
    s = _sines(Wb, Ub, c)
    coef = nu[None, :] / (_TWO_PI * nw[:, None])
    if skip_self:
        coef = coef * (1.0 - np.eye(k))
    inv_s = np.where(s > _PARALLEL, 1.0 / np.where(s > _PARALLEL, s, 1.0), 0.0)
    ss = (coef * s).sum(axis=1)
    out = ss[:, None, None] * (np.eye(d)[None] - Wb[:, :, None] * Wb[:, None, :])
    D = Ub[None, :, :] - c[:, :, None] * Wb[:, None, :]  # (k, J, d)
    out += np.einsum("ij,ija,ijb->iab", coef * inv_s, D, D)
    return out


def hessian_rows(W: object, V: object, positions: object) -> np.ndarray:
    """Selected rows of :func:`population_hessian` without forming the Hessian.

    Row ``(i, a)`` costs ``O((k + m) d)``, so a handful of rows of the ``k d x k d`` Hessian are
    cheap even for ``k = d = 1000``. This is what the symmetry-reduced spectra of
    :mod:`twolayer.symmetry` are built from.

    Parameters
    ----------
    W : array_like, shape (k, d)
    V : array_like, shape (m, d)
    positions : array_like of int, shape (p, 2)
        Pairs ``(i, a)``: neuron i, coordinate a.

    Returns
    -------
    ndarray, shape (p, k, d)
        ``out[n, l, b] = d^2 L / dW[i_n, a_n] dW[l, b]``.
    """
    W, V = check_pair(W, V)
    k, d = W.shape
    pos = np.asarray(positions)
    if pos.ndim != 2 or pos.shape[1] != 2 or pos.dtype.kind not in "iu":
        raise ValueError(f"positions must be an integer array of shape (p, 2), got {pos!r}")
    if pos.size and (
        pos[:, 0].min() < 0 or pos[:, 0].max() >= k or pos[:, 1].min() < 0 or pos[:, 1].max() >= d
    ):
        raise ValueError(f"positions must lie in [0, {k}) x [0, {d}), got {pos.tolist()}")
    nw = row_norms(W, "W", allow_zero=False)
    nv = row_norms(V, "V", allow_zero=True)
    Wb = W / nw[:, None]
    Vb = V / np.where(nv > 0, nv, 1.0)[:, None]
    out = np.empty((pos.shape[0], k, d))
    for n, (i, a) in enumerate(pos):
        wi = Wb[i]
        c = np.clip(Wb @ wi, -1.0, 1.0)
        s = _sines(wi, Wb, c)
        t = np.arctan2(s, c)
        inv_s = np.where(s > _PARALLEL, 1.0 / np.where(s > _PARALLEL, s, 1.0), 0.0)
        # Off-diagonal blocks H_il[a, :] = [(pi - t) e_a + s wi[a] wl
        #   + (wl[a] - c wi[a]) (wi - c wl) / s] / (2 pi).
        u = inv_s * (Wb[:, a] - c * wi[a])
        row = np.outer(u, wi) + (s * wi[a] - u * c)[:, None] * Wb
        row[:, a] += np.pi - t
        row /= _TWO_PI
        # Diagonal block H_ii[a, :]: sum over the other students (+) and the teachers (-) of
        # |u_j| / (2 pi |w_i|) [s (e_a - wi[a] wi) + D_j[a] D_j / s], D_j = uj - c wi.
        block = np.zeros(d)
        block[a] = 0.5
        for Ub, nu, sign in ((Wb, nw, 1.0), (Vb, nv, -1.0)):
            cj = np.clip(Ub @ wi, -1.0, 1.0)
            sj = _sines(wi, Ub, cj)
            coef = nu / (_TWO_PI * nw[i])
            if sign > 0:
                coef[i] = 0.0
            inv_sj = np.where(sj > _PARALLEL, 1.0 / np.where(sj > _PARALLEL, sj, 1.0), 0.0)
            uj = coef * inv_sj * (Ub[:, a] - cj * wi[a])
            ss = float(coef @ sj)
            block -= sign * ss * wi[a] * wi
            block[a] += sign * ss
            block += sign * (uj @ Ub - float(uj @ cj) * wi)
        row[i] = block
        out[n] = row
    return out


def hessian_spectrum(W: object, V: object) -> np.ndarray:
    """All ``k d`` eigenvalues of :func:`population_hessian`, ascending (dense ``eigh``)."""
    return np.linalg.eigvalsh(population_hessian(W, V))
