"""Kernel of the gated-ReLU relaxation (private: arguments are checked arrays).

The gated-ReLU network ``sum_i D_i X v_i`` drops the cone constraints of the convex program
(Mishkin, Sahiner and Pilanci, 2022): an unconstrained group lasso::

    min_V  1/2 ||sum_i D_i X v_i - y||^2 + beta sum_i ||v_i||,

with dual ``max lam^T y - 1/2 ||lam||^2  s.t.  ||X^T D_i lam|| <= beta``. It is solved by
Newton's method on the smoothed norms ``h_mu`` of :mod:`._ipm` (the eliminated second-order-cone
barrier), following ``mu -> 0``. Without cones every block ``B_g = coef (I - c g g^T)`` has a
closed-form inverse, so the Woodbury matrix is two ``n x n x P`` products:
``(X X^T) * (M diag(1/coef) M^T)`` and a rank-``P`` term, ``O(n^2 P)`` per step instead of
``O(n^2 P d)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg import cho_factor, cho_solve

from ._ipm import Certificate, NotConvergedError


@dataclass(frozen=True)
class GatedState:
    """Last iterate: groups ``V (P, d)``, certificate, steps, final ``mu``, gap history."""

    V: np.ndarray
    certificate: Certificate
    iterations: int
    mu: float
    history: tuple[float, ...]


def _fit(X: np.ndarray, M: np.ndarray, V: np.ndarray) -> np.ndarray:
    return np.einsum("kd,kd->k", X, M @ V)


def gated_certificate(
    X: np.ndarray, M: np.ndarray, y: np.ndarray, beta: float, V: np.ndarray
) -> Certificate:
    """Certificate of ``V``: the residual scaled into ``||X^T D_i lam|| <= beta``."""
    lam = y - _fit(X, M, V)
    primal = 0.5 * float(lam @ lam) + beta * float(np.linalg.norm(V, axis=1).sum())
    worst = float(np.linalg.norm((M * lam[:, None]).T @ X, axis=1).max())
    ll, ly = float(lam @ lam), float(lam @ y)
    alpha = ly / ll if ll > 0 else 0.0
    if worst > 0:
        alpha = min(alpha, beta / worst)
    alpha = max(alpha, 0.0)
    dual = alpha * ly - 0.5 * alpha * alpha * ll
    scale = max(abs(primal), abs(dual), np.finfo(float).tiny)
    return Certificate(primal=primal, dual=dual, gap=max(primal - dual, 0.0) / scale,
                       primal_residual=0.0, dual_residual=max(0.0, worst / beta - 1.0))


def _smoothed(V: np.ndarray, beta: float, mu: float):
    rho = np.linalg.norm(V, axis=1)
    q = np.sqrt(mu * mu + (beta * rho) ** 2)
    value = q - mu * np.log((mu + q) / (2.0 * mu))  # beta tau - mu log(tau^2 - rho^2) + const
    return rho, q, beta * beta / (mu + q), value


def _objective(X, M, y, beta, mu, V) -> float:
    r = _fit(X, M, V) - y
    return 0.5 * float(r @ r) + float(_smoothed(V, beta, mu)[3].sum())


def _newton_step(X, XXt, M, y, beta, mu, V):
    r = _fit(X, M, V) - y
    rho, q, coef, _ = _smoothed(V, beta, mu)
    grad = (M * r[:, None]).T @ X + coef[:, None] * V
    unit = V / np.where(rho > 0, rho, 1.0)[:, None]
    extra = q / mu - 1.0  # B_g^{-1} = (I + extra g g^T) / coef
    inv = 1.0 / coef
    Q = M * (X @ unit.T)  # columns D_g X g, (n, P)
    K = XXt * ((M * inv) @ M.T) + (Q * (inv * extra)) @ Q.T
    K[np.diag_indices_from(K)] += 1.0
    factor = cho_factor(K, lower=True, check_finite=False)

    def binv(R: np.ndarray) -> np.ndarray:
        return inv[:, None] * (R + (extra * np.einsum("gi,gi->g", unit, R))[:, None] * unit)

    a = binv(grad)
    w = cho_solve(factor, _fit(X, M, a), check_finite=False)
    step = -(a - binv((M * w[:, None]).T @ X))
    return step, float(-(grad * step).sum())


def solve_gated(
    X: np.ndarray,
    patterns: np.ndarray,
    y: np.ndarray,
    beta: float,
    *,
    tol_gap: float = 1e-8,
    max_iter: int = 200,
    V0: np.ndarray | None = None,
    raise_on_limit: bool = True,
) -> GatedState:
    """Newton continuation in ``mu`` with the certificate checked at every iterate.

    ``mu`` shrinks tenfold after each full step (no backtracking) or each step whose Newton
    decrement is at most ``1e-2 max(mu P, tol_gap * primal)`` (the iterate is then close to the
    minimizer of the smoothed problem), and ``mu`` starts at the size of the warm start's gap
    when ``V0`` is given. Stops without its certificate (raises NotConvergedError, or returns
    the last iterate if ``raise_on_limit`` is False) after ``max_iter`` steps, or earlier if the
    Newton matrix stops factoring (a ``tol_gap`` below the rounding floor).
    """
    M = patterns.T.astype(float)
    XXt = X @ X.T
    P, d = patterns.shape[0], X.shape[1]
    V = np.zeros((P, d)) if V0 is None else V0.copy()
    value0 = 0.5 * float(y @ y)
    cert = gated_certificate(X, M, y, beta, V)
    # cold: mu at the scale of the objective; warm: at the scale of the start's gap
    mu = value0 / P if V0 is None else max(0.1 * cert.gap * cert.primal / P, 1e-300)
    history: list[float] = []
    for it in range(max_iter + 1):
        cert = gated_certificate(X, M, y, beta, V)
        history.append(cert.gap)
        if cert.gap <= tol_gap:
            return GatedState(V=V, certificate=cert, iterations=it, mu=mu,
                              history=tuple(history))
        if it == max_iter:
            break
        try:
            step, dec = _newton_step(X, XXt, M, y, beta, mu, V)
        except np.linalg.LinAlgError:
            # a gap tolerance below the rounding floor: the Newton matrix no longer factors;
            # the last iterate stands, without its certificate
            break
        f0 = _objective(X, M, y, beta, mu, V)
        size = 1.0
        while size > 1e-10:
            if _objective(X, M, y, beta, mu, V + size * step) <= f0 - 0.25 * size * dec:
                break
            size *= 0.5
        V = V + size * step
        if dec <= 1e-2 * max(mu * P, tol_gap * cert.primal) or size == 1.0:
            mu = max(0.1 * mu, 1e-300)
    if raise_on_limit:
        raise NotConvergedError(
            f"the gated-ReLU solver did not reach its certificate in {it} iterations: "
            f"last relative duality gap {cert.gap:.3e} (tolerance {tol_gap:.1e})",
            cert.gap,
        )
    return GatedState(V=V, certificate=cert, iterations=it, mu=mu, history=tuple(history))
