"""Deterministic synthetic data sets shared by the chapters.

Every generator takes an ``rng`` (a ``numpy.random.Generator`` or an integer seed) and returns
plain arrays: inputs ``X (n, d)`` (or ``x (n,)`` in one dimension) and targets ``y (n,)``.
Classification labels are ``+1`` and ``-1``, used as regression targets for the squared loss.
Real data comes only from inside an installed package (scikit-learn's digits and breast cancer
sets, read from the files it ships; nothing is downloaded).
"""

from __future__ import annotations

import numpy as np

from ._checks import as_array, as_rng, check_int, check_real
from .network import _forward

__all__ = [
    "abs_teacher",
    "abs_teacher_samples",
    "breast_cancer_classification",
    "circle_teacher_regression",
    "digits_classification",
    "dropout_data",
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
    return _circle_teacher_regression(n, as_rng(rng), noise)


def _circle_teacher_regression(
    n: int, gen: np.random.Generator, noise: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    t = np.sort(gen.uniform(0.0, 2 * np.pi, size=n))
    X = np.column_stack([np.cos(t), np.sin(t)])
    angles = np.array([0.3, 2.2, 4.0])
    W_t = np.column_stack([np.cos(angles), np.sin(angles)])
    a_t = np.array([1.0, -1.0, 1.0])
    y = _forward(X, W_t, a_t, None) + noise * gen.standard_normal(n)
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


def dropout_data(
    n: int,
    d: int,
    k: int,
    rng: object,
    *,
    spectrum: tuple[float, ...] | None = None,
    noise: float = 0.1,
    whiten: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic regression data ``Y = X M^T + noise`` for a shallow linear network.

    Parameters
    ----------
    n, d, k : int
        Samples, input dimension, output dimension.
    rng : numpy.random.Generator or int
    spectrum : tuple of float, optional
        Singular values of the teacher ``M (k, d)``; default ``3, 2, 1, 0.5, ...`` (halving
        after the third), truncated to ``min(k, d)`` entries.
    noise : float
        Standard deviation of the Gaussian noise added to the targets.
    whiten : bool
        If true, ``X`` has orthonormal columns, ``X^T X = I_d`` (needs ``n >= d``); otherwise its
        rows are i.i.d. ``N(0, I_d / n)`` so that ``X^T X`` is close to, but not, ``I_d``.

    Returns
    -------
    X : (n, d) array
    Y : (n, k) array
    """
    n = check_int(n, "n", low=1)
    d = check_int(d, "d", low=1)
    k = check_int(k, "k", low=1)
    noise = check_real(noise, "noise", low=0.0)
    gen = as_rng(rng)
    r = min(k, d)
    if spectrum is None:
        base = [3.0, 2.0, 1.0]
        while len(base) < r:
            base.append(base[-1] / 2)
        spectrum = tuple(base[:r])
    s = as_array(spectrum, "spectrum", ndim=1)
    if s.size != r or np.any(s < 0):
        raise ValueError(f"spectrum must hold {r} = min(k, d) non-negative values, got {s}")
    if whiten and n < d:
        raise ValueError(f"whiten=True needs n >= d, got n={n}, d={d}")
    A = gen.standard_normal((n, d))
    X = np.linalg.qr(A)[0] if whiten else A / np.sqrt(n)
    U = np.linalg.qr(gen.standard_normal((k, r)))[0]
    V = np.linalg.qr(gen.standard_normal((d, r)))[0]
    M = (U * s) @ V.T
    Y = X @ M.T + noise * gen.standard_normal((n, k)) / np.sqrt(n)
    return X, Y


def abs_teacher(d: int, rng: object, *, kappa: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """The target ``f*(x) = sum_i a_i |w_i* . x|`` of Li, Ma & Zhang (2020, section 2).

    ``W*`` is a random orthogonal matrix (QR of a Gaussian matrix, signs fixed), and the
    weights ``a_i = u_i / sum_j u_j`` with ``u_i`` uniform on ``[kappa^-1/2, kappa^1/2]``, so that
    ``sum_i a_i = 1`` and ``a_i`` lies in ``[1/(kappa d), kappa/d]`` as the paper assumes.

    Returns
    -------
    W_star : ndarray, shape (d, d)
        Orthonormal rows ``w_i*``.
    a : ndarray, shape (d,)
    """
    d = check_int(d, "d", low=1)
    kappa = check_real(kappa, "kappa", low=1.0)
    gen = as_rng(rng)
    Q, R = np.linalg.qr(gen.standard_normal((d, d)))
    W_star = (Q * np.where(np.diag(R) < 0, -1.0, 1.0)).T
    u = gen.uniform(kappa**-0.5, kappa**0.5, size=d)
    return W_star, u / u.sum()


def abs_teacher_samples(
    n: int, W_star: object, a: object, rng: object
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` samples ``x ~ N(0, I_d)`` with labels ``y = sum_i a_i |w_i* . x|`` (no noise).

    Parameters
    ----------
    n : int
    W_star : array_like, shape (p, d)
    a : array_like, shape (p,)
    rng : Generator or int

    Returns
    -------
    X : ndarray, shape (n, d)
    y : ndarray, shape (n,)
    """
    n = check_int(n, "n", low=1)
    W_star = as_array(W_star, "W_star", ndim=2)
    a = as_array(a, "a", shape=(W_star.shape[0],))
    gen = as_rng(rng)
    X = gen.standard_normal((n, W_star.shape[1]))
    return X, np.abs(X @ W_star.T) @ a


def digits_classification(
    n_train: int, rng: object, classes: object = tuple(range(10)), *, signed: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A small split of scikit-learn's handwritten digits (``load_digits``, 8 x 8 pixels).

    The 1797 digits ship inside scikit-learn (UCI optical recognition of handwritten digits,
    Alpaydin and Kaynak 1998) and load without a download. The digits of the given
    ``classes`` are split into ``n_train`` training samples, as balanced over the classes as
    ``n_train`` allows and drawn with ``rng``, and the rest as test samples. Pixels are scaled
    to ``[0, 1]``; labels are renumbered ``0..K-1`` in the order of ``classes``, or, with
    ``signed`` and two classes, ``+1`` for the first and ``-1`` for the second (targets of the
    squared loss).

    Returns
    -------
    X_train : ndarray, shape (n_train, 64)
    labels_train : ndarray of int (float ``+-1`` with ``signed``), shape (n_train,)
    X_test : ndarray, shape (n_test, 64)
    labels_test : ndarray of int (float ``+-1`` with ``signed``), shape (n_test,)
    """
    from sklearn.datasets import load_digits

    n_train = check_int(n_train, "n_train", low=1)
    cls = as_array(classes, "classes", ndim=1)
    if cls.size == 0 or np.unique(cls).size != cls.size or not np.all(np.isin(cls, range(10))):
        raise ValueError(f"classes must be distinct digits 0..9, got {cls}")
    if signed and cls.size != 2:
        raise ValueError(f"signed labels need two classes, got {cls.size}: {cls}")
    gen = as_rng(rng)
    images, target = load_digits(return_X_y=True)
    X = images / 16.0
    per_class = [np.flatnonzero(target == c) for c in cls.astype(int)]
    total = sum(idx.size for idx in per_class)
    if n_train >= total:
        raise ValueError(
            f"n_train must be below the {total} digits of these classes, got {n_train}"
        )
    quota = np.full(cls.size, n_train // cls.size)
    quota[: n_train % cls.size] += 1
    train_idx, train_lab, test_idx, test_lab = [], [], [], []
    for k, (idx, q) in enumerate(zip(per_class, quota)):
        perm = gen.permutation(idx)
        train_idx.append(perm[:q])
        test_idx.append(perm[q:])
        train_lab.append(np.full(q, k))
        test_lab.append(np.full(perm.size - q, k))
    order = gen.permutation(n_train)
    tr, lt = np.concatenate(train_idx)[order], np.concatenate(train_lab)[order]
    ls = np.concatenate(test_lab)
    if signed:
        lt, ls = 1.0 - 2.0 * lt, 1.0 - 2.0 * ls
    return X[tr], lt, X[np.concatenate(test_idx)], ls


def breast_cancer_classification(
    n_train: int, rng: object, *, components: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A seeded split of scikit-learn's breast cancer set (``load_breast_cancer``, 569 x 30).

    The Wisconsin diagnostic breast cancer data (Street, Wolberg and Mangasarian, 1993) ship
    inside scikit-learn and load without a download: 30 features of the cell nuclei of 569
    biopsies, 212 malignant and 357 benign. A permutation drawn with ``rng`` puts ``n_train``
    samples into the training set and the rest into the test set; every feature is
    standardized with the mean and standard deviation of the *training* samples (the test
    set is scaled the same way, so nothing of it leaks into training). Targets are ``+1`` for
    malignant and ``-1`` for benign, as regression targets of the squared loss.

    Parameters
    ----------
    n_train : int
        Training samples, ``2 <= n_train < 569``.
    rng : Generator or int
        Draws the split.
    components : int, optional
        If given, ``1 <= components <= 30``: the standardized features are replaced by their
        coordinates on the leading ``components`` principal directions of the training set
        (the right singular vectors of the standardized training matrix, signs fixed so that
        the largest entry of each is positive); the test set is projected on the same ones.

    Returns
    -------
    X_train : ndarray, shape (n_train, 30) or (n_train, components)
    y_train : ndarray of float ``+-1``, shape (n_train,)
    X_test : ndarray, shape (569 - n_train, 30) or (569 - n_train, components)
    y_test : ndarray of float ``+-1``, shape (569 - n_train,)
    """
    from sklearn.datasets import load_breast_cancer

    n_train = check_int(n_train, "n_train", low=2)
    gen = as_rng(rng)
    if components is not None:
        components = check_int(components, "components", low=1)
        if components > 30:
            raise ValueError(f"components must be at most the 30 features, got {components}")
    features, target = load_breast_cancer(return_X_y=True)
    if n_train >= target.size:
        raise ValueError(
            f"n_train must be below the {target.size} samples of the set, got {n_train}"
        )
    X_train, y_train, X_test, y_test = _standardized_split(
        features, np.where(target == 0, 1.0, -1.0), n_train, gen)
    if components is not None:
        _, _, Vt = np.linalg.svd(X_train, full_matrices=False)
        basis = Vt[:components].T  # (30, components)
        flip = np.sign(basis[np.argmax(np.abs(basis), axis=0), np.arange(components)])
        basis = basis * flip
        X_train, X_test = X_train @ basis, X_test @ basis
    return X_train, y_train, X_test, y_test


def _standardized_split(
    features: np.ndarray, y: np.ndarray, n_train: int, gen: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Random split into ``n_train`` and the rest, standardized by the training statistics.

    A feature constant on the training samples is centred and left unscaled.
    """
    perm = gen.permutation(y.size)
    train, test = perm[:n_train], perm[n_train:]
    mean = features[train].mean(axis=0)
    std = features[train].std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return ((features[train] - mean) / std, y[train].copy(),
            (features[test] - mean) / std, y[test].copy())
