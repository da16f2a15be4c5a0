"""Closed forms of the Gaussian teacher-student problem: Monte Carlo and finite differences."""

import numpy as np
import pytest

from twolayer.gaussian import (
    arccos_kernel,
    fit_student,
    hessian_rows,
    hessian_spectrum,
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


def _random_pair(seed, k=4, d=3, m=3):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((k, d)), rng.standard_normal((m, d))


def test_kernel_special_values():
    w = np.array([[1.0, 2.0, -0.5]])
    assert arccos_kernel(w, w)[0, 0] == pytest.approx(np.sum(w**2) / 2, rel=1e-14)
    assert arccos_kernel(w, -w)[0, 0] == pytest.approx(0.0, abs=1e-15)
    e = np.eye(3)
    K = arccos_kernel(e, e)
    assert np.allclose(K, np.where(np.eye(3) == 1, 0.5, 1 / (2 * np.pi)), atol=1e-15)


def test_kernel_against_monte_carlo():
    rng = np.random.default_rng(0)
    U = rng.standard_normal((3, 4))
    X = rng.standard_normal((400_000, 4))
    R = np.maximum(X @ U.T, 0.0)
    assert np.allclose(arccos_kernel(U, U), R.T @ R / len(X), rtol=0.02, atol=0.01)


def test_loss_against_monte_carlo():
    W, V = _random_pair(1)
    est, se = monte_carlo_loss(W, V, 200_000, rng=2)
    assert abs(population_loss(W, V) - est) < 5 * se
    assert se < 0.05 * est


def test_loss_vanishes_at_the_teacher_and_is_row_permutation_invariant():
    V = np.random.default_rng(3).standard_normal((4, 3))
    assert population_loss(V[[2, 0, 3, 1]], V) == pytest.approx(0.0, abs=1e-12)
    assert np.max(np.abs(population_gradient(V[[1, 0, 2, 3]], V))) < 1e-12


@pytest.mark.parametrize("seed", [4, 5])
def test_gradient_against_finite_differences(seed, central_difference):
    W, V = _random_pair(seed)
    g = population_gradient(W, V)
    assert np.max(np.abs(g - central_difference(lambda U: population_loss(U, V), W))) < 1e-7
    assert np.allclose(population_gradient(W, V, rows=[2, 0]), g[[2, 0]], atol=1e-15)


@pytest.mark.parametrize("seed", [6, 7])
def test_hessian_against_finite_differences(seed, central_difference):
    W, V = _random_pair(seed)
    H = population_hessian(W, V)
    assert np.allclose(H, H.T, atol=1e-15)
    fd = central_difference(lambda U: population_gradient(U, V), W).reshape(H.shape)
    assert np.max(np.abs(H - fd)) < 1e-6


def test_hessian_at_global_minimum_with_parallel_neurons(central_difference):
    W = np.eye(4)
    H = population_hessian(W, W)
    assert np.all(np.isfinite(H))
    fd = central_difference(lambda U: population_gradient(U, W), W, h=1e-5).reshape(H.shape)
    assert np.max(np.abs(H - fd)) < 1e-4
    assert np.linalg.eigvalsh(H)[0] > 0.05


def test_parallel_neurons_give_an_exact_flat_direction():
    # Two parallel neurons a w and b w can trade length: the function, hence the loss, is
    # constant along (w, -w), so the gradient and the curvature vanish in that direction.
    rng = np.random.default_rng(13)
    W, V = rng.standard_normal((4, 5)), rng.standard_normal((3, 5))
    W[1] = 2.7 * W[0]
    u = np.zeros_like(W)
    u[0], u[1] = W[0], -W[0]
    assert abs(np.sum(u * population_gradient(W, V))) < 1e-13
    H = population_hessian(W, V)
    assert abs(u.ravel() @ H @ u.ravel()) < 1e-13
    R = hessian_rows(W, V, np.array([[0, a] for a in range(5)] + [[1, a] for a in range(5)]))
    Hu = np.einsum("nlb,lb->n", R, u)
    assert abs(Hu[:5] @ u[0] + Hu[5:] @ u[1]) < 1e-13


def test_hessian_rows_match_dense_hessian():
    W, V = _random_pair(8, k=5, d=4, m=2)
    H = population_hessian(W, V)
    pos = np.array([[0, 0], [3, 2], [4, 3]])
    R = hessian_rows(W, V, pos)
    for n, (i, a) in enumerate(pos):
        assert np.allclose(R[n].ravel(), H[i * 4 + a], atol=1e-14)


def test_euler_identity_for_homogeneous_terms():
    # L = A/2 - B + C with A 2-homogeneous and B 1-homogeneous, so <W, grad L> = A - B.
    W, V = _random_pair(9)
    A = arccos_kernel(W, W).sum()
    B = arccos_kernel(W, V).sum()
    assert np.sum(W * population_gradient(W, V)) == pytest.approx(A - B, rel=1e-12)


def test_fit_student_finds_global_minimum_for_small_k():
    W0 = 0.5 * np.random.default_rng(10).standard_normal((4, 4))
    fit = fit_student(W0, identity_teacher(4))
    assert fit.kind == "global"
    assert fit.loss < 1e-10


def test_type_a_minimum_is_spurious_and_polished_by_newton(relu_loss_by_hand):
    V = identity_teacher(8)
    W0 = type_a_weights(ALPHA8, 8) + 1e-3 * np.random.default_rng(11).standard_normal((8, 8))
    fit = fit_student(W0, V)
    assert fit.kind == "spurious"
    # its loss (0.02151) recomputed independently: by the symmetry-reduced Newton iteration of
    # twolayer.symmetry (5 unknowns, not L-BFGS in 64) and by the kernel of tests/conftest.py
    from twolayer.symmetry import type_a_critical_point

    assert fit.loss == pytest.approx(type_a_critical_point(8, ALPHA8).loss, rel=1e-9)
    assert fit.loss == pytest.approx(relu_loss_by_hand(fit.W, V), rel=1e-12)
    assert fit.grad_norm < 1e-12
    assert fit.min_eig > 0.01
    W1 = newton_polish(type_a_weights(ALPHA8, 8), V, steps=5)
    assert np.linalg.norm(population_gradient(W1, V)) < 1e-12
    assert hessian_spectrum(W1, V)[0] > 0


def test_spurious_experiment_small():
    ex = spurious_minima_experiment([4, 5], runs=3, rng=0)
    assert ex.ks == [4, 5]
    assert all(len(ex.fits[k]) == 3 for k in ex.ks)
    # each fraction counts the end points that meet its rule (Safran & Shamir, 2018, sec. 4),
    # recomputed here from the loss, gradient and smallest Hessian eigenvalue of each fit
    for k in ex.ks:
        fits = ex.fits[k]
        rules = {
            "global": [f.loss <= 1e-8 for f in fits],
            "spurious": [f.loss > 1e-8 and f.grad_norm < 1e-6 and f.min_eig > 1e-8 for f in fits],
        }
        rules["other"] = [not (g or s) for g, s in zip(rules["global"], rules["spurious"])]
        for kind, rule in rules.items():
            assert ex.fraction(k, kind) == sum(rule) / 3
    assert ex.fraction(4, "global") > 0  # the experiment is not vacuous: some runs succeed


def test_bad_inputs():
    W, V = _random_pair(12)
    with pytest.raises(ValueError, match="same number of columns"):
        population_loss(W, V[:, :2])
    bad = W.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="W must be finite"):
        population_gradient(bad, V)
    with pytest.raises(ValueError, match="V must be 2-dimensional"):
        population_hessian(W, V[0])
    zero = W.copy()
    zero[1] = 0.0
    with pytest.raises(ValueError, match="row 1 of W is zero"):
        population_gradient(zero, V)
    with pytest.raises(ValueError, match="positions must lie"):
        hessian_rows(W, V, np.array([[0, 5]]))
    with pytest.raises(ValueError, match="rows must lie"):
        population_gradient(W, V, rows=[7])
    with pytest.raises(ValueError, match="method must be"):
        fit_student(W, V, method="CG")
    with pytest.raises(ValueError, match="n_samples must be >= 2"):
        monte_carlo_loss(W, V, 1, rng=0)


