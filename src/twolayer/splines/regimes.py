"""Sweeps over the layer ratio: where gradient descent ends, from the kernel regime to the
adaptive one.

Imports only :mod:`twolayer._checks` and the package's other modules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .._checks import as_array, as_rng, check_int, check_real
from ._checks import check_samples
from .dynamics import (
    DynamicsResult,
    _curvature_near_samples,
    _init_univariate,
    _knots_or_nan,
    _spline_distances,
    _train_univariate,
)
from .kernel_limit import _lazy_index

__all__ = ["RatioSweep", "ratio_sweep", "sweep_summary"]


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
    x, y = check_samples(x, y)
    radius = check_real(radius, "radius", low=0.0)
    if len(runs) == 0:
        raise ValueError("runs must hold at least one DynamicsResult, got none")
    for run in runs:
        if not isinstance(run, DynamicsResult):
            raise TypeError(f"runs must hold DynamicsResult objects, got {type(run).__name__}")
    return _sweep_summary(x, y, runs, radius)


def _sweep_summary(
    x: np.ndarray, y: np.ndarray, runs: Sequence[DynamicsResult], radius: float
) -> RatioSweep:
    rows = []
    for run in runs:
        start, end = run.initial, run.final
        ratio = float(np.median(np.abs(start.c) / np.hypot(start.a, start.b)))
        shift = np.abs(_knots_or_nan(end.a, end.b) - _knots_or_nan(start.a, start.b))
        d_cubic, d_linear = _spline_distances(x, y, end, 2001)
        rows.append((ratio, _lazy_index(x, y, start), d_cubic, d_linear,
                     float(np.nanmedian(shift)), _curvature_near_samples(end, x, radius),
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
    x, y = check_samples(x, y)
    ratios = as_array(ratios, "ratios", ndim=1)
    if ratios.size == 0 or np.any(ratios <= 0):
        raise ValueError(f"ratios must hold at least one positive value, got {ratios}")
    width, steps = _check_width(width), check_int(steps, "steps", low=0)
    scale = check_real(scale, "scale", low=0.0, low_open=True)
    tol = check_real(tol, "tol", low=0.0)
    radius = check_real(radius, "radius", low=0.0)
    seed = int(as_rng(rng).integers(2**32))
    runs = [_train_at_ratio(x, y, float(r), width, steps, seed, scale, tol) for r in ratios]
    return _sweep_summary(x, y, runs, radius)


def _check_width(width: object) -> int:
    width = check_int(width, "width", low=2)
    if width % 2:
        raise ValueError(f"width must be even (units come in antisymmetric pairs), got {width}")
    return width


def _train_at_ratio(
    x: np.ndarray, y: np.ndarray, ratio: float, width: int, steps: int,
    rng: int | np.random.Generator, scale: float, tol: float,
) -> DynamicsResult:
    net = _init_univariate(width, ratio, as_rng(rng), scale, (-1.0, 1.0))
    return _train_univariate(x, y, net, steps, None, 1.0, 0.05, tol, max(steps, 1), 10)
