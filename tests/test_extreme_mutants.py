"""twolayer.extreme: the argument checks and the behaviour that mutation testing found untested
(tests/MUTATION.md, section "extreme"). Every expected number is computed by hand in a comment
or independently of the library (NumPy)."""

from __future__ import annotations

import numpy as np
import pytest

from twolayer import extreme

from .messages import exactly

E2 = np.eye(3)[:2]  # whitened: two orthonormal rows in R^3
PLANE = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])  # three vertices of a triangle
GEN = np.random.default_rng(5)
XG, YG = GEN.standard_normal((4, 6)), GEN.standard_normal(4)


def _digits(**kw):
    args = dict(n_train=4, beta=0.1, runs=1, rng=0, m=2, steps=0, batch_size=2)
    args.update(kw)
    return lambda: extreme.digits_experiment(**args)


BAD = [
    # geometry
    (lambda: extreme.spike_excess(PLANE, [[1.0, 0.0], [0.0, 0.0]]), ValueError,
     exactly("U must have nonzero rows (directions)")),
    (lambda: extreme.spike_excess(PLANE, [[1.0, 0.0, 0.0]]), ValueError,
     "^U must have length 2 along axis 1"),
    (lambda: extreme.spike_excess(np.ones(3), [[1.0]]), ValueError, "^X must be 2-dimensional"),
    (lambda: extreme.is_spike_free(np.ones(3), rng=0), ValueError, "^X must be 2-dimensional"),
    (lambda: extreme.is_spike_free(PLANE, rng=0, num=0), ValueError,
     exactly("num must be >= 1, got 0")),
    (lambda: extreme.is_spike_free(PLANE, rng=0, tol=-1.0), ValueError,
     exactly("tol must be >= 0.0, got -1.0")),
    (lambda: extreme.is_spike_free(PLANE, rng="0"), TypeError, "^rng must"),
    (lambda: extreme.rectified_ellipsoid_2d(np.eye(3)), ValueError,
     "^X must have length 2 along axis 0"),
    (lambda: extreme.rectified_ellipsoid_2d(np.eye(2), num=15), ValueError,
     exactly("num must be >= 16, got 15")),
    (lambda: extreme.rectified_ellipsoid_2d([[1.0, 2.0], [2.0, 4.0]]), ValueError,
     exactly("X must have two linearly independent rows, got a singular matrix")),
    # det 1e-13 against max|X|^2 = 1: singular relative to 1e-12
    (lambda: extreme.rectified_ellipsoid_2d([[1.0, 0.0], [1.0, 1e-13]]), ValueError,
     "^X must have two linearly independent rows"),
    (lambda: extreme.hull_vertices(np.ones((1, 2))), ValueError,
     exactly("X must have at least 2 rows, got shape (1, 2)")),
    (lambda: extreme.hull_vertices(np.ones(2)), ValueError, "^X must be 2-dimensional"),
    (lambda: extreme.hull_vertices(PLANE, tol=-1.0), ValueError,
     exactly("tol must be >= 0.0, got -1.0")),
    (lambda: extreme.autoencoder_neurons(np.ones((1, 2))), ValueError,
     exactly("X must have at least 2 rows, got shape (1, 2)")),
    (lambda: extreme.autoencoder_neurons(np.ones(2)), ValueError, "^X must be 2-dimensional"),
    (lambda: extreme.autoencoder_neurons(PLANE, tol=-1.0), ValueError,
     exactly("tol must be >= 0.0, got -1.0")),
    (lambda: extreme.autoencoder_neurons(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0],
                                                   [0.2, 0.2]])), ValueError,
     r"^X must have every sample outside the convex hull of the others \(Theorem 6\); "
     r"sample 3 lies in it \(distance [0-9.e+-]+\)$"),
    # closed forms
    (lambda: extreme.whitened_regression(np.zeros((0, 3)), np.zeros(0), 0.1), ValueError,
     exactly("X must be whitened, X X^T = I_n, which needs 1 <= n <= d; got shape (0, 3)")),
    (lambda: extreme.whitened_regression(np.eye(3)[:2].T, np.zeros(3), 0.1), ValueError,
     exactly("X must be whitened, X X^T = I_n, which needs 1 <= n <= d; got shape (3, 2)")),
    (lambda: extreme.whitened_regression(np.ones(3), np.zeros(1), 0.1), ValueError,
     "^X must be 2-dimensional"),
    (lambda: extreme.whitened_regression(E2, [1.0, 2.0], 0.1, tol=-1.0), ValueError,
     exactly("tol must be >= 0.0, got -1.0")),
    # 2 E2 has X X^T = 4 I: the largest deviation is 3
    (lambda: extreme.whitened_regression(2 * E2, [1.0, 2.0], 0.1), ValueError,
     exactly("X must be whitened, X X^T = I_n within tol = 1e-08; got a largest deviation of 3 "
           "(whiten it first, e.g. with twolayer.extreme.whiten)")),
    (lambda: extreme.whitened_regression(E2, [1.0, 2.0, 3.0], 0.1), ValueError,
     "^X and y must have the same number of rows"),
    (lambda: extreme.whitened_regression(E2, np.ones((2, 1)), 0.1), ValueError,
     "^y must be 1-dimensional"),
    # ||(y)_+|| = 1 and beta = 1: at the threshold
    (lambda: extreme.whitened_regression(E2, [1.0, -2.0], 1.0, strict=True), ValueError,
     exactly("beta = 1 is at or above the threshold ||(+-y)_+[0]|| = 1: that neuron is dropped "
           "from the optimal network (pass strict=False to allow it)")),
    (lambda: extreme.whitened_multiclass(E2, np.array([[1.0, 0.0], [0.0, 2.0]]), 2.0,
                                         strict=True), ValueError,
     exactly("beta = 2 is at or above the threshold ||Y[:, k][0]|| = 1: that neuron is dropped "
           "from the optimal network (pass strict=False to allow it)")),
    (lambda: extreme.whitened_multiclass(E2, np.ones(2), 0.1), ValueError,
     "^Y must be 2-dimensional"),
    (lambda: extreme.whitened_multiclass(E2, np.ones((3, 2)), 0.1), ValueError,
     "^X and Y must have the same number of rows"),
    (lambda: extreme.whitened_multiclass(E2, np.eye(2), 0.0), ValueError,
     exactly("beta must be > 0.0, got 0.0")),
    (lambda: extreme.whitened_multiclass(E2, np.array([[1.0, 0.0], [0.0, -1.0]]), 0.1),
     ValueError, exactly("Y must be nonnegative with at most one nonzero entry per row (one-hot "
                       "labels): Theorem 15 needs columns with disjoint supports")),
    (lambda: extreme.whitened_multiclass(2 * E2, np.eye(2), 0.1), ValueError,
     "^X must be whitened"),
    (lambda: extreme.whitened_classification(E2, [1.0, 0.5], 0.1), ValueError,
     r"^y must hold labels in \{-1, \+1\}, got y\[1\] = 0\.5$"),
    (lambda: extreme.whitened_classification(E2, [1.0, 1.0, 1.0], 0.1), ValueError,
     "^X and y must have the same number of rows"),
    (lambda: extreme.whitened_classification(E2, np.ones((2, 1)), 0.1), ValueError,
     "^y must be 1-dimensional"),
    (lambda: extreme.whitened_classification(E2, [1.0, 1.0], 1.5, strict=True), ValueError,
     exactly("beta = 1.5 is at or above the threshold sqrt(n_+) = 1.41421 of the +1 class: its "
           "neuron is dropped from the optimal network (pass strict=False to allow it)")),
    (lambda: extreme.hinge_objective(E2, [1.0, -1.0], np.ones((1, 2)), [1.0], 0.1), ValueError,
     "^W must have length 3 along axis 1"),
    (lambda: extreme.hinge_objective(E2, [1.0, -1.0], np.ones((1, 3)), [1.0, 2.0], 0.1),
     ValueError, "^a must have length 1 along axis 0"),
    (lambda: extreme.hinge_objective(E2, [1.0, -1.0], np.ones((1, 3)), [1.0], -0.1), ValueError,
     exactly("beta must be >= 0.0, got -0.1")),
    (lambda: extreme.hinge_objective(E2, [1.0, -1.0], np.ones((1, 3)), [1.0], 0.1, b=[1.0, 2.0]),
     ValueError, "^b must have length 1 along axis 0"),
    (lambda: extreme.hinge_objective(np.ones(3), [1.0], np.ones((1, 3)), [1.0], 0.1), ValueError,
     "^X must be 2-dimensional"),
    (lambda: extreme.hinge_convex_program(E2, [1.0, -1.0], 0.0, np.ones((1, 2), bool)),
     ValueError, exactly("beta must be > 0.0, got 0.0")),
    (lambda: extreme.hinge_convex_program(E2, [1.0, 2.0], 0.1, np.ones((1, 2), bool)),
     ValueError, "^y must hold labels"),
    (lambda: extreme.hinge_convex_program(np.ones(2), [1.0], 0.1, np.ones((1, 2), bool)),
     ValueError, "^X must be 2-dimensional"),
    (lambda: extreme.hinge_convex_program(E2, [1.0, -1.0], 0.1, np.ones((1, 3), bool)),
     ValueError, "^patterns must have shape"),
    (lambda: extreme.whitened_optimal_value(np.ones((2, 2, 2)), 0.1), ValueError,
     exactly("Y must be 1- or 2-dimensional, got shape (2, 2, 2)")),
    (lambda: extreme.whitened_optimal_value(-np.eye(2), 0.1), ValueError,
     exactly("Y must be nonnegative with at most one nonzero entry per row")),
    (lambda: extreme.whitened_optimal_value(np.ones((2, 2)), 0.1), ValueError,
     exactly("Y must be nonnegative with at most one nonzero entry per row")),
    (lambda: extreme.whitened_optimal_value(np.ones(2), 0.0), ValueError,
     exactly("beta must be > 0.0, got 0.0")),
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
     ValueError, exactly("beta must be >= 0.0, got -1.0")),
    (lambda: extreme.whiten(np.ones(3)), ValueError, "^X must be 2-dimensional"),
    (lambda: extreme.whiten(E2, rcond=0.0), ValueError, exactly("rcond must be > 0.0, got 0.0")),
    (lambda: extreme.whiten(E2, rcond=1.5), ValueError, exactly("rcond must be <= 1.0, got 1.5")),
    (lambda: extreme.whiten(np.zeros((0, 3))), ValueError,
     exactly("X must have 1 <= n <= d to be whitened, got shape (0, 3)")),
    (lambda: extreme.whiten(np.ones((3, 2))), ValueError,
     exactly("X must have 1 <= n <= d to be whitened, got shape (3, 2)")),
    # singular values 1 and 1e-3 (ratio 1e-3 <= rcond = 1e-2)
    (lambda: extreme.whiten(np.diag([1.0, 1e-3]), rcond=1e-2), ValueError,
     exactly("X must have linearly independent rows to be whitened; its smallest singular value "
           "is 0.001 (largest 1)")),
    (lambda: extreme.rank_one_network(np.zeros((3, 2)), np.ones(3), 0.1), ValueError,
     exactly("X must be rank one, X = c a^T with c >= 0; got X = 0")),
    # singular values 2 and 1: the second is 0.5 times the first
    (lambda: extreme.rank_one_network(np.diag([2.0, 1.0]), np.ones(2), 0.1), ValueError,
     exactly("X must be rank one, X = c a^T, within tol = 1e-10: its second singular value is "
           "0.5 times the first")),
    (lambda: extreme.rank_one_network(np.outer([1.0, -1.0, 2.0], [1.0, 0.0]), np.ones(3), 0.1),
     ValueError, exactly("X = c a^T must have c >= 0 (all samples on one side of the origin along "
                       "a); got an entry of c of -1")),
    (lambda: extreme.rank_one_network(np.outer([1.0, 2.0], [1.0, 0.0]), np.ones(2), 0.1,
                                      tol=-1.0),
     ValueError, exactly("tol must be >= 0.0, got -1.0")),
    (lambda: extreme.rank_one_network(np.outer([1.0, 2.0], [1.0, 0.0]), np.ones(2), 0.0),
     ValueError, "^beta must be > 0"),
    # cutting
    (lambda: extreme.spike_free_cutting_plane(XG, YG, 0.1, rng=0, max_iter=0), ValueError,
     exactly("max_iter must be >= 1, got 0")),
    (lambda: extreme.spike_free_cutting_plane(XG, YG, 0.1, rng=0, tol=-1.0), ValueError,
     exactly("tol must be >= 0.0, got -1.0")),
    (lambda: extreme.spike_free_cutting_plane(XG, YG, 0.1, rng=0, num_random=0), ValueError,
     exactly("num_random must be >= 1, got 0")),
    (lambda: extreme.spike_free_cutting_plane(XG, YG, 0.1, rng=0, bias=None), TypeError,
     exactly("bias must be True or False, got None")),
    (lambda: extreme.spike_free_cutting_plane(XG, YG, 0.1, rng="x"), TypeError, "^rng must"),
    (lambda: extreme.random_direction_check(np.ones(3), np.ones(3), 0.1, 0), ValueError,
     "^X must be 2-dimensional"),
    (lambda: extreme.random_direction_check(XG, np.ones(3), 0.1, 0), ValueError,
     "^v must have length 4 along axis 0"),
    (lambda: extreme.random_direction_check(XG, YG, 0.0, 0), ValueError,
     exactly("beta must be > 0.0, got 0.0")),
    (lambda: extreme.random_direction_check(XG, YG, 0.1, 0, num=0), ValueError,
     exactly("num must be >= 1, got 0")),
    (lambda: extreme.random_direction_check(XG, YG, 0.1, "0"), TypeError, "^rng must"),
    # experiments
    (lambda: extreme.gd_against_closed_form(E2, [1.0, 2.0], 0.1, kind="other", m=2, scales=[1.0],
                                            runs=1, rng=0, lr=0.1, steps=1), ValueError,
     exactly("kind must be 'whitened' or 'rank_one', got 'other'")),
    (lambda: extreme.gd_against_closed_form(E2, [1.0, 2.0], 0.1, kind="whitened", m=0,
                                            scales=[1.0], runs=1, rng=0, lr=0.1, steps=1),
     ValueError, exactly("m must be >= 1, got 0")),
    (lambda: extreme.gd_against_closed_form(E2, [1.0, 2.0], 0.1, kind="whitened", m=1,
                                            scales=[1.0], runs=0, rng=0, lr=0.1, steps=1),
     ValueError, exactly("runs must be >= 1, got 0")),
    (lambda: extreme.gd_against_closed_form(E2, [1.0, 2.0], 0.1, kind="whitened", m=1,
                                            scales=[], runs=1, rng=0, lr=0.1, steps=1),
     ValueError, exactly("scales must be a nonempty list of positive numbers, got []")),
    (lambda: extreme.gd_against_closed_form(E2, [1.0, 2.0], 0.1, kind="whitened", m=1,
                                            scales=[1.0, 0.0], runs=1, rng=0, lr=0.1, steps=1),
     ValueError, exactly("scales must be a nonempty list of positive numbers, got [1. 0.]")),
    (lambda: extreme.gd_against_closed_form(E2, [1.0, 2.0], 0.1, kind="whitened", m=1,
                                            scales=[[1.0]], runs=1, rng=0, lr=0.1, steps=1),
     ValueError, "^scales must be 1-dimensional"),
    (lambda: extreme.gd_against_closed_form(2 * E2, [1.0, 2.0], 0.1, kind="whitened", m=1,
                                            scales=[1.0], runs=1, rng=0, lr=0.1, steps=1),
     ValueError, "^X must be whitened, X X\\^T = I_n within tol = 1e-08"),
    (lambda: extreme.gd_against_closed_form(np.eye(2), [1.0, 2.0], 0.1, kind="rank_one", m=1,
                                            scales=[1.0], runs=1, rng=0, lr=0.1, steps=1),
     ValueError, "^X must be rank one, X = c a\\^T, within tol = 1e-10"),
    (_digits(n_train=1), ValueError, exactly("n_train must be >= 2, got 1")),
    (_digits(beta=0.0), ValueError, exactly("beta must be > 0.0, got 0.0")),
    (_digits(runs=0), ValueError, exactly("runs must be >= 1, got 0")),
    (_digits(m=0), ValueError, exactly("m must be >= 1, got 0")),
    (_digits(lr=0.0), ValueError, exactly("lr must be > 0.0, got 0.0")),
    (_digits(steps=-1), ValueError, exactly("steps must be >= 0, got -1")),
    (_digits(batch_size=0), ValueError, exactly("batch_size must be >= 1, got 0")),
    (_digits(scale=0.0), ValueError, exactly("scale must be > 0.0, got 0.0")),
    (_digits(rng="0"), TypeError, "^rng must"),
    (lambda: extreme.classification_regions([0.0, 1.0], [1.0, 0.0], [0.5]), ValueError,
     exactly("y must hold labels +1 and -1")),
    (lambda: extreme.classification_regions([0.0, 0.0], [1.0, -1.0], [0.5]), ValueError,
     exactly("x must hold distinct samples")),
    (lambda: extreme.classification_regions(np.ones((2, 1)), [1.0, -1.0], [0.5]), ValueError,
     "^x must be 1-dimensional"),
    (lambda: extreme.classification_regions([0.0, 1.0], [1.0, -1.0, 1.0], [0.5]), ValueError,
     "^y must have length 2 along axis 0"),
    (lambda: extreme.classification_regions([0.0, 1.0], [1.0, -1.0], [[0.5]]), ValueError,
     "^grid must be 1-dimensional"),
    # relaxation
    (lambda: extreme.cutting_vs_sampling(XG, YG, 0.1, num_directions=[], rng=0), ValueError,
     exactly("num_directions must be a nonempty list of integers")),
    (lambda: extreme.cutting_vs_sampling(XG, YG, 0.1, num_directions=[2, 0], rng=0), ValueError,
     exactly("num_directions must be >= 1, got 0")),
    (lambda: extreme.cutting_vs_sampling(XG, YG, 0.1, num_directions=[2], rng=0, num_random=0),
     ValueError, exactly("num_random must be >= 1, got 0")),
    (lambda: extreme.cutting_vs_sampling(XG, YG, 0.1, num_directions=[2], rng="0"), TypeError,
     "^rng must"),
    (lambda: extreme.gaussian_relaxation_gap(1, [2], 0.1, 0), ValueError,
     exactly("n must be >= 2, got 1")),
    (lambda: extreme.gaussian_relaxation_gap(3, [2, 1], 0.1, 0), ValueError,
     exactly("dims must be >= 2, got 1")),
    (lambda: extreme.gaussian_relaxation_gap(3, [], 0.1, 0), ValueError,
     exactly("dims must be a nonempty list of integers")),
    (lambda: extreme.gaussian_relaxation_gap(3, [2], 0.0, 0), ValueError,
     exactly("beta must be > 0.0, got 0.0")),
    (lambda: extreme.gaussian_relaxation_gap(3, [2], 0.1, 0, max_iter=0), ValueError,
     exactly("max_iter must be >= 1, got 0")),
    (lambda: extreme.gaussian_relaxation_gap(3, [2], 0.1, 0, rounds=0), ValueError,
     exactly("rounds must be >= 1, got 0")),
    (lambda: extreme.gaussian_relaxation_gap(3, [2], 0.1, 0, num_search=0), ValueError,
     exactly("num_search must be >= 1, got 0")),
    (lambda: extreme.gaussian_relaxation_gap(3, [2], 0.1, 0, top=0), ValueError,
     exactly("top must be >= 1, got 0")),
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
    # c >= 0 with a zero entry (a sample at the origin) is still spike-free, in either sign of c
    for c in ([1.0, 0.0, 2.0], [-1.0, 0.0, -2.0], [0.0, 3.0, 1.0]):
        assert extreme.is_spike_free(np.outer(c, [1.0, -1.0]), rng=0)
    # near rank one: s_2 / s_1 = 3e-9 is within tol (relative to s_1, so at every scale),
    # although the perturbation's own spike (excess 3e-8 at scale 1) is above it
    a, a_perp = np.array([1.0, -1.0]) / np.sqrt(2), np.array([1.0, 1.0]) / np.sqrt(2)
    near = np.outer([1.0, 2.0, 0.5], a) + 5e-9 * np.outer([1.0, -1.0, -0.5], a_perp)
    assert all(extreme.is_spike_free(scale * near, rng=0) for scale in (1.0, 1e3))
    assert not extreme.is_spike_free(near, rng=0, tol=1e-10)
    # a column: s.size == 1 (with c >= 0 and a zero sample, which comes out as a c >= 0)
    assert extreme.is_spike_free(np.array([[1.0], [0.0], [2.0]]), rng=0)
    assert extreme.is_spike_free(np.array([[1.0], [2.0]]), rng=0)
    assert not extreme.is_spike_free(np.array([[1.0], [-2.0]]), rng=0)
    # whitened within tol only
    Xw = np.eye(3)[:2] * (1 + 1e-6)
    assert extreme.is_spike_free(Xw, rng=0, tol=1e-5)


