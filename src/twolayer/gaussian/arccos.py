"""The arc-cosine kernels of degrees 0 and 1 (Cho & Saul 2009) and the angle helpers that every
closed form of :mod:`twolayer.gaussian` is built on.

Imports only :mod:`twolayer._checks` and the package's ``_checks``.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_pair
from ._checks import row_norms

__all__ = [
    "arccos_kernel",
    "arccos_kernel0",
]

_TWO_PI = 2.0 * np.pi
#: Below this sine of the angle two neurons count as parallel (or antiparallel); the Hessian
#: terms with a factor ``1/sin`` are continued by their limit, zero.
_PARALLEL = 1e-12


def _angles(A: np.ndarray, na: np.ndarray, B: np.ndarray, nb: np.ndarray):
    """Cosines, sines and angles between the rows of A and of B (zero rows give angle pi/2)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        c = (A @ B.T) / np.outer(na, nb)
    c = np.where(np.isfinite(c), c, 0.0)
    np.clip(c, -1.0, 1.0, out=c)
    Ab = A / np.where(na > 0, na, 1.0)[:, None]
    Bb = B / np.where(nb > 0, nb, 1.0)[:, None]
    s = _sines(Ab, Bb, c)
    return c, s, np.arctan2(s, c)


#: Below this sine, ``sqrt(1 - c^2)`` loses half the digits; the sine is recomputed.
_SMALL_SINE = 1e-4


def _sines(Ab: np.ndarray, Bb: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Sines of the angles between unit rows, accurate also for nearly parallel rows.

    ``sqrt(1 - c^2)`` has an absolute error of about ``1e-8`` when the rows are (anti)parallel;
    there the sine is recomputed as the norm of the component of ``b`` orthogonal to ``a``,
    ``|b - c a|``, which is accurate to rounding. ``c`` has shape (p, q) for rows of ``Ab``
    (p, d) and ``Bb`` (q, d), or shape (q,) when ``Ab`` is a single vector (d,).
    """
    s = np.sqrt(np.maximum(0.0, 1.0 - c * c))
    idx = np.nonzero(s < _SMALL_SINE)
    if idx[0].size:
        if c.ndim == 1:
            v = Bb[idx[0]] - c[idx][:, None] * Ab[None, :]
        else:
            v = Bb[idx[1]] - c[idx][:, None] * Ab[idx[0]]
        s[idx] = np.sqrt(np.einsum("ij,ij->i", v, v))
    return s


# ----------------------------------------------------------------------------- kernel and loss


def arccos_kernel(U: object, V: object) -> np.ndarray:
    """Gaussian expectation ``E[relu(u_i . x) relu(v_j . x)]`` for all pairs of rows.

    The first-order arc-cosine kernel (Cho & Saul 2009, eq. 6, with the normalization of a
    standard Gaussian x):
    ``kappa(u, v) = |u| |v| (sin t + (pi - t) cos t) / (2 pi)``, ``t`` the angle between u, v.

    Parameters
    ----------
    U : array_like, shape (p, d)
    V : array_like, shape (q, d)

    Returns
    -------
    ndarray, shape (p, q)
    """
    U, V = check_pair(U, V, ("U", "V"))
    return _arccos(U, V, 1)


def _arccos(U: np.ndarray, V: np.ndarray, degree: int) -> np.ndarray:
    """:func:`arccos_kernel` (degree 1) or :func:`arccos_kernel0` (degree 0) on checked arrays."""
    nu = row_norms(U, "U", allow_zero=True)
    nv = row_norms(V, "V", allow_zero=True)
    c, s, t = _angles(U, nu, V, nv)
    if degree == 0:
        return np.outer(nu > 0, nv > 0) * (np.pi - t) / _TWO_PI
    return np.outer(nu, nv) * (s + (np.pi - t) * c) / _TWO_PI


def arccos_kernel0(U: object, V: object) -> np.ndarray:
    """Gaussian expectation ``E[1(u_i . x > 0) 1(v_j . x > 0)]`` for all pairs of rows.

    The arc-cosine kernel of degree 0 (Cho & Saul 2009, eq. 6 with n = 0, normalized for a
    standard Gaussian x): ``(pi - t) / (2 pi)``, ``t`` the angle between u and v; ``0`` when
    either row is zero (its step function vanishes everywhere). It is the derivative of the
    degree-1 kernel in the cosine: ``d/dc [|u||v| J(c)] = |u||v| (pi - t) / (2 pi)``.
    Shapes as in :func:`arccos_kernel`: ``U (p, d)``, ``V (q, d)``, result ``(p, q)``.
    """
    return _arccos(*check_pair(U, V, ("U", "V")), 0)
