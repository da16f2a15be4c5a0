"""Tests of twolayer.solvers: the structured interior-point method against cvxpy + Clarabel."""

from __future__ import annotations

import numpy as np
import pytest

from twolayer.arrangements import enumerate_patterns_1d, sample_patterns
from twolayer.convex import ConvexSolution, convex_objective, recover_network, solve_convex
from twolayer.network import objective
from twolayer.solvers import (
    NotConvergedError,
    gated_predictions,
    solve_gated,
    solve_ipm,
    solve_path,
)


def _random(seed, n=12, d=3, P=40, beta=0.2):
    gen = np.random.default_rng(seed)
    X = gen.standard_normal((n, d))
    y = gen.standard_normal(n)
    return X, y, beta, sample_patterns(X, P, gen)


def _bias():
    gen = np.random.default_rng(3)
    x = np.sort(gen.uniform(-1, 1, 15))
    Xa = np.column_stack([x, np.ones_like(x)])
    return Xa, np.sin(3 * x), 0.01, enumerate_patterns_1d(x)


def _gaussian(n, d, P, seed=0):
    gen = np.random.default_rng(seed)
    X = gen.standard_normal((n, d))
    y = gen.standard_normal(n)
    return X, y, n * 1e-3, sample_patterns(X, P, seed)


PROBLEMS = {
    "random0": lambda: _random(0),
    "random1": lambda: _random(1),
    "random2": lambda: _random(2, beta=0.02),
    "bias": _bias,
    "gaussian": lambda: _gaussian(60, 5, 60),
}


def _problem(request, name):
    """``(X, y, beta, patterns)`` of the problem ``name``: the circle of conftest, or PROBLEMS."""
    if name == "circle":
        return request.getfixturevalue("circle_problem").data
    return PROBLEMS[name]()


@pytest.fixture(scope="module", params=sorted([*PROBLEMS, "circle"]))
def solved(request):
    X, y, beta, pat = _problem(request, request.param)
    return X, y, beta, pat, solve_convex(X, y, beta, pat), solve_ipm(X, y, beta, pat)


def test_value_matches_clarabel(solved):
    X, y, beta, pat, ref, res = solved
    assert res.converged and res.solution.status == "optimal"
    assert res.solution.value == pytest.approx(ref.value, rel=1e-7)
    # the certificate brackets Clarabel's optimum: dual <= p* <= primal
    cert = res.certificate
    assert cert.gap <= 1e-8
    assert cert.dual <= ref.value * (1 + 1e-9) and ref.value <= cert.primal * (1 + 1e-9)


def test_solution_is_feasible_and_attains_its_value(solved):
    X, y, beta, pat, ref, res = solved
    sol = res.solution
    assert isinstance(sol, ConvexSolution)
    assert sol.V.shape == sol.U.shape == ref.V.shape
    S = 2.0 * sol.patterns - 1.0
    assert (S * (sol.V @ X.T)).min() >= 0.0  # strictly feasible iterates
    assert (S * (sol.U @ X.T)).min() >= 0.0
    assert sol.value == pytest.approx(
        convex_objective(X, y, beta, pat, sol.V, sol.U), rel=1e-12
    )
    np.testing.assert_allclose(sol.predictions, ref.predictions, atol=1e-3 * np.abs(y).max())
    W, a = recover_network(sol, tol=0.0)
    assert objective(X, y, W, a, beta) == pytest.approx(ref.value, rel=1e-7)


def test_dispatch_from_solve_convex(circle_problem):
    X, y, beta, pat = circle_problem.data
    sol = solve_convex(X, y, beta, pat, solver="ipm")
    res = solve_ipm(X, y, beta, pat)
    assert isinstance(sol, ConvexSolution)
    assert sol.value == res.solution.value
    loose = solve_convex(X, y, beta, pat, solver="ipm", solver_options={"tol_gap": 1e-3})
    assert loose.value >= sol.value


