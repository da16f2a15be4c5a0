"""The convex program of weight-decay training of a two-layer ReLU network.

Pilanci and Ergen (2020, Theorem 1) show that training ``f(x) = sum_j a_j relu(w_j . x)``
with the objective ``1/2 ||f(X) - y||^2 + beta/2 sum_j (||w_j||^2 + a_j^2)`` is, once the width
``m`` reaches a critical ``m* <= n + 1``, equivalent to the group lasso with cone constraints::

    min_{v_i, w_i}  1/2 || sum_i D_i X (v_i - w_i) - y ||^2 + beta sum_i (||v_i|| + ||w_i||)
    s.t.            (2 D_i - I) X v_i >= 0,   (2 D_i - I) X w_i >= 0,   i = 1..P,

where ``D_1, ..., D_P`` are the activation patterns ``diag(1[X u >= 0])`` of
:mod:`twolayer.arrangements`. The cone constraint makes ``D_i X v_i = relu(X v_i)``, and a
ReLU network with the same objective value is read off the solution
(:func:`recover_network`). Nothing here assumes ``d = 2``: the splines chapter calls it on
augmented data ``[x, 1]``.

In this module the second group of variables is called ``U`` (``w_i`` in the paper), to keep
``W`` for the first layer of a network.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import cvxpy as cp
import numpy as np

from ._checks import as_array, check_ipm_options, check_problem, check_real

__all__ = [
    "CLARABEL_OPTIONS",
    "ConvexPath",
    "ConvexSolution",
    "convex_objective",
    "merge_neurons",
    "recover_network",
    "solve_convex",
    "solve_convex_path",
    "solve_problem",
]


#: Default CLARABEL settings of :func:`solve_convex` (tighter than the solver's 1e-8).
CLARABEL_OPTIONS = {"tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10, "tol_feas": 1e-10}


@dataclass(frozen=True)
class ConvexSolution:
    """Solution of the convex program (:func:`solve_convex`).

    Attributes
    ----------
    value : float
        Optimal value reported by the solver.
    V : numpy.ndarray, shape (P, d)
        Group variables ``v_i`` (neurons with positive output weight).
    U : numpy.ndarray, shape (P, d)
        Group variables ``w_i`` of the paper (neurons with negative output weight).
    patterns : numpy.ndarray of bool, shape (P, n)
        The activation patterns ``D_i`` the program was built on.
    status : str
        cvxpy status (always ``"optimal"``; other statuses raise).
    X : numpy.ndarray, shape (n, d)
    y : numpy.ndarray, shape (n,)
    beta : float
    """

    value: float
    V: np.ndarray
    U: np.ndarray
    patterns: np.ndarray
    status: str
    X: np.ndarray = field(repr=False)
    y: np.ndarray = field(repr=False)
    beta: float = 0.0

    @property
    def predictions(self) -> np.ndarray:
        """Fitted values ``sum_i D_i X (v_i - w_i)``, shape (n,)."""
        return _predict(self.X, self.patterns, self.V, self.U)

    @property
    def residual(self) -> np.ndarray:
        """Residual ``y - sum_i D_i X (v_i - w_i)``, shape (n,): the optimal dual vector."""
        return self.y - self.predictions


#: Statuses after which :func:`solve_problem` retries with the next settings (the solver stopped
#: short of its tolerances; it did not find the problem infeasible or unbounded).
_RETRY = (cp.OPTIMAL_INACCURATE, cp.USER_LIMIT)


def solve_problem(
    problem: cp.Problem, solver: str, solver_options: dict | None, what: str
) -> None:
    """Solve a cvxpy ``problem``; raise RuntimeError carrying the status unless it is optimal.

    Used by every convex program of the library; ``what`` names the program in the error.

    With CLARABEL and no ``solver_options``, first try :data:`CLARABEL_OPTIONS`, then the
    solver's defaults if those tight tolerances end short of optimal (``optimal_inaccurate``,
    ``user_limit``, or a solver error). Every attempt starts a fresh solver
    (``warm_start=False``): on a re-solve cvxpy would otherwise reuse the cached CLARABEL
    solver *with the settings of the previous attempt*, and the retry would repeat the
    failed solve.
    """
    if solver_options is not None:
        attempts = [dict(solver_options)]
    elif solver == "CLARABEL":
        attempts = [dict(CLARABEL_OPTIONS), {}]
    else:
        attempts = [{}]
    statuses: list[str] = []
    error: cp.SolverError | None = None
    for options in attempts:
        kwargs = {"warm_start": False, **options}
        error = None
        try:
            with warnings.catch_warnings():
                # cvxpy warns "Solution may be inaccurate"; the status is handled below
                warnings.filterwarnings("ignore", message="Solution may be inaccurate")
                problem.solve(solver=solver, **kwargs)
        except cp.SolverError as err:
            error = err
            statuses.append(cp.SOLVER_ERROR)
            continue
        statuses.append(str(problem.status))
        if problem.status not in _RETRY:
            break
    if error is None and problem.status == cp.OPTIMAL:
        return
    status = statuses[-1]
    tried = "" if len(statuses) == 1 else f" (attempts: {', '.join(statuses)})"
    detail = f": {error}" if error is not None else ""
    raise _StatusError(
        f"solver {solver} did not solve {what}: status {status}{tried}{detail}", status
    ) from error


class _StatusError(RuntimeError):
    """RuntimeError of :func:`solve_problem` that carries the last status in ``status``."""

    def __init__(self, message: str, status: str) -> None:
        super().__init__(message)
        self.status = status


def _predict(X: np.ndarray, patterns: np.ndarray, V: np.ndarray, U: np.ndarray) -> np.ndarray:
    # sum_i D_i X (v_i - u_i): entry k is x_k . sum_i [D_i]_kk (v_i - u_i)
    return np.einsum("kd,kd->k", X, patterns.T.astype(float) @ (V - U))


def convex_objective(
    X: object, y: object, beta: float, patterns: object, V: object, U: object
) -> float:
    """Objective of the convex program at ``(V, U)`` (constraints not checked).

    ``1/2 ||sum_i D_i X (v_i - w_i) - y||^2 + beta sum_i (||v_i|| + ||w_i||)``
    (Pilanci and Ergen, 2020).

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
    beta : float, > 0
    patterns : array_like of bool, shape (P, n)
    V, U : array_like, shape (P, d)

    Returns
    -------
    float
    """
    X, y, beta, pat = check_problem(X, y, beta, patterns)
    V = as_array(V, "V", shape=(pat.shape[0], X.shape[1]))
    U = as_array(U, "U", shape=(pat.shape[0], X.shape[1]))
    r = _predict(X, pat, V, U) - y
    penalty = np.linalg.norm(V, axis=1).sum() + np.linalg.norm(U, axis=1).sum()
    return float(0.5 * r @ r + beta * penalty)


def solve_convex(
    X: object,
    y: object,
    beta: float,
    patterns: object,
    solver: str = "CLARABEL",
    solver_options: dict | None = None,
) -> ConvexSolution:
    """Solve the convex program of a two-layer ReLU network with weight decay.

    Solves (Pilanci and Ergen, 2020)::

        min  1/2 ||sum_i D_i X (v_i - w_i) - y||^2 + beta sum_i (||v_i|| + ||w_i||)
        s.t. (2 D_i - I) X v_i >= 0,  (2 D_i - I) X w_i >= 0

    with cvxpy. The problem is built with matrix variables ``V, U (P, d)``: the fit is
    ``rowsum(X * (M @ (V - U)))`` with the pattern matrix ``M (n, P)``, and the ``2P`` cone
    constraints are two elementwise inequalities on ``(2M - 1) * (X V^T)``.

    With all patterns of ``X`` (exact enumeration) the optimal value equals the minimum of
    the non-convex objective over all networks of width ``m >= m*``; with a subset of the
    patterns (sampling) it is an upper bound on it, attained by the recovered network.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Data matrix (any ``d``; add a column of ones for neurons with a bias).
    y : array_like, shape (n,)
        Targets.
    beta : float
        Weight decay, ``> 0``.
    patterns : array_like of bool, shape (P, n)
        Activation patterns, e.g. from :func:`twolayer.arrangements.enumerate_patterns_2d`.
    solver : str
        cvxpy solver name, or ``"ipm"`` for the structured interior-point method of
        :mod:`twolayer.solvers` (NumPy/SciPy, stopped on a duality-gap certificate; see
        :func:`twolayer.solvers.solve_ipm`).
    solver_options : dict, optional
        Keyword arguments passed to ``cvxpy.Problem.solve`` (for ``"ipm"``: ``tol_gap``,
        ``tol_feas`` and ``max_iter`` of :func:`twolayer.solvers.solve_ipm`). For CLARABEL
        the default tightens the stopping tolerances (gap and feasibility ``1e-10`` instead of
        ``1e-8``): the dual vector is only as accurate as the square root of the objective,
        and the certificates of :mod:`twolayer.duality` need it to about ``1e-8``. If the
        solver stops short of them (status ``optimal_inaccurate`` or ``user_limit``, or a
        solver error) the problem is re-solved once, by a fresh solver with its own defaults.
        A status ``infeasible`` or ``unbounded`` is a numerical failure here (``V = U = 0`` is
        feasible and the objective is nonnegative): the program is then solved again with
        ``y`` and ``beta`` divided by ``||y|| / sqrt(n)``, and the solution scaled back.

    Returns
    -------
    ConvexSolution

    Raises
    ------
    ValueError
        For shapes that disagree, ``beta <= 0``, non-finite data or non-0/1 patterns.
    RuntimeError
        If the solver does not report an optimal status; the message carries the status.
    """
    X, y, beta, pat = check_problem(X, y, beta, patterns)
    return _solve(X, y, beta, pat, solver, solver_options)


def _solve(
    X: np.ndarray, y: np.ndarray, beta: float, pat: np.ndarray, solver: str,
    solver_options: dict | None,
) -> ConvexSolution:
    """:func:`solve_convex` on checked arrays: our interior-point method or cvxpy."""
    if solver == "ipm":
        from .solvers.ipm import _solve_checked

        return _solve_checked(X, y, beta, pat, **check_ipm_options(solver_options)).solution
    return _solve_rescaled(X, y, beta, pat, solver, solver_options)


#: Statuses that are numerical failures for the convex program, which is always feasible
#: (``V = U = 0``) and bounded below (by 0).
_NUMERICAL = (cp.INFEASIBLE, cp.INFEASIBLE_INACCURATE, cp.UNBOUNDED, cp.UNBOUNDED_INACCURATE)


def _solve_rescaled(
    X: np.ndarray, y: np.ndarray, beta: float, pat: np.ndarray, solver: str,
    solver_options: dict | None,
) -> ConvexSolution:
    """:func:`_solve_groups`, retried on targets of unit size if the solver fails numerically.

    With ``y`` and ``beta`` both divided by ``s`` the solution is ``(V, U) / s`` and the value
    ``p* / s^2``, exactly; large ``||y||`` (``y`` of size ``1e6`` at ``beta = 0.1``) makes the
    solver report the program infeasible, and ``s = ||y|| / sqrt(n)`` brings it back to the
    scale its tolerances are made for.
    """
    try:
        return _solve_groups(X, y, beta, pat, solver, solver_options)
    except _StatusError as err:
        scale = float(np.linalg.norm(y)) / np.sqrt(y.size)
        if err.status not in _NUMERICAL or scale == 0.0 or scale == 1.0:
            raise
        try:
            small = _solve_groups(X, y / scale, beta / scale, pat, solver, solver_options)
        except _StatusError as again:
            raise _StatusError(
                f"{err}; after rescaling y and beta by 1/{scale:.3g}: {again}", again.status
            ) from err
    return ConvexSolution(
        value=small.value * scale**2, V=small.V * scale, U=small.U * scale, patterns=pat,
        status=small.status, X=X, y=y, beta=beta,
    )


def _group_program(
    X: np.ndarray, y: np.ndarray, beta: float | cp.Parameter, pat: np.ndarray
) -> tuple[cp.Problem, cp.Variable, cp.Variable]:
    """The cvxpy problem of :func:`solve_convex` and its variables ``V, U (P, d)``."""
    P, d = pat.shape[0], X.shape[1]
    M = pat.T.astype(float)  # (n, P)
    S = 2.0 * M - 1.0
    V = cp.Variable((P, d), name="V")
    U = cp.Variable((P, d), name="U")
    fit = cp.sum(cp.multiply(X, M @ (V - U)), axis=1)
    penalty = cp.sum(cp.norm(V, 2, axis=1)) + cp.sum(cp.norm(U, 2, axis=1))
    objective = cp.Minimize(0.5 * cp.sum_squares(fit - y) + beta * penalty)
    constraints = [cp.multiply(S, X @ V.T) >= 0, cp.multiply(S, X @ U.T) >= 0]
    return cp.Problem(objective, constraints), V, U


def _solve_groups(
    X: np.ndarray, y: np.ndarray, beta: float, pat: np.ndarray, solver: str,
    solver_options: dict | None,
) -> ConvexSolution:
    """The convex program of :func:`solve_convex` on checked arrays, one call of the solver."""
    problem, V, U = _group_program(X, y, beta, pat)
    solve_problem(problem, solver, solver_options, "the convex program")
    return ConvexSolution(
        value=float(problem.value),
        V=np.asarray(V.value, dtype=float),
        U=np.asarray(U.value, dtype=float),
        patterns=pat,
        status=str(problem.status),
        X=X,
        y=y,
        beta=beta,
    )


@dataclass(frozen=True)
class ConvexPath:
    """Solutions of the convex program along a path of ``beta`` (:func:`solve_convex_path`).

    Attributes
    ----------
    betas : numpy.ndarray, shape (B,)
        In the order given.
    values : numpy.ndarray, shape (B,)
        Optimal value ``p*(beta)`` of each solve.
    solutions : tuple of ConvexSolution
        One per ``beta``.
    """

    betas: np.ndarray
    values: np.ndarray
    solutions: tuple[ConvexSolution, ...]


def solve_convex_path(
    X: object,
    y: object,
    betas: object,
    patterns: object,
    solver: str = "CLARABEL",
    solver_options: dict | None = None,
) -> ConvexPath:
    """Solve the convex program of :func:`solve_convex` for several ``beta``, compiled once.

    The program (Pilanci and Ergen, 2020) is built once with ``beta`` a ``cvxpy.Parameter``:
    cvxpy canonicalizes it on the first solve and only substitutes the value afterwards. Each
    solve is as in :func:`solve_convex` (the same solver settings and retries); a solve that fails
    numerically is repeated on rescaled targets by :func:`solve_convex`'s rule.

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
    betas : array_like, shape (B,), each ``> 0``
    patterns : array_like of bool, shape (P, n)
    solver, solver_options
        As in :func:`solve_convex` (cvxpy solvers only).

    Returns
    -------
    ConvexPath

    Raises
    ------
    ValueError
        For bad data or patterns, an empty ``betas`` or a ``beta <= 0``.
    RuntimeError
        If a solve does not reach an optimal status; the message carries it.
    """
    betas = as_array(betas, "betas", ndim=1)
    if betas.size == 0:
        raise ValueError("betas must hold at least one value, got an empty array")
    if np.any(betas <= 0):
        raise ValueError(f"betas must all be > 0, got minimum {betas.min()}")
    X, y, _, pat = check_problem(X, y, float(betas[0]), patterns)
    if solver == "ipm":
        raise ValueError("solver must be a cvxpy solver for a compiled path, got 'ipm'")
    beta = cp.Parameter(nonneg=True, name="beta")
    problem, V, U = _group_program(X, y, beta, pat)
    solutions = []
    for value in betas:
        beta.value = float(value)
        try:
            solve_problem(problem, solver, solver_options, "the convex program")
        except _StatusError as err:
            if err.status not in _NUMERICAL:
                raise
            solutions.append(_solve_rescaled(X, y, float(value), pat, solver, solver_options))
            continue
        solutions.append(ConvexSolution(
            value=float(problem.value), V=np.asarray(V.value, dtype=float),
            U=np.asarray(U.value, dtype=float), patterns=pat, status=str(problem.status),
            X=X, y=y, beta=float(value),
        ))
    return ConvexPath(
        betas=betas.copy(), values=np.array([s.value for s in solutions]),
        solutions=tuple(solutions),
    )


def _neurons_from_groups(G: np.ndarray, sign: float) -> tuple[np.ndarray, np.ndarray]:
    norms = np.linalg.norm(G, axis=1)
    root = np.sqrt(norms)
    return G / root[:, None], sign * root


def recover_network(
    solution: ConvexSolution, tol: float = 1e-9
) -> tuple[np.ndarray, np.ndarray]:
    """Read a ReLU network off a solution of the convex program.

    Each nonzero group gives one neuron (Pilanci and Ergen, 2020, Theorem 1)::

        w = v_i / sqrt(||v_i||),  a = +sqrt(||v_i||)
        w = w_i / sqrt(||w_i||),  a = -sqrt(||w_i||)

    On the feasible set ``relu(X v_i) = D_i X v_i``, so the network reproduces the fit, and
    ``||w||^2 + a^2 = 2 ||v_i||`` reproduces the penalty: its non-convex objective equals the
    convex objective.

    The solver returns the zero groups as numerically small, not exactly zero, and their
    size says nothing by itself (near ``beta_max`` every group is small). They are judged on
    the scale of the problem, its objective: the smallest groups are dropped as long as the
    objective of the network stays within ``tol`` (relative) of that of the network of all
    groups, so the recovered network attains the optimum as well as the solution does. When
    the zero network is optimal (``beta >= max_u |y^T relu(X u)|``, or ``y = 0``) the network
    is empty.

    Parameters
    ----------
    solution : ConvexSolution
    tol : float
        Relative increase of the objective allowed by dropping groups, in ``[0, 1)``.

    Returns
    -------
    W : numpy.ndarray, shape (m, d)
        First-layer weights, positive neurons first.
    a : numpy.ndarray, shape (m,)
        Second-layer weights, balanced: ``|a_j| = ||w_j||``.
    """
    if not isinstance(solution, ConvexSolution):
        raise TypeError(
            f"solution must be a ConvexSolution, got {type(solution).__name__}"
        )
    tol = check_real(tol, "tol", low=0.0, high=1.0, high_open=True)
    keep_v, keep_u = _groups_to_keep(solution.X, solution.y, solution.beta, solution.V,
                                     solution.U, tol)
    Wp, ap = _neurons_from_groups(solution.V[keep_v], 1.0)
    Wm, am = _neurons_from_groups(solution.U[keep_u], -1.0)
    return np.vstack([Wp, Wm]), np.concatenate([ap, am])


def _groups_to_keep(
    X: np.ndarray, y: np.ndarray, beta: float, V: np.ndarray, U: np.ndarray, tol: float
) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the groups of V and U kept by :func:`recover_network`.

    The objective of the network made of all groups but the ``k`` smallest is, for each ``k``,
    ``1/2 ||sum_kept +-relu(X g_i) - y||^2 + beta sum_kept ||g_i||``; the largest ``k`` whose
    objective is within ``tol`` (relative) of the one at ``k = 0`` is taken.
    """
    G = np.vstack([V, U])
    sign = np.concatenate([np.ones(V.shape[0]), -np.ones(U.shape[0])])
    norms = np.linalg.norm(G, axis=1)
    order = np.argsort(norms, kind="stable")
    parts = np.maximum(X @ G[order].T, 0.0) * sign[order]  # (n, 2P): each group's output
    # fit and penalty with the k smallest groups dropped, k = 0..2P
    dropped = np.concatenate([np.zeros((X.shape[0], 1)), np.cumsum(parts, axis=1)], axis=1)
    fits = parts.sum(axis=1)[:, None] - dropped
    penalty = norms[order].sum() - np.concatenate([[0.0], np.cumsum(norms[order])])
    values = 0.5 * np.sum((fits - y[:, None]) ** 2, axis=0) + beta * penalty
    ok = np.flatnonzero(values <= values[0] + tol * abs(values[0]))
    k = int(ok.max())
    keep = np.ones(G.shape[0], dtype=bool)
    keep[order[:k]] = False
    keep &= norms > 0
    return keep[: V.shape[0]], keep[V.shape[0] :]


