"""The studies of the duality chapter, as functions returning frozen dataclasses.

* :func:`optimal_width_study`: the width of the globally optimal network, read off the convex
  program with all patterns, against the number of samples (Pilanci and Ergen, 2020, bound
  ``m* <= n + 1``).
* :func:`certificate_path`: one SGD run with its duality-gap certificates at checkpoints
  (Pilanci and Ergen, 2020; Ergen and Pilanci, 2021).
* :func:`pattern_sampling_study`: the convex program on the patterns of sampled directions
  against the exact optimum (the practical recipe of Pilanci and Ergen, 2020).

Imports :mod:`twolayer._checks`, :mod:`twolayer.arrangements`, :mod:`twolayer.convex`,
:mod:`twolayer.data`, :mod:`twolayer.network` and the package's ``certificates``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import as_rng, check_int, check_int_sequence, check_real, check_regression
from ..arrangements import _enumerate_patterns_2d, _patterns_from_directions
from ..convex import _solve, merge_neurons, recover_network
from ..data import _circle_teacher_regression
from ..network import _descend, _init_network
from .certificates import Certificate, _certificates

__all__ = [
    "CertificatePath",
    "OptimalWidthStudy",
    "PatternSamplingStudy",
    "certificate_path",
    "optimal_width_study",
    "pattern_sampling_study",
]


@dataclass(frozen=True)
class OptimalWidthStudy:
    """Widths of globally optimal networks against ``n`` (:func:`optimal_width_study`).

    Attributes
    ----------
    ns : numpy.ndarray of int, shape (k,)
        Numbers of samples.
    seeds : numpy.ndarray of int, shape (S,)
        Seed of the data set of each row.
    widths : numpy.ndarray of int, shape (S, k)
        Number of neurons of the recovered optimal network, after merging parallel neurons.
    values : numpy.ndarray, shape (S, k)
        Optimal values ``p*`` of the convex programs.
    beta : float
    """

    ns: np.ndarray
    seeds: np.ndarray
    widths: np.ndarray
    values: np.ndarray
    beta: float


def optimal_width_study(
    ns: object, seeds: object, beta: float, *, noise: float = 0.1
) -> OptimalWidthStudy:
    """Width of the globally optimal network on circle data, for each ``n`` and data seed.

    For each seed ``s`` and each ``n`` the data are
    ``data.circle_teacher_regression(n, rng=s, noise=noise)``; the convex program of
    :func:`twolayer.convex.solve_convex` on all ``2n`` patterns (exact enumeration) is solved,
    the network is recovered and parallel neurons are merged
    (:func:`twolayer.convex.merge_neurons`). Its width is at most ``n + 1``
    (Pilanci and Ergen, 2020, Theorem 1, by Caratheodory's theorem).

    Parameters
    ----------
    ns : sequence of int, each ``>= 1``, length k
    seeds : sequence of int, each ``>= 0``, length S
    beta : float, ``> 0``
    noise : float, ``>= 0``

    Returns
    -------
    OptimalWidthStudy
        ``widths`` and ``values`` of shape ``(S, k)``.
    """
    ns = check_int_sequence(ns, "ns", low=1)
    seeds = check_int_sequence(seeds, "seeds", low=0)
    if not ns or not seeds:
        raise ValueError(
            f"ns and seeds must be nonempty, got {len(ns)} sizes and {len(seeds)} seeds"
        )
    beta = check_real(beta, "beta", low=0.0, low_open=True)
    noise = check_real(noise, "noise", low=0.0)
    widths = np.zeros((len(seeds), len(ns)), dtype=int)
    values = np.zeros((len(seeds), len(ns)))
    for s, seed in enumerate(seeds):
        for k, n in enumerate(ns):
            X, y, _, _ = _circle_teacher_regression(n, as_rng(seed), noise)
            sol = _solve(X, y, beta, _enumerate_patterns_2d(X), "CLARABEL", None)
            widths[s, k] = merge_neurons(*recover_network(sol))[1].size
            values[s, k] = sol.value
    return OptimalWidthStudy(
        ns=np.array(ns), seeds=np.array(seeds), widths=widths, values=values, beta=beta
    )


@dataclass(frozen=True)
class CertificatePath:
    """Certificates of optimality along one SGD run (:func:`certificate_path`).

    Attributes
    ----------
    steps : numpy.ndarray of int, shape (K,)
        SGD steps done at each checkpoint.
    primal : numpy.ndarray, shape (K,)
        Objective of the network at each checkpoint.
    basic_gap : numpy.ndarray, shape (K,)
        Relative gap certified by the scaled residual (:func:`certificate`).
    refined_gap : numpy.ndarray, shape (K,)
        Relative gap certified with ``refine=True`` (the better of both bounds).
    basic : Certificate
        The scaled-residual certificate at the last checkpoint.
    refined : Certificate
        The refined certificate at the last checkpoint.
    W : numpy.ndarray, shape (m, d)
    a : numpy.ndarray, shape (m,)
        The network after the last checkpoint.
    """

    steps: np.ndarray
    primal: np.ndarray
    basic_gap: np.ndarray
    refined_gap: np.ndarray
    basic: Certificate
    refined: Certificate
    W: np.ndarray
    a: np.ndarray

    def true_gap(self, optimum: float) -> np.ndarray:
        """True relative suboptimality ``(L_k - p*) / L_k`` for a known optimum, shape (K,)."""
        optimum = check_real(optimum, "optimum")
        return (self.primal - optimum) / self.primal


def certificate_path(
    X: object,
    y: object,
    beta: float,
    width: int,
    rng: object,
    *,
    checkpoints: int,
    steps_per_checkpoint: int,
    lr: float,
    batch_size: int,
) -> CertificatePath:
    """Train a network by minibatch SGD and certify it at checkpoints, without ``p*``.

    One generator seeded by ``rng`` draws the initialization (:func:`twolayer.network.init_network`
    with ``d`` and ``width``) and then every minibatch. Stretch ``k = 0, 1, ...`` runs
    ``steps_per_checkpoint`` SGD steps at step size ``lr / (1 + k / 2)``; after each the
    network is certified twice (:func:`certificate`): by its scaled residual, and with
    ``refine=True`` by the dual vector of the convex program on its own patterns. Both are
    rigorous lower bounds on the optimum by weak duality (Pilanci and Ergen, 2020), so each
    certified gap bounds the true suboptimality from above. ``d = 2`` (exact constraint).

    Parameters
    ----------
    X : array_like, shape (n, 2)
    y : array_like, shape (n,)
    beta : float, ``> 0``
    width : int, ``>= 1``
    rng : numpy.random.Generator or int
    checkpoints : int, ``>= 1``
    steps_per_checkpoint : int, ``>= 1``
    lr : float, ``> 0``
    batch_size : int, in ``[1, n]``

    Returns
    -------
    CertificatePath
        Arrays of length ``checkpoints``.
    """
    X, y, beta = check_regression(X, y, beta)
    if X.shape[1] != 2:
        raise ValueError(f"X must have d = 2 columns (exact certificates), got shape {X.shape}")
    width = check_int(width, "width", low=1)
    checkpoints = check_int(checkpoints, "checkpoints", low=1)
    steps_per = check_int(steps_per_checkpoint, "steps_per_checkpoint", low=1)
    lr = check_real(lr, "lr", low=0.0, low_open=True)
    batch_size = check_int(batch_size, "batch_size", low=1)
    if batch_size > X.shape[0]:
        raise ValueError(f"batch_size must be at most n = {X.shape[0]}, got {batch_size}")
    gen = as_rng(rng)
    W, a = _init_network(2, width, gen, 1.0)
    steps, primal, basic_gap, refined_gap = [], [], [], []
    for k in range(checkpoints):
        (Wb, ab), _, _ = _descend(X, y, W[None], a[None], None, beta, lr / (1 + k / 2),
                                  steps_per, batch_size, gen, steps_per)
        W, a = Wb[0], ab[0]
        basic, refined = _certificates(X, y, W, a, beta, None, False, True)
        steps.append(steps_per * (k + 1))
        primal.append(basic.primal)
        basic_gap.append(basic.relative_gap)
        refined_gap.append(refined.relative_gap)
    return CertificatePath(
        steps=np.array(steps), primal=np.array(primal), basic_gap=np.array(basic_gap),
        refined_gap=np.array(refined_gap), basic=basic, refined=refined, W=W, a=a,
    )


@dataclass(frozen=True)
class PatternSamplingStudy:
    """The convex program on sampled patterns (:func:`pattern_sampling_study`).

    Attributes
    ----------
    num_directions : numpy.ndarray of int, shape (K,)
        Numbers of sampled directions, increasing.
    seeds : numpy.ndarray of int, shape (S,)
        Seed of each draw of directions.
    found : numpy.ndarray of int, shape (S, K)
        Distinct patterns among the first ``num_directions[k]`` directions of draw ``s``.
    values : numpy.ndarray, shape (S, K)
        Optimal value of the program restricted to those patterns (an upper bound on ``p*``).
    excess : numpy.ndarray, shape (S, K)
        ``(values - optimum) / optimum``.
    optimum : float
        The optimum ``p*`` of the program on all patterns, as given.
    """

    num_directions: np.ndarray
    seeds: np.ndarray
    found: np.ndarray
    values: np.ndarray
    excess: np.ndarray
    optimum: float


def pattern_sampling_study(
    X: object,
    y: object,
    beta: float,
    num_directions: object,
    seeds: object,
    optimum: float,
) -> PatternSamplingStudy:
    """What sampling the arrangement costs: restricted optima against the number of directions.

    For each seed a generator draws ``max(num_directions)`` Gaussian directions ``(K_max, d)``
    once; the program of :func:`twolayer.convex.solve_convex` is solved on the distinct
    patterns ``1[X u >= 0]`` of the first ``num_directions[k]`` of them, so the pattern sets of
    one draw are nested and the values non-increasing. A subset of the patterns restricts the
    program, so each value is at least ``optimum`` up to the solver's accuracy (Pilanci and
    Ergen, 2020).

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
    beta : float, ``> 0``
    num_directions : sequence of int, strictly increasing, each ``>= 1``, length K
    seeds : sequence of int, each ``>= 0``, length S
    optimum : float, ``> 0``
        ``p*`` of the program on all patterns, the reference of ``excess``.

    Returns
    -------
    PatternSamplingStudy
        ``found``, ``values`` and ``excess`` of shape ``(S, K)``.
    """
    X, y, beta = check_regression(X, y, beta)
    nums = check_int_sequence(num_directions, "num_directions", low=1)
    if not nums or np.any(np.diff(nums) <= 0):
        raise ValueError(
            f"num_directions must be a nonempty, strictly increasing sequence, got {nums}"
        )
    seeds = check_int_sequence(seeds, "seeds", low=0)
    if not seeds:
        raise ValueError("seeds must hold at least one seed, got an empty sequence")
    optimum = check_real(optimum, "optimum", low=0.0, low_open=True)
    found = np.zeros((len(seeds), len(nums)), dtype=int)
    values = np.zeros((len(seeds), len(nums)))
    excess = np.zeros((len(seeds), len(nums)))
    for s, seed in enumerate(seeds):
        U = as_rng(seed).standard_normal((nums[-1], X.shape[1]))
        for k, num in enumerate(nums):
            sampled = _patterns_from_directions(X, U[:num])
            found[s, k] = sampled.shape[0]
            values[s, k] = _solve(X, y, beta, sampled, "CLARABEL", None).value
            excess[s, k] = (values[s, k] - optimum) / optimum
    return PatternSamplingStudy(
        num_directions=np.array(nums), seeds=np.array(seeds), found=found, values=values,
        excess=excess, optimum=optimum,
    )
