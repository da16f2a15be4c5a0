"""The batched L-BFGS of twolayer.gaussian.batched, the classification of end points and the
spurious-minimum rates with Wilson intervals."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from twolayer import gaussian
from twolayer.gaussian import batched


def _starts(runs: int, k: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((runs, k, k)) / np.sqrt(k)


def test_batched_loss_and_gradient_equal_the_single_closed_forms():
    W = _starts(5, 7, 0)
    V = np.eye(7)
    loss, grad = batched.batched_loss_and_gradient(W, V)
    assert loss.shape == (5,) and grad.shape == (5, 7, 7)
    for r in range(5):
        assert loss[r] == pytest.approx(gaussian.population_loss(W[r], V), abs=1e-13)
        np.testing.assert_allclose(grad[r], gaussian.population_gradient(W[r], V), atol=1e-14)


def test_batched_gradient_is_accurate_for_nearly_parallel_neurons():
    # Rows 1e-9 away from the teacher's: the sine is recomputed, the gradient stays exact.
    V = np.eye(4)
    W = (V + 1e-9 * np.random.default_rng(1).standard_normal((4, 4)))[None]
    _, grad = batched.batched_loss_and_gradient(W, V)
    np.testing.assert_allclose(grad[0], gaussian.population_gradient(W[0], V), atol=1e-15)


def _problem(k: int):
    V = np.eye(k)
    const = 0.5 * float(gaussian.arccos_kernel(V, V).sum())

    def fun(x):
        loss, grad = batched._batched_kernel(x.reshape(-1, k, k), V, const)
        return loss, grad.reshape(x.shape[0], -1)

    return fun


def test_a_batch_gives_the_end_points_of_separate_runs():
    k, runs = 8, 6
    fun = _problem(k)
    X0 = _starts(runs, k, 2).reshape(runs, -1)
    together = batched.batched_lbfgs(fun, X0, gtol=1e-8, ftarget=1e-10)
    assert together.converged.all()
    for r in range(runs):
        alone = batched.batched_lbfgs(fun, X0[r : r + 1], gtol=1e-8, ftarget=1e-10)
        np.testing.assert_allclose(alone.x[0], together.x[r], atol=1e-12)
        assert alone.iterations[0] == together.iterations[r]


def test_batched_end_points_agree_with_scipy_lbfgs():
    # Two L-BFGS variants may fall into different basins from the same start; most agree,
    # and where both find a spurious minimum it is the same one.
    k, runs = 8, 12
    W0 = _starts(runs, k, 3)
    rates = batched.spurious_rates([k], runs, rng=3)  # draws the same starts
    np.testing.assert_allclose(rates.fits[k][0].W.shape, (k, k))
    same = 0
    for r in range(runs):
        single = gaussian.fit_student(W0[r], np.eye(k))
        mine = rates.fits[k][r]
        if single.kind == mine.kind:
            same += 1
            if mine.kind == "spurious":
                assert mine.loss == pytest.approx(single.loss, abs=1e-9)
    assert same >= 10


# ----------------------------------------------------------------------------- classification


def test_classify_a_spurious_minimum():
    fit = next(
        f for f in batched.spurious_rates([10], 20, rng=4).fits[10] if f.kind == "spurious"
    )
    kind, gnorm, lam = batched.classify_point(fit.W, np.eye(10))
    assert kind == "spurious" and gnorm < 1e-6 and lam > 1e-4


def test_classify_a_saddle_of_the_fully_symmetric_space():
    # W = c 1 1^T is fixed by all of S_k x S_d, so the best c is a critical point in the whole
    # space (symmetric criticality); it is a saddle, not a minimum.
    k = 6
    V = np.eye(k)
    c = minimize_scalar(
        lambda c: gaussian.population_loss(c * np.ones((k, k)), V),
        bounds=(0.01, 2.0), method="bounded", options={"xatol": 1e-12},
    ).x
    kind, gnorm, lam = batched.classify_point(c * np.ones((k, k)), V)
    assert kind == "saddle" and gnorm < 1e-6 and lam < -0.1


def test_classify_a_non_critical_point_and_the_global_minimum():
    V = np.eye(5)
    W = np.random.default_rng(5).standard_normal((5, 5))
    assert batched.classify_point(W, V)[0] == "other"
    assert np.isnan(batched.classify_point(W, V)[2])
    assert batched.classify_point(V, V)[0] == "global"
    # A point near a minimum but with a gradient above grad_tol is not called a minimum.
    assert batched.classify_point(V + 1e-3, V, global_tol=0.0)[0] == "other"


def test_classify_errors():
    with pytest.raises(ValueError, match="row 0 of W is zero"):
        batched.classify_point(np.zeros((2, 2)), np.eye(2))
    with pytest.raises(ValueError, match="grad_tol"):
        batched.classify_point(np.eye(2), np.eye(2), grad_tol=0.0)


# ----------------------------------------------------------------------------- rates


def test_wilson_interval_known_values():
    low, high = batched.wilson_interval(5, 10)
    assert low == pytest.approx(0.236593, abs=1e-6) and high == pytest.approx(0.763407, abs=1e-6)
    low, high = batched.wilson_interval(0, 10)
    assert low == 0.0 and high == pytest.approx(0.277533, abs=1e-6)
    assert batched.wilson_interval(10, 10)[1] == 1.0
    with pytest.raises(ValueError, match="successes must be <= trials"):
        batched.wilson_interval(11, 10)
    with pytest.raises(TypeError, match="trials must be an integer"):
        batched.wilson_interval(1, 2.5)


def test_rates_are_reproducible_and_consistent():
    a = batched.spurious_rates([6, 9], 40, rng=7)
    b = batched.spurious_rates([6, 9], 40, rng=7)
    for k in (6, 9):
        assert [f.kind for f in a.fits[k]] == [f.kind for f in b.fits[k]]
        assert sum(a.count(k, kind) for kind in batched.KINDS) == 40
        low, high = a.interval(k)
        assert low <= a.fraction(k) <= high
    # More spurious minima at k = 9 than at k = 6 (Safran & Shamir 2018, table 1).
    assert a.fraction(9) > a.fraction(6)
    # Every spurious end point is critical and has a positive definite Hessian.
    for f in a.fits[9]:
        if f.kind == "spurious":
            assert f.grad_norm < 1e-6 and f.min_eig > 1e-8


def test_rates_errors():
    with pytest.raises(ValueError, match=r"ks\[0\] must be >= 2"):
        batched.spurious_rates([1], 10, rng=0)
    with pytest.raises(TypeError, match="rng"):
        batched.spurious_rates([4], 10, rng="seed")
    with pytest.raises(ValueError, match="W must be 3-dimensional"):
        batched.batched_loss_and_gradient(np.eye(3), np.eye(3))
    with pytest.raises(ValueError, match="V must have d = 3 columns"):
        batched.batched_loss_and_gradient(np.ones((2, 3, 3)), np.eye(2))
    with pytest.raises(TypeError, match="fun must be callable"):
        batched.batched_lbfgs(3, np.ones((2, 2)))


def test_wilson_interval_is_the_set_the_score_test_does_not_reject():
    # the numbers above from their definition (Wilson 1927): the interval holds the p with
    # (p_hat - p)^2 <= z^2 p (1 - p) / n, whose ends are the roots of a quadratic in p
    z = 1.959963984540054
    for successes, trials in [(5, 10), (0, 10), (3, 17), (40, 40)]:
        p_hat = successes / trials
        # (1 + z^2/n) p^2 - (2 p_hat + z^2/n) p + p_hat^2 = 0
        roots = np.sort(np.roots([1 + z**2 / trials, -(2 * p_hat + z**2 / trials), p_hat**2]).real)
        low, high = batched.wilson_interval(successes, trials)
        np.testing.assert_allclose([low, high], roots, atol=1e-12)


def _four_sides(k):
    """Teacher I_k and four points: the global minimum, the type-A spurious minimum (Safran &
    Shamir 2018; critical by the reduced Newton iteration), the saddle c 1 1^T (symmetric
    criticality, see above) and 2 I, where the gradient is far from zero."""
    from twolayer.symmetry import type_a_critical_point, type_a_weights

    V = np.eye(k)
    spurious = type_a_weights(type_a_critical_point(k, [1.0, -0.05, 0.3, 0.2, -0.6]).alpha, k)
    c = minimize_scalar(
        lambda c: gaussian.population_loss(c * np.ones((k, k)), V),
        bounds=(0.01, 2.0), method="bounded", options={"xatol": 1e-12},
    ).x
    return V, np.stack([V, spurious, c * np.ones((k, k)), 2.0 * V])


def test_the_batched_fit_classifies_a_minimum_a_saddle_and_a_point_that_is_not_critical():
    # one L-BFGS iteration at most: the three critical starts are already converged and stay,
    # the fourth is still far from critical; each end point gets its kind
    V, W0 = _four_sides(6)
    fits, _ = batched._fit_batch(W0, V, 1e-9, 1, 1e-8)
    assert [f.kind for f in fits] == ["global", "spurious", "saddle", "other"]
    assert np.isnan(fits[0].min_eig) and np.isnan(fits[3].min_eig)  # no Hessian needed
    assert fits[1].min_eig > 1e-4 and fits[2].min_eig < -0.1
    assert fits[3].grad_norm > 1e-3
    for fit, start in zip(fits[:3], W0[:3], strict=True):
        np.testing.assert_allclose(fit.W, start, atol=1e-9)
    # and classify_point agrees on every one
    for fit in fits:
        assert batched.classify_point(fit.W, V)[0] == fit.kind
