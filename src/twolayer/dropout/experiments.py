"""The grids of the chapter "Dropout flows", as functions returning frozen dataclasses.

* :func:`rate_grid`: the closed-form local rate of the flow for one output over a grid of keep
  probabilities and widths (the corollary "How the rate depends on p and m" of the chapter).
* :func:`flow_rate_study`: the measured local rate of the gradient flow from a perturbed
  minimizer against ``2 lambda_min^+`` of the Hessian where the flow ends (Senen-Cerda and
  Sanders, 2022), for several keep probabilities.
* :func:`single_output_flow_study`: for one output, the closed-form rate at a balanced minimizer
  against the Hessian there and against flows started at a balanced perturbation.
* :func:`sgd_against_flow`: stochastic Dropout at several step sizes against the gradient flow
  of the expected objective from the same start (Senen-Cerda and Sanders, 2020).
* :func:`shrinkage_paths`: the singular values of the closed-form minimizer along the keep
  probability at one width and along the width at one keep probability (Mianjy, Arora and
  Vidal, 2018, Theorem 2.5; Cavazza et al., 2018, Theorem 2).

Imports only :mod:`twolayer._checks` and the package's other modules.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import as_array, as_rng, check_int, check_int_sequence, check_real
from ._checks import check_expected_problem, check_keep_probability, check_regression_data
from .minimizer import _dropout_minimizer, _rebalance
from .rates import FlowResult, _fit_rate, _gradient_flow, _hessian_rate, _single_output_rate
from .training import RunResult, _dropout_sgd

__all__ = [
    "FlowRateStudy",
    "RateGrid",
    "SgdAgainstFlow",
    "ShrinkagePaths",
    "SingleOutputFlowStudy",
    "flow_rate_study",
    "rate_grid",
    "sgd_against_flow",
    "shrinkage_paths",
    "single_output_flow_study",
]


def _check_ps(ps: object, name: str) -> np.ndarray:
    ps = as_array(ps, name, ndim=1)
    if ps.size == 0:
        raise ValueError(f"{name} must hold at least one keep probability, got an empty array")
    for i, p in enumerate(ps):
        if not 0.0 < p <= 1.0:
            raise ValueError(f"{name} must lie in (0, 1], got {name}[{i}] = {p}")
    return ps


def _check_widths(widths: object, name: str) -> np.ndarray:
    out = check_int_sequence(widths, name, low=1)
    if not out:
        raise ValueError(f"{name} must hold at least one width, got an empty sequence")
    return np.array(out)


@dataclass(frozen=True)
class RateGrid:
    """Closed-form rates of the Dropout flow for one output (:func:`rate_grid`).

    Attributes
    ----------
    ps : numpy.ndarray, shape (P,)
        Keep probabilities.
    widths : numpy.ndarray of int, shape (M,)
    rates : numpy.ndarray, shape (M, P)
        ``rates[i, j]``: the rate of ``L - L*`` at a balanced global minimizer of width
        ``widths[i]`` and keep probability ``ps[j]`` (:func:`single_output_rate`).
    """

    ps: np.ndarray
    widths: np.ndarray
    rates: np.ndarray

    def at_width(self, width: int) -> np.ndarray:
        """The rates along ``ps`` at one of the grid's widths, shape (P,)."""
        width = check_int(width, "width", low=1)
        hits = np.flatnonzero(self.widths == width)
        if hits.size == 0:
            raise ValueError(f"width must be one of {self.widths.tolist()}, got {width}")
        return self.rates[hits[0]]

    def at_p(self, p: float) -> np.ndarray:
        """The rates along ``widths`` at one of the grid's keep probabilities, shape (M,)."""
        p = check_keep_probability(p)
        hits = np.flatnonzero(self.ps == p)
        if hits.size == 0:
            raise ValueError(f"p must be one of {self.ps.tolist()}, got {p}")
        return self.rates[:, hits[0]]


