"""twolayer.batchnorm: the argument checks and the behaviour that mutation testing found untested
(tests/MUTATION.md, section "batchnorm"). Every expected number is computed by hand in a comment
or independently of the library (NumPy)."""

from __future__ import annotations

import numpy as np
import pytest

from twolayer import batchnorm

from .messages import exactly

GEN = np.random.default_rng(21)
X = GEN.standard_normal((6, 3))
y = GEN.standard_normal(6)
W = GEN.standard_normal((4, 3))
g, al, a = GEN.standard_normal(4), GEN.standard_normal(4), GEN.standard_normal(4)
# the first column is constant: a neuron along e_1 sees a constant pre-activation
FLAT = np.column_stack([np.ones(6), np.arange(6.0), np.arange(6.0) ** 2])
TWO = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])  # rows off e_1, e_1 last below
SPIKE = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])  # neuron 1 sees the constant column


def _digits(**kw):
    args = dict(components=2, keep=1, m=2, runs=1, lr=0.1, steps=2, early=1, num_patterns=2,
                rng=0)
    args.update(kw)
    return lambda: batchnorm.digits_experiment(X, np.sign(y), X[:2], np.sign(y[:2]), 0.1, **args)


BAD = [
    (lambda: batchnorm.bn_forward(X[0], W, g, al, a), ValueError, "^X must be 2-dimensional"),
    (lambda: batchnorm.bn_forward(X[:1], W, g, al, a), ValueError,
     exactly("X must have at least 2 rows (a batch to normalize), got shape (1, 3)")),
    (lambda: batchnorm.bn_forward(X, W[:, :2], g, al, a), ValueError,
     exactly("W must have 3 columns (the input dimension of X), got shape (4, 2)")),
    (lambda: batchnorm.bn_forward(X, W[0], g, al, a), ValueError, "^W must be 2-dimensional"),
    (lambda: batchnorm.bn_forward(X, W, g[:3], al, a), ValueError,
     "^gamma must have length 4 along axis 0"),
    (lambda: batchnorm.bn_forward(X, W, g, al[:3], a), ValueError,
     "^alpha must have length 4 along axis 0"),
    (lambda: batchnorm.bn_forward(X, W, g, al, a[:3]), ValueError,
     "^a must have length 4 along axis 0"),
    (lambda: batchnorm.bn_forward(X, W, g, al, a, reference=X[:, :2]), ValueError,
     exactly("reference must have 3 columns like X, got shape (6, 2)")),
    (lambda: batchnorm.bn_forward(X, W, g, al, a, reference=X[:1]), ValueError,
     exactly("X must have at least 2 rows (a batch to normalize), got shape (1, 3)")),
    (lambda: batchnorm.bn_forward(X[0], W, g, al, a, reference=X), ValueError,
     "^X must be 2-dimensional"),
    (lambda: batchnorm.bn_forward(FLAT, SPIKE, g[:2], al[:2], a[:2]), ValueError,
     exactly("neuron 1 has a constant pre-activation X w_j over the batch (centred norm 0): batch "
           "normalization divides by zero; choose a w_j that is not orthogonal to every centred "
           "data point")),
    (lambda: batchnorm.bn_objective(FLAT, y, SPIKE, g[:2], al[:2], a[:2], 0.1), ValueError,
     exactly("neuron 1 has a constant pre-activation X w_j over the batch: batch normalization "
           "divides by zero")),
    (lambda: batchnorm.bn_gradient(FLAT, y, SPIKE, g[:2], al[:2], a[:2], 0.1), ValueError,
     "^neuron 1 has a constant pre-activation"),
    (lambda: batchnorm.bn_objective(X, y[:5], W, g, al, a, 0.1), ValueError,
     "^X and y must have the same number of rows"),
    (lambda: batchnorm.bn_objective(X, np.ones((6, 1)), W, g, al, a, 0.1), ValueError,
     "^y must be 1-dimensional"),
    (lambda: batchnorm.bn_objective(X, y, W, g, al, a, -0.1), ValueError,
     exactly("beta must be >= 0.0, got -0.1")),
    (lambda: batchnorm.bn_gradient(X, y, W, g, al, a, -0.1), ValueError,
     exactly("beta must be >= 0.0, got -0.1")),
    (lambda: batchnorm.bn_gradient(X, y, W[:, :2], g, al, a, 0.1), ValueError,
     "^W must have 3 columns"),
    (lambda: batchnorm.bn_basis(np.ones((4, 3))), ValueError,
     exactly("X has identical rows: every pre-activation is constant over the batch and batch "
           "normalization is undefined")),
    (lambda: batchnorm.bn_basis(X[:1]), ValueError, "^X must have at least 2 rows"),
    (lambda: batchnorm.bn_energy(FLAT, SPIKE, g[:2], al[:2], a[:2]), ValueError,
     exactly("a neuron has a constant pre-activation: batch normalization is undefined")),
    (lambda: batchnorm.bn_energy(X, W, np.zeros(4), np.zeros(4), a), ValueError,
     exactly("the network is zero: its energy has no direction")),
    (lambda: batchnorm.bn_energy(X, W, g, al, np.zeros(4)), ValueError,
     exactly("the network is zero: its energy has no direction")),
    (lambda: batchnorm.bn_energy(X, W[:, :2], g, al, a), ValueError, "^W must have 3 columns"),
    (lambda: batchnorm.bn_closed_form(X, y, 0.1), ValueError,
     exactly("the closed form needs centred data of rank n - 1 = 5 (e.g. n <= d), got rank 3; "
           "solve the convex program (solve_bn_convex) instead")),
    # n = 4 samples in the plane: centred rank 2 = n - 2
    (lambda: batchnorm.bn_closed_form(X[:4, :2], y[:4], 0.1), ValueError,
     "^the closed form needs centred data of rank n - 1 = 3 \\(e.g. n <= d\\), got rank 2;"),
    # a zero row of W: its pre-activation is constant (0 <= the floor 0)
    (lambda: batchnorm.bn_forward(X, np.vstack([W[:1], np.zeros((1, 3))]), g[:2], al[:2], a[:2]),
     ValueError, "^neuron 1 has a constant pre-activation X w_j over the batch \\(centred norm"),
    (lambda: batchnorm.bn_objective(X, y, np.vstack([W[:1], np.zeros((1, 3))]), g[:2], al[:2],
                                    a[:2], 0.1), ValueError, "^neuron 1 has a constant"),
    (lambda: batchnorm.train_bn(FLAT, y, SPIKE, g[:2], al[:2], a[:2], 0.1, lr=0.1, steps=2),
     ValueError, exactly("neuron 1 has a constant pre-activation X w_j over the batch: batch "
                       "normalization divides by zero")),
    (lambda: batchnorm.bn_closed_form(X[:3], y[:3], 0.0), ValueError,
     exactly("beta must be > 0.0, got 0.0")),
    (lambda: batchnorm.bn_closed_form(X[:3], y[:2], 0.1), ValueError,
     "^X and y must have the same number of rows"),
    (lambda: batchnorm.solve_bn_convex(X, y, 0.1, np.ones((1, 6), bool), components=0),
     ValueError, exactly("components must be >= 1, got 0")),
    (lambda: batchnorm.solve_bn_convex(X, y[:5], 0.1, np.ones((1, 6), bool)), ValueError,
     "^X and y must have the same number of rows"),
    (lambda: batchnorm.recover_bn_network("not a solution"), TypeError,
     exactly("solution must be a BNConvexSolution, got str")),
    (lambda: batchnorm.train_bn(X, y, W, g, al, a, 0.1, lr=0.0, steps=1), ValueError,
     exactly("lr must be > 0.0, got 0.0")),
    (lambda: batchnorm.train_bn(X, y, W, g, al, a, 0.1, lr=0.1, steps=-1), ValueError,
     exactly("steps must be >= 0, got -1")),
    (lambda: batchnorm.train_bn(X, y, W, g, al, a, 0.1, lr=0.1, steps=1, record_every=0),
     ValueError, exactly("record_every must be >= 1, got 0")),
    (lambda: batchnorm.train_bn(X, y, W, g, al, a, -0.1, lr=0.1, steps=1), ValueError,
     exactly("beta must be >= 0.0, got -0.1")),
    (lambda: batchnorm.train_bn(X, y, W, g[:3], al, a, 0.1, lr=0.1, steps=1), ValueError,
     "^gamma must have length 4"),
    (lambda: batchnorm.train_bn(X[:1], y[:1], W, g, al, a, 0.1, lr=0.1, steps=1), ValueError,
     "^X must have at least 2 rows"),
    (lambda: batchnorm.train_bn_from_random_inits(X, y, 0, 0.1, runs=1, rng=0, lr=0.1, steps=1),
     ValueError, exactly("m must be >= 1, got 0")),
    (lambda: batchnorm.train_bn_from_random_inits(X, y, 2, 0.1, runs=0, rng=0, lr=0.1, steps=1),
     ValueError, exactly("runs must be >= 1, got 0")),
    (lambda: batchnorm.train_bn_from_random_inits(X, y, 2, -0.1, runs=1, rng=0, lr=0.1, steps=1),
     ValueError, exactly("beta must be >= 0.0, got -0.1")),
    (lambda: batchnorm.train_bn_from_random_inits(X, y, 2, 0.1, runs=1, rng=0, lr=0.0, steps=1),
     ValueError, exactly("lr must be > 0.0, got 0.0")),
    (lambda: batchnorm.train_bn_from_random_inits(X, y, 2, 0.1, runs=1, rng=0, lr=0.1, steps=1,
                                                  scale=0.0), ValueError,
     exactly("scale must be > 0.0, got 0.0")),
    (lambda: batchnorm.train_bn_from_random_inits(X[:1], y[:1], 2, 0.1, runs=1, rng=0, lr=0.1,
                                                  steps=1), ValueError,
     "^X must have at least 2 rows"),
    (lambda: batchnorm.exact_experiment(np.ones((3, 1)), y[:3], 0.1, m=2, runs=1, rng=0, lr=0.1,
                                        steps=1), ValueError, "^x must be 1-dimensional"),
    (lambda: batchnorm.exact_experiment(X[:, 0], y, 0.0, m=2, runs=1, rng=0, lr=0.1, steps=1),
     ValueError, exactly("beta must be > 0.0, got 0.0")),
    (lambda: batchnorm.exact_experiment(X[:, 0], y, 0.1, m=0, runs=1, rng=0, lr=0.1, steps=1),
     ValueError, exactly("m must be >= 1, got 0")),
    (lambda: batchnorm.exact_experiment(X[:, 0], y, 0.1, m=2, runs=0, rng=0, lr=0.1, steps=1),
     ValueError, exactly("runs must be >= 1, got 0")),
    (lambda: batchnorm.exact_experiment(X[:, 0], y, 0.1, m=2, runs=1, rng=0, lr=0.0, steps=1),
     ValueError, exactly("lr must be > 0.0, got 0.0")),
    (lambda: batchnorm.exact_experiment(X[:, 0], y, 0.1, m=2, runs=1, rng=0, lr=0.1, steps=-1),
     ValueError, exactly("steps must be >= 0, got -1")),
    (lambda: batchnorm.exact_experiment(X[:, 0], y[:5], 0.1, m=2, runs=1, rng=0, lr=0.1,
                                        steps=1), ValueError, "^X and y must have the same"),
    (lambda: batchnorm.explore_dimension(0.0, 2, rng=0), ValueError,
     exactly("beta must be > 0.0, got 0.0")),
    (lambda: batchnorm.explore_dimension(0.1, 0, rng=0), ValueError,
     exactly("d must be >= 1, got 0")),
    (lambda: batchnorm.explore_dimension(0.1, 2, rng=0, n=2), ValueError,
     exactly("n must be >= 3, got 2")),
    (lambda: batchnorm.explore_dimension(0.1, 2, rng=0, num_patterns=0), ValueError,
     exactly("num_patterns must be >= 1, got 0")),
    (lambda: batchnorm.explore_dimension(0.1, 2, rng="0"), TypeError, "^rng must"),
    (_digits(keep=3), ValueError, exactly("keep must be at most components = 2, got 3")),
    (_digits(early=3), ValueError, exactly("early must be at most steps = 2, got 3")),
    (_digits(keep=0), ValueError, exactly("keep must be >= 1, got 0")),
    (_digits(components=0), ValueError, exactly("components must be >= 1, got 0")),
    (_digits(num_patterns=0), ValueError, exactly("num_patterns must be >= 1, got 0")),
    (_digits(m=0), ValueError, exactly("m must be >= 1, got 0")),
    (_digits(runs=0), ValueError, exactly("runs must be >= 1, got 0")),
    (_digits(lr=0.0), ValueError, exactly("lr must be > 0.0, got 0.0")),
    (_digits(steps=-1), ValueError, exactly("steps must be >= 0, got -1")),
    # checked by check_schedule under its own name
    (_digits(early=0), ValueError, exactly("early must be >= 1, got 0")),
    (_digits(rng="0"), TypeError, "^rng must"),
    (lambda: batchnorm.digits_experiment(X, y, X[:2, :2], y[:2], 0.1, components=2, keep=1, m=2,
                                         runs=1, lr=0.1, steps=2, early=1, num_patterns=2,
                                         rng=0), ValueError,
     exactly("X_test must have 3 columns like X_train, got shape (2, 2)")),
    (lambda: batchnorm.digits_experiment(X, y, X[:2], y[:2], 0.0, components=2, keep=1, m=2,
                                         runs=1, lr=0.1, steps=2, early=1, num_patterns=2,
                                         rng=0),
     ValueError, exactly("beta must be > 0.0, got 0.0")),
    (lambda: batchnorm.digits_experiment(X[:1], y[:1], X[:2], y[:2], 0.1, components=2, keep=1,
                                         m=2, runs=1, lr=0.1, steps=2, early=1, num_patterns=2,
                                         rng=0), ValueError, "^X must have at least 2 rows"),
]


