"""Tests of twolayer.convex: the convex program, its recovery, and its claims."""

from __future__ import annotations

import numpy as np
import pytest

from twolayer import convex
from twolayer.arrangements import enumerate_patterns_1d, enumerate_patterns_2d, sample_patterns
from twolayer.convex import (
    ConvexSolution,
    convex_objective,
    merge_neurons,
    recover_network,
    solve_convex,
)
from twolayer.network import forward, objective, path_norm, train_from_random_inits

BETA = 0.1


def test_solution_fields(circle_problem):
    X, y, sol = circle_problem.X, circle_problem.y, circle_problem.solution
    assert isinstance(sol, ConvexSolution)
    assert sol.status == "optimal"
    P = sol.patterns.shape[0]
    assert P == 2 * X.shape[0]
    assert sol.V.shape == sol.U.shape == (P, 2)
    assert sol.value == pytest.approx(
        convex_objective(X, y, BETA, sol.patterns, sol.V, sol.U), rel=1e-8
    )
    # cone constraints hold: D_i X v_i = relu(X v_i)
    S = 2.0 * sol.patterns - 1.0
    assert (S * (sol.V @ X.T)).min() > -1e-8
    assert (S * (sol.U @ X.T)).min() > -1e-8


def test_recovered_network_attains_convex_optimum(circle_problem):
    X, y, sol = circle_problem.X, circle_problem.y, circle_problem.solution
    W, a = recover_network(sol)
    assert W.shape == (a.size, 2)
    np.testing.assert_allclose(np.abs(a), np.linalg.norm(W, axis=1), rtol=1e-12)  # balanced
    assert abs(objective(X, y, W, a, BETA) - sol.value) / sol.value < 1e-6
    Wm, am = merge_neurons(W, a)
    assert am.size <= a.size
    assert am.size <= X.shape[0] + 1  # Caratheodory: m* <= n + 1
    assert abs(objective(X, y, Wm, am, BETA) - sol.value) / sol.value < 1e-6


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_recovery_identity_on_random_problems(seed):
    # any d (here 3), sampled patterns: the recovered network has the convex objective
    gen = np.random.default_rng(seed)
    X = gen.standard_normal((12, 3))
    y = gen.standard_normal(12)
    P = sample_patterns(X, 40, gen)
    sol = solve_convex(X, y, 0.2, P)
    W, a = recover_network(sol, tol=0.0)
    np.testing.assert_allclose(forward(X, W, a), sol.predictions, atol=1e-7)
    assert objective(X, y, W, a, 0.2) == pytest.approx(sol.value, rel=1e-6)


def test_convex_optimum_below_every_gradient_descent_run(circle_problem):
    # Theorem (Pilanci and Ergen, 2020): no network of any width goes below p*.
    X, y, sol = circle_problem.X, circle_problem.y, circle_problem.solution
    finals = []
    for m in (2, 8, 32):
        runs = train_from_random_inits(X, y, m, BETA, runs=3, rng=m, lr=0.02, steps=1500,
                                       record_every=1500)
        finals += [run.history[-1] for run in runs]
    sgd = train_from_random_inits(X, y, 32, BETA, runs=3, rng=1000, lr=0.01, steps=1500,
                                  batch_size=10, record_every=1500)
    finals += [run.history[-1] for run in sgd]
    assert min(finals) >= sol.value * (1 - 1e-9)
    # and the comparison is not vacuous: the best runs come close to p*
    assert (min(finals) - sol.value) / sol.value < 0.05


def test_wide_gradient_descent_approaches_optimum(circle_problem):
    X, y, sol = circle_problem.X, circle_problem.y, circle_problem.solution
    runs = train_from_random_inits(X, y, 64, BETA, runs=2, rng=0, lr=0.05, steps=4000,
                                   record_every=4000)
    best = min(r.history[-1] for r in runs)
    assert (best - sol.value) / sol.value < 1e-2


def test_sampled_patterns_give_upper_bound(circle_problem):
    X, y, sol = circle_problem.X, circle_problem.y, circle_problem.solution
    sampled = solve_convex(X, y, BETA, sample_patterns(X, 6, rng=1))
    assert sampled.value >= sol.value * (1 - 1e-9)
    W, a = recover_network(sampled)
    assert objective(X, y, W, a, BETA) == pytest.approx(sampled.value, rel=1e-6)


