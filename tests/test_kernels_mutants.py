"""twolayer.kernels: the argument checks and the behaviour that mutation testing found untested
(tests/MUTATION.md, section "kernels"). Every expected number is computed by hand in a comment
or independently of the library (NumPy)."""

from __future__ import annotations

import numpy as np
import pytest

from twolayer import kernels

from .messages import exactly

GEN = np.random.default_rng(31)
X = GEN.standard_normal((5, 3))
y = GEN.standard_normal(5)
W = GEN.standard_normal((4, 3))


def _train(**kw):
    args = dict(lr=0.1, steps=2, X_test=X, y_test=y)
    args.update(kw)
    return lambda: kernels.train_norm_network(X, y, W, **args)


BAD = [
    (lambda: kernels.ntk(X, W[:, :2]), ValueError,
     exactly("X and Z must have the same number of columns (the input dimension d), got X of "
           "shape (5, 3) and Z of shape (4, 2)")),
    (lambda: kernels.ntk(X[0], X), ValueError, "^X must be 2-dimensional"),
    (lambda: kernels.ntk(X, np.zeros((0, 3))), ValueError,
     exactly("Z must have at least one row and one column, got shape (0, 3)")),
    (lambda: kernels.empirical_ntk(X, X, W[:, :2]), ValueError,
     exactly("W must have shape (m, 3) with m >= 1 (d from X), got (4, 2)")),
    (lambda: kernels.empirical_ntk(X, X, np.zeros((0, 3))), ValueError,
     exactly("W must have shape (m, 3) with m >= 1 (d from X), got (0, 3)")),
    (lambda: kernels.empirical_ntk(X, X, W[0]), ValueError, "^W must be 2-dimensional"),
    (lambda: kernels.empirical_ntk(X, X[:, :2], W), ValueError,
     "^X and Z must have the same number of columns"),
    (lambda: kernels.random_relu_features(X, W[:, :2]), ValueError,
     "^X and V must have the same number of columns"),
    (lambda: kernels.kernel_ridge(np.eye(3), np.ones(3), -1.0), ValueError,
     exactly("ridge must be > 0.0, got -1.0")),
    (lambda: kernels.kernel_ridge(np.ones((2, 3)), np.ones(2), 0.1), ValueError,
     exactly("K must be square (n, n), got shape (2, 3)")),
    (lambda: kernels.kernel_ridge(np.ones(3), np.ones(3), 0.1), ValueError,
     "^K must be 2-dimensional"),
    (lambda: kernels.kernel_ridge(np.eye(3), np.ones((3, 1)), 0.1), ValueError,
     "^y must be 1-dimensional"),
    (lambda: kernels.kernel_ridge(np.eye(3), np.ones(2), 0.1), ValueError,
     "^K and y must have the same number of rows"),
    (lambda: kernels.feature_ridge(np.ones(3), np.ones(3), 0.1), ValueError,
     "^Phi must be 2-dimensional"),
    (lambda: kernels.feature_ridge(np.ones((3, 2)), np.ones((3, 1)), 0.1), ValueError,
     "^y must be 1-dimensional"),
    (lambda: kernels.feature_ridge(np.ones((3, 2)), np.ones(2), 0.1), ValueError,
     "^Phi and y must have the same number of rows"),
    (lambda: kernels.feature_ridge(np.ones((3, 2)), np.ones(3), 0.0), ValueError,
     exactly("ridge must be > 0.0, got 0.0")),
    (lambda: kernels.norm_network(X[0], W), ValueError, "^X must be 2-dimensional"),
    (lambda: kernels.norm_network(X, W[:, :2]), ValueError,
     exactly("W must have shape (m, 3) with m >= 1 (d from X), got (4, 2)")),
    (lambda: kernels.train_norm_network(X[0], y, W, lr=0.1, steps=1, X_test=X, y_test=y),
     ValueError, "^X must be 2-dimensional"),
    (lambda: kernels.train_norm_network(X, y[:, None], W, lr=0.1, steps=1, X_test=X, y_test=y),
     ValueError, "^y must be 1-dimensional"),
    (lambda: kernels.train_norm_network(X, y[:4], W, lr=0.1, steps=1, X_test=X, y_test=y),
     ValueError, "^X and y must have the same number of rows"),
    (lambda: kernels.train_norm_network(X, y, W[:, :2], lr=0.1, steps=1, X_test=X, y_test=y),
     ValueError, exactly("W0 must have shape (m, 3) or (R, m, 3), got (4, 2)")),
    (lambda: kernels.train_norm_network(X, y, W[0], lr=0.1, steps=1, X_test=X, y_test=y),
     ValueError, exactly("W0 must have shape (m, 3) or (R, m, 3), got (3,)")),
    (lambda: kernels.train_norm_network(X, y, W[None, None], lr=0.1, steps=1, X_test=X,
                                        y_test=y),
     ValueError, exactly("W0 must have shape (m, 3) or (R, m, 3), got (1, 1, 4, 3)")),
    (lambda: kernels.train_norm_network(X, y, np.full((4, 3), np.nan), lr=0.1, steps=1,
                                        X_test=X, y_test=y),
     ValueError, "^W0 must be finite"),
    (_train(X_test=X[:, :2]), ValueError, "^X_test must have length 3 along axis 1"),
    (_train(y_test=y[:, None]), ValueError, "^y_test must be 1-dimensional"),
    (_train(y_test=y[:4]), ValueError, "^X_test and y_test must have the same number of rows"),
    (_train(lr=0.0), ValueError, exactly("lr must be > 0.0, got 0.0")),
    (_train(steps=-1), ValueError, exactly("steps must be >= 0, got -1")),
    (_train(record_every=0), ValueError, exactly("record_every must be >= 1, got 0")),
    (lambda: kernels.KernelComparison.concatenate([]), ValueError,
     exactly("parts must hold at least one KernelComparison, got none")),
    (lambda: kernels.kernel_vs_gd([], seeds=2, n_factor=1, rng=0), ValueError,
     exactly("ds must hold at least one dimension, got an empty sequence")),
    (lambda: kernels.kernel_vs_gd([2, 1], seeds=2, n_factor=1, rng=0), ValueError,
     exactly("ds[i] must be >= 2, got 1")),
    (lambda: kernels.kernel_vs_gd([2], seeds=1, n_factor=1, rng=0), ValueError,
     exactly("seeds must be >= 2, got 1")),
    (lambda: kernels.kernel_vs_gd([2], seeds=2, n_factor=0, rng=0), ValueError,
     exactly("n_factor must be >= 1, got 0")),
    (lambda: kernels.kernel_vs_gd([2], seeds=2, n_factor=1, rng=0, width_factor=0), ValueError,
     exactly("width_factor must be >= 1, got 0")),
    (lambda: kernels.kernel_vs_gd([2], seeds=2, n_factor=1, rng=0, n_test=0), ValueError,
     exactly("n_test must be >= 1, got 0")),
    (lambda: kernels.kernel_vs_gd([2], seeds=2, n_factor=1, rng=0, n_features=0), ValueError,
     exactly("n_features must be >= 1, got 0")),
    (lambda: kernels.kernel_vs_gd([2], seeds=2, n_factor=1, rng=0, ridges=(0.1, 0.0)),
     ValueError, exactly("ridges[i] must be > 0.0, got 0.0")),
    (lambda: kernels.kernel_vs_gd([2], seeds=2, n_factor=1, rng=0, ridges=()), ValueError,
     exactly("ridges must hold at least one value, got an empty sequence")),
    (lambda: kernels.kernel_vs_gd([2], seeds=2, n_factor=1, rng=0, lr=0.0), ValueError,
     exactly("lr must be > 0.0, got 0.0")),
    (lambda: kernels.kernel_vs_gd([2], seeds=2, n_factor=1, rng=0, steps=0), ValueError,
     exactly("steps must be >= 1, got 0")),
    (lambda: kernels.kernel_vs_gd([2], seeds=2, n_factor=1, rng=0, kappa=0.5), ValueError,
     exactly("kappa must be >= 1.0, got 0.5")),
    (lambda: kernels.kernel_vs_gd([2], seeds=2, n_factor=1, rng="0"), TypeError, "^rng must"),
    (lambda: kernels.explore_beyond_kernel(1, 4, 2, rng=0), ValueError,
     exactly("d must be >= 2, got 1")),
    (lambda: kernels.explore_beyond_kernel(2, 1, 2, rng=0), ValueError,
     exactly("n must be >= 2, got 1")),
    (lambda: kernels.explore_beyond_kernel(2, 4, 0, rng=0), ValueError,
     exactly("width must be >= 1, got 0")),
    (lambda: kernels.explore_beyond_kernel(2, 4, 2, rng=0, steps=0), ValueError,
     exactly("steps must be >= 1, got 0")),
    (lambda: kernels.explore_beyond_kernel(2, 4, 2, rng=0, n_test=0), ValueError,
     exactly("n_test must be >= 1, got 0")),
    (lambda: kernels.explore_beyond_kernel(2, 4, 2, rng=0, lr=0.0), ValueError,
     exactly("lr must be > 0.0, got 0.0")),
    (lambda: kernels.explore_beyond_kernel(2, 4, 2, rng=0, ridges=(0.0,)), ValueError,
     exactly("ridges[i] must be > 0.0, got 0.0")),
    (lambda: kernels.explore_beyond_kernel(2, 4, 2, rng=0, ridges=()), ValueError,
     exactly("ridges must hold at least one value, got an empty sequence")),
    (lambda: kernels.explore_beyond_kernel(2, 4, 2, rng="0"), TypeError, "^rng must"),
]


