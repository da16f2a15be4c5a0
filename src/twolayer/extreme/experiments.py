"""The experiments of the chapter "Extreme points", as functions returning frozen dataclasses.

* :func:`gd_against_closed_form`: gradient descent from several initializations and scales
  against the closed form of whitened or rank-one data (Ergen and Pilanci, 2021, Theorem 9 and
  Corollary 5).
* :func:`digits_experiment`: their Theorem 15 on whitened digits (scikit-learn's ``load_digits``,
  in small, as the paper did with MNIST and CIFAR-10), against SGD-trained networks.
* :func:`classification_regions`: the decision regions of the minimum-l1 hinge-loss network on
  1-D data (their Corollaries 9-10) against those of the neural tangent kernel.

The spike-free relaxation's own measurements are in :mod:`.relaxation`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cvxpy as cp
import numpy as np

from .._checks import as_array, as_rng, check_int, check_real, check_regression
from ..convex import solve_problem
from ..data import digits_classification
from ..network import init_network, objective, train, train_from_random_inits
from .closed_forms import (
    _check_whitened,
    _rank_one_factors,
    multiclass_objective,
    rank_one_network,
    whiten,
    whitened_multiclass,
    whitened_regression,
)

__all__ = [
    "ClassificationRegions",
    "DigitsExperiment",
    "GDComparison",
    "classification_regions",
    "digits_experiment",
    "gd_against_closed_form",
]


def _check_scales(scales: object) -> np.ndarray:
    scales = as_array(scales, "scales", ndim=1)
    if scales.size == 0 or np.any(scales <= 0):
        raise ValueError(f"scales must be a nonempty list of positive numbers, got {scales}")
    return scales


@dataclass(frozen=True)
class GDComparison:
    """Gradient descent against a closed-form optimum (:func:`gd_against_closed_form`).

    Attributes
    ----------
    kind : str
        ``"whitened"`` or ``"rank_one"``.
    closed_value : float
        Objective of the closed-form network.
    scales : numpy.ndarray, shape (S,)
        Initialization scales.
    finals : numpy.ndarray, shape (S, R)
        Final objective of each run.
    relative_excess : numpy.ndarray, shape (S, R)
        ``(final - closed_value) / closed_value``.
    """

    kind: str
    closed_value: float
    scales: np.ndarray
    finals: np.ndarray
    relative_excess: np.ndarray


def gd_against_closed_form(
    X: object,
    y: object,
    beta: float,
    *,
    kind: str,
    m: int,
    scales: Sequence[float],
    runs: int,
    rng: object,
    lr: float,
    steps: int,
) -> GDComparison:
    """Full-batch gradient descent of width-``m`` networks against the closed form.

    ``kind="whitened"``: networks without bias on whitened data against
    :func:`whitened_regression`; ``kind="rank_one"``: networks with free biases on rank-one
    data against :func:`rank_one_network`. For each initialization scale, ``runs`` runs from
    :func:`twolayer.network.init_network` draws of one generator seeded by ``rng``. Small
    scales start near the saddle at zero, where gradient descent can stall.

    Returns
    -------
    GDComparison
    """
    X, y, beta = check_regression(X, y, beta)
    if kind not in ("whitened", "rank_one"):
        raise ValueError(f"kind must be 'whitened' or 'rank_one', got {kind!r}")
    m = check_int(m, "m", low=1)
    runs = check_int(runs, "runs", low=1)
    scales = _check_scales(scales)
    gen = as_rng(rng)
    if kind == "whitened":
        _check_whitened(X, 1e-8)
        W, a = whitened_regression(X, y, beta)
        closed = objective(X, y, W, a, beta)
    else:
        _rank_one_factors(X, 1e-10)
        W, b, a = rank_one_network(X, y, beta)
        closed = objective(X, y, W, a, beta, b=b)
    finals = np.zeros((scales.size, runs))
    for s, scale in enumerate(scales):
        if kind == "whitened":
            results = train_from_random_inits(X, y, m, beta, runs=runs, rng=gen, lr=lr,
                                              steps=steps, scale=float(scale))
            finals[s] = [r.history[-1] for r in results]
        else:
            for r in range(runs):
                W0, a0, b0 = init_network(X.shape[1], m, gen, scale=float(scale), bias=True)
                res = train(X, y, W0, a0, beta, b=b0, lr=lr, steps=steps, record_every=steps)
                finals[s, r] = res.history[-1]
    return GDComparison(kind=kind, closed_value=float(closed), scales=scales, finals=finals,
                        relative_excess=(finals - closed) / closed)


def _train_vector(
    X: np.ndarray, Y: np.ndarray, W: np.ndarray, A: np.ndarray, beta: float, lr: float,
    steps: int, batch_size: int, gen: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Minibatch SGD on vector-output networks ``W (R, m, d)``, ``A (R, m, K)``, all at once."""
    W, A = W.copy(), A.copy()
    runs, n = W.shape[0], X.shape[0]
    weight = n / batch_size
    for _ in range(steps):
        idx = np.argsort(gen.random((runs, n)), axis=1)[:, :batch_size]
        Xb, Yb = X[idx], Y[idx]  # (R, B, d), (R, B, K)
        Z = Xb @ np.swapaxes(W, -1, -2)  # (R, B, m)
        H = np.maximum(Z, 0.0)
        Rb = weight * (H @ A - Yb)
        gA = np.swapaxes(H, -1, -2) @ Rb + beta * A
        G = (Rb @ np.swapaxes(A, -1, -2)) * (Z > 0)
        gW = np.swapaxes(G, -1, -2) @ Xb + beta * W
        W -= lr * gW
        A -= lr * gA
    if not (np.all(np.isfinite(W)) and np.all(np.isfinite(A))):
        raise FloatingPointError(f"SGD diverged; lower lr (got {lr})")
    return W, A


