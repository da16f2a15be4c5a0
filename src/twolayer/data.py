"""Deterministic synthetic data sets shared by the chapters, and small real ones.

Every generator takes an ``rng`` (a ``numpy.random.Generator`` or an integer seed) and returns
plain arrays: inputs ``X (n, d)`` (or ``x (n,)`` in one dimension) and targets ``y (n,)``.
Classification labels are ``+1`` and ``-1``, used as regression targets for the squared loss.
Real images come from scikit-learn's bundled digits (read from the installed package, no
download).
"""

from __future__ import annotations

import numpy as np

from ._checks import as_rng, check_int, check_real
from .network import forward

__all__ = [
    "circle_teacher_regression",
    "digits_classification",
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


def circle_teacher_regression(
    n: int, rng: object, noise: float = 0.05
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Points on the unit circle labelled by a three-neuron ReLU teacher plus noise.

    ``x_i = (cos t_i, sin t_i)`` at sorted uniform angles ``t_i``, and
    ``y_i = sum_j a_j relu(w_j . x_i) + noise * N(0, 1)`` with unit teacher neurons at the
    angles ``0.3, 2.2, 4.0`` and output weights ``+1, -1, +1``. A network without bias is
    positively homogeneous, so on the circle it is a function of the angle alone, which
    makes fits, neurons and the dual constraint easy to draw. (The target is in the span of
    ReLU neurons, unlike a pure harmonic ``cos(k t)`` with odd ``k >= 3``, which has no
    component along any ``relu(cos(t - phi))``.)

    Returns
    -------
    X : ndarray, shape (n, 2)
    y : ndarray, shape (n,)
    W_teacher : ndarray, shape (3, 2)
    a_teacher : ndarray, shape (3,)
    """
    n = check_int(n, "n", low=1)
    noise = check_real(noise, "noise", low=0.0)
    gen = as_rng(rng)
    t = np.sort(gen.uniform(0.0, 2 * np.pi, size=n))
    X = np.column_stack([np.cos(t), np.sin(t)])
    angles = np.array([0.3, 2.2, 4.0])
    W_t = np.column_stack([np.cos(angles), np.sin(angles)])
    a_t = np.array([1.0, -1.0, 1.0])
    y = forward(X, W_t, a_t) + noise * gen.standard_normal(n)
    return X, y, W_t, a_t


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


def digits_classification(
    classes: tuple[int, int], n_train: int, rng: object
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Two classes of scikit-learn's 8x8 digits, split at random into training and test images.

    The 1,797 images of ``sklearn.datasets.load_digits`` (Alpaydin & Kaynak's UCI optical
    digits) ship inside scikit-learn; nothing is downloaded. Pixels are scaled from 0..16 to
    ``[0, 1]``; the first class gets label ``+1``, the second ``-1``.

    Parameters
    ----------
    classes : pair of distinct ints in 0..9
    n_train : int
        Number of training images, at least 2 and less than the images of both classes.
    rng : Generator or int
        Draws the split.

    Returns
    -------
    X_train : ndarray, shape (n_train, 64)
    y_train : ndarray, shape (n_train,)
    X_test : ndarray, shape (n_test, 64)
    y_test : ndarray, shape (n_test,)
    """
    from sklearn.datasets import load_digits

    if len(classes) != 2 or classes[0] == classes[1]:
        raise ValueError(f"classes must be two distinct digits, got {classes!r}")
    first, second = (check_int(c, "classes", low=0) for c in classes)
    if max(first, second) > 9:
        raise ValueError(f"classes must be digits 0..9, got {classes!r}")
    n_train = check_int(n_train, "n_train", low=2)
    gen = as_rng(rng)
    images, labels = load_digits(return_X_y=True)
    keep = np.isin(labels, (first, second))
    X = images[keep] / 16.0
    y = np.where(labels[keep] == first, 1.0, -1.0)
    if n_train >= X.shape[0]:
        raise ValueError(
            f"n_train must be less than the {X.shape[0]} images of digits {first} and {second}, "
            f"got {n_train}"
        )
    order = gen.permutation(X.shape[0])
    train, test = order[:n_train], order[n_train:]
    return X[train], y[train], X[test], y[test]
