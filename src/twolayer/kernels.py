"""The neural tangent kernel and random features of the two-layer ReLU network; kernel ridge.

Kernels are the linear models a wide network stays close to when its features cannot move
(Jacot, Gabriel & Hongler 2018); here they are compared with gradient descent on the
norm-weighted learner of Li, Ma & Zhang (2020),

    f_W(x) = (1/m) sum_j |w_j| relu(w_j . x),        W (m, d), rows w_j ~ N(0, I/d) at the start,

whose gradient with respect to w_j is ``(1/m) (u_j relu(w_j . x) + |w_j| 1(w_j . x > 0) x)``,
``u_j = w_j / |w_j|``. Its tangent kernel, scaled by m, is

    m K_W(x, z) = (1/m) sum_j [3 relu(w_j . x) relu(w_j . z)
                               + |w_j|^2 1(w_j . x > 0) 1(w_j . z > 0) x . z]

(the two cross terms equal ``relu(w_j . x) relu(w_j . z)`` each), and as m grows it tends to
the closed form of :func:`ntk`, made of the arc-cosine kernels of degree 0 and 1 of
:mod:`twolayer.gaussian`. Random ReLU features ``relu(V x) / sqrt(M)`` with Gaussian ``V``
(Rahimi & Recht 2007) approximate the degree-1 kernel alone: the first layer frozen.

The module also runs the chapter's experiments: held-out losses of gradient descent and of the
two kernels on the ``|x|`` teacher for several dimensions and seeds (:func:`kernel_vs_gd`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.linalg import cho_factor, cho_solve

from ._checks import as_array, as_rng, check_int, check_pair, check_real, check_same_length
from .data import abs_teacher, abs_teacher_samples
from .gaussian.arccos import _arccos
from .network import _value_and_gradient

__all__ = [
    "KernelComparison",
    "LossCurves",
    "NormTrainResult",
    "empirical_ntk",
    "explore_beyond_kernel",
    "feature_ridge",
    "kernel_ridge",
    "kernel_vs_gd",
    "norm_network",
    "ntk",
    "random_relu_features",
    "train_norm_network",
]


# ----------------------------------------------------------------------------- kernels


def _ntk(X: np.ndarray, Z: np.ndarray) -> np.ndarray:
    return (X @ Z.T) * _arccos(X, Z, 0) + (3.0 / X.shape[1]) * _arccos(X, Z, 1)


def ntk(X: object, Z: object) -> np.ndarray:
    """Infinite-width tangent kernel of the norm-weighted learner at ``w_j ~ N(0, I/d)``, times m.

    ``Theta(x, z) = (x . z) k0(x, z) + (3/d) k1(x, z)`` with the arc-cosine kernels of degree 0,
    ``k0 = (pi - t)/(2 pi)``, and degree 1, ``k1 = |x||z| (sin t + (pi - t) cos t)/(2 pi)``
    (Cho & Saul 2009), ``t`` the angle between x and z: the limit of :func:`empirical_ntk` (the
    direction and the norm of a Gaussian ``w`` are independent, ``E|w|^2 = 1``). The familiar
    NTK of ``m^-1/2 sum_j a_j relu(w_j . x)`` with both layers trained (Jacot et al. 2018;
    Arora et al. 2019) is ``k1 + (x . z) k0``: the same two kernels with other weights.

    Parameters
    ----------
    X : array_like, shape (n, d)
    Z : array_like, shape (q, d)

    Returns
    -------
    ndarray, shape (n, q)
    """
    X, Z = check_pair(X, Z, ("X", "Z"))
    return _ntk(X, Z)


def _check_W(W: object, d: int) -> np.ndarray:
    W = as_array(W, "W", ndim=2)
    if W.shape[1] != d or W.shape[0] == 0:
        raise ValueError(f"W must have shape (m, {d}) with m >= 1 (d from X), got {W.shape}")
    return W


def empirical_ntk(X: object, Z: object, W: object) -> np.ndarray:
    """Tangent kernel ``m sum_j grad_{w_j} f_W(x) . grad_{w_j} f_W(z)`` of a finite learner.

    Parameters
    ----------
    X : array_like, shape (n, d)
    Z : array_like, shape (q, d)
    W : array_like, shape (m, d)
        The learner's weights (module docstring for the formula).

    Returns
    -------
    ndarray, shape (n, q)
    """
    X, Z = check_pair(X, Z, ("X", "Z"))
    W = _check_W(W, X.shape[1])
    PX, PZ = X @ W.T, Z @ W.T
    norms2 = np.einsum("ij,ij->i", W, W)
    relu = 3.0 * np.maximum(PX, 0.0) @ np.maximum(PZ, 0.0).T
    steps = ((PX > 0) * norms2) @ (PZ > 0).T.astype(float)
    return (relu + steps * (X @ Z.T)) / W.shape[0]


def random_relu_features(X: object, V: object) -> np.ndarray:
    """Random ReLU features ``relu(V x) / sqrt(M)`` of the rows of X, shape (n, M).

    With rows of ``V (M, d)`` drawn from ``N(0, I_d)``, the features' inner products tend to the
    degree-1 arc-cosine kernel, :func:`twolayer.gaussian.arccos_kernel` of x and z (Rahimi &
    Recht 2008; Cho & Saul 2009): a two-layer network whose first layer is frozen.
    """
    X, V = check_pair(X, V, ("X", "V"))
    return np.maximum(X @ V.T, 0.0) / np.sqrt(V.shape[0])


def _kernel_ridge(K: np.ndarray, y: np.ndarray, ridge: float) -> np.ndarray:
    A = K + ridge * np.eye(K.shape[0])
    return cho_solve(cho_factor(A, lower=True, check_finite=False), y, check_finite=False)


def kernel_ridge(K: object, y: object, ridge: float) -> np.ndarray:
    """Coefficients ``alpha = (K + ridge I)^{-1} y`` of kernel ridge regression.

    The predictor is ``f(x) = sum_i alpha_i k(x, x_i)``, i.e. ``K_test @ alpha`` with
    ``K_test (q, n)``; it minimizes ``|f(X) - y|^2 + ridge |f|_H^2`` (representer theorem).
    Solved by a Cholesky factorization.

    Parameters
    ----------
    K : array_like, shape (n, n)
        Symmetric positive semidefinite kernel matrix of the training inputs.
    y : array_like, shape (n,)
    ridge : float
        ``> 0``.

    Returns
    -------
    ndarray, shape (n,)
    """
    K = as_array(K, "K", ndim=2)
    if K.shape[0] != K.shape[1]:
        raise ValueError(f"K must be square (n, n), got shape {K.shape}")
    y = as_array(y, "y", ndim=1)
    check_same_length(K, "K", y, "y")
    ridge = check_real(ridge, "ridge", low=0.0, low_open=True)
    return _kernel_ridge(K, y, ridge)


def _feature_ridge(Phi: np.ndarray, y: np.ndarray, ridge: float) -> np.ndarray:
    n, M = Phi.shape
    if M <= n:
        return _kernel_ridge(Phi.T @ Phi, Phi.T @ y, ridge)
    return Phi.T @ _kernel_ridge(Phi @ Phi.T, y, ridge)


def feature_ridge(Phi: object, y: object, ridge: float) -> np.ndarray:
    """Ridge regression on features: ``theta = argmin |Phi theta - y|^2 + ridge |theta|^2``.

    ``theta = (Phi^T Phi + ridge I)^{-1} Phi^T y = Phi^T (Phi Phi^T + ridge I)^{-1} y``, solved in
    the smaller of the two dimensions; it is :func:`kernel_ridge` with ``K = Phi Phi^T``.

    Parameters
    ----------
    Phi : array_like, shape (n, M)
    y : array_like, shape (n,)
    ridge : float
        ``> 0``.

    Returns
    -------
    ndarray, shape (M,)
    """
    Phi = as_array(Phi, "Phi", ndim=2)
    y = as_array(y, "y", ndim=1)
    check_same_length(Phi, "Phi", y, "y")
    ridge = check_real(ridge, "ridge", low=0.0, low_open=True)
    return _feature_ridge(Phi, y, ridge)


# ----------------------------------------------------------------------------- the learner


def _norm_forward(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    a = np.sqrt(np.einsum("...ij,...ij->...i", W, W)) / W.shape[-2]
    return (np.maximum(X @ np.swapaxes(W, -1, -2), 0.0) @ a[..., None])[..., 0]


def norm_network(X: object, W: object) -> np.ndarray:
    """The learner ``f_W(x) = (1/m) sum_j |w_j| relu(w_j . x)`` on the rows of X, shape (n,).

    Li, Ma & Zhang (2020), section 2: a two-layer network whose output weight of neuron j is
    tied to ``|w_j| / m``; :func:`twolayer.network.forward` with ``a = |w_j| / m``.
    """
    X = as_array(X, "X", ndim=2)
    W = _check_W(W, X.shape[1])
    return _norm_forward(X, W)


@dataclass(frozen=True)
class NormTrainResult:
    """Gradient descent on the empirical loss of the norm-weighted learner.

    ``train_loss[t]`` and ``test_loss[t]`` (shape (T, R) for R runs trained together) are the
    mean squared errors after ``steps[t]`` steps; ``W`` (R, m, d) are the final weights.
    """

    W: np.ndarray
    steps: np.ndarray
    train_loss: np.ndarray
    test_loss: np.ndarray


def _norm_descent(
    X: np.ndarray, y: np.ndarray, W0: np.ndarray, lr: float, steps: int, record_every: int,
    X_test: np.ndarray, y_test: np.ndarray,
) -> NormTrainResult:
    """Full-batch GD on ``(1/n) |f_W(X) - y|^2`` for a batch ``W0 (R, m, d)``, through the
    network module's gradient with the output weights ``a_j = |w_j| / m`` (chain rule)."""
    W = W0.copy()
    n, m = X.shape[0], W.shape[-2]
    eta = lr * m  # mean-field scaling, as in gaussian.abs_teacher_dynamics
    rec, tr, te = [], [], []
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(steps + 1):
            norms = np.sqrt(np.einsum("rij,rij->ri", W, W))
            a = norms / m
            if t % record_every == 0 or t == steps:
                value = _value_and_gradient(X, y, W, a, 0.0, None)[0]
                if not np.all(np.isfinite(value)):
                    raise FloatingPointError(f"training diverged at step {t}; lower lr (got {lr})")
                rec.append(t)
                tr.append(2.0 * value / n)
                r = _norm_forward(X_test, W) - y_test
                te.append(np.mean(r * r, axis=-1))
            if t == steps:
                break
            _, gW, ga, _ = _value_and_gradient(X, y, W, a, 0.0, None)
            # d a_j / d w_j = w_j / (m |w_j|); the data term of the network module is 1/2 |r|^2.
            grad = gW + (ga / (m * np.where(norms > 0, norms, 1.0)))[..., None] * W
            W -= eta * (2.0 / n) * grad
    return NormTrainResult(W, np.asarray(rec), np.asarray(tr), np.asarray(te))


