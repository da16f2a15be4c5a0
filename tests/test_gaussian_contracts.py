"""What the docstrings of twolayer.gaussian promise beyond the closed forms of test_gaussian.py:
argument checks at the door, the Monte Carlo estimator, teachers with zero rows, nearly parallel
neurons, the fitting options and the classification of end points on each side of its rule."""

from __future__ import annotations

import numpy as np
import pytest

from twolayer.gaussian import (
    FitResult,
    SpuriousExperiment,
    arccos_kernel,
    arccos_kernel0,
    fit_student,
    hessian_rows,
    identity_teacher,
    monte_carlo_loss,
    newton_polish,
    population_gradient,
    population_hessian,
    population_loss,
    spurious_minima_experiment,
)
from twolayer.symmetry import type_a_weights

# The type-A spurious minimum at k = d = 8 (Safran & Shamir 2018), to 5 digits.
ALPHA8 = [1.00143, -0.02588, 0.22809, 0.15982, -0.65826]
W3, V3 = np.random.default_rng(0).standard_normal((2, 3, 3))


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: arccos_kernel(np.ones((2, 3)), np.ones((0, 3))), ValueError,
         "V must have at least one row"),
        (lambda: arccos_kernel0(np.ones(3), np.ones((2, 3))), ValueError,
         "U must be 2-dimensional"),
        (lambda: arccos_kernel0(np.ones((2, 3)), np.ones((0, 3))), ValueError,
         "V must have at least one row"),
        (lambda: population_loss(W3, np.ones((2, 3, 1))), ValueError, "V must be 2-dimensional"),
        (lambda: monte_carlo_loss(W3, V3, 10, rng=0, batch=0), ValueError,
         "batch must be >= 1, got 0"),
        (lambda: monte_carlo_loss(W3, V3, 10.0, rng=0), TypeError, "n_samples must be an int"),
        (lambda: monte_carlo_loss(W3, V3, 10, rng=None), TypeError, "rng"),
        (lambda: population_gradient(W3, V3, rows=[0.5]), TypeError,
         r"rows must be a 1-d sequence of integers, got \[0.5\]"),
        (lambda: population_gradient(W3, V3, rows=[[0, 1]]), TypeError,
         "rows must be a 1-d sequence"),
        (lambda: population_gradient(W3, V3, rows=[-1]), ValueError,
         r"rows must lie in \[0, 3\), got \[-1\]"),
        (lambda: population_gradient(W3, V3, rows=[3]), ValueError, r"rows must lie in \[0, 3\)"),
        (lambda: population_hessian(np.zeros((2, 3)), V3), ValueError, "row 0 of W is zero"),
        (lambda: hessian_rows(W3, V3, np.array([[0, 0, 0]])), ValueError,
         r"positions must be an integer array of shape \(p, 2\)"),
        (lambda: hessian_rows(W3, V3, np.array([0, 0])), ValueError, "positions must be an int"),
        (lambda: hessian_rows(W3, V3, np.array([[0.0, 0.0]])), ValueError,
         "positions must be an int"),
        (lambda: hessian_rows(W3, V3, np.array([[-1, 0]])), ValueError,
         r"positions must lie in \[0, 3\) x \[0, 3\), got \[\[-1, 0\]\]"),
        (lambda: hessian_rows(W3, V3, np.array([[3, 0]])), ValueError, "positions must lie"),
        (lambda: hessian_rows(W3, V3, np.array([[0, -1]])), ValueError, "positions must lie"),
        (lambda: hessian_rows(W3, V3, np.array([[0, 3]])), ValueError, "positions must lie"),
        (lambda: hessian_rows(np.zeros((2, 3)), V3, np.array([[0, 0]])), ValueError,
         "row 0 of W is zero"),
        (lambda: fit_student(W3, V3, gtol=0.0), ValueError, "gtol must be > 0"),
        (lambda: fit_student(W3, V3, max_iter=0), ValueError, "max_iter must be >= 1"),
        (lambda: fit_student(W3, V3, polish_steps=-1), ValueError, "polish_steps must be >= 0"),
        (lambda: fit_student(W3, V3, global_tol=-1e-9), ValueError, "global_tol must be >= 0"),
        (lambda: fit_student(W3, np.ones((2, 4))), ValueError,
         "W and V must have the same number of columns"),
        (lambda: newton_polish(W3, V3, steps=-1), ValueError, "steps must be >= 0"),
        (lambda: newton_polish(np.zeros((2, 3)), V3), ValueError, "row 0 of W is zero"),
        (lambda: newton_polish(W3, np.ones(3)), ValueError, "V must be 2-dimensional"),
        (lambda: identity_teacher(0), ValueError, "d must be >= 1"),
        (lambda: spurious_minima_experiment([3], 0, rng=0), ValueError, "runs must be >= 1"),
        (lambda: spurious_minima_experiment([3, 1], 1, rng=0), ValueError,
         r"ks\[1\] must be >= 2, got 1"),
        (lambda: spurious_minima_experiment([3], 1, rng=0, init_scale=0.0), ValueError,
         "init_scale must be > 0"),
        (lambda: spurious_minima_experiment([3], 1, rng=0, gtol=0.0), ValueError, "gtol"),
    ],
)
def test_each_bad_argument_is_named_at_the_start_of_its_error(call, error, match):
    with pytest.raises(error, match="^" + match):
        call()


