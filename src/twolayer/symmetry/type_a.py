"""The type-A fixed-point space (isotropy ``Delta S_{d-1} x S_{k-d}``), the population loss on it in
closed form, and Newton's method on its reduced equations (Arjevani & Field 2019, 2020).

Imports :mod:`twolayer._checks`, :mod:`twolayer.gaussian` and the package's ``_checks`` and
``isotropy``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .._checks import as_array, check_int, check_int_sequence, check_real
from ..gaussian import hessian_rows, identity_teacher, population_gradient
from ._checks import check_type_a_shape

__all__ = [
    "TypeAPoint",
    "follow_type_a",
    "type_a_critical_point",
    "type_a_loss",
    "type_a_parameters",
    "type_a_weights",
]


# ----------------------------------------------------------------------------- type-A space


def _n_params(k: int, d: int) -> int:
    return 5 if k == d else 7


@lru_cache(maxsize=16)
def _fix_basis(k: int, d: int) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Sparse basis (rows, cols, values) of Fix(Delta S_{d-1} x S_{k-d}) in M(k, d)."""
    D, s = d - 1, d - 1
    i, j = np.meshgrid(np.arange(D), np.arange(D), indexing="ij")
    off = i != j
    extra = np.arange(d, k)
    basis = [
        (np.arange(D), np.arange(D)),  # alpha_1: diagonal
        (i[off], j[off]),  # alpha_2: off-diagonal of the D x D block
        (np.arange(D), np.full(D, s)),  # alpha_3: special column
        (np.full(D, s), np.arange(D)),  # alpha_4: special row
        (np.array([s]), np.array([s])),  # alpha_5: corner
    ]
    if k > d:
        er, ec = np.meshgrid(extra, np.arange(D), indexing="ij")
        basis += [
            (er.ravel(), ec.ravel()),  # alpha_6: extra rows, first D columns
            (extra, np.full(k - d, s)),  # alpha_7: extra rows, special column
        ]
    return [(r, c, np.ones(r.size)) for r, c in basis]


def _fix_readout(k: int, d: int) -> np.ndarray:
    s = d - 1
    pos = [(0, 0), (0, 1), (0, s), (s, 0), (s, s)]
    if k > d:
        pos += [(d, 0), (d, s)]
    return np.array(pos, dtype=int)


def type_a_weights(alpha: object, k: int, d: int | None = None) -> np.ndarray:
    """The matrix of the type-A fixed-point space with parameters alpha.

    For ``k = d`` (Arjevani & Field 2019, eq. 5)::

        W = [[ a1 I + a2 (11^T - I),  a3 1 ],
             [ a4 1^T,                a5   ]]      (blocks of sizes d-1 and 1),

    and for ``k > d`` the extra ``k - d`` rows are all ``(a6 1^T, a7)``. The isotropy of a
    generic such W is ``Delta S_{d-1} x S_{k-d}``.

    Parameters
    ----------
    alpha : array_like, shape (5,) if k == d else (7,)
    k : int
        Student neurons (k >= 5).
    d : int, optional
        Input dimension, ``5 <= d <= k`` (default ``k``).

    Returns
    -------
    ndarray, shape (k, d)
    """
    k, d = check_type_a_shape(k, d)
    alpha = as_array(alpha, "alpha", shape=(_n_params(k, d),))
    D = d - 1
    W = np.empty((k, d))
    W[:D, :D] = alpha[1]
    W[np.arange(D), np.arange(D)] = alpha[0]
    W[:D, D] = alpha[2]
    W[D, :D] = alpha[3]
    W[D, D] = alpha[4]
    if k > d:
        W[d:, :D] = alpha[5]
        W[d:, D] = alpha[6]
    return W


