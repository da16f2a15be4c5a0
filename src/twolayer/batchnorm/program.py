"""The convex program of a BN network on the basis ``U'`` and the BN network read off its solution.

A BN network on ``X`` is a bias-free ReLU network on the orthonormal ``U'``, so the program of
:mod:`twolayer.convex` on the patterns of ``U'`` is exact for BN networks (Ergen et al., 2022).

Imports :mod:`twolayer._checks`, :mod:`twolayer.convex` and the package's ``_checks`` and
``basis``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._checks import check_int
from ..convex import ConvexSolution, recover_network, solve_convex
from ._checks import check_data
from .basis import _basis

__all__ = ["BNConvexSolution", "recover_bn_network", "solve_bn_convex"]

@dataclass(frozen=True)
class BNConvexSolution:
    """Solution of the convex program of a BN network (:func:`solve_bn_convex`).

    Attributes
    ----------
    value : float
        Optimal value; equals the BN objective of :func:`recover_bn_network`'s network.
    convex : ConvexSolution
        The solution of :func:`twolayer.convex.solve_convex` on the basis ``U'``.
    Uprime : numpy.ndarray, shape (n, k + 1)
    V : numpy.ndarray, shape (d, k)
    Sigma : numpy.ndarray, shape (k,)
        The basis the program was built on (``k = r``, or fewer with ``components``).
    """

    value: float
    convex: ConvexSolution = field(repr=False)
    Uprime: np.ndarray = field(repr=False)
    V: np.ndarray = field(repr=False)
    Sigma: np.ndarray = field(repr=False)

    @property
    def predictions(self) -> np.ndarray:
        """Fitted values on the training batch, shape (n,)."""
        return self.convex.predictions


def _truncate(
    basis: tuple[np.ndarray, np.ndarray, np.ndarray], components: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    Uprime, V, s = basis
    if components is None or components >= s.size:
        return basis
    return np.column_stack([Uprime[:, :components], Uprime[:, -1]]), V[:, :components], \
        s[:components]


def solve_bn_convex(
    X: object,
    y: object,
    beta: float,
    patterns: object,
    *,
    components: int | None = None,
    solver: str = "CLARABEL",
    solver_options: dict | None = None,
) -> BNConvexSolution:
    """Solve the convex program of weight-decay training of a BN ReLU network.

    The program of :func:`twolayer.convex.solve_convex` with the data matrix replaced by the
    whitened basis ``U'`` of :func:`bn_basis` (Ergen et al., 2022)::

        min  1/2 ||sum_i D_i U' (v_i - w_i) - y||^2 + beta sum_i (||v_i|| + ||w_i||)
        s.t. (2 D_i - I) U' v_i >= 0,  (2 D_i - I) U' w_i >= 0,

    with ``D_i`` activation patterns of ``U'`` (all of them: the optimum over BN networks of
    width ``m >= m*``; a subset, e.g. :func:`twolayer.arrangements.sample_patterns` of ``U'``:
    an upper bound, attained by the recovered network).

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
    beta : float, > 0
    patterns : array_like of bool, shape (P, n)
        Patterns ``1[U' u >= 0]`` of the basis (with ``components``: of the truncated basis).
    components : int, optional
        Keep only the ``components`` leading singular directions in ``U'`` (and the constant
        column): the program over BN networks whose first layer lies in the span of the
        leading right singular vectors, a restriction (the book's spectral variant).
    solver, solver_options
        Passed to :func:`twolayer.convex.solve_convex` (e.g. ``solver="ipm"``, the structured
        interior-point method).

    Returns
    -------
    BNConvexSolution
    """
    X, y = check_data(X, y)
    if components is not None:
        components = check_int(components, "components", low=1)
    basis = _truncate(_basis(X), components)
    sol = solve_convex(basis[0], y, beta, patterns, solver=solver, solver_options=solver_options)
    return BNConvexSolution(sol.value, sol, *basis)


def _network_from_coefficients(
    C: np.ndarray, a: np.ndarray, V: np.ndarray, s: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """BN network ``(W, gamma, alpha, a)`` with ``BN(X w_j) = U' c_j`` for the rows ``c_j`` of C."""
    C1 = C[:, :-1]
    gamma = np.linalg.norm(C1, axis=1)
    alpha = C[:, -1].copy()
    W = (C1 / s) @ V.T
    # a neuron with c_{1:r} = 0 outputs the constant alpha/sqrt(n): any w with a non-constant
    # pre-activation will do, with gamma = 0
    flat = gamma == 0.0
    W[flat] = V[:, 0] / s[0]
    # unit-norm rows: BN is scale-invariant in w, and this keeps the network readable
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    return W, gamma, alpha, a.copy()


def recover_bn_network(
    solution: BNConvexSolution, tol: float = 1e-6
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Read a BN network off a solution of the convex program.

    :func:`twolayer.convex.recover_network` gives a balanced ReLU network ``(C, a)`` on ``U'``;
    each row ``c_j`` becomes ``gamma_j = ||c_{j,1:r}||``, ``alpha_j = c_{j,r+1}`` and
    ``w_j = V Sigma^{-1} c_{j,1:r}`` (normalized), so that ``BN(X w_j) = U' c_j`` and
    ``gamma_j^2 + alpha_j^2 = ||c_j||^2 = a_j^2``: the BN objective equals the convex value.

    Parameters
    ----------
    solution : BNConvexSolution
    tol : float
        Relative threshold for a group to count as zero, as in ``recover_network``.

    Returns
    -------
    W (m, d), gamma (m,), alpha (m,), a (m,)
    """
    if not isinstance(solution, BNConvexSolution):
        raise TypeError(
            f"solution must be a BNConvexSolution, got {type(solution).__name__}"
        )
    C, a = recover_network(solution.convex, tol=tol)
    return _network_from_coefficients(C, a, solution.V, solution.Sigma)
