"""Discrete training of a shallow linear network: gradient descent on the expected objective and
stochastic Dropout (or Dropconnect) gradient descent with a fresh mask at every step.

Imports only :mod:`twolayer._checks` and the package's objectives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .._checks import as_rng, check_int, check_real
from ._checks import check_expected_problem
from .objectives import _gram_gradient, _masked_gradient, _objective

__all__ = ["RunResult", "dropout_gradient_descent", "dropout_sgd"]

Direction = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class RunResult:
    """Outcome of a discrete run.

    Attributes
    ----------
    W1 (m, d), W2 (k, m) : final weights
    steps : (T,) array of the recorded step indices
    objective : (T,) array of the expected objective at those steps
    """

    W1: np.ndarray
    W2: np.ndarray
    steps: np.ndarray
    objective: np.ndarray


def dropout_gradient_descent(
    X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray, p: float,
    *, lr: float, steps: int, kind: str = "dropout", record_every: int = 1,
) -> RunResult:
    """Full gradient descent on the *expected* objective, ``theta <- theta - lr grad L(theta)``.

    Records the expected objective at step 0 and every ``record_every`` steps.
    """
    X, Y, W1, W2, p, kind = check_expected_problem(X, Y, W1, W2, p, kind)
    lr, steps, record_every = _check_schedule(lr, steps, record_every)
    return _gradient_descent(X, Y, W1, W2, p, kind, lr, steps, record_every)


def _gradient_descent(
    X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray, p: float, kind: str,
    lr: float, steps: int, record_every: int,
) -> RunResult:
    return _descend(X, Y, W1, W2, p, kind, _gram_gradient(X, Y, p, kind), lr, steps,
                    record_every, "gradient descent")


def dropout_sgd(
    X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray, p: float,
    *, lr: float, steps: int, rng: object, kind: str = "dropout", record_every: int = 1,
) -> RunResult:
    """Stochastic Dropout (or Dropconnect) gradient descent: a fresh mask at every step.

    Each step draws a mask with keep probability ``p`` and steps along
    :func:`~twolayer.dropout.masked_gradient` on the full data. Its mean is the gradient of the
    expected objective, so with small ``lr`` the iterates follow the gradient flow on
    :func:`~twolayer.dropout.expected_objective` at time ``lr * step`` (Senen-Cerda & Sanders
    2020). The recorded values are the *expected* objective at the iterates.
    """
    X, Y, W1, W2, p, kind = check_expected_problem(X, Y, W1, W2, p, kind)
    lr, steps, record_every = _check_schedule(lr, steps, record_every)
    return _dropout_sgd(X, Y, W1, W2, p, kind, lr, steps, as_rng(rng), record_every)


def _dropout_sgd(
    X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray, p: float, kind: str,
    lr: float, steps: int, gen: np.random.Generator, record_every: int,
) -> RunResult:
    shape = (W1.shape[0],) if kind == "dropout" else W1.shape

    def masked_direction(A: np.ndarray, B: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        mask = (gen.random(shape) < p).astype(np.float64)
        return _masked_gradient(X, Y, A, B, mask, kind)

    return _descend(X, Y, W1, W2, p, kind, masked_direction, lr, steps, record_every,
                    "stochastic Dropout")


def _check_schedule(lr: object, steps: object, record_every: object) -> tuple[float, int, int]:
    return (check_real(lr, "lr", low=0.0, low_open=True), check_int(steps, "steps", low=0),
            check_int(record_every, "record_every", low=1))


def _descend(
    X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray, p: float, kind: str,
    direction: Direction, lr: float, steps: int, record_every: int, name: str,
) -> RunResult:
    """Take ``steps`` steps ``theta <- theta - lr direction(theta)``; record the objective."""
    W1, W2 = W1.copy(), W2.copy()
    rec_steps, rec_obj = [0], [_objective(X, Y, W1, W2, p, kind)]
    for t in range(1, steps + 1):
        g1, g2 = direction(W1, W2)
        W1 -= lr * g1
        W2 -= lr * g2
        if t % record_every == 0:
            rec_steps.append(t)
            rec_obj.append(_objective(X, Y, W1, W2, p, kind))
    if not np.all(np.isfinite(rec_obj)):
        raise RuntimeError(f"{name} diverged (lr={lr} too large?)")
    return RunResult(W1, W2, np.array(rec_steps), np.array(rec_obj))
