"""twolayer.batchnorm: the argument checks and the behaviour that mutation testing found untested
(tests/MUTATION.md, section "batchnorm"). Every expected number is computed by hand in a comment
or independently of the library (NumPy)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from twolayer import batchnorm

GEN = np.random.default_rng(21)
X = GEN.standard_normal((6, 3))
y = GEN.standard_normal(6)
W = GEN.standard_normal((4, 3))
g, al, a = GEN.standard_normal(4), GEN.standard_normal(4), GEN.standard_normal(4)
# the first column is constant: a neuron along e_1 sees a constant pre-activation
FLAT = np.column_stack([np.ones(6), np.arange(6.0), np.arange(6.0) ** 2])
TWO = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])  # rows off e_1, e_1 last below
SPIKE = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])  # neuron 1 sees the constant column


def _full(message):
    return "^" + re.escape(message) + "$"


def _digits(**kw):
    args = dict(components=2, keep=1, m=2, runs=1, lr=0.1, steps=2, early=1, num_patterns=2,
                rng=0)
    args.update(kw)
    return lambda: batchnorm.digits_experiment(X, np.sign(y), X[:2], np.sign(y[:2]), 0.1, **args)


BAD = [
    (lambda: batchnorm.bn_forward(X[0], W, g, al, a), ValueError, "^X must be 2-dimensional"),
    (lambda: batchnorm.bn_forward(X[:1], W, g, al, a), ValueError,
     _full("X must have at least 2 rows (a batch to normalize), got shape (1, 3)")),
    (lambda: batchnorm.bn_forward(X, W[:, :2], g, al, a), ValueError,
     _full("W must have 3 columns (the input dimension of X), got shape (4, 2)")),
    (lambda: batchnorm.bn_forward(X, W[0], g, al, a), ValueError, "^W must be 2-dimensional"),
    (lambda: batchnorm.bn_forward(X, W, g[:3], al, a), ValueError,
     "^gamma must have length 4 along axis 0"),
    (lambda: batchnorm.bn_forward(X, W, g, al[:3], a), ValueError,
     "^alpha must have length 4 along axis 0"),
    (lambda: batchnorm.bn_forward(X, W, g, al, a[:3]), ValueError,
     "^a must have length 4 along axis 0"),
    (lambda: batchnorm.bn_forward(X, W, g, al, a, reference=X[:, :2]), ValueError,
     _full("reference must have 3 columns like X, got shape (6, 2)")),
    (lambda: batchnorm.bn_forward(X, W, g, al, a, reference=X[:1]), ValueError,
     _full("X must have at least 2 rows (a batch to normalize), got shape (1, 3)")),
    (lambda: batchnorm.bn_forward(X[0], W, g, al, a, reference=X), ValueError,
     "^X must be 2-dimensional"),
    (lambda: batchnorm.bn_forward(FLAT, SPIKE, g[:2], al[:2], a[:2]), ValueError,
     _full("neuron 1 has a constant pre-activation X w_j over the batch (centred norm 0): batch "
           "normalization divides by zero; choose a w_j that is not orthogonal to every centred "
           "data point")),
    (lambda: batchnorm.bn_objective(FLAT, y, SPIKE, g[:2], al[:2], a[:2], 0.1), ValueError,
     _full("neuron 1 has a constant pre-activation X w_j over the batch: batch normalization "
           "divides by zero")),
    (lambda: batchnorm.bn_gradient(FLAT, y, SPIKE, g[:2], al[:2], a[:2], 0.1), ValueError,
     "^neuron 1 has a constant pre-activation"),
    (lambda: batchnorm.bn_objective(X, y[:5], W, g, al, a, 0.1), ValueError,
     "^X and y must have the same number of rows"),
    (lambda: batchnorm.bn_objective(X, np.ones((6, 1)), W, g, al, a, 0.1), ValueError,
     "^y must be 1-dimensional"),
    (lambda: batchnorm.bn_objective(X, y, W, g, al, a, -0.1), ValueError,
     _full("beta must be >= 0.0, got -0.1")),
    (lambda: batchnorm.bn_gradient(X, y, W, g, al, a, -0.1), ValueError,
     _full("beta must be >= 0.0, got -0.1")),
    (lambda: batchnorm.bn_gradient(X, y, W[:, :2], g, al, a, 0.1), ValueError,
     "^W must have 3 columns"),
    (lambda: batchnorm.bn_basis(np.ones((4, 3))), ValueError,
     _full("X has identical rows: every pre-activation is constant over the batch and batch "
           "normalization is undefined")),
    (lambda: batchnorm.bn_basis(X[:1]), ValueError, "^X must have at least 2 rows"),
    (lambda: batchnorm.bn_energy(FLAT, SPIKE, g[:2], al[:2], a[:2]), ValueError,
     _full("a neuron has a constant pre-activation: batch normalization is undefined")),
    (lambda: batchnorm.bn_energy(X, W, np.zeros(4), np.zeros(4), a), ValueError,
     _full("the network is zero: its energy has no direction")),
    (lambda: batchnorm.bn_energy(X, W, g, al, np.zeros(4)), ValueError,
     _full("the network is zero: its energy has no direction")),
    (lambda: batchnorm.bn_energy(X, W[:, :2], g, al, a), ValueError, "^W must have 3 columns"),
    (lambda: batchnorm.bn_closed_form(X, y, 0.1), ValueError,
     _full("the closed form needs centred data of rank n - 1 = 5 (e.g. n <= d), got rank 3; "
           "solve the convex program (solve_bn_convex) instead")),
    (lambda: batchnorm.bn_closed_form(X[:3], y[:3], 0.0), ValueError,
     _full("beta must be > 0.0, got 0.0")),
    (lambda: batchnorm.bn_closed_form(X[:3], y[:2], 0.1), ValueError,
     "^X and y must have the same number of rows"),
    (lambda: batchnorm.solve_bn_convex(X, y, 0.1, np.ones((1, 6), bool), components=0),
     ValueError, _full("components must be >= 1, got 0")),
    (lambda: batchnorm.solve_bn_convex(X, y[:5], 0.1, np.ones((1, 6), bool)), ValueError,
     "^X and y must have the same number of rows"),
    (lambda: batchnorm.recover_bn_network("not a solution"), TypeError,
     _full("solution must be a BNConvexSolution, got str")),
    (lambda: batchnorm.train_bn(X, y, W, g, al, a, 0.1, lr=0.0, steps=1), ValueError,
     _full("lr must be > 0.0, got 0.0")),
    (lambda: batchnorm.train_bn(X, y, W, g, al, a, 0.1, lr=0.1, steps=-1), ValueError,
     _full("steps must be >= 0, got -1")),
    (lambda: batchnorm.train_bn(X, y, W, g, al, a, 0.1, lr=0.1, steps=1, record_every=0),
     ValueError, _full("record_every must be >= 1, got 0")),
    (lambda: batchnorm.train_bn(X, y, W, g, al, a, -0.1, lr=0.1, steps=1), ValueError,
     _full("beta must be >= 0.0, got -0.1")),
    (lambda: batchnorm.train_bn(X, y, W, g[:3], al, a, 0.1, lr=0.1, steps=1), ValueError,
     "^gamma must have length 4"),
    (lambda: batchnorm.train_bn(X[:1], y[:1], W, g, al, a, 0.1, lr=0.1, steps=1), ValueError,
     "^X must have at least 2 rows"),
    (lambda: batchnorm.train_bn_from_random_inits(X, y, 0, 0.1, runs=1, rng=0, lr=0.1, steps=1),
     ValueError, _full("m must be >= 1, got 0")),
    (lambda: batchnorm.train_bn_from_random_inits(X, y, 2, 0.1, runs=0, rng=0, lr=0.1, steps=1),
     ValueError, _full("runs must be >= 1, got 0")),
    (lambda: batchnorm.train_bn_from_random_inits(X, y, 2, -0.1, runs=1, rng=0, lr=0.1, steps=1),
     ValueError, _full("beta must be >= 0.0, got -0.1")),
    (lambda: batchnorm.train_bn_from_random_inits(X, y, 2, 0.1, runs=1, rng=0, lr=0.0, steps=1),
     ValueError, _full("lr must be > 0.0, got 0.0")),
    (lambda: batchnorm.train_bn_from_random_inits(X, y, 2, 0.1, runs=1, rng=0, lr=0.1, steps=1,
                                                  scale=0.0), ValueError,
     _full("scale must be > 0.0, got 0.0")),
    (lambda: batchnorm.train_bn_from_random_inits(X[:1], y[:1], 2, 0.1, runs=1, rng=0, lr=0.1,
                                                  steps=1), ValueError,
     "^X must have at least 2 rows"),
    (lambda: batchnorm.exact_experiment(np.ones((3, 1)), y[:3], 0.1, m=2, runs=1, rng=0, lr=0.1,
                                        steps=1), ValueError, "^x must be 1-dimensional"),
    (lambda: batchnorm.exact_experiment(X[:, 0], y, 0.0, m=2, runs=1, rng=0, lr=0.1, steps=1),
     ValueError, _full("beta must be > 0.0, got 0.0")),
    (lambda: batchnorm.exact_experiment(X[:, 0], y, 0.1, m=0, runs=1, rng=0, lr=0.1, steps=1),
     ValueError, _full("m must be >= 1, got 0")),
    (lambda: batchnorm.exact_experiment(X[:, 0], y, 0.1, m=2, runs=0, rng=0, lr=0.1, steps=1),
     ValueError, _full("runs must be >= 1, got 0")),
    (lambda: batchnorm.exact_experiment(X[:, 0], y, 0.1, m=2, runs=1, rng=0, lr=0.0, steps=1),
     ValueError, _full("lr must be > 0.0, got 0.0")),
    (lambda: batchnorm.exact_experiment(X[:, 0], y, 0.1, m=2, runs=1, rng=0, lr=0.1, steps=-1),
     ValueError, _full("steps must be >= 0, got -1")),
    (lambda: batchnorm.exact_experiment(X[:, 0], y[:5], 0.1, m=2, runs=1, rng=0, lr=0.1,
                                        steps=1), ValueError, "^X and y must have the same"),
    (lambda: batchnorm.explore_dimension(0.0, 2, rng=0), ValueError,
     _full("beta must be > 0.0, got 0.0")),
    (lambda: batchnorm.explore_dimension(0.1, 0, rng=0), ValueError,
     _full("d must be >= 1, got 0")),
    (lambda: batchnorm.explore_dimension(0.1, 2, rng=0, n=2), ValueError,
     _full("n must be >= 3, got 2")),
    (lambda: batchnorm.explore_dimension(0.1, 2, rng=0, num_patterns=0), ValueError,
     _full("num_patterns must be >= 1, got 0")),
    (lambda: batchnorm.explore_dimension(0.1, 2, rng="0"), TypeError, "^rng must"),
    (_digits(keep=3), ValueError, _full("keep must be at most components = 2, got 3")),
    (_digits(early=3), ValueError, _full("early must be at most steps = 2, got 3")),
    (_digits(keep=0), ValueError, _full("keep must be >= 1, got 0")),
    (_digits(components=0), ValueError, _full("components must be >= 1, got 0")),
    (_digits(num_patterns=0), ValueError, _full("num_patterns must be >= 1, got 0")),
    (_digits(m=0), ValueError, _full("m must be >= 1, got 0")),
    (_digits(runs=0), ValueError, _full("runs must be >= 1, got 0")),
    (_digits(lr=0.0), ValueError, _full("lr must be > 0.0, got 0.0")),
    (_digits(steps=-1), ValueError, _full("steps must be >= 0, got -1")),
    # the error names `record_every` (check_schedule's name for its third argument), not
    # `early`: tests/MUTATION.md, batchnorm, "A wrong name"; only the bound is checked here
    (_digits(early=0), ValueError, "must be >= 1, got 0$"),
    (_digits(rng="0"), TypeError, "^rng must"),
    (lambda: batchnorm.digits_experiment(X, y, X[:2, :2], y[:2], 0.1, components=2, keep=1, m=2,
                                         runs=1, lr=0.1, steps=2, early=1, num_patterns=2,
                                         rng=0), ValueError,
     _full("X_test must have 3 columns like X_train, got shape (2, 2)")),
    (lambda: batchnorm.digits_experiment(X, y, X[:2], y[:2], 0.0, components=2, keep=1, m=2,
                                         runs=1, lr=0.1, steps=2, early=1, num_patterns=2,
                                         rng=0), ValueError, _full("beta must be > 0.0, got 0.0")),
    (lambda: batchnorm.digits_experiment(X[:1], y[:1], X[:2], y[:2], 0.1, components=2, keep=1,
                                         m=2, runs=1, lr=0.1, steps=2, early=1, num_patterns=2,
                                         rng=0), ValueError, "^X must have at least 2 rows"),
]


@pytest.mark.parametrize("call, error, match", BAD)
def test_each_bad_argument_is_named_at_the_start_of_its_error(call, error, match):
    with pytest.raises(error, match=match):
        call()