def _fix_coefficients(R: np.ndarray, k: int, d: int) -> np.ndarray:
    """Inner products ``<R, E_a>`` of a (k, d) array with the type-A basis matrices."""
    D = d - 1
    diag = np.trace(R[:D, :D])
    out = [diag, R[:D, :D].sum() - diag, R[:D, D].sum(), R[D, :D].sum(), R[D, D]]
    if k > d:
        out += [R[d:, :D].sum(), R[d:, D].sum()]
    return np.array(out)


def type_a_parameters(W: object, *, tol: float = 1e-6) -> np.ndarray:
    """Read alpha from a matrix in the canonical type-A form (inverse of :func:`type_a_weights`).

    Raises
    ------
    ValueError
        If W is farther than ``tol`` (entrywise) from the type-A space.
    """
    W = as_array(W, "W", ndim=2)
    if not 5 <= W.shape[1] <= W.shape[0]:
        raise ValueError(
            f"W must have shape (k, d) with k >= d >= 5 (the type-A family), got shape {W.shape}"
        )
    k, d = check_type_a_shape(W.shape[0], W.shape[1])
    alpha = np.array([W[r, c].mean() for r, c, _ in _fix_basis(k, d)])
    err = float(np.max(np.abs(type_a_weights(alpha, k, d) - W)))
    if err > tol:
        raise ValueError(
            f"W is not in the type-A fixed-point space: the closest point differs by {err:.2e} "
            f"(tol {tol:.1e}); reorder it with detect_isotropy(W).canonical(W) first"
        )
    return alpha


def type_a_loss(alpha: object, k: int, d: int | None = None) -> float:
    """Population loss at :func:`type_a_weights`, in ``O(1)`` operations and to full accuracy.

    Only a few distinct pairs of rows occur in ``W(alpha)``: the rows ``w_0`` and ``w_1`` of the
    first orbit (``d - 1`` rows), the special row ``w_D``, the extra row ``w_E`` (``k - d``
    equal rows), and the teacher's ``e_0``, ``e_1``, ``e_D``; the loss
    ``1/2 sum kappa(w_i, w_j) - sum kappa(w_i, e_j) + 1/2 sum kappa(e_i, e_j)`` is a sum of
    their kernels with multiplicities (Arjevani & Field 2019, sec. 4). The ``(d-1)(d-2)``
    off-diagonal pairs, each about ``1 / (2 pi)``, cancel against the teacher's: their sum is
    formed from the small differences ``kappa - 1 / (2 pi)``, and the diagonal pairs likewise,
    without cancellation. Against a 60-digit reference at the type-A critical points the
    relative error is about ``1e-14`` for ``k <= 100`` and ``1e-10`` at ``k = 1000``, where the
    sum over all pairs (:func:`twolayer.gaussian.population_loss`) is off by ``6e-8``. A zero row
    contributes zero (its kernels vanish).
    """
    k, d = check_type_a_shape(k, d)
    alpha = as_array(alpha, "alpha", shape=(_n_params(k, d),))
    return _type_a_loss(alpha, k, d)


#: Multiplicities of the coordinates ``0, 1, 2, 3..D-1, D`` of the compressed vectors below.
def _weights(d: int) -> np.ndarray:
    return np.array([1.0, 1.0, 1.0, d - 4.0, 1.0])


def _kappa(u: np.ndarray, v: np.ndarray, w: np.ndarray) -> float:
    """Arc-cosine kernel of two compressed vectors (coordinates with multiplicities ``w``)."""
    nu, nv = np.sqrt(w @ (u * u)), np.sqrt(w @ (v * v))
    if nu == 0.0 or nv == 0.0:
        return 0.0
    c = min(max(float(w @ (u * v)) / (nu * nv), -1.0), 1.0)
    sine = np.sqrt(max(0.0, 1.0 - c * c))
    if sine < 1e-4:  # nearly (anti)parallel: the orthogonal component, accurate to rounding
        r = v / nv - c * u / nu
        sine = np.sqrt(w @ (r * r))
    t = np.arctan2(sine, c)
    return float(nu * nv * (sine + (np.pi - t) * c) / (2.0 * np.pi))