def test_the_smallest_documented_settings_are_accepted():
    assert monte_carlo_loss(W3, V3, 2, rng=0, batch=1)[0] >= 0.0
    assert population_gradient(W3, V3, rows=[]).shape == (0, 3)
    assert population_gradient(W3, V3, rows=np.array([2], dtype=np.uint8)).shape == (1, 3)
    assert hessian_rows(W3, V3, np.zeros((0, 2), dtype=int)).shape == (0, 3, 3)
    fit = fit_student(W3, V3, max_iter=1, polish_steps=0, global_tol=0.0)
    assert fit.iterations == 1
    assert identity_teacher(1).tolist() == [[1.0]]
    np.testing.assert_array_equal(newton_polish(W3, V3, steps=0), W3)


def test_monte_carlo_loss_is_the_sample_mean_and_its_standard_error_in_any_batches():
    # independent computation: the documented estimator on the documented draws, one batch
    W, V = W3, V3
    X = np.random.default_rng(5).standard_normal((1001, 3))
    r = np.maximum(X @ W.T, 0.0).sum(axis=1) - np.maximum(X @ V.T, 0.0).sum(axis=1)
    values = 0.5 * r * r
    mean, se = values.mean(), values.std(ddof=1) / np.sqrt(values.size)
    for batch in (1001, 100_000, 7, 1000):
        est, err = monte_carlo_loss(W, V, 1001, rng=5, batch=batch)
        assert est == pytest.approx(mean, rel=1e-12)
        assert err == pytest.approx(se, rel=1e-12)
    gen = np.random.default_rng(5)
    assert monte_carlo_loss(W, V, 1001, rng=gen)[0] == pytest.approx(mean, rel=1e-12)


def test_a_zero_teacher_neuron_changes_nothing():
    # relu(0 . x) = 0: a zero row of V computes nothing, so every quantity is that of V without it
    rng = np.random.default_rng(3)
    W, V = rng.standard_normal((4, 3)), rng.standard_normal((2, 3))
    V0 = np.vstack([V[:1], np.zeros((1, 3)), V[1:]])
    assert population_loss(W, V0) == pytest.approx(population_loss(W, V), rel=1e-13)
    np.testing.assert_allclose(population_gradient(W, V0), population_gradient(W, V), atol=1e-14)
    np.testing.assert_allclose(population_hessian(W, V0), population_hessian(W, V), atol=1e-14)
    pos = np.array([[i, a] for i in range(4) for a in range(3)])
    np.testing.assert_allclose(hessian_rows(W, V0, pos).reshape(12, 12),
                               population_hessian(W, V), atol=1e-14)
    np.testing.assert_allclose(arccos_kernel(W, V0)[:, 1], 0.0, atol=0.0)
    np.testing.assert_allclose(arccos_kernel0(W, V0)[:, 1], 0.0, atol=0.0)


def test_kernels_of_nearly_parallel_and_antiparallel_rows_are_accurate():
    # v at a known tiny angle t from u: kappa0 = (pi - t) / (2 pi), kappa = (sin t + (pi - t)
    # cos t) / (2 pi) for unit rows (Cho & Saul 2009); sqrt(1 - c^2) alone is off by 1e-8 here
    u = np.array([0.6, 0.8, 0.0])
    perp = np.array([-0.8, 0.6, 0.0])
    for t in (1e-9, 3e-7, np.pi - 2e-9):
        v = np.cos(t) * u + np.sin(t) * perp
        k0 = arccos_kernel0(np.vstack([u, 2 * u]), 3 * v[None])
        np.testing.assert_allclose(k0, (np.pi - t) / (2 * np.pi), rtol=1e-13, atol=1e-16)
        k1 = arccos_kernel(u[None], v[None])[0, 0]
        assert k1 == pytest.approx((np.sin(t) + (np.pi - t) * np.cos(t)) / (2 * np.pi),
                                   rel=1e-12, abs=1e-15)


