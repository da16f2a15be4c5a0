"""Population quantities of teacher-student ReLU fitting with standard Gaussian inputs.

The student ``f(x; W) = sum_{i<=k} relu(w_i . x)`` (rows of ``W (k, d)`` are neurons) is fitted
to the teacher ``f(x; V) = sum_{j<=m} relu(v_j . x)`` (``V (m, d)``) under the population loss

    L(W) = 1/2 E_{x ~ N(0, I_d)} [ (f(x; W) - f(x; V))^2 ],

with the factor 1/2 of Safran & Shamir (2018, eq. 1) and Arjevani & Field (2020, eq. 1).
Everything is in closed form through the first-order arc-cosine kernel (Cho & Saul 2009)::

    kappa(w, v) = E[relu(w.x) relu(v.x)] = |w| |v| (sin t + (pi - t) cos t) / (2 pi),

``t`` the angle between ``w`` and ``v``, so that::

    L(W) = 1/2 sum_ij kappa(w_i, w_j) - sum_ij kappa(w_i, v_j) + 1/2 sum_ij kappa(v_i, v_j).

The gradient and the Hessian (Brutzkus & Globerson 2017; Safran & Shamir 2018, appendix;
Arjevani & Field 2020, section 3) are vectorized over neuron pairs. The Hessian acts on
``vec(W)``, the rows of ``W`` stacked (row-major): entry ``(i, a), (l, b)`` is
``d^2 L / dW[i, a] dW[l, b]``.

The module also runs the experiment of Safran & Shamir (2018): L-BFGS from random
initializations, and the classification of the end points into global and spurious minima.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize

from ._checks import as_array, as_rng, check_int, check_int_sequence, check_real
from .data import abs_teacher

__all__ = [
    "FitResult",
    "SpuriousExperiment",
    "StagedDynamics",
    "WidthStudy",
    "abs_teacher_dynamics",
    "abs_teacher_gradient",
    "abs_teacher_hermite_terms",
    "abs_teacher_loss",
    "arccos_kernel",
    "arccos_kernel0",
    "fit_student",
    "hermite_abs_coefficients",
    "hessian_rows",
    "hessian_spectrum",
    "identity_teacher",
    "monte_carlo_loss",
    "neuron_alignment",
    "newton_polish",
    "population_gradient",
    "population_hessian",
    "population_loss",
    "spurious_minima_experiment",
    "width_study",
]

_TWO_PI = 2.0 * np.pi
#: Below this sine of the angle two neurons count as parallel (or antiparallel); the Hessian
#: terms with a factor ``1/sin`` are continued by their limit, zero.
_PARALLEL = 1e-12


# ----------------------------------------------------------------------------- validation


def _check_pair(
    W: object, V: object, names: tuple[str, str] = ("W", "V")
) -> tuple[np.ndarray, np.ndarray]:
    """Two weight matrices with the same number of columns, each with a row and a column."""
    first, second = names
    W = as_array(W, first, ndim=2)
    V = as_array(V, second, ndim=2)
    if W.shape[1] != V.shape[1]:
        raise ValueError(
            f"{first} and {second} must have the same number of columns (the input dimension "
            f"d), got {first} of shape {W.shape} and {second} of shape {V.shape}"
        )
    for arr, name in ((W, first), (V, second)):
        if arr.shape[0] == 0 or arr.shape[1] == 0:
            raise ValueError(
                f"{name} must have at least one row and one column, got shape {arr.shape}"
            )
    return W, V


def _row_norms(W: np.ndarray, name: str, *, allow_zero: bool) -> np.ndarray:
    norms = np.sqrt(np.einsum("ij,ij->i", W, W))
    if not allow_zero and np.any(norms == 0.0):
        i = int(np.flatnonzero(norms == 0.0)[0])
        raise ValueError(
            f"row {i} of {name} is zero: the loss is not differentiable there, "
            f"every neuron needs a nonzero weight vector"
        )
    return norms


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
    U, V = _check_pair(U, V, ("U", "V"))
    return _arccos(U, V, 1)


def _arccos(U: np.ndarray, V: np.ndarray, degree: int) -> np.ndarray:
    """:func:`arccos_kernel` (degree 1) or :func:`arccos_kernel0` (degree 0) on checked arrays."""
    nu = _row_norms(U, "U", allow_zero=True)
    nv = _row_norms(V, "V", allow_zero=True)
    c, s, t = _angles(U, nu, V, nv)
    if degree == 0:
        return np.outer(nu > 0, nv > 0) * (np.pi - t) / _TWO_PI
    return np.outer(nu, nv) * (s + (np.pi - t) * c) / _TWO_PI


def _arccos1(U: np.ndarray, V: np.ndarray) -> np.ndarray:
    return _arccos(U, V, 1)


def _arccos0(U: np.ndarray, V: np.ndarray) -> np.ndarray:
    return _arccos(U, V, 0)


def arccos_kernel0(U: object, V: object) -> np.ndarray:
    """Gaussian expectation ``E[1(u_i . x > 0) 1(v_j . x > 0)]`` for all pairs of rows.

    The arc-cosine kernel of degree 0 (Cho & Saul 2009, eq. 6 with n = 0, normalized for a
    standard Gaussian x): ``(pi - t) / (2 pi)``, ``t`` the angle between u and v; ``0`` when
    either row is zero (its step function vanishes everywhere). It is the derivative of the
    degree-1 kernel in the cosine: ``d/dc [|u||v| J(c)] = |u||v| (pi - t) / (2 pi)``.

    Parameters
    ----------
    U : array_like, shape (p, d)
    V : array_like, shape (q, d)

    Returns
    -------
    ndarray, shape (p, q)
    """
    U, V = _check_pair(U, V, ("U", "V"))
    return _arccos(U, V, 0)


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
    W, V = _check_pair(W, V)
    total = (
        0.5 * _arccos(W, W).sum()
        - _arccos(W, V).sum()
        + 0.5 * _arccos(V, V).sum()
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
    W, V = _check_pair(W, V)
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
    W, V = _check_pair(W, V)
    nw = _row_norms(W, "W", allow_zero=False)
    nv = _row_norms(V, "V", allow_zero=True)
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
    W, V = _check_pair(W, V)
    k, d = W.shape
    nw = _row_norms(W, "W", allow_zero=False)
    nv = _row_norms(V, "V", allow_zero=True)
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
    W, V = _check_pair(W, V)
    k, d = W.shape
    pos = np.asarray(positions)
    if pos.ndim != 2 or pos.shape[1] != 2 or pos.dtype.kind not in "iu":
        raise ValueError(f"positions must be an integer array of shape (p, 2), got {pos!r}")
    if pos.size and (
        pos[:, 0].min() < 0 or pos[:, 0].max() >= k or pos[:, 1].min() < 0 or pos[:, 1].max() >= d
    ):
        raise ValueError(f"positions must lie in [0, {k}) x [0, {d}), got {pos.tolist()}")
    nw = _row_norms(W, "W", allow_zero=False)
    nv = _row_norms(V, "V", allow_zero=True)
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


# ----------------------------------------------------------------------------- fitting


def identity_teacher(d: int) -> np.ndarray:
    """The teacher ``V = I_d`` of Safran & Shamir (2018): d orthonormal neurons, shape (d, d)."""
    d = check_int(d, "d", low=1)
    return np.eye(d)


@dataclass
class FitResult:
    """End point of one student fit.

    Attributes
    ----------
    W : ndarray, shape (k, d)
        Final weights.
    loss : float
        Population loss at W.
    grad_norm : float
        Euclidean norm of the gradient at W.
    min_eig : float
        Smallest Hessian eigenvalue at W (``nan`` when not computed).
    kind : str
        ``"global"`` (loss below ``global_tol``), ``"spurious"`` (a minimum: small gradient and
        positive definite Hessian, loss above ``global_tol``) or ``"other"`` (not a certified
        minimum: a saddle, or not converged).
    iterations : int
        L-BFGS iterations.
    """

    W: np.ndarray
    loss: float
    grad_norm: float
    min_eig: float
    kind: str
    iterations: int


def fit_student(
    W0: object,
    V: object,
    *,
    gtol: float = 1e-10,
    max_iter: int = 5000,
    polish_steps: int = 3,
    global_tol: float = 1e-8,
    classify: bool = True,
    method: str = "L-BFGS-B",
) -> FitResult:
    """Minimize the population loss from ``W0`` by L-BFGS with the closed-form gradient.

    ``scipy.optimize.minimize(method="L-BFGS-B")`` runs until the gradient's largest entry is
    below ``gtol``; then up to ``polish_steps`` Newton steps with the exact Hessian
    (:func:`newton_polish`) sharpen a minimum to machine precision, and the end point is
    classified as in Safran & Shamir (2018, sec. 4): global if the loss is below
    ``global_tol``, spurious if it is above and the Hessian is positive definite.

    Parameters
    ----------
    W0 : array_like, shape (k, d)
        Initial student weights.
    V : array_like, shape (m, d)
        Teacher.
    gtol : float
        Stopping tolerance on the gradient (sup norm).
    max_iter : int
        L-BFGS iteration limit.
    polish_steps : int
        Newton steps after L-BFGS (0 for none).
    global_tol : float
        Loss below which an end point counts as a global minimum.
    classify : bool
        Compute the smallest Hessian eigenvalue and classify (dense ``k d x k d`` eigh).

    Returns
    -------
    FitResult
    """
    W0, V = _check_pair(W0, V)
    gtol = check_real(gtol, "gtol", low=0.0, low_open=True)
    max_iter = check_int(max_iter, "max_iter", low=1)
    polish_steps = check_int(polish_steps, "polish_steps", low=0)
    global_tol = check_real(global_tol, "global_tol", low=0.0)
    shape = W0.shape

    nv = _row_norms(V, "V", allow_zero=True)
    const = 0.5 * arccos_kernel(V, V).sum()

    def fun(x: np.ndarray) -> tuple[float, np.ndarray]:
        loss, grad = _loss_and_gradient(x.reshape(shape), V, nv, const)
        return loss, grad.ravel()

    if method not in ("BFGS", "L-BFGS-B"):
        raise ValueError(f"method must be 'BFGS' or 'L-BFGS-B', got {method!r}")
    options: dict[str, float] = {"maxiter": max_iter, "gtol": gtol}
    if method == "L-BFGS-B":
        options.update(ftol=0.0, maxcor=20)
    res = minimize(fun, W0.ravel(), jac=True, method=method, options=options)
    W = res.x.reshape(shape)
    loss = population_loss(W, V)
    if polish_steps and loss > global_tol:
        W = newton_polish(W, V, steps=polish_steps)
        loss = population_loss(W, V)
    grad_norm = float(np.linalg.norm(population_gradient(W, V)))
    min_eig, kind = float("nan"), "other"
    if loss <= global_tol:
        kind = "global"
    elif classify:
        min_eig = float(hessian_spectrum(W, V)[0])
        if grad_norm < 1e-6 and min_eig > 1e-8:
            kind = "spurious"
    return FitResult(W, loss, grad_norm, min_eig, kind, int(res.nit))


def newton_polish(W: object, V: object, *, steps: int = 3) -> np.ndarray:
    """Newton steps ``vec(W) -= H^{-1} grad`` with the exact Hessian, kept only while they help.

    Used to sharpen an approximate minimum (positive definite Hessian) to machine precision; a
    step is rejected, and the iteration stops, when the Hessian is not positive definite or the
    gradient norm does not decrease.

    Parameters
    ----------
    W : array_like, shape (k, d)
    V : array_like, shape (m, d)
    steps : int
        Maximal number of Newton steps.

    Returns
    -------
    ndarray, shape (k, d)
    """
    W, V = _check_pair(W, V)
    steps = check_int(steps, "steps", low=0)
    g = population_gradient(W, V)
    gnorm = np.linalg.norm(g)
    for _ in range(steps):
        H = population_hessian(W, V)
        try:
            L = np.linalg.cholesky(H)
        except np.linalg.LinAlgError:
            break
        step = np.linalg.solve(L.T, np.linalg.solve(L, g.ravel())).reshape(W.shape)
        W_new = W - step
        if np.any(np.einsum("ij,ij->i", W_new, W_new) == 0.0):
            break
        g_new = population_gradient(W_new, V)
        if np.linalg.norm(g_new) >= gnorm:
            break
        W, g, gnorm = W_new, g_new, np.linalg.norm(g_new)
    return W


@dataclass
class SpuriousExperiment:
    """Outcome of :func:`spurious_minima_experiment`.

    Attributes
    ----------
    ks : list of int
        Sizes ``k = d`` tried.
    runs : int
        Initializations per size.
    fits : dict int -> list of FitResult
        End points per size.
    """

    ks: list[int]
    runs: int
    fits: dict[int, list[FitResult]] = field(default_factory=dict)

    def fraction(self, k: int, kind: str = "spurious") -> float:
        """Fraction of the runs at size k that ended at a point of the given kind."""
        return sum(f.kind == kind for f in self.fits[k]) / len(self.fits[k])

    def losses(self, k: int, kind: str = "spurious") -> np.ndarray:
        """Sorted loss values of the end points of the given kind at size k."""
        return np.sort([f.loss for f in self.fits[k] if f.kind == kind])


def spurious_minima_experiment(
    ks: Sequence[int],
    runs: int,
    rng: object,
    *,
    init_scale: float | None = None,
    gtol: float = 1e-10,
    max_iter: int = 5000,
) -> SpuriousExperiment:
    """The experiment of Safran & Shamir (2018, sec. 4) at k = d with the teacher ``V = I_d``.

    For each k, ``runs`` students are drawn with i.i.d. ``N(0, init_scale^2)`` entries
    (default ``init_scale = 1/sqrt(d)``, a Xavier-type initialization), fitted by
    :func:`fit_student` and classified as global minima, spurious minima or other end points.

    Parameters
    ----------
    ks : sequence of int
        Sizes ``k = d`` (each at least 2).
    runs : int
        Initializations per size.
    rng : numpy.random.Generator or int
    init_scale : float, optional
        Standard deviation of the initial entries.
    gtol, max_iter : see :func:`fit_student`

    Returns
    -------
    SpuriousExperiment
    """
    ks = check_int_sequence(ks, "ks", low=2)
    runs = check_int(runs, "runs", low=1)
    gen = as_rng(rng)
    out = SpuriousExperiment(ks=ks, runs=runs)
    for k in ks:
        scale = 1.0 / np.sqrt(k) if init_scale is None else check_real(
            init_scale, "init_scale", low=0.0, low_open=True
        )
        V = identity_teacher(k)
        out.fits[k] = [
            fit_student(scale * gen.standard_normal((k, k)), V, gtol=gtol, max_iter=max_iter)
            for _ in range(runs)
        ]
    return out


# ----------------------------------------------------------------------------- the |x| teacher
#
# Li, Ma & Zhang (2020): target f*(x) = sum_i a_i |v_i . x| (rows v_i of V, orthonormal in their
# set-up), learner f_W(x) = (1/m) sum_j |w_j| relu(w_j . x) = sum_j beta_j relu(u_j . x) with
# beta_j = |w_j|^2 / m and unit directions u_j. The population loss is E[(f_W - f*)^2] (no 1/2).


def _abs_teacher_check(
    W: object, V: object, a: object
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    W, V = _check_pair(W, V)
    a = as_array(a, "a", shape=(V.shape[0],))
    return W, V, a


def _unit_rows(W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = np.sqrt(np.einsum("ij,ij->i", W, W))
    return W / np.where(n > 0, n, 1.0)[:, None], n


def _abs_parts(W: np.ndarray, V: np.ndarray, a: np.ndarray):
    """Unit directions, norms, weights beta (learner) and b (target), and the angles of pairs."""
    U, nw = _unit_rows(W)
    Vh, nv = _unit_rows(V)
    beta = nw**2 / W.shape[0]
    b = a * nv
    ones_w, ones_v = np.ones(len(U)), np.ones(len(Vh))
    ww = _angles(U, ones_w, U, ones_w)
    wv = _angles(U, ones_w, Vh, ones_v)
    vv = _angles(Vh, ones_v, Vh, ones_v)
    return U, nw, beta, Vh, b, ww, wv, vv


def _J(cst: tuple[np.ndarray, np.ndarray, np.ndarray]) -> np.ndarray:
    """``E[relu(u.x) relu(v.x)]`` for unit u, v: ``(sin t + (pi - t) cos t) / (2 pi)``."""
    c, s, t = cst
    return (s + (np.pi - t) * c) / _TWO_PI


def _J_abs(cst: tuple[np.ndarray, np.ndarray, np.ndarray]) -> np.ndarray:
    """``E[relu(u.x) |v.x|] = J(c) + J(-c) = (2 sin t + (pi - 2 t) cos t) / (2 pi)``."""
    c, s, t = cst
    return (2.0 * s + (np.pi - 2.0 * t) * c) / _TWO_PI


def _abs_loss(W: np.ndarray, V: np.ndarray, a: np.ndarray) -> float:
    _, _, beta, _, b, ww, wv, vv = _abs_parts(W, V, a)
    total = beta @ _J(ww) @ beta - 2.0 * beta @ _J_abs(wv) @ b + 2.0 * b @ _J_abs(vv) @ b
    return float(max(total, 0.0))


def abs_teacher_loss(W: object, V: object, a: object) -> float:
    """Population loss ``E[(f_W(x) - f*(x))^2]``, ``x ~ N(0, I_d)``, of the norm-weighted learner.

    The learner is ``f_W(x) = (1/m) sum_j |w_j| relu(w_j . x)`` and the target
    ``f*(x) = sum_i a_i |v_i . x|`` (Li, Ma & Zhang 2020, section 2). Closed form through the
    arc-cosine kernel: with ``|t| = relu(t) + relu(-t)``, every cross moment is
    ``E[relu(u.x) relu(v.x)]`` at ``v`` or ``-v``.

    Parameters
    ----------
    W : array_like, shape (m, d)
        Learner weights, rows are neurons.
    V : array_like, shape (p, d)
        Target directions ``w_i*`` (rows).
    a : array_like, shape (p,)
        Target weights.
    """
    W, V, a = _abs_teacher_check(W, V, a)
    return _abs_loss(W, V, a)


def _unit_angles(A: np.ndarray, B: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cosines, sines, angles of unit rows; the fast path of the descent loop.

    ``sqrt(1 - c^2)`` is off by about 1e-8 for (nearly) parallel rows, which changes the
    gradient by as much and no quantity the loop records.
    """
    c = np.clip(A @ B.T, -1.0, 1.0)
    return c, np.sqrt(1.0 - c * c), np.arccos(c)


