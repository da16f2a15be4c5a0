"""Univariate two-layer ReLU networks: minimum-norm interpolants and the regimes of GD.

A univariate network is ``f(x) = sum_i c_i relu(a_i x + b_i) + v x + d`` with ``m`` units
``(a_i, b_i, c_i)`` and, where stated, a free *linear unit* ``v x`` and a free output bias ``d``
(:class:`UnivariateNetwork`). Two costs of a network appear in this module, and they differ in
whether the biases ``b_i`` are charged:

* ``sum_i |c_i| |a_i|`` -- weight decay on ``(a, c)`` only, biases free. Its infimum over the
  networks that represent ``f`` is the representational cost of Savarese, Evron, Soudry &
  Srebro (2019): ``max(int |f''|, |f'(-inf) + f'(+inf)|)`` with a free output bias, and
  ``int |f''|`` when a free linear unit is added (:func:`representation_cost`).
* ``sum_i |c_i| ||(a_i, b_i)||`` -- weight decay on the whole first layer, biases included. This
  is what the convex program of Pilanci & Ergen (2020) on the augmented data ``[x, 1]`` charges
  (:func:`bias_penalized_network`, built on :func:`twolayer.convex.solve_convex`).

The exact minimum of the first cost over interpolants is computed three ways: in closed form
(:func:`min_representation_cost`), by a linear program over units with knots at the samples
(:func:`min_cost_network`), and from the function the program returns
(:func:`representation_cost`).

The second half of the module runs gradient descent on wide networks without linear unit
(Williams, Trager, Panozzo, Silva, Zorin & Bruna 2019) from initializations that differ only in
the ratio ``|c_i| / ||(a_i, b_i)||`` (:func:`init_univariate`, :func:`train_univariate`), and
compares the result with the natural cubic spline and the linear interpolant
(:func:`spline_distances`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import cvxpy as cp
import numpy as np
from scipy.interpolate import CubicSpline

from ._checks import (
    as_array,
    as_rng,
    check_callable,
    check_int,
    check_real,
    check_same_length,
)
from .arrangements import enumerate_patterns_1d
from .convex import ConvexSolution, recover_network, solve_convex, solve_problem

__all__ = [
    "BiasPenalizedResult",
    "DynamicsResult",
    "MinCostResult",
    "RatioSweep",
    "UnivariateNetwork",
    "balance_gaps",
    "bias_penalized_network",
    "curvature_near_samples",
    "explore_regime",
    "hessian_bound",
    "frozen_layer_interpolant",
    "init_univariate",
    "kernel_limit",
    "knot_grid",
    "lazy_index",
    "linear_interpolant",
    "min_cost_network",
    "min_representation_cost",
    "polar_coordinates",
    "ratio_sweep",
    "representation_cost",
    "slope_changes",
    "spline_distances",
    "sweep_summary",
    "tangent_kernel",
    "train_univariate",
    "triangle_samples",
    "uniform_knot_kernel",
    "unit_cost",
    "value_range_at",
]


# --------------------------------------------------------------------------------------------
# data and networks
# --------------------------------------------------------------------------------------------


def _check_samples(x: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    """Validate 1-D samples: ``x`` strictly increasing (sorted, no duplicates), ``y`` alike."""
    x = as_array(x, "x", ndim=1)
    y = as_array(y, "y", ndim=1)
    check_same_length(x, "x", y, "y")
    if x.size < 2:
        raise ValueError(f"x must hold at least 2 samples, got {x.size}")
    steps = np.diff(x)
    if np.any(steps <= 0):
        k = int(np.argmax(steps <= 0))
        raise ValueError(
            "x must be strictly increasing (sorted, without duplicates), "
            f"got x[{k}] = {x[k]} and x[{k + 1}] = {x[k + 1]}"
        )
    return x, y


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
    x, y = _check_samples(x, y)
    s = np.diff(y) / np.diff(x)
    return s, np.diff(s)


def linear_interpolant(x: object, y: object) -> UnivariateNetwork:
    """The linear interpolant, extended linearly beyond the samples, as a network.

    ``f(x) = y_1 + s_1 (x - x_1) + sum_k Delta_k relu(x - x_k)`` over the interior samples
    (:func:`slope_changes`): one unit per interior knot, a linear unit and an output bias.
    Unlike ``numpy.interp`` it continues the outer segments instead of holding the end values.
    """
    x, y = _check_samples(x, y)
    s, delta = slope_changes(x, y)
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
    if not isinstance(net, UnivariateNetwork):
        raise TypeError(f"net must be a UnivariateNetwork, got {type(net).__name__}")
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
    t = np.unique(as_array(knots, "knots", ndim=1))
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
    s, delta = slope_changes(x, y)
    total = float(np.abs(delta).sum())
    if linear_unit:
        return total
    return max(total, 0.5 * (total + abs(float(s[0] + s[-1]))))


# --------------------------------------------------------------------------------------------
# convex programs
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MinCostResult:
    """Solution of :func:`min_cost_network`.

    Attributes
    ----------
    network : UnivariateNetwork
        Balanced network (``|c_i| = |a_i|``) with knots among ``knots``.
    value : float
        Optimal value of the program: the least cost when ``beta = 0``, else
        ``1/2 ||f(x) - y||^2 + beta * cost``.
    cost : float
        ``sum_i |c_i| |a_i|`` of the solution (equals ``value`` when ``beta = 0``).
    status : str
        cvxpy status (``"optimal"``; anything else raises).
    """

    network: UnivariateNetwork
    value: float
    cost: float
    status: str


def _dictionary(x: np.ndarray, knots: np.ndarray, linear_unit: bool) -> tuple[np.ndarray, ...]:
    """Units with ``|a| = 1`` and knots at ``knots``: ``relu(x - t)`` and, without a linear unit,
    ``relu(t - x)`` (with one, ``relu(t - x) = relu(x - t) - (x - t)`` adds nothing)."""
    a = np.ones(knots.size)
    if not linear_unit:
        a = np.concatenate([a, -a])
        knots = np.concatenate([knots, knots])
    b = -a * knots
    return a, b, np.maximum(np.multiply.outer(x, a) + b, 0.0)


def _cost_program(
    x: np.ndarray, y: np.ndarray, knots: np.ndarray, linear_unit: bool
) -> tuple[np.ndarray, np.ndarray, cp.Variable, cp.Variable, cp.Variable | None, list]:
    a, b, Phi = _dictionary(x, knots, linear_unit)
    gamma = cp.Variable(a.size, name="gamma")
    d = cp.Variable(name="d")
    fit = Phi @ gamma + d
    v = None
    if linear_unit:
        v = cp.Variable(name="v")
        fit = fit + v * x
    return a, b, gamma, d, v, [fit]


def _network_from_coefficients(
    a: np.ndarray, b: np.ndarray, gamma: np.ndarray, slope: float, offset: float, tol: float
) -> UnivariateNetwork:
    keep = np.abs(gamma) > tol * max(float(np.abs(gamma).max(initial=0.0)), 1e-300)
    root = np.sqrt(np.abs(gamma[keep]))
    # balanced units: |c| = |a| = sqrt|gamma|, so that |c| |a| = |gamma|
    return UnivariateNetwork(
        a=a[keep] * root, b=b[keep] * root, c=np.sign(gamma[keep]) * root,
        slope=slope, offset=offset,
    )


def _check_knots(knots: object | None, x: np.ndarray) -> np.ndarray:
    if knots is None:
        return x.copy()
    t = np.unique(as_array(knots, "knots", ndim=1))
    if t.size == 0:
        raise ValueError("knots must hold at least one point, got none")
    return t


def knot_grid(x: object, num: int, margin: float = 0.0) -> np.ndarray:
    """Candidate knots: the samples and ``num`` equispaced points not too close to a sample.

    The grid covers ``[x_1 - margin, x_n + margin]``; a grid point closer than a quarter of the
    grid step to a sample is dropped, because two nearly equal knots make the programs of
    :func:`min_cost_network` and :func:`value_range_at` nearly degenerate.

    Returns
    -------
    ndarray, shape (K,), increasing
    """
    x = as_array(x, "x", ndim=1)
    num = check_int(num, "num", low=2)
    margin = check_real(margin, "margin", low=0.0)
    grid = np.linspace(x.min() - margin, x.max() + margin, num)
    step = grid[1] - grid[0]
    far = np.abs(grid[:, None] - x[None, :]).min(axis=1) > step / 4.0
    return np.union1d(grid[far], x)


def min_cost_network(
    x: object,
    y: object,
    *,
    beta: float = 0.0,
    linear_unit: bool = False,
    knots: object | None = None,
    solver: str = "CLARABEL",
    tol: float = 1e-7,
) -> MinCostResult:
    """Least-cost network with free biases, by a convex program over knots at the samples.

    Solves, over units ``gamma_k relu(+-(x - t_k))`` with knots ``t_k`` (default: the samples),
    a free output bias ``d`` and, if ``linear_unit``, a free slope ``v``::

        beta = 0:  min sum_k |gamma_k|   s.t.  f(x_j) = y_j  for all j
        beta > 0:  min 1/2 sum_j (f(x_j) - y_j)^2 + beta sum_k |gamma_k|

    ``sum_k |gamma_k|`` is ``sum_i |c_i| |a_i|`` of the balanced network. This is the convex
    program of Pilanci & Ergen (2020) for neurons on ``[x, 1]`` with the bias *not* penalized:
    on the data, a unit with knot in ``[x_k, x_{k+1}]`` -- one activation pattern of
    :func:`twolayer.arrangements.enumerate_patterns_1d` -- is a convex combination, at equal
    cost, of the units with knots ``x_k`` and ``x_{k+1}``, so knots at the samples lose nothing
    and the optimal value at ``beta = 0`` is :func:`min_representation_cost` (Savarese et al.
    2019). Extra ``knots`` leave the value unchanged and let other minimizers be represented.

    Parameters
    ----------
    x : array_like, shape (n,), strictly increasing
    y : array_like, shape (n,)
    beta : float
        ``0`` for exact interpolation, ``> 0`` for the regularized fit.
    linear_unit : bool
        Add a free linear unit ``v x``.
    knots : array_like, shape (K,), optional
        Candidate knots (default ``x``).
    solver : str
        cvxpy solver.
    tol : float
        Units with ``|gamma_k| <= tol * max |gamma|`` are dropped from the returned network.

    Returns
    -------
    MinCostResult

    Raises
    ------
    ValueError
        For unsorted or duplicate ``x``, mismatched lengths, ``beta < 0``.
    RuntimeError
        If the solver does not report an optimal status (the message carries it).
    """
    x, y = _check_samples(x, y)
    beta = check_real(beta, "beta", low=0.0)
    tol = check_real(tol, "tol", low=0.0, high=1.0, high_open=True)
    t = _check_knots(knots, x)
    a, b, gamma, d, v, (fit,) = _cost_program(x, y, t, linear_unit)
    cost = cp.norm1(gamma)
    if beta == 0.0:
        problem = cp.Problem(cp.Minimize(cost), [fit == y])
    else:
        problem = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(fit - y) + beta * cost))
    solve_problem(problem, solver, None, "the least-cost program")
    g = np.asarray(gamma.value, dtype=float)
    net = _network_from_coefficients(
        a, b, g, 0.0 if v is None else float(v.value), float(d.value), tol
    )
    return MinCostResult(
        network=net, value=float(problem.value), cost=float(np.abs(g).sum()),
        status=str(problem.status),
    )


def value_range_at(
    x: object,
    y: object,
    z: object,
    *,
    knots: object,
    linear_unit: bool = True,
    face_tol: float = 1e-9,
    solver: str = "SCIPY",
) -> tuple[np.ndarray, np.ndarray]:
    """Range of ``f(z)`` over the least-cost interpolants with knots among ``knots``.

    The least-cost interpolants form a face of a polyhedron: with ``c*`` the least cost
    (:func:`min_representation_cost`, in closed form), they are the ``f`` of the dictionary
    (cost and units as in :func:`min_cost_network`) with ``f(x_j) = y_j`` and
    ``sum_k |gamma_k| <= c*``. For each point ``z_l`` the two linear programs
    ``min f(z_l)`` and ``max f(z_l)`` over that set give the range exactly, up to the solver's
    accuracy and the slack ``face_tol`` (relative) of the cost bound, which keeps the programs
    strictly feasible; the band is then that of the interpolants within ``face_tol * c*`` of
    the least cost, about ``face_tol * c*`` times the sensitivity of ``f(z)`` wider than the
    exact one. A range of positive length at some ``z_l`` proves that the least-cost
    interpolant is not unique; with a fine grid of ``knots`` between the samples
    (:func:`knot_grid`), zero length everywhere is numerical evidence of uniqueness.
    ``knots`` must hold the samples (or other knots that reach the least cost).

    Parameters
    ----------
    x : array_like, shape (n,), strictly increasing
    y : array_like, shape (n,)
    z : array_like, shape (L,)
    knots : array_like, shape (K,)
    linear_unit : bool
    face_tol : float
        Relative slack of the cost bound, ``>= 0``.
    solver : str
        cvxpy solver of the linear programs (default ``"SCIPY"``: SciPy's HiGHS, a simplex
        method, exact at the vertices of these degenerate programs, where CLARABEL, an
        interior-point method, can end ``optimal_inaccurate``).

    Returns
    -------
    low, high : ndarray, shape (L,)

    Raises
    ------
    RuntimeError
        If a solver status is not optimal, or the knots cannot reach the least cost.
    """
    x, y = _check_samples(x, y)
    z = as_array(z, "z", ndim=1)
    face_tol = check_real(face_tol, "face_tol", low=0.0)
    t = _check_knots(knots, x)
    best = min_representation_cost(x, y, linear_unit=linear_unit)
    a, b, gamma, d, v, (fit,) = _cost_program(x, y, t, linear_unit)
    cost = cp.norm1(gamma)
    reach = cp.Problem(cp.Minimize(cost), [fit == y])
    solve_problem(reach, solver, None, "the least-cost program")
    if float(reach.value) > best * (1.0 + 1e-7) + 1e-12:
        raise RuntimeError(
            f"knots reach cost {float(reach.value)}, more than the least cost {best}: "
            "include the samples x among the knots"
        )
    Psi = np.maximum(np.multiply.outer(z, a) + b, 0.0)
    at_z = Psi @ gamma + d + (0 if v is None else v * z)
    point = cp.Parameter(z.size)  # +- e_l: picks f(z_l) and the direction
    bound = max(best, float(reach.value)) * (1.0 + face_tol) + 1e-12
    problem = cp.Problem(cp.Minimize(point @ at_z), [fit == y, cost <= bound])
    low, high = np.empty(z.size), np.empty(z.size)
    for sign, out in ((1.0, low), (-1.0, high)):
        for idx in range(z.size):
            selector = np.zeros(z.size)
            selector[idx] = sign
            point.value = selector
            solve_problem(problem, solver, None, f"the range of f at z[{idx}]")
            out[idx] = float(at_z.value[idx])
    return low, high


@dataclass(frozen=True)
class BiasPenalizedResult:
    """Solution of :func:`bias_penalized_network`.

    Attributes
    ----------
    network : UnivariateNetwork
        The recovered network (no linear unit, no output bias).
    value : float
        Optimal value of the convex program.
    penalty : float
        Its regularizer ``sum_i (||v_i|| + ||w_i||)`` at the optimum, which equals
        ``unit_cost(network, bias_weight=1 / bias_scale)``.
    solution : ConvexSolution
        The solution returned by :func:`twolayer.convex.solve_convex`.
    """

    network: UnivariateNetwork
    value: float
    penalty: float
    solution: ConvexSolution = field(repr=False)


def bias_penalized_network(
    x: object, y: object, beta: float, *, bias_scale: float = 1.0, solver: str = "CLARABEL"
) -> BiasPenalizedResult:
    """Weight decay on the whole first layer: the convex program on ``[x, bias_scale]``.

    Calls :func:`twolayer.convex.solve_convex` on the augmented data ``X = [x, t 1] (n, 2)``
    (``t = bias_scale``) with *all* its activation patterns
    (:func:`twolayer.arrangements.enumerate_patterns_1d`; scaling the second column does not
    change them), so that the program is exact (Pilanci & Ergen 2020, Theorem 1). A neuron
    ``u = (u_1, u_2)`` on ``[x, t]`` is the unit ``relu(a x + b)`` with ``a = u_1``, ``b = t u_2``,
    and the program charges ``||u|| = sqrt(a^2 + (b / t)^2)``:

    * ``t = 1``: the biases are penalized like the input weights, and there is no output bias;
    * ``t -> infinity``: the charge tends to ``|a|`` and a constant unit costs ``|d| / t -> 0``,
      so the optimal value decreases to the free-bias cost of :func:`min_cost_network`.

    Parameters
    ----------
    x : array_like, shape (n,), strictly increasing
    y : array_like, shape (n,)
    beta : float, > 0
    bias_scale : float, > 0
    solver : str

    Returns
    -------
    BiasPenalizedResult
    """
    x, y = _check_samples(x, y)
    t = check_real(bias_scale, "bias_scale", low=0.0, low_open=True)
    X = np.column_stack([x, np.full(x.size, t)])
    solution = solve_convex(X, y, beta, enumerate_patterns_1d(x), solver=solver)
    W, c = recover_network(solution)
    net = UnivariateNetwork(a=W[:, 0], b=t * W[:, 1], c=c)
    residual = solution.residual
    penalty = (solution.value - 0.5 * float(residual @ residual)) / solution.beta
    return BiasPenalizedResult(network=net, value=solution.value, penalty=penalty,
                               solution=solution)


# --------------------------------------------------------------------------------------------
# gradient dynamics
# --------------------------------------------------------------------------------------------


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
    lo, hi = _check_range(knot_range)
    e, s = _draw_knots(m, as_rng(rng), (lo, hi))
    alpha = np.sqrt(scale / (2.0 * ratio * np.sum(1.0 + e**2)))
    a = s * alpha
    b = -a * e
    c = ratio * np.hypot(a, b)
    return UnivariateNetwork(a=np.concatenate([a, a]), b=np.concatenate([b, b]),
                             c=np.concatenate([c, -c]))


def _check_range(knot_range: object) -> tuple[float, float]:
    values = as_array(knot_range, "knot_range", shape=(2,))
    if values[1] <= values[0]:
        raise ValueError(f"knot_range must be an interval (lo, hi) with lo < hi, got {values}")
    return float(values[0]), float(values[1])


def _check_gd_network(net: object) -> UnivariateNetwork:
    if not isinstance(net, UnivariateNetwork):
        raise TypeError(f"net must be a UnivariateNetwork, got {type(net).__name__}")
    if net.slope != 0.0 or net.offset != 0.0:
        raise ValueError(
            "gradient descent here trains networks without linear unit or output bias, "
            f"got slope={net.slope}, offset={net.offset}"
        )
    return net


def polar_coordinates(net: UnivariateNetwork) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Williams et al. (2019) coordinates of every unit: ``(rho, theta, delta)``, each ``(m,)``.

    ``(a_i, b_i) = r_i (cos theta_i, sin theta_i)``, ``rho_i = c_i r_i`` (the unit is
    ``rho_i relu(cos theta_i x + sin theta_i)``, knot ``e_i = -tan theta_i``) and
    ``delta_i = c_i^2 - r_i^2``, which gradient flow conserves.
    """
    if not isinstance(net, UnivariateNetwork):
        raise TypeError(f"net must be a UnivariateNetwork, got {type(net).__name__}")
    r = np.hypot(net.a, net.b)
    return net.c * r, np.arctan2(net.b, net.a), net.c**2 - r**2


