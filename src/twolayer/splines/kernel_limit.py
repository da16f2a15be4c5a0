"""The kernel limit of the univariate network: frozen first layer and infinite width.

With the first layer frozen, gradient descent on the second layer ends at the interpolant closest
to its start (:func:`frozen_layer_interpolant`); as the width grows with uniform knots this tends
to a cubic spline interpolant through a closed-form kernel (:func:`uniform_knot_kernel`,
:func:`kernel_limit`; Jin & Montufar 2023). :func:`lazy_index` predicts from the initialization
alone whether that kernel regime is self-consistent.

Imports only :mod:`twolayer._checks` and the package's ``networks``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .._checks import as_array
from ._checks import check_knot_range, check_samples
from .networks import UnivariateNetwork, check_gd_network

__all__ = ["frozen_layer_interpolant", "kernel_limit", "lazy_index", "uniform_knot_kernel"]


def frozen_layer_interpolant(x: object, y: object, net: UnivariateNetwork) -> UnivariateNetwork:
    """Where gradient descent on the second layer alone ends: the kernel-regime prediction.

    With ``(a, b)`` frozen, ``f`` is linear in ``c`` with features ``H_ji = relu(a_i x_j + b_i)``,
    and gradient descent from ``c_0`` converges to ``c_0 + H^T (H H^T)^+ (y - H c_0)``, the
    interpolant closest to ``c_0``. When the first layer dominates, the tangent kernel is
    ``H H^T`` up to a small correction and the full dynamics follow this linear model
    (Jacot, Gabriel & Hongler 2018; Williams et al. 2019).
    """
    x, y = check_samples(x, y)
    return _frozen_layer_interpolant(x, y, check_gd_network(net))


def _frozen_layer_interpolant(
    x: np.ndarray, y: np.ndarray, net: UnivariateNetwork
) -> UnivariateNetwork:
    H = np.maximum(np.multiply.outer(x, net.a) + net.b, 0.0)
    c = net.c + H.T @ np.linalg.lstsq(H @ H.T, y - H @ net.c, rcond=None)[0]
    return UnivariateNetwork(a=net.a, b=net.b, c=c)


def lazy_index(x: object, y: object, net: UnivariateNetwork) -> float:
    """Predicted ratio of the layers at the end of kernel-regime training, ``||c*|| / ||(a, b)||``.

    ``c*`` is the second layer of :func:`frozen_layer_interpolant`, where kernel-regime gradient
    descent ends. Knots stay put only if ``|rho_i| << |delta_i|`` all along (Williams et al.
    2019), i.e. ``|c_i| << ||(a_i, b_i)||`` at the end as well: the kernel regime is
    self-consistent when this index is small, and the adaptive regime takes over when it is of
    order one. It is computed from the initialization alone.
    """
    x, y = check_samples(x, y)
    return _lazy_index(x, y, check_gd_network(net))


def _lazy_index(x: np.ndarray, y: np.ndarray, net: UnivariateNetwork) -> float:
    frozen = _frozen_layer_interpolant(x, y, net)
    return float(np.linalg.norm(frozen.c) / np.linalg.norm(np.hypot(net.a, net.b)))


def uniform_knot_kernel(
    s: object, t: object, knot_range: Sequence[float] = (-1.0, 1.0)
) -> np.ndarray:
    """Infinite-width kernel ``E[relu(sigma (s - e)) relu(sigma (t - e))]`` of uniform knots.

    ``e ~ U(knot_range)`` and ``sigma = +-1`` with probability 1/2: the limit, as the width grows,
    of ``H H^T / (m alpha^2)`` for :func:`init_univariate`. In closed form, with
    ``G(e) = e^3/3 - (s + t) e^2/2 + s t e`` (an antiderivative of ``(s - e)(t - e)``),
    ``u = min(s, t)``, ``v = max(s, t)`` and ``[lo, hi] = knot_range``::

        k(s, t) = ( G(clip(u)) - G(lo) + G(hi) - G(clip(v)) ) / (2 (hi - lo)),

    ``clip`` to ``[lo, hi]``. For ``s`` in ``(lo, hi)``, ``d^2 k / ds^2 = |s - t| / (2 (hi - lo))``.

    Parameters
    ----------
    s : array_like, shape (p,)
    t : array_like, shape (q,)

    Returns
    -------
    ndarray, shape (p, q)
    """
    s = as_array(s, "s", ndim=1)
    t = as_array(t, "t", ndim=1)
    return _uniform_knot_kernel(s, t, *check_knot_range(knot_range))


def _uniform_knot_kernel(s: np.ndarray, t: np.ndarray, lo: float, hi: float) -> np.ndarray:
    s, t = s[:, None], t[None, :]

    def G(e: np.ndarray) -> np.ndarray:
        return e**3 / 3.0 - (s + t) * e**2 / 2.0 + s * t * e

    u = np.clip(np.minimum(s, t), lo, hi)
    v = np.clip(np.maximum(s, t), lo, hi)
    return (G(u) - G(np.full_like(u, lo)) + G(np.full_like(v, hi)) - G(v)) / (2.0 * (hi - lo))


def kernel_limit(
    x: object, y: object, knot_range: Sequence[float] = (-1.0, 1.0)
) -> tuple[Callable[[np.ndarray], np.ndarray], float, float]:
    """The infinite-width kernel-regime interpolant and its curvature at the end samples.

    ``f_inf(z) = sum_j w_j k(z, x_j)`` with ``k`` of :func:`uniform_knot_kernel` and
    ``K w = y``: the limit of :func:`frozen_layer_interpolant` as the width grows, for
    samples inside ``knot_range`` (Jin & Montufar 2023 identify this limit for general knot
    distributions). Since ``f_inf'' (z) = sum_j w_j |z - x_j| / (2 (hi - lo))`` is continuous
    and piecewise linear with breaks at the samples, ``f_inf`` is a cubic spline interpolant: the
    one whose end curvatures are ``f_inf''(x_1)`` and ``f_inf''(x_n)``, not ``0`` as for the
    natural spline.

    Returns
    -------
    f_inf : callable
        Vectorized ``f_inf(points (k,)) -> (k,)``.
    curvature_first, curvature_last : float
        ``f_inf''(x_1)`` and ``f_inf''(x_n)``.
    """
    x, y = check_samples(x, y)
    lo, hi = check_knot_range(knot_range)
    if x[0] < lo or x[-1] > hi:
        raise ValueError(f"x must lie inside knot_range [{lo}, {hi}], got [{x[0]}, {x[-1]}]")
    alpha = np.linalg.solve(_uniform_knot_kernel(x, x, lo, hi), y)

    def f_inf(z: np.ndarray) -> np.ndarray:
        return _uniform_knot_kernel(as_array(z, "z", ndim=1), x, lo, hi) @ alpha

    def curvature(z: float) -> float:
        return float(alpha @ np.abs(z - x) / (2.0 * (hi - lo)))

    return f_inf, curvature(x[0]), curvature(x[-1])
