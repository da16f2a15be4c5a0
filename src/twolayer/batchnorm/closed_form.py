"""The optimal BN network in closed form when the centred data have rank ``n - 1``.

Then ``U'`` is orthogonal and the problem is that of whitened data (Ergen et al., 2022): one
neuron per sign of ``y``, whatever ``X``.

Imports :mod:`twolayer._checks` and the package's ``_checks``, ``basis`` and ``program``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import check_real
from ._checks import check_data
from .basis import _basis
from .program import _network_from_coefficients

__all__ = ["BNClosedForm", "bn_closed_form"]

@dataclass(frozen=True)
class BNClosedForm:
    """The optimal BN network in the over-parameterized regime (:func:`bn_closed_form`).

    Attributes
    ----------
    fit : numpy.ndarray, shape (n,)
        ``(1 - beta/||y+||)_+ y+ - (1 - beta/||y-||)_+ y-``: independent of ``X``.
    value : float
        Optimal objective, ``sum_(+-) (beta ||y_(+-)|| - beta^2/2 if ||y_(+-)|| > beta
        else ||y_(+-)||^2 / 2)``.
    W (m, d), gamma (m,), alpha (m,), a (m,)
        An optimal BN network with at most two neurons.
    """

    fit: np.ndarray
    value: float
    W: np.ndarray
    gamma: np.ndarray
    alpha: np.ndarray
    a: np.ndarray


def _whitened_fit(y: np.ndarray, beta: float) -> tuple[np.ndarray, float]:
    """Optimal fit ``sum_(+-) +-(1 - beta/||y_(+-)||)_+ y_(+-)`` and value for whitened data."""
    fit = np.zeros(y.size)
    value = 0.0
    for sign in (1.0, -1.0):
        part = np.maximum(sign * y, 0.0)
        size = float(np.linalg.norm(part))
        if size > beta:
            fit += sign * (1.0 - beta / size) * part
            value += beta * size - 0.5 * beta**2
        else:
            value += 0.5 * size**2
    return fit, value


def bn_closed_form(X: object, y: object, beta: float) -> BNClosedForm:
    """Optimal BN network when the centred data have rank ``n - 1`` (e.g. ``n <= d``).

    Then ``U'`` is an ``n x n`` orthogonal matrix, ``U' c`` ranges over all of ``R^n`` with
    ``||U' c|| = ||c||``, and the problem is that of whitened data (Ergen et al., 2022):
    with ``y+ = max(y, 0)`` and ``y- = max(-y, 0)`` the optimal fit is
    ``(1 - beta/||y+||)_+ y+ - (1 - beta/||y-||)_+ y-``, one neuron per sign, whatever ``X``.

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
    beta : float, > 0

    Returns
    -------
    BNClosedForm

    Raises
    ------
    ValueError
        If the centred data have rank below ``n - 1`` (use :func:`solve_bn_convex`).
    """
    X, y = check_data(X, y)
    beta = check_real(beta, "beta", low=0.0, low_open=True)
    Uprime, V, s = _basis(X)
    n = X.shape[0]
    if s.size < n - 1:
        raise ValueError(
            f"the closed form needs centred data of rank n - 1 = {n - 1} (e.g. n <= d), got "
            f"rank {s.size}; solve the convex program (solve_bn_convex) instead"
        )
    fit, value = _whitened_fit(y, beta)
    rows, weights = [], []
    for sign in (1.0, -1.0):
        p = np.maximum(sign * fit, 0.0)
        size = float(np.linalg.norm(p))
        if size > 0.0:
            # the neuron relu(u) a with u = p / sqrt(||p||), a = sign sqrt(||p||): balanced
            root = np.sqrt(size)
            rows.append(Uprime.T @ (p / root))
            weights.append(sign * root)
    C = np.array(rows).reshape(-1, s.size + 1)
    W, gamma, alpha, a = _network_from_coefficients(C, np.array(weights), V, s)
    return BNClosedForm(fit, value, W, gamma, alpha, a)
