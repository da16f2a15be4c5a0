"""The two-layer ReLU network, its weight-decay objective, gradients and training.

The network is ``f(x) = sum_j a_j relu(w_j . x + b_j)`` with first layer ``W (m, d)`` (rows are
neurons), second layer ``a (m,)`` and optional biases ``b (m,)``. The training objective is the
squared loss with weight decay on both layers (Pilanci & Ergen 2020, eq. 1)::

    L(W, a, b) = 1/2 ||f(X) - y||^2 + beta/2 (||W||_F^2 + ||a||^2)

The biases are not penalized. Under the rescaling ``(w_j, b_j, a_j) -> (s w_j, s b_j, a_j / s)``
with ``s > 0`` the function is unchanged; minimizing the penalty over ``s`` turns it into the
path norm ``beta sum_j |a_j| ||w_j||`` (Neyshabur, Tomioka & Srebro 2015).

Imports :mod:`twolayer._checks` and :mod:`twolayer._descent` (the loop of gradient descent).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import (
    as_array,
    as_rng,
    check_int,
    check_int_sequence,
    check_random_starts,
    check_real,
    check_same_length,
)
from ._descent import descend, split_runs

__all__ = [
    "RestartStudy",
    "TrainResult",
    "balance",
    "forward",
    "gradient",
    "init_network",
    "objective",
    "path_norm",
    "random_restarts",
    "train",
    "train_from_random_inits",
]


def _check_params(
    W: object, a: object, b: object | None, d: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    W = as_array(W, "W", ndim=2)
    a = as_array(a, "a", shape=(W.shape[0],))
    if d is not None and W.shape[1] != d:
        raise ValueError(f"W must have {d} columns (the input dimension of X), got shape {W.shape}")
    if b is not None:
        b = as_array(b, "b", shape=(W.shape[0],))
    return W, a, b


def _check_data(X: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    X = as_array(X, "X", ndim=2)
    y = as_array(y, "y", ndim=1)
    check_same_length(X, "X", y, "y")
    return X, y


def _preactivation(X: np.ndarray, W: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    """Pre-activations ``X W^T + b`` of shape ``(..., n, m)``.

    ``X (..., n, d)``, ``W (..., m, d)``, ``b (..., m)``; leading axes broadcast.
    """
    Z = X @ np.swapaxes(W, -1, -2)
    if b is not None:
        Z = Z + b[..., None, :]
    return Z


def forward(X: object, W: object, a: object, b: object | None = None) -> np.ndarray:
    """Evaluate ``f(x) = sum_j a_j relu(w_j . x + b_j)`` on the rows of ``X``.

    Parameters
    ----------
    X : array_like, shape (n, d)
    W : array_like, shape (m, d)
    a : array_like, shape (m,)
    b : array_like, shape (m,), optional

    Returns
    -------
    ndarray, shape (n,)
    """
    X = as_array(X, "X", ndim=2)
    W, a, b = _check_params(W, a, b, d=X.shape[1])
    return _forward(X, W, a, b)


def _forward(X: np.ndarray, W: np.ndarray, a: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    return np.maximum(_preactivation(X, W, b), 0.0) @ a


def objective(
    X: object, y: object, W: object, a: object, beta: float, b: object | None = None
) -> float:
    """Weight-decay objective ``1/2 ||f(X) - y||^2 + beta/2 (||W||_F^2 + ||a||^2)``.

    Shapes as in :func:`forward`, ``y (n,)``, ``beta >= 0``. Pilanci & Ergen (2020), eq. (1).
    """
    X, y = _check_data(X, y)
    W, a, b = _check_params(W, a, b, d=X.shape[1])
    beta = check_real(beta, "beta", low=0.0)
    return _objective(X, y, W, a, beta, b)


def _objective(
    X: np.ndarray, y: np.ndarray, W: np.ndarray, a: np.ndarray, beta: float,
    b: np.ndarray | None,
) -> float:
    residual = _forward(X, W, a, b) - y
    return float(0.5 * residual @ residual + 0.5 * beta * (np.sum(W**2) + a @ a))


def _value_and_gradient(
    X: np.ndarray,
    y: np.ndarray,
    W: np.ndarray,
    a: np.ndarray,
    beta: float,
    b: np.ndarray | None,
    data_weight: float = 1.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Objective (data term scaled by ``data_weight``) and its gradient, on validated arrays.

    Leading batch axes run several networks at once: ``W (..., m, d)``, ``a (..., m)``,
    ``b (..., m)``, with ``X (n, d)``, ``y (n,)`` shared or ``X (..., n, d)``, ``y (..., n)``
    per network. Returns the values ``(...)`` and gradients shaped like the parameters.
    """
    Z = _preactivation(X, W, b)
    H = np.maximum(Z, 0.0)
    residual = (H @ a[..., None])[..., 0] - y
    value = 0.5 * data_weight * np.sum(residual**2, axis=-1) + 0.5 * beta * (
        np.sum(W**2, axis=(-2, -1)) + np.sum(a**2, axis=-1)
    )
    residual = data_weight * residual
    ga = (np.swapaxes(H, -1, -2) @ residual[..., None])[..., 0] + beta * a
    # d f / d z_ij = a_j 1[z_ij > 0]; the subgradient 0 is taken at the kink z = 0.
    G = residual[..., :, None] * (Z > 0) * a[..., None, :]
    gW = np.swapaxes(G, -1, -2) @ X + beta * W
    gb = G.sum(axis=-2) if b is not None else None
    return value, gW, ga, gb