@pytest.mark.parametrize("call, error, match", BAD)
def test_each_bad_argument_is_named_at_the_start_of_its_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_the_kernels_and_the_learner_by_their_formulas():
    from twolayer import gaussian

    Z = GEN.standard_normal((2, 3))
    # Theta = (x . z) k0 + (3 / d) k1 with the arc-cosine kernels of twolayer.gaussian
    expect = (X @ Z.T) * gaussian.arccos_kernel0(X, Z) + gaussian.arccos_kernel(X, Z)
    np.testing.assert_allclose(kernels.ntk(X, Z), expect, rtol=1e-13)  # 3 / d = 1 for d = 3
    X4, Z4 = GEN.standard_normal((3, 4)), GEN.standard_normal((2, 4))
    expect = (X4 @ Z4.T) * gaussian.arccos_kernel0(X4, Z4) + 0.75 * gaussian.arccos_kernel(X4, Z4)
    np.testing.assert_allclose(kernels.ntk(X4, Z4), expect, rtol=1e-13)
    V = GEN.standard_normal((7, 3))
    np.testing.assert_allclose(kernels.random_relu_features(X, V),
                               np.maximum(X @ V.T, 0) / np.sqrt(7), rtol=1e-15)
    # f_W(x) = (1/m) sum_j |w_j| relu(w_j . x)
    f = np.array([sum(np.linalg.norm(w) * max(w @ x, 0.0) for w in W) / 4 for x in X])
    np.testing.assert_allclose(kernels.norm_network(X, W), f, rtol=1e-13)