def test_augmented_one_dimensional_data_with_bias():
    gen = np.random.default_rng(3)
    x = np.sort(gen.uniform(-1, 1, 15))
    y = np.sin(3 * x)
    Xa = np.column_stack([x, np.ones_like(x)])
    sol = solve_convex(Xa, y, 0.01, enumerate_patterns_1d(x))
    W, a = recover_network(sol)
    fit = forward(x[:, None], W[:, :1], a, b=W[:, 1])
    np.testing.assert_allclose(fit, sol.predictions, atol=1e-6)


def test_merge_neurons_keeps_function_and_path_norm():
    gen = np.random.default_rng(4)
    X = gen.standard_normal((20, 2))
    w = np.array([1.0, 2.0])
    W = np.array([w, 3.0 * w, [0.0, 1.0], -w])
    a = np.array([0.5, 0.25, -1.0, 2.0])
    Wm, am = merge_neurons(W, a)
    assert am.size == 3  # the two parallel positive neurons merge; the opposite one does not
    np.testing.assert_allclose(forward(X, Wm, am), forward(X, W, a), atol=1e-12)
    assert path_norm(Wm, am) == pytest.approx(path_norm(W, a))
    np.testing.assert_allclose(np.abs(am), np.linalg.norm(Wm, axis=1))
    # same direction, opposite signs: not merged
    assert merge_neurons(np.array([w, w]), np.array([1.0, -1.0]))[1].size == 2


def test_bad_input(circle_problem):
    X, y, sol = circle_problem.X, circle_problem.y, circle_problem.solution
    P = sol.patterns
    with pytest.raises(ValueError, match="beta must be > 0"):
        solve_convex(X, y, 0.0, P)
    with pytest.raises(ValueError, match="X and y must have the same number of rows"):
        solve_convex(X, y[:-1], BETA, P)
    with pytest.raises(ValueError, match="patterns must have shape"):
        solve_convex(X, y, BETA, P[:, :-1])
    with pytest.raises(ValueError, match="patterns must be boolean"):
        solve_convex(X, y, BETA, 2 * P.astype(int))
    bad = y.copy()
    bad[0] = np.inf
    with pytest.raises(ValueError, match="y must be finite"):
        solve_convex(X, bad, BETA, P)
    with pytest.raises(TypeError, match="solution must be a ConvexSolution"):
        recover_network((sol.V, sol.U))
    with pytest.raises(ValueError, match="a must have length"):
        merge_neurons(np.ones((3, 2)), np.ones(2))


def test_failed_solve_reports_status(circle_problem):
    X, y, sol = circle_problem.X, circle_problem.y, circle_problem.solution
    with pytest.raises(RuntimeError, match="convex program: status user_limit"):
        solve_convex(X, y, BETA, sol.patterns, solver_options={"max_iter": 2})
    with pytest.raises(RuntimeError, match="status solver_error.*NOPE"):
        solve_convex(X, y, BETA, sol.patterns, solver="NOPE")


def test_retry_uses_a_fresh_solver_with_default_settings(circle_problem, monkeypatch):
    # The first attempt stops short (here: too few iterations). cvxpy's warm start would rerun
    # the cached CLARABEL solver with the *same* settings; the retry must use the defaults.
    X, y, sol = circle_problem.X, circle_problem.y, circle_problem.solution
    monkeypatch.setattr(convex, "CLARABEL_OPTIONS", {"max_iter": 3})
    again = solve_convex(X, y, BETA, sol.patterns)
    assert again.status == "optimal"
    assert again.value == pytest.approx(sol.value, rel=1e-7)


class _StuckProblem:
    """Stands in for a cvxpy Problem whose every solve ends optimal_inaccurate."""

    def __init__(self):
        self.calls = []
        self.status = None

    def solve(self, **kwargs):
        self.calls.append(kwargs)
        self.status = "optimal_inaccurate"