def _numerical_gradient(f, P, h=1e-6):
    G = np.zeros_like(P)
    for i in np.ndindex(P.shape):
        E = np.zeros_like(P)
        E[i] = h
        G[i] = (f(P + E) - f(P - E)) / (2 * h)
    return G


@pytest.mark.parametrize("batch_size", [5, 2])
def test_one_sgd_step_of_the_digits_networks_follows_the_minibatch_objective(batch_size):
    from twolayer.extreme.experiments import _train_vector

    gen = np.random.default_rng(0)
    X, Y = gen.standard_normal((5, 3)), np.eye(2)[[0, 1, 0, 1, 1]]
    W, A = gen.standard_normal((1, 4, 3)), gen.standard_normal((1, 4, 2))
    beta, lr = 0.3, 0.01
    W1, A1 = _train_vector(X, Y, W, A, beta, lr, 1, batch_size, np.random.default_rng(1))
    # the batch: the first batch_size of a random permutation drawn by the same generator
    idx = np.argsort(np.random.default_rng(1).random((1, 5)), axis=1)[0, :batch_size]
    w = 5 / batch_size  # the minibatch loss, scaled to the whole sample, with the full penalty

    def objective(P, Q):
        return w * extreme.multiclass_objective(X[idx], Y[idx], P, Q, beta / w)

    gW = _numerical_gradient(lambda P: objective(P, A[0]), W[0])
    gA = _numerical_gradient(lambda Q: objective(W[0], Q), A[0])
    np.testing.assert_allclose(W1[0], W[0] - lr * gW, atol=1e-9)
    np.testing.assert_allclose(A1[0], A[0] - lr * gA, atol=1e-9)
    assert W1.shape == W.shape and not np.shares_memory(W1, W)
    with np.errstate(all="ignore"), pytest.raises(
            FloatingPointError, match=r"^SGD diverged; lower lr \(got 1e\+200\)$"):
        _train_vector(X, Y, W, A, beta, 1e200, 3, batch_size, np.random.default_rng(1))