def test_ridge_in_both_dimensions_by_a_direct_solve():
    K = np.array([[2.0, 1.0], [1.0, 3.0]])
    np.testing.assert_allclose(kernels.kernel_ridge(K, [1.0, 2.0], 0.5),
                               np.linalg.solve(K + 0.5 * np.eye(2), [1.0, 2.0]), rtol=1e-14)
    for M in (4, 5, 6):  # M < n, M = n, M > n for n = 5
        Phi = GEN.standard_normal((5, M))
        direct = np.linalg.solve(Phi.T @ Phi + 0.3 * np.eye(M), Phi.T @ y)
        np.testing.assert_allclose(kernels.feature_ridge(Phi, y, 0.3), direct, rtol=1e-10)


def _mse(Xs, ys, Wm):
    return np.mean((kernels.norm_network(Xs, Wm) - ys) ** 2)


def test_one_step_of_the_learner_follows_the_mean_squared_error():
    # the step is lr * m times the gradient of (1/n) |f_W(X) - y|^2
    run = kernels.train_norm_network(X, y, W, lr=0.05, steps=1, X_test=X[:2], y_test=y[:2])
    G = np.zeros_like(W)
    for i in np.ndindex(W.shape):
        E = np.zeros_like(W)
        E[i] = 1e-6
        G[i] = (_mse(X, y, W + E) - _mse(X, y, W - E)) / 2e-6
    np.testing.assert_allclose(run.W[0], W - 0.05 * 4 * G, atol=1e-8)
    assert run.steps.tolist() == [0, 1]
    assert run.train_loss[:, 0] == pytest.approx([_mse(X, y, W), _mse(X, y, run.W[0])],
                                                 rel=1e-12)
    assert run.test_loss[:, 0] == pytest.approx([_mse(X[:2], y[:2], W),
                                                 _mse(X[:2], y[:2], run.W[0])], rel=1e-12)
    # records every record_every steps and at the last; the default is 100
    run = kernels.train_norm_network(X, y, W, lr=0.01, steps=250, X_test=X, y_test=y)
    assert run.steps.tolist() == [0, 100, 200, 250]
    run = kernels.train_norm_network(X, y, W[None], lr=0.01, steps=0, X_test=X, y_test=y)
    assert run.steps.tolist() == [0] and run.W.shape == (1, 4, 3)
    assert not np.shares_memory(run.W, W)
    with np.errstate(all="ignore"), pytest.raises(
            FloatingPointError, match=r"^training diverged at step \d+; lower lr \(got 1e\+150\)$"):
        kernels.train_norm_network(X, y, W, lr=1e150, steps=5, X_test=X, y_test=y,
                                   record_every=1)


