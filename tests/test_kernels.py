"""The tangent kernel, random features, kernel ridge, the |x| teacher and its Hermite expansion,
and the claim of the chapter "Beyond the kernel regime": gradient descent beats both kernels."""

import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import eval_hermitenorm

from twolayer import data, gaussian, kernels


def _learner_jacobian(X, W):
    """d f_W(x) / d W for each row of X, shape (n, m*d), written out from the definition."""
    m = W.shape[0]
    norms = np.linalg.norm(W, axis=1)
    P = X @ W.T
    J = (np.maximum(P, 0.0)[:, :, None] * (W / norms[:, None])[None]
         + (norms * (P > 0))[:, :, None] * X[:, None, :]) / m
    return J.reshape(len(X), -1)


def test_empirical_ntk_is_the_gram_matrix_of_the_jacobian():
    rng = np.random.default_rng(0)
    X, W = rng.standard_normal((7, 5)), rng.standard_normal((9, 5))
    J = _learner_jacobian(X, W)
    np.testing.assert_allclose(kernels.empirical_ntk(X, X, W), W.shape[0] * J @ J.T, rtol=1e-12)


def test_ntk_closed_form_is_the_limit_of_wide_random_learners():
    rng = np.random.default_rng(1)
    d = 6
    X = rng.standard_normal((8, d))
    exact = kernels.ntk(X, X)
    errors = []
    for m in (1_000, 100_000):
        W = rng.standard_normal((m, d)) / np.sqrt(d)
        errors.append(np.abs(kernels.empirical_ntk(X, X, W) - exact).max() / np.abs(exact).max())
    assert errors[1] < 0.02
    assert errors[1] < errors[0] / 3  # Monte Carlo rate m^-1/2


def test_arccos_kernel0_against_monte_carlo_and_zero_rows():
    rng = np.random.default_rng(2)
    U, V = rng.standard_normal((3, 4)), rng.standard_normal((2, 4))
    Z = rng.standard_normal((400_000, 4))
    mc = ((Z @ U.T > 0).astype(float).T @ (Z @ V.T > 0)) / len(Z)
    np.testing.assert_allclose(gaussian.arccos_kernel0(U, V), mc, atol=3e-3)
    assert gaussian.arccos_kernel0(np.zeros((1, 4)), V).max() == 0.0
    np.testing.assert_allclose(gaussian.arccos_kernel0(U, U).diagonal(), 0.5)


def test_random_features_approach_the_degree_one_kernel():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((5, 3))
    Phi = kernels.random_relu_features(X, rng.standard_normal((200_000, 3)))
    np.testing.assert_allclose(Phi @ Phi.T, gaussian.arccos_kernel(X, X), rtol=0.02)


