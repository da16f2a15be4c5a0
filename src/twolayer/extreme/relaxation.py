"""The spike-free relaxation measured, where its exactness is not given (chapter "Extreme points").

* :func:`cutting_vs_sampling`: the spike-free cutting plane against the convex program on
  sampled activation patterns, where enumerating patterns is out of reach.
* :func:`gaussian_relaxation_gap`: the spike-free relaxation on Gaussian data of growing
  dimension against a duality lower bound (Ergen and Pilanci, 2021, Theorem 5 measured).

May import the library's lower layers and :mod:`.closed_forms`, :mod:`.cutting`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .._checks import as_rng, check_int, check_real, check_regression
from ..arrangements import sample_patterns
from ..convex import solve_convex
from ..duality import certificate
from ..network import objective
from .cutting import (
    SpikeFreeCuttingPlane,
    _lasso,
    _network,
    _spike_free_cutting_plane,
)

__all__ = ["CuttingVsSampling", "RelaxationGap", "cutting_vs_sampling", "gaussian_relaxation_gap"]


@dataclass(frozen=True)
class CuttingVsSampling:
    """The spike-free cutting plane against sampled activation patterns.

    Attributes
    ----------
    cutting : SpikeFreeCuttingPlane
    num_directions : numpy.ndarray of int, shape (S,)
        Random directions sampled for each restricted convex program.
    num_patterns : numpy.ndarray of int, shape (S,)
        Distinct patterns they gave.
    sampled_values : numpy.ndarray, shape (S,)
        Optimal value of the convex program on those patterns (an upper bound on ``p*``).
    sampled_gap : numpy.ndarray, shape (S,)
        ``(value - lower) / lower`` with ``lower`` the cutting plane's certified lower bound.
    cutting_variables : int
        Variables of the largest working-set lasso (its working-set size).
    sampled_variables : numpy.ndarray of int, shape (S,)
        Variables of each sampled program, ``2 P d``.
    """

    cutting: SpikeFreeCuttingPlane
    num_directions: np.ndarray
    num_patterns: np.ndarray
    sampled_values: np.ndarray
    sampled_gap: np.ndarray
    cutting_variables: int
    sampled_variables: np.ndarray


def cutting_vs_sampling(
    X: object,
    y: object,
    beta: float,
    *,
    num_directions: Sequence[int],
    rng: object,
    num_random: int = 20000,
) -> CuttingVsSampling:
    """Run :func:`spike_free_cutting_plane`, then the convex program on sampled patterns.

    The sampled programs (:func:`twolayer.convex.solve_convex` on
    :func:`twolayer.arrangements.sample_patterns`) give upper bounds on the optimum; their gap
    is measured against the certified lower bound of the cutting plane.

    Returns
    -------
    CuttingVsSampling
    """
    X, y, beta = check_regression(X, y, beta)
    dirs = np.array([check_int(k, "num_directions", low=1) for k in num_directions])
    if dirs.size == 0:
        raise ValueError("num_directions must be a nonempty list of integers")
    gen = as_rng(rng)
    num_random = check_int(num_random, "num_random", low=1)
    cut = _spike_free_cutting_plane(X, y, beta, gen, 50, 1e-6, num_random, "CLARABEL", False)
    lower = cut.certificate.dual
    counts, values = [], []
    for k in dirs:
        pats = sample_patterns(X, int(k), gen)
        counts.append(pats.shape[0])
        values.append(solve_convex(X, y, beta, pats).value)
    values = np.array(values)
    counts = np.array(counts)
    return CuttingVsSampling(
        cutting=cut, num_directions=dirs, num_patterns=counts, sampled_values=values,
        sampled_gap=(values - lower) / lower,
        cutting_variables=int(cut.working_set.max()),
        sampled_variables=2 * counts * X.shape[1],
    )


@dataclass(frozen=True)
class RelaxationGap:
    """Result of :func:`gaussian_relaxation_gap`, one entry per dimension.

    Attributes
    ----------
    dims : numpy.ndarray of int, shape (k,)
    n : int
    relaxed_values : numpy.ndarray, shape (k,)
        Objective of the network of the spike-free cutting plane (an upper bound on the optimum).
    relaxed_gaps : numpy.ndarray, shape (k,)
        Its certified relative gap *for the relaxed problem* (dual constraint over the cone
        ``{Xu >= 0}`` only): how far the run is from the relaxation's own optimum.
    oracle_calls : numpy.ndarray of int, shape (k,)
    searched_values : numpy.ndarray, shape (k,)
        Objective of the network on the searched neurons (any pattern): a second upper bound.
    lower_bounds : numpy.ndarray, shape (k,)
        Dual value of the better of the two scaled residuals, the constraint maximized exactly
        over the cones of the searched patterns (``duality.certificate``).
    relative_gaps : numpy.ndarray, shape (k,)
        ``(relaxed - lower) / relaxed``: at least the relaxation's suboptimality.
    excess : numpy.ndarray, shape (k,)
        ``(relaxed - searched) / relaxed`` (zero when the searched network is not better): the
        relaxation's suboptimality is at least this, certified by a network.
    spike_ratio : numpy.ndarray, shape (k,)
        ``max |v^T (Xu)_+|`` over the searched cones divided by the maximum over the cone
        ``{Xu >= 0}``, for the relaxation's residual ``v``: the factor by which the neurons
        the relaxation discards violate its dual point (``inf`` when the cone is ``{0}``).
    cone_trivial : numpy.ndarray of bool, shape (k,)
        Whether no neuron is active on every sample (the relaxation is the zero network).
    num_patterns : numpy.ndarray of int, shape (k,)
        Patterns whose cones the lower bound searched.
    """

    dims: np.ndarray
    n: int
    relaxed_values: np.ndarray
    relaxed_gaps: np.ndarray
    oracle_calls: np.ndarray
    searched_values: np.ndarray
    lower_bounds: np.ndarray
    relative_gaps: np.ndarray
    excess: np.ndarray
    spike_ratio: np.ndarray
    cone_trivial: np.ndarray
    num_patterns: np.ndarray


def _ascent_directions(
    X: np.ndarray, v: np.ndarray, gen: np.random.Generator, num: int, top: int, steps: int
) -> np.ndarray:
    """Unit directions with large ``|v^T (Xu)_+|``: the best of ``num`` random ones, improved.

    Each of the ``top`` best directions for either sign is moved to ``s X^T D(u) v`` (the
    maximizer of the linear piece ``s v^T D(u) X u`` on the ball) until its pattern repeats.
    A search: it finds large values, never certifies the maximum.
    """
    U = gen.standard_normal((num, X.shape[1]))
    U /= np.linalg.norm(U, axis=1, keepdims=True)
    vals = np.maximum(U @ X.T, 0.0) @ v
    out = []
    for s in (1.0, -1.0):
        for u in U[np.argsort(-s * vals)[:top]]:
            for _ in range(steps):
                g = s * (X.T @ ((X @ u > 0) * v))
                norm = np.linalg.norm(g)
                if norm == 0.0:
                    break
                new = g / norm
                same = np.array_equal(X @ new > 0, X @ u > 0)
                u = new
                if same:
                    break
            out.append(u)
    return np.array(out)


def gaussian_relaxation_gap(
    n: int,
    dims: Sequence[int],
    beta: float,
    rng: object,
    *,
    max_iter: int = 20,
    rounds: int = 6,
    num_search: int = 2000,
    top: int = 10,
    solver: str = "CLARABEL",
) -> RelaxationGap:
    """The spike-free relaxation on Gaussian data of growing dimension, against a lower bound.

    For each ``d``: samples ``x_i ~ N(0, I_d / d)``, labels of a planted two-neuron teacher
    ``(sqrt(d) x.t_1)_+ - (sqrt(d) x.t_2)_+`` (unit ``t_k``) plus noise ``0.1 N(0, 1)``. Then

    1. the spike-free cutting plane (:func:`spike_free_cutting_plane`, ``max_iter`` lassos):
       its network's objective is the relaxation's value, its cone certificate the distance
       to the relaxation's own optimum;
    2. the same outer loop without the relaxation, on neurons of any pattern found by a search
       (random directions improved by :func:`_ascent_directions`), ``rounds`` lassos: a second
       network, an upper bound too, and a better dual point;
    3. a lower bound on the optimum of every network (:func:`twolayer.duality.certificate`):
       each network's residual, scaled so that ``max |v^T (Xu)_+| <= beta``, the maximum taken
       exactly over the cones of all patterns the searches met; the better of the two.

    Ergen and Pilanci (2021, Theorem 5) prove that Gaussian data are spike-free with
    probability tending to one as ``d`` grows (``n`` fixed): the gap should shrink with ``d``.
    For ``d`` well below ``n`` no neuron is active on every sample and the relaxation is the
    zero network.

    The lower bound is certified over the searched cones only: for ``d >= 3`` an exact maximum
    needs every activation pattern (about ``2 sum_{k<d} C(n-1, k)``), far out of reach here.

    Parameters
    ----------
    n : int, >= 2
    dims : sequence of int, each >= 2
    beta : float, > 0
    rng : numpy.random.Generator or int
    max_iter : int
        Lassos of the spike-free cutting plane.
    rounds : int
        Lassos on the searched neurons.
    num_search, top : int
        Random directions of each search, and how many of the best (per sign) are improved.
    solver : str

    Returns
    -------
    RelaxationGap
    """
    n = check_int(n, "n", low=2)
    dims = np.array([check_int(k, "dims", low=2) for k in dims])
    if dims.size == 0:
        raise ValueError("dims must be a nonempty list of integers")
    beta = check_real(beta, "beta", low=0.0, low_open=True)
    max_iter = check_int(max_iter, "max_iter", low=1)
    rounds = check_int(rounds, "rounds", low=1)
    num_search = check_int(num_search, "num_search", low=1)
    top = check_int(top, "top", low=1)
    gen = as_rng(rng)
    cols: dict[str, list] = {k: [] for k in (
        "relaxed", "relaxed_gap", "calls", "searched", "lower", "ratio", "trivial", "patterns")}
    for d in dims:
        d = int(d)
        X = gen.standard_normal((n, d)) / np.sqrt(d)
        T = gen.standard_normal((2, d))
        T *= np.sqrt(d) / np.linalg.norm(T, axis=1, keepdims=True)
        y = np.maximum(X @ T[0], 0.0) - np.maximum(X @ T[1], 0.0) + 0.1 * gen.standard_normal(n)
        cut = _spike_free_cutting_plane(X, y, beta, gen, max_iter, 1e-6, 1, solver, False)
        # the same loop on neurons of any pattern, from a search
        U = np.zeros((0, d))
        v = y
        found = []
        for _ in range(rounds):
            new = _ascent_directions(X, v, gen, num_search, top, 20)
            found.append(new)
            U = np.vstack([U, new])
            Z = np.maximum(U @ X.T, 0.0).T
            w = _lasso(Z, y, beta, solver)
            v = y - Z @ w
        W_s, a_s = _network(U, w)
        v_relaxed = y - np.maximum(X @ cut.W.T, 0.0) @ cut.a
        found.append(_ascent_directions(X, v, gen, num_search, top, 20))
        found.append(_ascent_directions(X, v_relaxed, gen, num_search, top, 20))
        pats = np.unique(np.vstack([np.vstack(found) @ X.T >= 0, np.ones((1, n), bool),
                                    cut.W @ X.T >= 0, W_s @ X.T >= 0]), axis=0)
        c_relaxed = certificate(X, y, cut.W, cut.a, beta, patterns=pats)
        c_searched = certificate(X, y, W_s, a_s, beta, patterns=pats)
        cone = cut.certificate.constraint_max
        cols["relaxed"].append(cut.values[-1])
        cols["relaxed_gap"].append(cut.certificate.relative_gap)
        cols["calls"].append(cut.values.size)
        cols["searched"].append(objective(X, y, W_s, a_s, beta))
        cols["lower"].append(max(c_relaxed.dual, c_searched.dual))
        cols["ratio"].append(c_relaxed.constraint_max / cone if cone > 0 else np.inf)
        cols["trivial"].append(cut.W.shape[0] == 0 and cone <= 1e-9 * np.abs(y).sum())
        cols["patterns"].append(pats.shape[0])
    relaxed = np.array(cols["relaxed"])
    lower = np.array(cols["lower"])
    searched = np.array(cols["searched"])
    return RelaxationGap(
        dims=dims, n=n, relaxed_values=relaxed, relaxed_gaps=np.array(cols["relaxed_gap"]),
        oracle_calls=np.array(cols["calls"]), searched_values=searched, lower_bounds=lower,
        relative_gaps=(relaxed - lower) / relaxed,
        excess=np.maximum(relaxed - searched, 0.0) / relaxed,
        spike_ratio=np.array(cols["ratio"]), cone_trivial=np.array(cols["trivial"]),
        num_patterns=np.array(cols["patterns"]),
    )