def test_fit_student_calls_a_point_that_is_not_critical_other():
    # the classifier's third side (its global and spurious sides are tested above): one L-BFGS
    # iteration from near the global minimum ends where the Hessian is positive definite but
    # the gradient is not small; only the gradient test keeps it from being called spurious
    W0 = np.eye(4) + 0.1 * np.random.default_rng(10).standard_normal((4, 4))
    fit = fit_student(W0, identity_teacher(4), max_iter=1, polish_steps=0)
    assert fit.grad_norm > 1e-3 and fit.loss > 1e-3
    assert fit.min_eig > 1e-3
    assert fit.kind == "other"


# ------------------------------------------- independent numbers and every side of the classifier


def test_the_kernel_by_hand_agrees_with_the_library_and_with_monte_carlo(relu_loss_by_hand):
    # the check of the check: the hand formula is the library's loss on random points, and both
    # agree with a Monte Carlo estimate of 1/2 E (sum relu(w.x) - sum relu(v.x))^2
    gen = np.random.default_rng(21)
    W, V = gen.standard_normal((4, 3)), gen.standard_normal((3, 3))
    assert relu_loss_by_hand(W, V) == pytest.approx(population_loss(W, V), rel=1e-12)
    x = gen.standard_normal((200_000, 3))
    f = np.maximum(x @ W.T, 0).sum(axis=1) - np.maximum(x @ V.T, 0).sum(axis=1)
    assert relu_loss_by_hand(W, V) == pytest.approx(0.5 * np.mean(f**2), rel=0.02)


def test_fit_student_does_not_call_a_saddle_a_minimum(relu_loss_by_hand):
    # W = c 1 1^T is fixed by all of S_k x S_d, so the best c is a critical point of the whole
    # space (symmetric criticality) with a negative Hessian eigenvalue: a saddle. L-BFGS started
    # there stops at once (the gradient is below gtol), Newton's steps are refused (the Hessian
    # is indefinite), and the end point is "other", neither global nor spurious.
    from scipy.optimize import minimize_scalar

    k = 6
    V = identity_teacher(k)
    c = minimize_scalar(lambda c: relu_loss_by_hand(c * np.ones((k, k)), V), bounds=(0.01, 2.0),
                        method="bounded", options={"xatol": 1e-12}).x
    fit = fit_student(c * np.ones((k, k)), V, gtol=1e-6)
    assert fit.grad_norm < 1e-6 and fit.loss > 0.1
    assert fit.min_eig < -0.1
    assert fit.kind == "other"
    # the three other sides on the same teacher: a global minimum, a spurious minimum (type A,
    # Safran & Shamir 2018) and a point that is not critical
    assert fit_student(np.eye(k) + 1e-3, V).kind == "global"
    from twolayer.symmetry import type_a_critical_point, type_a_weights

    spurious = fit_student(type_a_weights(type_a_critical_point(k, ALPHA8).alpha, k), V)
    assert spurious.kind == "spurious" and spurious.min_eig > 1e-4 and spurious.loss > 1e-3
    stopped = fit_student(2.0 * np.eye(k), V, max_iter=1, polish_steps=0)
    assert stopped.grad_norm > 1e-3 and stopped.kind == "other"
