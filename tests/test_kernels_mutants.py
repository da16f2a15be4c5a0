"""twolayer.kernels: the argument checks and the behaviour that mutation testing found untested
(tests/MUTATION.md, section "kernels"). Every expected number is computed by hand in a comment
or independently of the library (NumPy)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from twolayer import kernels

GEN = np.random.default_rng(31)
X = GEN.standard_normal((5, 3))
y = GEN.standard_normal(5)
W = GEN.standard_normal((4, 3))


def _full(message):
    return "^" + re.escape(message) + "$"


def _train(**kw):
    args = dict(lr=0.1, steps=2, X_test=X, y_test=y)
    args.update(kw)
    return lambda: kernels.train_norm_network(X, y, W, **args)


BAD = [
    (lambda: kernels.ntk(X, W[:, :2]), ValueError,
     _full("X and Z must have the same number of columns (the input dimension d), got X of "
           "shape (5, 3) and Z of shape (4, 2)")),
    (lambda: kernels.ntk(X[0], X), ValueError, "^X must be 2-dimensional"),
    (lambda: kernels.ntk(X, np.zeros((0, 3))), ValueError,
     _full("Z must have at least one row and one column, got shape (0, 3)")),
    (lambda: kernels.empirical_ntk(X, X, W[:, :2]), ValueError,
     _full("W must have shape (m, 3) with m >= 1 (d from X), got (4, 2)")),
    (lambda: kernels.empirical_ntk(X, X, np.zeros((0, 3))), ValueError,
     _full("W must have shape (m, 3) with m >= 1 (d from X), got (0, 3)")),
    (lambda: kernels.empirical_ntk(X, X, W[0]), ValueError, "^W must be 2-dimensional"),
    (lambda: kernels.empirical_ntk(X, X[:, :2], W), ValueError,
     "^X and Z must have the same number of columns"),
    (lambda: kernels.random_relu_features(X, W[:, :2]), ValueError,
     "^X and V must have the same number of columns"),
    (lambda: kernels.kernel_ridge(np.eye(3), np.ones(3), -1.0), ValueError,
     _full("ridge must be > 0.0, got -1.0")),
    (lambda: kernels.kernel_ridge(np.ones((2, 3)), np.ones(2), 0.1), ValueError,
     _full("K must be square (n, n), got shape (2, 3)")),
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
     _full("ridge must be > 0.0, got 0.0")),
    (lambda: kernels.norm_network(X[0], W), ValueError, "^X must be 2-dimensional"),
    (lambda: kernels.norm_network(X, W[:, :2]), ValueError,
     _full("W must have shape (m, 3) with m >= 1 (d from X), got (4, 2)")),
    (lambda: kernels.train_norm_network(X[0], y, W, lr=0.1, steps=1, X_test=X, y_test=y),
     ValueError, "^X must be 2-dimensional"),
    (lambda: kernels.train_norm_network(X, y[:, None], W, lr=0.1, steps=1, X_test=X, y_test=y),
     ValueError, "^y must be 1-dimensional"),
    (lambda: kernels.train_norm_network(X, y[:4], W, lr=0.1, steps=1, X_test=X, y_test=y),
     ValueError, "^X and y must have the same number of rows"),
    (lambda: kernels.train_norm_network(X, y, W[:, :2], lr=0.1, steps=1, X_test=X, y_test=y),
     ValueError, _full("W0 must have shape (m, 3) or (R, m, 3), got (4, 2)")),
    (lambda: kernels.train_norm_network(X, y, W[0], lr=0.1, steps=1, X_test=X, y_test=y),
     ValueError, _full("W0 must have shape (m, 3) or (R, m, 3), got (3,)")),
    (lambda: kernels.train_norm_network(X, y, W[None, None], lr=0.1, steps=1, X_test=X,
                                        y_test=y),
     ValueError, _full("W0 must have shape (m, 3) or (R, m, 3), got (1, 1, 4, 3)")),
    (_train(X_test=X[:, :2]), ValueError, "^X_test must have length 3 along axis 1"),
    (_train(y_test=y[:, None]), ValueError, "^y_test must be 1-dimensional"),
    (_train(y_test=y[:4]), ValueError, "^X_test and y_test must have the same number of rows"),
    (_train(lr=0.0), ValueError, _full("lr must be > 0.0, got 0.0")),
    (_train(steps=-1), ValueError, _full("steps must be >= 0, got -1")),
    (_train(record_every=0), ValueError, _full("record_every must be >= 1, got 0")),
    (lambda: kernels.KernelComparison.concatenate([]), ValueError,
     _full("parts must hold at least one KernelComparison, got none")),
    (lambda: kernels.kernel_vs_gd([], seeds=2, n_factor=1, rng=0), ValueError,
     _full("ds must hold at least one dimension, got an empty sequence")),
    (lambda: kernels.kernel_vs_gd([2, 1], seeds=2, n_factor=1, rng=0), ValueError,
     _full("ds[i] must be >= 2, got 1")),
    (lambda: kernels.kernel_vs_gd([2], seeds=1, n_factor=1, rng=0), ValueError,
     _full("seeds must be >= 2, got 1")),
    (lambda: kernels.kernel_vs_gd([2], seeds=2, n_factor=0, rng=0), ValueError,
     _full("n_factor must be >= 1, got 0")),
    (lambda: kernels.kernel_vs_gd([2], seeds=2, n_factor=1, rng=0, width_factor=0), ValueError,
     _full("width_factor must be >= 1, got 0")),
    (lambda: kernels.kernel_vs_gd([2], seeds=2, n_factor=1, rng=0, n_test=0), ValueError,
     _full("n_test must be >= 1, got 0")),
    (lambda: kernels.kernel_vs_gd([2], seeds=2, n_factor=1, rng=0, n_features=0), ValueError,
     _full("n_features must be >= 1, got 0")),
    (lambda: kernels.kernel_vs_gd([2], seeds=2, n_factor=1, rng=0, ridges=(0.1, 0.0)),
     ValueError, _full("ridges[i] must be > 0.0, got 0.0")),
    (lambda: kernels.kernel_vs_gd([2], seeds=2, n_factor=1, rng=0, ridges=()), ValueError,
     _full("ridges must hold at least one value, got an empty sequence")),
    (lambda: kernels.kernel_vs_gd([2], seeds=2, n_factor=1, rng=0, lr=0.0), ValueError,
     _full("lr must be > 0.0, got 0.0")),
    (lambda: kernels.kernel_vs_gd([2], seeds=2, n_factor=1, rng=0, steps=0), ValueError,
     _full("steps must be >= 1, got 0")),
    (lambda: kernels.kernel_vs_gd([2], seeds=2, n_factor=1, rng=0, kappa=0.5), ValueError,
     _full("kappa must be >= 1.0, got 0.5")),
    (lambda: kernels.kernel_vs_gd([2], seeds=2, n_factor=1, rng="0"), TypeError, "^rng must"),
    (lambda: kernels.explore_beyond_kernel(1, 4, 2, rng=0), ValueError,
     _full("d must be >= 2, got 1")),
    (lambda: kernels.explore_beyond_kernel(2, 1, 2, rng=0), ValueError,
     _full("n must be >= 2, got 1")),
    (lambda: kernels.explore_beyond_kernel(2, 4, 0, rng=0), ValueError,
     _full("width must be >= 1, got 0")),
    (lambda: kernels.explore_beyond_kernel(2, 4, 2, rng=0, steps=0), ValueError,
     _full("steps must be >= 1, got 0")),
    (lambda: kernels.explore_beyond_kernel(2, 4, 2, rng=0, n_test=0), ValueError,
     _full("n_test must be >= 1, got 0")),
    (lambda: kernels.explore_beyond_kernel(2, 4, 2, rng=0, lr=0.0), ValueError,
     _full("lr must be > 0.0, got 0.0")),
    (lambda: kernels.explore_beyond_kernel(2, 4, 2, rng=0, ridges=(0.0,)), ValueError,
     _full("ridges[i] must be > 0.0, got 0.0")),
    (lambda: kernels.explore_beyond_kernel(2, 4, 2, rng=0, ridges=()), ValueError,
     _full("ridges must hold at least one value, got an empty sequence")),
    (lambda: kernels.explore_beyond_kernel(2, 4, 2, rng="0"), TypeError, "^rng must"),
]


@pytest.mark.parametrize("call, error, match", BAD)
def test_each_bad_argument_is_named_at_the_start_of_its_error(call, error, match):
    with pytest.raises(error, match=match):
        call()