def _accuracy(X: np.ndarray, labels: np.ndarray, W: np.ndarray, A: np.ndarray) -> float:
    scores = np.maximum(X @ W.T, 0.0) @ A
    return float(np.mean(np.argmax(scores, axis=1) == labels))


@dataclass(frozen=True)
class DigitsExperiment:
    """Theorem 15 on whitened digits against SGD (:func:`digits_experiment`).

    Attributes
    ----------
    n_train, n_test, num_classes, width : int
    beta : float
    closed_value : float
        Objective of the closed-form network (:func:`whitened_multiclass`) on the training set.
    closed_train_accuracy, closed_test_accuracy : float
    sgd_values : numpy.ndarray, shape (R,)
        Final training objective of each SGD run.
    sgd_train_accuracy, sgd_test_accuracy : numpy.ndarray, shape (R,)
    """

    n_train: int
    n_test: int
    num_classes: int
    width: int
    beta: float
    closed_value: float
    closed_train_accuracy: float
    closed_test_accuracy: float
    sgd_values: np.ndarray
    sgd_train_accuracy: np.ndarray
    sgd_test_accuracy: np.ndarray


def digits_experiment(
    *,
    n_train: int,
    beta: float,
    runs: int,
    rng: object,
    m: int = 20,
    lr: float = 0.05,
    steps: int = 3000,
    batch_size: int = 10,
    scale: float = 1.0,
    classes: Sequence[int] = tuple(range(10)),
) -> DigitsExperiment:
    """Whitened digits: the closed form of Theorem 15 against minibatch SGD, several seeds.

    ``n_train <= 64`` training digits (scikit-learn's ``load_digits``, 8 x 8 pixels, drawn
    with ``rng`` by :func:`twolayer.data.digits_classification`) are whitened by
    :func:`whiten` (the same map applied to the test digits), labels one-hot. The closed form
    of :func:`whitened_multiclass` is compared with ``runs`` width-``m`` vector-output networks
    trained by SGD on the objective :func:`multiclass_objective`: objective on the training set
    and accuracy (``argmax`` of the outputs) on both sets. Ergen and Pilanci (2021, section 7)
    ran this with MNIST and CIFAR-10.

    Returns
    -------
    DigitsExperiment
    """
    n_train = check_int(n_train, "n_train", low=2)
    beta = check_real(beta, "beta", low=0.0, low_open=True)
    runs = check_int(runs, "runs", low=1)
    m = check_int(m, "m", low=1)
    lr = check_real(lr, "lr", low=0.0, low_open=True)
    steps = check_int(steps, "steps", low=0)
    batch_size = check_int(batch_size, "batch_size", low=1)
    scale = check_real(scale, "scale", low=0.0, low_open=True)
    if batch_size > n_train:
        raise ValueError(f"batch_size must be at most n_train = {n_train}, got {batch_size}")
    gen = as_rng(rng)
    X, labels, X_test, labels_test = digits_classification(n_train, gen, classes=classes)
    Xw, M = whiten(X)
    Xt = X_test @ M
    K = len(classes)
    Y = np.eye(K)[labels]
    W, A = whitened_multiclass(Xw, Y, beta, tol=1e-6)
    closed = multiclass_objective(Xw, Y, W, A, beta)
    inits = [init_network(Xw.shape[1], m, gen, scale=scale) for _ in range(runs)]
    W0 = np.stack([w for w, _ in inits])
    A0 = np.stack([gen.normal(scale=scale / np.sqrt(m), size=(m, K)) for _ in range(runs)])
    Ws, As = _train_vector(Xw, Y, W0, A0, beta, lr, steps, batch_size, gen)
    values = np.array([multiclass_objective(Xw, Y, Ws[r], As[r], beta) for r in range(runs)])
    return DigitsExperiment(
        n_train=n_train, n_test=int(labels_test.size), num_classes=K, width=m, beta=beta,
        closed_value=closed,
        closed_train_accuracy=_accuracy(Xw, labels, W, A),
        closed_test_accuracy=_accuracy(Xt, labels_test, W, A),
        sgd_values=values,
        sgd_train_accuracy=np.array([_accuracy(Xw, labels, Ws[r], As[r]) for r in range(runs)]),
        sgd_test_accuracy=np.array([_accuracy(Xt, labels_test, Ws[r], As[r])
                                    for r in range(runs)]),
    )


