"""Argument checks shared by the modules of :mod:`twolayer.batchnorm`.

Imports only :mod:`twolayer._checks`.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_array, check_int, check_real, check_same_length


def check_data(X: object, y: object | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """A batch ``X (n, d)`` with ``n >= 2`` rows and, when given, targets ``y (n,)``."""
    X = as_array(X, "X", ndim=2)
    if X.shape[0] < 2:
        raise ValueError(f"X must have at least 2 rows (a batch to normalize), got shape {X.shape}")
    if y is None:
        return X, None
    y = as_array(y, "y", ndim=1)
    check_same_length(X, "X", y, "y")
    return X, y


def check_network(
    W: object, gamma: object, alpha: object, a: object, d: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A BN network ``W (m, d)``, ``gamma, alpha, a (m,)`` on inputs of dimension ``d``."""
    W = as_array(W, "W", ndim=2)
    if W.shape[1] != d:
        raise ValueError(f"W must have {d} columns (the input dimension of X), got shape {W.shape}")
    m = W.shape[0]
    gamma = as_array(gamma, "gamma", shape=(m,))
    alpha = as_array(alpha, "alpha", shape=(m,))
    a = as_array(a, "a", shape=(m,))
    return W, gamma, alpha, a


def check_schedule(
    lr: object, steps: object, record_every: object, name: str = "record_every"
) -> tuple[float, int, int]:
    """Step size ``lr > 0``, ``steps >= 0`` and a step count ``>= 1`` of gradient descent
    (``record_every``, or the argument ``name``)."""
    return (
        check_real(lr, "lr", low=0.0, low_open=True),
        check_int(steps, "steps", low=0),
        check_int(record_every, name, low=1),
    )