@pytest.mark.parametrize("call, error, match", BAD)
def test_each_bad_argument_is_named_at_the_start_of_its_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


def _direct_bn(Z, w, gamma, alpha, R=None):
    """BN of the rows of Z along w with the statistics of R (default Z), from the definition."""
    R = Z if R is None else R
    zr = R @ w
    return gamma * (Z @ w - zr.mean()) / np.linalg.norm(zr - zr.mean()) + alpha / np.sqrt(len(R))


def test_forward_with_a_reference_of_another_size_by_hand():
    R = GEN.standard_normal((8, 3))
    direct = sum(np.maximum(_direct_bn(X, W[j], g[j], al[j], R), 0) * a[j] for j in range(4))
    np.testing.assert_allclose(batchnorm.bn_forward(X, W, g, al, a, reference=R), direct,
                               rtol=1e-12, atol=1e-12)


def test_tiny_data_are_not_degenerate_bn_is_scale_invariant():
    # the constant-pre-activation floor and the rank tolerance are relative to ||X_c||
    for scale in (1e-9, 1e9):
        np.testing.assert_allclose(batchnorm.bn_forward(scale * X, W, g, al, a),
                                   batchnorm.bn_forward(X, W, g, al, a), rtol=1e-9, atol=1e-12)
        assert batchnorm.bn_objective(scale * X, y, W, g, al, a, 0.1) == pytest.approx(
            batchnorm.bn_objective(X, y, W, g, al, a, 0.1), rel=1e-9)
        assert batchnorm.bn_basis(scale * X)[2].size == 3
        np.testing.assert_allclose(batchnorm.bn_energy(scale * X, W, g, al, a),
                                   batchnorm.bn_energy(X, W, g, al, a), rtol=1e-9)