def test_hessian_rows_equal_the_dense_hessian_for_nearly_parallel_neurons():
    # the rows use the sines of one neuron against all (a vector), the dense Hessian those of all
    # pairs (a matrix): both are recomputed for nearly parallel pairs, where 1/sin is large
    rng = np.random.default_rng(4)
    W, V = rng.standard_normal((3, 4)), rng.standard_normal((2, 4))
    W[1] = 1.5 * (W[0] + 1e-7 * rng.standard_normal(4))
    V[0] = 0.5 * (W[2] + 1e-7 * rng.standard_normal(4))
    H = population_hessian(W, V)
    pos = np.array([[i, a] for i in range(3) for a in range(4)])
    np.testing.assert_allclose(hessian_rows(W, V, pos).reshape(12, 12), H, atol=1e-12)


# ----------------------------------------------------------------------------- fitting


def test_both_methods_fit_a_small_student_to_its_global_minimum():
    W0 = 0.5 * np.random.default_rng(10).standard_normal((4, 4))
    for method in ("BFGS", "L-BFGS-B"):
        fit = fit_student(W0, identity_teacher(4), method=method, gtol=1e-9)
        assert fit.kind == "global" and fit.loss < 1e-8
        assert np.isnan(fit.min_eig)  # a global minimum needs no Hessian
        assert fit.grad_norm == pytest.approx(
            np.linalg.norm(population_gradient(fit.W, identity_teacher(4))), rel=1e-12)


def test_the_method_chosen_is_the_method_run():
    # BFGS of scipy on the closed-form loss and gradient, three iterations; L-BFGS-B differs
    from scipy.optimize import minimize

    V = identity_teacher(4)
    W0 = 0.5 * np.random.default_rng(10).standard_normal((4, 4))

    def fun(x):
        W = x.reshape(4, 4)
        return population_loss(W, V), population_gradient(W, V).ravel()

    ref = minimize(fun, W0.ravel(), jac=True, method="BFGS",
                   options={"maxiter": 3, "gtol": 1e-10}).x.reshape(4, 4)
    kw = {"max_iter": 3, "polish_steps": 0, "classify": False}
    bfgs = fit_student(W0, V, method="BFGS", **kw)
    lbfgs = fit_student(W0, V, method="L-BFGS-B", **kw)
    np.testing.assert_allclose(bfgs.W, ref, atol=1e-10)
    assert np.abs(lbfgs.W - bfgs.W).max() > 1e-6
    assert fit_student(W0, V, **kw).W.tolist() == lbfgs.W.tolist()  # the default


def test_a_global_minimum_is_not_polished_and_a_zero_teacher_row_is_allowed():
    V = identity_teacher(4)
    W0 = 0.5 * np.random.default_rng(10).standard_normal((4, 4))
    fit = fit_student(W0, V)
    assert fit.kind == "global"
    np.testing.assert_array_equal(fit.W, fit_student(W0, V, polish_steps=0).W)
    # the teacher itself has the loss 0 exactly: global also without a tolerance
    assert fit_student(V[[1, 0, 3, 2]], V, global_tol=0.0).kind == "global"
    # a zero teacher neuron computes nothing: the same fit as without it
    V0 = np.vstack([V, np.zeros((1, 4))])
    np.testing.assert_allclose(fit_student(W0, V0).W, fit.W, atol=1e-8)


def test_lbfgs_alone_stops_at_its_gradient_tolerance_and_counts_its_iterations():
    V = identity_teacher(8)
    W0 = type_a_weights(ALPHA8, 8) + 1e-3 * np.random.default_rng(11).standard_normal((8, 8))
    fit = fit_student(W0, V, gtol=1e-6, polish_steps=0)
    assert np.abs(population_gradient(fit.W, V)).max() <= 1e-6
    assert 1 < fit.iterations < 5000
    short = fit_student(W0, V, max_iter=3, polish_steps=0, classify=False)
    assert short.iterations == 3


def test_the_classifier_of_fit_student_on_each_side():
    V = identity_teacher(8)
    W0 = type_a_weights(ALPHA8, 8)
    fit = fit_student(W0, V)
    assert fit.kind == "spurious" and fit.min_eig > 0.01
    # without the Hessian a spurious minimum is not certified
    unclassified = fit_student(W0, V, classify=False)
    assert unclassified.kind == "other" and np.isnan(unclassified.min_eig)
    assert unclassified.loss == pytest.approx(fit.loss, abs=1e-12)
    # a threshold above its loss makes the same point global, one just below leaves it spurious
    assert fit_student(W0, V, global_tol=fit.loss * (1 + 1e-6)).kind == "global"
    assert fit_student(W0, V, global_tol=fit.loss * (1 - 1e-6)).kind == "spurious"