def test_status_of_every_attempt_is_reported():
    problem = _StuckProblem()
    with pytest.raises(RuntimeError, match=r"did not solve the test program: status "
                       r"optimal_inaccurate \(attempts: optimal_inaccurate, optimal_inaccurate\)"):
        convex.solve_problem(problem, "CLARABEL", None, "the test program")
    assert [c["warm_start"] for c in problem.calls] == [False, False]
    assert problem.calls[0]["tol_gap_rel"] == convex.CLARABEL_OPTIONS["tol_gap_rel"]
    assert "tol_gap_rel" not in problem.calls[1]  # the retry runs with the solver's defaults
    # explicit options: a single attempt with exactly those options
    problem = _StuckProblem()
    with pytest.raises(RuntimeError, match=r"status optimal_inaccurate$"):
        convex.solve_problem(problem, "CLARABEL", {"max_iter": 7}, "the test program")
    assert problem.calls == [{"solver": "CLARABEL", "warm_start": False, "max_iter": 7}]


# ------------------------------------------------------------------ recovery on the problem's scale


@pytest.mark.parametrize(("seed", "beta"), [(0, 1e-6), (0, 1e-8), (1, 1e-6), (1, 1e-8)])
def test_recovery_attains_p_star_at_small_beta(seed, beta):
    # groups judged against the largest one dropped neurons that mattered: the network was
    # 9e-5 (seed 0, beta 1e-6) and 1.1e-2 (seed 1, beta 1e-8) above p*
    gen = np.random.default_rng(seed)
    X, y = gen.standard_normal((20, 2)), gen.standard_normal(20)
    sol = solve_convex(X, y, beta, enumerate_patterns_2d(X))
    W, a = recover_network(sol)
    assert abs(objective(X, y, W, a, beta) - sol.value) <= 1e-8 * sol.value


def test_recovery_returns_the_empty_network_when_zero_is_optimal(circle_problem):
    from twolayer.duality import max_dual_constraint

    X, y, sol = circle_problem.X, circle_problem.y, circle_problem.solution
    P = sol.patterns
    beta_max = max_dual_constraint(X, y).value  # zero is optimal iff beta >= beta_max
    for beta in (1.001 * beta_max, 1.1 * beta_max, 10 * beta_max):
        W, a = recover_network(solve_convex(X, y, beta, P))
        assert W.shape == (0, 2) and a.shape == (0,)
    W, a = recover_network(solve_convex(X, np.zeros_like(y), BETA, P))
    assert a.size == 0
    # just below beta_max the optimum is one neuron, and stays one
    W, a = merge_neurons(*recover_network(solve_convex(X, y, 0.99 * beta_max, P)))
    assert a.size == 1


def test_duality_explorer_counts_no_neuron_above_beta_max():
    import matplotlib.pyplot as plt

    from twolayer.widgets.duality import duality_snapshot

    fig = duality_snapshot(12.0, 0)  # beta_max = 10.97 for seed 0
    assert any(ax.get_title().endswith(", 0 neurons") for ax in fig.axes)
    plt.close(fig)


@pytest.mark.parametrize(("factor", "accuracy"), [(1e6, 1e-5), (1e8, 1e-2)])
def test_large_targets_are_rescaled_not_infeasible(circle_problem, factor, accuracy):
    # V = U = 0 is feasible: "status infeasible" at large ||y|| / beta was a numerical failure
    X, y, sol = circle_problem.X, circle_problem.y, circle_problem.solution
    big = solve_convex(X, factor * y, BETA, sol.patterns)
    assert big.status == "optimal"
    assert np.array_equal(big.y, factor * y) and big.beta == BETA
    assert convex_objective(X, factor * y, BETA, sol.patterns, big.V, big.U) == pytest.approx(
        big.value, rel=1e-9)
    from twolayer.duality import convex_certificate

    # ||y|| / beta = 5e8 is the program at beta = 2e-9 for unit targets: the certified accuracy
    # (1e-5 and 1e-3 measured) is that of the solver there
    assert convex_certificate(big).relative_gap < accuracy
    # and the callers run through
    from twolayer.duality import certificate, cutting_plane

    W, a = recover_network(big)
    assert objective(X, factor * y, W, a, BETA) == pytest.approx(big.value, rel=1e-8)
    cert = certificate(X, factor * y, W, a, BETA, refine=True)
    assert cert.exact and cert.relative_gap < accuracy
    res = cutting_plane(X, factor * y, BETA, rng=0, max_iter=80)
    assert res.values[-1] == pytest.approx(big.value, rel=accuracy)


