"""The chapter's small experiments: the exact program against GD on 1-D data, and the explorer's
optimal fit as the input dimension grows.

Imports :mod:`twolayer._checks`, :mod:`twolayer.arrangements`, :mod:`twolayer.convex` and the
package's modules.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import as_array, as_rng, check_int, check_real
from ..arrangements import enumerate_patterns_2d, sample_patterns
from ..convex import recover_network, solve_convex
from ._checks import check_data, check_schedule
from .basis import _basis
from .closed_form import _whitened_fit
from .forward import _bn_outputs, _value_and_gradient
from .program import _network_from_coefficients
from .training import _descend, _init_bn

__all__ = ["ExactResult", "ExploreResult", "exact_experiment", "explore_dimension"]

@dataclass(frozen=True)
class ExactResult:
    """Result 1 of the chapter (:func:`exact_experiment`): exact program against GD.

    Attributes
    ----------
    optimum : float
        Convex optimum over all patterns of ``U'`` (exact for ``d = 1``: ``U'`` has two columns).
    recovered : float
        BN objective of the recovered network (equals ``optimum``).
    width : int
        Its number of neurons.
    gd : numpy.ndarray, shape (runs,)
        Final BN objectives of gradient descent from ``runs`` seeds.
    patterns : int
        Number of patterns of ``U'``.
    fit : numpy.ndarray, shape (n,)
        Fit of the recovered network.
    gd_fits : numpy.ndarray, shape (runs, n)
        Fits of the GD networks.
    """

    optimum: float
    recovered: float
    width: int
    gd: np.ndarray
    patterns: int
    fit: np.ndarray
    gd_fits: np.ndarray


def exact_experiment(
    x: object, y: object, beta: float, *, m: int, runs: int, rng: object, lr: float,
    steps: int, solver: str = "CLARABEL",
) -> ExactResult:
    """Exact convex program against gradient descent for a BN network on 1-D data.

    For ``x (n,)`` the centred data have rank one and ``U' (n, 2)`` is two-dimensional, so
    :func:`twolayer.arrangements.enumerate_patterns_2d` lists all its patterns and the convex
    optimum is the global minimum over BN networks of any width ``m >= m*``.

    Parameters
    ----------
    x : array_like, shape (n,);  y : array_like, shape (n,)
    beta : float, > 0
    m, runs, rng, lr, steps
        Width, number of random starts, their seed, step size and number of GD steps.
    solver : str
        Passed to :func:`twolayer.convex.solve_convex`.
    """
    x = as_array(x, "x", ndim=1)
    X, y = check_data(x[:, None], y)
    beta = check_real(beta, "beta", low=0.0, low_open=True)
    Uprime, V, s = _basis(X)
    patterns = enumerate_patterns_2d(Uprime)
    sol = solve_convex(Uprime, y, beta, patterns, solver=solver)
    C, a = recover_network(sol)
    net = _network_from_coefficients(C, a, V, s)
    recovered = _value_and_gradient(X, y, *(p[None] for p in net), beta)[0][0]
    m = check_int(m, "m", low=1)
    runs = check_int(runs, "runs", low=1)
    schedule = check_schedule(lr, steps, max(1, steps))
    params, history, _ = _descend(X, y, _init_bn(1, m, runs, as_rng(rng), 1.0), beta, *schedule)
    H, _, _ = _bn_outputs(X, *params[:3], X)
    gd_fits = np.einsum("rnm,rm->rn", np.maximum(H, 0.0), params[3])
    H, _, _ = _bn_outputs(X, *net[:3], X)
    return ExactResult(sol.value, float(recovered), int(C.shape[0]), history[-1].copy(),
                       int(patterns.shape[0]), np.maximum(H, 0.0) @ net[3], gd_fits)


@dataclass(frozen=True)
class ExploreResult:
    """The explorer's frame (:func:`explore_dimension`): the optimal BN fit at ``(beta, d)``.

    Attributes
    ----------
    y, fit, whitened_fit : numpy.ndarray, shape (n,)
        Targets, the optimal BN fit on the data, and the closed-form fit of whitened data.
    value : float
        Optimal objective (closed form, or convex program on sampled patterns).
    beta : float
    d, rank : int
        Input dimension and rank of the centred data.
    closed_form : bool
        Whether the centred rank is ``n - 1`` (then ``fit == whitened_fit``).
    """

    y: np.ndarray
    fit: np.ndarray
    whitened_fit: np.ndarray
    value: float
    beta: float
    d: int
    rank: int
    closed_form: bool


def explore_dimension(
    beta: float, d: int, *, rng: object, n: int = 10, num_patterns: int = 20,
    solver: str = "CLARABEL",
) -> ExploreResult:
    """Optimal BN fit of fixed targets on Gaussian data ``X (n, d)``, for the chapter's explorer.

    The targets ``y ~ N(0, I_n)`` and the data are drawn from ``rng`` (a Generator or an
    integer seed, required; the targets first, so they do not change with ``d``). When the
    centred data have rank ``n - 1`` the closed form (:func:`bn_closed_form`) gives the fit;
    below, the convex program (:func:`solve_bn_convex`) on ``num_patterns`` sampled patterns of
    ``U'`` plus the sign patterns of ``y``.
    """
    beta = check_real(beta, "beta", low=0.0, low_open=True)
    d = check_int(d, "d", low=1)
    n = check_int(n, "n", low=3)
    num_patterns = check_int(num_patterns, "num_patterns", low=1)
    gen = as_rng(rng)
    y = gen.standard_normal(n)
    X = gen.standard_normal((n, d))
    whitened, white_value = _whitened_fit(y, beta)
    Uprime, _, s = _basis(X)
    if s.size == n - 1:
        return ExploreResult(y, whitened, whitened, white_value, beta, d, s.size, True)
    patterns = np.vstack([sample_patterns(Uprime, num_patterns, gen), y > 0, y < 0])
    sol = solve_convex(Uprime, y, beta, np.unique(patterns, axis=0), solver=solver)
    return ExploreResult(y, sol.predictions, whitened, sol.value, beta, d, s.size, False)