def _ntk(P: np.ndarray, Q: np.ndarray) -> np.ndarray:
    """Two-layer ReLU NTK ``|p||q| kappa(cos)``, ``kappa(u) = u kappa_0(u) + kappa_1(u)``."""
    npn, nq = np.linalg.norm(P, axis=1), np.linalg.norm(Q, axis=1)
    u = np.clip((P @ Q.T) / np.outer(npn, nq), -1.0, 1.0)
    t = np.arccos(u)
    k0 = (np.pi - t) / np.pi
    k1 = (u * (np.pi - t) + np.sqrt(1.0 - u**2)) / np.pi
    return np.outer(npn, nq) * (u * k0 + k1)


@dataclass(frozen=True)
class ClassificationRegions:
    """1-D decision regions: the optimal finite network against the NTK.

    Attributes
    ----------
    x, y : numpy.ndarray, shape (n,)
        Samples and labels ``+-1``.
    grid : numpy.ndarray, shape (G,)
    network : numpy.ndarray, shape (G,)
        Output of the minimum-l1 hinge-loss network on the grid.
    ntk : numpy.ndarray, shape (G,)
        Minimum-norm NTK interpolant of the labels on the grid.
    knots : numpy.ndarray, shape (k,)
        Knots of the network's active neurons (all at samples).
    path_norm : float
        ``||w||_1`` of the network, the minimum over separating networks.
    network_changes, ntk_changes : int
        Number of sign changes on the grid (boundaries between decision regions).
    """

    x: np.ndarray
    y: np.ndarray
    grid: np.ndarray
    network: np.ndarray
    ntk: np.ndarray
    knots: np.ndarray
    path_norm: float
    network_changes: int
    ntk_changes: int


def classification_regions(
    x: object, y: object, grid: object, *, solver: str = "CLARABEL"
) -> ClassificationRegions:
    """Decision regions of the optimal network and of the NTK on 1-D data.

    For hinge loss and vanishing weight decay, the optimal network with biases on 1-D data is
    the minimum-l1 separating combination of the extreme points ``(+-(x - x_j))_+`` (Ergen and
    Pilanci, 2021, Corollaries 9-10 and Theorem 11, the kernel ``K_ij = (x_i - x_j)_+``): the
    linear program ``min ||w||_1 s.t. y_i (K w + t)_i >= 1``. The neural tangent kernel of the
    two-layer ReLU network on the inputs ``(x, 1)`` predicts instead the minimum-norm
    interpolant ``k(x)^T K_ntk^{-1} y`` with ``K_ntk = |z||z'| kappa(cos)`` (arc-cosine kernels of
    degrees 0 and 1). Their sign patterns differ: the finite-width optimum is not the NTK's.

    Parameters
    ----------
    x : array_like, shape (n,)
        Distinct samples.
    y : array_like, shape (n,)
        Labels ``+1`` and ``-1``.
    grid : array_like, shape (G,)
        Where to evaluate both predictors.
    solver : str

    Returns
    -------
    ClassificationRegions
    """
    x = as_array(x, "x", ndim=1)
    y = as_array(y, "y", shape=x.shape)
    grid = as_array(grid, "grid", ndim=1)
    if not np.all(np.isin(y, (-1.0, 1.0))):
        raise ValueError("y must hold labels +1 and -1")
    if np.unique(x).size != x.size:
        raise ValueError("x must hold distinct samples")

    def atoms(t: np.ndarray) -> np.ndarray:
        return np.hstack([np.maximum(t[:, None] - x, 0.0), np.maximum(x - t[:, None], 0.0)])

    w = cp.Variable(2 * x.size)
    t = cp.Variable()
    problem = cp.Problem(cp.Minimize(cp.norm1(w)),
                         [cp.multiply(y, atoms(x) @ w + t) >= 1.0])
    solve_problem(problem, solver, None, "the minimum-l1 separation program")
    wv = np.asarray(w.value, dtype=float)
    active = np.abs(wv) > 1e-7 * np.abs(wv).max()
    f_net = atoms(grid) @ wv + float(t.value)
    Z, G = np.column_stack([x, np.ones_like(x)]), np.column_stack([grid, np.ones_like(grid)])
    f_ntk = _ntk(G, Z) @ np.linalg.solve(_ntk(Z, Z), y)
    knots = np.unique(np.concatenate([x, x])[active])

    def changes(f: np.ndarray) -> int:
        s = np.sign(f)
        return int(np.sum(s[1:] != s[:-1]))

    return ClassificationRegions(
        x=x, y=y, grid=grid, network=f_net, ntk=f_ntk, knots=knots,
        path_norm=float(np.abs(wv).sum()), network_changes=changes(f_net),
        ntk_changes=changes(f_ntk),
    )
