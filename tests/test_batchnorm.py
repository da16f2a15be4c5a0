"""The BN network, its whitened basis, convex program, closed form, GD and the chapter's claims."""

import numpy as np
import pytest

from twolayer import arrangements, batchnorm, data


def _direct_bn(X, w, gamma, alpha):
    # the definition, written out without the library: centre, normalize, scale, shift
    n = X.shape[0]
    z = X @ w
    zc = z - z.mean()
    return gamma * zc / np.sqrt(np.sum(zc**2)) + alpha / np.sqrt(n)


def _net(d, m, seed):
    gen = np.random.default_rng(seed)
    return (gen.standard_normal((m, d)), gen.standard_normal(m), gen.standard_normal(m),
            gen.standard_normal(m))


def test_forward_matches_a_direct_computation():
    gen = np.random.default_rng(0)
    X = gen.standard_normal((9, 4))
    W, gamma, alpha, a = _net(4, 5, 1)
    direct = sum(np.maximum(_direct_bn(X, W[j], gamma[j], alpha[j]), 0) * a[j] for j in range(5))
    np.testing.assert_allclose(batchnorm.bn_forward(X, W, gamma, alpha, a), direct, atol=1e-12)


def test_forward_with_a_reference_batch_uses_its_statistics():
    gen = np.random.default_rng(1)
    X, Xnew = gen.standard_normal((8, 3)), gen.standard_normal((3, 3))
    W, gamma, alpha, a = _net(3, 4, 2)
    both = batchnorm.bn_forward(np.vstack([X, Xnew]), W, gamma, alpha, a, reference=X)
    np.testing.assert_allclose(both[:8], batchnorm.bn_forward(X, W, gamma, alpha, a), atol=1e-12)
    # the BN output is invariant to the scale of w_j
    np.testing.assert_allclose(
        batchnorm.bn_forward(Xnew, 3.0 * W, gamma, alpha, a, reference=X), both[8:], atol=1e-12
    )


def test_objective_and_gradient_agree_with_finite_differences(central_difference):
    gen = np.random.default_rng(3)
    X, y = gen.standard_normal((7, 3)), gen.standard_normal(7)
    params = list(_net(3, 4, 4))
    beta = 0.3
    grads = batchnorm.bn_gradient(X, y, *params, beta)
    for k, g in enumerate(grads):
        def objective(q, k=k):
            return batchnorm.bn_objective(X, y, *params[:k], q, *params[k + 1:], beta)

        assert np.max(np.abs(central_difference(objective, params[k]) - g)) < 1e-6
    # scale invariance: the first-layer gradient is orthogonal to each neuron
    np.testing.assert_allclose(np.einsum("md,md->m", grads[0], params[0]), 0, atol=1e-10)


def test_basis_is_orthonormal_and_reproduces_bn():
    gen = np.random.default_rng(5)
    X = gen.standard_normal((10, 3)) @ np.diag([3.0, 1.0, 0.2]) + 4.0
    Up, V, s = batchnorm.bn_basis(X)
    assert Up.shape == (10, 4) and V.shape == (3, 3)
    np.testing.assert_allclose(Up.T @ Up, np.eye(4), atol=1e-12)
    assert np.all(np.diff(s) <= 0)
    W, gamma, alpha, _ = _net(3, 2, 6)
    for j in range(2):
        z = s * (V.T @ W[j])
        c = np.concatenate([gamma[j] * z / np.linalg.norm(z), [alpha[j]]])
        np.testing.assert_allclose(Up @ c, _direct_bn(X, W[j], gamma[j], alpha[j]), atol=1e-12)


def test_basis_drops_null_directions():
    gen = np.random.default_rng(7)
    X = gen.standard_normal((6, 2)) @ gen.standard_normal((2, 5))  # rank 2 in R^5
    Up, V, s = batchnorm.bn_basis(X)
    assert s.size == 2 and Up.shape == (6, 3)


def test_recovery_attains_the_convex_optimum():
    x, y = data.univariate_regression(15, rng=0, noise=0.1)
    X = x[:, None]
    Up, _, _ = batchnorm.bn_basis(X)
    patterns = arrangements.enumerate_patterns_2d(Up)
    sol = batchnorm.solve_bn_convex(X, y, 0.05, patterns)
    net = batchnorm.recover_bn_network(sol)
    value = batchnorm.bn_objective(X, y, *net, 0.05)
    assert abs(value - sol.value) <= 1e-6 * max(1.0, sol.value)
    np.testing.assert_allclose(batchnorm.bn_forward(X, *net), sol.predictions, atol=1e-6)