def balance_gaps(net: UnivariateNetwork) -> np.ndarray:
    """``delta_i = c_i^2 - a_i^2 - b_i^2`` of every unit, shape (m,)."""
    return polar_coordinates(net)[2]


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
    x = as_array(x, "x", ndim=1)
    net = _check_gd_network(net)
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
    x, y = _check_samples(x, y)
    net = _check_gd_network(net)
    H, P = _forward_parts(x, net.a, net.b)
    r = H @ net.c - y
    V = np.stack([r * x, r]) @ P
    lam = float(np.linalg.eigvalsh(tangent_kernel(x, net))[-1])
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
    (units whose norm fell below 1% of the largest are on their way to ``0`` and are skipped).
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
    x, y = _check_samples(x, y)
    net = _check_gd_network(net)
    steps = check_int(steps, "steps", low=0)
    if lr is not None:
        lr = check_real(lr, "lr", low=0.0, low_open=True)
    step_factor = check_real(step_factor, "step_factor", low=0.0, high=2.0, low_open=True,
                             high_open=True)
    max_turn = check_real(max_turn, "max_turn", low=0.0, low_open=True)
    tol = check_real(tol, "tol", low=0.0)
    record_every = check_int(record_every, "record_every", low=1)
    kernel_every = check_int(kernel_every, "kernel_every", low=1)

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
                speed = np.abs(c) * vnorm / rnorm
                omega = float((speed * (rnorm >= 0.01 * rnorm.max())).max())
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
    x, y = _check_samples(x, y)
    num = check_int(num, "num", low=2)
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
    if not isinstance(net, UnivariateNetwork):
        raise TypeError(f"net must be a UnivariateNetwork, got {type(net).__name__}")
    x = as_array(x, "x", ndim=1)
    radius = check_real(radius, "radius", low=0.0)
    mass = np.abs(net.c * net.a)
    total = float(mass.sum())
    if total == 0.0:
        return 0.0
    e = _knots_or_nan(net.a, net.b)
    near = np.zeros(e.size, dtype=bool)
    finite = np.isfinite(e)
    near[finite] = np.abs(e[finite, None] - x[None, :]).min(axis=1) <= radius
    return float(mass[near].sum() / total)


