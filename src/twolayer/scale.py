"""The convex program solved at scale: the structured interior-point method on real data.

Experiments of the chapter "Solving the convex program at scale", as functions returning frozen
dataclasses:

* :func:`ipm_convergence`: the certificate of the interior-point method of
  :mod:`twolayer.solvers` (relative duality gap, primal and dual residuals, the primal value
  and the dual bound) along its iterations, and the same program solved by cvxpy + Clarabel.
* :func:`convex_against_sgd`: the convex model against two-layer ReLU networks trained by
  minibatch SGD on the same weight-decay objective, with the duality-gap certificate of every
  SGD network (Pilanci and Ergen, 2020; Mishkin, Sahiner and Pilanci, 2022).

Imports :mod:`twolayer._checks`, :mod:`twolayer.arrangements`, :mod:`twolayer.convex`,
:mod:`twolayer.duality`, :mod:`twolayer.network` and :mod:`twolayer.solvers`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import (
    check_int,
    check_int_sequence,
    check_problem,
    check_random_starts,
    check_regression,
    check_test_set,
)
from .arrangements import _patterns_from_directions, _unique_rows
from .convex import ConvexSolution, _solve, recover_network
from .duality.certificates import _certificates
from .network import _check_schedule, _forward, _objective, _train_from_random_inits
from .solvers.ipm import _solve_checked

__all__ = [
    "IPMConvergence",
    "ProgramSizes",
    "SGDComparison",
    "convex_against_sgd",
    "ipm_convergence",
    "program_sizes",
]


@dataclass(frozen=True)
class ProgramSizes:
    """Sizes of the convex program as a generic cone program and in the structured method.

    Attributes
    ----------
    n, d, P : int
        Samples, features, patterns.
    variables : int
        Columns of the cone program cvxpy hands to Clarabel.
    rows : int
        Its constraint rows (cone entries).
    nonzeros : int
        Nonzero entries of its constraint matrix.
    kkt : int
        Dimension ``variables + rows`` of the (quasi-definite) KKT matrix Clarabel factors.
    linear_cones : int
        Entries of the ``2P`` nonnegative cones of size ``n`` (``2 P n``).
    structured : int
        Entries the structured method factors per Newton step: ``2P`` blocks ``d x d`` and one
        ``n x n`` matrix (``2 P d^2 + n^2``).
    """

    n: int
    d: int
    P: int
    variables: int
    rows: int
    nonzeros: int
    kkt: int
    linear_cones: int
    structured: int


def program_sizes(X: object, y: object, beta: float, patterns: object) -> ProgramSizes:
    """Compile the convex program with cvxpy for Clarabel (without solving it) and count.

    cvxpy turns the program of :func:`twolayer.convex.solve_convex` into the standard form
    ``min 1/2 x^T P x + q^T x s.t. A x + s = b, s in K`` (Goulart and Chen, 2024); each
    Clarabel iteration factors the KKT matrix ``[[P, A^T], [A, -H]]`` of dimension
    ``variables + rows``, with the ``2 P n`` entries of the pattern cones among its rows.

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
    beta : float, > 0
    patterns : array_like of bool, shape (P, n)

    Returns
    -------
    ProgramSizes
    """
    import cvxpy as cp

    from .convex import _group_program

    X, y, beta, pat = check_problem(X, y, beta, patterns)
    problem, _, _ = _group_program(X, y, beta, pat)
    data = problem.get_problem_data(cp.CLARABEL)[0]
    A = data["A"]
    n, d = X.shape
    P = pat.shape[0]
    return ProgramSizes(
        n=n, d=d, P=P, variables=int(A.shape[1]), rows=int(A.shape[0]), nonzeros=int(A.nnz),
        kkt=int(A.shape[0] + A.shape[1]), linear_cones=2 * P * n,
        structured=2 * P * d * d + n * n,
    )


@dataclass(frozen=True)
class IPMConvergence:
    """The interior-point method's certificate along its iterations (:func:`ipm_convergence`).

    Attributes
    ----------
    history : numpy.ndarray, shape (T + 1,)
        Relative duality gap before each of the ``T`` Newton steps and at the end.
    checkpoints : numpy.ndarray of int, shape (k,)
        Iterations at which the whole certificate was recorded (the last is ``T``).
    primal, dual : numpy.ndarray, shape (k,)
        Objective of the iterate and the dual bound of its scaled dual point.
    gaps, primal_residuals, dual_residuals : numpy.ndarray, shape (k,)
        Relative gap, cone violation and dual-constraint violation before scaling.
    fits : numpy.ndarray, shape (k, n)
        Fitted values ``sum_i D_i X (v_i - w_i)`` of the iterates.
    solution : ConvexSolution
        The certified solution (the iterate at ``T``).
    cvxpy_value : float
        Optimal value of the same program by cvxpy + Clarabel (``nan`` if not asked for).
    relative_difference : float
        ``|ipm - cvxpy| / cvxpy`` (``nan`` without cvxpy).
    network_value : float
        Non-convex objective of the ReLU network recovered from ``solution``.
    neurons : int
        Width of the recovered network.
    """

    history: np.ndarray
    checkpoints: np.ndarray
    primal: np.ndarray
    dual: np.ndarray
    gaps: np.ndarray
    primal_residuals: np.ndarray
    dual_residuals: np.ndarray
    fits: np.ndarray
    solution: ConvexSolution
    cvxpy_value: float
    relative_difference: float
    network_value: float
    neurons: int


def ipm_convergence(
    X: object,
    y: object,
    beta: float,
    patterns: object,
    checkpoints: object,
    *,
    reference: bool = True,
) -> IPMConvergence:
    """Solve the convex program by the interior-point method and record its certificate.

    The method is deterministic, so its iterate after ``c`` steps is the last iterate of a run
    stopped at ``max_iter = c``: each checkpoint is such a run (without raising), and its
    certificate (:class:`twolayer.solvers.Certificate`) is recorded. The full run stops on
    the default certificate (relative gap and residuals at most ``1e-8``); its gap history
    comes with it. With ``reference`` the same program is also solved by cvxpy + Clarabel
    (:func:`twolayer.convex.solve_convex`), and the ReLU network is recovered from the
    interior-point solution (:func:`twolayer.convex.recover_network`).

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
    beta : float
        Weight decay, ``> 0``.
    patterns : array_like of bool, shape (P, n)
    checkpoints : sequence of int
        Iterations ``>= 0`` at which to record the certificate (those beyond the number of
        steps of the full run are dropped; the last iteration is always recorded).
    reference : bool
        Also solve with cvxpy + Clarabel.

    Returns
    -------
    IPMConvergence
    """
    X, y, beta, pat = check_problem(X, y, beta, patterns)
    steps = check_int_sequence(checkpoints, "checkpoints", low=0)
    full = _solve_checked(X, y, beta, pat)
    stops = sorted({c for c in steps if c < full.iterations} | {full.iterations})
    runs = [_solve_checked(X, y, beta, pat, max_iter=c, raise_on_limit=False)
            if c < full.iterations else full for c in stops]
    certs = [r.certificate for r in runs]
    cvx = rel = float("nan")
    if reference:
        cvx = float(_solve(X, y, beta, pat, "CLARABEL", None).value)
        rel = abs(full.solution.value - cvx) / cvx
    W, a = recover_network(full.solution)
    return IPMConvergence(
        history=np.array(full.history),
        checkpoints=np.array(stops),
        primal=np.array([c.primal for c in certs]),
        dual=np.array([c.dual for c in certs]),
        gaps=np.array([c.gap for c in certs]),
        primal_residuals=np.array([c.primal_residual for c in certs]),
        dual_residuals=np.array([c.dual_residual for c in certs]),
        fits=np.array([r.solution.predictions for r in runs]),
        solution=full.solution,
        cvxpy_value=cvx,
        relative_difference=rel,
        network_value=_objective(X, y, W, a, beta, None),
        neurons=int(a.size),
    )


@dataclass(frozen=True)
class SGDComparison:
    """The convex model against SGD-trained networks (:func:`convex_against_sgd`).

    Attributes
    ----------
    convex_value : float
        Certified optimum of the convex program on all the patterns (sampled and the SGD
        networks' own).
    convex_gap : float
        Relative duality gap of its certificate.
    gap_history : numpy.ndarray, shape (T + 1,)
        Relative gap of the interior-point method before each step.
    network_value : float
        Non-convex objective of the recovered network (equal to ``convex_value``).
    neurons : int
        Its width.
    convex_train_accuracy, convex_test_accuracy : float
        Share of correct signs of the recovered network on the training and the test set.
    sampled_patterns, patterns : int
        Patterns sampled from random directions, and all patterns of the program.
    sgd_values : numpy.ndarray, shape (runs,)
        Objectives of the SGD networks after the last step.
    sgd_train_accuracy, sgd_test_accuracy : numpy.ndarray, shape (runs,)
    excess : numpy.ndarray, shape (runs,)
        ``(sgd - convex) / convex``: how far each run ends above the convex optimum.
    certified_gaps : numpy.ndarray, shape (runs,)
        Relative gap ``(sgd - dual bound) / sgd`` of each network's certificate
        (:func:`twolayer.duality.certificate`, the dual constraint checked over the program's
        patterns), computed from the network alone, without the convex optimum; at least
        ``excess * convex / sgd``, since the bound is at most the optimum.
    dual_bounds : numpy.ndarray, shape (runs,)
        The lower bounds of those certificates (at most ``convex_value``).
    width : int
        Width of the SGD networks.
    solution : ConvexSolution
        The certified solution of the convex program (its patterns included).
    """

    convex_value: float
    convex_gap: float
    gap_history: np.ndarray
    network_value: float
    neurons: int
    convex_train_accuracy: float
    convex_test_accuracy: float
    sampled_patterns: int
    patterns: int
    sgd_values: np.ndarray
    sgd_train_accuracy: np.ndarray
    sgd_test_accuracy: np.ndarray
    excess: np.ndarray
    certified_gaps: np.ndarray
    dual_bounds: np.ndarray
    width: int
    solution: ConvexSolution


def _accuracy(X: np.ndarray, y: np.ndarray, W: np.ndarray, a: np.ndarray) -> float:
    return float(np.mean(np.sign(_forward(X, W, a, None)) == np.sign(y)))


def convex_against_sgd(
    X_train: object,
    y_train: object,
    X_test: object,
    y_test: object,
    beta: float,
    *,
    num_patterns: int,
    width: int,
    runs: int,
    rng: object,
    lr: float,
    steps: int,
    batch_size: int,
) -> SGDComparison:
    """Train SGD networks and solve the convex program on the same weight-decay objective.

    ``runs`` networks of ``width`` neurons (no bias) are trained by minibatch SGD
    (:func:`twolayer.network.train_from_random_inits`) on
    ``1/2 ||f(X) - y||^2 + beta/2 (||W||^2 + ||a||^2)``. The convex program of Pilanci and
    Ergen (2020) is then built on ``num_patterns`` patterns of random Gaussian directions
    together with the patterns of every SGD neuron, so that each SGD network, balanced, is a
    feasible point of it: the certified optimum lies below every run. It is solved by the
    structured interior-point method (:func:`twolayer.solvers.solve_ipm`), and the optimal
    network recovered. Each SGD network gets its certificate: its residual scaled into the
    program's dual-feasible set (:func:`twolayer.duality.certificate` with the program's
    patterns), a lower bound on the convex optimum computed from the network alone. Accuracy
    is the share of samples whose sign the network predicts.

    Parameters
    ----------
    X_train : array_like, shape (n, d)
    y_train : array_like, shape (n,)
        Targets ``+-1``.
    X_test : array_like, shape (n_test, d)
    y_test : array_like, shape (n_test,)
    beta : float
        Weight decay, ``> 0``.
    num_patterns : int
        Directions sampled for the program's patterns, ``>= 1``.
    width : int
        Neurons of each SGD network.
    runs : int
        SGD runs.
    rng : Generator or int
        Draws the directions, the initializations and the minibatches.
    lr, steps, batch_size
        SGD's step size, number of steps and minibatch size (:func:`twolayer.network.train`).

    Returns
    -------
    SGDComparison
    """
    X, y, beta = check_regression(X_train, y_train, beta)
    Xt, yt = check_test_set(X_test, y_test, X.shape[1])
    num_patterns = check_int(num_patterns, "num_patterns", low=1)
    width, runs, scale, gen = check_random_starts(width, runs, 1.0, rng)
    steps = check_int(steps, "steps", low=0)
    # the objective is recorded at the start and the end only
    schedule = _check_schedule(X.shape[0], lr, steps, batch_size, gen, max(1, steps))
    trained = _train_from_random_inits(X, y, width, beta, runs, gen, scale, schedule)
    directions = gen.standard_normal((num_patterns, X.shape[1]))
    sampled = _unique_rows(_patterns_from_directions(X, directions))
    own = [_patterns_from_directions(X, r.W) for r in trained]
    pat = _unique_rows(np.vstack([sampled, *own]))
    result = _solve_checked(X, y, beta, pat)
    sol = result.solution
    W, a = recover_network(sol)
    values = np.array([_objective(X, y, r.W, r.a, beta, None) for r in trained])
    dual = np.array([_certificates(X, y, r.W, r.a, beta, pat, False, False)[1].dual
                     for r in trained])
    return SGDComparison(
        convex_value=float(sol.value),
        convex_gap=float(result.certificate.gap),
        gap_history=np.array(result.history),
        network_value=_objective(X, y, W, a, beta, None),
        neurons=int(a.size),
        convex_train_accuracy=_accuracy(X, y, W, a),
        convex_test_accuracy=_accuracy(Xt, yt, W, a),
        sampled_patterns=int(sampled.shape[0]),
        patterns=int(pat.shape[0]),
        sgd_values=values,
        sgd_train_accuracy=np.array([_accuracy(X, y, r.W, r.a) for r in trained]),
        sgd_test_accuracy=np.array([_accuracy(Xt, yt, r.W, r.a) for r in trained]),
        excess=(values - sol.value) / sol.value,
        certified_gaps=(values - dual) / values,
        dual_bounds=dual,
        width=width,
        solution=sol,
    )