def _minus_one(sq_minus_one: float) -> float:
    """``sqrt(x) - 1`` from ``x - 1``, without cancellation."""
    return sq_minus_one / (np.sqrt(1.0 + sq_minus_one) + 1.0)


def _s_minus_a_t(S: float, a: float) -> float:
    """``S - a atan2(S, a)`` for ``S >= 0``, without cancellation when ``S << a``."""
    if a > 0.0 and S < 0.1 * a:
        x = S / a
        # x - atan x = x^3/3 - x^5/5 + x^7/7 - ...: 12 terms reach rounding for x < 0.1
        return a * math.fsum((-1) ** (j + 1) * x ** (2 * j + 1) / (2 * j + 1) for j in range(1, 13))
    return S - a * float(np.arctan2(S, a))


def _type_a_loss(alpha: np.ndarray, k: int, d: int) -> float:
    a1, a2, a3, a4, a5 = alpha[:5]
    D, E = d - 1, k - d
    w = _weights(d)
    r0 = np.array([a1, a2, a2, a2, a3])
    rD = np.array([a4, a4, a4, a4, a5])
    e0, eD = np.eye(5)[0], np.eye(5)[4]
    # off-diagonal pairs (w_0, w_1) and (w_0, e_1), minus 1 / (2 pi) each:
    # 2 pi kappa = S + (pi - t) c with S = |u||v| sin t; S - 1 from S^2 - 1 in small terms
    n2m1 = (a1 - 1.0) * (a1 + 1.0) + (D - 1.0) * a2 * a2 + a3 * a3  # |w_0|^2 - 1
    dot01 = 2.0 * a1 * a2 + (D - 2.0) * a2 * a2 + a3 * a3
    s01_sq_m1 = n2m1 * (n2m1 + 2.0) - dot01 * dot01  # |w_0|^2 |w_1|^2 - dot^2 - 1
    t01 = np.arctan2(np.sqrt(max(s01_sq_m1 + 1.0, 0.0)), dot01)
    k01 = (_minus_one(s01_sq_m1) + (np.pi - t01) * dot01) / (2.0 * np.pi)
    s0e1_sq_m1 = n2m1 - a2 * a2  # |w_0|^2 sin^2 - 1: the norm of w_0 without coordinate 1
    t0e1 = np.arctan2(np.sqrt(max(s0e1_sq_m1 + 1.0, 0.0)), a2)
    k0e1 = (_minus_one(s0e1_sq_m1) + (np.pi - t0e1) * a2) / (2.0 * np.pi)
    # diagonal pairs of the first orbit with the teacher's, 1/2 k(w_0, w_0) - k(w_0, e_0) + 1/4:
    # with S = |w_0| sin t the distance to the e_0 axis, 2 pi k(w_0, e_0) = pi a1 + S - a1 t
    S_sq = (D - 1.0) * a2 * a2 + a3 * a3
    S = np.sqrt(S_sq)
    diag = 0.25 * ((a1 - 1.0) ** 2 + S_sq) - _s_minus_a_t(S, a1) / (2.0 * np.pi)
    terms = [
        D * (D - 1.0) * (0.5 * k01 - k0e1),
        D * diag,
        D * _kappa(r0, rD, w),
        0.5 * _kappa(rD, rD, w),
        -D * _kappa(r0, eD, w),
        -D * _kappa(rD, e0, w),
        -_kappa(rD, eD, w),
        # the teacher: d/2 on the diagonal (of which (d - 1)/2 went into diag) and
        # d (d - 1) / (2 pi) off it (of which (d-1)(d-2) / (2 pi) went into the first term)
        0.25,
        D / (2.0 * np.pi),
    ]
    if E:
        rE = np.array([alpha[5]] * 4 + [alpha[6]])
        terms += [
            D * E * _kappa(r0, rE, w),
            E * _kappa(rD, rE, w),
            0.5 * E * E * _kappa(rE, rE, w),
            -E * D * _kappa(rE, e0, w),
            -E * _kappa(rE, eD, w),
        ]
    return float(max(math.fsum(terms), 0.0))


