"""Univariate networks and their costs.

A univariate network is ``f(x) = sum_i c_i relu(a_i x + b_i) + v x + d`` with ``m`` units
``(a_i, b_i, c_i)`` and, where stated, a free *linear unit* ``v x`` and a free output bias ``d``
(:class:`UnivariateNetwork`). Its cost ``sum_i |c_i| |a_i|`` (weight decay with free biases) has
as infimum over the networks that represent ``f`` the representational cost of Savarese, Evron,
Soudry & Srebro (2019) (:func:`representation_cost`), and its least value over interpolants a
closed form (:func:`min_representation_cost`).

Imports only :mod:`twolayer._checks`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .._checks import as_array, check_callable, check_int, check_real
from ._checks import check_samples

__all__ = [
    "UnivariateNetwork",
    "linear_interpolant",
    "min_representation_cost",
    "representation_cost",
    "slope_changes",
    "triangle_samples",
    "unit_cost",
]


def triangle_samples(
    n: int = 10, low: float = -1.0, high: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Equispaced samples of a sine at its peaks, zeros and troughs: ``y_k = sin(pi k / 2)``.

    ``x_k = low + (high - low) k / (n - 1)``. The linear interpolant is a triangle wave whose
    slope changes (``+-2/h`` at the odd samples, ``0`` at the even ones) never have the same sign
    at two adjacent samples, so it is the *unique* interpolant of least cost ``int |f''|``
    (see :func:`value_range_at`); the natural cubic spline through the same points is a smooth
    wave. The chapter uses these data to tell the two regimes of gradient descent apart.

    Returns
    -------
    x : ndarray, shape (n,), increasing
    y : ndarray, shape (n,), entries in ``{-1, 0, 1}``
    """
    n = check_int(n, "n", low=3)
    low = check_real(low, "low")
    high = check_real(high, "high")
    if high <= low:
        raise ValueError(f"high must be > low, got low={low}, high={high}")
    k = np.arange(n)
    y = np.round(np.sin(np.pi * k / 2.0))  # exact 0, 1, 0, -1, ...
    return np.linspace(low, high, n), y.astype(float)