def test_early_stop_reports_large_gap_and_no_success(circle_problem):
    X, y, beta, pat = circle_problem.data
    res = solve_ipm(X, y, beta, pat, max_iter=3, raise_on_limit=False)
    assert not res.converged
    assert res.solution.status == "iteration_limit"
    assert res.certificate.gap > 1e-3
    assert res.iterations == 3 and len(res.history) == 4
    # the gap is honest: the optimum lies between the bounds
    ref = solve_ipm(X, y, beta, pat).solution.value
    assert res.certificate.dual <= ref <= res.certificate.primal


def test_non_convergence_raises_with_last_gap(circle_problem):
    X, y, beta, pat = circle_problem.data
    with pytest.raises(NotConvergedError, match="last relative duality gap") as info:
        solve_ipm(X, y, beta, pat, max_iter=5)
    assert isinstance(info.value, RuntimeError)
    assert info.value.gap > 1e-3
    with pytest.raises(NotConvergedError):
        solve_convex(X, y, beta, pat, solver="ipm", solver_options={"max_iter": 5})


def test_history_decreases_to_tolerance(circle_problem):
    X, y, beta, pat = circle_problem.data
    res = solve_ipm(X, y, beta, pat, tol_gap=1e-6, tol_feas=1e-6)
    assert res.history[-1] <= 1e-6 < res.history[0]
    assert res.iterations < 60


def test_zero_targets_and_large_beta_give_the_zero_network_exactly():
    X, y, beta, pat = _random(0)
    res = solve_ipm(X, np.zeros_like(y), beta, pat)
    assert res.converged and res.solution.value == 0.0 and not res.solution.V.any()
    big = 10 * np.abs(X).sum() * np.abs(y).max()
    res = solve_ipm(X, y, big, pat)
    assert res.iterations == 0 and res.solution.value == pytest.approx(0.5 * y @ y)
    ref = solve_convex(X, y, big, pat)
    assert ref.value == pytest.approx(res.solution.value, rel=1e-7)


def test_duplicate_rows_and_rank_deficient_data():
    gen = np.random.default_rng(5)
    X = gen.standard_normal((10, 3))
    X = np.vstack([X, X[:4]])  # duplicate rows
    X[:, 2] = X[:, 0] + X[:, 1]  # rank 2
    y = gen.standard_normal(14)
    pat = sample_patterns(X, 30, gen)
    ref = solve_convex(X, y, 0.1, pat)
    res = solve_ipm(X, y, 0.1, pat)
    assert res.solution.value == pytest.approx(ref.value, rel=1e-7)


BAD_INPUTS = [
    ("X", np.zeros(5)),
    ("y", np.zeros(4)),
    ("beta", 0.0),
    ("beta", "1"),
    ("patterns", np.ones((3, 4), dtype=bool)),
    ("patterns", np.full((3, 5), 2)),
    ("X", np.full((5, 2), np.nan)),
]


@pytest.mark.parametrize(("name", "bad"), BAD_INPUTS)
def test_bad_input_gets_the_errors_of_solve_convex(name, bad):
    gen = np.random.default_rng(0)
    X = gen.standard_normal((5, 2))
    args = {"X": X, "y": gen.standard_normal(5), "beta": 0.1,
            "patterns": sample_patterns(X, 4, 0)}
    args[name] = bad
    with pytest.raises((ValueError, TypeError)) as ref:
        solve_convex(**args)
    with pytest.raises(type(ref.value), match=str(ref.value).split("(")[0][:30]) as got:
        solve_ipm(**args)
    assert str(got.value) == str(ref.value)
    with pytest.raises(type(ref.value)):
        solve_convex(**args, solver="ipm")


@pytest.mark.parametrize(
    ("options", "error"),
    [({"tol_gap": 0.0}, ValueError), ({"max_iter": 1.5}, TypeError), ({"tol": 1e-6}, TypeError)],
)
def test_bad_options_are_named(options, error):
    X, y, beta, pat = _random(0)
    with pytest.raises(error, match=next(iter(options))):
        solve_convex(X, y, beta, pat, solver="ipm", solver_options=options)