def test_classification_regions_against_an_independent_linear_program_and_the_ntk():
    from scipy.optimize import linprog

    from twolayer import gaussian

    x = np.array([-1.0, -0.6, -0.2, 0.1, 0.5, 0.9])
    y = np.array([1.0, 1.0, -1.0, -1.0, 1.0, -1.0])
    grid = np.linspace(-1.2, 1.2, 241)
    res = extreme.classification_regions(x, y, grid)
    # min ||w||_1 s.t. y_i (K w + t)_i >= 1 with w = w+ - w-, by SciPy's HiGHS
    K = np.hstack([np.maximum(x[:, None] - x, 0), np.maximum(x - x[:, None], 0)])
    cost = np.r_[np.ones(24), 0.0]
    A_ub = -(y[:, None] * np.hstack([K, -K, np.ones((6, 1))]))
    lp = linprog(cost, A_ub=A_ub, b_ub=-np.ones(6), bounds=[(0, None)] * 24 + [(None, None)])
    assert res.path_norm == pytest.approx(lp.fun, rel=1e-7)
    assert np.all(y * np.interp(x, grid, res.network) >= 1 - 1e-6)
    # the NTK of relu on (x, 1): (z . z') k0 + k1 with the arc-cosine kernels of
    # twolayer.gaussian (a common factor 2 of both cancels in the interpolant)
    Z, G = np.column_stack([x, np.ones(6)]), np.column_stack([grid, np.ones_like(grid)])

    def kernel(P, Q):
        return (P @ Q.T) * gaussian.arccos_kernel0(P, Q) + gaussian.arccos_kernel(P, Q)

    f = kernel(G, Z) @ np.linalg.solve(kernel(Z, Z), y)
    np.testing.assert_allclose(res.ntk, f, atol=1e-5 * np.abs(f).max())
    for values, changes in ((res.network, res.network_changes), (res.ntk, res.ntk_changes)):
        assert changes == np.count_nonzero(np.sign(values[1:]) != np.sign(values[:-1]))
    assert res.network_changes == 3  # + + | - - | + | -: three boundaries
    assert res.x is not None and res.y.tolist() == y.tolist() and res.grid.size == 241
    assert set(res.knots) <= set(x) and res.knots.size >= 1