def _abs_gradient(W: np.ndarray, V: np.ndarray, a: np.ndarray) -> np.ndarray:
    U, nw = _unit_rows(W)
    Vh, nv = _unit_rows(V)
    m = W.shape[0]
    beta, b = nw**2 / m, a * nv
    ww, wv = _unit_angles(U, U), _unit_angles(U, Vh)
    # d/dw [beta(w) g(u.v)] = (2/m) w g(c) + (|w|/m) g'(c) (v - c u) for unit v.
    Jww, dJww = _J(ww), (np.pi - ww[2]) / _TWO_PI
    Jwv, dJwv = _J_abs(wv), (np.pi - 2.0 * wv[2]) / _TWO_PI
    grad = (2.0 * (Jww @ beta) - (dJww * ww[0]) @ beta)[:, None] * W
    grad += nw[:, None] * ((dJww * beta[None, :]) @ U)
    grad -= (2.0 * (Jwv @ b) - (dJwv * wv[0]) @ b)[:, None] * W
    grad -= nw[:, None] * ((dJwv * b[None, :]) @ Vh)
    return (2.0 / m) * grad


def abs_teacher_gradient(W: object, V: object, a: object) -> np.ndarray:
    """Gradient of :func:`abs_teacher_loss` with respect to W, shape (m, d).

    With ``beta_j = |w_j|^2 / m``, ``J(c) = E[relu(u.x) relu(v.x)]`` for unit vectors at cosine
    ``c``, ``J'(c) = (pi - t) / (2 pi)`` (the degree-0 arc-cosine kernel, see
    :func:`arccos_kernel0`), and ``J_abs(c) = J(c) + J(-c)``::

        dL/dw_j = (2/m) sum_l beta_l [2 J(c_jl) w_j + |w_j| J'(c_jl) (u_l - c_jl u_j)]
                  - (2/m) sum_i b_i [2 J_abs(c_ji) w_j + |w_j| J_abs'(c_ji) (v_i - c_ji u_j)]

    (``u`` unit rows of W, ``b_i = a_i |v_i|``). Raises ``ValueError`` for a zero row of W.
    """
    W, V, a = _abs_teacher_check(W, V, a)
    _row_norms(W, "W", allow_zero=False)
    return _abs_gradient(W, V, a)


