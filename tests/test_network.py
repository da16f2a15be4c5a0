"""Tests of twolayer.network: gradients, rescaling symmetry, balancing, training, bad input."""

import numpy as np
import pytest

from twolayer import data
from twolayer import network as nw


def _problem(seed, n=15, d=4, m=6, bias=False):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = rng.standard_normal(n)
    params = nw.init_network(d, m, rng, bias=bias)
    return X, y, params


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("bias", [False, True])
def test_gradient_matches_central_differences(seed, bias, central_difference):
    X, y, params = _problem(seed, bias=bias)
    W, a = params[:2]
    b = params[2] if bias else None
    beta = 0.3
    gW, ga, gb = nw.gradient(X, y, W, a, beta, b)
    fW = central_difference(lambda V: nw.objective(X, y, V, a, beta, b), W)
    fa = central_difference(lambda v: nw.objective(X, y, W, v, beta, b), a)
    assert np.linalg.norm(gW - fW) / np.linalg.norm(fW) < 1e-6
    assert np.linalg.norm(ga - fa) / np.linalg.norm(fa) < 1e-6
    if bias:
        fb = central_difference(lambda c: nw.objective(X, y, W, a, beta, c), b)
        assert np.linalg.norm(gb - fb) / np.linalg.norm(fb) < 1e-6
    else:
        assert gb is None


def test_forward_matches_explicit_sum():
    X, _, (W, a, b) = _problem(1, bias=True)
    expected = [sum(a[j] * max(W[j] @ x + b[j], 0.0) for j in range(len(a))) for x in X]
    np.testing.assert_allclose(nw.forward(X, W, a, b), expected, rtol=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_loss_invariant_under_positive_rescaling(seed):
    X, y, (W, a, b) = _problem(seed, bias=True)
    s = np.random.default_rng(seed + 10).uniform(0.1, 10.0, size=len(a))
    before = nw.forward(X, W, a, b)
    after = nw.forward(X, W * s[:, None], a / s, b * s)
    np.testing.assert_allclose(after, before, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_balanced_weight_decay_equals_path_norm_and_is_minimal(seed):
    X, y, (W, a) = _problem(seed)
    beta = 0.7
    Wb, ab, _ = nw.balance(W, a)
    np.testing.assert_allclose(np.abs(ab), np.linalg.norm(Wb, axis=1), rtol=1e-12)
    np.testing.assert_allclose(nw.forward(X, Wb, ab), nw.forward(X, W, a), rtol=1e-12, atol=1e-12)
    penalty = 0.5 * beta * (np.sum(Wb**2) + ab @ ab)
    assert penalty == pytest.approx(beta * nw.path_norm(W, a), rel=1e-12)
    assert nw.objective(X, y, Wb, ab, beta) <= nw.objective(X, y, W, a, beta) + 1e-12
    # No other per-neuron rescaling of the balanced network lowers the penalty.
    rng = np.random.default_rng(seed)
    for _ in range(20):
        s = rng.uniform(0.2, 5.0, size=len(a))
        other = 0.5 * beta * (np.sum((Wb * s[:, None]) ** 2) + np.sum((ab / s) ** 2))
        assert other >= penalty - 1e-12


def test_balance_zeroes_dead_neurons_and_keeps_constant_units():
    W = np.array([[1.0, 0.0], [0.0, 0.0], [2.0, 1.0], [0.0, 0.0]])
    a = np.array([0.0, 3.0, 1.0, 2.0])
    b = np.array([1.0, -1.0, 0.5, 2.0])
    Wb, ab, bb = nw.balance(W, a, b)
    assert np.all(Wb[:2] == 0) and np.all(ab[:2] == 0)
    assert ab[3] == 2.0 and bb[3] == 2.0
    X = np.random.default_rng(0).standard_normal((7, 2))
    np.testing.assert_allclose(nw.forward(X, Wb, ab, bb), nw.forward(X, W, a, b), atol=1e-12)


def test_gradient_descent_decreases_objective():
    X, y, _, _ = data.teacher_regression(30, 4, 3, rng=0)
    W, a = nw.init_network(4, 20, rng=1)
    result = nw.train(X, y, W, a, 0.01, lr=0.01, steps=300)
    assert result.history[-1] < 0.02 * result.history[0]
    assert np.all(np.diff(result.history) <= 1e-12)
    assert result.steps_recorded[0] == 0 and result.steps_recorded[-1] == 300


def test_sgd_is_reproducible_and_decreases_objective():
    X, y, (W, a, b) = _problem(4, n=40, m=20, bias=True)
    runs = [
        nw.train(X, y, W, a, 0.01, b=b, lr=0.005, steps=400, batch_size=8, rng=5,
                 record_every=50)
        for _ in range(2)
    ]
    np.testing.assert_array_equal(runs[0].W, runs[1].W)
    assert runs[0].history[-1] < 0.7 * runs[0].history[0]
    assert len(runs[0].history) == 9


def test_train_reports_divergence():
    X, y, (W, a) = _problem(0)
    with pytest.raises(FloatingPointError, match="diverged"):
        nw.train(100 * X, y, W, a, 0.0, lr=10.0, steps=200)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda X, y, W, a: nw.objective(X, y[:-1], W, a, 0.1), ValueError, "same number of rows"),
        (lambda X, y, W, a: nw.forward(X, W[:, :-1], a), ValueError, "columns"),
        (lambda X, y, W, a: nw.forward(X, W, a[:-1]), ValueError, "a must have length"),
        (lambda X, y, W, a: nw.objective(X, y, W, a, -1.0), ValueError, "beta must be >= 0"),
        (lambda X, y, W, a: nw.objective(X, y, W, a, np.nan), ValueError, "beta must be finite"),
        (lambda X, y, W, a: nw.forward(np.where(X > 1, np.inf, X), W, a), ValueError, "finite"),
        (lambda X, y, W, a: nw.forward(X.astype(str), W, a), TypeError, "X must hold real"),
        (lambda X, y, W, a: nw.objective(X, y, W, a, "0.1"), TypeError, "beta must be a real"),
        (lambda X, y, W, a: nw.forward(X[0], W, a), ValueError, "X must be 2-dimensional"),
        (lambda X, y, W, a: nw.train(X, y, W, a, 0.1, lr=0.0, steps=1), ValueError, "lr"),
        (lambda X, y, W, a: nw.train(X, y, W, a, 0.1, lr=0.1, steps=1.5), TypeError, "steps"),
        (lambda X, y, W, a: nw.train(X, y, W, a, 0.1, lr=0.1, steps=1, batch_size=4),
         ValueError, "rng must be given"),
        (lambda X, y, W, a: nw.train(X, y, W, a, 0.1, lr=0.1, steps=1, batch_size=99, rng=0),
         ValueError, "batch_size"),
        (lambda X, y, W, a: nw.init_network(3, 0, 0), ValueError, "m must be >= 1"),
        (lambda X, y, W, a: nw.init_network(3, 2, "seed"), TypeError, "rng"),
    ],
)
def test_bad_input_raises_clear_error(call, error, message):
    X, y, (W, a) = _problem(0)
    with pytest.raises(error, match=message):
        call(X, y, W, a)