def test_gaussian_relaxation_gap_draws_its_documented_data_and_runs_the_cutting_plane_on_it():
    beta, n, d = 0.3, 12, 30
    res = extreme.gaussian_relaxation_gap(n, [d], beta, rng=3, max_iter=8, rounds=2,
                                          num_search=200, top=3)
    # the data of the docstring, drawn first from the generator: x ~ N(0, I/d), a planted
    # teacher of two unit neurons scaled by sqrt(d), noise 0.1 N(0, 1); then the cutting plane
    # with one random direction for its check
    gen = np.random.default_rng(3)
    X = gen.standard_normal((n, d)) / np.sqrt(d)
    T = gen.standard_normal((2, d))
    T *= np.sqrt(d) / np.linalg.norm(T, axis=1, keepdims=True)
    y = np.maximum(X @ T[0], 0.0) - np.maximum(X @ T[1], 0.0) + 0.1 * gen.standard_normal(n)
    cut = extreme.spike_free_cutting_plane(X, y, beta, rng=gen, max_iter=8, num_random=1)
    assert res.dims.tolist() == [d] and res.n == n
    assert res.relaxed_values[0] == pytest.approx(cut.values[-1], rel=1e-9)
    assert res.relaxed_gaps[0] == pytest.approx(cut.certificate.relative_gap, rel=1e-6,
                                                abs=1e-9)
    assert res.oracle_calls.tolist() == [cut.values.size]
    assert res.cone_trivial.tolist() == [False]
    relaxed, lower, searched = res.relaxed_values, res.lower_bounds, res.searched_values
    np.testing.assert_allclose(res.relative_gaps, (relaxed - lower) / relaxed, rtol=1e-14)
    np.testing.assert_allclose(res.excess, np.maximum(relaxed - searched, 0) / relaxed,
                               rtol=1e-14)
    assert np.all(lower <= searched * (1 + 1e-9)) and np.all(lower > 0)
    # the searched cones include the all-active one: the ratio is at least one
    assert res.spike_ratio[0] >= 1 - 1e-9 and np.isfinite(res.spike_ratio[0])
    assert res.num_patterns[0] >= 2
    # 2 (patterns of the network) + the all-ones pattern: the lower bound is no better
    # than the relaxation's own (the relaxation is an upper bound on the optimum)
    assert lower[0] <= relaxed[0] * (1 + 1e-9)