def hermite_abs_coefficients(kmax: int) -> np.ndarray:
    """Squared normalized Hermite coefficients ``c_k`` of ``|t|``, ``k = 0, ..., kmax``.

    ``|t| = sum_k h_k He_k(t) / sqrt(k!)`` with ``c_k = h_k^2 = 2 [(k-3)!!]^2 / (pi k!)`` for even
    ``k`` (``(-3)!! = -1``, ``(-1)!! = 1``) and ``c_k = 0`` for odd k (Li, Ma & Zhang 2020,
    section 4): ``c_0 = 2/pi``, ``c_2 = 1/pi``, ``c_4 = 1/(12 pi)``; ``sum_k c_k = E[t^2] = 1``.
    Computed by the recursion ``c_{k+2} = c_k (k-1)^2 / ((k+1)(k+2))``, without factorials.

    Returns
    -------
    ndarray, shape (kmax + 1,)
    """
    kmax = check_int(kmax, "kmax", low=0)
    return _hermite_abs(kmax)


def _hermite_abs(kmax: int) -> np.ndarray:
    c = np.zeros(kmax + 1)
    c[0] = 2.0 / np.pi
    for k in range(0, kmax - 1, 2):
        c[k + 2] = c[k] * (k - 1) ** 2 / ((k + 1) * (k + 2))
    return c


