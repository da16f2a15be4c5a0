"""Argument checks shared by the modules of :mod:`twolayer.dropout`.

Each public function of the package validates its arguments once with these and then calls the
package's private kernels on checked arrays.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_array, check_real

KINDS = ("dropout", "dropconnect")


def check_keep_probability(p: object) -> float:
    """The keep probability ``p`` in ``(0, 1]``."""
    return check_real(p, "p", low=0.0, high=1.0, low_open=True)


def check_kind(kind: object) -> str:
    """``"dropout"`` or ``"dropconnect"``."""
    if kind not in KINDS:
        raise ValueError(f"kind must be 'dropout' or 'dropconnect', got {kind!r}")
    return str(kind)


def check_regression_data(X: object, Y: object) -> tuple[np.ndarray, np.ndarray]:
    """``X (n, d)`` and targets ``Y (n, k)``; a vector ``y (n,)`` becomes ``Y (n, 1)``."""
    X = as_array(X, "X", ndim=2)
    Y = np.asarray(Y)
    if Y.ndim == 1:
        Y = Y[:, None]
    Y = as_array(Y, "Y", ndim=2)
    if Y.shape[0] != X.shape[0]:
        raise ValueError(
            f"X and Y must have the same number of rows (samples), got {X.shape[0]} and "
            f"{Y.shape[0]}"
        )
    return X, Y


def check_layers(W1: object, W2: object, d: int, k: int | None = None) -> tuple[np.ndarray, ...]:
    """First layer ``W1 (m, d)`` and second layer ``W2 (k, m)`` of a shallow linear network."""
    W1 = as_array(W1, "W1", shape=(None, d))
    W2 = as_array(W2, "W2", shape=(k, W1.shape[0]))
    return W1, W2


def check_linear_network(
    X: object, Y: object, W1: object, W2: object
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Data ``X (n, d)``, ``Y (n, k)`` and layers ``W1 (m, d)``, ``W2 (k, m)`` that fit them."""
    X, Y = check_regression_data(X, Y)
    W1, W2 = check_layers(W1, W2, X.shape[1], Y.shape[1])
    return X, Y, W1, W2


def check_expected_problem(
    X: object, Y: object, W1: object, W2: object, p: object, kind: object
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float, str]:
    """Everything a function of the expected objective takes: data, layers, ``p`` and ``kind``."""
    X, Y, W1, W2 = check_linear_network(X, Y, W1, W2)
    return X, Y, W1, W2, check_keep_probability(p), check_kind(kind)


def check_mask(mask: object, shape: tuple[int, int], kind: str) -> np.ndarray:
    """A 0/1 mask: ``(m,)`` for Dropout, ``(m, d)`` for Dropconnect."""
    want = (shape[0],) if kind == "dropout" else shape
    arr = as_array(mask, "mask", shape=want)
    if not np.all((arr == 0) | (arr == 1)):
        raise ValueError("mask must hold only 0 and 1")
    return arr
