"""Gradient flow of the expected objective and its local linear rate.

The flow is integrated with an order-8 Runge-Kutta method; its rate near the manifold of
minimizers is fitted and compared with twice the smallest positive Hessian eigenvalue
(Senen-Cerda & Sanders 2022), with a closed form for one output, and with gradient descent from
a random start.

Imports only :mod:`twolayer._checks` and the package's other modules.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp

from .._checks import as_array, as_rng, check_int, check_real
from ._checks import check_expected_problem, check_keep_probability, check_regression_data
from .minimizer import _dropout_minimizer, _unit_products, whitening
from .objectives import _gradient, _gram_gradient, _hessian, _objective
from .training import _gradient_descent

__all__ = [
    "DescentComparison",
    "FlowResult",
    "HessianRate",
    "descent_against_minimizer",
    "fit_rate",
    "gradient_flow",
    "hessian_rate",
    "single_output_rate",
]


@dataclass(frozen=True)
class FlowResult:
    """Gradient flow ``d theta / dt = -grad L(theta)`` sampled at times ``t``.

    Attributes
    ----------
    t : (T,) array
    objective : (T,) array of ``L(theta(t))``
    grad_norm : (T,) array of ``||grad L(theta(t))||``
    W1 (m, d), W2 (k, m) : the state at the last time
    """

    t: np.ndarray
    objective: np.ndarray
    grad_norm: np.ndarray
    W1: np.ndarray
    W2: np.ndarray


def gradient_flow(
    X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray, p: float,
    *, t_max: float, num: int = 200, kind: str = "dropout", rtol: float = 1e-10,
    atol: float = 1e-12,
) -> FlowResult:
    """Integrate the gradient flow of :func:`expected_objective` with ``scipy.integrate.solve_ivp``.

    Uses the explicit Runge-Kutta method DOP853 (order 8, adaptive steps) with tight tolerances,
    so that the error of the integrator stays far below the values of ``L - L*`` that are fitted.

    Parameters
    ----------
    X (n, d), Y (n, k) or (n,), W1 (m, d), W2 (k, m) : data and initial weights
    p : float in (0, 1]
    t_max : float
        Final time.
    num : int
        Number of equally spaced sample times in ``[0, t_max]``.
    """
    X, Y, W1, W2, p, kind = check_expected_problem(X, Y, W1, W2, p, kind)
    t_max = check_real(t_max, "t_max", low=0.0, low_open=True)
    num = check_int(num, "num", low=2)
    rtol = check_real(rtol, "rtol", low=0.0, low_open=True)
    atol = check_real(atol, "atol", low=0.0, low_open=True)
    return _gradient_flow(X, Y, W1, W2, p, kind, t_max, num, rtol, atol)


def _gradient_flow(
    X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray, p: float, kind: str,
    t_max: float, num: int, rtol: float, atol: float,
) -> FlowResult:
    n1, s1, s2 = W1.size, W1.shape, W2.shape
    grad = _gram_gradient(X, Y, p, kind)

    def rhs(_t: float, theta: np.ndarray) -> np.ndarray:
        g1, g2 = grad(theta[:n1].reshape(s1), theta[n1:].reshape(s2))
        return -np.concatenate([g1.ravel(), g2.ravel()])

    t_eval = np.linspace(0.0, t_max, num)
    sol = solve_ivp(rhs, (0.0, t_max), np.concatenate([W1.ravel(), W2.ravel()]),
                    method="DOP853", t_eval=t_eval, rtol=rtol, atol=atol)
    if sol.status != 0:
        raise RuntimeError(f"solve_ivp failed with status {sol.status}: {sol.message}")
    obj = np.empty(num)
    gn = np.empty(num)
    for i in range(num):
        a, b = sol.y[:n1, i].reshape(s1), sol.y[n1:, i].reshape(s2)
        obj[i] = _objective(X, Y, a, b, p, kind)
        g1, g2 = _gradient(X, Y, a, b, p, kind)
        gn[i] = np.sqrt(np.sum(g1**2) + np.sum(g2**2))
    return FlowResult(t=sol.t, objective=obj, grad_norm=gn,
                      W1=sol.y[:n1, -1].reshape(s1).copy(), W2=sol.y[n1:, -1].reshape(s2).copy())


def fit_rate(
    t: np.ndarray, gap: np.ndarray, *, window: tuple[float, float] = (1e-10, 1e-5)
) -> float:
    """Exponential rate ``c`` of ``gap(t) ~ exp(-c t)`` by least squares on ``log gap``.

    Only the samples with ``window[0] <= gap <= window[1]`` are used: late enough for the slowest
    mode to dominate, above the floating-point floor. At least three are needed.
    """
    t = as_array(t, "t", ndim=1)
    gap = as_array(gap, "gap", shape=(t.size,))
    return _fit_rate(t, gap, window)


def _fit_rate(t: np.ndarray, gap: np.ndarray, window: tuple[float, float]) -> float:
    lo, hi = window
    sel = (gap >= lo) & (gap <= hi)
    if np.sum(sel) < 3:
        raise ValueError(
            f"fewer than 3 samples with {lo:g} <= gap <= {hi:g} (got {int(np.sum(sel))}); "
            "integrate longer or widen the window"
        )
    slope = np.polyfit(t[sel], np.log(gap[sel]), 1)[0]
    return float(-slope)


@dataclass(frozen=True)
class HessianRate:
    """Spectrum of the Hessian at a (near-)minimizer and the linear rate it predicts.

    Attributes
    ----------
    eigenvalues : (P,) array, ascending
    null_dim : int
        Number of eigenvalues treated as zero: the dimension of the manifold of minimizers.
    lambda_min : float
        Smallest positive eigenvalue.
    rate : float
        Predicted rate of ``L(t) - L* ~ exp(-rate t)``, i.e. ``2 * lambda_min``.
    """

    eigenvalues: np.ndarray
    null_dim: int
    lambda_min: float
    rate: float


def hessian_rate(
    X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray, p: float,
    *, kind: str = "dropout", rel_tol: float = 1e-6,
) -> HessianRate:
    """Rate of local linear convergence predicted by the Hessian at a minimizer.

    Near a manifold of minimizers on which the Hessian ``H`` is non-degenerate in the normal
    directions, the gradient flow converges to a point ``theta_inf`` and the normal part of the
    error decays like ``exp(-lambda t)`` with ``lambda = lambda_min^+(H(theta_inf))``, so
    ``L - L* ~ exp(-2 lambda t)`` (Senen-Cerda & Sanders 2022). Eigenvalues below
    ``rel_tol * max |eigenvalue|`` count as zero.
    """
    X, Y, W1, W2, p, kind = check_expected_problem(X, Y, W1, W2, p, kind)
    rel_tol = check_real(rel_tol, "rel_tol", low=0.0, low_open=True)
    return _hessian_rate(X, Y, W1, W2, p, kind, rel_tol)


def _hessian_rate(
    X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray, p: float, kind: str,
    rel_tol: float,
) -> HessianRate:
    ev = np.linalg.eigvalsh(_hessian(X, Y, W1, W2, p, kind))
    tol = rel_tol * np.max(np.abs(ev))
    if ev[0] < -tol:
        raise ValueError(
            f"the Hessian has a negative eigenvalue {ev[0]:.3e}: the point is not a minimizer"
        )
    pos = ev[ev > tol]
    if pos.size == 0:
        raise ValueError("the Hessian has no positive eigenvalue")
    lam = float(pos[0])
    return HessianRate(eigenvalues=ev, null_dim=int(ev.size - pos.size), lambda_min=lam,
                       rate=2.0 * lam)


def single_output_rate(X: np.ndarray, y: np.ndarray, p: float, width: int) -> tuple[float, float]:
    """Closed-form rate at a balanced global minimizer for one output, and a lower bound.

    For ``k = 1`` every global minimizer has ``u_i v_i = beta / (m p + 1 - p)`` for all ``i``, with
    ``beta`` the least-squares coefficients; at a balanced one (``u_i^2 = ||v_i||``) the smallest
    positive Hessian eigenvalue is

        lambda = 2 p (1 - p) * lambda_min( C^(1/2) (u^2 I + v v^T) C^(1/2) ),   C = X^T X,

    which for whitened data (``C = I``) is ``2 p (1 - p) ||beta|| / (m p + 1 - p)``. At any global
    minimizer ``lambda >= 2 p (1 - p) lambda_min(C) min_i u_i^2`` (derived in the chapter
    "Dropout flows"; compare Senen-Cerda & Sanders 2022, whose bound likewise depends on the data,
    ``p`` and the width).

    Returns
    -------
    rate : float
        ``2 * lambda``, the rate of ``L - L*`` at a balanced minimizer.
    lambda_min : float
        ``lambda`` itself.
    """
    X, Y = check_regression_data(X, y)
    if Y.shape[1] != 1:
        raise ValueError(f"single_output_rate needs one output, got Y with shape {Y.shape}")
    p = check_keep_probability(p)
    width = check_int(width, "width", low=1)
    return _single_output_rate(X, Y, p, width)


def _single_output_rate(X: np.ndarray, Y: np.ndarray, p: float, width: int) -> tuple[float, float]:
    half = whitening(X)[0]
    beta = np.linalg.solve(X.T @ X, X.T @ Y[:, 0]) / (width * p + 1.0 - p)
    u2 = float(np.linalg.norm(beta))
    v = beta / np.sqrt(u2)
    B = half @ (u2 * np.eye(X.shape[1]) + np.outer(v, v)) @ half
    # smallest eigenvalue of 2 p^2 11^T + 2 p (1-p) I_m: 2 p (1-p) if m >= 2, else 2 p
    a_min = 2.0 * p * (1.0 - p) if width >= 2 else 2.0 * p
    lam = a_min * float(np.linalg.eigvalsh(B)[0])
    return 2.0 * lam, lam


@dataclass(frozen=True)
class DescentComparison:
    """Gradient descent on the expected Dropout objective against the closed-form minimizer.

    Attributes
    ----------
    steps : (T,) array of recorded GD steps
    gap : (T,) array of ``L(theta_t) - L*`` along gradient descent on the expected objective
    predicted_factor : float
        Predicted contraction of ``L - L*`` per step near the minimizer,
        ``(1 - lr * lambda_min^+)^2``, with ``lambda_min^+`` of the Hessian at the last iterate
        when ``L - L* < 1e-9`` there (the limit GD approaches), else at the closed-form minimizer.
    hessian_at_limit : bool
        Which of the two points the Hessian was taken at.
    products : (m,) array of ``||u_i|| ||X v_i||`` after gradient descent
    product_star : float
        Their common value at every global minimizer.
    shrunk : array of the singular values of ``p W2 W1`` (whitened) at the minimizer
    singular_values : array of the singular values of the whitened target
    """

    steps: np.ndarray
    gap: np.ndarray
    predicted_factor: float
    hessian_at_limit: bool
    products: np.ndarray
    product_star: float
    shrunk: np.ndarray
    singular_values: np.ndarray


def descent_against_minimizer(
    X: np.ndarray, Y: np.ndarray, p: float, width: int, *, steps: int, lr: float,
    rng: object, init_scale: float = 0.3,
) -> DescentComparison:
    """Gradient descent on the expected Dropout objective from a seeded random start.

    Compares it with the closed-form minimizer (:func:`~twolayer.dropout.dropout_minimizer`) and
    with the linear rate predicted by the Hessian there (:func:`hessian_rate`). The chapter's
    explorer draws it; it takes well under 0.2 s for a few thousand steps on small data.
    """
    X, Y = check_regression_data(X, Y)
    p = check_keep_probability(p)
    width = check_int(width, "width", low=1)
    steps = check_int(steps, "steps", low=1)
    lr = check_real(lr, "lr", low=0.0, low_open=True)
    init_scale = check_real(init_scale, "init_scale", low=0.0, low_open=True)
    gen = as_rng(rng)
    star = _dropout_minimizer(X, Y, p, width)
    W1 = init_scale * gen.standard_normal((width, X.shape[1]))
    W2 = init_scale * gen.standard_normal((Y.shape[1], width))
    run = _gradient_descent(X, Y, W1, W2, p, "dropout", lr, steps, max(1, steps // 200))
    gap = np.maximum(run.objective - star.objective, 0.0)
    # the rate is set by the Hessian at the limit GD approaches, once it is close to it
    at_limit = bool(gap[-1] < 1e-9)
    W1h, W2h = (run.W1, run.W2) if at_limit else (star.W1, star.W2)
    lam = _hessian_rate(X, Y, W1h, W2h, p, "dropout", 1e-6).lambda_min
    return DescentComparison(
        steps=run.steps, gap=gap, predicted_factor=float((1.0 - lr * lam) ** 2),
        hessian_at_limit=at_limit,
        products=_unit_products(X, run.W1, run.W2), product_star=star.product,
        shrunk=star.shrunk, singular_values=star.singular_values,
    )
