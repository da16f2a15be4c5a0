"""Gradient dynamics of wide univariate networks: the kernel and the adaptive regime.

Gradient descent without weight decay on ``1/2 sum_j (f(x_j) - y_j)^2`` (Williams, Trager,
Panozzo, Silva, Zorin & Bruna 2019) from initializations that differ only in the layer ratio
``|c_i| / ||(a_i, b_i)||`` (:func:`init_univariate`, :func:`train_univariate`), the quantities
that tell the regimes apart (polar coordinates, the tangent kernel, a Hessian bound) and the
distances of the result to the natural cubic spline and the linear interpolant.

Imports only :mod:`twolayer._checks` and the package's ``networks``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.interpolate import CubicSpline

from .._checks import as_array, as_rng, check_callable, check_int, check_real
from ._checks import check_knot_range, check_samples
from .networks import UnivariateNetwork, check_gd_network, check_network

__all__ = [
    "DynamicsResult",
    "balance_gaps",
    "curvature_near_samples",
    "hessian_bound",
    "init_univariate",
    "polar_coordinates",
    "spline_distances",
    "tangent_kernel",
    "train_univariate",
]


def _draw_knots(m: int, gen: np.random.Generator, knot_range: tuple[float, float]) -> tuple:
    half = m // 2
    e = gen.uniform(knot_range[0], knot_range[1], half)
    s = gen.choice(np.array([-1.0, 1.0]), half)
    return e, s


def init_univariate(
    m: int,
    ratio: float,
    rng: object,
    *,
    scale: float = 1.0,
    knot_range: Sequence[float] = (-1.0, 1.0),
) -> UnivariateNetwork:
    """Antisymmetric initialization with uniform knots and a set layer ratio.

    Draws ``m / 2`` knots ``e_i ~ U(knot_range)`` and signs ``s_i = +-1``, sets
    ``a_i = s_i alpha``, ``b_i = -a_i e_i`` (so every unit has the same ``|a_i|``: a uniform
    density of knots with equal weights, the initialization for which Jin & Montufar (2023)
    obtain the cubic spline), and ``c_i = ratio * ||(a_i, b_i)||``; then duplicates every unit
    with ``-c_i`` so that ``f = 0`` at initialization. Every unit has
    ``|c_i| / ||(a_i, b_i)|| = ratio`` and ``delta_i = c_i^2 - a_i^2 - b_i^2 = (ratio^2 - 1)
    ||(a_i, b_i)||^2``; ``alpha`` is set so that the total amplitude ``sum_i |c_i| ||(a_i, b_i)||``
    equals ``scale``. ``ratio << 1`` is the kernel regime, ``ratio >> 1`` the adaptive regime of
    Williams et al. (2019).

    Parameters
    ----------
    m : int
        Width, even, ``>= 2``.
    ratio : float
        ``|c_i| / ||(a_i, b_i)||``, ``> 0``.
    rng : numpy.random.Generator or int
    scale : float
        Total amplitude ``sum_i |c_i| ||(a_i, b_i)||``, ``> 0``.
    knot_range : (float, float)
        Interval of the initial knots.

    Returns
    -------
    UnivariateNetwork
    """
    m = check_int(m, "m", low=2)
    if m % 2:
        raise ValueError(f"m must be even (units come in antisymmetric pairs), got {m}")
    ratio = check_real(ratio, "ratio", low=0.0, low_open=True)
    scale = check_real(scale, "scale", low=0.0, low_open=True)
    return _init_univariate(m, ratio, as_rng(rng), scale, check_knot_range(knot_range))


def _init_univariate(
    m: int, ratio: float, gen: np.random.Generator, scale: float, knot_range: tuple[float, float]
) -> UnivariateNetwork:
    e, s = _draw_knots(m, gen, knot_range)
    alpha = np.sqrt(scale / (2.0 * ratio * np.sum(1.0 + e**2)))
    a = s * alpha
    b = -a * e
    c = ratio * np.hypot(a, b)
    return UnivariateNetwork(a=np.concatenate([a, a]), b=np.concatenate([b, b]),
                             c=np.concatenate([c, -c]))


def polar_coordinates(net: UnivariateNetwork) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Williams et al. (2019) coordinates of every unit: ``(rho, theta, delta)``, each ``(m,)``.

    ``(a_i, b_i) = r_i (cos theta_i, sin theta_i)``, ``rho_i = c_i r_i`` (the unit is
    ``rho_i relu(cos theta_i x + sin theta_i)``, knot ``e_i = -tan theta_i``) and
    ``delta_i = c_i^2 - r_i^2``, which gradient flow conserves.
    """
    return _polar_coordinates(check_network(net))