def test_recovery_in_higher_dimension_with_sampled_patterns():
    gen = np.random.default_rng(8)
    X, y = gen.standard_normal((12, 3)), gen.standard_normal(12)
    Up, _, _ = batchnorm.bn_basis(X)
    sol = batchnorm.solve_bn_convex(X, y, 0.1, arrangements.sample_patterns(Up, 60, rng=0))
    net = batchnorm.recover_bn_network(sol)
    assert abs(batchnorm.bn_objective(X, y, *net, 0.1) - sol.value) <= 1e-6 * max(1, sol.value)


def test_gd_from_several_seeds_ends_above_the_optimum():
    x, y = data.univariate_regression(15, rng=0, noise=0.1)
    res = batchnorm.exact_experiment(x, y, 0.05, m=8, runs=4, rng=0, lr=0.05, steps=400)
    assert abs(res.recovered - res.optimum) <= 1e-6 * max(1.0, res.optimum)
    assert np.all(res.gd >= res.optimum - 1e-7)
    assert res.patterns == 2 * 15  # 15 distinct points with a bias: 2n patterns


def test_closed_form_matches_the_solver_and_ignores_x():
    gen = np.random.default_rng(9)
    n, beta = 8, 0.4
    y = gen.standard_normal(n)
    fits = []
    for d in (7, 12):
        X = gen.standard_normal((n, d))
        cf = batchnorm.bn_closed_form(X, y, beta)
        Up, _, _ = batchnorm.bn_basis(X)
        assert Up.shape == (n, n)
        # with n x n orthogonal U' the patterns of U' are all 2^n subsets; sample many
        patterns = arrangements.sample_patterns(Up, 4000, rng=1)
        patterns = np.vstack([patterns, y > 0, y < 0])
        sol = batchnorm.solve_bn_convex(X, y, beta, patterns)
        assert abs(sol.value - cf.value) <= 1e-6 * max(1.0, cf.value)
        np.testing.assert_allclose(batchnorm.bn_forward(X, cf.W, cf.gamma, cf.alpha, cf.a),
                                   cf.fit, atol=1e-10)
        assert abs(batchnorm.bn_objective(X, y, cf.W, cf.gamma, cf.alpha, cf.a, beta)
                   - cf.value) < 1e-10
        fits.append(cf.fit)
    np.testing.assert_allclose(fits[0], fits[1], atol=1e-12)


def test_closed_form_with_a_small_target_is_zero():
    gen = np.random.default_rng(10)
    X, y = gen.standard_normal((5, 6)), 0.01 * gen.standard_normal(5)
    cf = batchnorm.bn_closed_form(X, y, 1.0)
    assert cf.W.shape == (0, 6) and np.all(cf.fit == 0) and cf.value == pytest.approx(0.5 * y @ y)


def test_closed_form_refuses_low_rank_data():
    gen = np.random.default_rng(11)
    with pytest.raises(ValueError, match="rank n - 1"):
        batchnorm.bn_closed_form(gen.standard_normal((10, 3)), gen.standard_normal(10), 0.1)


def test_degenerate_batch_raises_a_clear_error():
    X = np.column_stack([np.ones(6), np.arange(6.0)])
    W = np.array([[1.0, 0.0], [0.0, 1.0]])  # neuron 0 sees the constant first column
    with pytest.raises(ValueError, match="neuron 0 has a constant pre-activation"):
        batchnorm.bn_forward(X, W, np.ones(2), np.zeros(2), np.ones(2))
    with pytest.raises(ValueError, match="identical rows"):
        batchnorm.bn_basis(np.ones((4, 3)))
    with pytest.raises(ValueError, match="at least 2 rows"):
        batchnorm.bn_forward(np.ones((1, 2)), W, np.ones(2), np.zeros(2), np.ones(2))


def test_mismatched_shapes_and_non_finite_data_raise():
    gen = np.random.default_rng(12)
    X, y = gen.standard_normal((6, 3)), gen.standard_normal(6)
    W, gamma, alpha, a = _net(3, 4, 13)
    with pytest.raises(ValueError, match="W must have 3 columns"):
        batchnorm.bn_forward(X, W[:, :2], gamma, alpha, a)
    with pytest.raises(ValueError, match="gamma must have length 4"):
        batchnorm.bn_forward(X, W, gamma[:3], alpha, a)
    with pytest.raises(ValueError, match="same number of rows"):
        batchnorm.bn_objective(X, y[:5], W, gamma, alpha, a, 0.1)
    bad = X.copy()
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match="X must be finite"):
        batchnorm.bn_forward(bad, W, gamma, alpha, a)
    with pytest.raises(ValueError, match="a must be finite"):
        batchnorm.bn_forward(X, W, gamma, alpha, np.array([1, np.inf, 0, 0]))
    with pytest.raises(ValueError, match="beta must be > 0"):
        batchnorm.solve_bn_convex(X, y, 0.0, np.ones((1, 6), dtype=bool))
    with pytest.raises(TypeError, match="BNConvexSolution"):
        batchnorm.recover_bn_network("not a solution")


