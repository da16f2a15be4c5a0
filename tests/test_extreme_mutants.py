"""twolayer.extreme: the argument checks and the behaviour that mutation testing found untested
(tests/MUTATION.md, section "extreme"). Every expected number is computed by hand in a comment
or independently of the library (NumPy)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from twolayer import extreme

E2 = np.eye(3)[:2]  # whitened: two orthonormal rows in R^3
PLANE = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])  # three vertices of a triangle
GEN = np.random.default_rng(5)
XG, YG = GEN.standard_normal((4, 6)), GEN.standard_normal(4)


def _full(message):
    return "^" + re.escape(message) + "$"


BAD = [
    # geometry
    (lambda: extreme.spike_excess(PLANE, [[1.0, 0.0], [0.0, 0.0]]), ValueError,
     _full("U must have nonzero rows (directions)")),
    (lambda: extreme.spike_excess(PLANE, [[1.0, 0.0, 0.0]]), ValueError,
     "^U must have length 2 along axis 1"),
    (lambda: extreme.spike_excess(np.ones(3), [[1.0]]), ValueError, "^X must be 2-dimensional"),
    (lambda: extreme.is_spike_free(np.ones(3), rng=0), ValueError, "^X must be 2-dimensional"),
    (lambda: extreme.is_spike_free(PLANE, rng=0, num=0), ValueError,
     _full("num must be >= 1, got 0")),
    (lambda: extreme.is_spike_free(PLANE, rng=0, tol=-1.0), ValueError,
     _full("tol must be >= 0.0, got -1.0")),
    (lambda: extreme.is_spike_free(PLANE, rng="0"), TypeError, "^rng must"),
    (lambda: extreme.rectified_ellipsoid_2d(np.eye(3)), ValueError,
     "^X must have length 2 along axis 0"),
    (lambda: extreme.rectified_ellipsoid_2d(np.eye(2), num=15), ValueError,
     _full("num must be >= 16, got 15")),
    (lambda: extreme.rectified_ellipsoid_2d([[1.0, 2.0], [2.0, 4.0]]), ValueError,
     _full("X must have two linearly independent rows, got a singular matrix")),
    # det 1e-13 against max|X|^2 = 1: singular relative to 1e-12
    (lambda: extreme.rectified_ellipsoid_2d([[1.0, 0.0], [1.0, 1e-13]]), ValueError,
     "^X must have two linearly independent rows"),
    (lambda: extreme.hull_vertices(np.ones((1, 2))), ValueError,
     _full("X must have at least 2 rows, got shape (1, 2)")),
    (lambda: extreme.hull_vertices(np.ones(2)), ValueError, "^X must be 2-dimensional"),
    (lambda: extreme.hull_vertices(PLANE, tol=-1.0), ValueError,
     _full("tol must be >= 0.0, got -1.0")),
    (lambda: extreme.autoencoder_neurons(np.ones((1, 2))), ValueError,
     _full("X must have at least 2 rows, got shape (1, 2)")),
    (lambda: extreme.autoencoder_neurons(np.ones(2)), ValueError, "^X must be 2-dimensional"),
    (lambda: extreme.autoencoder_neurons(PLANE, tol=-1.0), ValueError,
     _full("tol must be >= 0.0, got -1.0")),
    (lambda: extreme.autoencoder_neurons(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0],
                                                   [0.2, 0.2]])), ValueError,
     r"^X must have every sample outside the convex hull of the others \(Theorem 6\); "
     r"sample 3 lies in it \(distance [0-9.e+-]+\)$"),
    # closed forms
    (lambda: extreme.whitened_regression(np.zeros((0, 3)), np.zeros(0), 0.1), ValueError,
     _full("X must be whitened, X X^T = I_n, which needs 1 <= n <= d; got shape (0, 3)")),
    (lambda: extreme.whitened_regression(np.eye(3)[:2].T, np.zeros(3), 0.1), ValueError,
     _full("X must be whitened, X X^T = I_n, which needs 1 <= n <= d; got shape (3, 2)")),
    (lambda: extreme.whitened_regression(np.ones(3), np.zeros(1), 0.1), ValueError,
     "^X must be 2-dimensional"),
    (lambda: extreme.whitened_regression(E2, [1.0, 2.0], 0.1, tol=-1.0), ValueError,
     _full("tol must be >= 0.0, got -1.0")),
    # 2 E2 has X X^T = 4 I: the largest deviation is 3
    (lambda: extreme.whitened_regression(2 * E2, [1.0, 2.0], 0.1), ValueError,
     _full("X must be whitened, X X^T = I_n within tol = 1e-08; got a largest deviation of 3 "
           "(whiten it first, e.g. with twolayer.extreme.whiten)")),
    (lambda: extreme.whitened_regression(E2, [1.0, 2.0, 3.0], 0.1), ValueError,
     "^X and y must have the same number of rows"),
    (lambda: extreme.whitened_regression(E2, np.ones((2, 1)), 0.1), ValueError,
     "^y must be 1-dimensional"),
    # ||(y)_+|| = 1 and beta = 1: at the threshold
    (lambda: extreme.whitened_regression(E2, [1.0, -2.0], 1.0, strict=True), ValueError,
     _full("beta = 1 is at or above the threshold ||(+-y)_+[0]|| = 1: that neuron is dropped "
           "from the optimal network (pass strict=False to allow it)")),
    (lambda: extreme.whitened_multiclass(E2, np.array([[1.0, 0.0], [0.0, 2.0]]), 2.0,
                                         strict=True), ValueError,
     _full("beta = 2 is at or above the threshold ||Y[:, k][0]|| = 1: that neuron is dropped "
           "from the optimal network (pass strict=False to allow it)")),
    (lambda: extreme.whitened_multiclass(E2, np.ones(2), 0.1), ValueError,
     "^Y must be 2-dimensional"),
    (lambda: extreme.whitened_multiclass(E2, np.ones((3, 2)), 0.1), ValueError,
     "^X and Y must have the same number of rows"),
    (lambda: extreme.whitened_multiclass(E2, np.eye(2), 0.0), ValueError,
     _full("beta must be > 0.0, got 0.0")),
    (lambda: extreme.whitened_multiclass(E2, np.array([[1.0, 0.0], [0.0, -1.0]]), 0.1),
     ValueError, _full("Y must be nonnegative with at most one nonzero entry per row (one-hot "
                       "labels): Theorem 15 needs columns with disjoint supports")),
    (lambda: extreme.whitened_multiclass(2 * E2, np.eye(2), 0.1), ValueError,
     "^X must be whitened"),
    (lambda: extreme.whitened_classification(E2, [1.0, 0.5], 0.1), ValueError,
     # the value is shown by its repr (NumPy 2: np.float64(0.5))
     r"^y must hold labels in \{-1, \+1\}, got y\[1\] = (np\.float64\()?0\.5\)?$"),
    (lambda: extreme.whitened_classification(E2, [1.0, 1.0, 1.0], 0.1), ValueError,
     "^X and y must have the same number of rows"),
    (lambda: extreme.whitened_classification(E2, np.ones((2, 1)), 0.1), ValueError,
     "^y must be 1-dimensional"),
    (lambda: extreme.whitened_classification(E2, [1.0, 1.0], 1.5, strict=True), ValueError,
     _full("beta = 1.5 is at or above the threshold sqrt(n_+) = 1.41421 of the +1 class: its "
           "neuron is dropped from the optimal network (pass strict=False to allow it)")),
    (lambda: extreme.hinge_objective(E2, [1.0, -1.0], np.ones((1, 2)), [1.0], 0.1), ValueError,
     "^W must have length 3 along axis 1"),
    (lambda: extreme.hinge_objective(E2, [1.0, -1.0], np.ones((1, 3)), [1.0, 2.0], 0.1),
     ValueError, "^a must have length 1 along axis 0"),
    (lambda: extreme.hinge_objective(E2, [1.0, -1.0], np.ones((1, 3)), [1.0], -0.1), ValueError,
     _full("beta must be >= 0.0, got -0.1")),
    (lambda: extreme.hinge_objective(E2, [1.0, -1.0], np.ones((1, 3)), [1.0], 0.1, b=[1.0, 2.0]),
     ValueError, "^b must have length 1 along axis 0"),
    (lambda: extreme.hinge_objective(np.ones(3), [1.0], np.ones((1, 3)), [1.0], 0.1), ValueError,
     "^X must be 2-dimensional"),
    (lambda: extreme.hinge_convex_program(E2, [1.0, -1.0], 0.0, np.ones((1, 2), bool)),
     ValueError, _full("beta must be > 0.0, got 0.0")),
    (lambda: extreme.hinge_convex_program(E2, [1.0, 2.0], 0.1, np.ones((1, 2), bool)),
     ValueError, "^y must hold labels"),
    (lambda: extreme.hinge_convex_program(np.ones(2), [1.0], 0.1, np.ones((1, 2), bool)),
     ValueError, "^X must be 2-dimensional"),
    (lambda: extreme.hinge_convex_program(E2, [1.0, -1.0], 0.1, np.ones((1, 3), bool)),
     ValueError, "^patterns must have shape"),
    (lambda: extreme.whitened_optimal_value(np.ones((2, 2, 2)), 0.1), ValueError,
     _full("Y must be 1- or 2-dimensional, got shape (2, 2, 2)")),
    (lambda: extreme.whitened_optimal_value(-np.eye(2), 0.1), ValueError,
     _full("Y must be nonnegative with at most one nonzero entry per row")),
    (lambda: extreme.whitened_optimal_value(np.ones((2, 2)), 0.1), ValueError,
     _full("Y must be nonnegative with at most one nonzero entry per row")),
    (lambda: extreme.whitened_optimal_value(np.ones(2), 0.0), ValueError,
     _full("beta must be > 0.0, got 0.0")),
    (lambda: extreme.multiclass_objective(np.ones(3), np.eye(2), np.ones((1, 3)), np.ones((1, 2)),
                                          0.1), ValueError, "^X must be 2-dimensional"),
    (lambda: extreme.multiclass_objective(E2, np.ones(2), np.ones((1, 3)), np.ones((1, 2)), 0.1),
     ValueError, "^Y must be 2-dimensional"),
    (lambda: extreme.multiclass_objective(E2, np.eye(3), np.ones((1, 3)), np.ones((1, 3)), 0.1),
     ValueError, "^X and Y must have the same number of rows"),
    (lambda: extreme.multiclass_objective(E2, np.eye(2), np.ones((1, 2)), np.ones((1, 2)), 0.1),
     ValueError, "^W must have length 3 along axis 1"),
    (lambda: extreme.multiclass_objective(E2, np.eye(2), np.ones((1, 3)), np.ones((2, 2)), 0.1),
     ValueError, "^A must have length 1 along axis 0"),
    (lambda: extreme.multiclass_objective(E2, np.eye(2), np.ones((1, 3)), np.ones((1, 3)), 0.1),
     ValueError, "^A must have length 2 along axis 1"),
    (lambda: extreme.multiclass_objective(E2, np.eye(2), np.ones((1, 3)), np.ones((1, 2)), -1.0),
     ValueError, _full("beta must be >= 0.0, got -1.0")),
    (lambda: extreme.whiten(np.ones(3)), ValueError, "^X must be 2-dimensional"),
    (lambda: extreme.whiten(E2, rcond=0.0), ValueError, _full("rcond must be > 0.0, got 0.0")),
    (lambda: extreme.whiten(E2, rcond=1.5), ValueError, _full("rcond must be <= 1.0, got 1.5")),
    (lambda: extreme.whiten(np.zeros((0, 3))), ValueError,
     _full("X must have 1 <= n <= d to be whitened, got shape (0, 3)")),
    (lambda: extreme.whiten(np.ones((3, 2))), ValueError,
     _full("X must have 1 <= n <= d to be whitened, got shape (3, 2)")),
    # singular values 1 and 1e-3 (ratio 1e-3 <= rcond = 1e-2)
    (lambda: extreme.whiten(np.diag([1.0, 1e-3]), rcond=1e-2), ValueError,
     _full("X must have linearly independent rows to be whitened; its smallest singular value "
           "is 0.001 (largest 1)")),
    (lambda: extreme.rank_one_network(np.zeros((3, 2)), np.ones(3), 0.1), ValueError,
     _full("X must be rank one, X = c a^T with c >= 0; got X = 0")),
    # singular values 2 and 1: the second is 0.5 times the first
    (lambda: extreme.rank_one_network(np.diag([2.0, 1.0]), np.ones(2), 0.1), ValueError,
     _full("X must be rank one, X = c a^T, within tol = 1e-10: its second singular value is "
           "0.5 times the first")),
    (lambda: extreme.rank_one_network(np.outer([1.0, -1.0, 2.0], [1.0, 0.0]), np.ones(3), 0.1),
     ValueError, _full("X = c a^T must have c >= 0 (all samples on one side of the origin along "
                       "a); got an entry of c of -1")),
    (lambda: extreme.rank_one_network(np.outer([1.0, 2.0], [1.0, 0.0]), np.ones(2), 0.1,
                                      tol=-1.0), ValueError, _full("tol must be >= 0.0, got -1.0")),
    (lambda: extreme.rank_one_network(np.outer([1.0, 2.0], [1.0, 0.0]), np.ones(2), 0.0),
     ValueError, "^beta must be > 0"),
    # cutting
    (lambda: extreme.spike_free_cutting_plane(XG, YG, 0.1, rng=0, max_iter=0), ValueError,
     _full("max_iter must be >= 1, got 0")),
    (lambda: extreme.spike_free_cutting_plane(XG, YG, 0.1, rng=0, tol=-1.0), ValueError,
     _full("tol must be >= 0.0, got -1.0")),
    (lambda: extreme.spike_free_cutting_plane(XG, YG, 0.1, rng=0, num_random=0), ValueError,
     _full("num_random must be >= 1, got 0")),
    (lambda: extreme.spike_free_cutting_plane(XG, YG, 0.1, rng=0, bias=None), TypeError,
     _full("bias must be True or False, got None")),
    (lambda: extreme.spike_free_cutting_plane(XG, YG, 0.1, rng="x"), TypeError, "^rng must"),
    (lambda: extreme.random_direction_check(np.ones(3), np.ones(3), 0.1, 0), ValueError,
     "^X must be 2-dimensional"),
    (lambda: extreme.random_direction_check(XG, np.ones(3), 0.1, 0), ValueError,
     "^v must have length 4 along axis 0"),
    (lambda: extreme.random_direction_check(XG, YG, 0.0, 0), ValueError,
     _full("beta must be > 0.0, got 0.0")),
    (lambda: extreme.random_direction_check(XG, YG, 0.1, 0, num=0), ValueError,
     _full("num must be >= 1, got 0")),
    (lambda: extreme.random_direction_check(XG, YG, 0.1, "0"), TypeError, "^rng must"),
    # experiments
    (lambda: extreme.gd_against_closed_form(E2, [1.0, 2.0], 0.1, kind="other", m=2, scales=[1.0],
                                            runs=1, rng=0, lr=0.1, steps=1), ValueError,
     _full("kind must be 'whitened' or 'rank_one', got 'other'")),
    (lambda: extreme.gd_against_closed_form(E2, [1.0, 2.0], 0.1, kind="whitened", m=0,
                                            scales=[1.0], runs=1, rng=0, lr=0.1, steps=1),
     ValueError, _full("m must be >= 1, got 0")),
    (lambda: extreme.gd_against_closed_form(E2, [1.0, 2.0], 0.1, kind="whitened", m=1,
                                            scales=[1.0], runs=0, rng=0, lr=0.1, steps=1),
     ValueError, _full("runs must be >= 1, got 0")),
    (lambda: extreme.gd_against_closed_form(E2, [1.0, 2.0], 0.1, kind="whitened", m=1,
                                            scales=[], runs=1, rng=0, lr=0.1, steps=1),
     ValueError, _full("scales must be a nonempty list of positive numbers, got []")),
    (lambda: extreme.gd_against_closed_form(E2, [1.0, 2.0], 0.1, kind="whitened", m=1,
                                            scales=[1.0, 0.0], runs=1, rng=0, lr=0.1, steps=1),
     ValueError, _full("scales must be a nonempty list of positive numbers, got [1. 0.]")),
    (lambda: extreme.gd_against_closed_form(E2, [1.0, 2.0], 0.1, kind="whitened", m=1,
                                            scales=[[1.0]], runs=1, rng=0, lr=0.1, steps=1),
     ValueError, "^scales must be 1-dimensional"),
    (lambda: extreme.gd_against_closed_form(2 * E2, [1.0, 2.0], 0.1, kind="whitened", m=1,
                                            scales=[1.0], runs=1, rng=0, lr=0.1, steps=1),
     ValueError, "^X must be whitened, X X\\^T = I_n within tol = 1e-08"),
    (lambda: extreme.gd_against_closed_form(np.eye(2), [1.0, 2.0], 0.1, kind="rank_one", m=1,
                                            scales=[1.0], runs=1, rng=0, lr=0.1, steps=1),
     ValueError, "^X must be rank one, X = c a\\^T, within tol = 1e-10"),
    (lambda: extreme.classification_regions([0.0, 1.0], [1.0, 0.0], [0.5]), ValueError,
     _full("y must hold labels +1 and -1")),
    (lambda: extreme.classification_regions([0.0, 0.0], [1.0, -1.0], [0.5]), ValueError,
     _full("x must hold distinct samples")),
    (lambda: extreme.classification_regions(np.ones((2, 1)), [1.0, -1.0], [0.5]), ValueError,
     "^x must be 1-dimensional"),
    (lambda: extreme.classification_regions([0.0, 1.0], [1.0, -1.0, 1.0], [0.5]), ValueError,
     "^y must have length 2 along axis 0"),
    (lambda: extreme.classification_regions([0.0, 1.0], [1.0, -1.0], [[0.5]]), ValueError,
     "^grid must be 1-dimensional"),
    # relaxation
    (lambda: extreme.cutting_vs_sampling(XG, YG, 0.1, num_directions=[], rng=0), ValueError,
     _full("num_directions must be a nonempty list of integers")),
    (lambda: extreme.cutting_vs_sampling(XG, YG, 0.1, num_directions=[2, 0], rng=0), ValueError,
     _full("num_directions must be >= 1, got 0")),
    (lambda: extreme.cutting_vs_sampling(XG, YG, 0.1, num_directions=[2], rng=0, num_random=0),
     ValueError, _full("num_random must be >= 1, got 0")),
    (lambda: extreme.cutting_vs_sampling(XG, YG, 0.1, num_directions=[2], rng="0"), TypeError,
     "^rng must"),
    (lambda: extreme.gaussian_relaxation_gap(1, [2], 0.1, 0), ValueError,
     _full("n must be >= 2, got 1")),
    (lambda: extreme.gaussian_relaxation_gap(3, [2, 1], 0.1, 0), ValueError,
     _full("dims must be >= 2, got 1")),
    (lambda: extreme.gaussian_relaxation_gap(3, [], 0.1, 0), ValueError,
     _full("dims must be a nonempty list of integers")),
    (lambda: extreme.gaussian_relaxation_gap(3, [2], 0.0, 0), ValueError,
     _full("beta must be > 0.0, got 0.0")),
    (lambda: extreme.gaussian_relaxation_gap(3, [2], 0.1, 0, max_iter=0), ValueError,
     _full("max_iter must be >= 1, got 0")),
    (lambda: extreme.gaussian_relaxation_gap(3, [2], 0.1, 0, rounds=0), ValueError,
     _full("rounds must be >= 1, got 0")),
    (lambda: extreme.gaussian_relaxation_gap(3, [2], 0.1, 0, num_search=0), ValueError,
     _full("num_search must be >= 1, got 0")),
    (lambda: extreme.gaussian_relaxation_gap(3, [2], 0.1, 0, top=0), ValueError,
     _full("top must be >= 1, got 0")),
    (lambda: extreme.gaussian_relaxation_gap(3, [2], 0.1, "0"), TypeError, "^rng must"),
]


@pytest.mark.parametrize("call, error, match", BAD)
def test_each_bad_argument_is_named_at_the_start_of_its_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_the_smallest_documented_settings_are_accepted():
    assert extreme.is_spike_free(E2, rng=0, num=1, tol=0.0) in (True, False)
    assert extreme.rectified_ellipsoid_2d(np.eye(2), num=16).theta.size == 16
    assert extreme.hull_vertices(PLANE[:2], tol=0.0).tolist() == [True, True]
    U, b = extreme.autoencoder_neurons(PLANE[:2], tol=0.0)
    assert U.shape == (2, 2) and b.shape == (2,)
    assert extreme.random_direction_check(XG, YG, 0.1, 0, num=1) >= 0.0
    res = extreme.spike_free_cutting_plane(E2, [1.0, -1.0], 0.1, rng=0, max_iter=1, tol=0.0,
                                           num_random=1)
    assert res.num_random == 1 and res.values.size <= 2
    # a nearly singular but well-scaled pair: det 1e-11 against max|X|^2 = 1
    assert extreme.rectified_ellipsoid_2d([[1.0, 0.0], [1.0, 1e-11]]).X.shape == (2, 2)
    # a small pair is not singular: det 1e-16 against max|X|^2 = 1e-16
    assert extreme.rectified_ellipsoid_2d(1e-8 * np.eye(2)).spike_free


def test_the_documented_defaults():
    # random_direction_check: 20000 directions of the generator seeded by rng, normalized
    U = np.random.default_rng(3).standard_normal((20000, 6))
    U /= np.linalg.norm(U, axis=1, keepdims=True)
    direct = np.abs(np.maximum(U @ XG.T, 0.0) @ YG).max() / 0.7
    assert extreme.random_direction_check(XG, YG, 0.7, 3) == pytest.approx(direct, rel=1e-14)
    # spike_free_cutting_plane: 20000 random directions; rectified_ellipsoid_2d: 721 angles
    X, y = np.eye(4)[:3], np.array([1.0, -2.0, 0.5])
    assert extreme.spike_free_cutting_plane(X, y, 0.1, rng=0).num_random == 20000
    assert extreme.rectified_ellipsoid_2d(np.eye(2)).theta.size == 721


def test_hinge_and_multiclass_objectives_by_hand():
    X = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    y = np.array([1.0, -1.0, 1.0])
    W = np.array([[1.0, -1.0], [0.0, 1.0]])
    a = np.array([2.0, -0.5])
    b = np.array([0.5, -1.0])
    # pre-activations X W^T + b: [[1.5, -1], [-1.5, 1], [0.5, 0]]; f = relu(.) a = [3, -0.5, 1]
    # hinge: max(0, 1 - y f) = [0, 0.5, 0]; ||W||^2 + ||a||^2 = 3 + 4.25
    assert extreme.hinge_objective(X, y, W, a, 0.2, b=b) == pytest.approx(0.5 + 0.1 * 7.25)
    # without biases: X W^T = [[1, 0], [-2, 2], [0, 1]]; f = [2, -1, -0.5]; hinge [0, 0, 1.5]
    assert extreme.hinge_objective(X, y, W, a, 0.2) == pytest.approx(1.5 + 0.1 * 7.25)
    # two outputs: relu(X W^T) A = [[1, 0], [0, 2], [0, 1]] @ A
    A = np.array([[1.0, 2.0], [-1.0, 0.5]])
    Y = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    F = np.array([[1.0, 2.0], [-2.0, 1.0], [-1.0, 0.5]])
    loss = 0.5 * np.sum((F - Y) ** 2)  # 0.5 (0 + 4 + 4 + 0 + 1 + 0.25) = 4.625
    penalty = 0.5 * 0.2 * (3.0 + 6.25)
    assert extreme.multiclass_objective(X, Y, W, A, 0.2) == pytest.approx(loss + penalty)
    assert loss == 4.625


def test_whitened_optimal_value_on_both_sides_of_each_threshold():
    # ||y_+|| = 5 > beta = 2 (2 * 5 - 2) and ||y_-|| = 1 < 2 (1 / 2): 8.5
    y = np.array([3.0, 4.0, -1.0])
    assert extreme.whitened_optimal_value(y, 2.0) == pytest.approx(8.5, rel=1e-14)
    # at beta = ||y_-|| both expressions give beta^2 / 2: the value is continuous
    assert extreme.whitened_optimal_value(y, 1.0) == pytest.approx(5.0 - 0.5 + 0.5, rel=1e-14)
    Y = np.array([[3.0, 0.0], [4.0, 0.0], [0.0, 1.0]])
    assert extreme.whitened_optimal_value(Y, 2.0) == pytest.approx(8.5, rel=1e-14)


def test_thresholds_drop_a_neuron_at_equality_and_strict_ignores_an_empty_sign():
    y = np.array([1.0, -2.0])  # ||y_+|| = 1, ||y_-|| = 2
    W, a = extreme.whitened_regression(E2, y, 1.0)  # beta at the threshold of y_+
    assert a.tolist() == [-1.0]  # only the negative neuron, weight -sqrt(2 - 1)
    np.testing.assert_allclose(W, [[0.0, 1.0, 0.0]], atol=1e-15)  # X^T y_- / ||y_-||
    # y >= 0 has no negative part: its (zero) threshold does not count for strict
    W, a = extreme.whitened_regression(E2, [1.0, 2.0], 0.5, strict=True)
    assert a.size == 1
    Wm, A = extreme.whitened_multiclass(E2, np.array([[1.0, 0.0], [0.0, 0.0]]), 0.5,
                                        strict=True)
    np.testing.assert_allclose(A, [[np.sqrt(0.5), 0.0]])
    np.testing.assert_allclose(Wm, [[np.sqrt(0.5), 0.0, 0.0]])
    # hinge: n_+ = 2 (sqrt 2 > beta = 1) and no -1 class at all, whose threshold does not
    # count for strict; weight n_+^(1/4)
    Wc, ac = extreme.whitened_classification(E2, [1.0, 1.0], 1.0)
    assert ac.tolist() == [2.0**0.25]
    Wc, ac = extreme.whitened_classification(E2, [1.0, 1.0], 1.2, strict=True)
    assert ac.tolist() == [2.0**0.25]
    # n_+ = n_- = 1: beta = 1 is at both thresholds, the first named; both neurons dropped
    with pytest.raises(ValueError, match=r"^beta = 1 is at or above the threshold sqrt\(n_\+\)"):
        extreme.whitened_classification(E2, [1.0, -1.0], 1.0, strict=True)
    Wc, ac = extreme.whitened_classification(E2, [1.0, -1.0], 1.0)
    assert ac.size == 0 and Wc.shape == (0, 3)


def test_rank_one_network_returns_a_constant_as_one_far_unit():
    # y constant: the lasso's optimum is w = 0 with the offset t = 2, which no neuron active
    # on every sample can absorb: one unit w = 0, b = 1e6, a = 2 / 1e6
    X = np.outer([0.5, 1.0, 2.0], [0.6, 0.8])
    W, b, a = extreme.rank_one_network(X, 2.0 * np.ones(3), 0.5)
    assert W.shape == (1, 2) and np.all(W == 0.0)
    assert b.tolist() == [1e6]
    assert a[0] == pytest.approx(2e-6, rel=1e-7)


def test_is_spike_free_exact_conditions_on_both_sides():
    assert extreme.is_spike_free(np.zeros((3, 2)), rng=0)  # X = 0: Q_X = {0}
    # rank one X = c a^T: spike-free when c has one sign (up to that of a), not otherwise
    assert extreme.is_spike_free(np.outer([-1.0, -2.0, -0.5], [1.0, -1.0]), rng=0)
    assert not extreme.is_spike_free(np.outer([1.0, -2.0, 0.5], [1.0, -1.0]), rng=0)
    # a column: s.size == 1
    assert extreme.is_spike_free(np.array([[1.0], [2.0]]), rng=0)
    assert not extreme.is_spike_free(np.array([[1.0], [-2.0]]), rng=0)
    # whitened within tol only
    Xw = np.eye(3)[:2] * (1 + 1e-6)
    assert extreme.is_spike_free(Xw, rng=0, tol=1e-5)