def train_norm_network(
    X: object,
    y: object,
    W0: object,
    *,
    lr: float,
    steps: int,
    X_test: object,
    y_test: object,
    record_every: int = 100,
) -> NormTrainResult:
    """Full-batch gradient descent on ``(1/n) sum_i (f_W(x_i) - y_i)^2``, with held-out loss.

    The step is ``lr * m`` times the gradient (the mean-field scaling of
    :func:`twolayer.gaussian.abs_teacher_dynamics`). Plain gradient descent, not the truncated
    two-stage Algorithm 1 of Li, Ma & Zhang (2020).

    Parameters
    ----------
    X (n, d), y (n,)
        Training data.
    W0 : array_like, shape (m, d) or (R, m, d)
        Initial weights; R runs are trained together (one array computation).
    lr : float
        ``> 0``.
    steps, record_every : int
    X_test (q, d), y_test (q,)
        Held-out data for the test loss.

    Returns
    -------
    NormTrainResult
        With a run axis of length 1 when ``W0`` is 2-dimensional.
    """
    X = as_array(X, "X", ndim=2)
    y = as_array(y, "y", ndim=1)
    check_same_length(X, "X", y, "y")
    W0 = as_array(W0, "W0")
    if W0.ndim not in (2, 3) or W0.shape[-1] != X.shape[1]:
        raise ValueError(f"W0 must have shape (m, {X.shape[1]}) or (R, m, {X.shape[1]}), "
                         f"got {W0.shape}")
    X_test = as_array(X_test, "X_test", shape=(None, X.shape[1]))
    y_test = as_array(y_test, "y_test", ndim=1)
    check_same_length(X_test, "X_test", y_test, "y_test")
    lr = check_real(lr, "lr", low=0.0, low_open=True)
    steps = check_int(steps, "steps", low=0)
    record_every = check_int(record_every, "record_every", low=1)
    W0 = W0 if W0.ndim == 3 else W0[None]
    return _norm_descent(X, y, W0, lr, steps, record_every, X_test, y_test)


