"""Kernel of the structured interior-point method (private: arguments are checked arrays).

Barrier method on the convex program of Pilanci and Ergen (2020) with the norm variables
eliminated. With the epigraph ``tau_g >= ||x_g||`` and the barrier ``-log(tau^2 - rho^2)``, the
minimum over ``tau`` of ``t beta tau - log(tau^2 - rho^2)`` (``rho = ||x_g||``, ``mu = 1/t``) is
attained at ``tau = (mu + sqrt(mu^2 + beta^2 rho^2)) / beta``, which leaves a smooth convex
function of ``x_g`` with gradient ``t beta x_g / tau`` (a smoothed norm). The centering
problem is::

    F_t(x) = t/2 ||A x - y||^2 + sum_g [t beta tau_g - log(tau_g^2 - rho_g^2)]
             - sum_{g, k} log s_gk,        s_g = (2 D_g - I) X x_g,

and its Newton matrix is ``t A^T A + blockdiag(B_g)`` with ``d x d`` blocks
``B_g = X^T diag(1/s_g^2) X + (smoothed-norm Hessian)``. ``A`` has rank ``n``, so each step
factors the blocks and one ``n x n`` matrix (Woodbury), as Nesterov and Nemirovski's
path-following methods allow for any convex barrier (Boyd and Vandenberghe, 2004, ch. 11).

Constraint reduction (Tits, Absil and Woessner, 2006): a cone of ``n`` half-spaces in ``R^d``
has few facets, and near an optimum few of its rows are close to the group. Each group's
barrier holds only its ``q`` nearest rows (distance ``s_gk / ||x_k||``, a kept row favoured so
that the choice settles), starting from ``q = 3 d``; every step still stops before the boundary
of all ``n`` rows, so each iterate is strictly feasible for the whole program, and the
multipliers of the rows left out are 0, so the dual point stays feasible. A row that enters gets
the centred multiplier ``mu / s``. When the gap and the complementarity stall, ``q`` doubles
(up to ``n``, the full barrier). The barrier's arrays are then ``(2P, q)`` instead of ``(n, 2P)``.

The certificate at every iterate: the primal point is strictly feasible; the residual
``lam = y - A x`` and the barrier multipliers ``z_g = 1/(t s_g)`` are scaled by the largest
``alpha`` that makes ``||+-X^T D_g lam + X^T S_g z_g|| <= beta`` for every group, which is a
feasible point of the dual (Pilanci and Ergen, 2020, eq. (8))::

    max  lam^T y - 1/2 ||lam||^2   s.t.  || +-X^T D_g lam + X^T S_g z_g || <= beta,  z_g >= 0,

so ``primal - dual`` bounds the distance to the optimum (Kim et al., 2007, build the dual
point of their l1-regularized least squares solver the same way).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg import cho_factor, cho_solve

from ._blocks import (
    Rows,
    Structure,
    apply_inverse,
    inverse_factors,
    nearest_rows,
    pattern_factors,
    woodbury_matrix,
)


class NotConvergedError(RuntimeError):
    """The solver stopped without its certificate; ``gap`` is the last relative gap."""

    def __init__(self, message: str, gap: float) -> None:
        super().__init__(message)
        self.gap = gap


@dataclass(frozen=True)
class Certificate:
    """Optimality certificate of a primal point and a scaled dual point.

    Attributes
    ----------
    primal : float
        Objective of the (strictly feasible) primal point.
    dual : float
        Dual objective of the scaled dual point, a lower bound on the optimum.
    gap : float
        Relative duality gap ``(primal - dual) / max(|primal|, |dual|)``.
    primal_residual : float
        Largest cone violation ``max(0, -min_k s_gk)`` relative to ``max |X| max ||x_g||``.
    dual_residual : float
        Largest violation ``max_g ||c_g|| / beta - 1`` of the dual constraint before scaling.
    """

    primal: float
    dual: float
    gap: float
    primal_residual: float
    dual_residual: float

    def holds(self, tol_gap: float, tol_feas: float) -> bool:
        """Whether the gap and both residuals are within the tolerances."""
        return (
            self.gap <= tol_gap
            and self.primal_residual <= tol_feas
            and self.dual_residual <= tol_feas
        )


@dataclass(frozen=True)
class IPMState:
    """Last iterate of :func:`solve`.

    ``G (2P, d)`` the groups, ``Z (2P, q)`` the multipliers of the rows ``rows (2P, q)`` of
    each cone kept in the barrier (those of the other rows are 0), ``lam (n,)`` the scaled
    dual vector of the certificate, ``history`` the relative gap before each step.
    """

    G: np.ndarray
    Z: np.ndarray
    rows: np.ndarray
    lam: np.ndarray
    certificate: Certificate
    iterations: int
    converged: bool
    history: tuple[float, ...]


#: At most this many refinement rounds per Newton solve. A round that does not halve the
#: residual ends the refinement: the residual has reached the rounding floor of the
#: factorization (about 1e-11 of the right-hand side late in a run), where further rounds only
#: move it at random; the solve returns its best round.
_REFINE = 20
_STALL = 0.5


def _XNORM2(st: Structure) -> float:
    # largest squared singular value of X bounds ||D_g X u||^2 / ||u||^2 for every pattern
    if not hasattr(st, "xnorm2"):
        st.xnorm2 = float(np.linalg.norm(st.X, 2) ** 2)
    return st.xnorm2


def certify(
    st: Structure, y: np.ndarray, beta: float, G: np.ndarray, directions: list[np.ndarray],
    smallest_slack: float,
) -> tuple[Certificate, np.ndarray]:
    """Certificate of the primal point ``G`` and the best dual point built from multipliers.

    Each candidate multiplier gives per group the direction ``b_g = X^T S_g z_g`` (the rows of
    ``directions``, shape (2P, d) each); its nonnegative multiple that minimizes
    ``||a_g + gamma b_g||`` (``a_g = +-X^T D_g lam``) is taken per group, and the best candidate
    per group. The residual ``lam`` and all multipliers are then scaled by the largest
    ``alpha`` that satisfies every dual constraint. ``smallest_slack`` is the smallest
    ``(2 D_g - I)_kk x_k^T x_g`` over all rows (of nonzero ``x_k``) and groups.

    Returns the certificate and the scaled dual vector ``alpha * (y - A x)``.
    """
    fit = st.apply(G)
    lam = y - fit
    rho = np.linalg.norm(G, axis=1)
    primal = 0.5 * float(lam @ lam) + beta * float(rho.sum())
    Agr = st.adjoint(lam)
    norms = np.linalg.norm(Agr, axis=1)
    for Bgr in directions:
        ab = np.einsum("gi,gi->g", Agr, Bgr)
        bb = np.einsum("gi,gi->g", Bgr, Bgr)
        gamma = np.where((ab < 0) & (bb > 0), -ab / np.where(bb > 0, bb, 1.0), 0.0)
        norms = np.minimum(norms, np.linalg.norm(Agr + gamma[:, None] * Bgr, axis=1))
    worst = float(norms.max())
    ll = float(lam @ lam)
    ly = float(lam @ y)
    best = ly / ll if ll > 0 else 0.0
    alpha = max(0.0, min(best, beta / worst if worst > 0 else np.inf))
    if not np.isfinite(alpha):
        alpha = 0.0
    dual = alpha * ly - 0.5 * alpha * alpha * ll
    scale = max(abs(primal), abs(dual), np.finfo(float).tiny)
    size = float(np.abs(st.X).max()) * max(float(rho.max()), np.finfo(float).tiny)
    cert = Certificate(
        primal=primal,
        dual=dual,
        gap=max(primal - dual, 0.0) / scale,
        primal_residual=max(0.0, -smallest_slack) / size,
        dual_residual=max(0.0, worst / beta - 1.0),
    )
    return cert, alpha * lam


def interior_directions(st: Structure, max_iter: int = 200) -> np.ndarray:
    """Unit vectors ``e_i`` with ``(2 D_i - I) X e_i > 0`` on every nonzero row, shape (P, d).

    Generalized Newton on the squared hinge loss ``1/2 sum_k max(0, 1 - m_k)^2`` of the
    margins ``m_k`` of the normalized signed rows (zero exactly when every margin is at least
    one, which some multiple of any interior point achieves), stopped per pattern as soon as
    every margin is positive. Raises ValueError naming a pattern whose cone has no interior.
    """
    P, d = st.P, st.d
    live = st.live
    Xu = st.X[live] / np.linalg.norm(st.X[live], axis=1)[:, None]
    S = st.signs[live, :P]
    outer = (Xu[:, :, None] * Xu[:, None, :]).reshape(-1, d * d)
    E = S.T @ Xu + 1e-12
    E /= np.linalg.norm(E, axis=1)[:, None]
    ridge = 1e-10 * np.eye(d)

    def loss(Eb: np.ndarray, Sb: np.ndarray) -> np.ndarray:
        return 0.5 * (np.maximum(1.0 - Sb * (Xu @ Eb.T), 0.0) ** 2).sum(axis=0)

    for _ in range(max_iter):
        margin = S * (Xu @ E.T)  # (n_live, P)
        todo = np.flatnonzero(margin.min(axis=0) <= 0)
        if todo.size == 0:
            break
        Sb, Eb = S[:, todo], E[todo]
        short = np.maximum(1.0 - margin[:, todo], 0.0)
        grad = -((Sb * short).T @ Xu)
        H = ((short > 0).astype(float).T @ outer).reshape(-1, d, d) + ridge
        step = np.linalg.solve(H, grad[:, :, None])[:, :, 0]
        f0 = loss(Eb, Sb)
        size = np.ones(todo.size)
        for _ in range(30):  # halve the steps that do not decrease the piecewise quadratic
            worse = loss(Eb - size[:, None] * step, Sb) > f0
            if not worse.any():
                break
            size[worse] *= 0.5
        E[todo] = Eb - size[:, None] * step
    margin = S * (Xu @ E.T)
    bad = np.flatnonzero(margin.min(axis=0) <= 0)
    if bad.size:
        raise ValueError(
            f"patterns[{bad[0]}] has a cone (2 D - I) X v >= 0 without interior points "
            f"({bad.size} such patterns); the interior-point solver needs strictly feasible "
            "cones: use solver='CLARABEL'"
        )
    return E / np.linalg.norm(E, axis=1)[:, None]


def _newton_system(
    st: Structure,
    y: np.ndarray,
    beta: float,
    G: np.ndarray,
    B: np.ndarray,
    mu: float,
    drop: float = 0.1,
):
    """Factor the Newton matrix once; return the smooth gradient and a solver for it.

    The matrix is ``A^T A + blockdiag(B_g + grad^2 h_mu)`` with the cone blocks
    ``B_g = X^T diag(w_g) X (2P, d, d)`` of the primal-dual weights ``w = z / s`` of the kept
    rows, factored through its ``d x d`` blocks and the
    ``n x n`` Woodbury matrix ``I + A B^{-1} A^T``; each solve is refined with the exact
    structured product.
    """
    r = st.apply(G) - y
    rho = np.linalg.norm(G, axis=1)
    q = np.sqrt(mu * mu + (beta * rho) ** 2)
    coef = beta * beta / (mu + q)
    grad = st.adjoint(r) + coef[:, None] * G  # gradient of f + h_mu
    # Hessian of h_mu: coef [(I - g g^T) + (mu / q) g g^T] with g = x / rho (1 - omega rho^2
    # = mu / q exactly, written so to avoid the cancellation as mu -> 0)
    unit = G / np.where(rho > 0, rho, 1.0)[:, None]
    proj = unit[:, :, None] * unit[:, None, :]
    B = B + coef[:, None, None] * (np.eye(st.d) - (1.0 - mu / q)[:, None, None] * proj)
    F = inverse_factors(B)
    # One term D_i X (B_{v_i}^{-1} + B_{w_i}^{-1}) X^T D_i per pattern. Patterns whose term is
    # small next to the identity of the Woodbury matrix are left out of its factorization (up
    # to a total trace of ``drop``); the solves are then refined with the exact structured
    # product, so the step stays exact.
    C = pattern_factors(F)
    trace = np.einsum("gij,gij->g", C, C) * _XNORM2(st)
    order = np.argsort(trace)
    dropped = np.cumsum(trace[order]) <= drop
    keep = np.sort(order[~dropped])
    K = woodbury_matrix(st, C[keep], keep)
    K[np.diag_indices_from(K)] += 1.0
    factor = cho_factor(K, lower=True, check_finite=False)

    def once(rhs: np.ndarray) -> np.ndarray:
        a = apply_inverse(F, rhs)
        w = cho_solve(factor, st.apply(a), check_finite=False)
        return a - apply_inverse(F, st.adjoint(w))

    def solve_h(rhs: np.ndarray) -> np.ndarray:
        step = once(rhs)
        scale = np.linalg.norm(rhs)
        best, last = step, np.inf
        for _ in range(_REFINE):
            res = rhs - (st.adjoint(st.apply(step)) + np.einsum("gij,gj->gi", B, step))
            size = float(np.linalg.norm(res))
            if size < last:
                best = step
            if size <= 1e-13 * scale or size > _STALL * last:
                break
            last = size  # below last: the round halved it
            step = step + once(res)
        return best

    return grad, solve_h


def _max_step(current: np.ndarray, change: np.ndarray) -> float:
    """0.99 of the step ``a <= 1`` to the boundary of ``current + a change > 0``: ``1 / max(-change
    / current)``. The rows of zero ``x_k`` (``+inf`` in both, :meth:`Structure.distances`)
    give the ratio nan, which ``fmin`` skips."""
    with np.errstate(divide="ignore", invalid="ignore"):
        fastest = -float(np.fmin.reduce(change / current, axis=None))
    return 1.0 if not fastest > 0.99 else min(1.0, 0.99 / fastest)


#: A corrected step shorter than this (of the way to the boundary) from an iterate off the
#: central path is replaced by a centering step: a Mehrotra target far below the iterate's own
#: complementarity then sends it further off the path, and the next iterates lose the gap they
#: had reached (bench/robustness.py found such runs ending at the iteration limit).
_SHORT = 0.3
#: Off the central path: some product ``z_k s_k`` below this fraction of their mean ``mu``, or a
#: primal objective larger than at the previous iterate. (Short corrected steps from a centred
#: iterate of a large problem still make progress; centering them again would stall. The
#: certificate's gap is no such test: on large problems it rises and falls by a few percent
#: while the primal objective falls, and centering on each rise stalled 2000/20/1000.)
_CENTRAL = 0.01


def _corrected_step(rows: Rows, grad, solve_h, slack, Z, W, corr):
    """Newton direction for the cone target ``corr = target / s`` on the kept rows (with any
    second-order term folded in), its slack and multiplier changes and the primal and dual
    step lengths to the boundary of the kept rows (fraction 0.99)."""
    step = solve_h(-grad + rows.cone_adjoint(corr))
    dS = rows.slacks(step)
    dZ = corr - Z - W * dS
    return step, dS, dZ, _max_step(slack, dS), _max_step(Z, dZ)


#: Gondzio's multiple centrality correctors: products ``z_k s_k`` at the enlarged trial step
#: are pulled into ``[_BOX[0], _BOX[1]] * target``, and a corrector is kept only if it
#: lengthens the shorter step by at least ``_GAIN`` of the enlargement.
_BOX = (0.1, 10.0)
_GAIN = 0.1


def _cost_ratio(st: Structure) -> float:
    """Cost of an iteration's factorization over that of one of its solves, about ``n / 4``.

    Forming and factoring the Woodbury matrix costs about ``n^2 P d + n^3 / 3`` operations, a
    refined solve about four products with ``A`` and ``A^T`` (``4 (n P d + n^2)``).
    """
    n, P, d = st.n, st.P, st.d
    return (n * n * P * d + n**3 / 3) / (4.0 * (n * P * d + n * n))


def _corrector_count(st: Structure) -> int:
    """How many centrality correctors an iteration may take, by :func:`_cost_ratio` (Gondzio,
    1996, sec. 5: a corrector is one more solve). Below 10 (n < 40) none pays; the small
    problems of bench/robustness.py also converge less reliably with them."""
    ratio = _cost_ratio(st)
    return 0 if ratio < 10 else 1 if ratio < 30 else 2 if ratio < 50 else 3


def _centrality_corrected(st: Structure, rows: Rows, grad, solve_h, slack, Z, W, corr, target,
                          current):
    """Gondzio's (1996) multiple centrality correctors on top of Mehrotra's direction.

    ``current`` is ``(step, dS, dZ, ap, ad)`` for the cone right-hand side ``corr``; each corrector
    adds to ``corr`` the change of the products ``z s`` at the enlarged steps
    ``min(1, 1.5 a + 0.1)`` that brings the outliers back into the box around ``target``.
    Returns the best direction found.
    """
    step, dS, dZ, ap, ad = current
    for _ in range(_corrector_count(st)):
        alpha = min(ap, ad)
        if alpha >= 0.99:
            break
        enlarged = min(1.0, 1.5 * alpha + 0.1)
        v = (slack + enlarged * dS) * (Z + enlarged * dZ)
        low, high = _BOX[0] * target, _BOX[1] * target
        t = np.maximum(np.clip(v, low, high) - v, -high)
        trial = corr + t / slack
        new = _corrected_step(rows, grad, solve_h, slack, Z, W, trial)
        if min(new[3], new[4]) < alpha + _GAIN * (enlarged - alpha):
            break
        (step, dS, dZ, ap, ad), corr = new, trial
    return step, dS, dZ, ap, ad


def zero_certificate(st: Structure, y: np.ndarray, beta: float) -> Certificate | None:
    """Exact certificate of the zero network when ``max_g ||X^T D_g y|| <= beta``, else None.

    Then ``lam = y``, ``z = 0`` is dual feasible with value ``||y||^2 / 2``, the objective of
    ``x = 0`` (this covers ``y = 0`` and every ``beta`` above the sufficient ``beta_max``).
    """
    worst = float(np.linalg.norm(st.adjoint(y)[: st.P], axis=1).max())
    if worst > beta:
        return None
    value = 0.5 * float(y @ y)
    return Certificate(primal=value, dual=value, gap=0.0, primal_residual=0.0, dual_residual=0.0)


#: Constraint reduction: each cone's barrier starts with its ``_ROWS * d`` nearest rows; a
#: kept row's distance counts ``_FAVOUR`` times, so it is replaced only by a row at less than
#: half its distance (without it the choice keeps changing for the groups near zero, whose
#: multipliers then never settle into a dual point); the rows double when neither the gap nor
#: the mean complementarity ``mu`` of the last ``_PATIENCE`` iterations falls below half its
#: best before them. (The gap alone is no test: from the start it stays near 1 for several
#: iterations, and with the reduced barrier it stays far above ``m mu`` until the last steps,
#: while ``mu`` falls steadily; with too few rows both stay put.)
_ROWS = 3
_FAVOUR = 0.5
_PATIENCE = 6


def _row_count(q: int, live: int) -> int:
    """Rows per cone in the barrier: ``q``, or all ``live`` rows unless ``q`` leaves out at
    least three quarters of them. Leaving out a few rows saves little, and on the small
    problems of bench/robustness.py the changing choice then only slows the method down
    (13 samples, 4 dimensions, q = 12: 65 iterations against 35 with all 13)."""
    return q if 4 * q <= live else live


def _stalled(values: list[float]) -> bool:
    """Whether the last ``_PATIENCE`` of ``values`` stay above half the best before them."""
    if len(values) <= _PATIENCE:
        return False
    return min(values[-_PATIENCE:]) > 0.5 * min(values[:-_PATIENCE])


def solve(
    st: Structure,
    y: np.ndarray,
    beta: float,
    *,
    tol_gap: float = 1e-8,
    tol_feas: float = 1e-8,
    max_iter: int = 100,
    raise_on_limit: bool = True,
) -> IPMState:
    """Primal-dual interior-point method with the certificate checked at every iterate.

    The cone constraints are handled primal-dual (slacks ``s = (2D - I) X x`` kept strictly
    positive, multipliers ``z > 0``) on each cone's nearest rows (constraint reduction, see
    the module docstring), with Mehrotra's predictor-corrector choice of the centering target
    ``mu`` and, where a factorization costs many solves, up to three of Gondzio's (1996)
    centrality correctors; the norms by the eliminated barrier ``h_mu`` at the target of the
    previous step. A corrected step shorter than ``_SHORT`` of the way to the boundary from an
    iterate off the central path (some ``z s`` below ``_CENTRAL`` times their mean, or a primal
    objective that grew) is replaced by a pure centering step. The start is ``v_i = w_i`` along
    an interior direction of each cone (fit zero), scaled so that the penalty equals
    ``||y||^2 / 2``, with ``z s`` constant.

    Raises NotConvergedError with the last relative gap if ``max_iter`` steps do not reach
    ``gap <= tol_gap`` and residuals ``<= tol_feas``, or if the Newton matrix stops factoring
    first (a ``tol_gap`` below the rounding floor), or returns the last iterate with
    ``converged=False`` if ``raise_on_limit`` is False.
    """
    live = int(st.live.sum())
    q = _row_count(_ROWS * st.d, live)
    E = interior_directions(st)
    G = (0.5 * float(y @ y)) / (2 * st.P * beta) * np.vstack([E, E])
    dist = st.distances(G)
    rows = Rows(st, nearest_rows(dist, q, None, _FAVOUR))
    slack = rows.slacks(G)
    m = float(slack.size)
    mu_h = (0.5 * float(y @ y) + beta * float(np.linalg.norm(G, axis=1).sum())) / m
    Z = mu_h / slack
    scatter = np.zeros((2 * st.P, st.n))  # carries the multipliers of rows that stay kept
    group = np.arange(2 * st.P)[:, None]
    history: list[float] = []
    means: list[float] = []  # the mean complementarity mu before each step
    since = 0  # iteration at which q was last set
    previous = np.inf  # primal objective of the previous iterate
    for it in range(max_iter + 1):
        closest = float(dist.min())  # every row is strictly feasible unless this is <= 0
        smallest = closest if closest > 0 else float(
            (dist[:, st.live] * st.row_norms[st.live]).min())  # the zero rows' inf * 0 left out
        cert, lam = certify(st, y, beta, G,
                            [rows.cone_adjoint(Z), rows.cone_adjoint(mu_h / slack)], smallest)
        history.append(cert.gap)
        done = cert.holds(tol_gap, tol_feas)
        if done or it == max_iter:
            break
        ZS = Z * slack
        mu = float(ZS.sum()) / m
        means.append(mu)
        floor = 0.5 * tol_gap * cert.primal / m
        W = Z / slack
        try:
            grad, solve_h = _newton_system(st, y, beta, G, rows.blocks(W), max(mu_h, floor))
        except np.linalg.LinAlgError:
            # a gap tolerance below the rounding floor: the Newton matrix no longer factors;
            # the last iterate stands, without its certificate
            break
        # predictor (affine) step, then Mehrotra's centering and second-order correction
        step = solve_h(-grad)
        dS = rows.slacks(step)
        dZ = -Z - W * dS
        ap = _max_step(slack, dS)
        ad = _max_step(Z, dZ)
        mu_aff = float(((slack + ap * dS) * (Z + ad * dZ)).sum()) / m
        target = max(min(1.0, (mu_aff / mu) ** 3) * mu, floor)
        corr = (target - dS * dZ) / slack
        step, dS, dZ, ap, ad = _centrality_corrected(
            st, rows, grad, solve_h, slack, Z, W, corr, target,
            _corrected_step(rows, grad, solve_h, slack, Z, W, corr))
        off = float(ZS.min()) < _CENTRAL * mu or cert.primal > previous
        if min(ap, ad) < _SHORT and off:
            # the corrected direction hits the boundary at once from an iterate off the
            # central path: take the pure centering step (target = current mu) instead
            target = max(mu, floor)
            step, dS, dZ, ap, ad = _corrected_step(rows, grad, solve_h, slack, Z, W,
                                                   target / slack)
        # the boundary of every row, kept or not
        ap = min(ap, _max_step(dist, st.distances(step)))
        previous = cert.primal
        G = G + ap * step
        Z = Z + ad * dZ
        mu_h = target
        dist = st.distances(G)
        if q < live and _stalled(history[since:]) and _stalled(means[since:]):
            q = _row_count(2 * q, live)
            since = len(history)  # the stall test restarts with the new rows
        scatter[group, rows.idx] = Z
        idx = nearest_rows(dist.copy(), q, rows.idx, _FAVOUR)
        kept = scatter[group, idx]
        scatter[group, rows.idx] = 0.0
        rows = Rows(st, idx)
        slack = rows.slacks(G)
        m = float(slack.size)
        Z = np.where(kept > 0, kept, mu_h / slack)  # a row that enters starts centred
    if not done and raise_on_limit:
        raise NotConvergedError(
            f"the interior-point method did not reach its certificate in {it} "
            f"iterations: last relative duality gap {cert.gap:.3e} (tolerance {tol_gap:.1e}), "
            f"dual residual {cert.dual_residual:.1e}",
            cert.gap,
        )
    return IPMState(G=G, Z=Z, rows=rows.idx, lam=lam, certificate=cert, iterations=it,
                    converged=done, history=tuple(history))
