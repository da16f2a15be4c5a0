"""The claims of the chapter "The non-convex problem", asserted with tolerances."""

import numpy as np

from twolayer import data, network

X, Y, _, _ = data.teacher_regression(n=40, d=2, m=4, rng=0)
BETA = 1e-2


def test_gradient_flow_shrinks_imbalance_by_exp_minus_two_beta_t():
    W, a = network.init_network(d=2, m=8, rng=1, scale=2.0)
    W, a = 4.0 * W, a / 4.0
    lr, steps = 0.001, 20000
    run = network.train(X, Y, W, a, BETA, lr=lr, steps=steps, record_every=steps)
    ratio = (run.a**2 - np.sum(run.W**2, axis=1)) / (a**2 - np.sum(W**2, axis=1))
    np.testing.assert_allclose(ratio, np.exp(-2 * BETA * lr * steps), atol=5e-3)


def _finals(m):
    results = network.train_from_random_inits(X, Y, m, BETA, runs=20, rng=100 + m, lr=0.01,
                                              steps=4000, record_every=4000)
    return np.array([r.history[-1] for r in results])


def test_narrow_networks_end_at_different_values_and_wide_ones_agree():
    narrow, wide = _finals(2), _finals(64)
    assert narrow.max() > 10 * narrow.min(), "width 2: runs should end at very different values"
    assert wide.max() < 1.2 * wide.min(), "width 64: every run should end near the same value"
    assert wide.min() < 0.1 * narrow.min(), "wide networks fit far better than narrow ones"