def test_energy_by_hand_with_a_dead_neuron():
    # centred X with orthogonal columns of norms 2 sqrt 2 (second) and sqrt 2 (first): the
    # singular directions are e_2 then e_1
    Xo = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 2.0], [0.0, -2.0]])
    # neuron 1: w = (1, 1), Sigma V^T w ~ (2 sqrt 2, sqrt 2): c = (2, 1) / sqrt 5 and alpha 1
    # neuron 2: w = (1, 0), c = (0, 2, 0) with a = 3; neuron 3: gamma = alpha = 0 (dead)
    Wo = np.array([[1.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    e = batchnorm.bn_energy(Xo, Wo, np.array([1.0, 2.0, 0.0]), np.array([1.0, 0.0, 0.0]),
                            np.array([1.0, 3.0, 5.0]))
    c1 = np.array([2 / np.sqrt(5), 1 / np.sqrt(5), 1.0])
    share = c1**2 / np.linalg.norm(c1) + 3.0 * np.array([0.0, 4.0, 0.0]) / 2.0
    np.testing.assert_allclose(e, share / share.sum(), rtol=1e-12)


def test_a_coefficient_row_without_direction_becomes_a_flat_neuron():
    from twolayer.batchnorm.program import _network_from_coefficients

    Up, V, s = batchnorm.bn_basis(X)
    C = np.array([[0.0, 0.0, 0.0, 1.5], [0.3, -0.4, 0.0, 0.2]])
    Wn, gamma, alpha, an = _network_from_coefficients(C, np.array([1.5, -0.5]), V, s)
    np.testing.assert_allclose(Wn[0], V[:, 0], atol=1e-15)  # V e_1 / s_1, normalized
    np.testing.assert_allclose(gamma, [0.0, 0.5], rtol=1e-15)
    np.testing.assert_allclose(alpha, [1.5, 0.2])
    np.testing.assert_allclose(np.linalg.norm(Wn, axis=1), 1.0, rtol=1e-15)
    # BN(X w_j) = U' c_j for both neurons
    for j in range(2):
        np.testing.assert_allclose(_direct_bn(X, Wn[j], gamma[j], alpha[j]), Up @ C[j],
                                   atol=1e-12)
    assert an.tolist() == [1.5, -0.5]


def test_the_spectral_truncation_of_the_program():
    Up, V, s = batchnorm.bn_basis(X)
    pats = np.vstack([y > 0, y < 0, np.ones(6, bool)])
    one = batchnorm.solve_bn_convex(X, y, 0.1, pats, components=1)
    assert one.Uprime.shape == (6, 2) and one.V.shape == (3, 1) and one.Sigma.tolist() == [s[0]]
    np.testing.assert_allclose(one.Uprime, Up[:, [0, 3]])
    full = batchnorm.solve_bn_convex(X, y, 0.1, pats)
    same = batchnorm.solve_bn_convex(X, y, 0.1, pats, components=3)
    assert same.Uprime.shape == full.Uprime.shape == (6, 4)
    assert same.value == pytest.approx(full.value, rel=1e-9)
    assert one.value >= full.value * (1 - 1e-9)
    np.testing.assert_allclose(full.predictions, full.convex.predictions)


def test_training_from_random_inits_draws_the_documented_starts():
    gen = np.random.default_rng(4)
    runs = batchnorm.train_bn_from_random_inits(X, y, 3, 0.1, runs=2, rng=4, lr=0.1, steps=0,
                                                scale=2.0)
    W0 = gen.standard_normal((2, 3, 3)) / np.sqrt(3)  # w_j ~ N(0, I / d)
    rest = [gen.normal(scale=2.0 / np.sqrt(3), size=(2, 3)) for _ in range(3)]
    for r, run in enumerate(runs):
        np.testing.assert_allclose(run.W, W0[r], rtol=1e-15)
        for got, want in zip((run.gamma, run.alpha, run.a), rest):
            np.testing.assert_allclose(got, want[r], rtol=1e-15)
        assert run.history.tolist() == [pytest.approx(
            batchnorm.bn_objective(X, y, run.W, run.gamma, run.alpha, run.a, 0.1), rel=1e-12)]
    res = batchnorm.train_bn(X, y, W, g, al, a, 0.1, lr=0.01, steps=5, record_every=2)
    assert res.steps_recorded.tolist() == [0, 2, 4, 5]
    assert res.history[0] == pytest.approx(batchnorm.bn_objective(X, y, W, g, al, a, 0.1),
                                           rel=1e-12)
    assert res.history[-1] == pytest.approx(
        batchnorm.bn_objective(X, y, res.W, res.gamma, res.alpha, res.a, 0.1), rel=1e-12)
    # one step by hand: p - lr grad
    one = batchnorm.train_bn(X, y, W, g, al, a, 0.1, lr=0.01, steps=1)
    grads = batchnorm.bn_gradient(X, y, W, g, al, a, 0.1)
    for got, p, gr in zip((one.W, one.gamma, one.alpha, one.a), (W, g, al, a), grads):
        np.testing.assert_allclose(got, p - 0.01 * gr, rtol=1e-12, atol=1e-15)
    assert one.steps_recorded.tolist() == [0, 1]


def test_closed_form_values_by_hand():
    # n = 3 <= d: rank n - 1 = 2. y_+ = (3, 4, 0) with norm 5 > beta = 1: fit 0.8 y_+, value
    # 1 * 5 - 1/2; y_- = (0, 0, 0.5), norm 0.5 <= 1: fit 0, value 0.125
    Xc = GEN.standard_normal((3, 4))
    cf = batchnorm.bn_closed_form(Xc, [3.0, 4.0, -0.5], 1.0)
    np.testing.assert_allclose(cf.fit, [2.4, 3.2, 0.0], atol=1e-14)
    assert cf.value == pytest.approx(4.5 + 0.125, rel=1e-14)
    assert cf.W.shape == (1, 4) and cf.a[0] > 0
    np.testing.assert_allclose(batchnorm.bn_forward(Xc, cf.W, cf.gamma, cf.alpha, cf.a), cf.fit,
                               atol=1e-12)
    # both signs above: one neuron each, the negative second with a < 0
    cf = batchnorm.bn_closed_form(Xc, [3.0, 4.0, -2.5], 1.0)
    np.testing.assert_allclose(cf.fit, [2.4, 3.2, -1.5], atol=1e-14)
    assert cf.value == pytest.approx(4.5 + 2.5 - 0.5, rel=1e-14)
    assert cf.a[0] > 0 > cf.a[1]
    np.testing.assert_allclose(cf.a**2, cf.gamma**2 + cf.alpha**2, rtol=1e-12)  # balanced
    np.testing.assert_allclose(batchnorm.bn_forward(Xc, cf.W, cf.gamma, cf.alpha, cf.a), cf.fit,
                               atol=1e-12)


def _whitened_fit_by_hand(t, beta):
    fit, value = np.zeros_like(t), 0.0
    for sign in (1.0, -1.0):
        part = np.maximum(sign * t, 0)
        size = np.linalg.norm(part)
        fit += sign * max(0.0, 1 - beta / size) * part if size > 0 else 0.0
        value += beta * size - beta**2 / 2 if size > beta else size**2 / 2
    return fit, value


def test_exact_experiment_replays_its_program_and_its_runs():
    from twolayer.arrangements import enumerate_patterns_2d

    x, t = np.array([0.0, 1.0, 2.0, 3.0, 4.0]), np.array([0.0, 1.0, 0.0, 1.0, 0.5])
    res = batchnorm.exact_experiment(x, t, 0.05, m=3, runs=2, rng=0, lr=0.05, steps=30)
    Up, _, _ = batchnorm.bn_basis(x[:, None])
    pats = enumerate_patterns_2d(Up)
    sol = batchnorm.solve_bn_convex(x[:, None], t, 0.05, pats)
    net = batchnorm.recover_bn_network(sol)
    assert res.patterns == pats.shape[0] == 10 and res.width == net[0].shape[0]
    assert res.optimum == pytest.approx(sol.value, rel=1e-9)
    assert res.recovered == pytest.approx(batchnorm.bn_objective(x[:, None], t, *net, 0.05),
                                          rel=1e-9)
    np.testing.assert_allclose(res.fit, batchnorm.bn_forward(x[:, None], *net), atol=1e-9)
    runs = batchnorm.train_bn_from_random_inits(x[:, None], t, 3, 0.05, runs=2, rng=0, lr=0.05,
                                                steps=30, record_every=30)
    np.testing.assert_allclose(res.gd, [r.history[-1] for r in runs], rtol=1e-12)
    np.testing.assert_allclose(
        res.gd_fits, [batchnorm.bn_forward(x[:, None], r.W, r.gamma, r.alpha, r.a) for r in runs],
        rtol=1e-12, atol=1e-14)


def test_explore_dimension_replays_its_draws_on_both_sides_of_rank_n_minus_one():
    from twolayer.arrangements import sample_patterns

    for d, closed in ((2, False), (9, True)):
        res = batchnorm.explore_dimension(0.3, d, rng=5)
        gen = np.random.default_rng(5)
        t = gen.standard_normal(10)  # n = 10 by default, the targets first
        Xd = gen.standard_normal((10, d))
        fit, value = _whitened_fit_by_hand(t, 0.3)
        assert res.closed_form is closed and res.d == d and res.beta == 0.3
        assert res.rank == min(d, 9)
        np.testing.assert_allclose(res.y, t, rtol=1e-15)
        np.testing.assert_allclose(res.whitened_fit, fit, rtol=1e-12, atol=1e-15)
        if closed:
            np.testing.assert_allclose(res.fit, fit, rtol=1e-12, atol=1e-15)
            assert res.value == pytest.approx(value, rel=1e-12)
        else:
            Up = batchnorm.bn_basis(Xd)[0]
            pats = np.unique(np.vstack([sample_patterns(Up, 20, gen), t > 0, t < 0]), axis=0)
            sol = batchnorm.solve_bn_convex(Xd, t, 0.3, pats)
            assert res.value == pytest.approx(sol.value, rel=1e-7)
            np.testing.assert_allclose(res.fit, sol.predictions, atol=1e-6)
    # n = 3 is the smallest batch; the closed form once d >= n - 1 = 2
    assert batchnorm.explore_dimension(0.3, 2, rng=0, n=3).closed_form


def test_digits_experiment_replays_its_runs_and_solves_with_its_options(monkeypatch):
    from twolayer import data
    from twolayer.batchnorm import digits

    options = []
    real = digits.solve_convex

    def record(*args, **kwargs):
        options.append((kwargs["solver"], kwargs["solver_options"]))
        return real(*args, **kwargs)

    monkeypatch.setattr(digits, "solve_convex", record)
    Xtr, ytr, Xte, yte = data.digits_classification(40, 0, classes=(3, 8), signed=True)
    res = batchnorm.digits_experiment(Xtr, ytr, Xte, yte, 0.5, components=4, keep=2, m=3,
                                      runs=2, lr=0.05, steps=20, early=5, num_patterns=10, rng=0)
    assert options == [("CLARABEL", batchnorm.DIGITS_CLARABEL_OPTIONS)] * 2
    assert batchnorm.DIGITS_CLARABEL_OPTIONS == {"tol_gap_abs": 1e-7, "tol_gap_rel": 1e-7,
                                                 "tol_feas": 1e-7}
    assert (res.n_train, res.n_test, res.components, res.keep, res.early) == (
        40, yte.size, 4, 2, 5)
    mean = Xtr.mean(axis=0)
    Vt = np.linalg.svd(Xtr - mean, full_matrices=False)[2]
    Ztr, Zte = (Xtr - mean) @ Vt[:4].T, (Xte - mean) @ Vt[:4].T
    np.testing.assert_allclose(res.sigma, np.linalg.svd(Ztr - Ztr.mean(axis=0),
                                                        compute_uv=False), rtol=1e-10)
    # gradient descent in two legs is one run of `steps` steps from the documented starts
    runs = batchnorm.train_bn_from_random_inits(Ztr, ytr, 3, 0.5, runs=2, rng=0, lr=0.05,
                                                steps=20, record_every=20)
    early = batchnorm.train_bn_from_random_inits(Ztr, ytr, 3, 0.5, runs=2, rng=0, lr=0.05,
                                                 steps=5, record_every=5)
    np.testing.assert_allclose(res.gd_objective, [r.history[-1] for r in runs], rtol=1e-9)
    for r, run in enumerate(runs):
        net = (run.W, run.gamma, run.alpha, run.a)
        np.testing.assert_allclose(res.energy_gd[r], batchnorm.bn_energy(Ztr, *net), rtol=1e-8)
        pred = batchnorm.bn_forward(Zte, *net, reference=Ztr)
        assert res.gd_accuracy[r] == np.mean(np.where(pred >= 0, 1.0, -1.0) == yte)
        e = early[r]
        np.testing.assert_allclose(res.energy_gd_early[r],
                                   batchnorm.bn_energy(Ztr, e.W, e.gamma, e.alpha, e.a),
                                   rtol=1e-8)
    assert res.energy_convex.shape == res.energy_spectral.shape == (5,)
    assert 1 <= res.patterns <= 10 + 2 * 3
    assert np.all(res.gd_objective >= res.convex_objective - 1e-6)
    assert res.spectral_objective >= res.convex_objective - 1e-6 or res.spectral_objective > 0
    np.testing.assert_allclose(res.energy_spectral[2:4], 0.0, atol=1e-12)
    for acc in (res.convex_accuracy, res.spectral_accuracy):
        assert 0.5 <= acc <= 1.0
    # another solver gets no options unless given
    options.clear()
    batchnorm.digits_experiment(Xtr, ytr, Xte, yte, 0.5, components=4, keep=2, m=3, runs=1,
                                lr=0.05, steps=2, early=1, num_patterns=5, rng=0, solver="SCS")
    assert options == [("SCS", None)] * 2


def test_the_smallest_batch_and_the_defaults_of_training(monkeypatch):
    from twolayer.batchnorm import program

    # two samples are a batch
    assert batchnorm.bn_forward(X[:2], W, g, al, a).shape == (2,)
    # record every step by default; scale 1 by default
    res = batchnorm.train_bn(X, y, W, g, al, a, 0.1, lr=0.01, steps=2)
    assert res.steps_recorded.tolist() == [0, 1, 2]
    runs = batchnorm.train_bn_from_random_inits(X, y, 3, 0.1, runs=1, rng=4, lr=0.1, steps=2)
    assert runs[0].steps_recorded.tolist() == [0, 1, 2]
    gen = np.random.default_rng(4)
    gen.standard_normal((1, 3, 3))
    np.testing.assert_allclose(runs[0].history[0], batchnorm.bn_objective(
        X, y, np.random.default_rng(4).standard_normal((3, 3)) / np.sqrt(3),
        gen.normal(scale=1 / np.sqrt(3), size=3), gen.normal(scale=1 / np.sqrt(3), size=3),
        gen.normal(scale=1 / np.sqrt(3), size=3), 0.1), rtol=1e-12)
    # the weights' scale does not matter either (the floor is relative to ||w_j||)
    for scale in (1e-9, 1e9):
        np.testing.assert_allclose(batchnorm.bn_forward(X, scale * W, g, al, a),
                                   batchnorm.bn_forward(X, W, g, al, a), rtol=1e-9)
        assert batchnorm.bn_objective(X, y, scale * W, g, al, a, 0.1) == pytest.approx(
            batchnorm.bn_objective(X, y, W, g, al, a, 0.1), rel=1e-9)
    # solve_bn_convex passes its solver and options on; CLARABEL by default
    calls = []
    real = program.solve_convex

    def record(*args, **kwargs):
        calls.append((kwargs["solver"], kwargs["solver_options"]))
        return real(*args, **kwargs)

    monkeypatch.setattr(program, "solve_convex", record)
    pats = np.vstack([y > 0, y < 0])
    batchnorm.solve_bn_convex(X, y, 0.1, pats)
    batchnorm.solve_bn_convex(X, y, 0.1, pats, solver="CLARABEL",
                              solver_options={"tol_feas": 1e-7})
    assert calls == [("CLARABEL", None), ("CLARABEL", {"tol_feas": 1e-7})]


def test_energy_counts_a_neuron_of_norm_below_one_and_a_small_closed_form_neuron():
    Xo = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 2.0], [0.0, -2.0]])
    # c = (0, 0.5, 0) (norm 0.5 < 1) with a = 1 and c = (0, 0, 2) with a = 1:
    # shares 1 / 0.5 * 0.25 = 0.5 and 1 / 2 * 4 = 2 on the second and the constant direction
    e = batchnorm.bn_energy(Xo, np.array([[1.0, 0.0], [1.0, 0.0]]), np.array([0.5, 0.0]),
                            np.array([0.0, 2.0]), np.array([1.0, 1.0]))
    np.testing.assert_allclose(e, [0.0, 0.2, 0.8], atol=1e-15)
    # y_+ of norm 1.5 at beta = 1: a fit of norm 0.5 < 1 still gets its neuron
    Xc = GEN.standard_normal((3, 4))
    cf = batchnorm.bn_closed_form(Xc, [1.5, 0.0, -0.1], 1.0)
    np.testing.assert_allclose(cf.fit, [0.5, 0.0, 0.0], atol=1e-14)
    np.testing.assert_allclose(batchnorm.bn_forward(Xc, cf.W, cf.gamma, cf.alpha, cf.a), cf.fit,
                               atol=1e-12)