def test_cone_without_interior_is_rejected_by_name():
    X = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]])
    y = np.array([1.0, 1.0, -1.0])
    pat = np.array([[True, True, True], [True, False, False]])  # x1 . v >= 0 and -x1 . v >= 0
    with pytest.raises(ValueError, match=r"patterns\[0\].*without interior"):
        solve_ipm(X, y, 0.01, pat)


def _gated_reference(X, y, beta, pat):
    import cvxpy as cp

    from twolayer.convex import solve_problem

    M = pat.T.astype(float)
    V = cp.Variable((pat.shape[0], X.shape[1]))
    fit = cp.sum(cp.multiply(X, M @ V), axis=1)
    problem = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(fit - y)
                                     + beta * cp.sum(cp.norm(V, 2, axis=1))))
    solve_problem(problem, "CLARABEL", None, "the gated relaxation")
    return problem.value


@pytest.mark.parametrize("name", ["circle", "random0", "bias", "gaussian"])
def test_gated_relaxation_matches_clarabel_and_bounds_the_cone_program(name, request):
    X, y, beta, pat = _problem(request, name)
    sol = solve_gated(X, y, beta, pat)
    ref = _gated_reference(X, y, beta, pat)
    assert sol.certificate.gap <= 1e-8
    assert sol.value == pytest.approx(ref, rel=1e-7)
    assert sol.certificate.dual <= ref * (1 + 1e-9)
    # dropping the cones can only lower the optimum
    assert sol.value <= solve_ipm(X, y, beta, pat).solution.value * (1 + 1e-8)
    fit = gated_predictions(X, sol)
    assert 0.5 * np.sum((fit - y) ** 2) + beta * np.linalg.norm(sol.V, axis=1).sum() == (
        pytest.approx(sol.value, rel=1e-12))


def test_gated_early_stop_and_bad_input(circle_problem):
    X, y, beta, pat = circle_problem.data
    with pytest.raises(NotConvergedError) as info:
        solve_gated(X, y, beta, pat, max_iter=2)
    assert info.value.gap > 1e-4
    last = solve_gated(X, y, beta, pat, max_iter=2, raise_on_limit=False)
    assert last.certificate.gap > 1e-4
    with pytest.raises(ValueError, match="beta must be > 0"):
        solve_gated(X, y, -1.0, pat)


def test_path_is_warm_started_and_matches_single_solves():
    X, y, _, pat = _gaussian(60, 5, 60)
    betas = np.geomspace(1.0, 0.01, 8)
    path = solve_path(X, y, betas, pat)
    assert path.values.shape == (8,) and (path.gaps <= 1e-8).all()
    cold = [solve_gated(X, y, b, pat) for b in betas]
    np.testing.assert_allclose(path.values, [c.value for c in cold], rtol=1e-7)
    # warm starts: after the first (largest) beta, fewer Newton steps than cold starts
    assert path.iterations[1:].sum() < 0.85 * sum(c.iterations for c in cold[1:])
    # the optimum grows with beta and the solution gets sparser
    assert (np.diff(path.values) < 0).all()
    assert path.active[0] <= path.active[-1]
    with pytest.raises(ValueError, match="betas"):
        solve_path(X, y, [0.1, -1.0], pat)


@pytest.mark.parametrize(("x_scale", "y_scale"), [(1e-2, 1e3), (1e2, 1e-3), (1.0, 1e2)])
def test_scales_of_data_and_targets(x_scale, y_scale):
    # a small sample of bench/robustness.py: the certificate is scale-free
    X, y, beta, pat = _random(4, n=15, d=3, P=30)
    X, y = X * x_scale, y * y_scale
    beta = beta * x_scale * y_scale
    ref = solve_convex(X, y, beta, pat)
    res = solve_ipm(X, y, beta, pat)
    assert res.solution.value == pytest.approx(ref.value, rel=1e-7)