def rate_grid(X: object, y: object, ps: object, widths: object) -> RateGrid:
    """The closed-form local rate of the flow for one output, over keep probabilities and widths.

    Entry ``(i, j)`` is ``2 lambda_min^+`` at a balanced global minimizer (the theorem "The rate
    for one output" of the chapter; for whitened data ``4 p (1-p) ||X^T y|| / (1 + (m-1) p)``,
    largest at ``p* = 1 / (1 + sqrt m)`` for ``m >= 2``), as :func:`single_output_rate` returns.

    Parameters
    ----------
    X : array_like, shape (n, d), full column rank
    y : array_like, shape (n,) or (n, 1)
    ps : array_like, shape (P,), each in ``(0, 1]``
    widths : sequence of int, each ``>= 1``, length M

    Returns
    -------
    RateGrid
        ``rates`` of shape ``(M, P)``.
    """
    X, Y = check_regression_data(X, y)
    if Y.shape[1] != 1:
        raise ValueError(f"rate_grid needs one output, got Y with shape {Y.shape}")
    ps = _check_ps(ps, "ps")
    widths = _check_widths(widths, "widths")
    rates = np.array([[_single_output_rate(X, Y, float(p), int(m))[0] for p in ps]
                      for m in widths])
    return RateGrid(ps=ps, widths=widths, rates=rates)


@dataclass(frozen=True)
class ShrinkagePaths:
    """Singular values of the closed-form Dropout minimizer along ``p`` and ``m``.

    Attributes
    ----------
    ps : numpy.ndarray, shape (P,)
        Keep probabilities of the first path, at width ``m_fixed``.
    widths : numpy.ndarray of int, shape (M,)
        Widths of the second path, at keep probability ``p_fixed``.
    p_fixed : float
    m_fixed : int
    singular_values : numpy.ndarray, shape (r,)
        Singular values ``sigma_j`` of the whitened data ``Y^T X C^(-1/2)``.
    shrunk_p : numpy.ndarray, shape (P, r)
        ``(sigma_j - theta)_+`` of the minimizer at ``(ps[i], m_fixed)``.
    rank_p : numpy.ndarray of int, shape (P,)
        Its rank.
    shrunk_w : numpy.ndarray, shape (M, r)
        ``(sigma_j - theta)_+`` of the minimizer at ``(p_fixed, widths[i])``.
    threshold_w : numpy.ndarray, shape (M,)
        Its threshold ``theta``.
    """

    ps: np.ndarray
    widths: np.ndarray
    p_fixed: float
    m_fixed: int
    singular_values: np.ndarray
    shrunk_p: np.ndarray
    rank_p: np.ndarray
    shrunk_w: np.ndarray
    threshold_w: np.ndarray


def shrinkage_paths(
    X: object, Y: object, ps: object, widths: object, *, p_fixed: float, m_fixed: int
) -> ShrinkagePaths:
    """How Dropout shrinks the data's singular values, along the keep probability and the width.

    The minimizer of the expected Dropout objective soft-thresholds the singular values of the
    whitened data at ``theta = (1-p) sum_{j<=r} sigma_j / (m p + r (1-p))``
    (:func:`dropout_minimizer`; Mianjy, Arora and Vidal, 2018; Cavazza et al., 2018), which goes to
    zero as ``p -> 1`` and as ``m -> infinity``. Both paths are evaluated in closed form.

    Parameters
    ----------
    X : array_like, shape (n, d), full column rank
    Y : array_like, shape (n, k) or (n,)
    ps : array_like, shape (P,), each in ``(0, 1]``
    widths : sequence of int, each ``>= 1``, length M
    p_fixed : float in ``(0, 1]``
        Keep probability of the path along the widths.
    m_fixed : int, ``>= 1``
        Width of the path along the keep probabilities.

    Returns
    -------
    ShrinkagePaths
    """
    X, Y = check_regression_data(X, Y)
    ps = _check_ps(ps, "ps")
    widths = _check_widths(widths, "widths")
    p_fixed = check_keep_probability(p_fixed)
    m_fixed = check_int(m_fixed, "m_fixed", low=1)
    along_p = [_dropout_minimizer(X, Y, float(p), m_fixed) for p in ps]
    along_w = [_dropout_minimizer(X, Y, p_fixed, int(m)) for m in widths]
    return ShrinkagePaths(
        ps=ps, widths=widths, p_fixed=p_fixed, m_fixed=m_fixed,
        singular_values=along_p[0].singular_values,
        shrunk_p=np.array([s.shrunk for s in along_p]),
        rank_p=np.array([s.rank for s in along_p]),
        shrunk_w=np.array([s.shrunk for s in along_w]),
        threshold_w=np.array([s.threshold for s in along_w]),
    )


