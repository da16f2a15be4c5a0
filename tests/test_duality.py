"""Tests of twolayer.duality: strong duality, the dual constraint, certificates, cutting planes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from twolayer.arrangements import enumerate_patterns_2d, unit_circle
from twolayer.convex import merge_neurons, recover_network, solve_convex
from twolayer.data import circle_teacher_regression
from twolayer.duality import (
    certificate,
    convex_certificate,
    cutting_plane,
    dual_constraint,
    dual_value,
    dual_vector,
    max_dual_constraint,
    network_patterns,
    solve_dual,
)
from twolayer.network import objective, train

BETA = 0.1


@pytest.fixture(scope="module")
def optimum(circle_problem):
    c = circle_problem
    W, a = merge_neurons(*recover_network(c.solution))
    return c.X, c.y, c.patterns, c.solution, W, a


def test_dual_constraint_by_hand():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
    v = np.array([1.0, -2.0, 3.0])
    U = np.array([[1.0, 0.0], [0.0, -1.0]])
    # by hand: relu(X u) = (1, 0, 0) at u = (1, 0) and (0, 0, 1) at u = (0, -1)
    np.testing.assert_allclose(dual_constraint(X, v, U, signed=True), [1.0, 3.0])
    np.testing.assert_allclose(dual_constraint(X, -v, U), [1.0, 3.0])
    # -1/2 ||v - y||^2 + 1/2 ||y||^2 = -1/2 * 4 + 1/2 * 5
    assert dual_value(np.array([1.0, 2.0]), np.array([1.0, 0.0])) == pytest.approx(0.5)


def test_exact_circle_maximum_matches_dense_grid_and_cones(optimum):
    X, y, P, sol, _, _ = optimum
    v = np.random.default_rng(0).standard_normal(X.shape[0])
    exact = max_dual_constraint(X, v)
    grid = dual_constraint(X, v, unit_circle(np.linspace(0, 2 * np.pi, 200001))).max()
    assert exact.exact
    assert grid <= exact.value + 1e-12
    assert exact.value - grid < 1e-6 * exact.value
    assert dual_constraint(X, v, exact.direction[None, :])[0] == pytest.approx(exact.value)
    cones = max_dual_constraint(X, v, P, complete=True)
    assert cones.value == pytest.approx(exact.value, rel=1e-9)


def test_max_dual_constraint_other_dimensions():
    X1 = np.array([[1.0], [-2.0], [3.0]])
    v = np.array([1.0, 1.0, -1.0])
    res = max_dual_constraint(X1, v)
    assert res.value == pytest.approx(2.0)  # u = -1: relu(-x) = (0, 2, 0)
    X3 = np.random.default_rng(1).standard_normal((5, 3))
    with pytest.raises(ValueError, match="patterns must be given"):
        max_dual_constraint(X3, np.ones(5))


def test_strong_duality_with_exact_arrangement(optimum):
    X, y, P, sol, _, _ = optimum
    cert = convex_certificate(sol)
    assert cert.exact
    assert 0.0 <= cert.relative_gap < 1e-6
    assert cert.constraint_max / BETA == pytest.approx(1.0, abs=1e-6)
    value, v = solve_dual(X, y, BETA, P)
    assert value == pytest.approx(sol.value, rel=1e-6)
    np.testing.assert_allclose(v, dual_vector(sol), atol=1e-4)


@pytest.mark.parametrize(("n", "beta"), [(10, 0.01), (50, 0.1), (50, 1.0), (100, 0.03)])
def test_exact_arrangement_closes_the_gap_and_recovery_attains_p_star(n, beta):
    # Pilanci and Ergen (2020), Theorem 1, with all 2n patterns of planar data
    X, y, _, _ = circle_teacher_regression(n, rng=n, noise=0.1)
    P = enumerate_patterns_2d(X)
    assert P.shape[0] == 2 * n
    sol = solve_convex(X, y, beta, P)
    cert = convex_certificate(sol)
    assert cert.exact
    assert -1e-9 < cert.gap and cert.relative_gap < 1e-6
    for W, a in (recover_network(sol), merge_neurons(*recover_network(sol))):
        assert abs(objective(X, y, W, a, beta) - sol.value) / sol.value < 1e-6
        # and the network, read as a primal point, is certified optimal by its own residual
        assert certificate(X, y, W, a, beta).relative_gap < 1e-4


@pytest.mark.parametrize("seed", [0, 1])
def test_dual_program_matches_primal_on_degenerate_data(seed):
    # opposite and repeated points give ray-shaped cones; a zero row constrains nothing
    gen = np.random.default_rng(seed)
    X = gen.standard_normal((10, 2))
    X[3], X[6], X[8] = -1.5 * X[1], X[2], 0.0
    y = gen.standard_normal(10)
    P = enumerate_patterns_2d(X)
    sol = solve_convex(X, y, 0.2, P)
    value, v = solve_dual(X, y, 0.2, P)
    assert value == pytest.approx(sol.value, rel=1e-7)
    np.testing.assert_allclose(v, sol.residual, atol=1e-5)
    assert max_dual_constraint(X, v).value <= 0.2 * (1 + 1e-6)


def test_constraint_touches_beta_at_optimal_neurons(optimum):
    X, _, _, sol, W, a = optimum
    v = dual_vector(sol)
    at_neurons = dual_constraint(X, v, W / np.linalg.norm(W, axis=1, keepdims=True), signed=True)
    np.testing.assert_allclose(at_neurons, BETA * np.sign(a), rtol=1e-5)
    assert max_dual_constraint(X, v).value <= BETA * (1 + 1e-6)


def test_certificate_bounds_any_network(optimum):
    X, y, _, sol, W, a = optimum
    gen = np.random.default_rng(2)
    for m in (1, 3, 10):
        Wr = gen.standard_normal((m, 2))
        ar = gen.standard_normal(m)
        run = train(X, y, Wr, ar, BETA, lr=0.02, steps=300, batch_size=10, rng=gen)
        cert = certificate(X, y, run.W, run.a, BETA)
        assert cert.exact
        assert cert.dual <= sol.value * (1 + 1e-9)  # weak duality
        assert cert.primal >= sol.value * (1 - 1e-9)
        assert cert.gap >= cert.primal - sol.value - 1e-9
        assert cert.primal_balanced <= cert.primal + 1e-12
    # at the optimum the certificate closes up to the recovery tolerance
    assert certificate(X, y, W, a, BETA).relative_gap < 1e-3


def test_refined_certificate_is_tight_for_a_wide_sgd_network(optimum):
    X, y, _, sol, _, _ = optimum
    gen = np.random.default_rng(5)
    W0, a0 = 0.5 * gen.standard_normal((32, 2)), 0.1 * gen.standard_normal(32)
    run = train(X, y, W0, a0, BETA, lr=0.01, steps=2000, batch_size=10, rng=gen)
    basic = certificate(X, y, run.W, run.a, BETA)
    refined = certificate(X, y, run.W, run.a, BETA, refine=True)
    true_gap = basic.primal - sol.value
    assert refined.refined
    assert true_gap - 1e-9 <= refined.gap <= basic.gap + 1e-12
    assert refined.gap == pytest.approx(true_gap, rel=1e-4)  # the right patterns were found


def test_network_patterns_include_neighbouring_arcs(optimum):
    X, _, P, _, W, _ = optimum
    own = network_patterns(X, W, neighbours=False)
    near = network_patterns(X, W)
    exact = {tuple(p) for p in P}
    assert {tuple(p) for p in own} <= {tuple(p) for p in near} <= exact
    assert near.shape[0] > own.shape[0]


def test_cutting_plane_reaches_the_optimum_with_few_patterns(optimum):
    X, y, P, sol, _, _ = optimum
    res = cutting_plane(X, y, BETA, rng=0, initial=4, max_iter=60)
    assert res.converged
    assert np.all(np.diff(res.values) <= 1e-9 * sol.value)
    assert res.values[-1] == pytest.approx(sol.value, rel=1e-6)
    assert res.num_patterns[-1] < P.shape[0]
    assert res.violations[-1] <= 1.0 + 1e-6  # the stop is a certificate
    assert convex_certificate(res.solution).relative_gap < 1e-6


def test_bad_input(optimum):
    X, y, P, sol, W, a = optimum
    with pytest.raises(ValueError, match="beta must be > 0"):
        certificate(X, y, W, a, -1.0)
    with pytest.raises(ValueError, match="v must have length"):
        dual_constraint(X, y[:-1], W)
    with pytest.raises(ValueError, match="U must have 2 columns"):
        dual_constraint(X, y, np.ones((2, 3)))
    with pytest.raises(ValueError, match="X and y must have the same number of rows"):
        certificate(X[:-1], y, W, a, BETA)
    with pytest.raises(TypeError, match="solution must be a ConvexSolution"):
        convex_certificate(None)
    with pytest.raises(ValueError, match="candidates must be given"):
        cutting_plane(np.ones((4, 3)), np.ones(4), BETA, rng=0)
    with pytest.raises(ValueError, match="patterns must have shape"):
        solve_dual(X, y, BETA, P[:, :-1])
    with pytest.raises(RuntimeError, match="dual program: status user_limit"):
        solve_dual(X, y, BETA, P, solver_options={"max_iter": 2})


def test_plots_and_widget_return_figures(optimum):
    from twolayer.plotting.duality import plot_dual_constraint, plot_duality_panel
    from twolayer.widgets.duality import duality_explorer, duality_snapshot

    X, y, _, sol, W, a = optimum
    for fig in (
        plot_dual_constraint(X, sol.residual, BETA, W, a),
        plot_duality_panel(X, y, W, a, sol.residual, BETA),
        duality_snapshot(0.1, 0, n=12),
    ):
        assert isinstance(fig, Figure)
        plt.close(fig)
    assert duality_explorer(n=10) is not None
    plt.close("all")


# ----------------------------------------------------------------------------- exactness (1-D, 2-D)


def test_one_dimensional_exact_needs_both_cones():
    x = np.array([[1.0], [-2.0], [3.0], [0.0]])
    v = np.array([0.1, -10.0, 0.0, 5.0])
    plus, minus = (x[:, 0] >= 0), (x[:, 0] <= 0)  # patterns of u = +1 and u = -1
    # by hand: v^T relu(x) = 0.1 + 3 * 0 = 0.1 at u = +1, v^T relu(-x) = -10 * 2 = -20 at u = -1
    whole = max_dual_constraint(x, v)
    assert whole.exact and whole.value == pytest.approx(20.0)
    only_plus = max_dual_constraint(x, v, plus[None, :])
    assert not only_plus.exact and only_plus.value == pytest.approx(0.1)
    both = max_dual_constraint(x, v, np.array([plus, minus]))
    assert both.exact and both.value == pytest.approx(20.0)
    # a pattern differing only on the zero row has the same cone
    other = minus.copy()
    other[3] = False
    assert max_dual_constraint(x, v, np.array([plus, other])).exact
    with pytest.raises(ValueError, match="complete=True"):
        max_dual_constraint(x, v, plus[None, :], complete=True)
    # sampled patterns: exact once both signs were drawn
    from twolayer.arrangements import sample_patterns

    assert max_dual_constraint(x, v, sample_patterns(x, 20, np.random.default_rng(0))).exact
    # the certificate of the zero network from the u = +1 pattern alone is no rigorous bound
    y = v
    cert = certificate(x, y, np.zeros((1, 1)), np.zeros(1), 1.0, patterns=plus[None, :])
    assert not cert.exact


def test_two_dimensional_exact_only_with_every_arc(optimum):
    X, y, P, _, _, _ = optimum
    v = np.random.default_rng(3).standard_normal(X.shape[0])
    assert max_dual_constraint(X, v, P).exact
    assert max_dual_constraint(X, v, P, complete=True).exact
    assert not max_dual_constraint(X, v, P[1:]).exact
    with pytest.raises(ValueError, match="complete=True"):
        max_dual_constraint(X, v, P[1:], complete=True)
    from twolayer.arrangements import sample_patterns

    few = sample_patterns(X, 5, np.random.default_rng(0))
    assert not max_dual_constraint(X, v, few).exact
    many = sample_patterns(X, 20000, np.random.default_rng(0))  # every arc drawn
    res = max_dual_constraint(X, v, many)
    assert res.exact
    assert res.value == pytest.approx(max_dual_constraint(X, v).value, rel=1e-9)


@pytest.mark.parametrize("beta", [1e-6, 1e-8, 1e-10])
def test_dual_solution_is_feasible_at_small_beta(beta):
    # the solver's tolerance is relative to ||y||: at small beta its v violated the constraint
    # (by 24 times at 1e-10) and its value exceeded p*; a feasible v is a lower bound
    gen = np.random.default_rng(0)
    X, y = gen.standard_normal((20, 2)), gen.standard_normal(20)
    P = enumerate_patterns_2d(X)
    value, v = solve_dual(X, y, beta, P)
    assert max_dual_constraint(X, v).value <= beta * (1 + 1e-12)
    assert value == pytest.approx(dual_value(y, v), rel=1e-12)
    sol = solve_convex(X, y, beta, P)
    W, a = recover_network(sol)
    assert value <= objective(X, y, W, a, beta)  # weak duality against a network
    assert value <= sol.value * (1 + 1e-6)


# --------------------------------------------------------------- every argument named in its error

_X3 = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
_ERRORS = [
    # (function, positional arguments, keyword arguments, error, start of the message)
    (dual_vector, (1.5,), {}, TypeError, r"solution must be a ConvexSolution, got float$"),
    (convex_certificate, ("sol",), {}, TypeError, r"solution must be a ConvexSolution, got str$"),
    (dual_value, (np.ones((2, 2)), np.ones(2)), {}, ValueError, r"y must be 1-dimensional"),
    (dual_value, (np.ones(2), np.ones(3)), {}, ValueError, r"v must have length 2"),
    (dual_constraint, (np.ones(3), np.ones(3), np.ones((1, 1))), {}, ValueError,
     r"X must be 2-dimensional"),
    (dual_constraint, (_X3, np.ones(2), np.ones((1, 2))), {}, ValueError, r"v must have length 3"),
    (dual_constraint, (_X3, np.ones(3), np.ones(2)), {}, ValueError, r"U must be 2-dimensional"),
    (dual_constraint, (_X3, np.ones(3), np.ones((2, 3))), {}, ValueError,
     r"U must have 2 columns like X, got shape \(2, 3\)"),
    (max_dual_constraint, (np.ones(3), np.ones(3)), {}, ValueError, r"X must be 2-dimensional"),
    (max_dual_constraint, (_X3, np.ones(2)), {}, ValueError, r"v must have length 3"),
    (max_dual_constraint, (_X3, np.ones(3), np.ones((1, 2), bool)), {}, ValueError,
     r"patterns must have shape \(P, n\) with n = 3"),
    (max_dual_constraint, (np.ones((4, 3)), np.ones(4)), {}, ValueError,
     r"patterns must be given when X has d = 3 > 2 columns: the exact maximum over the sphere "
     r"is computed over pattern cones$"),
    (max_dual_constraint, (_X3, np.ones(3), np.ones((1, 3), bool)), {"complete": True},
     ValueError, r"complete=True, but patterns miss a cell of the sphere of X: pass all the "
     r"patterns \(enumerate_patterns_2d for d = 2, the patterns of u = \+1 and u = -1 for "
     r"d = 1\) or complete=False$"),
    (certificate, (np.ones(3), np.ones(3), np.ones((1, 2)), np.ones(1), 0.1), {}, ValueError,
     r"X must be 2-dimensional"),
    (certificate, (_X3, np.ones((3, 1)), np.ones((1, 2)), np.ones(1), 0.1), {}, ValueError,
     r"y must be 1-dimensional"),
    (certificate, (_X3, np.ones(2), np.ones((1, 2)), np.ones(1), 0.1), {}, ValueError,
     r"X and y must have the same number of rows, got 3 and 2"),
    (certificate, (_X3, np.ones(3), np.ones((1, 2)), np.ones(1), 0.0), {}, ValueError,
     r"beta must be > 0"),
    (certificate, (_X3, np.ones(3), np.ones(2), np.ones(1), 0.1), {}, ValueError,
     r"W must be 2-dimensional"),
    (certificate, (_X3, np.ones(3), np.ones((1, 2)), np.ones(2), 0.1), {}, ValueError,
     r"a must have length 1"),
    (certificate, (_X3, np.ones(3), np.ones((1, 3)), np.ones(1), 0.1), {}, ValueError,
     r"W must have 2 columns like X, got shape \(1, 3\)"),
    (certificate, (_X3, np.ones(3), np.ones((1, 2)), np.ones(1), 0.1),
     {"patterns": np.ones((1, 2), bool)}, ValueError, r"patterns must have shape \(P, n\)"),
    (certificate, (np.ones((4, 3)), np.ones(4), np.ones((1, 3)), np.ones(1), 0.1), {},
     ValueError, r"patterns must be given when X has d = 3 > 2 columns: the exact maximum over "
     r"the sphere is computed over pattern cones$"),
    (certificate, (_X3, np.ones(3), np.ones((1, 2)), np.ones(1), 0.1),
     {"patterns": np.ones((1, 3), bool), "complete": True}, ValueError,
     r"complete=True, but patterns miss a cell"),
    (network_patterns, (np.ones(3), np.ones((1, 2))), {}, ValueError, r"X must be 2-dimensional"),
    (network_patterns, (_X3, np.ones(2)), {}, ValueError, r"W must be 2-dimensional"),
    (network_patterns, (_X3, np.ones((1, 3))), {}, ValueError,
     r"W must have 2 columns like X, got shape \(1, 3\)"),
    (cutting_plane, (_X3, np.ones(3), 0.1), {"rng": 0, "initial": 0}, ValueError,
     r"initial must be >= 1, got 0"),
    (cutting_plane, (_X3, np.ones(3), 0.1), {"rng": 0, "max_iter": 0}, ValueError,
     r"max_iter must be >= 1, got 0"),
    (cutting_plane, (_X3, np.ones(3), 0.1), {"rng": 0, "tol": -1e-3}, ValueError,
     r"tol must be >= 0"),
    (cutting_plane, (_X3, np.ones(3), 0.1), {"rng": 0, "candidates": np.ones((1, 2), bool)},
     ValueError, r"candidates must have shape \(P, n\) with n = 3"),
    (cutting_plane, (np.ones((4, 3)), np.ones(4), 0.1), {"rng": 0}, ValueError,
     r"candidates must be given when X has d = 3 > 2 columns \(the oracle searches their "
     r"cones\)$"),
    (solve_dual, (_X3, np.ones(3), 0.1, np.ones((1, 3), bool)), {"solver": "NO_SUCH_SOLVER"},
     RuntimeError, r"solver NO_SUCH_SOLVER did not solve the dual program"),
    (cutting_plane, (_X3, np.ones(3), 0.0), {"rng": 0}, ValueError, r"beta must be > 0"),
    (solve_dual, (_X3, np.ones(3), 0.1, np.ones((1, 2), bool)), {}, ValueError,
     r"patterns must have shape \(P, n\) with n = 3"),
]


@pytest.mark.parametrize(("func", "args", "kwargs", "error", "message"), _ERRORS,
                         ids=[f"{c[0].__name__}-{c[4][:24]}" for c in _ERRORS])
def test_each_bad_argument_is_named_at_the_start_of_its_error(func, args, kwargs, error, message):
    with pytest.raises(error, match="^" + message):
        func(*args, **kwargs)


def test_cutting_plane_accepts_the_smallest_documented_settings():
    # initial >= 1, max_iter >= 1 and tol >= 0 are allowed at their bounds (docstring)
    res = cutting_plane(_X3, np.array([1.0, -1.0, 0.5]), 0.1, rng=0, initial=1, max_iter=1,
                        tol=0.0)
    assert res.num_patterns.tolist() == [1]
    assert res.values.shape == res.violations.shape == (1,)


# ------------------------------------------------------ what the results report, checked again


def test_cone_maximum_reports_a_unit_maximizer_in_its_cone_with_its_sign(optimum):
    # ConstraintMax: direction is a unit u in the closed cone of pattern, where
    # v^T relu(X u) = sign * value; checked by evaluating the constraint there (2-D and 3-D)
    X, _, P, _, _, _ = optimum
    from twolayer.arrangements import sample_patterns

    gen = np.random.default_rng(4)
    X3 = gen.standard_normal((12, 3))
    cases = [(X, P), (X, P[::7]), (X3, sample_patterns(X3, 300, np.random.default_rng(1)))]
    for Xc, Pc in cases:
        n = Xc.shape[0]
        for v in (gen.standard_normal(n), -np.abs(gen.standard_normal(n)),
                  0.01 * gen.standard_normal(n)):
            res = max_dual_constraint(Xc, v, Pc)
            u = res.direction
            assert np.linalg.norm(u) == pytest.approx(1.0, abs=1e-12)
            assert np.all((2.0 * res.pattern - 1.0) * (Xc @ u) >= -1e-9)  # u in the pattern's cone
            assert any((res.pattern == p).all() for p in Pc)
            signed = dual_constraint(Xc, v, u[None, :], signed=True)[0]
            assert signed == pytest.approx(res.sign * res.value, rel=1e-7, abs=1e-12)
    # d > 2: exact only when the patterns are declared complete
    P3 = sample_patterns(X3, 50, np.random.default_rng(2))
    assert max_dual_constraint(X3, np.ones(12), P3, complete=True).exact
    assert not max_dual_constraint(X3, np.ones(12), P3).exact
    # v = 0: the maximum is 0, attained everywhere; the reported direction is still a unit vector
    zero = max_dual_constraint(X3, np.zeros(12), sample_patterns(X3, 5, np.random.default_rng(0)))
    assert zero.value == 0.0
    np.testing.assert_array_equal(zero.direction, [1.0, 0.0, 0.0])


def test_negative_maximum_has_sign_minus_one():
    # X = I (n = d = 2), v = (-1, -2): v^T relu(u) = -u_1 - 2 u_2 in the positive quadrant, whose
    # largest absolute value on the circle is sqrt(5) at u = (1, 2) / sqrt(5) (Cauchy-Schwarz);
    # on the circle and over the cones of all four quadrants
    X = np.eye(2)
    v = np.array([-1.0, -2.0])
    P = np.array([[1, 1], [0, 1], [0, 0], [1, 0]], bool)
    for sign in (-1.0, 1.0, 0.1, -0.1):  # and +-, small: the same maximizer, the sign of v
        for res in (max_dual_constraint(X, sign * v), max_dual_constraint(X, sign * v, P)):
            assert res.value == pytest.approx(abs(sign) * np.sqrt(5.0))
            assert res.sign == -np.sign(sign)
            np.testing.assert_allclose(res.direction, np.array([1.0, 2.0]) / np.sqrt(5.0),
                                       atol=1e-7)
            np.testing.assert_array_equal(res.pattern, [True, True])
    # a zero row is active in the reported pattern (D = diag(1[X u >= 0]))
    Xz = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    assert max_dual_constraint(Xz, np.array([-1.0, -2.0, 7.0])).pattern.tolist() == [1, 1, 1]


def test_sphere_maximum_of_degenerate_and_one_dimensional_data():
    # X = 0: the constraint is identically 0; by convention u = (1, 0), every row active, sign +1
    res = max_dual_constraint(np.zeros((3, 2)), np.array([1.0, -2.0, 3.0]))
    assert (res.value, res.sign, res.exact) == (0.0, 1.0, True)
    np.testing.assert_array_equal(res.direction, [1.0, 0.0])
    np.testing.assert_array_equal(res.pattern, [True, True, True])
    assert res.pattern.dtype == bool
    # d = 1, by hand: v^T relu(x) = 0.1 at u = +1, v^T relu(-x) = -20 at u = -1
    x = np.array([[1.0], [-2.0], [3.0], [0.0]])
    res = max_dual_constraint(x, np.array([0.1, -10.0, 0.0, 5.0]))
    assert (res.value, res.sign) == (pytest.approx(20.0), -1.0)
    np.testing.assert_array_equal(res.direction, [-1.0])
    np.testing.assert_array_equal(res.pattern, [False, True, False, True])  # 1[-x >= 0]
    res = max_dual_constraint(x, np.array([0.5, 0.0, 0.0, 5.0]))  # 0.5 at u = +1, 0 at u = -1
    assert (res.value, res.sign) == (pytest.approx(0.5), 1.0)
    np.testing.assert_array_equal(res.direction, [1.0])
    np.testing.assert_array_equal(res.pattern, [True, False, True, True])


def test_circle_maximum_is_never_below_a_grid_point():
    # the exact maximum over the arcs' candidates bounds every sampled direction, for +-v
    X, _, _, _ = circle_teacher_regression(15, rng=3, noise=0.1)
    U = unit_circle(np.linspace(0, 2 * np.pi, 20001))
    gen = np.random.default_rng(6)
    for _ in range(4):
        v = gen.standard_normal(15)
        for w in (v, -v):
            assert dual_constraint(X, w, U).max() <= max_dual_constraint(X, w).value + 1e-12


def test_certificate_values_in_closed_form(optimum):
    X, y, P, sol, W, a = optimum
    gen = np.random.default_rng(13)
    Wr, ar = gen.standard_normal((4, 2)), gen.standard_normal(4)
    cert = certificate(X, y, Wr, ar, BETA)
    r = y - np.maximum(X @ Wr.T, 0.0) @ ar
    c = max_dual_constraint(X, r).value
    # the documented formulas, recomputed: balanced objective, scale, relative gap
    path = np.sum(np.abs(ar) * np.linalg.norm(Wr, axis=1))
    assert cert.primal_balanced == pytest.approx(0.5 * r @ r + BETA * path, rel=1e-12)
    assert cert.scale == pytest.approx(np.clip(r @ y / (r @ r), 0.0, BETA / c), rel=1e-12)
    assert cert.relative_gap == pytest.approx(cert.gap / cert.primal, rel=1e-12)
    assert cert.refined is False
    # X = 0: every network predicts 0, the optimum is ||y||^2 / 2 and the zero network attains
    # it; r = y, the constraint is 0 and the certificate closes with scale 1
    y3 = np.array([1.0, -2.0, 0.5])
    zero = certificate(np.zeros((3, 2)), y3, np.zeros((1, 2)), np.zeros(1), 0.3)
    assert zero.primal == zero.dual == pytest.approx(0.5 * y3 @ y3)
    assert (zero.gap, zero.scale, zero.constraint_max) == (0.0, 1.0, 0.0)
    # a network that fits y exactly: r = 0, scale 0, dual 0; y = 0 too: relative gap 0
    Xe = np.array([[1.0, 0.0], [0.0, 1.0]])
    fit = certificate(Xe, np.array([2.0, 0.0]), np.array([[1.0, 0.0]]), np.array([2.0]), 0.1)
    assert (fit.scale, fit.dual) == (0.0, 0.0)
    assert fit.relative_gap == 1.0  # gap = primal = beta * |a| ||w|| = 0.2
    none = certificate(Xe, np.zeros(2), np.zeros((1, 2)), np.zeros(1), 0.1)
    assert (none.primal, none.relative_gap) == (0.0, 0.0)
    # the convex program's certificate: its primal is the convex objective, balanced already
    conv = convex_certificate(sol)
    assert conv.primal_balanced == conv.primal and conv.refined is False


def test_convex_certificate_is_exact_for_d_two_and_not_for_d_three():
    from twolayer.arrangements import sample_patterns

    gen = np.random.default_rng(14)
    X, y = gen.standard_normal((12, 2)), gen.standard_normal(12)
    sampled = solve_convex(X, y, 0.1, sample_patterns(X, 6, np.random.default_rng(0)))
    cert = convex_certificate(sampled)
    assert cert.exact  # d = 2: the maximum is taken over the whole circle
    assert cert.constraint_max == pytest.approx(max_dual_constraint(X, sampled.residual).value)
    X3, y3 = gen.standard_normal((12, 3)), gen.standard_normal(12)
    P3 = sample_patterns(X3, 60, np.random.default_rng(1))
    sol3 = solve_convex(X3, y3, 0.1, P3)
    cert3 = convex_certificate(sol3)
    assert not cert3.exact  # d = 3: over the solution's own patterns
    assert cert3.constraint_max == pytest.approx(
        max_dual_constraint(X3, sol3.residual, P3).value, rel=1e-9)


def test_network_patterns_add_exactly_the_two_neighbouring_arcs(optimum):
    # generic planar data: the arcs next to a neuron's arc differ from its pattern in one point
    X, _, P, _, _, _ = optimum
    from twolayer.arrangements import critical_angles_2d

    angles = critical_angles_2d(X)
    ends = np.concatenate([angles[1:], [angles[0] + 2 * np.pi]])
    cells = {tuple(p) for p in P}
    for k, theta in enumerate(0.5 * (angles + ends)):
        w = np.array([[np.cos(theta), np.sin(theta)]])
        own = network_patterns(X, w, neighbours=False)
        near = network_patterns(X, w)
        assert own.shape[0] == 1 and near.shape[0] == 3, k
        assert {tuple(p) for p in near} <= cells
        flips = sorted(int((p != own[0]).sum()) for p in near)
        assert flips == [0, 1, 1], k
    # X = 0: no critical angle, one pattern (every row active) whatever W
    np.testing.assert_array_equal(network_patterns(np.zeros((3, 2)), np.ones((2, 2))),
                                  np.ones((1, 3), bool))
    # d = 3: only the neurons' own patterns
    X3 = np.random.default_rng(0).standard_normal((6, 3))
    W3 = np.random.default_rng(1).standard_normal((2, 3))
    expected = {tuple(col) for col in (X3 @ W3.T >= 0).T}
    assert {tuple(p) for p in network_patterns(X3, W3)} == expected


def test_cutting_plane_history_is_that_of_its_restricted_solves(optimum):
    X, y, P, sol, _, _ = optimum
    from twolayer.arrangements import sample_patterns

    res = cutting_plane(X, y, BETA, rng=0, initial=4, max_iter=60)
    last = res.solution
    # the last entries are recomputed from the returned solution, independently of the loop
    assert res.values[-1] == last.value
    assert res.num_patterns[-1] == last.patterns.shape[0]
    assert res.violations[-1] == pytest.approx(max_dual_constraint(X, last.residual).value / BETA,
                                               rel=1e-9)
    assert res.num_patterns[0] == sample_patterns(X, 4, np.random.default_rng(0)).shape[0]
    assert np.all(np.diff(res.num_patterns) == 1)  # one pattern added per iteration
    # the documented defaults: initial=4, and the same run with them spelled out
    default = cutting_plane(X, y, BETA, rng=0)
    np.testing.assert_array_equal(default.num_patterns, res.num_patterns)
    # stopped by max_iter before its dual vector is feasible: not converged, violation > 1
    short = cutting_plane(X, y, BETA, rng=0, initial=1, max_iter=2)
    assert short.converged is False and short.violations[-1] > 1.0
    assert short.num_patterns.tolist() == [1, 2]
    # 2-D with candidate patterns: the oracle searches only their cones and need not cover the
    # circle; with all of them it converges like the exact oracle
    with_all = cutting_plane(X, y, BETA, rng=0, candidates=P)
    assert with_all.converged
    assert with_all.values[-1] == pytest.approx(sol.value, rel=1e-6)
    few = cutting_plane(X, y, BETA, rng=0, max_iter=3, candidates=P[::5])
    assert few.values.size <= 3


def test_cutting_plane_passes_its_solver_on():
    X, y = _X3, np.array([1.0, -1.0, 0.5])
    with pytest.raises(RuntimeError, match="solver NO_SUCH_SOLVER did not solve the convex"):
        cutting_plane(X, y, 0.1, rng=0, solver="NO_SUCH_SOLVER")


def test_cutting_plane_in_three_dimensions_searches_the_candidates():
    from twolayer.arrangements import sample_patterns

    gen = np.random.default_rng(7)
    X, y = gen.standard_normal((10, 3)), gen.standard_normal(10)
    cand = sample_patterns(X, 400, np.random.default_rng(8))
    res = cutting_plane(X, y, 0.2, rng=0, candidates=cand)
    assert res.converged
    # converged: its dual vector is feasible on every candidate cone, so the restricted value is
    # the optimum over the candidates (checked against the convex program on all of them)
    assert max_dual_constraint(X, res.solution.residual, cand).value <= 0.2 * (1 + 1e-6)
    full = solve_convex(X, y, 0.2, cand)
    assert res.values[-1] == pytest.approx(full.value, rel=1e-6)


def test_dual_program_in_three_dimensions_and_with_a_subset_of_patterns(optimum):
    from twolayer.arrangements import sample_patterns

    gen = np.random.default_rng(9)
    X3, y3 = gen.standard_normal((10, 3)), gen.standard_normal(10)
    P3 = sample_patterns(X3, 400, np.random.default_rng(10))
    value, v = solve_dual(X3, y3, 0.2, P3)
    # strong duality of the program restricted to P3 (Pilanci and Ergen, 2020): its primal value
    assert value == pytest.approx(solve_convex(X3, y3, 0.2, P3).value, rel=1e-6)
    assert value == pytest.approx(dual_value(y3, v), rel=1e-12)
    assert max_dual_constraint(X3, v, P3).value <= 0.2 * (1 + 1e-9)
    # d = 2 with only some patterns: v is scaled to be feasible on the whole circle (docstring)
    X, y, P, _, _, _ = optimum
    value2, v2 = solve_dual(X, y, BETA, P[::3])
    assert max_dual_constraint(X, v2).value <= BETA * (1 + 1e-9)
    assert value2 == pytest.approx(dual_value(y, v2), rel=1e-12)
    assert value2 <= solve_convex(X, y, BETA, P).value * (1 + 1e-6)  # weak duality
    # the default solver is CLARABEL with the library's tight options: the same result
    again, v_again = solve_dual(X, y, BETA, P[::3], solver="CLARABEL")
    assert again == value2
    np.testing.assert_array_equal(v_again, v2)


def test_an_infeasible_dual_vector_is_scaled_onto_the_constraint():
    # _feasible_dual: v with max_u |v^T relu(X u)| = c > beta becomes v beta / c, whose maximum
    # is then beta exactly (the constraint is positively homogeneous in v)
    from twolayer.arrangements import sample_patterns
    from twolayer.duality.certificates import _feasible_dual

    gen = np.random.default_rng(11)
    for d in (2, 3):
        X, y = gen.standard_normal((8, d)), gen.standard_normal(8)
        P = sample_patterns(X, 300, np.random.default_rng(12))
        v = 5.0 * gen.standard_normal(8)
        c = (max_dual_constraint(X, v) if d == 2 else max_dual_constraint(X, v, P)).value
        beta = 0.1 * c
        value, scaled = _feasible_dual(X, y, beta, P, v)
        np.testing.assert_allclose(scaled, v * beta / c, rtol=1e-12)
        assert value == pytest.approx(dual_value(y, scaled), rel=1e-12)
        # a feasible v is returned as it is
        value_ok, same = _feasible_dual(X, y, 2.0 * c, P, v)
        np.testing.assert_array_equal(same, v)