def frozen_layer_interpolant(x: object, y: object, net: UnivariateNetwork) -> UnivariateNetwork:
    """Where gradient descent on the second layer alone ends: the kernel-regime prediction.

    With ``(a, b)`` frozen, ``f`` is linear in ``c`` with features ``H_ji = relu(a_i x_j + b_i)``,
    and gradient descent from ``c_0`` converges to ``c_0 + H^T (H H^T)^+ (y - H c_0)``, the
    interpolant closest to ``c_0``. When the first layer dominates, the tangent kernel is
    ``H H^T`` up to a small correction and the full dynamics follow this linear model
    (Jacot, Gabriel & Hongler 2018; Williams et al. 2019).
    """
    x, y = _check_samples(x, y)
    net = _check_gd_network(net)
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
    frozen = frozen_layer_interpolant(x, y, net)
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
    s = as_array(s, "s", ndim=1)[:, None]
    t = as_array(t, "t", ndim=1)[None, :]
    lo, hi = _check_range(knot_range)

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
    x, y = _check_samples(x, y)
    lo, hi = _check_range(knot_range)
    if x[0] < lo or x[-1] > hi:
        raise ValueError(f"x must lie inside knot_range [{lo}, {hi}], got [{x[0]}, {x[-1]}]")
    alpha = np.linalg.solve(uniform_knot_kernel(x, x, (lo, hi)), y)

    def f_inf(z: np.ndarray) -> np.ndarray:
        return uniform_knot_kernel(z, x, (lo, hi)) @ alpha

    def curvature(z: float) -> float:
        return float(alpha @ np.abs(z - x) / (2.0 * (hi - lo)))

    return f_inf, curvature(x[0]), curvature(x[-1])