def test_a_neuron_at_zero_gets_no_nan():
    W0 = W.copy()
    W0[1] = 0.0
    run = kernels.train_norm_network(X, y, W0, lr=0.01, steps=3, X_test=X, y_test=y)
    assert np.all(np.isfinite(run.W)) and np.all(run.W[0, 1] == 0.0)


def _comparison(ds, gd):
    return kernels.KernelComparison(tuple(ds), tuple(10 * d for d in ds), 7, tuple(ds), 9,
                                    (0.1,), 3, gd, gd + 1, gd + 2, gd + 3)


def test_comparisons_concatenate_and_average_over_seeds():
    first = _comparison([2], np.array([[1.0, 3.0]]))
    second = _comparison([3, 4], np.array([[2.0, 2.0], [0.0, 4.0]]))
    both = kernels.KernelComparison.concatenate([first, second])
    assert both.ds == (2, 3, 4) and both.n == (20, 30, 40) and both.width == (2, 3, 4)
    assert (both.n_test, both.n_features, both.ridges, both.steps) == (7, 9, (0.1,), 3)
    np.testing.assert_array_equal(both.gd, [[1.0, 3.0], [2.0, 2.0], [0.0, 4.0]])
    np.testing.assert_array_equal(both.floor, both.gd + 3)
    np.testing.assert_array_equal(both.ntk, both.gd + 1)
    np.testing.assert_array_equal(both.features, both.gd + 2)
    mean, sem = both.mean_and_sem("gd")
    # seeds 1, 3: mean 2, sample std sqrt(2), sem 1; 2, 2: sem 0; 0, 4: mean 2, sem 2
    np.testing.assert_allclose(mean, [2.0, 2.0, 2.0])
    np.testing.assert_allclose(sem, [1.0, 0.0, 2.0])
    for name, shift in (("ntk", 1), ("features", 2), ("floor", 3)):
        np.testing.assert_allclose(both.mean_and_sem(name)[0], 2.0 + shift)
    with pytest.raises(ValueError, match=r"^name must be 'gd', 'ntk', 'features' or 'floor', "
                                         r"got 'x'$"):
        both.mean_and_sem("x")


def _best_ridge_by_hand(K, yt, Kt, ytt, ridges):
    losses = []
    for lam in ridges:
        alpha = np.linalg.solve(K + lam * np.trace(K) / len(K) * np.eye(len(K)), yt)
        losses.append(np.mean((Kt @ alpha - ytt) ** 2))
    return min(losses)


def _one_seed_by_hand(d, n, m, n_test, n_features, gen, kappa, lr, steps, record_every, ridges):
    """The documented draws of one seed, in order: teacher, samples, held-out samples, start
    N(0, I/d), then the random features N(0, I_d)."""
    from twolayer import data

    V, a = data.abs_teacher(d, gen, kappa=kappa)
    Xs, ys = data.abs_teacher_samples(n, V, a, gen)
    Xt, yt = data.abs_teacher_samples(n_test, V, a, gen)
    W0 = gen.standard_normal((1, m, d)) / np.sqrt(d)
    run = kernels.train_norm_network(Xs, ys, W0, lr=lr, steps=steps, X_test=Xt, y_test=yt,
                                     record_every=record_every)
    ntk = _best_ridge_by_hand(kernels.ntk(Xs, Xs), ys, kernels.ntk(Xt, Xs), yt, ridges)
    F = gen.standard_normal((n_features, d))
    P, Pt = np.maximum(Xs @ F.T, 0), np.maximum(Xt @ F.T, 0)
    feats = _best_ridge_by_hand(P @ P.T, ys, Pt @ P.T, yt, ridges)
    return run, ntk, feats, (1 - 3 / np.pi) * a @ a