def test_bias_penalized_network_with_large_targets():
    from twolayer.splines import bias_penalized_network

    x = np.linspace(-1.0, 1.0, 12)
    y = np.abs(x) - 0.3 * x
    small = bias_penalized_network(x, y, 0.01)
    big = bias_penalized_network(x, 1e7 * y, 0.01 * 1e7)  # same program scaled: value x 1e14
    assert big.value == pytest.approx(1e14 * small.value, rel=1e-6)
    huge = bias_penalized_network(x, 1e7 * y, 0.01)
    assert huge.solution.status == "optimal"
    assert huge.network(x) == pytest.approx(1e7 * y, rel=1e-4)


# ------------------------------------------------------------- what mutation testing found missing


def test_a_compiled_beta_path_solves_the_program_of_each_beta(circle_problem):
    X, y, P = circle_problem.X, circle_problem.y, circle_problem.patterns
    betas = np.array([0.3, BETA, 0.03])
    path = convex.solve_convex_path(X, y, betas, P)
    assert isinstance(path, convex.ConvexPath)
    np.testing.assert_array_equal(path.betas, betas)
    betas[0] = 7.0  # the path keeps its own copy
    assert path.betas[0] == 0.3
    assert path.values[1] == pytest.approx(circle_problem.solution.value, rel=1e-9)
    assert np.all(np.diff(path.values) < 0)  # p*(beta) increases with beta
    for beta, value, sol in zip(path.betas, path.values, path.solutions, strict=True):
        assert isinstance(sol, ConvexSolution) and sol.status == "optimal"
        assert sol.beta == beta and sol.value == value
        assert sol.V.shape == sol.U.shape == (P.shape[0], 2) and sol.V.dtype == float
        assert np.array_equal(sol.X, X) and np.array_equal(sol.y, y)
        assert np.array_equal(sol.patterns, P)
        assert value == pytest.approx(convex_objective(X, y, beta, P, sol.V, sol.U), rel=1e-8)
        W, a = recover_network(sol)
        assert objective(X, y, W, a, beta) == pytest.approx(value, rel=1e-6)
    assert path.solutions[2].value == pytest.approx(solve_convex(X, y, 0.03, P).value, rel=1e-9)


def test_a_beta_path_rescales_large_targets_and_raises_on_other_failures(circle_problem):
    X, y, P = circle_problem.X, circle_problem.y, circle_problem.patterns
    # at ||y|| / beta = 5e8 the solver reports the program infeasible; the path re-solves it on
    # unit-size targets, as solve_convex does
    path = convex.solve_convex_path(X, 1e6 * y, [BETA, 0.05], P)
    assert len(path.solutions) == 2 and path.values[1] < path.values[0]  # both betas solved
    sol = path.solutions[0]
    assert sol.status == "optimal" and sol.beta == BETA and np.array_equal(sol.y, 1e6 * y)
    assert sol.value == pytest.approx(solve_convex(X, 1e6 * y, BETA, P).value, rel=1e-6)
    assert sol.value == pytest.approx(
        convex_objective(X, 1e6 * y, BETA, P, sol.V, sol.U), rel=1e-9)
    with pytest.raises(RuntimeError, match="convex program: status user_limit"):
        convex.solve_convex_path(X, y, [BETA], P, solver_options={"max_iter": 2})
    with pytest.raises(RuntimeError, match="status solver_error.*NOPE"):
        convex.solve_convex_path(X, y, [BETA], P, solver="NOPE")


@pytest.mark.parametrize(
    ("betas", "error", "match"),
    [
        ([], ValueError, "^betas must hold at least one value, got an empty array"),
        ([0.1, -1.0], ValueError, "^betas must all be > 0, got minimum -1.0"),
        ([0.1, 0.0], ValueError, "^betas must all be > 0, got minimum 0.0"),
        ([[0.1]], ValueError, "^betas must be 1-dimensional"),
        (["a"], TypeError, "^betas must hold real numbers"),
    ],
)
def test_a_beta_path_names_its_bad_betas(circle_problem, betas, error, match):
    with pytest.raises(error, match=match):
        convex.solve_convex_path(circle_problem.X, circle_problem.y, betas,
                                 circle_problem.patterns)