def _stalling(seed, kind):
    # problems on which the first version of the method ended at its iteration limit: the
    # Mehrotra target far below an off-centre iterate's complementarity sent it off the
    # central path (plain), and rank-deficient X left directions without curvature (rank)
    gen = np.random.default_rng(seed)
    n, d = (12, 3) if kind == "rank" else (13, 4)
    X = gen.standard_normal((n, d))
    y = gen.standard_normal(n)
    if kind == "rank":
        X[:, -1] = X[:, :-1] @ gen.standard_normal(d - 1)
    beta = float(10 ** gen.uniform(-3, 0))
    return X, y, beta, sample_patterns(X, 30, gen)


@pytest.mark.parametrize(
    ("kind", "seed"),
    [("plain", 1), ("plain", 7), ("plain", 10), ("plain", 23),
     ("rank", 1), ("rank", 8), ("rank", 13), ("rank", 27)],
)
def test_problems_that_used_to_stall_converge_to_clarabel(kind, seed):
    X, y, beta, pat = _stalling(seed, kind)
    res = solve_ipm(X, y, beta, pat)
    assert res.converged and res.iterations < 60
    ref = solve_convex(X, y, beta, pat, solver="CLARABEL")
    assert res.solution.value == pytest.approx(ref.value, rel=1e-7)
    sol = res.solution
    assert sol.V.shape == sol.U.shape == (pat.shape[0], X.shape[1])
    S = 2.0 * pat - 1.0
    assert (S * (sol.V @ X.T)).min() >= -1e-12 * np.abs(X).max() * np.abs(sol.V).max()
    assert sol.value == pytest.approx(convex_objective(X, y, beta, pat, sol.V, sol.U), rel=1e-12)


def test_rank_deficient_solution_lies_in_the_row_space():
    X, y, beta, pat = _stalling(8, "rank")
    sol = solve_ipm(X, y, beta, pat).solution
    null = np.linalg.svd(X)[2][-1]  # X null = 0
    assert np.abs(X @ null).max() < 1e-12
    assert np.abs(np.vstack([sol.V, sol.U]) @ null).max() <= 1e-12 * np.abs(sol.V).max()


def test_centrality_correctors_only_where_a_factorization_costs_many_solves():
    # Gondzio's rule: correctors by the ratio of a factorization's cost to a solve's (about
    # n / 4); none on the small problems of bench/robustness.py
    from twolayer.solvers import _ipm
    from twolayer.solvers._blocks import Structure

    def count(n, d, P):
        X = np.random.default_rng(0).standard_normal((n, d))
        return _ipm._corrector_count(Structure(X, np.ones((P, n), dtype=bool)))

    assert [count(13, 4, 30), count(60, 5, 60), count(150, 10, 150), count(200, 10, 200),
            count(500, 20, 500)] == [0, 1, 2, 2, 3]


def test_centrality_correctors_save_iterations_at_the_same_optimum(monkeypatch):
    # 200/10/200 of `make bench` (X, y standard normal, seed 0): 33 iterations without the
    # correctors, fewer with them, to the same optimum and certificate
    from twolayer.solvers import _ipm

    gen = np.random.default_rng(0)
    X, y = gen.standard_normal((200, 10)), gen.standard_normal(200)
    pat = sample_patterns(X, 200, 0)
    with_correctors = solve_ipm(X, y, 0.2, pat, tol_gap=1e-6)
    monkeypatch.setattr(_ipm, "_corrector_count", lambda st: 0)
    without = solve_ipm(X, y, 0.2, pat, tol_gap=1e-6)
    assert with_correctors.converged and without.converged
    assert with_correctors.iterations <= without.iterations - 5
    assert with_correctors.solution.value == pytest.approx(without.solution.value, rel=2e-6)
    assert with_correctors.certificate.gap <= 1e-6


def _tall_problem():
    # n much larger than 12 d: each cone's barrier starts with 3 d = 9 of its 120 rows
    gen = np.random.default_rng(3)
    X, y = gen.standard_normal((120, 3)), gen.standard_normal(120)
    return X, y, 0.12, sample_patterns(X, 40, 0)


