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