def _abs_terms(W: np.ndarray, V: np.ndarray, a: np.ndarray, degrees: Sequence[int]) -> np.ndarray:
    U, _, beta, Vh, b, ww, wv, vv = _abs_parts(W, V, a)
    c = _hermite_abs(max(max(degrees), 1))
    out = np.zeros(len(degrees))
    for n, k in enumerate(degrees):
        if k == 1:
            g = beta @ U
            out[n] = 0.25 * (g @ g)
        elif k % 2 == 0:
            out[n] = c[k] * (
                0.25 * beta @ ww[0] ** k @ beta - beta @ wv[0] ** k @ b + b @ vv[0] ** k @ b
            )
    return out


def abs_teacher_hermite_terms(
    W: object, V: object, a: object, degrees: Sequence[int] = (0, 1, 2, 4)
) -> np.ndarray:
    """The terms of degree k of :func:`abs_teacher_loss` in the Hermite expansion.

    With ``beta_j = |w_j|^2 / m``, unit directions ``u_j`` of the rows of W and ``b_i = a_i |v_i|``
    (unit ``v_i``), ``relu(t) = t/2 + |t|/2`` gives (Li, Ma & Zhang 2020, section 4)::

        L = 1/4 |sum_j beta_j u_j|^2 + sum_{k even} c_k |T_k / 2 - S_k|_F^2,
        T_k = sum_j beta_j u_j^{(x)k},   S_k = sum_i b_i v_i^{(x)k},

    a sum of tensor-decomposition losses weighted by :func:`hermite_abs_coefficients`;
    odd degrees ``k >= 3`` vanish. ``|T_k/2 - S_k|^2`` is evaluated through the Gram matrices,
    ``<u^{(x)k}, v^{(x)k}> = (u.v)^k``, never forming a tensor.

    Parameters
    ----------
    W (m, d), V (p, d), a (p,)
        As in :func:`abs_teacher_loss`.
    degrees : sequence of int
        Degrees ``k >= 0``; odd ``k >= 3`` give 0.

    Returns
    -------
    ndarray, shape (len(degrees),)
    """
    W, V, a = _abs_teacher_check(W, V, a)
    degrees = [check_int(k, "degrees[i]", low=0) for k in degrees]
    if not degrees:
        raise ValueError("degrees must hold at least one degree, got an empty sequence")
    return _abs_terms(W, V, a, degrees)