def test_a_beta_path_checks_its_data_and_solver(circle_problem):
    X, y, P = circle_problem.X, circle_problem.y, circle_problem.patterns
    with pytest.raises(ValueError, match="^X and y must have the same number of rows"):
        convex.solve_convex_path(X, y[:-1], [BETA], P)
    with pytest.raises(ValueError, match="^patterns must have shape"):
        convex.solve_convex_path(X, y, [BETA], P[:, :-1])
    with pytest.raises(ValueError, match="^solver must be a cvxpy solver for a compiled path, "
                                         "got 'ipm'"):
        convex.solve_convex_path(X, y, [BETA], P, solver="ipm")


def test_convex_objective_and_merge_neurons_name_their_bad_arguments(circle_problem):
    X, y, P = circle_problem.X, circle_problem.y, circle_problem.patterns
    V = circle_problem.solution.V
    with pytest.raises(ValueError, match="^V must have length 60 along axis 0"):
        convex_objective(X, y, BETA, P, V[:-1], V)
    with pytest.raises(ValueError, match="^V must be 2-dimensional"):
        convex_objective(X, y, BETA, P, V[0], V)
    with pytest.raises(ValueError, match="^U must have length 2 along axis 1"):
        convex_objective(X, y, BETA, P, V, V[:, :1])
    with pytest.raises(ValueError, match="^W must be 2-dimensional"):
        merge_neurons(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="^angle_tol must be >= 0.0, got -0.1"):
        merge_neurons(np.ones((3, 2)), np.ones(3), angle_tol=-0.1)
    with pytest.raises(TypeError, match="^angle_tol must be a real number"):
        merge_neurons(np.ones((3, 2)), np.ones(3), angle_tol="0.1")


def test_merge_neurons_drops_neurons_that_compute_nothing():
    # a_j = 0 or w_j = 0: the neuron adds nothing to f and nothing to the path norm
    W = np.array([[1.0, 2.0], [0.0, 0.0], [-1.0, 0.5], [3.0, 1.0]])
    a = np.array([0.5, 2.0, 0.0, -1.0])
    Wm, am = merge_neurons(W, a)
    assert am.size == 2 and np.all(np.isfinite(Wm))
    X = np.random.default_rng(5).standard_normal((10, 2))
    np.testing.assert_allclose(forward(X, Wm, am), forward(X, W, a), atol=1e-12)
    assert merge_neurons(W[[1, 2]], a[[1, 2]])[0].shape == (0, 2)


def test_merge_neurons_grows_clusters_from_the_largest_neuron():
    # directions at 0, 0.8 and 1.6 times angle_tol: from the largest (the middle one) both
    # others are within angle_tol, so one neuron results; from the smallest it would be two
    tol = 0.1
    W = np.column_stack([np.cos([0.0, 0.8 * tol, 1.6 * tol]), np.sin([0.0, 0.8 * tol, 1.6 * tol])])
    a = np.array([1.0, 3.0, 2.0])
    Wm, am = merge_neurons(W, a, angle_tol=tol)
    assert am.size == 1
    assert path_norm(Wm, am) == pytest.approx(path_norm(W, a), rel=0.01)  # nearly parallel
    # angle_tol = 0 still merges neurons of exactly the same direction
    Wm, am = merge_neurons(np.array([[1.0, 0.0], [2.0, 0.0]]), np.array([1.0, 1.0]), 0.0)
    np.testing.assert_allclose(Wm, [[np.sqrt(3.0), 0.0]])
    np.testing.assert_allclose(am, [np.sqrt(3.0)])


# ------------------------------------------- the rest of the module: retries, rescaling, recovery


