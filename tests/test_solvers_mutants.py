"""twolayer.solvers: the arguments of the gated solvers named in their errors, what their
results report, and the order of a beta path (tests/MUTATION.md, section "solvers")."""

from __future__ import annotations

import numpy as np
import pytest

from twolayer.arrangements import sample_patterns
from twolayer.solvers import NotConvergedError, gated_predictions, solve_gated, solve_path


def _problem():
    gen = np.random.default_rng(5)
    X, y = gen.standard_normal((12, 3)), gen.standard_normal(12)
    return X, y, sample_patterns(X, 10, 0)


X, Y, PAT = _problem()


@pytest.mark.parametrize(("call", "message"), [
    (lambda: solve_gated(X, Y, 0.1, PAT, tol_gap=0.0), r"tol_gap must be > 0.0, got 0.0"),
    (lambda: solve_gated(X, Y, 0.1, PAT, tol_gap=1.0), r"tol_gap must be < 1.0, got 1.0"),
    (lambda: solve_gated(X, Y, 0.1, PAT, max_iter=-1), r"max_iter must be >= 0, got -1"),
    (lambda: solve_path(X, Y, [0.1], PAT, tol_gap=-0.5), r"tol_gap must be > 0.0, got -0.5"),
    (lambda: solve_path(X, Y, [0.1], PAT, max_iter=-2), r"max_iter must be >= 0, got -2"),
    (lambda: solve_path(X, Y, [], PAT), r"betas must hold at least one value, got an empty array"),
    (lambda: solve_path(X, Y, [0.2, 0.0], PAT), r"betas must all be > 0, got minimum 0.0"),
    (lambda: solve_path(X, Y, [[0.1]], PAT), r"betas must be"),
])
def test_gated_solvers_name_each_bad_argument_at_the_start_of_its_error(call, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        call()


def test_gated_solver_reports_its_tolerance_beta_history_and_fit():
    tight = solve_gated(X, Y, 0.1, PAT)
    loose = solve_gated(X, Y, 0.1, PAT, tol_gap=0.5)  # the tolerance is passed on
    assert loose.certificate.gap <= 0.5 and loose.iterations < tight.iterations
    assert tight.certificate.gap <= 1e-8 and tight.beta == 0.1
    assert len(tight.history) == tight.iterations + 1
    assert tight.history[-1] == tight.certificate.gap
    # the fit sum_i D_i X v_i, by hand
    fit = sum(PAT[i] * (X @ tight.V[i]) for i in range(PAT.shape[0]))
    np.testing.assert_allclose(gated_predictions(X, tight), fit, rtol=1e-12, atol=1e-14)
    # the smallest accepted settings: max_iter 0 without raising, a tolerance just below 1
    start = solve_gated(X, Y, 0.1, PAT, max_iter=0, raise_on_limit=False)
    assert start.iterations == 0
    assert solve_gated(X, Y, 0.1, PAT, tol_gap=0.999).certificate.gap <= 0.999


def test_gated_solvers_raise_when_the_iteration_limit_stops_them():
    with pytest.raises(NotConvergedError):
        solve_gated(X, Y, 0.1, PAT, max_iter=0)
    with pytest.raises(NotConvergedError):  # a path raises too: no solve claims success
        solve_path(X, Y, [0.1], PAT, max_iter=0)


def test_a_path_solves_from_the_largest_beta_down_and_answers_in_the_given_order():
    betas = [0.05, 0.2, 0.1]
    path = solve_path(X, Y, betas, PAT)
    cold = [solve_gated(X, Y, b, PAT) for b in betas]
    np.testing.assert_array_equal(path.betas, betas)
    np.testing.assert_allclose(path.values, [c.value for c in cold], rtol=1e-7)
    # the largest beta is solved first, from the cold start: the same iterations
    assert path.iterations[1] == cold[1].iterations
    assert [s.beta for s in path.solutions] == betas
    one = solve_path(X, Y, [0.2], PAT)  # a single beta is a path
    assert one.values[0] == pytest.approx(cold[1].value, rel=1e-12)


@pytest.mark.parametrize("size", [1.0, 1e-3])
def test_a_path_counts_the_groups_above_a_millionth_of_the_largest(size):
    # size 1e-3: y and beta scaled down, every group norm below 1 (the threshold is relative)
    path = solve_path(X, size * Y, [size * 0.05, size * 0.3], PAT)
    for sol, active in zip(path.solutions, path.active):
        norms = np.linalg.norm(sol.V, axis=1)
        assert active == int((norms > 1e-6 * norms.max()).sum())
        assert 1 < active < PAT.shape[0]