def test_energy_shares_follow_the_directions_of_the_coefficients():
    gen = np.random.default_rng(14)
    X = gen.standard_normal((20, 3)) @ np.diag([5.0, 1.0, 0.1])
    Up, V, s = batchnorm.bn_basis(X)
    # one neuron along the first singular direction only, no shift
    e = batchnorm.bn_energy(X, V[:, :1].T, np.array([2.0]), np.array([0.0]), np.array([1.0]))
    np.testing.assert_allclose(e, [1, 0, 0, 0], atol=1e-12)
    # a random network against its coefficients from the definition: BN(X w_j) = U' c_j, so
    # c_j = U'^T BN(X w_j), with BN(z) = gamma (z - mean) / ||z - mean|| + alpha / sqrt(n)
    W, gamma, alpha, a = _net(3, 5, 15)
    Z = (X - X.mean(axis=0)) @ W.T
    H = gamma * Z / np.linalg.norm(Z, axis=0) + alpha / np.sqrt(X.shape[0])
    C = H.T @ Up
    share = np.abs(a) @ (C**2 / np.linalg.norm(C, axis=1)[:, None])
    np.testing.assert_allclose(batchnorm.bn_energy(X, W, gamma, alpha, a),
                               share / (np.abs(a) @ np.linalg.norm(C, axis=1)), rtol=1e-10)


@pytest.fixture(scope="module")
def digits():
    X_train, y_train, X_test, y_test = data.digits_classification(120, 0, classes=(3, 8),
                                                                  signed=True)
    return batchnorm.digits_experiment(
        X_train, y_train, X_test, y_test, 0.5, components=8, keep=4, m=12, runs=2, lr=0.05,
        steps=300, early=30, num_patterns=40, rng=0,
    )


def test_digits_convex_model_is_below_every_gd_run(digits):
    assert np.all(digits.gd_objective >= digits.convex_objective - 1e-6)
    # the spectral variant is a restriction of the full program (on its own patterns)
    assert digits.spectral_objective > 0
    assert 0.5 <= digits.convex_accuracy <= 1.0
    assert np.all((digits.gd_accuracy >= 0.5) & (digits.gd_accuracy <= 1.0))
    # a share per run and per direction of the reduced data (components + the constant one)
    assert digits.energy_gd.shape == digits.energy_gd_early.shape == (2, digits.components + 1)
    # the spectral variant puts no energy on the dropped directions
    np.testing.assert_allclose(digits.energy_spectral[digits.keep:-1], 0, atol=1e-12)


def test_digits_loader_splits_two_classes():
    X_train, y_train, X_test, y_test = data.digits_classification(100, 1, classes=(0, 1),
                                                                  signed=True)
    assert X_train.shape == (100, 64) and X_test.shape[1] == 64
    assert set(np.unique(y_train)) == {-1.0, 1.0}
    assert 0.0 <= X_train.min() and X_train.max() <= 1.0
    with pytest.raises(ValueError, match="distinct digits"):
        data.digits_classification(10, 0, classes=(3, 3), signed=True)
    with pytest.raises(ValueError, match="signed labels need two classes"):
        data.digits_classification(10, 0, classes=(1, 2, 3), signed=True)


def test_explorer_frames_reach_the_closed_form_and_redraw(capsys):
    import matplotlib.pyplot as plt

    from twolayer.widgets.batchnorm import bn_explorer, bn_figure

    low = batchnorm.explore_dimension(0.3, 2, rng=0, num_patterns=20)
    high = batchnorm.explore_dimension(0.3, 12, rng=0)
    assert not low.closed_form and high.closed_form and high.rank == 9
    np.testing.assert_allclose(high.fit, high.whitened_fit)
    assert high.value < low.value  # whitened data fit at least as well
    plt.close("all")
    fig = bn_figure(0.3, 12, rng=0)
    assert fig.get_size_inches().tolist() == bn_figure(0.1, 2, rng=0).get_size_inches().tolist()
    plt.close("all")
    widget = bn_explorer(rng=0)
    capsys.readouterr()
    slider = next(c for c in widget.children[:-1] if "dimension" in c.description)
    slider.value = 11
    assert "Figure" in capsys.readouterr().out
    assert plt.get_fignums() == []