class _ScriptedProblem:
    """Stands in for a cvxpy Problem: each solve plays the next step of ``script``, which is a
    status, or an exception to raise, or a status with the warning cvxpy gives on inaccuracy."""

    def __init__(self, *script):
        self.script = list(script)
        self.calls = []
        self.status = None

    def solve(self, **kwargs):
        import warnings

        self.calls.append(kwargs)
        step = self.script[len(self.calls) - 1]
        if isinstance(step, Exception):
            raise step
        if step == "optimal_inaccurate":
            warnings.warn("Solution may be inaccurate. Try another solver, ...", UserWarning,
                          stacklevel=2)
        self.status = step


def test_an_optimal_first_attempt_is_the_only_one():
    problem = _ScriptedProblem("optimal", "optimal")
    assert convex.solve_problem(problem, "CLARABEL", None, "the test program") is None
    assert len(problem.calls) == 1
    assert problem.calls[0]["tol_feas"] == convex.CLARABEL_OPTIONS["tol_feas"]
    # another solver without options: one attempt with the solver's defaults only
    problem = _ScriptedProblem("optimal")
    convex.solve_problem(problem, "SCS", None, "the test program")
    assert problem.calls == [{"solver": "SCS", "warm_start": False}]


def test_a_solver_error_of_the_tight_attempt_is_retried_with_the_defaults():
    import cvxpy as cp

    problem = _ScriptedProblem(cp.SolverError("tight settings failed"), "optimal")
    convex.solve_problem(problem, "CLARABEL", None, "the test program")  # no error: solved
    assert len(problem.calls) == 2 and "tol_feas" not in problem.calls[1]
    # an error on the last attempt is raised with the statuses of both and the solver's words
    problem = _ScriptedProblem("user_limit", cp.SolverError("out of memory"))
    with pytest.raises(RuntimeError, match=r"^solver CLARABEL did not solve the test program: "
                       r"status solver_error \(attempts: user_limit, solver_error\): "
                       r"out of memory$") as info:
        convex.solve_problem(problem, "CLARABEL", None, "the test program")
    assert info.value.status == "solver_error"
    assert isinstance(info.value.__cause__, cp.SolverError)
    # an infeasible status is final: not retried, and raised with that status
    problem = _ScriptedProblem("infeasible", "optimal")
    with pytest.raises(RuntimeError, match=r"status infeasible$") as info:
        convex.solve_problem(problem, "CLARABEL", None, "the test program")
    assert info.value.status == "infeasible" and len(problem.calls) == 1


def test_the_inaccuracy_warning_is_turned_into_the_status_and_not_shown():
    import warnings

    problem = _ScriptedProblem("optimal_inaccurate", "optimal")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        convex.solve_problem(problem, "CLARABEL", None, "the test program")
    assert caught == [] and len(problem.calls) == 2
    # only that warning: any other warning of the solver still reaches the caller
    problem = _ScriptedProblem("optimal")
    problem.solve = lambda **kw: (warnings.warn("the problem is badly scaled", UserWarning,
                                                stacklevel=2),
                                  setattr(problem, "status", "optimal"))
    with pytest.warns(UserWarning, match="badly scaled"):
        convex.solve_problem(problem, "CLARABEL", None, "the test program")


def test_the_ipm_solver_solves_the_same_program(circle_problem):
    X, y, P, sol = circle_problem.X, circle_problem.y, circle_problem.patterns, \
        circle_problem.solution
    ipm = solve_convex(X, y, BETA, P, solver="ipm")
    assert isinstance(ipm, ConvexSolution)
    assert ipm.value == pytest.approx(sol.value, rel=1e-7)
    assert ipm.value == pytest.approx(convex_objective(X, y, BETA, P, ipm.V, ipm.U), rel=1e-7)
    np.testing.assert_allclose(ipm.predictions, sol.predictions, atol=1e-4)
    # its options are those of twolayer.solvers.solve_ipm, passed on
    with pytest.raises(TypeError, match="^solver_options of solver='ipm' must be among"):
        solve_convex(X, y, BETA, P, solver="ipm", solver_options={"max_iters": 3})
    loose = solve_convex(X, y, BETA, P, solver="ipm", solver_options={"tol_gap": 1e-3})
    assert abs(loose.value - sol.value) / sol.value < 1e-2