@dataclass(frozen=True)
class UnivariateNetwork:
    """A univariate network ``f(x) = sum_i c_i relu(a_i x + b_i) + slope x + offset``.

    Attributes
    ----------
    a, b, c : ndarray, shape (m,)
        Input weights, biases and output weights of the ``m`` ReLU units.
    slope : float
        Weight ``v`` of a free linear unit (0 if there is none).
    offset : float
        Free output bias ``d`` (0 if there is none).
    """

    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    slope: float = 0.0
    offset: float = 0.0

    def __post_init__(self) -> None:
        a = as_array(self.a, "a", ndim=1)
        object.__setattr__(self, "a", a)
        object.__setattr__(self, "b", as_array(self.b, "b", shape=(a.size,)))
        object.__setattr__(self, "c", as_array(self.c, "c", shape=(a.size,)))
        object.__setattr__(self, "slope", check_real(self.slope, "slope"))
        object.__setattr__(self, "offset", check_real(self.offset, "offset"))

    @property
    def width(self) -> int:
        """Number ``m`` of ReLU units."""
        return int(self.a.size)

    def __call__(self, x: object) -> np.ndarray:
        """Evaluate ``f`` at the points ``x (k,)``; returns ``(k,)``."""
        x = as_array(x, "x", ndim=1)
        H = np.maximum(np.multiply.outer(x, self.a) + self.b, 0.0)
        return H @ self.c + self.slope * x + self.offset

    def knots(self) -> np.ndarray:
        """Knots ``e_i = -b_i / a_i`` of the units with ``a_i != 0``, shape (m',)."""
        active = self.a != 0
        return -self.b[active] / self.a[active]

    def as_layers(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(W (m, 1), a (m,), b (m,))`` for :func:`twolayer.network.forward` on ``x[:, None]``.

        The linear unit and the output bias are not part of that network.
        """
        return self.a[:, None].copy(), self.c.copy(), self.b.copy()


def check_network(net: object, name: str = "net") -> UnivariateNetwork:
    """Raise unless ``net`` is a :class:`UnivariateNetwork` (its fields are checked when made)."""
    if not isinstance(net, UnivariateNetwork):
        raise TypeError(f"{name} must be a UnivariateNetwork, got {type(net).__name__}")
    return net


def check_gd_network(net: object) -> UnivariateNetwork:
    """A network without linear unit and output bias: the kind gradient descent trains here."""
    net = check_network(net)
    if net.slope != 0.0 or net.offset != 0.0:
        raise ValueError(
            "gradient descent here trains networks without linear unit or output bias, "
            f"got slope={net.slope}, offset={net.offset}"
        )
    return net


def slope_changes(x: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    """Secant slopes ``s_k`` of the data and their changes ``Delta_k = s_k - s_{k-1}``.

    Parameters
    ----------
    x : array_like, shape (n,), strictly increasing
    y : array_like, shape (n,)

    Returns
    -------
    s : ndarray, shape (n - 1,)
        ``s_k = (y_{k+1} - y_k) / (x_{k+1} - x_k)``.
    delta : ndarray, shape (n - 2,)
        Slope change of the linear interpolant at the interior samples ``x_2, ..., x_{n-1}``.
    """
    return _slope_changes(*check_samples(x, y))


def _slope_changes(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = np.diff(y) / np.diff(x)
    return s, np.diff(s)


def linear_interpolant(x: object, y: object) -> UnivariateNetwork:
    """The linear interpolant, extended linearly beyond the samples, as a network.

    ``f(x) = y_1 + s_1 (x - x_1) + sum_k Delta_k relu(x - x_k)`` over the interior samples
    (:func:`slope_changes`): one unit per interior knot, a linear unit and an output bias.
    Unlike ``numpy.interp`` it continues the outer segments instead of holding the end values.
    """
    x, y = check_samples(x, y)
    s, delta = _slope_changes(x, y)
    knots = x[1:-1]
    ones = np.ones(knots.size)
    return UnivariateNetwork(
        a=ones, b=-knots, c=delta, slope=float(s[0]), offset=float(y[0] - s[0] * x[0])
    )


def unit_cost(net: UnivariateNetwork, bias_weight: float = 0.0) -> float:
    """Cost ``sum_i |c_i| sqrt(a_i^2 + (w b_i)^2)`` of the units of ``net``, ``w = bias_weight``.

    ``bias_weight = 0`` gives ``sum_i |c_i| |a_i|``, the weight-decay cost with free biases
    (Savarese et al. 2019); ``bias_weight = 1`` gives the path norm ``sum_i |c_i| ||(a_i, b_i)||``
    that the convex program on ``[x, 1]`` charges (Pilanci & Ergen 2020). At balanced weights
    (``|c_i| = ||(a_i, w b_i)||``) it equals ``1/2 sum_i (c_i^2 + a_i^2 + w^2 b_i^2)``. The linear
    unit and the output bias are free.
    """
    check_network(net)
    w = check_real(bias_weight, "bias_weight", low=0.0)
    return float(np.abs(net.c) @ np.hypot(net.a, w * net.b))


def representation_cost(
    f: Callable[[np.ndarray], np.ndarray], knots: object, *, linear_unit: bool = False
) -> float:
    """Representational cost ``R(f)`` of a piecewise-linear ``f``, from values of ``f`` only.

    Savarese, Evron, Soudry & Srebro (2019, Theorem 3.1 and Sec. 3.2)::

        R(f) = max( int |f''|, |f'(-inf) + f'(+inf)| )     (free output bias)
        R(f) = int |f''|                                    (free linear unit as well)

    is the least ``sum_i |c_i| |a_i|`` over all networks (of any width) that equal ``f``. For a
    piecewise-linear ``f`` the slopes are read off values of ``f`` on every piece between
    consecutive breakpoints, ``int |f''|`` is the sum of the absolute slope jumps, and the outer
    pieces give ``f'(-inf)`` and ``f'(+inf)``.

    Parameters
    ----------
    f : callable
        Vectorized ``f(points (k,)) -> (k,)``, piecewise linear.
    knots : array_like, shape (K,)
        A superset of the breakpoints of ``f`` (e.g. ``net.knots()``); extra points are harmless,
        and points closer than ``1e-9`` (relative) are merged.
    linear_unit : bool
        Whether a free linear unit is available.

    Returns
    -------
    float
    """
    check_callable(f, "f")
    return _representation_cost(f, as_array(knots, "knots", ndim=1), bool(linear_unit))


def _representation_cost(
    f: Callable[[np.ndarray], np.ndarray], knots: np.ndarray, linear_unit: bool
) -> float:
    t = np.unique(knots)
    if t.size == 0:
        t = np.array([0.0])
    # knots computed as -b/a differ in the last bits: merge those closer than 1e-9 (relative)
    t = t[np.concatenate([[True], np.diff(t) > 1e-9 * max(1.0, float(np.abs(t).max()))])]
    # two evaluation points inside every piece, including the two unbounded ones
    span = max(float(t[-1] - t[0]), 1.0)
    edges = np.concatenate([[t[0] - span], t, [t[-1] + span]])
    left, right = edges[:-1], edges[1:]
    p = left + (right - left) / 3.0
    q = left + 2.0 * (right - left) / 3.0
    values = np.asarray(f(np.concatenate([p, q])), dtype=float)
    slopes = (values[t.size + 1 :] - values[: t.size + 1]) / (q - p)
    total_variation = float(np.abs(np.diff(slopes)).sum())
    if linear_unit:
        return total_variation
    return max(total_variation, float(abs(slopes[0] + slopes[-1])))


def min_representation_cost(x: object, y: object, *, linear_unit: bool = False) -> float:
    """Least ``R(f)`` over all interpolants ``f(x_k) = y_k``, in closed form.

    With ``s`` and ``Delta`` from :func:`slope_changes` and ``T = sum_k |Delta_k|``::

        min R(f) = T                                        (free linear unit)
        min R(f) = max( T, (T + |s_1 + s_{n-1}|) / 2 )      (free output bias only)

    The first is attained by the linear interpolant; in the second, the linear interpolant is
    optimal exactly when ``|s_1 + s_{n-1}| <= T``, and otherwise the outer slopes must bend
    beyond the samples (proof in the chapter; the cost is that of Savarese et al. 2019).
    """
    return _min_representation_cost(*check_samples(x, y), linear_unit)


def _min_representation_cost(x: np.ndarray, y: np.ndarray, linear_unit: bool) -> float:
    s, delta = _slope_changes(x, y)
    total = float(np.abs(delta).sum())
    if linear_unit:
        return total
    return max(total, 0.5 * (total + abs(float(s[0] + s[-1]))))