def _alignment(W: np.ndarray, V: np.ndarray) -> np.ndarray:
    """For each of the 2p directions +-v_i, the largest cosine of a neuron with it, shape (2p,)."""
    U, _ = _unit_rows(W)
    Vh, _ = _unit_rows(V)
    C = U @ Vh.T
    return np.concatenate([C.max(axis=0), (-C).max(axis=0)])


def neuron_alignment(W: object, V: object) -> np.ndarray:
    """Largest cosine between a neuron (row of W) and each direction ``+v_i`` and ``-v_i``.

    A learner needs neurons at both ``v_i`` and ``-v_i`` to form ``|v_i . x|`` from ReLUs, so
    the alignment has ``2p`` entries: the first p for ``+v_i``, the last p for ``-v_i``.

    Parameters
    ----------
    W : array_like, shape (m, d)
    V : array_like, shape (p, d)

    Returns
    -------
    ndarray, shape (2p,), entries in [-1, 1]
    """
    W, V = _check_pair(W, V)
    return _alignment(W, V)


@dataclass(frozen=True)
class StagedDynamics:
    """Gradient descent on the population loss of the ``|x|`` teacher, recorded.

    Attributes
    ----------
    steps : ndarray, shape (T,)
        Steps at which the quantities below were recorded.
    loss : ndarray, shape (T,)
        Population loss (:func:`abs_teacher_loss`).
    degrees : tuple of int
        Degrees of the recorded Hermite terms.
    terms : ndarray, shape (T, len(degrees))
        The Hermite terms (:func:`abs_teacher_hermite_terms`).
    alignment : ndarray, shape (T,)
        Mean over the 2p directions ``+-v_i`` of the best neuron cosine
        (:func:`neuron_alignment`).
    W0, W : ndarray, shape (m, d)
        Initial and final weights.
    V : ndarray, shape (p, d)
    a : ndarray, shape (p,)
    """

    steps: np.ndarray
    loss: np.ndarray
    degrees: tuple[int, ...]
    terms: np.ndarray
    alignment: np.ndarray
    W0: np.ndarray
    W: np.ndarray
    V: np.ndarray
    a: np.ndarray

    @property
    def rest(self) -> np.ndarray:
        """The loss minus the recorded terms: the sum of the higher-degree terms, shape (T,)."""
        return self.loss - self.terms.sum(axis=1)