def test_the_residual_is_the_part_of_y_the_network_does_not_fit(circle_problem):
    X, y, sol = circle_problem.X, circle_problem.y, circle_problem.solution
    W, a = recover_network(sol)
    np.testing.assert_allclose(sol.predictions, forward(X, W, a), atol=1e-7)
    np.testing.assert_allclose(sol.residual, y - forward(X, W, a), atol=1e-7)
    # the optimal dual vector: each neuron's direction u meets its constraint with equality,
    # r . relu(X u) = beta sign(a) (Pilanci and Ergen 2020, the dual constraint)
    U = W / np.linalg.norm(W, axis=1, keepdims=True)
    np.testing.assert_allclose(np.maximum(X @ U.T, 0.0).T @ sol.residual, BETA * np.sign(a),
                               rtol=1e-4)


def test_a_numerical_failure_is_solved_again_on_unit_targets(circle_problem, monkeypatch):
    # the rule of solve_convex: y and beta divided by s = ||y|| / sqrt(n), the solution scaled
    # back by s (V, U) and s^2 (the value); seen through a _solve_groups that fails first
    X, y, P, sol = circle_problem.X, circle_problem.y, circle_problem.patterns, \
        circle_problem.solution
    real = convex._solve_groups
    seen = []

    def fails_first(X, y, beta, pat, solver, options):
        seen.append((y, beta, solver, options))
        if len(seen) == 1:
            raise convex._StatusError("made up", "infeasible")
        return real(X, y, beta, pat, solver, options)

    monkeypatch.setattr(convex, "_solve_groups", fails_first)
    big = solve_convex(X, 3.0 * y, 3.0 * BETA, P, solver_options={"max_iter": 200})
    s = 3.0 * np.linalg.norm(y) / np.sqrt(y.size)
    assert len(seen) == 2
    np.testing.assert_allclose(seen[1][0], 3.0 * y / s, rtol=1e-15)
    assert seen[1][1] == pytest.approx(3.0 * BETA / s, rel=1e-15)
    assert seen[1][2:] == ("CLARABEL", {"max_iter": 200})
    # the program of (3 y, 3 beta) is that of (y, beta) scaled: value x 9, groups x 3
    assert big.value == pytest.approx(9.0 * sol.value, rel=1e-7)
    # (the groups themselves are not unique: a neuron may split across two cones)
    np.testing.assert_allclose(big.predictions, 3.0 * sol.predictions, atol=1e-6)
    assert big.value == pytest.approx(
        convex_objective(X, 3.0 * y, 3.0 * BETA, P, big.V, big.U), rel=1e-9)
    assert big.status == "optimal" and big.beta == 3.0 * BETA
    assert np.array_equal(big.y, 3.0 * y) and np.array_equal(big.X, X)
    assert np.array_equal(big.patterns, P)


@pytest.mark.parametrize("status", ["infeasible", "infeasible_inaccurate", "unbounded",
                                    "unbounded_inaccurate"])
def test_a_failure_after_rescaling_names_both_attempts(circle_problem, monkeypatch, status):
    X, y, P = circle_problem.X, circle_problem.y, circle_problem.patterns

    def fails(X, y, beta, pat, solver, options):
        raise convex._StatusError(f"failed with {status}", status)

    monkeypatch.setattr(convex, "_solve_groups", fails)
    s = 2.0 * np.linalg.norm(y) / np.sqrt(y.size)
    with pytest.raises(RuntimeError, match=rf"^failed with {status}; after rescaling y and beta "
                       rf"by 1/{s:.3g}: failed with {status}$") as info:
        solve_convex(X, 2.0 * y, BETA, P)
    assert info.value.status == status


def test_failures_that_rescaling_cannot_help_are_raised_as_they_are(circle_problem, monkeypatch):
    # another status (the solver's own limit), targets already of unit size, and y = 0
    X, y, P = circle_problem.X, circle_problem.y, circle_problem.patterns
    unit = y / (np.linalg.norm(y) / np.sqrt(y.size))
    for status, target in [("user_limit", 2.0 * y), ("infeasible", unit),
                           ("infeasible", np.zeros_like(y))]:
        calls = []

        def fails(X, y, beta, pat, solver, options, calls=calls, status=status):
            calls.append(y)
            raise convex._StatusError("failed", status)

        monkeypatch.setattr(convex, "_solve_groups", fails)
        with pytest.raises(RuntimeError, match="^failed$"):
            solve_convex(X, target, BETA, P)
        assert len(calls) == 1


