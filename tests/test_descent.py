"""The one loop of batched gradient descent (twolayer._descent) under a recording objective."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from twolayer import network
from twolayer._descent import descend, split_runs


def _quadratic(calls):
    """``f(p) = 1/2 ||p||^2`` per run (rows of the one parameter), recording each call's flags."""

    def evaluate(params, value, gradient):
        calls.append((value, gradient))
        (p,) = params
        return (0.5 * np.sum(p**2, axis=1) if value else None), ([p.copy()] if gradient else None)

    return evaluate


def test_descend_asks_for_the_values_it_records_and_no_gradient_at_the_last_step():
    calls = []
    start = np.array([[1.0, -2.0], [4.0, 0.0]])
    params, history, recorded = descend(_quadratic(calls), [start], 0.5, 5, 2)
    # steps 0..5, values at 0, 2, 4 and the last, gradients at every step but the last
    assert calls == [(True, True), (False, True), (True, True), (False, True), (True, True),
                     (True, False)]
    assert recorded.tolist() == [0, 2, 4, 5]
    # p -= 0.5 p halves the iterate: after t steps p_0 / 2^t, f = f_0 / 4^t
    np.testing.assert_array_equal(params[0], start / 32)
    np.testing.assert_array_equal(history, [[2.5 / 4**t, 8.0 / 4**t] for t in (0, 2, 4, 5)])
    np.testing.assert_array_equal(start, [[1.0, -2.0], [4.0, 0.0]])  # not modified
    (p0, h0, r0), (p1, h1, r1) = split_runs(params, history, recorded)
    np.testing.assert_array_equal(p1[0], start[1] / 32)
    np.testing.assert_array_equal(h0, history[:, 0])
    assert r1 is recorded


def test_descend_with_zero_steps_records_the_start_only():
    calls = []
    params, history, recorded = descend(_quadratic(calls), [np.ones((1, 2))], 0.1, 0, 3)
    assert calls == [(True, False)] and recorded.tolist() == [0] and history.shape == (1, 1)


def test_a_diverging_run_raises_floating_point_error_without_numpy_warnings():
    # f = 1/2 ||p||^2 with lr = 3: p -> -2 p, so p overflows at t = 1024 (2^1024) and turns
    # nan at the next step (inf - 3 inf); recorded every 1100 steps, the first value after that
    # is nan, and the loop reports it as its own error, with no overflow or invalid warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(FloatingPointError,
                           match=r"^training diverged at step 1100; lower lr \(got 3.0\)$"):
            descend(_quadratic([]), [np.ones((1, 2))], 3.0, 2000, 1100)
    # the same through a public trainer: a huge step on a network
    X = np.random.default_rng(0).standard_normal((6, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(FloatingPointError, match="^training diverged at step"):
            network.train_from_random_inits(X, X[:, 0], 3, 0.1, runs=1, rng=0, lr=1e6,
                                            steps=400, record_every=1)


def test_descend_refuses_gradients_that_do_not_match_the_parameters():
    def short(params, value, gradient):
        return np.zeros(1), ([params[0]] if gradient else None)

    with pytest.raises(ValueError, match="zip"):
        descend(short, [np.ones((1, 2)), np.ones((1, 3))], 0.1, 2, 1)