def test_batched_runs_equal_separate_runs():
    X, y, _, _ = data.teacher_regression(25, 3, 2, rng=2)
    batched = nw.train_from_random_inits(X, y, 5, 0.01, runs=4, rng=9, lr=0.01, steps=200)
    gen = np.random.default_rng(9)
    for result in batched:
        W, a = nw.init_network(3, 5, gen)
        single = nw.train(X, y, W, a, 0.01, lr=0.01, steps=200)
        np.testing.assert_allclose(result.W, single.W, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(result.history, single.history, rtol=1e-10)


# ------------------------------------------------------------- what mutation testing found missing


def _bad_calls():
    X, y, (W, a, b) = _problem(0, bias=True)  # n = 15, d = 4, m = 6
    kw = {"lr": 0.1, "steps": 2}
    return [
        (lambda: nw.forward(X[0], W, a), ValueError, "^X must be 2-dimensional"),
        (lambda: nw.forward(X, W[0], a), ValueError, "^W must be 2-dimensional"),
        (lambda: nw.forward(X, W, a[:-1]), ValueError, "^a must have length 6 along axis 0"),
        (lambda: nw.forward(X, W, a, b[:-1]), ValueError, "^b must have length 6 along axis 0"),
        (lambda: nw.forward(X, W[:, :-1], a), ValueError,
         "^W must have 4 columns \\(the input dimension of X\\), got shape \\(6, 3\\)"),
        (lambda: nw.objective(X, y[:, None], W, a, 0.1), ValueError,
         "^y must be 1-dimensional"),
        (lambda: nw.objective(X, y[:-1], W, a, 0.1), ValueError,
         "^X and y must have the same number of rows, got 15 and 14"),
        (lambda: nw.objective(X, y, W, a, -0.5), ValueError, "^beta must be >= 0"),
        (lambda: nw.objective(X, y, W[:, :-1], a, 0.1), ValueError, "^W must have 4 columns"),
        (lambda: nw.gradient(X, y, W, a, -0.5), ValueError, "^beta must be >= 0"),
        (lambda: nw.gradient(X, y, W[:, :-1], a, 0.1), ValueError, "^W must have 4 columns"),
        (lambda: nw.gradient(X, y[:-1], W, a, 0.1), ValueError, "^X and y must have"),
        (lambda: nw.init_network(0, 3, 0), ValueError, "^d must be >= 1, got 0"),
        (lambda: nw.init_network(3, 0, 0), ValueError, "^m must be >= 1, got 0"),
        (lambda: nw.init_network(3, 2, 0, scale=0.0), ValueError, "^scale must be > 0"),
        (lambda: nw.init_network(3, 2, "seed"), TypeError, "^rng must be"),
        (lambda: nw.train(X, y, W, a, -0.5, **kw), ValueError, "^beta must be >= 0"),
        (lambda: nw.train(X, y[:-1], W, a, 0.1, **kw), ValueError, "^X and y must have"),
        (lambda: nw.train(X, y, W[:, :-1], a, 0.1, **kw), ValueError, "^W must have 4 columns"),
        (lambda: nw.train(X, y, W, a, 0.1, lr=0.0, steps=2), ValueError, "^lr must be > 0"),
        (lambda: nw.train(X, y, W, a, 0.1, lr=0.1, steps=-1), ValueError,
         "^steps must be >= 0"),
        (lambda: nw.train(X, y, W, a, 0.1, record_every=0, **kw), ValueError,
         "^record_every must be >= 1"),
        (lambda: nw.train(X, y, W, a, 0.1, batch_size=0, rng=0, **kw), ValueError,
         "^batch_size must be >= 1"),
        (lambda: nw.train(X, y, W, a, 0.1, batch_size=16, rng=0, **kw), ValueError,
         "^batch_size must be at most n = 15, got 16"),
        (lambda: nw.train(X, y, W, a, 0.1, batch_size=4, **kw), ValueError,
         "^rng must be given for minibatch SGD"),
        (lambda: nw.train(X, y, W, a, 0.1, b=b[:-1], **kw), ValueError, "^b must have length"),
        (lambda: nw.train_from_random_inits(X, y[:-1], 3, 0.1, runs=2, rng=0, **kw),
         ValueError, "^X and y must have"),
        (lambda: nw.train_from_random_inits(X, y, 3, -0.5, runs=2, rng=0, **kw), ValueError,
         "^beta must be >= 0"),
        (lambda: nw.train_from_random_inits(X, y, 0, 0.1, runs=2, rng=0, **kw), ValueError,
         "^m must be >= 1"),
        (lambda: nw.train_from_random_inits(X, y, 3, 0.1, runs=0, rng=0, **kw), ValueError,
         "^runs must be >= 1"),
        (lambda: nw.train_from_random_inits(X, y, 3, 0.1, runs=2, rng=0, lr=0.0, steps=2),
         ValueError, "^lr must be > 0"),
        (lambda: nw.train_from_random_inits(X, y, 3, 0.1, runs=2, rng=0, batch_size=16, **kw),
         ValueError, "^batch_size must be at most n = 15"),
        (lambda: nw.random_restarts(X, y[:-1], [2], 0.1, seeds=[0], runs=2, **kw), ValueError,
         "^X and y must have"),
        (lambda: nw.random_restarts(X, y, [2], -0.5, seeds=[0], runs=2, **kw), ValueError,
         "^beta must be >= 0"),
        (lambda: nw.random_restarts(X, y, [], 0.1, seeds=[], runs=2, **kw), ValueError,
         "^widths must hold at least one width"),
        (lambda: nw.random_restarts(X, y, [0], 0.1, seeds=[0], runs=2, **kw), ValueError,
         "^widths\\[0\\] must be >= 1"),
        (lambda: nw.random_restarts(X, y, [2], 0.1, seeds=[-1], runs=2, **kw), ValueError,
         "^seeds\\[0\\] must be >= 0"),
        (lambda: nw.random_restarts(X, y, [2, 3], 0.1, seeds=[0], runs=2, **kw), ValueError,
         "^seeds must have one seed per width, got 1 seeds for 2 widths"),
        (lambda: nw.random_restarts(X, y, [2], 0.1, seeds=[0], runs=0, **kw), ValueError,
         "^runs must be >= 1"),
        (lambda: nw.random_restarts(X, y, [2], 0.1, seeds=[0], runs=2, scale=0.0, **kw),
         ValueError, "^scale must be > 0"),
        (lambda: nw.random_restarts(X, y, [2], 0.1, seeds=[0], runs=2, lr=0.1, steps=0),
         ValueError, "^steps must be >= 1"),
        (lambda: nw.random_restarts(X, y, [2], 0.1, seeds=[0], runs=2, lr=0.0, steps=2),
         ValueError, "^lr must be > 0"),
        (lambda: nw.random_restarts(X, y, [2], 0.1, seeds=[0], runs=2, batch_size=16, **kw),
         ValueError, "^batch_size must be at most n = 15"),
        (lambda: nw.path_norm(W, a[:-1]), ValueError, "^a must have length 6"),
        (lambda: nw.balance(W, a, b[:-1]), ValueError, "^b must have length 6"),
    ]


@pytest.mark.parametrize("case", range(len(_bad_calls())))
def test_each_bad_argument_is_named_at_the_start_of_its_error(case):
    call, error, match = _bad_calls()[case]
    with pytest.raises(error, match=match):
        call()


def test_initialization_has_the_documented_scales():
    # w_j ~ N(0, scale^2 I / (d m)), a_j ~ N(0, scale^2 / m), b_j ~ N(0, scale^2 / (d m))
    d, m = 3, 20000
    W, a, b = nw.init_network(d, m, rng=0, bias=True)
    assert W.shape == (m, d) and a.shape == (m,) and b.shape == (m,)
    assert np.std(W) == pytest.approx(1 / np.sqrt(d * m), rel=0.02)
    assert np.std(a) == pytest.approx(1 / np.sqrt(m), rel=0.02)
    assert np.std(b) == pytest.approx(1 / np.sqrt(d * m), rel=0.02)
    assert abs(np.mean(W)) < 3 / np.sqrt(d * m * W.size)  # centred: 3 standard errors
    # scale multiplies every draw; without bias the same W and a come first
    W2, a2, b2 = nw.init_network(d, m, rng=0, scale=2.5, bias=True)
    np.testing.assert_allclose(W2, 2.5 * W, rtol=1e-15)
    np.testing.assert_allclose(a2, 2.5 * a, rtol=1e-15)
    np.testing.assert_allclose(b2, 2.5 * b, rtol=1e-15)
    plain = nw.init_network(d, m, rng=0)
    assert len(plain) == 2
    np.testing.assert_array_equal(plain[0], W)


@pytest.mark.parametrize("bias", [False, True])
def test_a_gradient_descent_step_is_the_gradient_step(bias):
    X, y, params = _problem(2, bias=bias)
    W, a = params[:2]
    b = params[2] if bias else None
    beta, lr = 0.3, 0.05
    gW, ga, gb = nw.gradient(X, y, W, a, beta, b)
    res = nw.train(X, y, W, a, beta, b=b, lr=lr, steps=1)
    np.testing.assert_allclose(res.W, W - lr * gW, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(res.a, a - lr * ga, rtol=1e-12, atol=1e-15)
    if bias:
        np.testing.assert_allclose(res.b, b - lr * gb, rtol=1e-12, atol=1e-15)
    else:
        assert res.b is None
    np.testing.assert_array_equal(res.steps_recorded, [0, 1])
    assert res.history[0] == pytest.approx(nw.objective(X, y, W, a, beta, b), rel=1e-14)
    assert res.history[1] == pytest.approx(
        nw.objective(X, y, res.W, res.a, beta, res.b), rel=1e-14)


def test_recorded_steps_and_values():
    X, y, (W, a) = _problem(3)
    res = nw.train(X, y, W, a, 0.1, lr=0.01, steps=7, record_every=3)
    np.testing.assert_array_equal(res.steps_recorded, [0, 3, 6, 7])
    assert res.history[-1] == pytest.approx(nw.objective(X, y, res.W, res.a, 0.1), rel=1e-14)
    none = nw.train(X, y, W, a, 0.1, lr=0.01, steps=0)
    np.testing.assert_array_equal(none.W, W)
    np.testing.assert_array_equal(none.steps_recorded, [0])


def test_an_sgd_step_uses_one_minibatch_with_the_data_term_scaled_by_n_over_b():
    # batch size 1: the step is lr times the gradient of n * (1/2)(f(x_i) - y_i)^2 + the decay,
    # for one sample i; over the seeds every sample is drawn (an unbiased gradient)
    X, y, (W, a) = _problem(5, n=4)
    beta, lr, n = 0.2, 0.01, 4
    steps_by_sample = []
    for i in range(n):
        gW, ga, _ = nw.gradient(X[[i]], y[[i]], W, a, beta / n)  # data term of sample i
        steps_by_sample.append((W - lr * n * gW, a - lr * n * ga))
    drawn = set()
    for seed in range(40):
        res = nw.train(X, y, W, a, beta, lr=lr, steps=1, batch_size=1, rng=seed)
        match = [i for i, (Wi, ai) in enumerate(steps_by_sample)
                 if np.allclose(res.W, Wi, rtol=1e-12, atol=1e-15)
                 and np.allclose(res.a, ai, rtol=1e-12, atol=1e-15)]
        assert len(match) == 1
        drawn.add(match[0])
    assert drawn == set(range(n))
    # the full batch is plain gradient descent
    full = nw.train(X, y, W, a, beta, lr=lr, steps=3, batch_size=n, rng=0)
    gd = nw.train(X, y, W, a, beta, lr=lr, steps=3)
    np.testing.assert_allclose(full.W, gd.W, rtol=1e-12)
    np.testing.assert_allclose(full.history, gd.history, rtol=1e-12)


def test_random_restarts_are_the_runs_of_train_from_random_inits():
    X, y, _, _ = data.teacher_regression(20, 3, 2, rng=4)
    for batch_size in (None, 5):
        study = nw.random_restarts(X, y, [2, 6], 0.05, seeds=[3, 8], runs=3, lr=0.02, steps=30,
                                   batch_size=batch_size, scale=0.7)
        np.testing.assert_array_equal(study.widths, [2, 6])
        np.testing.assert_array_equal(study.seeds, [3, 8])
        assert study.batch_size == batch_size and study.finals.shape == (2, 3)
        for k, (m, seed) in enumerate([(2, 3), (6, 8)]):
            runs = nw.train_from_random_inits(X, y, m, 0.05, runs=3, rng=seed, lr=0.02,
                                              steps=30, batch_size=batch_size, scale=0.7)
            np.testing.assert_allclose(study.finals[k], [r.history[-1] for r in runs],
                                       rtol=1e-12)
            # and each final value is the objective of the final weights
            assert runs[0].history[-1] == pytest.approx(
                nw.objective(X, y, runs[0].W, runs[0].a, 0.05), rel=1e-12)
    # train_from_random_inits draws the starts of init_network with the given scale
    runs = nw.train_from_random_inits(X, y, 4, 0.05, runs=2, rng=1, lr=0.02, steps=0,
                                      scale=0.7)
    gen = np.random.default_rng(1)
    for r in runs:
        W0, a0 = nw.init_network(3, 4, gen, scale=0.7)
        np.testing.assert_array_equal(r.W, W0)
        np.testing.assert_array_equal(r.a, a0)
        assert r.b is None


def test_path_norm_and_balance_in_closed_form():
    W = np.array([[3.0, 4.0], [1.0, 0.0], [0.0, 0.0]])
    a = np.array([2.0, -4.0, 5.0])
    assert nw.path_norm(W, a) == pytest.approx(2 * 5 + 4 * 1)  # sum |a_j| ||w_j||
    Wb, ab, bb = nw.balance(W, a)
    # s_j = sqrt(|a_j| / ||w_j||): s = sqrt(2/5), 2; the zero neuron is set to zero
    np.testing.assert_allclose(Wb, [[3 * np.sqrt(0.4), 4 * np.sqrt(0.4)], [2.0, 0.0], [0, 0]])
    np.testing.assert_allclose(ab, [2 / np.sqrt(0.4), -2.0, 0.0])
    assert bb is None
    # with biases the bias scales with its neuron; a dead neuron without positive bias is zeroed
    b = np.array([1.0, -3.0, -1.0])
    Wb, ab, bb = nw.balance(W, a, b)
    np.testing.assert_allclose(bb, [np.sqrt(0.4), -6.0, 0.0])
    np.testing.assert_allclose(ab, [2 / np.sqrt(0.4), -2.0, 0.0])


def test_balance_keeps_every_constant_unit_and_only_those():
    # w_j = 0: a_j relu(b_j) is the constant a_j b_j if b_j > 0 (kept as it is, for any a_j != 0)
    # and 0 if b_j <= 0 (set to zero)
    W = np.zeros((4, 2))
    a = np.array([1.0, -2.0, 3.0, 1.0])
    b = np.array([0.5, 0.25, 0.0, -1.0])
    Wb, ab, bb = nw.balance(W, a, b)
    np.testing.assert_array_equal(ab, [1.0, -2.0, 0.0, 0.0])
    np.testing.assert_array_equal(bb, [0.5, 0.25, 0.0, 0.0])
    assert np.all(Wb == 0)


def test_random_starts_record_their_steps_and_use_the_unit_scale_by_default():
    X, y, _, _ = data.teacher_regression(20, 3, 2, rng=4)
    runs = nw.train_from_random_inits(X, y, 3, 0.05, runs=2, rng=0, lr=0.02, steps=5,
                                      record_every=2)
    for r in runs:
        np.testing.assert_array_equal(r.steps_recorded, [0, 2, 4, 5])
        assert r.history.shape == (4,)
    study = nw.random_restarts(X, y, [3], 0.05, seeds=[0], runs=2, lr=0.02, steps=5)
    unit = nw.random_restarts(X, y, [3], 0.05, seeds=[0], runs=2, lr=0.02, steps=5, scale=1.0)
    np.testing.assert_array_equal(study.finals, unit.finals)


# ------------------------------------------------------------------- the rest of the module


def test_the_gradient_takes_the_subgradient_zero_at_a_kink():
    # x_1 = (1, 0) is orthogonal to w_1 = (0, 1): z = 0 exactly, and the documented choice is
    # d relu / d z = 0 there, so x_1 adds nothing to the gradient of w_1 (it does to w_2)
    X = np.array([[1.0, 0.0], [0.5, 2.0]])
    y = np.array([1.0, -1.0])
    W = np.array([[0.0, 1.0], [1.0, 1.0]])
    a = np.array([2.0, -1.0])
    gW, ga, _ = nw.gradient(X, y, W, a, 0.0)
    r = nw.forward(X, W, a) - y  # residuals; only x_2 activates neuron 1, both activate 2
    np.testing.assert_allclose(gW[0], r[1] * a[0] * X[1], rtol=1e-14)
    np.testing.assert_allclose(gW[1], a[1] * (r[0] * X[0] + r[1] * X[1]), rtol=1e-14)
    np.testing.assert_allclose(ga, [r[1] * 2.0, r[0] * 1.0 + r[1] * 2.5], rtol=1e-14)


def test_an_sgd_step_of_two_samples_scales_their_data_term_by_n_over_two():
    # batch size 2 of n = 4: the step is lr times the gradient of (n / 2) * the data term of
    # the drawn pair plus the decay (batch size 1 cannot tell n / b from n * b)
    X, y, (W, a) = _problem(7, n=4)
    beta, lr, n = 0.2, 0.01, 4
    steps = {}
    for i in range(n):
        for j in range(i + 1, n):
            gW, ga, _ = nw.gradient(X[[i, j]], y[[i, j]], W, a, beta * 2 / n)
            steps[(i, j)] = (W - lr * n / 2 * gW, a - lr * n / 2 * ga)
    drawn = set()
    for seed in range(30):
        res = nw.train(X, y, W, a, beta, lr=lr, steps=1, batch_size=2, rng=seed)
        match = [p for p, (Wp, ap) in steps.items()
                 if np.allclose(res.W, Wp, rtol=1e-12, atol=1e-15)
                 and np.allclose(res.a, ap, rtol=1e-12, atol=1e-15)]
        assert len(match) == 1
        drawn.add(match[0])
    assert len(drawn) >= 4  # the pairs are drawn at random, not one fixed pair
