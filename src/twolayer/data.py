"""Deterministic synthetic data sets shared by the chapters.

Every generator takes an ``rng`` (a ``numpy.random.Generator`` or an integer seed) and returns
plain arrays: inputs ``X (n, d)`` (or ``x (n,)`` in one dimension) and targets ``y (n,)``.
Classification labels are ``+1`` and ``-1``, used as regression targets for the squared loss.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_rng, check_int, check_real

__all__ = [
    "circle_regression",
    "gaussian_classification",
    "spiral_classification",
    "teacher_regression",
    "univariate_regression",
]


def univariate_regression(
    n: int, rng: object, noise: float = 0.0, low: float = -1.0, high: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """1-D samples of ``sin(2 pi x) + x / 2`` at sorted, distinct points in ``[low, high]``.

    The points are uniform draws kept at least ``(high - low) / (4 n)`` apart, so that splines
    through them are well posed.

    Returns
    -------
    x : ndarray, shape (n,), sorted increasing
    y : ndarray, shape (n,)
    """
    n = check_int(n, "n", low=2)
    noise = check_real(noise, "noise", low=0.0)
    low = check_real(low, "low")
    high = check_real(high, "high")
    if high <= low:
        raise ValueError(f"high must be > low, got low={low}, high={high}")
    gen = as_rng(rng)
    gap = (high - low) / (4 * n)
    # Spacings: a minimum gap plus a Dirichlet share of the rest keeps points distinct.
    share = gen.dirichlet(np.ones(n + 1)) * ((high - low) - (n - 1) * gap)
    x = low + np.cumsum(share[:n]) + gap * np.arange(n)
    y = np.sin(2 * np.pi * x) + 0.5 * x + noise * gen.standard_normal(n)
    return x, y


def teacher_regression(
    n: int, d: int, m: int, rng: object, noise: float = 0.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Gaussian inputs labelled by a random teacher network ``sum_j a_j relu(w_j . x)``.

    Teacher neurons ``w_j`` are uniform on the unit sphere, ``a_j = +-1`` alternating, and
    ``x ~ N(0, I_d)``.

    Returns
    -------
    X : ndarray, shape (n, d)
    y : ndarray, shape (n,)
    W_teacher : ndarray, shape (m, d)
    a_teacher : ndarray, shape (m,)
    """
    n = check_int(n, "n", low=1)
    d = check_int(d, "d", low=1)
    m = check_int(m, "m", low=1)
    noise = check_real(noise, "noise", low=0.0)
    gen = as_rng(rng)
    W = gen.standard_normal((m, d))
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    a = np.where(np.arange(m) % 2 == 0, 1.0, -1.0)
    X = gen.standard_normal((n, d))
    y = np.maximum(X @ W.T, 0.0) @ a + noise * gen.standard_normal(n)
    return X, y, W, a


def circle_regression(n: int, rng: object, noise: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """2-D inputs on the unit circle at random angles, targets ``cos(3 theta)`` plus noise.

    On the circle a network without biases is a function of the angle alone, which makes the
    fits and the dual constraint easy to draw.

    Returns
    -------
    X : ndarray, shape (n, 2)
    y : ndarray, shape (n,)
    """
    n = check_int(n, "n", low=1)
    noise = check_real(noise, "noise", low=0.0)
    gen = as_rng(rng)
    theta = np.sort(gen.uniform(0.0, 2 * np.pi, size=n))
    X = np.column_stack([np.cos(theta), np.sin(theta)])
    return X, np.cos(3 * theta) + noise * gen.standard_normal(n)


def spiral_classification(
    n: int, rng: object, turns: float = 1.0, noise: float = 0.05
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals in the plane with labels ``+1`` and ``-1`` (``n`` even).

    Returns
    -------
    X : ndarray, shape (n, 2)
    y : ndarray, shape (n,)
    """
    n = check_int(n, "n", low=2)
    if n % 2:
        raise ValueError(f"n must be even (half the points per class), got {n}")
    turns = check_real(turns, "turns", low=0.0, low_open=True)
    noise = check_real(noise, "noise", low=0.0)
    gen = as_rng(rng)
    half = n // 2
    r = np.sqrt(gen.uniform(0.05, 1.0, size=half))
    angle = 2 * np.pi * turns * r
    arm = np.column_stack([r * np.cos(angle), r * np.sin(angle)])
    X = np.vstack([arm, -arm]) + noise * gen.standard_normal((n, 2))
    y = np.concatenate([np.ones(half), -np.ones(half)])
    return X, y


def gaussian_classification(
    n: int, d: int, rng: object, separation: float = 2.0
) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian classes ``N(+-mu, I_d)`` with ``||mu|| = separation / 2``; labels ``+-1``.

    Returns
    -------
    X : ndarray, shape (n, d)
    y : ndarray, shape (n,)
    """
    n = check_int(n, "n", low=2)
    d = check_int(d, "d", low=1)
    separation = check_real(separation, "separation", low=0.0)
    gen = as_rng(rng)
    y = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    mu = np.zeros(d)
    mu[0] = separation / 2
    X = gen.standard_normal((n, d)) + y[:, None] * mu
    return X, y