@dataclass(frozen=True)
class FlowRateStudy:
    """Measured against predicted local rates of the Dropout flow (:func:`flow_rate_study`).

    Every array has shape ``(P,)``, in the order of ``ps``.

    Attributes
    ----------
    ps : numpy.ndarray
        Keep probabilities.
    width : int
    ranks : numpy.ndarray of int
        Rank ``r`` of the closed-form minimizer.
    minima : numpy.ndarray
        Its objective ``L*``.
    null_dims : numpy.ndarray of int
        Zero eigenvalues of the Hessian where the flow ends (the manifold's dimension).
    measured : numpy.ndarray
        Rate fitted on ``L(t) - L*`` (:func:`fit_rate`).
    predicted : numpy.ndarray
        ``2 lambda_min^+`` of the Hessian where the flow ends (:func:`hessian_rate`).
    flows : tuple of FlowResult
    """

    ps: np.ndarray
    width: int
    ranks: np.ndarray
    minima: np.ndarray
    null_dims: np.ndarray
    measured: np.ndarray
    predicted: np.ndarray
    flows: tuple[FlowResult, ...]

    @property
    def relative_errors(self) -> np.ndarray:
        """``measured / predicted - 1``."""
        return self.measured / self.predicted - 1


def flow_rate_study(
    X: object,
    Y: object,
    ps: object,
    width: int,
    *,
    seed: int,
    scale: float = 1e-2,
    horizon: float = 30.0,
    num: int = 300,
    window: tuple[float, float] = (1e-12, 1e-8),
) -> FlowRateStudy:
    """The local rate of the Dropout gradient flow, measured and predicted by the Hessian.

    For each keep probability ``p``: the closed-form minimizer of width ``width``
    (:func:`dropout_minimizer`) is perturbed by Gaussian noise of standard deviation ``scale``
    (:func:`perturb` with a generator seeded by ``seed``, afresh for every ``p``), the flow is
    integrated up to ``horizon / rate`` with ``rate`` the Hessian's prediction at the minimizer
    (:func:`gradient_flow`, ``num`` samples), the rate of ``L - L*`` is fitted on the samples in
    ``window`` (:func:`fit_rate`) and compared with ``2 lambda_min^+`` of the Hessian where the
    flow ends (:func:`hessian_rate`; Senen-Cerda and Sanders, 2022).

    Parameters
    ----------
    X : array_like, shape (n, d), full column rank
    Y : array_like, shape (n, k) or (n,)
    ps : array_like, shape (P,), each in ``(0, 1)``
    width : int, ``>= 1``
    seed : int, ``>= 0``
    scale : float, ``> 0``
    horizon : float, ``> 0``
        Final time in units of the predicted time constant.
    num : int, ``>= 3``
    window : (float, float), ``0 < low < high``

    Returns
    -------
    FlowRateStudy
    """
    X, Y = check_regression_data(X, Y)
    ps = _check_ps(ps, "ps")
    if np.any(ps == 1.0):
        raise ValueError("ps must lie in (0, 1) (at p = 1 there is no regularizer), got 1.0")
    width = check_int(width, "width", low=1)
    seed = check_int(seed, "seed", low=0)
    scale = check_real(scale, "scale", low=0.0, low_open=True)
    horizon = check_real(horizon, "horizon", low=0.0, low_open=True)
    num = check_int(num, "num", low=3)
    lo, hi = _check_window(window)
    rows, flows = [], []
    for p in ps:
        p = float(p)
        star = _dropout_minimizer(X, Y, p, width)
        gen = as_rng(seed)
        W1 = star.W1 + scale * gen.standard_normal(star.W1.shape)
        W2 = star.W2 + scale * gen.standard_normal(star.W2.shape)
        t_max = horizon / _hessian_rate(X, Y, star.W1, star.W2, p, "dropout", 1e-6).rate
        flow = _gradient_flow(X, Y, W1, W2, p, "dropout", t_max, num, 1e-10, 1e-12)
        measured = _fit_rate(flow.t, flow.objective - star.objective, (lo, hi))
        limit = _hessian_rate(X, Y, flow.W1, flow.W2, p, "dropout", 1e-6)
        rows.append((star.rank, star.objective, limit.null_dim, measured, limit.rate))
        flows.append(flow)
    return FlowRateStudy(
        ps=ps, width=width,
        ranks=np.array([r[0] for r in rows]), minima=np.array([r[1] for r in rows]),
        null_dims=np.array([r[2] for r in rows]), measured=np.array([r[3] for r in rows]),
        predicted=np.array([r[4] for r in rows]), flows=tuple(flows),
    )


def _check_window(window: object) -> tuple[float, float]:
    if not isinstance(window, tuple) or len(window) != 2:
        raise TypeError(f"window must be a pair (low, high), got {window!r}")
    lo = check_real(window[0], "window[0]", low=0.0, low_open=True)
    return lo, check_real(window[1], "window[1]", low=lo, low_open=True)