# ----------------------------------------------------------------------------- experiment


@dataclass(frozen=True)
class KernelComparison:
    """Held-out losses on the ``|x|`` teacher: gradient descent against two kernel methods.

    Arrays have shape (len(ds), seeds); ``ntk`` and ``features`` are the best held-out losses
    of kernel ridge over the grid ``ridges`` (an oracle choice, generous to the kernels).
    ``floor`` (len(ds), seeds) is the part of the target's variance above degree 2 in the
    Hermite expansion, ``(1 - 3/pi) sum_i a_i^2``, which a kernel with few samples misses.
    """

    ds: tuple[int, ...]
    n: tuple[int, ...]
    n_test: int
    width: tuple[int, ...]
    n_features: int
    ridges: tuple[float, ...]
    steps: int
    gd: np.ndarray
    ntk: np.ndarray
    features: np.ndarray
    floor: np.ndarray

    @staticmethod
    def concatenate(parts: Sequence[KernelComparison]) -> KernelComparison:
        """One comparison from several over disjoint dimensions with the same settings (the
        chapter runs one dimension per cell)."""
        if not parts:
            raise ValueError("parts must hold at least one KernelComparison, got none")
        first = parts[0]
        join = lambda name: np.concatenate([getattr(p, name) for p in parts])  # noqa: E731
        flat = lambda name: tuple(v for p in parts for v in getattr(p, name))  # noqa: E731
        return KernelComparison(
            flat("ds"), flat("n"), first.n_test, flat("width"), first.n_features, first.ridges,
            first.steps, join("gd"), join("ntk"), join("features"), join("floor"),
        )

    def mean_and_sem(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Mean over seeds and its standard error for ``"gd"``, ``"ntk"`` or ``"features"``."""
        if name not in ("gd", "ntk", "features", "floor"):
            raise ValueError(f"name must be 'gd', 'ntk', 'features' or 'floor', got {name!r}")
        v = getattr(self, name)
        return v.mean(axis=1), v.std(axis=1, ddof=1) / np.sqrt(v.shape[1])


def _best_ridge(K: np.ndarray, y: np.ndarray, K_test: np.ndarray, y_test: np.ndarray,
                ridges: Sequence[float]) -> float:
    best = np.inf
    for lam in ridges:
        r = K_test @ _kernel_ridge(K, y, lam * np.trace(K) / K.shape[0]) - y_test
        best = min(best, float(np.mean(r * r)))
    return best


def _teacher_losses(
    d: int, n: int, m: int, n_test: int, n_features: int, gen: np.random.Generator,
    kappa: float, lr: float, steps: int, record_every: int, ridges: Sequence[float],
) -> tuple[NormTrainResult, float, float, float]:
    """One seed of the comparison: an ``|x|`` teacher, ``n`` training and ``n_test`` held-out
    samples, then gradient descent on ``m`` neurons, NTK ridge and ridge on ``n_features``
    random features. Returns the GD run and the held-out losses of the two kernels and the
    teacher's part above degree 2, ``(1 - 3/pi) sum_i a_i^2``."""
    V, a = abs_teacher(d, gen, kappa=kappa)
    X, y = abs_teacher_samples(n, V, a, gen)
    Xt, yt = abs_teacher_samples(n_test, V, a, gen)
    W0 = gen.standard_normal((1, m, d)) / np.sqrt(d)
    run = _norm_descent(X, y, W0, lr, steps, record_every, Xt, yt)
    ntk_loss = _best_ridge(_ntk(X, X), y, _ntk(Xt, X), yt, ridges)
    F = gen.standard_normal((n_features, d))
    P, Pt = np.maximum(X @ F.T, 0.0), np.maximum(Xt @ F.T, 0.0)
    feature_loss = _best_ridge(P @ P.T, y, Pt @ P.T, yt, ridges)
    return run, ntk_loss, feature_loss, (1.0 - 3.0 / np.pi) * (a @ a)


def kernel_vs_gd(
    ds: Sequence[int],
    *,
    seeds: int,
    n_factor: int,
    rng: object,
    width_factor: int = 4,
    n_test: int = 1000,
    n_features: int = 1000,
    ridges: Sequence[float] = (1e-3, 1e-2, 1e-1),
    lr: float = 0.5,
    steps: int = 2000,
    kappa: float = 2.0,
) -> KernelComparison:
    """For each d and seed: a teacher, n samples, and three learners' held-out losses.

    The learners are gradient descent on the norm-weighted learner with ``m = width_factor d``
    neurons from ``N(0, I/d)`` (:func:`train_norm_network`), kernel ridge with the NTK
    (:func:`ntk`) and ridge on ``n_features`` random ReLU features, both at the best of the
    relative ridges ``ridges`` (times the mean diagonal of the kernel matrix).

    Parameters
    ----------
    ds : sequence of int
        Input dimensions, each ``>= 2``.
    seeds : int
        Teachers and samples per d (``>= 2``, for error bars).
    n_factor : int
        ``n = n_factor d^2`` training samples, the same for the three learners (gradient
        descent has ``m d = width_factor d^2`` parameters to fit).
    rng : Generator or int
    width_factor, n_test, n_features, ridges, lr, steps, kappa
        As described above; ``kappa`` as in :func:`twolayer.data.abs_teacher`.

    Returns
    -------
    KernelComparison
    """
    ds = tuple(check_int(d, "ds[i]", low=2) for d in ds)
    if not ds:
        raise ValueError("ds must hold at least one dimension, got an empty sequence")
    seeds = check_int(seeds, "seeds", low=2)
    n_factor = check_int(n_factor, "n_factor", low=1)
    width_factor = check_int(width_factor, "width_factor", low=1)
    n_test = check_int(n_test, "n_test", low=1)
    n_features = check_int(n_features, "n_features", low=1)
    ridges = tuple(check_real(r, "ridges[i]", low=0.0, low_open=True) for r in ridges)
    if not ridges:
        raise ValueError("ridges must hold at least one value, got an empty sequence")
    lr = check_real(lr, "lr", low=0.0, low_open=True)
    steps = check_int(steps, "steps", low=1)
    kappa = check_real(kappa, "kappa", low=1.0)
    gen = as_rng(rng)
    shape = (len(ds), seeds)
    gd, nt, rf, floor = (np.zeros(shape) for _ in range(4))
    for i, d in enumerate(ds):
        m, n = width_factor * d, n_factor * d * d
        for s in range(seeds):
            run, nt[i, s], rf[i, s], floor[i, s] = _teacher_losses(
                d, n, m, n_test, n_features, gen, kappa, lr, steps, steps, ridges
            )
            gd[i, s] = run.test_loss[-1, 0]
    return KernelComparison(
        ds, tuple(n_factor * d * d for d in ds), n_test, tuple(width_factor * d for d in ds),
        n_features, ridges, steps, gd, nt, rf, floor,
    )


@dataclass(frozen=True)
class LossCurves:
    """One teacher, one sample: the held-out loss of gradient descent over its steps, and the
    held-out losses of NTK ridge and random-feature ridge (best ridge of the grid)."""

    d: int
    n: int
    width: int
    steps: np.ndarray
    gd: np.ndarray
    ntk: float
    features: float
    floor: float


def explore_beyond_kernel(
    d: int,
    n: int,
    width: int,
    *,
    rng: object,
    steps: int = 300,
    n_test: int = 400,
    lr: float = 0.5,
    ridges: Sequence[float] = (1e-3, 1e-2, 1e-1),
) -> LossCurves:
    """Small, fast version of :func:`kernel_vs_gd` for one (d, n, width): the explorer's data.

    Random features number ``n`` (as many as samples). With ``d <= 8``, ``n <= 400``,
    ``width <= 32`` and 300 steps it takes about 0.1 s on one core. ``rng`` (a Generator or an
    integer seed, required) draws the teacher, the samples, the start and the features.

    Returns
    -------
    LossCurves
    """
    d = check_int(d, "d", low=2)
    n = check_int(n, "n", low=2)
    width = check_int(width, "width", low=1)
    steps = check_int(steps, "steps", low=1)
    n_test = check_int(n_test, "n_test", low=1)
    lr = check_real(lr, "lr", low=0.0, low_open=True)
    ridges = tuple(check_real(r, "ridges[i]", low=0.0, low_open=True) for r in ridges)
    if not ridges:
        raise ValueError("ridges must hold at least one value, got an empty sequence")
    run, ntk_loss, feature_loss, floor = _teacher_losses(
        d, n, width, n_test, n, as_rng(rng), 2.0, lr, steps, max(1, steps // 40), ridges
    )
    return LossCurves(
        d, n, width, run.steps, run.test_loss[:, 0], ntk_loss, feature_loss, float(floor)
    )
