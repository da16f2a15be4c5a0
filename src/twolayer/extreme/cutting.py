"""The spike-free relaxation and its cutting plane (Ergen and Pilanci, 2021, Algorithms 1 and 3).

The dual of weight-decay training is ``max -1/2 ||v - y||^2 + 1/2 ||y||^2`` subject to
``|v^T (Xu)_+| <= beta`` for all ``||u|| <= 1``: infinitely many constraints. The spike-free
relaxation keeps those with ``Xu >= 0``, where ``(Xu)_+ = Xu`` and the most violated constraint
is a convex problem: ``max {+-v^T X u : Xu >= 0, ||u|| <= 1}`` is the norm of the projection of
``+-X^T v`` onto the cone ``{u : Xu >= 0}``, a nonnegative least-squares problem. Algorithm 1
starts from ``v = y``, adds the maximizer and the minimizer of ``v^T X u`` over that set,
re-solves the dual over the working set (equivalently the lasso over the chosen neurons), and
stops when no constraint is violated. For spike-free data the relaxation is exact (their
Proposition 2), so the stop certifies global optimality; for Gaussian data it becomes exact as
``d`` grows (Theorem 5). With biases (their Algorithm 3) the same runs on the data with a
column of ones. :func:`twolayer.duality.cutting_plane` is the counterpart over activation
patterns, for data that are not spike-free; the two share one outer loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import cvxpy as cp
import numpy as np
from scipy.optimize import nnls

from .._checks import as_array, as_rng, check_int, check_real, check_regression
from ..convex import solve_problem
from ..duality import Certificate, certificate
from ..duality.cutting_plane import _cutting_plane_loop
from ..network import objective

__all__ = ["SpikeFreeCuttingPlane", "random_direction_check", "spike_free_cutting_plane"]


@dataclass(frozen=True)
class SpikeFreeCuttingPlane:
    """History and certificate of :func:`spike_free_cutting_plane`.

    Attributes
    ----------
    W : numpy.ndarray, shape (m, d)
        Balanced first layer of the final network (neurons with ``Xw >= 0``).
    a : numpy.ndarray, shape (m,)
    values : numpy.ndarray, shape (k,)
        Objective of the network of the working set at each oracle call (the first is the zero
        network's ``||y||^2 / 2``, the last the final network's); non-increasing.
    violations : numpy.ndarray, shape (k,)
        Largest relaxed dual constraint ``max {|v^T X u| : Xu >= 0, ||u|| <= 1} / beta`` of the
        iteration's dual vector.
    working_set : numpy.ndarray of int, shape (k,)
        Number of neurons in the working set at each iteration.
    converged : bool
        Whether the last dual vector satisfies the relaxed constraint within ``tol``.
    certificate : twolayer.duality.Certificate
        Gap of the final network from its scaled residual, with the constraint maximized over
        the cone ``{Xu >= 0}``: a rigorous bound on the whole problem for spike-free data.
    random_check : float
        ``max |v_s^T (Xu)_+| / beta`` of the certificate's dual point ``v_s`` over random unit
        directions ``u`` (all of them, not only those with ``Xu >= 0``): at most one, up to
        rounding, when the certificate holds for the unrelaxed problem on those directions.
    num_random : int
        Number of random directions of ``random_check``.
    b : numpy.ndarray, shape (m,), or None
        Biases of the neurons when the method ran with ``bias=True``, else ``None``.
    """

    W: np.ndarray
    a: np.ndarray
    values: np.ndarray
    violations: np.ndarray
    working_set: np.ndarray
    converged: bool
    certificate: Certificate
    random_check: float
    num_random: int
    b: np.ndarray | None = None


def _cone_extremes(X: np.ndarray, v: np.ndarray) -> list[tuple[float, np.ndarray]]:
    """``(value, u)`` for ``max {s v^T X u : Xu >= 0, ||u|| <= 1}``, ``s = +1`` then ``-1``."""
    g = X.T @ v
    out = []
    for s in (1.0, -1.0):
        lam, rnorm = nnls(X.T, -s * g)  # Moreau: ||projection of s g onto the cone||
        proj = s * g + X.T @ lam
        out.append((float(rnorm), proj / rnorm if rnorm > 0 else np.zeros_like(g)))
    return out


def _lasso(Z: np.ndarray, y: np.ndarray, beta: float, solver: str) -> np.ndarray:
    w = cp.Variable(Z.shape[1])
    problem = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(Z @ w - y) + beta * cp.norm1(w)))
    solve_problem(problem, solver, None, "the working-set lasso")
    return np.asarray(w.value, dtype=float)


def _network(U: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keep = np.abs(w) > 1e-12 * max(np.abs(w).max(initial=0.0), 1.0)
    root = np.sqrt(np.abs(w[keep]))
    return U[keep] * root[:, None], np.sign(w[keep]) * root


def _random_ratio(X: np.ndarray, v: np.ndarray, beta: float, gen: np.random.Generator,
                  num: int) -> float:
    U = gen.standard_normal((num, X.shape[1]))
    U /= np.linalg.norm(U, axis=1, keepdims=True)
    return float(np.abs(np.maximum(U @ X.T, 0.0) @ v).max() / beta)


def random_direction_check(
    X: object, v: object, beta: float, rng: object, num: int = 20000
) -> float:
    """``max |v^T (Xu)_+| / beta`` over ``num`` random unit directions ``u``.

    An independent, sampled check of the dual constraint of Ergen and Pilanci (2021), eq. (7):
    a value above one exhibits a direction where ``v`` is infeasible; at most one is
    consistent with feasibility (a sample can miss the maximum, never exceed it).

    Parameters
    ----------
    X : array_like, shape (n, d)
    v : array_like, shape (n,)
    beta : float, > 0
    rng : numpy.random.Generator or int
    num : int, >= 1

    Returns
    -------
    float
    """
    X = as_array(X, "X", ndim=2)
    v = as_array(v, "v", shape=(X.shape[0],))
    beta = check_real(beta, "beta", low=0.0, low_open=True)
    num = check_int(num, "num", low=1)
    return _random_ratio(X, v, beta, as_rng(rng), num)


def spike_free_cutting_plane(
    X: object,
    y: object,
    beta: float,
    *,
    rng: object,
    max_iter: int = 50,
    tol: float = 1e-6,
    num_random: int = 20000,
    solver: str = "CLARABEL",
    bias: bool = False,
) -> SpikeFreeCuttingPlane:
    """Cutting planes on the spike-free relaxation of the dual (Ergen and Pilanci, 2021, Alg. 1).

    1. ``v = y``, empty working set.
    2. Compute ``u_+ = argmax v^T X u`` and ``u_- = argmin v^T X u`` over
       ``{Xu >= 0, ||u|| <= 1}``; stop if both ``|v^T X u_+-| <= beta (1 + tol)``.
    3. Add the violated ones to the working set, solve the lasso
       ``min 1/2 ||sum_k w_k X u_k - y||^2 + beta ||w||_1`` over it (the restricted primal;
       its residual is the restricted dual's solution) and set ``v`` to its residual; go to 2.

    After the stop the final network (neurons ``sqrt(|w_k|) u_k``, output weights
    ``sign(w_k) sqrt(|w_k|)``) is certified by :func:`twolayer.duality.certificate` with the
    constraint maximized over the cone (exact for spike-free data), and the certificate's dual
    point is checked independently on ``num_random`` random directions of the whole sphere.

    With ``bias=True`` the neurons are ``(w . x + b)_+`` (their Algorithm 3): the data get a
    column of ones, ``[X, 1] (w, b)``, and everything above runs on ``[X, 1]``, so that the
    relaxation keeps the neurons ``Xw + b 1 >= 0`` and the weight decay acts on ``(w_j, b_j)``
    together, ``1/2 ||f - y||^2 + beta/2 sum_j (||w_j||^2 + b_j^2 + a_j^2)``: the convex
    program of :func:`twolayer.convex.solve_convex` on ``[X, 1]``. (With an unpenalized
    bias, as the paper writes Algorithm 3, the relaxed set ``{Xu + b 1 >= 0}`` is unbounded,
    the dual needs ``1^T v = 0``, and the relaxed oracle sees every ``u``: its neurons are
    active on all samples, an affine model.)

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
    beta : float, > 0
    rng : numpy.random.Generator or int
        For the random directions of the independent check.
    max_iter : int
        Largest number of lasso solves, ``>= 1``.
    tol : float
        Relative violation accepted at the stop, ``>= 0``.
    num_random : int
        Directions of the independent check, ``>= 1``.
    solver : str
        cvxpy solver of the working-set lasso.
    bias : bool
        Neurons with biases, penalized with the weights (the ones column above).

    Returns
    -------
    SpikeFreeCuttingPlane

    Raises
    ------
    ValueError
        For bad shapes or arguments.

    Notes
    -----
    If the cone ``{u : Xu >= 0}`` is ``{0}`` (no neuron is active on every sample, as for
    Gaussian data with ``n`` well above ``d``) the relaxation is empty, the method stops at the
    zero network, and its certificate shows the gap; use :func:`twolayer.duality.cutting_plane`.
    """
    X, y, beta = check_regression(X, y, beta)
    max_iter = check_int(max_iter, "max_iter", low=1)
    tol = check_real(tol, "tol", low=0.0)
    num_random = check_int(num_random, "num_random", low=1)
    if not isinstance(bias, bool):
        raise TypeError(f"bias must be True or False, got {bias!r}")
    return _spike_free_cutting_plane(X, y, beta, as_rng(rng), max_iter, tol, num_random,
                                     solver, bias)


def _spike_free_cutting_plane(
    X: np.ndarray, y: np.ndarray, beta: float, gen: np.random.Generator, max_iter: int,
    tol: float, num_random: int, solver: str, bias: bool,
) -> SpikeFreeCuttingPlane:
    n, d = X.shape
    Xa = np.column_stack([X, np.ones(n)]) if bias else X  # a bias is a weight on a ones column

    def solve(U: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
        if U.shape[0] == 0:  # the empty working set: the zero network, v = y
            return np.zeros(0), float(0.5 * y @ y), y
        Z = np.maximum(U @ Xa.T, 0.0).T
        w = _lasso(Z, y, beta, solver)
        Wk, ak = _network(U, w)
        return w, objective(Xa, y, Wk, ak, beta), y - Z @ w

    def oracle(v: np.ndarray) -> tuple[float, list[np.ndarray]]:
        extremes = _cone_extremes(Xa, v)
        new = [u for value, u in extremes if value > beta * (1.0 + tol)]
        return max(e[0] for e in extremes) / beta, new

    def extend(U: np.ndarray, new: list[np.ndarray]) -> np.ndarray | None:
        if U.shape[0] and all(np.abs(U @ u).max() >= 1.0 - 1e-12 for u in new):
            return None  # a numerical stall: the directions are already present
        return np.vstack([U, np.array(new)])

    # max_iter lassos, plus the first oracle call at the zero network
    loop = _cutting_plane_loop(np.zeros((0, Xa.shape[1])), solve, oracle, extend,
                               lambda U: U.shape[0], max_iter + 1, tol)
    W, a = _network(loop.working_set, loop.solution)
    cert = certificate(Xa, y, W, a, beta, patterns=np.ones((1, n), dtype=bool))
    v_scaled = cert.scale * (y - np.maximum(Xa @ W.T, 0.0) @ a)
    return SpikeFreeCuttingPlane(
        W=W[:, :d], a=a, values=loop.values, violations=loop.violations,
        working_set=loop.sizes, converged=loop.converged, certificate=cert,
        random_check=_random_ratio(Xa, v_scaled, beta, gen, num_random), num_random=num_random,
        b=W[:, d] if bias else None,
    )