def test_digits_experiment_reports_the_closed_form_value_of_theorem_15():
    res = extreme.digits_experiment(n_train=20, beta=0.1, runs=2, rng=0, m=6, steps=50,
                                    classes=(0, 1, 7))
    from twolayer.data import digits_classification

    X, labels, X_test, labels_test = digits_classification(20, np.random.default_rng(0),
                                                           classes=(0, 1, 7))
    Y = np.eye(3)[labels]
    assert res.closed_value == pytest.approx(extreme.whitened_optimal_value(Y, 0.1), rel=1e-9)
    assert (res.n_train, res.n_test, res.num_classes, res.width, res.beta) == (
        20, labels_test.size, 3, 6, 0.1)
    assert res.closed_train_accuracy == 1.0
    assert res.sgd_values.shape == res.sgd_train_accuracy.shape == (2,)
    assert res.sgd_test_accuracy.shape == (2,)
    assert np.all(res.sgd_values > res.closed_value)
    for acc in (res.sgd_train_accuracy, res.sgd_test_accuracy, [res.closed_test_accuracy]):
        assert np.all((np.asarray(acc) >= 0) & (np.asarray(acc) <= 1))
    # the test digits are whitened by the training map: the closed form classifies them
    # better than chance (3 classes)
    assert res.closed_test_accuracy > 0.6
    with pytest.raises(ValueError, match=r"^batch_size must be at most n_train = 20, got 21$"):
        extreme.digits_experiment(n_train=20, beta=0.1, runs=1, rng=0, batch_size=21)


def _record_extreme_solves(record_solves):
    """The (solver, options, what) of every call of solve_problem by the package's modules."""
    from twolayer.extreme import closed_forms, cutting, experiments, geometry

    return record_solves(closed_forms, cutting, experiments, geometry)


def test_each_program_is_solved_by_its_solver_under_its_name(record_solves):
    calls = _record_extreme_solves(record_solves)
    extreme.hinge_convex_program(E2, [1.0, -1.0], 0.1, np.ones((1, 2), bool))
    extreme.rank_one_network(np.outer([1.0, 2.0, 3.0], [1.0, 0.0]), [1.0, 0.0, 2.0], 0.1)
    extreme.hull_vertices(PLANE)
    extreme.autoencoder_neurons(PLANE)
    extreme.classification_regions([0.0, 1.0, 2.0], [1.0, -1.0, 1.0], [0.5])
    extreme.spike_free_cutting_plane(E2, [1.0, -1.0], 0.1, rng=0, num_random=1)
    hull = [("CLARABEL", None, f"the hull projection of sample {i}") for i in range(3)]
    assert calls[:-1] == [
        ("CLARABEL", None, "the hinge-loss convex program"),
        ("CLARABEL", None, "the rank-one lasso"), *hull, *hull,
        ("CLARABEL", None, "the minimum-l1 separation program"),
    ]
    assert calls[-1] == ("CLARABEL", None, "the working-set lasso")
    calls.clear()
    extreme.hinge_convex_program(E2, [1.0, -1.0], 0.1, np.ones((1, 2), bool), solver="SCS")
    extreme.rank_one_network(np.outer([1.0, 2.0, 3.0], [1.0, 0.0]), [1.0, 0.0, 2.0], 0.1,
                             solver="SCS")
    extreme.hull_vertices(PLANE, solver="SCS")
    extreme.autoencoder_neurons(PLANE, solver="SCS")
    extreme.spike_free_cutting_plane(E2, [1.0, -1.0], 0.1, rng=0, num_random=1, solver="SCS")
    assert {solver for solver, _, _ in calls} == {"SCS"}


def test_whitened_checks_at_their_bounds():
    y3 = np.array([1.0, -2.0, 0.5])  # ||y_+|| = sqrt(1.25) > 1, ||y_-|| = 2 > 1
    # n = d is whitened data too, and an exact identity passes tol = 0
    W, a = extreme.whitened_regression(np.eye(3), y3, 1.0, tol=0.0, strict=True)
    assert a.size == 2
    # the thresholds are those of the columns (+-y)_+, not of the rows
    np.testing.assert_allclose(a, [np.sqrt(np.sqrt(1.25) - 1.0), -1.0])
    # the index in the error is that of the first threshold reached, not of the first column
    with pytest.raises(ValueError, match=r"^beta = 1 is at or above the threshold "
                                         r"\|\|\(\+-y\)_\+\[1\]\|\| = 1:"):
        extreme.whitened_regression(E2, [0.0, -1.0], 1.0, strict=True)
    Y = np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 0.0]])  # column norms sqrt(10), 2
    W, A = extreme.whitened_multiclass(np.eye(3), Y, 1.5, strict=True)
    np.testing.assert_allclose(A, [[np.sqrt(np.sqrt(10) - 1.5), 0], [0, np.sqrt(0.5)]])
    # strict is off by default: a class at its threshold is dropped silently
    W, A = extreme.whitened_multiclass(E2, np.array([[1.0, 0.0], [0.0, 2.0]]), 1.0)
    np.testing.assert_allclose(A, [[0.0, 1.0]])
    # the default tol is 1e-8 for every closed form
    off = np.eye(3)[:2] * (1 + 1e-6)
    for call in (lambda: extreme.whitened_multiclass(off, np.eye(2), 0.1),
                 lambda: extreme.whitened_classification(off, [1.0, -1.0], 0.1),
                 lambda: extreme.whitened_regression(off, [1.0, -1.0], 0.1)):
        with pytest.raises(ValueError, match="within tol = 1e-08"):
            call()
    assert extreme.whitened_regression(off, [1.0, -1.0], 0.1, tol=1e-5)[1].size == 2
    with pytest.raises(ValueError, match="^Y must be finite"):
        extreme.whitened_optimal_value([np.nan, 1.0], 0.1)
    # below the threshold the value is ||y_-||^2 / 2 with ||y_-|| = 1.5: 1.125
    assert extreme.whitened_optimal_value([-1.5, 0.0], 2.0) == pytest.approx(1.125, rel=1e-14)