def test_newton_polish_converges_quadratically_and_refuses_at_a_saddle():
    V = identity_teacher(8)
    W = type_a_weights(ALPHA8, 8)  # 5 digits from the minimum
    g = [np.linalg.norm(population_gradient(W, V))]
    for steps in (1, 2):
        g.append(np.linalg.norm(population_gradient(newton_polish(W, V, steps=steps), V)))
    assert g[1] < 1e-3 * g[0] and g[2] < 1e-12
    # W = c 1 1^T with the best c is a saddle (test_gaussian_batched): no step is taken
    from scipy.optimize import minimize_scalar

    k = 5
    c = minimize_scalar(lambda c: population_loss(c * np.ones((k, k)), np.eye(k)),
                        bounds=(0.01, 2.0), method="bounded", options={"xatol": 1e-12}).x
    S = c * np.ones((k, k))
    np.testing.assert_array_equal(newton_polish(S, np.eye(k), steps=3), S)


def test_newton_polish_takes_three_steps_by_default():
    # from 1e-2 off the type-A minimum the gradient norm falls 1.5e-3, 2e-5, 1e-8, 4e-15: the
    # fourth step still helps, so the default of three is visible
    V = identity_teacher(8)
    W = type_a_weights(ALPHA8, 8) + 1e-2 * np.random.default_rng(0).standard_normal((8, 8))
    three = newton_polish(W, V)
    np.testing.assert_array_equal(three, newton_polish(W, V, steps=3))
    assert np.linalg.norm(population_gradient(three, V)) > 1e-10
    assert np.linalg.norm(population_gradient(newton_polish(W, V, steps=4), V)) < 1e-12


def test_fit_student_polishes_with_three_newton_steps_by_default():
    # gtol = 0.1 stops L-BFGS at once; the three Newton steps of the default leave 1e-8,
    # a fourth 4e-15 (the sequence of test_newton_polish_takes_three_steps_by_default)
    V = identity_teacher(8)
    W0 = type_a_weights(ALPHA8, 8) + 1e-2 * np.random.default_rng(0).standard_normal((8, 8))
    fit = fit_student(W0, V, gtol=0.1)
    np.testing.assert_array_equal(fit.W, fit_student(W0, V, gtol=0.1, polish_steps=3).W)
    assert fit.grad_norm > 1e-10
    assert fit_student(W0, V, gtol=0.1, polish_steps=4).grad_norm < 1e-12


def test_newton_polish_stops_when_a_step_does_not_reduce_the_gradient():
    # at a minimum polished to rounding, a further step cannot lower the gradient norm: it is
    # rejected and the polished point returned unchanged
    V = identity_teacher(8)
    W = newton_polish(type_a_weights(ALPHA8, 8), V, steps=6)
    np.testing.assert_array_equal(newton_polish(W, V, steps=3), W)


def test_spurious_experiment_fits_the_documented_draws():
    gen = np.random.default_rng(21)
    ex = spurious_minima_experiment([3, 4], 2, rng=21, max_iter=4)
    assert ex.ks == [3, 4] and ex.runs == 2
    for k in (3, 4):
        for r in range(2):
            mine = fit_student(gen.standard_normal((k, k)) / np.sqrt(k), identity_teacher(k),
                               max_iter=4)
            np.testing.assert_allclose(ex.fits[k][r].W, mine.W, atol=1e-14)
    scaled = spurious_minima_experiment([3], 1, rng=22, init_scale=0.3, max_iter=2, gtol=1e-3)
    W0 = 0.3 * np.random.default_rng(22).standard_normal((3, 3))
    np.testing.assert_allclose(scaled.fits[3][0].W,
                               fit_student(W0, identity_teacher(3), max_iter=2, gtol=1e-3).W,
                               atol=1e-14)


def _fit(kind: str, loss: float) -> FitResult:
    return FitResult(W=np.eye(2), loss=loss, grad_norm=0.0, min_eig=1.0, kind=kind, iterations=1)


def test_end_point_counts_count_share_and_sort_by_kind():
    ex = SpuriousExperiment(ks=[2, 3], runs=4, fits={
        2: [_fit("spurious", 0.3), _fit("global", 0.0), _fit("spurious", 0.1), _fit("other", 1)],
        3: [_fit("global", 0.0)] * 4,
    })
    assert ex.count(2) == 2 and ex.count(2, "other") == 1 and ex.count(3) == 0
    assert ex.fraction(2) == 0.5 and ex.fraction(2, "global") == 0.25
    assert ex.fraction(3, "global") == 1.0
    np.testing.assert_array_equal(ex.losses(2), [0.1, 0.3])
    np.testing.assert_array_equal(ex.losses(2, "other"), [1.0])
    assert ex.losses(3).size == 0
