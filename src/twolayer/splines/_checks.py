"""Argument checks shared by the modules of :mod:`twolayer.splines`."""

from __future__ import annotations

import numpy as np

from .._checks import as_array, check_same_length


def check_samples(x: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    """1-D samples: ``x (n,)`` strictly increasing (sorted, no duplicates), ``y (n,)``."""
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


def check_knot_range(knot_range: object) -> tuple[float, float]:
    """An interval ``(lo, hi)`` with ``lo < hi``."""
    values = as_array(knot_range, "knot_range", shape=(2,))
    if values[1] <= values[0]:
        raise ValueError(f"knot_range must be an interval (lo, hi) with lo < hi, got {values}")
    return float(values[0]), float(values[1])