@dataclass(frozen=True)
class RatioSweep:
    """Summary of gradient-descent runs at several layer ratios (:func:`sweep_summary`).

    Every array has shape ``(R,)``, ordered by increasing ratio.

    Attributes
    ----------
    ratios : initial ``|c_i| / ||(a_i, b_i)||`` (median over units)
    lazy : :func:`lazy_index` of the initial networks
    d_cubic, d_linear : :func:`spline_distances` of the final networks
    knot_shift : median over units of ``|e_i(T) - e_i(0)|``
    near_samples : :func:`curvature_near_samples` of the final networks
    residual : final ``max_j |f(x_j) - y_j|``
    steps : GD steps taken
    """

    ratios: np.ndarray
    lazy: np.ndarray
    d_cubic: np.ndarray
    d_linear: np.ndarray
    knot_shift: np.ndarray
    near_samples: np.ndarray
    residual: np.ndarray
    steps: np.ndarray


def sweep_summary(
    x: object, y: object, runs: Sequence[DynamicsResult], *, radius: float = 0.02
) -> RatioSweep:
    """Measure what every run of ``runs`` became (see :class:`RatioSweep`), sorted by ratio."""
    x, y = _check_samples(x, y)
    if len(runs) == 0:
        raise ValueError("runs must hold at least one DynamicsResult, got none")
    rows = []
    for run in runs:
        if not isinstance(run, DynamicsResult):
            raise TypeError(f"runs must hold DynamicsResult objects, got {type(run).__name__}")
        start, end = run.initial, run.final
        ratio = float(np.median(np.abs(start.c) / np.hypot(start.a, start.b)))
        shift = np.abs(_knots_or_nan(end.a, end.b) - _knots_or_nan(start.a, start.b))
        d_cubic, d_linear = spline_distances(x, y, end)
        rows.append((ratio, lazy_index(x, y, start), d_cubic, d_linear,
                     float(np.nanmedian(shift)), curvature_near_samples(end, x, radius),
                     float(np.abs(end(x) - y).max()), float(run.steps)))
    table = np.array(sorted(rows))
    return RatioSweep(*(table[:, k].copy() for k in range(table.shape[1])))


