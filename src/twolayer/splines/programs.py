"""Least-cost univariate networks as convex programs.

The least ``sum_i |c_i| |a_i|`` over interpolants (or its regularized fit) as a linear program
over units with knots at the samples (:func:`min_cost_network`), the range of values that the
least-cost interpolants take between the samples (:func:`value_range_at`), the regularized fit
along a path of ``beta`` compiled once (:func:`min_cost_path`), and weight decay on
the whole first layer, biases included: the convex program of Pilanci & Ergen (2020) on the
augmented data ``[x, 1]`` (:func:`bias_penalized_network`, built on
:func:`twolayer.convex.solve_convex`).

Imports :mod:`twolayer._checks`, :mod:`twolayer.arrangements`, :mod:`twolayer.convex` and the
package's ``networks``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cvxpy as cp
import numpy as np

from .._checks import as_array, check_int, check_real
from ..arrangements import enumerate_patterns_1d
from ..convex import ConvexSolution, recover_network, solve_convex, solve_problem
from ._checks import check_samples
from .networks import UnivariateNetwork, _min_representation_cost, _representation_cost

__all__ = [
    "BiasPenalizedResult",
    "MinCostPath",
    "MinCostResult",
    "bias_penalized_network",
    "knot_grid",
    "min_cost_network",
    "min_cost_path",
    "value_range_at",
]


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
    x, y = check_samples(x, y)
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


@dataclass(frozen=True)
class MinCostPath:
    """The regularized least-cost fit along a path of ``beta`` (:func:`min_cost_path`).

    Every array has shape ``(B,)``, in the order of ``betas``.

    Attributes
    ----------
    betas : numpy.ndarray
    results : tuple of MinCostResult
        The solution at each ``beta``.
    costs : numpy.ndarray
        ``sum_i |c_i| |a_i|`` of each solution, ``C(theta*_beta)``.
    function_costs : numpy.ndarray
        ``R(f*_beta)`` of each solution's function (:func:`representation_cost`), from its values
        only.
    residuals : numpy.ndarray
        ``max_j |f*_beta(x_j) - y_j|``.
    least_cost : float
        The limit ``beta -> 0``: :func:`min_representation_cost` of the samples.
    """

    betas: np.ndarray
    results: tuple[MinCostResult, ...]
    costs: np.ndarray
    function_costs: np.ndarray
    residuals: np.ndarray
    least_cost: float

    @property
    def cost_gaps(self) -> np.ndarray:
        """``|C(theta*) - R(f*)| / R(f*)`` at each ``beta``: zero for an optimal representation."""
        return np.abs(self.costs - self.function_costs) / self.function_costs


def min_cost_path(
    x: object,
    y: object,
    betas: object,
    *,
    linear_unit: bool = False,
    knots: object | None = None,
    solver: str = "CLARABEL",
    tol: float = 1e-7,
) -> MinCostPath:
    """The regularized program of :func:`min_cost_network` for several ``beta``, compiled once.

    ``min 1/2 sum_j (f(x_j) - y_j)^2 + beta sum_k |gamma_k|`` over units with knots at ``knots``
    (default the samples) is built once with ``beta`` a ``cvxpy.Parameter`` and re-solved for
    each value. Each solution is an optimal representation of its own function, so its cost
    ``C(theta*_beta)`` equals ``R(f*_beta)`` (Savarese et al., 2019), and as ``beta -> 0`` the fit
    tends to an interpolant of least cost, :func:`min_representation_cost`.

    Parameters
    ----------
    x : array_like, shape (n,), strictly increasing
    y : array_like, shape (n,)
    betas : array_like, shape (B,), each ``> 0``
    linear_unit, knots, solver, tol
        As in :func:`min_cost_network`.

    Returns
    -------
    MinCostPath

    Raises
    ------
    ValueError
        For bad samples, an empty ``betas`` or a ``beta <= 0``.
    RuntimeError
        If a solve does not reach an optimal status (the message carries it and the ``beta``).
    """
    x, y = check_samples(x, y)
    betas = as_array(betas, "betas", ndim=1)
    if betas.size == 0:
        raise ValueError("betas must hold at least one value, got an empty array")
    if np.any(betas <= 0):
        raise ValueError(
            f"betas must all be > 0 (beta = 0 is min_cost_network's interpolation), got "
            f"minimum {betas.min()}"
        )
    tol = check_real(tol, "tol", low=0.0, high=1.0, high_open=True)
    linear_unit = bool(linear_unit)
    t = _check_knots(knots, x)
    a, b, gamma, d, v, (fit,) = _cost_program(x, y, t, linear_unit)
    beta = cp.Parameter(nonneg=True, name="beta")
    problem = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(fit - y) + beta * cp.norm1(gamma)))
    results = []
    for value in betas:
        beta.value = float(value)
        solve_problem(problem, solver, None, f"the least-cost program at beta = {value:g}")
        g = np.asarray(gamma.value, dtype=float)
        net = _network_from_coefficients(
            a, b, g, 0.0 if v is None else float(v.value), float(d.value), tol
        )
        results.append(MinCostResult(
            network=net, value=float(problem.value), cost=float(np.abs(g).sum()),
            status=str(problem.status),
        ))
    return MinCostPath(
        betas=betas.copy(),
        results=tuple(results),
        costs=np.array([r.cost for r in results]),
        function_costs=np.array([
            _representation_cost(r.network, r.network.knots(), linear_unit) for r in results
        ]),
        residuals=np.array([float(np.abs(r.network(x) - y).max()) for r in results]),
        least_cost=_min_representation_cost(x, y, linear_unit),
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
    x, y = check_samples(x, y)
    z = as_array(z, "z", ndim=1)
    face_tol = check_real(face_tol, "face_tol", low=0.0)
    t = _check_knots(knots, x)
    best = _min_representation_cost(x, y, linear_unit)
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
    x, y = check_samples(x, y)
    t = check_real(bias_scale, "bias_scale", low=0.0, low_open=True)
    X = np.column_stack([x, np.full(x.size, t)])
    solution = solve_convex(X, y, beta, enumerate_patterns_1d(x), solver=solver)
    W, c = recover_network(solution)
    net = UnivariateNetwork(a=W[:, 0], b=t * W[:, 1], c=c)
    residual = solution.residual
    penalty = (solution.value - 0.5 * float(residual @ residual)) / solution.beta
    return BiasPenalizedResult(network=net, value=solution.value, penalty=penalty,
                               solution=solution)