def _record_steps(steps: int, records: int) -> np.ndarray:
    grid = np.unique(np.round(np.geomspace(1, steps + 1, records)).astype(int) - 1)
    return np.union1d(grid, [0, steps])


def _population_descent(
    W0: np.ndarray, V: np.ndarray, a: np.ndarray, lr: float, steps: int, records: int,
    degrees: tuple[int, ...],
) -> StagedDynamics:
    W = W0.copy()
    at = set(_record_steps(steps, records).tolist())
    rec_steps, loss, terms, align = [], [], [], []
    eta = lr * W.shape[0]  # mean-field scaling: a neuron's gradient is O(1/m)
    for t in range(steps + 1):
        if t in at:
            rec_steps.append(t)
            loss.append(_abs_loss(W, V, a))
            terms.append(_abs_terms(W, V, a, degrees))
            align.append(_alignment(W, V).mean())
        if t < steps:
            W -= eta * _abs_gradient(W, V, a)
    if not np.isfinite(loss[-1]):
        raise FloatingPointError(f"gradient descent diverged; lower lr (got {lr})")
    return StagedDynamics(
        np.asarray(rec_steps), np.asarray(loss), degrees, np.asarray(terms), np.asarray(align),
        W0.copy(), W, V, a,
    )


def abs_teacher_dynamics(
    W0: object,
    V: object,
    a: object,
    *,
    lr: float,
    steps: int,
    records: int = 60,
    degrees: Sequence[int] = (0, 1, 2, 4),
) -> StagedDynamics:
    """Gradient descent on :func:`abs_teacher_loss` (infinitely many samples), recorded.

    ``W <- W - lr * m * grad``: the factor m makes the step of a neuron independent of the
    width, since its gradient is ``O(1/m)`` (mean-field scaling). Plain gradient descent, not
    the truncated two-stage Algorithm 1 of Li, Ma & Zhang (2020), whose truncation is a device
    of the proof. Records at about ``records`` steps spaced evenly on a logarithmic axis.

    Parameters
    ----------
    W0 : array_like, shape (m, d)
        Initial weights (e.g. ``N(0, I/d)`` rows, as in the paper); not modified.
    V (p, d), a (p,)
        The target, e.g. from :func:`twolayer.data.abs_teacher`.
    lr : float
        Step size per neuron, ``> 0``.
    steps : int
    records : int
    degrees : sequence of int
        Hermite terms to record.

    Returns
    -------
    StagedDynamics
    """
    W0, V, a = _abs_teacher_check(W0, V, a)
    _row_norms(W0, "W0", allow_zero=False)
    lr = check_real(lr, "lr", low=0.0, low_open=True)
    steps = check_int(steps, "steps", low=1)
    records = check_int(records, "records", low=2)
    degrees = tuple(check_int(k, "degrees[i]", low=0) for k in degrees)
    return _population_descent(W0, V, a, lr, steps, records, degrees)


