"""The target ``f*(x) = sum_i a_i |v_i . x|`` of Li, Ma & Zhang (2020) for the learner
``f_W(x) = (1/m) sum_j |w_j| relu(w_j . x)`` with standard Gaussian inputs: population loss and
gradient in closed form, its Hermite (moment) terms, neuron alignment, and population gradient
descent with the staged dynamics the chapter "Beyond the kernel regime" shows.

Imports :mod:`twolayer._checks`, :mod:`twolayer.data` and the package's ``_checks`` and ``arccos``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .._checks import as_array, as_rng, check_int, check_pair, check_real
from ..data import abs_teacher
from ._checks import row_norms
from .arccos import _TWO_PI, _angles

__all__ = [
    "StagedDynamics",
    "WidthStudy",
    "abs_teacher_dynamics",
    "abs_teacher_gradient",
    "abs_teacher_hermite_terms",
    "abs_teacher_loss",
    "hermite_abs_coefficients",
    "neuron_alignment",
    "width_study",
]

# ----------------------------------------------------------------------------- the |x| teacher
#
# Li, Ma & Zhang (2020): target f*(x) = sum_i a_i |v_i . x| (rows v_i of V, orthonormal in their
# set-up), learner f_W(x) = (1/m) sum_j |w_j| relu(w_j . x) = sum_j beta_j relu(u_j . x) with
# beta_j = |w_j|^2 / m and unit directions u_j. The population loss is E[(f_W - f*)^2] (no 1/2).


def _abs_teacher_check(
    W: object, V: object, a: object
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    W, V = check_pair(W, V)
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
    row_norms(W, "W", allow_zero=False)
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
    W, V = check_pair(W, V)
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
    row_norms(W0, "W0", allow_zero=False)
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