def test_kernel_vs_gd_replays_its_documented_seeds():
    res = kernels.kernel_vs_gd([2, 3], seeds=2, n_factor=2, rng=8, width_factor=3, n_test=6,
                               n_features=5, ridges=(1e-2, 1.0), lr=0.3, steps=4, kappa=1.5)
    assert res.ds == (2, 3) and res.n == (8, 18) and res.width == (6, 9)
    assert (res.n_test, res.n_features, res.ridges, res.steps) == (6, 5, (1e-2, 1.0), 4)
    gen = np.random.default_rng(8)
    for i, d in enumerate((2, 3)):
        for s in range(2):
            run, ntk, feats, floor = _one_seed_by_hand(d, 2 * d * d, 3 * d, 6, 5, gen, 1.5, 0.3,
                                                       4, 4, (1e-2, 1.0))
            assert res.gd[i, s] == pytest.approx(run.test_loss[-1, 0], rel=1e-10)
            assert res.ntk[i, s] == pytest.approx(ntk, rel=1e-8)
            assert res.features[i, s] == pytest.approx(feats, rel=1e-8)
            assert res.floor[i, s] == pytest.approx(floor, rel=1e-12)


def test_kernel_vs_gd_defaults():
    # n_test 1000, n_features 1000, ridges (1e-3, 1e-2, 1e-1), lr 0.5, steps 2000, kappa 2,
    # width_factor 4 (a small problem: d = 2, n = 8)
    res = kernels.kernel_vs_gd([2], seeds=2, n_factor=2, rng=0)
    assert (res.n_test, res.n_features, res.ridges, res.width, res.steps) == (
        1000, 1000, (1e-3, 1e-2, 1e-1), (8,), 2000)
    gen = np.random.default_rng(0)
    for s in range(2):
        run, ntk, feats, floor = _one_seed_by_hand(2, 8, 8, 1000, 1000, gen, 2.0, 0.5, 2000,
                                                   2000, (1e-3, 1e-2, 1e-1))
        assert res.gd[0, s] == pytest.approx(run.test_loss[-1, 0], rel=1e-10)
        assert res.features[0, s] == pytest.approx(feats, rel=1e-8)


def test_explore_beyond_kernel_replays_its_documented_run():
    res = kernels.explore_beyond_kernel(3, 12, 5, rng=2, steps=80, n_test=7, lr=0.4,
                                        ridges=(0.1,))
    run, ntk, feats, floor = _one_seed_by_hand(3, 12, 5, 7, 12, np.random.default_rng(2), 2.0,
                                               0.4, 80, 2, (0.1,))  # records every 80 // 40
    assert (res.d, res.n, res.width) == (3, 12, 5)
    np.testing.assert_array_equal(res.steps, run.steps)
    np.testing.assert_allclose(res.gd, run.test_loss[:, 0], rtol=1e-10)
    assert res.ntk == pytest.approx(ntk, rel=1e-8)
    assert res.features == pytest.approx(feats, rel=1e-8)
    assert res.floor == pytest.approx(floor, rel=1e-12)
    # the defaults: 300 steps recorded every 7, 400 held-out samples, lr 0.5
    small = kernels.explore_beyond_kernel(2, 4, 2, rng=0, ridges=(0.1,))
    run, *_ = _one_seed_by_hand(2, 4, 2, 400, 4, np.random.default_rng(0), 2.0, 0.5, 300, 7,
                                (0.1,))
    np.testing.assert_array_equal(small.steps, run.steps)
    np.testing.assert_allclose(small.gd, run.test_loss[:, 0], rtol=1e-10)
    # fewer than 40 steps: every step is recorded
    assert kernels.explore_beyond_kernel(2, 4, 2, rng=0, steps=10).steps.tolist() == list(
        range(11))


def test_a_diverging_learner_raises_without_floating_point_warnings():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # NumPy's overflow and invalid-value warnings silenced
        with pytest.raises(FloatingPointError, match="^training diverged at step"):
            kernels.train_norm_network(X, y, W, lr=1e150, steps=5, X_test=X, y_test=y,
                                       record_every=1)
        # recorded only at the end: the iterates overflow to inf, then inf - inf is nan
        with pytest.raises(FloatingPointError, match="^training diverged at step 30;"):
            kernels.train_norm_network(X, y, W, lr=1e150, steps=30, X_test=X, y_test=y,
                                       record_every=100)


def test_a_single_comparison_concatenates_to_itself():
    one = _comparison([2], np.array([[1.0, 3.0]]))
    same = kernels.KernelComparison.concatenate([one])
    assert same.ds == one.ds and same.n_test == 7
    np.testing.assert_array_equal(same.gd, one.gd)