@dataclass(frozen=True)
class WidthStudy:
    """Population gradient descent on the ``|x|`` teacher for several widths and seeds.

    ``loss``, ``alignment`` have shape (len(widths), seeds, T) at the recorded ``steps`` (T,);
    ``terms`` has shape (len(widths), seeds, T, len(degrees)). ``alignment`` is the mean best
    neuron cosine over the 2d directions ``+-w_i*`` (:func:`neuron_alignment`).
    """

    d: int
    widths: tuple[int, ...]
    seeds: int
    degrees: tuple[int, ...]
    steps: np.ndarray
    loss: np.ndarray
    terms: np.ndarray
    alignment: np.ndarray

    @property
    def floor(self) -> float:
        """``(1 - 3/pi) / d``: the higher-degree part of the loss at ``a_i = 1/d``, the level
        of a model that fits only the degrees 0 to 2."""
        return (1.0 - 3.0 / np.pi) / self.d


def width_study(
    d: int,
    widths: Sequence[int],
    *,
    seeds: int,
    rng: object,
    lr: float = 0.5,
    steps: int = 3000,
    records: int = 40,
    kappa: float = 2.0,
    degrees: Sequence[int] = (0, 1, 2, 4),
) -> WidthStudy:
    """The width effect of Li, Ma & Zhang (2020, section 6): ``m = 2d`` against ``m >> d``.

    For each seed one target (:func:`twolayer.data.abs_teacher`) is shared by all widths; each
    width starts from its own ``N(0, I/d)`` rows and runs :func:`abs_teacher_dynamics`.

    Parameters
    ----------
    d : int
        Input dimension, ``>= 2``.
    widths : sequence of int
        Numbers of neurons m, each ``>= 1``.
    seeds : int
    rng : Generator or int
    lr, steps, records, degrees
        As in :func:`abs_teacher_dynamics`.
    kappa : float
        As in :func:`twolayer.data.abs_teacher`.

    Returns
    -------
    WidthStudy
    """
    d = check_int(d, "d", low=2)
    widths = tuple(check_int(m, "widths[i]", low=1) for m in widths)
    if not widths:
        raise ValueError("widths must hold at least one width, got an empty sequence")
    seeds = check_int(seeds, "seeds", low=1)
    lr = check_real(lr, "lr", low=0.0, low_open=True)
    steps = check_int(steps, "steps", low=1)
    records = check_int(records, "records", low=2)
    kappa = check_real(kappa, "kappa", low=1.0)
    degrees = tuple(check_int(k, "degrees[i]", low=0) for k in degrees)
    gen = as_rng(rng)
    runs = [[None] * seeds for _ in widths]
    for s in range(seeds):
        V, a = abs_teacher(d, gen, kappa=kappa)
        for i, m in enumerate(widths):
            W0 = gen.standard_normal((m, d)) / np.sqrt(d)
            runs[i][s] = _population_descent(W0, V, a, lr, steps, records, degrees)
    first = runs[0][0]
    return WidthStudy(
        d, widths, seeds, degrees, first.steps,
        np.array([[r.loss for r in row] for row in runs]),
        np.array([[r.terms for r in row] for row in runs]),
        np.array([[r.alignment for r in row] for row in runs]),
    )