def ratio_sweep(
    x: object,
    y: object,
    ratios: object,
    *,
    width: int,
    steps: int,
    rng: object,
    scale: float = 1.0,
    tol: float = 1e-2,
    radius: float = 0.02,
) -> RatioSweep:
    """Train from the same knots at several layer ratios and summarize (:func:`sweep_summary`).

    Every run starts from :func:`init_univariate` with the same seed -- the same knots and signs;
    only the split of the amplitude between the layers changes -- and runs
    :func:`train_univariate` for at most ``steps`` steps, stopping at residual ``tol``.
    """
    x, y = _check_samples(x, y)
    ratios = as_array(ratios, "ratios", ndim=1)
    seed = int(as_rng(rng).integers(2**32))
    runs = [
        train_univariate(x, y, init_univariate(width, float(r), seed, scale=scale),
                         steps=steps, tol=tol, record_every=max(steps, 1))
        for r in ratios
    ]
    return sweep_summary(x, y, runs, radius=radius)


def explore_regime(
    x: object, y: object, ratio: float, width: int, steps: int, rng: object = 0,
    scale: float = 1.0,
) -> DynamicsResult:
    """Train a network from :func:`init_univariate` for ``steps`` steps (the explorer's function).

    Same step-size rule as :func:`train_univariate`; the loss and the knots are recorded at the
    start and at the end only.
    """
    net = init_univariate(width, ratio, rng, scale=scale)
    steps = check_int(steps, "steps", low=0)
    return train_univariate(x, y, net, steps=steps, record_every=max(steps, 1))