def test_whiten_at_its_rank_tolerance():
    # singular values 1 and 1e-3: independent at rcond 1e-3 (not <=), dependent just above
    X = np.diag([1.0, 1e-3])
    with pytest.raises(ValueError, match="linearly independent rows"):
        extreme.whiten(X, rcond=1e-3)
    Xw, M = extreme.whiten(X, rcond=9e-4)
    np.testing.assert_allclose(Xw, np.eye(2), atol=1e-12)
    # relative to the largest singular value: 100 and 1 at rcond 0.02
    Xw, M = extreme.whiten(np.diag([100.0, 1.0]), rcond=0.005)
    with pytest.raises(ValueError, match=r"smallest singular value is 1 \(largest 100\)$"):
        extreme.whiten(np.diag([100.0, 1.0]), rcond=0.02)
    with pytest.raises(ValueError, match=r"smallest singular value is 0.5 \(largest 3\)$"):
        extreme.whiten(np.diag([3.0, 2.0, 0.5]), rcond=0.2)


def test_rank_one_factors_at_their_tolerances():
    y = np.array([0.0, 1.0, 3.0])
    # a sample at the origin, an exact zero second singular value: accepted at tol = 0
    X0 = np.outer([0.0, 1.0, 2.0], [1.0, 0.0])
    assert extreme.rank_one_network(X0, y, 0.1, tol=0.0)[0].shape[1] == 2
    assert extreme.rank_one_network(X0, y, 0.1)[0].shape[1] == 2
    # one column: a single singular value
    assert extreme.rank_one_network(X0[:, :1], y, 0.1)[0].shape[1] == 1
    # relative to the largest singular value (100 sqrt(5) here): a second one of 1e-10
    # (ratio 4.5e-13) and a negative entry of c of -1e-9 (ratio 4.5e-12) are within 1e-10
    X = np.outer([0.0, 100.0, 200.0], [1.0, 0.0])
    X[0] = [-1e-9, 1e-10]
    assert extreme.rank_one_network(X, y, 0.1)[0].shape[1] == 2
    with pytest.raises(ValueError, match="must have c >= 0"):
        extreme.rank_one_network(X, y, 0.1, tol=1e-12)


def _lasso_value(c, y, beta):
    import cvxpy as cp

    knots = np.unique(c)
    K = np.hstack([np.maximum(c[:, None] - knots, 0), np.maximum(knots - c[:, None], 0)])
    w, t = cp.Variable(K.shape[1]), cp.Variable()
    problem = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(K @ w + t - y) + beta * cp.norm1(w)))
    problem.solve(solver="CLARABEL")
    return problem.value, float(t.value)


@pytest.mark.parametrize("slope, offset", [(0.3, 0.2), (3.0, 0.2), (-0.3, 1.0)])
def test_rank_one_network_absorbs_the_offset_into_a_neuron_active_everywhere(slope, offset):
    from twolayer import network

    # a line: the lasso splits the slope between (c - 1)_+ and (3 - c)_+ and keeps an offset
    # t whose sign is that of the first weight (first two cases) or of the last (third): the
    # knot of that neuron moves outside the data by t / weight, no constant unit is needed
    c = np.array([1.0, 1.5, 2.0, 3.0])
    y = offset + slope * (c - 1.0)
    X = np.outer(c, [0.6, 0.8])
    W, b, a = extreme.rank_one_network(X, y, 0.01)
    value, t = _lasso_value(c, y, 0.01)
    assert abs(t) > 0.05
    assert network.objective(X, y, W, a, 0.01, b=b) == pytest.approx(value, rel=1e-6)
    assert np.all(b != 1e6)  # no constant unit
    np.testing.assert_allclose(np.abs(a), np.linalg.norm(W, axis=1), rtol=1e-12)


def test_the_cutting_plane_history_starts_at_the_zero_network():
    X, y = np.eye(4)[:3], np.array([1.0, -2.0, 0.5])
    res = extreme.spike_free_cutting_plane(X, y, 0.1, rng=0, num_random=10)
    assert res.values[0] == 0.5 * y @ y
    assert res.working_set[0] == 0 and res.working_set[-1] >= res.W.shape[0]
    assert res.working_set.tolist()[:2] == [0, 2]  # both extreme directions added at once
    assert res.violations.shape == res.values.shape
    # the first violation is that of v = y: max(||y_+||, ||y_-||) / beta = 20
    assert res.violations[0] == pytest.approx(20.0, rel=1e-9)
    assert res.violations[-1] <= 1 + 1e-6 and res.converged


def test_rectified_ellipsoid_fields_by_their_definitions():
    X = np.array([[1.0, 0.2], [np.cos(2.0), np.sin(2.0)]])
    geo = extreme.rectified_ellipsoid_2d(X, num=64)
    assert geo.theta[0] == 0.0 and geo.theta[-1] == pytest.approx(2 * np.pi, rel=1e-15)
    U = np.column_stack([np.cos(geo.theta), np.sin(geo.theta)])
    np.testing.assert_allclose(geo.ellipse, U @ X.T, rtol=1e-15)
    np.testing.assert_allclose(geo.rectified, np.maximum(U @ X.T, 0), rtol=1e-15)
    # the hull of Q u -Q is symmetric: every vertex has its mirror image among the vertices
    for v in geo.hull:
        assert np.min(np.linalg.norm(geo.hull + v, axis=1)) < 1e-12
    # the polar boundary: along each direction, max |p . z| over Q is exactly one
    np.testing.assert_allclose(np.abs(geo.polar @ geo.rectified.T).max(axis=1), 1.0,
                               rtol=1e-12)
    # singular relative to max|X|^2, not 2 max|X| nor max|X|^3
    for ok in ([[1e-3, 0.0], [0.0, 1e-13]], [[10.0, 0.0], [0.0, 5e-11]]):
        assert extreme.rectified_ellipsoid_2d(ok).X.shape == (2, 2)


def test_hull_vertices_tolerance_is_relative_to_the_largest_sample_norm():
    inside = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.2, 0.2]])
    assert extreme.hull_vertices(1e4 * inside).tolist() == [True, True, True, False]
    with pytest.raises(ValueError, match="sample 3 lies in it"):
        extreme.autoencoder_neurons(1e4 * inside)
    # (0.6, 0.6) is 0.2 / sqrt(2) = 0.141 beyond the hull of the triangle: a vertex at
    # tol = 0.1 of the largest norm 0.849 (0.085), not at 0.1 of the Frobenius norm 1.65
    near = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.6, 0.6]])
    assert extreme.hull_vertices(near, tol=0.1).all()
    assert extreme.autoencoder_neurons(near, tol=0.1)[0].shape == (4, 2)
    assert not extreme.hull_vertices(near, tol=0.2)[3]  # 0.2 * 0.849 = 0.17 > 0.141