@dataclass(frozen=True)
class SingleOutputFlowStudy:
    """Rates of the Dropout flow for one output at balanced minimizers.

    Every array has shape ``(M, P)``: width ``widths[i]``, keep probability ``ps[j]``
    (:func:`single_output_flow_study`).

    Attributes
    ----------
    ps : numpy.ndarray, shape (P,)
    widths : numpy.ndarray of int, shape (M,)
    closed : numpy.ndarray
        The closed-form rate (:func:`single_output_rate`).
    hessian : numpy.ndarray
        ``2 lambda_min^+`` of the Hessian at the balanced closed-form minimizer.
    measured : numpy.ndarray
        The rate fitted on a flow from a balanced perturbation of it (:func:`fit_rate`).
    """

    ps: np.ndarray
    widths: np.ndarray
    closed: np.ndarray
    hessian: np.ndarray
    measured: np.ndarray

    @property
    def relative_errors(self) -> np.ndarray:
        """``measured / closed - 1``, shape (M, P)."""
        return self.measured / self.closed - 1


def single_output_flow_study(
    X: object,
    y: object,
    ps: object,
    widths: object,
    *,
    seed: int,
    scale: float = 1e-2,
    horizon: float = 30.0,
    num: int = 300,
    window: tuple[float, float] = (1e-12, 1e-8),
) -> SingleOutputFlowStudy:
    """The closed-form rate for one output against the Hessian and measured flows.

    For each width ``m`` (outer loop) and keep probability ``p`` (inner loop): the closed-form
    minimizer is rebalanced (:func:`rebalance`, ``|u_i| = ||v_i||``), its Hessian rate computed
    (:func:`hessian_rate`), and the flow (:func:`gradient_flow`, ``num`` samples, up to
    ``horizon`` over the closed-form rate) started at its perturbation by noise of standard
    deviation ``scale`` (:func:`perturb`, a generator seeded by ``seed`` afresh each time),
    rebalanced so that the flow keeps it balanced and ends at a balanced minimizer, where the
    closed form (the chapter's theorem "The rate for one output") is exact.

    Parameters
    ----------
    X : array_like, shape (n, d), full column rank
    y : array_like, shape (n,) or (n, 1)
    ps : array_like, shape (P,), each in ``(0, 1)``
    widths : sequence of int, each ``>= 1``, length M
    seed : int, ``>= 0``
    scale, horizon : float, ``> 0``
    num : int, ``>= 3``
    window : (float, float), ``0 < low < high``
        Gaps used by :func:`fit_rate`.

    Returns
    -------
    SingleOutputFlowStudy
    """
    X, Y = check_regression_data(X, y)
    if Y.shape[1] != 1:
        raise ValueError(f"single_output_flow_study needs one output, got Y with shape {Y.shape}")
    ps = _check_ps(ps, "ps")
    if np.any(ps == 1.0):
        raise ValueError("ps must lie in (0, 1) (at p = 1 there is no regularizer), got 1.0")
    widths = _check_widths(widths, "widths")
    seed = check_int(seed, "seed", low=0)
    scale = check_real(scale, "scale", low=0.0, low_open=True)
    horizon = check_real(horizon, "horizon", low=0.0, low_open=True)
    num = check_int(num, "num", low=3)
    window = _check_window(window)
    shape = (widths.size, ps.size)
    closed, hessian, measured = np.empty(shape), np.empty(shape), np.empty(shape)
    for i, m in enumerate(widths):
        for j, p in enumerate(ps):
            m, p = int(m), float(p)
            star = _dropout_minimizer(X, Y, p, m)
            W1b, W2b = _rebalance(star.W1, star.W2)
            closed[i, j] = _single_output_rate(X, Y, p, m)[0]
            hessian[i, j] = _hessian_rate(X, Y, W1b, W2b, p, "dropout", 1e-6).rate
            gen = as_rng(seed)
            W1s = W1b + scale * gen.standard_normal(W1b.shape)
            W2s = W2b + scale * gen.standard_normal(W2b.shape)
            W1s, W2s = _rebalance(W1s, W2s)
            flow = _gradient_flow(X, Y, W1s, W2s, p, "dropout", horizon / closed[i, j], num,
                                  1e-10, 1e-12)
            measured[i, j] = _fit_rate(flow.t, flow.objective - star.objective, window)
    return SingleOutputFlowStudy(ps=ps, widths=widths, closed=closed, hessian=hessian,
                                 measured=measured)