def gradient(
    X: object, y: object, W: object, a: object, beta: float, b: object | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Gradient of :func:`objective` with respect to ``(W, a, b)``.

    Returns
    -------
    gW : ndarray, shape (m, d)
    ga : ndarray, shape (m,)
    gb : ndarray, shape (m,) or None
        ``None`` when the network has no biases.

    Notes
    -----
    ReLU is not differentiable at 0; the value 0 is used there, as in every autodiff library.
    Away from those kinks (almost surely for random inputs) this is the exact gradient.
    """
    X, y = _check_data(X, y)
    W, a, b = _check_params(W, a, b, d=X.shape[1])
    beta = check_real(beta, "beta", low=0.0)
    _, gW, ga, gb = _value_and_gradient(X, y, W, a, beta, b)
    return gW, ga, gb


def init_network(
    d: int, m: int, rng: object, scale: float = 1.0, bias: bool = False
) -> tuple[np.ndarray, ...]:
    """Random initialization ``w_j ~ N(0, scale^2 I_d / (d m))``, ``a_j ~ N(0, scale^2 / m)``.

    Both layers have the same size ``scale / sqrt(m)`` per neuron (up to the factor
    ``||x|| / sqrt(d)`` of the inputs), so the network starts roughly balanced and the largest
    stable step size of gradient descent does not shrink with the width.

    Returns ``(W (m, d), a (m,))``, or ``(W, a, b)`` with ``b ~ N(0, scale^2 / (d m))`` when
    ``bias``.
    """
    d = check_int(d, "d", low=1)
    m = check_int(m, "m", low=1)
    scale = check_real(scale, "scale", low=0.0, low_open=True)
    return _init_network(d, m, as_rng(rng), scale, bias)


def _init_network(
    d: int, m: int, gen: np.random.Generator, scale: float, bias: bool = False
) -> tuple[np.ndarray, ...]:
    W = gen.normal(scale=scale / np.sqrt(d * m), size=(m, d))
    a = gen.normal(scale=scale / np.sqrt(m), size=m)
    if bias:
        return W, a, gen.normal(scale=scale / np.sqrt(d * m), size=m)
    return W, a


@dataclass(frozen=True)
class TrainResult:
    """Outcome of :func:`train`: final weights and the objective recorded along the way.

    ``history[t]`` is the full objective after ``steps_recorded[t]`` steps.
    """

    W: np.ndarray
    a: np.ndarray
    b: np.ndarray | None
    history: np.ndarray
    steps_recorded: np.ndarray


def _check_schedule(
    n: int, lr: object, steps: object, batch_size: object, rng: object, record_every: object,
    *, min_steps: int = 0,
) -> tuple[float, int, int | None, np.random.Generator | None, int]:
    lr = check_real(lr, "lr", low=0.0, low_open=True)
    steps = check_int(steps, "steps", low=min_steps)
    record_every = check_int(record_every, "record_every", low=1)
    gen = None
    if batch_size is not None:
        batch_size = check_int(batch_size, "batch_size", low=1)
        if batch_size > n:
            raise ValueError(f"batch_size must be at most n = {n}, got {batch_size}")
        if rng is None:
            raise ValueError("rng must be given for minibatch SGD (batch_size is set)")
        gen = as_rng(rng)
    return lr, steps, batch_size, gen, record_every


def _descend(
    X: np.ndarray,
    y: np.ndarray,
    W: np.ndarray,
    a: np.ndarray,
    b: np.ndarray | None,
    beta: float,
    lr: float,
    steps: int,
    batch_size: int | None,
    gen: np.random.Generator | None,
    record_every: int,
) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """GD or SGD on a batch of networks ``W (R, m, d)``, ``a (R, m)``, ``b (R, m)``, all at once.

    Each network draws its own minibatches. Returns the final ``[W, a]`` (``[W, a, b]`` with
    biases), the recorded objective values ``(T, R)`` and the steps ``(T,)`` at which they were
    recorded (:func:`twolayer._descent.descend`).
    """
    runs, n = W.shape[0], X.shape[0]

    def evaluate(
        params: list[np.ndarray], value: bool, gradient: bool
    ) -> tuple[np.ndarray | None, list[np.ndarray] | None]:
        W, a, b = params[0], params[1], params[2] if len(params) == 3 else None
        values = grads = None
        if value or (gradient and batch_size is None):
            values, gW, ga, gb = _value_and_gradient(X, y, W, a, beta, b)
        if gradient:
            if batch_size is not None:
                idx = np.argsort(gen.random((runs, n)), axis=1)[:, :batch_size]
                _, gW, ga, gb = _value_and_gradient(X[idx], y[idx], W, a, beta, b, n / batch_size)
            grads = [gW, ga] if b is None else [gW, ga, gb]
        return values, grads

    return descend(evaluate, [W, a] if b is None else [W, a, b], lr, steps, record_every)


def train(
    X: object,
    y: object,
    W: object,
    a: object,
    beta: float,
    *,
    lr: float,
    steps: int,
    b: object | None = None,
    batch_size: int | None = None,
    rng: object = None,
    record_every: int = 1,
) -> TrainResult:
    """Minimize :func:`objective` by full-batch gradient descent or minibatch SGD.

    Parameters
    ----------
    X (n, d), y (n,), W (m, d), a (m,), b (m,) or None
        Data and initial weights (not modified).
    beta : float
        Weight decay, ``>= 0``.
    lr : float
        Step size, ``> 0``.
    steps : int
        Number of updates.
    batch_size : int, optional
        ``None`` for full-batch GD; otherwise each step uses a random minibatch of this size,
        with the data term rescaled by ``n / batch_size`` so the stochastic gradient is unbiased.
    rng : Generator or int
        Needed for SGD (minibatch sampling).
    record_every : int
        Record the full objective every this many steps (and at the start and end).

    Raises
    ------
    FloatingPointError
        If the iterates diverge (a non-finite objective), with the step at which it happened.
    """
    X, y = _check_data(X, y)
    W, a, b = _check_params(W, a, b, d=X.shape[1])
    beta = check_real(beta, "beta", low=0.0)
    schedule = _check_schedule(X.shape[0], lr, steps, batch_size, rng, record_every)
    done = split_runs(*_descend(
        X, y, W[None], a[None], None if b is None else b[None], beta, *schedule
    ))
    (W, a, *b), history, recorded = done[0]
    return TrainResult(W, a, b[0] if b else None, history, recorded)


def train_from_random_inits(
    X: object,
    y: object,
    m: int,
    beta: float,
    *,
    runs: int,
    rng: object,
    lr: float,
    steps: int,
    scale: float = 1.0,
    batch_size: int | None = None,
    record_every: int = 1,
) -> list[TrainResult]:
    """Train ``runs`` width-``m`` networks from independent :func:`init_network` draws.

    The non-convex objective has many stationary points, so runs that differ only in their
    initialization (and minibatches) can end at different objective values. Arguments as in
    :func:`train`; one generator seeded by ``rng`` draws every initialization and minibatch.
    All runs advance together as one batched array computation, so ``runs`` networks cost
    little more than one.

    Returns
    -------
    list of TrainResult, one per run
    """
    X, y = _check_data(X, y)
    beta = check_real(beta, "beta", low=0.0)
    m, runs, scale, gen = check_random_starts(m, runs, scale, rng)
    schedule = _check_schedule(
        X.shape[0], lr, steps, batch_size, gen if batch_size else None, record_every
    )
    return _train_from_random_inits(X, y, m, beta, runs, gen, scale, schedule)


def _train_from_random_inits(
    X: np.ndarray,
    y: np.ndarray,
    m: int,
    beta: float,
    runs: int,
    gen: np.random.Generator,
    scale: float,
    schedule: tuple,
) -> list[TrainResult]:
    """:func:`train_from_random_inits` on checked arguments: ``gen`` draws the initializations,
    ``schedule`` is what :func:`_check_schedule` returned (its generator draws the minibatches)."""
    inits = [_init_network(X.shape[1], m, gen, scale) for _ in range(runs)]
    W0 = np.stack([W for W, _ in inits])
    a0 = np.stack([a for _, a in inits])
    done = split_runs(*_descend(X, y, W0, a0, None, beta, *schedule))
    return [TrainResult(W, a, None, history, recorded) for (W, a), history, recorded in done]


@dataclass(frozen=True)
class RestartStudy:
    """Final objectives of training from random initializations (:func:`random_restarts`).

    Attributes
    ----------
    widths : numpy.ndarray of int, shape (k,)
        Widths ``m`` of the networks.
    seeds : numpy.ndarray of int, shape (k,)
        Seed of the generator of each width (initializations and minibatches).
    finals : numpy.ndarray, shape (k, runs)
        Objective :func:`objective` of each run after the last step, one row per width.
    batch_size : int or None
        ``None`` for full-batch gradient descent, else the minibatch size of SGD.
    """

    widths: np.ndarray
    seeds: np.ndarray
    finals: np.ndarray
    batch_size: int | None


def random_restarts(
    X: object,
    y: object,
    widths: object,
    beta: float,
    *,
    seeds: object,
    runs: int,
    lr: float,
    steps: int,
    batch_size: int | None = None,
    scale: float = 1.0,
) -> RestartStudy:
    """Train ``runs`` networks of each width from random initializations; keep the final objectives.

    For width ``widths[k]``, a generator seeded by ``seeds[k]`` draws the ``runs``
    initializations of :func:`init_network` and then the minibatches, exactly as
    :func:`train_from_random_inits` with ``rng=seeds[k]`` does. The objective of weight-decay
    training is not convex in ``(W, a)``, so the runs can stop at different values; the
    convex program of Pilanci and Ergen (2020) gives the value none of them can beat
    (:func:`twolayer.convex.solve_convex`).

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
    widths : sequence of int, each ``>= 1``, length k
    beta : float, ``>= 0``
    seeds : sequence of int, length k
        One seed per width.
    runs : int, ``>= 1``
    lr, steps, batch_size, scale
        As in :func:`train` (``steps >= 1``); ``batch_size=None`` is full-batch gradient
        descent.

    Returns
    -------
    RestartStudy
        ``finals`` of shape ``(k, runs)``.
    """
    X, y = _check_data(X, y)
    beta = check_real(beta, "beta", low=0.0)
    widths = check_int_sequence(widths, "widths", low=1)
    seeds = check_int_sequence(seeds, "seeds", low=0)
    if not widths:
        raise ValueError("widths must hold at least one width, got an empty sequence")
    if len(seeds) != len(widths):
        raise ValueError(
            f"seeds must have one seed per width, got {len(seeds)} seeds for "
            f"{len(widths)} widths"
        )
    runs = check_int(runs, "runs", low=1)
    scale = check_real(scale, "scale", low=0.0, low_open=True)
    lr, steps, batch_size, _, _ = _check_schedule(
        X.shape[0], lr, steps, batch_size, 0, 1, min_steps=1
    )
    finals = np.empty((len(widths), runs))
    for k, (m, seed) in enumerate(zip(widths, seeds, strict=True)):
        gen = as_rng(seed)
        schedule = (lr, steps, batch_size, gen if batch_size else None, steps)
        results = _train_from_random_inits(X, y, m, beta, runs, gen, scale, schedule)
        finals[k] = [r.history[-1] for r in results]
    return RestartStudy(
        widths=np.array(widths), seeds=np.array(seeds), finals=finals, batch_size=batch_size
    )


def path_norm(W: object, a: object) -> float:
    """Path norm ``sum_j |a_j| ||w_j||`` of a network ``W (m, d)``, ``a (m,)``."""
    W, a, _ = _check_params(W, a, None)
    return _path_norm(W, a)


def _path_norm(W: np.ndarray, a: np.ndarray) -> float:
    return float(np.abs(a) @ np.linalg.norm(W, axis=1))


def balance(
    W: object, a: object, b: object | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Rescale each neuron so that ``|a_j| = ||w_j||`` without changing the function.

    Neuron ``j`` becomes ``(s_j w_j, s_j b_j, a_j / s_j)`` with ``s_j = sqrt(|a_j| / ||w_j||)``,
    the minimizer of ``s^2 ||w_j||^2 + a_j^2 / s^2``; the penalty ``(||W||_F^2 + ||a||^2)/2``
    then equals the path norm. Neurons with ``a_j = 0``, or with ``w_j = 0`` and no positive
    bias, contribute nothing to ``f`` and are set to zero (their penalty-minimizing scaling).
    A constant unit (``w_j = 0``, ``b_j > 0``, ``a_j != 0``) has no balanced form and is kept.

    Returns
    -------
    W (m, d), a (m,), b (m,) or None
    """
    W, a, b = _check_params(W, a, b)
    norms = np.linalg.norm(W, axis=1)
    alive = (norms > 0) & (a != 0)
    s = np.zeros_like(a)
    s[alive] = np.sqrt(np.abs(a[alive]) / norms[alive])
    a_out = np.zeros_like(a)
    a_out[alive] = a[alive] / s[alive]
    if b is None:
        return W * s[:, None], a_out, None
    constant = (norms == 0) & (a != 0) & (b > 0)
    s[constant] = 1.0
    a_out[constant] = a[constant]
    return W * s[:, None], a_out, b * s
