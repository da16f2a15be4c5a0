"""Tests of twolayer.data: shapes, determinism, the stated properties of each data set, errors."""

import numpy as np
import pytest

from twolayer import data
from twolayer.network import forward, objective


def test_univariate_regression_is_sorted_distinct_and_seeded():
    x, y = data.univariate_regression(12, rng=3)
    assert x.shape == y.shape == (12,)
    assert np.all(np.diff(x) >= 2.0 / (4 * 12) - 1e-12)
    assert -1.0 <= x[0] and x[-1] <= 1.0
    np.testing.assert_allclose(y, np.sin(2 * np.pi * x) + 0.5 * x)
    np.testing.assert_array_equal(x, data.univariate_regression(12, rng=3)[0])


def test_teacher_regression_labels_come_from_the_teacher():
    X, y, W, a = data.teacher_regression(50, 3, 4, rng=1)
    assert X.shape == (50, 3) and W.shape == (4, 3)
    np.testing.assert_allclose(np.linalg.norm(W, axis=1), 1.0)
    np.testing.assert_allclose(y, forward(X, W, a))


def test_circle_teacher_regression():
    X, y, Wt, at = data.circle_teacher_regression(25, rng=3)
    assert X.shape == (25, 2) and y.shape == (25,)
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1.0)
    X2, y2, _, _ = data.circle_teacher_regression(25, rng=3)
    np.testing.assert_array_equal(y, y2)
    _, y0, _, _ = data.circle_teacher_regression(25, rng=3, noise=0.0)
    assert objective(X, y0, Wt, at, 0.0) == pytest.approx(0.0, abs=1e-24)


def test_classification_sets_are_balanced():
    X, y = data.spiral_classification(40, rng=0)
    assert X.shape == (40, 2) and set(np.unique(y)) == {-1.0, 1.0} and y.sum() == 0
    X, y = data.gaussian_classification(30, 4, rng=0, separation=6.0)
    assert X.shape == (30, 4) and abs(y.sum()) <= 1
    assert np.mean(np.sign(X[:, 0]) == y) > 0.9  # well separated along the first axis


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: data.univariate_regression(1, rng=0), ValueError, "n must be >= 2"),
        (lambda: data.univariate_regression(5, rng=0, low=1.0, high=0.0), ValueError, "high"),
        (lambda: data.teacher_regression(5, 0, 2, rng=0), ValueError, "d must be >= 1"),
        (lambda: data.circle_teacher_regression(0, rng=0), ValueError, "n must be >= 1"),
        (lambda: data.spiral_classification(5, rng=0), ValueError, "n must be even"),
        (lambda: data.gaussian_classification(10, 2, rng=0.5), TypeError, "rng"),
        (lambda: data.teacher_regression(5, 2, 2, rng=0, noise=-1.0), ValueError, "noise"),
    ],
)
def test_bad_input_raises_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()