def _recorded_row_counts(monkeypatch):
    from twolayer.solvers import _ipm

    counts = []
    nearest = _ipm.nearest_rows

    def record(dist, q, kept, favour):
        counts.append(q)
        return nearest(dist, q, kept, favour)

    monkeypatch.setattr(_ipm, "nearest_rows", record)
    return counts


def test_the_reduced_barrier_reaches_the_optimum_of_clarabel_and_of_the_full_barrier(monkeypatch):
    from twolayer.solvers import _ipm

    X, y, beta, pat = _tall_problem()
    counts = _recorded_row_counts(monkeypatch)
    reduced = solve_ipm(X, y, beta, pat)
    assert set(counts) == {9}  # 3 d rows per cone throughout, never all 120
    monkeypatch.setattr(_ipm, "_row_count", lambda q, live: live)
    full = solve_ipm(X, y, beta, pat)
    ref = solve_convex(X, y, beta, pat).value
    assert reduced.converged and full.converged
    assert reduced.solution.value == pytest.approx(ref, rel=1e-7)
    assert full.solution.value == pytest.approx(ref, rel=1e-7)
    # strictly feasible for every row of every cone, not only for the rows kept
    S = 2.0 * pat - 1.0
    sol = reduced.solution
    assert min((S * (sol.V @ X.T)).min(), (S * (sol.U @ X.T)).min()) > 0


def test_the_rows_double_when_the_gap_stalls(monkeypatch):
    from twolayer.solvers import _ipm

    # one row per dimension is too few: the gap and the complementarity stall, q doubles to 6
    X, y, beta, pat = _tall_problem()
    monkeypatch.setattr(_ipm, "_ROWS", 1)
    counts = _recorded_row_counts(monkeypatch)
    res = solve_ipm(X, y, beta, pat)
    assert res.converged
    assert counts[0] == 3 and sorted(set(counts)) == [3, 6]
    assert counts == sorted(counts)
    assert res.solution.value == pytest.approx(solve_convex(X, y, beta, pat).value, rel=1e-7)


def test_row_count_leaves_out_rows_only_where_it_leaves_out_three_quarters():
    from twolayer.solvers._ipm import _row_count

    assert [_row_count(9, 36), _row_count(9, 35), _row_count(9, 120), _row_count(12, 13)] == [
        9, 35, 9, 13]


def test_stall_rule_compares_the_last_values_with_half_the_best_before():
    from twolayer.solvers._ipm import _PATIENCE, _stalled

    before = [1.0, 0.2]
    assert not _stalled(before + [0.15] * (_PATIENCE - 1))  # too short to tell
    assert _stalled(before + [0.15] * _PATIENCE)
    assert not _stalled(before + [0.1] * _PATIENCE)  # exactly half the best is progress
    assert _stalled(before + [0.1000001] * _PATIENCE)
    assert not _stalled(before + [0.15] * (_PATIENCE - 1) + [0.09])


def test_nearest_rows_keeps_the_nearest_and_favours_the_kept_ones():
    from twolayer.solvers._blocks import nearest_rows

    dist = np.array([[0.5, 0.1, 0.3, 0.9], [4.0, 3.0, 2.0, 1.0]])
    assert [sorted(r) for r in nearest_rows(dist.copy(), 2, None, 0.5)] == [[1, 2], [2, 3]]
    # row 0 of group 0 (kept, 0.5 -> 0.25) now beats row 2 (0.3); row 1 of group 1 (3 -> 1.5)
    # beats row 2 (2.0) but not row 3 (1.0)
    kept = np.array([[0, 3], [1, 0]])
    assert [sorted(r) for r in nearest_rows(dist.copy(), 2, kept, 0.5)] == [[0, 1], [1, 3]]
    # all rows: every index, in order
    assert nearest_rows(dist.copy(), 4, kept, 0.5).tolist() == [[0, 1, 2, 3]] * 2