def test_spike_excess_is_per_direction_and_relative_to_its_norm():
    X = np.random.default_rng(0).standard_normal((5, 2))  # n > d: off the range of X too
    U = np.random.default_rng(1).standard_normal((3, 2))
    excess = extreme.spike_excess(X, U)
    np.testing.assert_allclose(extreme.spike_excess(X, 3.0 * U), excess, rtol=1e-12)
    for u, e in zip(U, excess):
        z = np.maximum(X @ u, 0)
        w = np.linalg.lstsq(X, z, rcond=None)[0]  # the minimum-norm least-squares preimage
        off, long = np.linalg.norm(X @ w - z), np.linalg.norm(w) - np.linalg.norm(u)
        assert e == pytest.approx(max(off, long) / np.linalg.norm(u), rel=1e-10)
    assert len(set(np.round(excess, 12))) == 3


def test_is_spike_free_searches_the_sample_directions_on_both_sides():
    # two samples at angle phi: spike-free iff phi <= pi / 2 (Ergen and Pilanci, 2021, Lemma 3);
    # for phi > pi / 2 the spike sits at u = x_1, which switches x_2 off: one random direction
    # seldom finds it, the search of the sample directions always does
    for phi, free in [(1.0, True), (1.5, True), (1.7, False), (2.2, False), (3.0, False)]:
        X = np.array([[2.0, 0.0], [np.cos(phi), np.sin(phi)]])
        assert [extreme.is_spike_free(X, rng=s, num=1) for s in range(8)] == [free] * 8
    # the spike at x_2's own direction: x_1 at an obtuse angle is switched off there
    X = np.array([[1.0, 0.0], [np.cos(2.2), np.sin(2.2)]])
    assert extreme.spike_excess(X, X[1:])[0] > 0.1
    # a zero sample is left out of the directions (it has none): it neither hides the spike of
    # the obtuse pair nor makes one for the acute pair (its coordinate of Q_X is always 0)
    assert not extreme.is_spike_free(np.vstack([X, np.zeros(2)]), rng=0, num=1)
    acute = np.array([[1.0, 0.0], [np.cos(1.0), np.sin(1.0)], [0.0, 0.0]])
    assert extreme.is_spike_free(acute, rng=0, num=1)


def test_is_spike_free_draws_its_documented_number_of_directions():
    X = np.random.default_rng(0).standard_normal((4, 3))
    gen = np.random.default_rng(7)
    extreme.is_spike_free(X, rng=gen)
    after = np.random.default_rng(7)
    after.standard_normal((4000, 3))
    assert gen.standard_normal() == after.standard_normal()


@pytest.mark.parametrize("kind", ["whitened", "rank_one"])
def test_gd_against_closed_form_replays_its_documented_runs(kind):
    from twolayer import network

    if kind == "whitened":
        X, y = E2, np.array([1.0, -0.5])
        W, a = extreme.whitened_regression(X, y, 0.1)
        closed = network.objective(X, y, W, a, 0.1)
    else:
        X, y = np.outer([0.5, 1.0, 2.0], [0.6, 0.8]), np.array([0.3, -0.2, 0.5])
        W, b, a = extreme.rank_one_network(X, y, 0.1)
        closed = network.objective(X, y, W, a, 0.1, b=b)
    res = extreme.gd_against_closed_form(X, y, 0.1, kind=kind, m=3, scales=[0.5, 2.0], runs=2,
                                         rng=4, lr=0.05, steps=20)
    gen = np.random.default_rng(4)
    for s, scale in enumerate([0.5, 2.0]):
        if kind == "whitened":
            runs = network.train_from_random_inits(X, y, 3, 0.1, runs=2, rng=gen, lr=0.05,
                                                   steps=20, scale=scale)
            expect = [r.history[-1] for r in runs]
        else:
            expect = []
            for _ in range(2):
                W0, a0, b0 = network.init_network(2, 3, gen, scale=scale, bias=True)
                r = network.train(X, y, W0, a0, 0.1, b=b0, lr=0.05, steps=20, record_every=20)
                expect.append(r.history[-1])
        np.testing.assert_allclose(res.finals[s], expect, rtol=1e-12)
    assert res.kind == kind and res.scales.tolist() == [0.5, 2.0]
    assert res.closed_value == pytest.approx(closed, rel=1e-9)
    np.testing.assert_allclose(res.relative_excess, (res.finals - closed) / closed, rtol=1e-9)


def test_cutting_vs_sampling_reports_its_programs():
    X, y = _whitened_pair()
    res = extreme.cutting_vs_sampling(X, y, 0.2, num_directions=[3, 9], rng=0)
    assert res.num_directions.tolist() == [3, 9]
    assert res.cutting.num_random == 20000 and res.cutting.b is None and res.cutting.converged
    assert res.cutting.violations[-1] <= 1 + 1e-6
    lower = res.cutting.certificate.dual
    np.testing.assert_allclose(res.sampled_gap, (res.sampled_values - lower) / lower,
                               rtol=1e-12)
    assert res.cutting_variables == res.cutting.working_set.max()
    assert res.sampled_variables.tolist() == (2 * res.num_patterns * 5).tolist()
    assert np.all(res.num_patterns >= 1) and np.all(res.num_patterns <= [3, 9])
    # sampled patterns are subsets of the 2^4 patterns of whitened X (n = 4)
    assert np.all(res.num_patterns <= 16)


def _whitened_pair():
    Q = np.linalg.qr(np.random.default_rng(1).standard_normal((5, 4)))[0]
    return Q.T, np.array([1.0, -0.5, 0.3, -1.2])


def test_cutting_vs_sampling_solves_its_lassos_with_clarabel(record_solves):
    calls = _record_extreme_solves(record_solves)
    X, y = _whitened_pair()
    extreme.cutting_vs_sampling(X, y, 0.2, num_directions=[3], rng=0, num_random=1)
    assert calls and {solver for solver, _, _ in calls} == {"CLARABEL"}


def test_the_ascent_search_moves_the_best_random_directions_to_fixed_points():
    from twolayer.extreme.relaxation import _ascent_directions

    gen = np.random.default_rng(0)
    X, v = gen.standard_normal((8, 5)), gen.standard_normal(8)
    U = _ascent_directions(X, v, np.random.default_rng(1), 50, 3, 20)
    assert U.shape == (6, 5)  # top = 3 per sign
    np.testing.assert_allclose(np.linalg.norm(U, axis=1), 1.0, rtol=1e-12)
    # the random starts: 50 unit directions of the generator; the best for s = +1 is 4.715
    U0 = np.random.default_rng(1).standard_normal((50, 5))
    U0 /= np.linalg.norm(U0, axis=1, keepdims=True)
    best = (np.maximum(U0 @ X.T, 0) @ v).max()
    # the first direction reached a fixed point u = X^T D(u) v / ||X^T D(u) v|| above it
    g = X.T @ ((X @ U[0] > 0) * v)
    np.testing.assert_allclose(U[0], g / np.linalg.norm(g), atol=1e-12)
    assert v @ np.maximum(X @ U[0], 0) > best
    # with zero v every step is zero: the random starts are returned as they are
    Z = _ascent_directions(X, np.zeros(8), np.random.default_rng(1), 50, 2, 20)
    assert Z.shape == (4, 5) and all(np.min(np.linalg.norm(U0 - z, axis=1)) < 1e-15 for z in Z)


