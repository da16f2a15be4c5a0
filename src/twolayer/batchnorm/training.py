"""Full-batch gradient descent on BN networks, from given weights or from seeded random starts.

Many runs advance together as one batched array computation.

Imports :mod:`twolayer._checks`, :mod:`twolayer._descent` (the loop of gradient descent) and the
package's ``_checks`` and ``forward``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import check_random_starts, check_real
from .._descent import descend, split_runs
from ._checks import check_data, check_network, check_schedule
from .forward import _centred_value_and_gradient

__all__ = ["BNTrainResult", "train_bn", "train_bn_from_random_inits"]


@dataclass(frozen=True)
class BNTrainResult:
    """Outcome of :func:`train_bn`: final BN network and the objective along the way.

    ``history[t]`` is the objective after ``steps_recorded[t]`` steps.
    """

    W: np.ndarray
    gamma: np.ndarray
    alpha: np.ndarray
    a: np.ndarray
    history: np.ndarray
    steps_recorded: np.ndarray


def _descend(
    X: np.ndarray, y: np.ndarray, params: list[np.ndarray], beta: float, lr: float,
    steps: int, record_every: int,
) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Full-batch GD on a batch of BN networks; returns parameters and history ``(T, R)``.

    The check for constant pre-activations runs at the recorded steps only.
    """
    Xc = X - X.mean(axis=0)
    scale = float(np.linalg.norm(Xc))

    def evaluate(
        params: list[np.ndarray], value: bool, gradient: bool
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        values, *grads = _centred_value_and_gradient(
            Xc, y, *params, beta, scale if value else None
        )
        return values, grads

    return descend(evaluate, params, lr, steps, record_every)


def train_bn(
    X: object, y: object, W: object, gamma: object, alpha: object, a: object, beta: float,
    *, lr: float, steps: int, record_every: int = 1,
) -> BNTrainResult:
    """Minimize :func:`bn_objective` by full-batch gradient descent from ``(W, gamma, alpha, a)``.

    BN statistics are those of the whole batch ``X`` at every step. With ``z = Sigma V^T w``
    a step in ``w`` moves ``z`` by ``-lr Sigma^2 grad_z``: gradient descent is
    ``Sigma^2``-preconditioned in the whitened coordinates and learns the leading singular
    directions first (the algorithmic bias that Ergen et al., 2022, describe).

    Raises
    ------
    FloatingPointError
        If the iterates diverge; ValueError if a neuron's pre-activation becomes constant.
    """
    X, y = check_data(X, y)
    W, gamma, alpha, a = check_network(W, gamma, alpha, a, X.shape[1])
    beta = check_real(beta, "beta", low=0.0)
    schedule = check_schedule(lr, steps, record_every)
    done = split_runs(*_descend(
        X, y, [W[None], gamma[None], alpha[None], a[None]], beta, *schedule
    ))
    params, history, recorded = done[0]
    return BNTrainResult(*params, history, recorded)


def _init_bn(d: int, m: int, runs: int, gen: np.random.Generator, scale: float):
    W = gen.standard_normal((runs, m, d)) / np.sqrt(d)
    gamma = gen.normal(scale=scale / np.sqrt(m), size=(runs, m))
    alpha = gen.normal(scale=scale / np.sqrt(m), size=(runs, m))
    a = gen.normal(scale=scale / np.sqrt(m), size=(runs, m))
    return [W, gamma, alpha, a]


def train_bn_from_random_inits(
    X: object, y: object, m: int, beta: float, *, runs: int, rng: object, lr: float,
    steps: int, scale: float = 1.0, record_every: int = 1,
) -> list[BNTrainResult]:
    """Train ``runs`` width-``m`` BN networks from independent random starts, all at once.

    ``w_j ~ N(0, I_d / d)``, and ``gamma_j, alpha_j, a_j ~ N(0, scale^2 / m)``; one generator
    seeded by ``rng`` draws every start. The runs advance together as one batched array
    computation (see :func:`train_bn`).

    Returns
    -------
    list of BNTrainResult, one per run
    """
    X, y = check_data(X, y)
    beta = check_real(beta, "beta", low=0.0)
    m, runs, scale, gen = check_random_starts(m, runs, scale, rng)
    schedule = check_schedule(lr, steps, record_every)
    done = split_runs(*_descend(
        X, y, _init_bn(X.shape[1], m, runs, gen, scale), beta, *schedule
    ))
    return [BNTrainResult(*params, history, recorded) for params, history, recorded in done]