# ----------------------------------------------------------------------------- Newton


@dataclass
class TypeAPoint:
    """A critical point of the type-A family, found by :func:`type_a_critical_point`.

    Attributes
    ----------
    k, d : int
    alpha : ndarray, shape (5,) or (7,)
    loss : float
        Population loss (:func:`type_a_loss`).
    grad_norm : float
        Frobenius norm of the full gradient ``dL/dW`` at ``type_a_weights(alpha, k, d)``,
        exact up to rounding: the gradient lies in the fixed-point space, so its ``k d``
        entries are determined by the reduced gradient. Each entry is a sum of ``O(k)`` terms
        of size one, so near zero the norm is only as accurate as that rounding (at
        ``k = 1000`` it reads ``1e-11`` where the true norm is ``1e-10``).
    iterations : int
        Newton steps taken.
    """

    k: int
    d: int
    alpha: np.ndarray
    loss: float
    grad_norm: float
    iterations: int

    @property
    def W(self) -> np.ndarray:
        """The weight matrix, shape (k, d)."""
        return type_a_weights(self.alpha, self.k, self.d)


def _reduced_gradient(alpha: np.ndarray, k: int, d: int) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients of dL/dW in the Fix basis, and the basis sizes |E_a|^2."""
    W = type_a_weights(alpha, k, d)
    pos = _fix_readout(k, d)
    rows = np.unique(pos[:, 0])
    G = population_gradient(W, identity_teacher(d), rows=rows)
    lookup = {int(r): n for n, r in enumerate(rows)}
    g = np.array([G[lookup[int(i)], a] for i, a in pos])
    D = d - 1
    sizes = [D, D * (D - 1), D, D, 1] + ([(k - d) * D, k - d] if k > d else [])
    return g, np.array(sizes, dtype=float)


def _reduced_jacobian(alpha: np.ndarray, k: int, d: int) -> np.ndarray:
    """J[a, b] = <H[pos_a, :], E_b> = d g_a / d alpha_b (the Hessian on the fixed space)."""
    W = type_a_weights(alpha, k, d)
    R = hessian_rows(W, identity_teacher(d), _fix_readout(k, d))
    return np.array([_fix_coefficients(Ra, k, d) for Ra in R])


def type_a_critical_point(
    k: int,
    alpha0: object,
    d: int | None = None,
    *,
    tol: float = 1e-10,
    max_iter: int = 50,
) -> TypeAPoint:
    """Newton's method on the reduced equations of the type-A fixed-point space.

    By equivariance the gradient at a point of ``Fix(G)`` lies in ``Fix(G)``, so
    ``grad L(W(alpha)) = sum_a g_a(alpha) E_a`` and the critical points of L in the
    fixed-point space are the zeros of the 5 (or 7) functions ``g_a`` (principle of symmetric
    criticality; Arjevani & Field 2019, sec. 5). The Jacobian ``dg_a / dalpha_b`` is the
    Hessian restricted to ``Fix(G)``, read from :func:`twolayer.gaussian.hessian_rows`; one
    step costs ``O(k d)``.

    Parameters
    ----------
    k : int
        Student neurons (k >= 5).
    alpha0 : array_like, shape (5,) if k == d else (7,)
        Starting point.
    d : int, optional
        Input dimension (default k).
    tol : float
        Required Frobenius norm of the full gradient; once it is reached, up to two more
        Newton steps are taken while they reduce it further (to the rounding floor, about
        ``1e-16 k d``).
    max_iter : int
        Newton steps allowed.

    Returns
    -------
    TypeAPoint

    Raises
    ------
    RuntimeError
        If Newton's method does not reach ``tol`` within ``max_iter`` steps.
    """
    k, d = check_type_a_shape(k, d)
    alpha = as_array(alpha0, "alpha0", shape=(_n_params(k, d),)).copy()
    tol = check_real(tol, "tol", low=0.0, low_open=True)
    max_iter = check_int(max_iter, "max_iter", low=1)
    g, sizes = _reduced_gradient(alpha, k, d)
    norm = float(np.sqrt(np.sum(sizes * g * g)))
    it = 0
    while norm > tol and it < max_iter:
        J = _reduced_jacobian(alpha, k, d)
        try:
            step = np.linalg.solve(J, g)
        except np.linalg.LinAlgError as err:
            raise RuntimeError(
                f"Newton's method on the type-A equations hit a singular Jacobian at k = {k}, "
                f"d = {d} after {it} steps (gradient norm {norm:.2e})"
            ) from err
        # Damped Newton: halve the step while the gradient norm grows.
        for _ in range(30):
            trial = alpha - step
            g_new, _ = _reduced_gradient(trial, k, d)
            new_norm = float(np.sqrt(np.sum(sizes * g_new * g_new)))
            if new_norm < norm or new_norm < tol:
                break
            step = step / 2
        else:
            break
        alpha, g, norm = trial, g_new, new_norm
        it += 1
    # Polish: full steps while they still reduce the gradient (down to the rounding floor).
    for _ in range(2 if norm <= tol else 0):
        try:
            trial = alpha - np.linalg.solve(_reduced_jacobian(alpha, k, d), g)
        except np.linalg.LinAlgError:
            break
        g_new, _ = _reduced_gradient(trial, k, d)
        new_norm = float(np.sqrt(np.sum(sizes * g_new * g_new)))
        if new_norm >= norm:
            break
        alpha, g, norm = trial, g_new, new_norm
        it += 1
    if norm > tol:
        raise RuntimeError(
            f"Newton's method on the type-A equations did not converge at k = {k}, d = {d}: "
            f"gradient norm {norm:.2e} after {it} steps (tol {tol:.1e})"
        )
    return TypeAPoint(k, d, alpha, type_a_loss(alpha, k, d), norm, it)


def follow_type_a(
    ks: Sequence[int],
    alpha0: object,
    *,
    d_offset: int = 0,
    tol: float = 1e-10,
    max_iter: int = 50,
) -> list[TypeAPoint]:
    """Follow the type-A family along increasing k by continuation.

    The critical point at each k (with ``d = k - d_offset``) starts Newton's method at the next
    k: from the previous alpha, or, once two points are known, from the linear extrapolation in
    ``1/sqrt(k)``, the variable of the expansions of Arjevani & Field (2019).

    Parameters
    ----------
    ks : sequence of int, increasing
    alpha0 : array_like
        Starting point of Newton's method at ``ks[0]``.
    d_offset : int
        ``k - d`` (0 for the square case).
    tol, max_iter : see :func:`type_a_critical_point`

    Returns
    -------
    list of TypeAPoint
    """
    ks = check_int_sequence(ks, "ks", low=5)
    if any(b <= a for a, b in zip(ks, ks[1:])):
        raise ValueError(f"ks must be strictly increasing, got {ks}")
    d_offset = check_int(d_offset, "d_offset", low=0)
    if ks and ks[0] - d_offset < 5:
        raise ValueError(
            f"d_offset must leave d = k - d_offset >= 5 for every k of ks, got d_offset = "
            f"{d_offset} with k = {ks[0]}"
        )
    points: list[TypeAPoint] = []
    guess = as_array(alpha0, "alpha0", ndim=1)
    for k in ks:
        if len(points) >= 2:
            (k1, a1), (k2, a2) = [(p.k, p.alpha) for p in points[-2:]]
            x1, x2, x = k1**-0.5, k2**-0.5, k**-0.5
            guess = a2 + (a2 - a1) * (x - x2) / (x2 - x1)
        points.append(type_a_critical_point(k, guess, k - d_offset, tol=tol, max_iter=max_iter))
        guess = points[-1].alpha
    return points