def test_kernel_ridge_against_a_direct_solve_and_feature_ridge():
    rng = np.random.default_rng(4)
    X, y = rng.standard_normal((30, 4)), rng.standard_normal(30)
    K = kernels.ntk(X, X)
    alpha = kernels.kernel_ridge(K, y, 0.1)
    np.testing.assert_allclose(alpha, np.linalg.solve(K + 0.1 * np.eye(30), y), rtol=1e-10)
    for M in (10, 80):  # primal and dual branches
        Phi = kernels.random_relu_features(X, rng.standard_normal((M, 4)))
        theta = kernels.feature_ridge(Phi, y, 0.1)
        direct = np.linalg.solve(Phi.T @ Phi + 0.1 * np.eye(M), Phi.T @ y)
        np.testing.assert_allclose(theta, direct, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(Phi @ theta, Phi @ Phi.T @ kernels.kernel_ridge(
            Phi @ Phi.T, y, 0.1), rtol=1e-9, atol=1e-12)


def test_hermite_coefficients_of_abs_against_numerical_integration():
    c = gaussian.hermite_abs_coefficients(12)
    for k in range(13):
        h = quad(lambda t, k=k: abs(t) * eval_hermitenorm(k, t) * np.exp(-t * t / 2),
                 -np.inf, np.inf, limit=200)[0] / math.sqrt(2 * math.pi * math.factorial(k))
        assert c[k] == pytest.approx(h * h, abs=1e-10)
    np.testing.assert_allclose(c[[0, 2, 4]], [2 / np.pi, 1 / np.pi, 1 / (12 * np.pi)], rtol=1e-14)
    assert gaussian.hermite_abs_coefficients(4000).sum() == pytest.approx(1.0, abs=1e-4)


def _problem(d=5, m=9, seed=5):
    V, a = data.abs_teacher(d, seed)
    W = np.random.default_rng(seed).standard_normal((m, d)) / np.sqrt(d)
    return W, V, a


def test_abs_teacher_is_orthonormal_with_bounded_weights():
    V, a = data.abs_teacher(7, 0, kappa=3.0)
    np.testing.assert_allclose(V @ V.T, np.eye(7), atol=1e-12)
    assert a.sum() == pytest.approx(1.0)
    assert a.min() >= 1 / (3.0 * 7) and a.max() <= 3.0 / 7
    X, y = data.abs_teacher_samples(4, V, a, 1)
    np.testing.assert_allclose(y, np.abs(X @ V.T) @ a)


def test_abs_teacher_loss_against_monte_carlo_and_the_hermite_series():
    W, V, a = _problem()
    exact = gaussian.abs_teacher_loss(W, V, a)
    X, y = data.abs_teacher_samples(400_000, V, a, 6)
    r = (kernels.norm_network(X, W) - y) ** 2
    assert abs(r.mean() - exact) < 4 * r.std() / np.sqrt(len(r))
    terms = gaussian.abs_teacher_hermite_terms(W, V, a, range(400))
    assert terms.sum() == pytest.approx(exact, abs=1e-4 * exact)
    assert np.all(terms[3::2] == 0.0)  # odd degrees above 1 vanish
    assert np.all(terms >= -1e-15)


def test_abs_teacher_gradient_against_finite_differences(central_difference):
    W, V, a = _problem()
    G = gaussian.abs_teacher_gradient(W, V, a)
    fd = central_difference(lambda U: gaussian.abs_teacher_loss(U, V, a), W)
    np.testing.assert_allclose(G, fd, atol=1e-8)


def test_staged_dynamics_fits_low_degrees_first_then_aligns():
    d, m = 8, 32
    V, a = data.abs_teacher(d, 0)
    W0 = np.random.default_rng(1).standard_normal((m, d)) / np.sqrt(d)
    run = gaussian.abs_teacher_dynamics(W0, V, a, lr=0.5, steps=1500, records=30)
    early = np.searchsorted(run.steps, 20)
    assert run.terms[early, 0] < 1e-2 * run.terms[0, 0]  # degree 0 fitted within 20 steps
    assert run.loss[-1] < 0.05 * (1 - 3 / np.pi) * (a @ a)  # below the kernels' floor
    assert run.alignment[-1] > run.alignment[0] + 0.2
    np.testing.assert_allclose(run.rest + run.terms.sum(axis=1), run.loss)


def test_gd_beats_both_kernels_on_a_fixed_seed():
    result = kernels.kernel_vs_gd([6], seeds=2, n_factor=12, rng=0, n_test=500, n_features=400,
                                  steps=1500)
    assert np.all(result.gd < 0.5 * result.ntk)
    assert np.all(result.gd < 0.5 * result.features)
    gd_mean, gd_sem = result.mean_and_sem("gd")
    assert gd_mean.shape == gd_sem.shape == (1,)


def test_norm_network_gradient_descent_decreases_the_training_loss():
    V, a = data.abs_teacher(4, 0)
    X, y = data.abs_teacher_samples(200, V, a, 1)
    W0 = np.random.default_rng(2).standard_normal((3, 8, 4)) / 2
    run = kernels.train_norm_network(X, y, W0, lr=0.5, steps=200, X_test=X, y_test=y,
                                     record_every=50)
    assert run.train_loss.shape == (5, 3)
    assert np.all(np.diff(run.train_loss, axis=0) < 0)
    np.testing.assert_allclose(run.train_loss, run.test_loss)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: kernels.ntk(np.ones((2, 3)), np.ones((2, 4))), ValueError, "same number"),
        (lambda: kernels.kernel_ridge(np.eye(3), np.ones(2), 0.1), ValueError, "same number"),
        (lambda: kernels.kernel_ridge(np.ones((2, 3)), np.ones(2), 0.1), ValueError, "square"),
        (lambda: kernels.kernel_ridge(np.eye(2), np.ones(2), 0.0), ValueError, "ridge"),
        (lambda: kernels.feature_ridge(np.eye(2), np.ones(2), "x"), TypeError, "ridge"),
        (lambda: kernels.empirical_ntk(np.ones((2, 3)), np.ones((2, 3)), np.ones((4, 2))),
         ValueError, "W must have shape"),
        (lambda: kernels.kernel_vs_gd([1], seeds=2, n_factor=10, rng=0), ValueError, "ds"),
        (lambda: kernels.kernel_vs_gd([4], seeds=1, n_factor=10, rng=0), ValueError, "seeds"),
        (lambda: gaussian.hermite_abs_coefficients(-1), ValueError, "kmax"),
        (lambda: gaussian.abs_teacher_loss(np.ones((2, 3)), np.eye(3), np.ones(2)),
         ValueError, "a must have length 3"),
        (lambda: gaussian.abs_teacher_gradient(np.zeros((2, 3)), np.eye(3), np.ones(3)),
         ValueError, "row 0 of W is zero"),
        (lambda: gaussian.abs_teacher_dynamics(np.ones((2, 3)), np.eye(3), np.ones(3), lr=-1.0,
                                               steps=3), ValueError, "lr"),
        (lambda: data.abs_teacher(3, 0, kappa=0.5), ValueError, "kappa"),
        (lambda: kernels.train_norm_network(np.ones((3, 2)), np.ones(3), np.ones((4, 3)),
                                            lr=0.1, steps=2, X_test=np.ones((1, 2)),
                                            y_test=np.ones(1)), ValueError, "W0 must have"),
    ],
)
def test_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