def merge_neurons(
    W: object, a: object, angle_tol: float = 1e-4
) -> tuple[np.ndarray, np.ndarray]:
    """Merge neurons with the same output sign and (nearly) the same direction.

    Two neurons ``a_1 relu(w_1 . x)`` and ``a_2 relu(w_2 . x)`` with ``w_2 = c w_1``,
    ``c > 0`` and ``sign a_1 = sign a_2`` add up to one neuron with effective vector
    ``v = |a_1| w_1 + |a_2| w_2``; the function is unchanged and the path norm
    ``sum_j |a_j| ||w_j||`` too, so the objective of the balanced network does not change.
    Interior-point solvers split a neuron lying on the boundary of two pattern cones between
    both groups; merging gives the width of the network they represent. Directions within
    ``angle_tol`` radians are merged greedily (largest neurons first), which changes the
    function by at most the contribution of data points in between.

    Parameters
    ----------
    W : array_like, shape (m, d)
    a : array_like, shape (m,)
    angle_tol : float
        Largest angle (radians) between merged directions, ``>= 0``.

    Returns
    -------
    W : numpy.ndarray, shape (k, d)
    a : numpy.ndarray, shape (k,)
        Balanced merged network, ``k <= m``; neurons with ``a_j = 0`` or ``w_j = 0`` dropped.
    """
    W = as_array(W, "W", ndim=2)
    a = as_array(a, "a", shape=(W.shape[0],))
    angle_tol = check_real(angle_tol, "angle_tol", low=0.0)
    norms = np.linalg.norm(W, axis=1)
    alive = (norms > 0) & (a != 0)
    eff = (np.abs(a[alive]) * norms[alive])  # path-norm weight of each neuron
    dirs = W[alive] / norms[alive, None]
    signs = np.sign(a[alive])
    order = np.argsort(-eff, kind="stable")
    centers: list[np.ndarray] = []
    center_sign: list[float] = []
    sums: list[np.ndarray] = []
    cos_tol = np.cos(angle_tol)
    for j in order:
        for k, (c, s) in enumerate(zip(centers, center_sign, strict=True)):
            if s == signs[j] and c @ dirs[j] >= cos_tol:
                sums[k] = sums[k] + eff[j] * dirs[j]
                break
        else:
            centers.append(dirs[j])
            center_sign.append(signs[j])
            sums.append(eff[j] * dirs[j])
    if not sums:
        return np.zeros((0, W.shape[1])), np.zeros(0)
    G = np.array(sums)
    root = np.sqrt(np.linalg.norm(G, axis=1))
    return G / root[:, None], np.array(center_sign) * root