def _polar_coordinates(net: UnivariateNetwork) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r = np.hypot(net.a, net.b)
    return net.c * r, np.arctan2(net.b, net.a), net.c**2 - r**2


def balance_gaps(net: UnivariateNetwork) -> np.ndarray:
    """``delta_i = c_i^2 - a_i^2 - b_i^2`` of every unit, shape (m,)."""
    return _polar_coordinates(check_network(net))[2]


def _forward_parts(x: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    Z = np.multiply.outer(x, a)
    Z += b
    P = Z > 0
    return Z * P, P


def tangent_kernel(x: object, net: UnivariateNetwork) -> np.ndarray:
    """Tangent kernel ``K = J J^T (n, n)`` of the units' parameters at the samples ``x (n,)``.

    ``K(x, x') = sum_i [relu(a_i x + b_i) relu(a_i x' + b_i)
    + c_i^2 1[a_i x + b_i > 0] 1[a_i x' + b_i > 0] (x x' + 1)]``: the first sum comes from the
    second layer, the second from the first layer (Jacot, Gabriel & Hongler 2018). Its nonzero
    eigenvalues are those of the Gauss-Newton part ``J^T J`` of the Hessian of
    ``1/2 ||f(x) - y||^2``.
    """
    return _tangent_kernel(as_array(x, "x", ndim=1), check_gd_network(net))


def _tangent_kernel(x: np.ndarray, net: UnivariateNetwork) -> np.ndarray:
    H, P = _forward_parts(x, net.a, net.b)
    Pf = P.astype(float)
    return H @ H.T + ((Pf * net.c**2) @ Pf.T) * (np.outer(x, x) + 1.0)


def hessian_bound(x: object, y: object, net: UnivariateNetwork) -> float:
    """Upper bound ``lambda_max(K) + max_i ||v_i||`` on the Hessian of ``1/2 ||f(x) - y||^2``.

    The Hessian is ``J^T J + sum_j r_j grad^2 f(x_j)`` with residual ``r = f(x) - y``. The first
    term has the spectrum of :func:`tangent_kernel`; the second is block diagonal over units, the
    block of unit ``i`` being ``[[0, v_i^T], [v_i, 0]]`` in ``(c_i, a_i, b_i)`` with
    ``v_i = sum_j r_j 1[a_i x_j + b_i > 0] (x_j, 1)``, of norm ``||v_i||`` (Weyl's inequality
    adds the two). Valid wherever no sample sits exactly on a knot.
    """
    x, y = check_samples(x, y)
    net = check_gd_network(net)
    H, P = _forward_parts(x, net.a, net.b)
    r = H @ net.c - y
    V = np.stack([r * x, r]) @ P
    lam = float(np.linalg.eigvalsh(_tangent_kernel(x, net))[-1])
    return lam + float(np.sqrt((V**2).sum(axis=0)).max(initial=0.0))


@dataclass(frozen=True)
class DynamicsResult:
    """Outcome of :func:`train_univariate`.

    Attributes
    ----------
    initial, final : UnivariateNetwork
    steps : int
        Number of GD steps taken.
    time : float
        Gradient-flow time ``sum_t lr_t`` covered.
    converged : bool
        Whether ``max_j |f(x_j) - y_j| <= tol`` was reached (always False when ``tol = 0``).
    history_step, history_time, history_loss : ndarray, shape (R,)
        Step, time and loss ``1/2 ||f(x) - y||^2`` at the recorded steps.
    knot_history : ndarray, shape (R, m)
        Knots ``-b_i / a_i`` at the recorded steps (``nan`` where ``a_i = 0``).
    delta_drift : ndarray, shape (m,)
        ``sum_t lr_t^2 (g_c^2 - g_a^2 - g_b^2)`` over the steps, unit by unit: the exact change
        of ``delta_i`` under discrete GD (see :func:`train_univariate`).
    """

    initial: UnivariateNetwork
    final: UnivariateNetwork
    steps: int
    time: float
    converged: bool
    history_step: np.ndarray
    history_time: np.ndarray
    history_loss: np.ndarray
    knot_history: np.ndarray = field(repr=False)
    delta_drift: np.ndarray = field(repr=False)


def _knots_or_nan(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    out = np.full(a.size, np.nan)
    active = a != 0
    out[active] = -b[active] / a[active]
    return out


def train_univariate(
    x: object,
    y: object,
    net: UnivariateNetwork,
    *,
    steps: int,
    lr: float | None = None,
    step_factor: float = 1.0,
    max_turn: float = 0.05,
    tol: float = 0.0,
    record_every: int = 100,
    kernel_every: int = 10,
) -> DynamicsResult:
    """Full-batch gradient descent on ``1/2 sum_j (f(x_j) - y_j)^2`` over all ``(a, b, c)``.

    No weight decay, as in Williams et al. (2019). Unless ``lr`` is given, the step at step
    ``t`` is::

        lr_t = min( step_factor / Lambda_t,  max_turn / Omega_t )

    with ``Lambda_t`` the Hessian bound of :func:`hessian_bound` (the kernel's top eigenvalue is
    refreshed every ``kernel_every`` steps, the rest every step) and ``Omega_t`` the largest
    angular speed ``|c_i| ||v_i|| / ||(a_i, b_i)||`` of a first-layer vector ``(a_i, b_i)``
    (units of norm 0, or below 1% of the largest, are on their way to ``0`` and are skipped).
    ``lr < 2 / Lambda`` keeps the linearized dynamics stable and ``1 / Lambda`` is the step of the
    descent lemma; ``max_turn`` bounds the rotation of every neuron per step, so that the knots
    follow the gradient flow also when the first layer is small.

    Under gradient flow ``delta_i = c_i^2 - a_i^2 - b_i^2`` is conserved, because
    ``c_i dL/dc_i = a_i dL/da_i + b_i dL/db_i``. One GD step changes it by exactly
    ``lr^2 (g_c^2 - g_a^2 - g_b^2)``; the sum of these is returned as ``delta_drift``.

    Parameters
    ----------
    x : array_like, shape (n,), strictly increasing
    y : array_like, shape (n,)
    net : UnivariateNetwork
        Initial network, without linear unit or output bias.
    steps : int
        Largest number of steps.
    lr : float, optional
        Fixed step size instead of the rule above.
    step_factor : float
        ``eta`` in ``eta / Lambda``, in ``(0, 2)``.
    max_turn : float
        Largest rotation (radians) of a neuron per step, ``> 0``.
    tol : float
        Stop once ``max_j |f(x_j) - y_j| <= tol``.
    record_every : int
        Record loss and knots every this many steps, at the steps ``1, 2, 4, 8, ...`` (for plots
        against log-time) and at the start and the end.
    kernel_every : int
        Refresh ``lambda_max`` of the tangent kernel every this many steps.

    Returns
    -------
    DynamicsResult

    Raises
    ------
    FloatingPointError
        If the loss becomes non-finite.
    """
    x, y = check_samples(x, y)
    net = check_gd_network(net)
    steps = check_int(steps, "steps", low=0)
    if lr is not None:
        lr = check_real(lr, "lr", low=0.0, low_open=True)
    step_factor = check_real(step_factor, "step_factor", low=0.0, high=2.0, low_open=True,
                             high_open=True)
    max_turn = check_real(max_turn, "max_turn", low=0.0, low_open=True)
    tol = check_real(tol, "tol", low=0.0)
    record_every = check_int(record_every, "record_every", low=1)
    kernel_every = check_int(kernel_every, "kernel_every", low=1)
    return _train_univariate(x, y, net, steps, lr, step_factor, max_turn, tol, record_every,
                             kernel_every)


def _train_univariate(
    x: np.ndarray, y: np.ndarray, net: UnivariateNetwork, steps: int, lr: float | None,
    step_factor: float, max_turn: float, tol: float, record_every: int, kernel_every: int,
) -> DynamicsResult:
    a, b, c = net.a.copy(), net.b.copy(), net.c.copy()
    X2 = np.stack([x, np.ones_like(x)])
    xcol = x[:, None]
    outer = np.outer(x, x) + 1.0
    drift = np.zeros_like(a)
    hist_step, hist_time, hist_loss, hist_knots = [], [], [], []
    time, lam, converged, t = 0.0, 0.0, False, 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        while True:
            H = xcol * a
            H += b
            np.maximum(H, 0.0, out=H)
            r = H @ c - y
            loss = 0.5 * float(r @ r)
            if not np.isfinite(loss):
                raise FloatingPointError(f"gradient descent diverged at step {t}")
            converged = tol > 0 and float(np.abs(r).max()) <= tol
            if t % record_every == 0 or t & (t - 1) == 0 or t == steps or converged:
                hist_step.append(t)
                hist_time.append(time)
                hist_loss.append(loss)
                hist_knots.append(_knots_or_nan(a, b))
            if t == steps or converged:
                break
            S = (H > 0).astype(float)  # 1[a_i x_j + b_i > 0]
            gc = r @ H
            V = (X2 * r) @ S  # (2, m): the vectors v_i
            ga, gb = c * V[0], c * V[1]
            if lr is None:
                vnorm = np.sqrt(V[0] * V[0] + V[1] * V[1])
                if t % kernel_every == 0:
                    K = H @ H.T + ((S * c**2) @ S.T) * outer
                    lam = float(np.linalg.eigvalsh(K)[-1])
                rnorm = np.sqrt(a * a + b * b)
                # units of norm 0 have no direction to turn; those below 1% of the largest
                # are on their way to 0 (and their speed may be 0 / 0)
                turning = (rnorm > 0) & (rnorm >= 0.01 * rnorm.max())
                omega = float((np.abs(c) * vnorm / rnorm)[turning].max(initial=0.0))
                bound = lam + float(vnorm.max())
                step = step_factor / bound if bound > 0 else max_turn
                if omega > 0:
                    step = min(step, max_turn / omega)
            else:
                step = lr
            drift += step**2 * (gc**2 - ga**2 - gb**2)
            a -= step * ga
            b -= step * gb
            c -= step * gc
            time += step
            t += 1
    final = UnivariateNetwork(a=a, b=b, c=c)
    return DynamicsResult(
        initial=net, final=final, steps=t, time=time, converged=bool(converged),
        history_step=np.asarray(hist_step), history_time=np.asarray(hist_time),
        history_loss=np.asarray(hist_loss), knot_history=np.asarray(hist_knots),
        delta_drift=drift,
    )


def spline_distances(
    x: object, y: object, f: Callable[[np.ndarray], np.ndarray], num: int = 2001
) -> tuple[float, float]:
    """Sup-norm distances of ``f`` to the natural cubic spline and to the linear interpolant.

    Both are taken on ``num`` equispaced points of ``[x_1, x_n]``; the cubic spline is
    ``scipy.interpolate.CubicSpline(x, y, bc_type="natural")``, the linear one ``numpy.interp``.

    Returns
    -------
    (d_cubic, d_linear) : tuple of float
    """
    x, y = check_samples(x, y)
    check_callable(f, "f")
    return _spline_distances(x, y, f, check_int(num, "num", low=2))


def _spline_distances(
    x: np.ndarray, y: np.ndarray, f: Callable[[np.ndarray], np.ndarray], num: int
) -> tuple[float, float]:
    grid = np.linspace(x[0], x[-1], num)
    values = np.asarray(f(grid), dtype=float)
    cubic = CubicSpline(x, y, bc_type="natural")(grid)
    linear = np.interp(grid, x, y)
    return float(np.abs(values - cubic).max()), float(np.abs(values - linear).max())


def curvature_near_samples(net: UnivariateNetwork, x: object, radius: float) -> float:
    """Share of the curvature ``sum_i |c_i a_i|`` carried by knots within ``radius`` of a sample.

    ``|c_i a_i|`` is the jump of ``f'`` at the knot of unit ``i``. Uniform knots put about
    ``2 n radius / length`` of the mass there; a linear spline with knots at the samples puts all.
    """
    net = check_network(net)
    x = as_array(x, "x", ndim=1)
    return _curvature_near_samples(net, x, check_real(radius, "radius", low=0.0))


def _curvature_near_samples(net: UnivariateNetwork, x: np.ndarray, radius: float) -> float:
    mass = np.abs(net.c * net.a)
    total = float(mass.sum())
    if total == 0.0:
        return 0.0
    e = _knots_or_nan(net.a, net.b)
    near = np.zeros(e.size, dtype=bool)
    finite = np.isfinite(e)
    near[finite] = np.abs(e[finite, None] - x[None, :]).min(axis=1) <= radius
    return float(mass[near].sum() / total)