def test_digits_bounds_and_a_prediction_of_zero(monkeypatch):
    from twolayer.arrangements import sample_patterns
    from twolayer.batchnorm import digits, experiments

    # keep = components and early = steps are allowed
    res = batchnorm.digits_experiment(X, np.sign(y), X[:2], np.sign(y[:2]), 0.1, components=2,
                                      keep=2, m=2, runs=1, lr=0.1, steps=2, early=2,
                                      num_patterns=2, rng=0)
    assert res.keep == res.components == 2 and res.early == 2
    # sign(f) with f = 0 (every neuron off on the held-out sample) counts as +1
    net = (W[:1], np.array([1.0]), np.array([-10.0]), np.array([1.0]))
    assert digits._accuracy(X, X[:1], np.array([1.0]), net) == 1.0
    # explore_dimension: CLARABEL by default, the solver given, and 20 sampled directions
    calls = []
    real = experiments.solve_convex

    def record(*args, **kwargs):
        calls.append(kwargs["solver"])
        return real(*args, **kwargs)

    monkeypatch.setattr(experiments, "solve_convex", record)
    gen = np.random.default_rng(5)
    batchnorm.explore_dimension(0.3, 2, rng=gen)
    batchnorm.explore_dimension(0.3, 2, rng=5, solver="SCS")
    assert calls == ["CLARABEL", "SCS"]
    again = np.random.default_rng(5)
    again.standard_normal(10)
    Xd = again.standard_normal((10, 2))
    sample_patterns(batchnorm.bn_basis(Xd)[0], 20, again)
    assert gen.standard_normal() == again.standard_normal()