def test_a_zero_relaxed_network_on_a_nontrivial_cone_is_not_called_trivial(record_solves):
    calls = _record_extreme_solves(record_solves)
    # beta = 100 is above every constraint at v = y: the cutting plane stops at the zero
    # network after its first oracle call, although the cone {Xu >= 0} is not {0} (d > n)
    res = extreme.gaussian_relaxation_gap(12, [30], 100.0, rng=3, max_iter=3, rounds=1,
                                          num_search=50, top=2)
    assert res.oracle_calls.tolist() == [1] and res.cone_trivial.tolist() == [False]
    assert np.isfinite(res.spike_ratio[0]) and res.spike_ratio[0] >= 1 - 1e-9
    assert calls and {solver for solver, _, _ in calls} == {"CLARABEL"}


def test_digits_experiment_defaults_replayed():
    from twolayer.data import digits_classification
    from twolayer.extreme.experiments import _accuracy, _train_vector
    from twolayer.network import init_network

    # m = 20, lr = 0.05, steps = 3000, batch_size = 10, scale = 1, all ten classes
    res = extreme.digits_experiment(n_train=12, beta=0.1, runs=1, rng=3)
    gen = np.random.default_rng(3)
    X, labels, X_test, labels_test = digits_classification(12, gen, classes=tuple(range(10)))
    Xw, M = extreme.whiten(X)
    Y = np.eye(10)[labels]
    W0 = init_network(64, 20, gen, scale=1.0)[0]
    A0 = gen.normal(scale=1 / np.sqrt(20), size=(20, 10))
    Ws, As = _train_vector(Xw, Y, W0[None], A0[None], 0.1, 0.05, 3000, 10, gen)
    assert res.width == 20 and res.num_classes == 10
    assert res.sgd_values[0] == pytest.approx(
        extreme.multiclass_objective(Xw, Y, Ws[0], As[0], 0.1), rel=1e-9)
    assert res.sgd_train_accuracy[0] == _accuracy(Xw, labels, Ws[0], As[0])
    assert res.sgd_test_accuracy[0] == _accuracy(X_test @ M, labels_test, Ws[0], As[0])
    # a batch of all the training digits is allowed
    assert extreme.digits_experiment(n_train=4, beta=0.1, runs=1, rng=0, m=2, steps=1,
                                     batch_size=4, classes=(0, 1)).n_train == 4


def test_more_documented_settings_of_the_search_and_the_cutting_plane():
    # random_direction_check draws exactly num = 20000 directions by default
    gen = np.random.default_rng(7)
    extreme.random_direction_check(XG, YG, 0.5, gen)
    again = np.random.default_rng(7)
    again.standard_normal((20000, 6))
    assert gen.standard_normal() == again.standard_normal()
    # max_iter bounds the lassos: one lasso, two oracle calls, not converged
    gen = np.random.default_rng(2)
    Xg, yg = gen.standard_normal((15, 30)), gen.standard_normal(15)
    res = extreme.spike_free_cutting_plane(Xg, yg, 0.3, rng=0, max_iter=1, num_random=1)
    assert res.values.size == 2 and not res.converged
    # data whose largest singular value is exactly 1 are not spike-free for that reason
    obtuse = np.array([[1.0, 0.0], [np.cos(2.2), np.sin(2.2)]])
    unit = obtuse / np.linalg.svd(obtuse, compute_uv=False)[0]
    assert np.linalg.svd(unit, compute_uv=False)[0] == 1.0
    assert not extreme.is_spike_free(unit, rng=0)


def test_the_search_covers_both_signs_and_counts_its_patterns():
    from twolayer.extreme.relaxation import _ascent_directions

    gen = np.random.default_rng(0)
    X, v = gen.standard_normal((8, 5)), gen.standard_normal(8)
    U = _ascent_directions(X, v, np.random.default_rng(1), 50, 3, 20)
    # the s = -1 half starts from the directions most negative for v: not those of s = +1
    assert not np.allclose(U[:3], U[3:])
    assert np.all(np.maximum(U[:3] @ X.T, 0) @ v > 0)
    # patterns: 2 top per search (rounds = 1 search, 2 more at the end), the all-ones one and
    # the (empty) relaxed network's and the searched network's at most 2 top neurons:
    # at most 2 + 4 + 1 + 2 = 9 of the 2^12 subsets
    res = extreme.gaussian_relaxation_gap(12, [30], 100.0, rng=3, max_iter=3, rounds=1,
                                          num_search=50, top=1)
    assert 1 <= res.num_patterns[0] <= 9


@pytest.mark.parametrize("mirror", [1.0, -1.0])
def test_classification_regions_uses_both_families_of_atoms(mirror):
    from scipy.optimize import linprog

    # mirrored data need the atoms (x - x_j)_+ where the original use (x_j - x)_+
    x = mirror * np.array([-1.0, -0.6, -0.2, 0.1, 0.5, 0.9])
    y = np.array([1.0, 1.0, -1.0, -1.0, 1.0, -1.0])
    res = extreme.classification_regions(x, y, np.linspace(-1.2, 1.2, 25))
    K = np.hstack([np.maximum(x[:, None] - x, 0), np.maximum(x - x[:, None], 0)])
    A_ub = -(y[:, None] * np.hstack([K, -K, np.ones((6, 1))]))
    lp = linprog(np.r_[np.ones(24), 0.0], A_ub=A_ub, b_ub=-np.ones(6),
                 bounds=[(0, None)] * 24 + [(None, None)])
    assert res.path_norm == pytest.approx(lp.fun, rel=1e-7)
    # three knots, at the samples where the sign changes: not every sample
    assert res.knots.size == 3 and set(res.knots) <= set(x)


def test_rank_one_network_with_an_offset_of_exactly_one():
    from twolayer import network

    # y = 1: the lasso's optimum is w = 0, t = 1 (exactly, for CLARABEL here): one far unit
    X = np.outer([0.5, 1.0, 2.0], [0.6, 0.8])
    W, b, a = extreme.rank_one_network(X, np.ones(3), 0.5)
    assert W.shape == (1, 2) and b.tolist() == [1e6]
    np.testing.assert_allclose(network.forward(X, W, a, b), 1.0, rtol=1e-7)