def test_recover_network_checks_its_tolerance(circle_problem):
    sol = circle_problem.solution
    for bad in (-1e-9, 1.0, 2.0):
        with pytest.raises(ValueError, match="^tol must be"):
            recover_network(sol, tol=bad)
    with pytest.raises(TypeError, match="^tol must be a real number"):
        recover_network(sol, tol="0")
    with pytest.raises(TypeError, match="^solution must be a ConvexSolution, got tuple"):
        recover_network((sol.V, sol.U))
    W, a = recover_network(sol, tol=0.0)  # the documented ends of [0, 1) are accepted
    assert np.all(a[:-1] >= a[1:] - np.inf)  # (any order within a sign)
    W, a = recover_network(sol, tol=0.999)
    assert a.size >= 0


def _hand_solution(X, y, beta, V, U):
    """A ConvexSolution built by hand (only X, y, beta, V and U matter to recover_network)."""
    P = V.shape[0]
    return ConvexSolution(value=np.nan, V=V, U=U, patterns=np.ones((P, X.shape[0]), dtype=bool),
                          status="optimal", X=X, y=y, beta=beta)


def test_recovery_measures_its_tolerance_against_the_network_of_all_groups():
    # groups: w (positive) and g3 (negative) fit y exactly; a pair +g, -g, the smallest
    # groups, cancels. Dropping the pair lowers the objective; dropping g3 as well costs delta.
    # The documented rule keeps g3 iff delta > tol |objective of all groups|, whatever the
    # objective of other subsets (one of the pair dropped: far larger)
    X = np.random.default_rng(8).standard_normal((12, 2))
    w, g3, g = np.array([2.0, 1.0]), np.array([-0.005, 0.02]), np.array([0.007, 0.007])
    y = np.maximum(X @ w, 0) - np.maximum(X @ g3, 0)
    beta = 1e-3
    sol = _hand_solution(X, y, beta, np.array([w, g]), np.array([g, g3]))
    all_groups = objective(X, y, *_net([w, g], [g, g3]), beta)
    pair_dropped = objective(X, y, *_net([w], [g3]), beta)
    assert pair_dropped < all_groups < objective(X, y, *_net([w], [g, g3]), beta) / 1.1
    delta = objective(X, y, *_net([w], []), beta) - all_groups  # g3 dropped too
    assert 0 < delta < all_groups
    # just above delta: g3 may go; just below: it stays
    W, a = recover_network(sol, tol=1.01 * delta / all_groups)
    assert a.size == 1
    assert objective(X, y, W, a, beta) <= all_groups * (1 + 1.01 * delta / all_groups)
    W, a = recover_network(sol, tol=0.99 * delta / all_groups)
    assert a.size == 2
    np.testing.assert_allclose(forward(X, W, a), y, atol=1e-12)  # w and g3: the exact fit
    # tol = 0 keeps exactly what does not raise the objective: the pair goes, g3 and w stay
    W, a = recover_network(sol, tol=0.0)
    assert a.size == 2 and objective(X, y, W, a, beta) == pytest.approx(pair_dropped, rel=1e-12)
    # one exact group (and a zero one): with tol = 0 nothing can go, the network is w
    exact = _hand_solution(X, np.maximum(X @ w, 0), beta, np.array([w]), np.zeros((1, 2)))
    W, a = recover_network(exact, tol=0.0)
    np.testing.assert_allclose(W, [w / np.sqrt(np.linalg.norm(w))], rtol=1e-15)


def _net(V, U):
    """The balanced network of groups V (positive) and U (negative): w = g / sqrt|g|."""
    G = np.vstack([np.reshape(V, (-1, 2)), np.reshape(U, (-1, 2))])
    root = np.sqrt(np.linalg.norm(G, axis=1))
    return G / root[:, None], np.concatenate([np.ones(len(V)), -np.ones(len(U))]) * root