@dataclass(frozen=True)
class SgdAgainstFlow:
    """Stochastic Dropout at several step sizes against the flow (:func:`sgd_against_flow`).

    Attributes
    ----------
    lrs : numpy.ndarray, shape (K,)
        Step sizes, in the order given.
    steps : numpy.ndarray of int, shape (K,)
        Number of steps of each run, ``round(t_max / lr)``: all runs cover the time ``t_max``.
    flow : FlowResult
        The gradient flow of the expected objective from the same start, on ``[0, t_max]``.
    runs : tuple of RunResult, length K
        The stochastic runs; ``runs[k].objective`` is the expected objective at the iterates.
    deviation : numpy.ndarray, shape (K,)
        ``max |L(theta_t) - L(flow(lr t))|`` over the recorded steps of run ``k``.
    excess : numpy.ndarray, shape (K,)
        Mean of ``L(theta_t) - optimum`` over the last ``tail`` records of run ``k``.
    """

    lrs: np.ndarray
    steps: np.ndarray
    flow: FlowResult
    runs: tuple[RunResult, ...]
    deviation: np.ndarray
    excess: np.ndarray


def sgd_against_flow(
    X: object, Y: object, W1: object, W2: object, p: float, lrs: object,
    *, t_max: float, optimum: float, seed: int, records: int = 200, tail: int = 50,
    num: int = 201, kind: str = "dropout",
) -> SgdAgainstFlow:
    """Stochastic Dropout gradient descent at each step size in ``lrs`` against the flow.

    Every run starts at ``(W1, W2)``, takes ``round(t_max / lr)`` steps with a fresh mask each
    (:func:`~twolayer.dropout.dropout_sgd`, masks from a generator seeded ``seed``, the same for
    every run) and records the expected objective ``records`` times; the flow of the expected
    objective (:func:`~twolayer.dropout.gradient_flow`) is sampled at ``num`` times. For small
    steps the iterates follow the flow at time ``lr * step`` and fluctuate around the minimizers
    at a distance of order ``sqrt(lr)`` (Senen-Cerda and Sanders, 2020).

    Parameters
    ----------
    X (n, d), Y (n, k), W1 (m, d), W2 (k, m), p, kind
        As in :func:`~twolayer.dropout.expected_objective`.
    lrs : sequence of float, each ``> 0`` and at most ``t_max / records``
    t_max : float, ``> 0``
    optimum : float
        ``L*``, the reference of ``excess`` (e.g. ``dropout_minimizer(...).objective``).
    seed : int, ``>= 0``
    records : int, ``>= 1``
    tail : int, in ``[1, records + 1]``
    num : int, ``>= 2``

    Returns
    -------
    SgdAgainstFlow
    """
    X, Y, W1, W2, p, kind = check_expected_problem(X, Y, W1, W2, p, kind)
    lrs = as_array(lrs, "lrs", ndim=1)
    t_max = check_real(t_max, "t_max", low=0.0, low_open=True)
    optimum = check_real(optimum, "optimum")
    seed = check_int(seed, "seed", low=0)
    records = check_int(records, "records", low=1)
    tail = check_int(tail, "tail", low=1)
    num = check_int(num, "num", low=2)
    if lrs.size == 0 or np.any(lrs <= 0):
        raise ValueError(f"lrs must be a nonempty sequence of step sizes > 0, got {lrs}")
    steps = np.rint(t_max / lrs).astype(int)
    if np.any(steps < records):
        raise ValueError(f"lrs must be at most t_max / records = {t_max / records:g}, got {lrs}")
    if tail > records + 1:
        raise ValueError(f"tail must be at most records + 1 = {records + 1}, got {tail}")
    flow = _gradient_flow(X, Y, W1, W2, p, kind, t_max, num, 1e-10, 1e-12)
    runs = tuple(
        _dropout_sgd(X, Y, W1, W2, p, kind, float(lr), int(T), as_rng(seed), int(T) // records)
        for lr, T in zip(lrs, steps, strict=True)
    )
    deviation = np.array([
        np.max(np.abs(run.objective - np.interp(lr * run.steps, flow.t, flow.objective)))
        for lr, run in zip(lrs, runs, strict=True)
    ])
    excess = np.array([np.mean(run.objective[-tail:] - optimum) for run in runs])
    return SgdAgainstFlow(lrs=lrs, steps=steps, flow=flow, runs=runs, deviation=deviation,
                          excess=excess)
