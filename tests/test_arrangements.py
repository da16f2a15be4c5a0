"""Tests of twolayer.arrangements: exact enumeration against brute force, counts, sampling."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

from twolayer.arrangements import (
    critical_angles_2d,
    enumerate_patterns_1d,
    enumerate_patterns_2d,
    essential_constraints,
    pattern_count_bound,
    pattern_count_general_position,
    patterns_from_directions,
    sample_patterns,
    unit_circle,
)


def _feasible(X: np.ndarray, s: np.ndarray) -> bool:
    """Is there u != 0 with x_i . u >= 0 where s_i = 1 and x_i . u < 0 where s_i = 0? (LP)"""
    n, d = X.shape
    if s.all():
        # nontrivial cone {u : X u >= 0}: some u in it with u_k = +-1 and |u|_inf <= 1
        for k, sign in itertools.product(range(d), (1.0, -1.0)):
            bounds = [(-1.0, 1.0)] * d
            bounds[k] = (sign, sign)
            res = linprog(np.zeros(d), A_ub=-X, b_ub=np.zeros(n), bounds=bounds, method="highs")
            if res.status == 0:
                return True
        return False
    # strict inequalities by homogeneity: x_i . u <= -1 where s_i = 0
    A = np.where(s[:, None], -X, X)
    b = np.where(s, 0.0, -1.0)
    res = linprog(np.zeros(d), A_ub=A, b_ub=b, bounds=[(None, None)] * d, method="highs")
    return res.status == 0


def _brute_force(X: np.ndarray) -> set[tuple[bool, ...]]:
    n = X.shape[0]
    out = set()
    for bits in itertools.product((False, True), repeat=n):
        s = np.array(bits)
        if _feasible(X, s):
            out.add(bits)
    return out


def _as_set(patterns: np.ndarray) -> set[tuple[bool, ...]]:
    return {tuple(bool(b) for b in row) for row in patterns}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_enumerate_2d_matches_brute_force(seed):
    X = np.random.default_rng(seed).standard_normal((6, 2))
    P = enumerate_patterns_2d(X)
    assert P.dtype == bool and P.shape[1] == 6
    assert len(_as_set(P)) == P.shape[0]  # no duplicates
    assert _as_set(P) == _brute_force(X)
    # general position: Cover's count 2n, below the bound of Pilanci & Ergen
    assert P.shape[0] == 2 * 6 == pattern_count_general_position(6, 2)
    assert P.shape[0] <= pattern_count_bound(6, 2)


def test_enumerate_2d_degenerate_data_matches_brute_force():
    # opposite points, a repeated point and a zero row: boundary patterns appear
    X = np.array([[1.0, 0.5], [-2.0, -1.0], [1.0, 0.5], [0.0, 0.0], [0.3, -1.0], [-1.0, 2.0]])
    P = enumerate_patterns_2d(X)
    assert _as_set(P) == _brute_force(X)
    assert len(_as_set(P)) == P.shape[0]


@pytest.mark.parametrize("seed", [3, 4])
def test_enumerate_1d_matches_brute_force_on_augmented_data(seed):
    x = np.random.default_rng(seed).uniform(-1, 1, size=6)
    P = enumerate_patterns_1d(x)
    Xa = np.column_stack([x, np.ones_like(x)])
    assert _as_set(P) == _brute_force(Xa)
    assert _as_set(P) == _as_set(enumerate_patterns_2d(Xa))
    assert P.shape[0] == 2 * 6


def test_enumerate_1d_with_ties():
    x = np.array([0.0, 1.0, 1.0, -0.5, 2.0])
    P = enumerate_patterns_1d(x)
    Xa = np.column_stack([x, np.ones_like(x)])
    assert _as_set(P) == _brute_force(Xa)
    assert P.shape[0] == 2 * 4  # four distinct values


def test_counts_in_three_dimensions_match_cover():
    X = np.random.default_rng(5).standard_normal((6, 3))
    count = len(_brute_force(X))
    assert count == pattern_count_general_position(6, 3) == 2 * (1 + 5 + 10)
    assert count <= pattern_count_bound(6, 3)


def test_pattern_count_bound_values():
    assert pattern_count_bound(10, 2) == pytest.approx(4 * (np.e * 9 / 2) ** 2)
    for n in range(2, 30):
        for r in range(1, min(n, 5) + 1):
            assert pattern_count_general_position(n, r) <= pattern_count_bound(n, r)


def test_sampled_patterns_are_exact_patterns_and_reproducible():
    X = np.random.default_rng(6).standard_normal((8, 2))
    exact = _as_set(enumerate_patterns_2d(X))
    P = sample_patterns(X, 50, rng=7)
    assert _as_set(P) <= exact
    assert len(_as_set(P)) == P.shape[0]
    assert np.array_equal(P, sample_patterns(X, 50, rng=7))
    # enough directions find every pattern of a small arrangement
    assert _as_set(sample_patterns(X, 20000, rng=8)) == exact


def test_critical_angles_and_directions():
    X = np.array([[1.0, 0.0], [0.0, 2.0]])
    np.testing.assert_allclose(critical_angles_2d(X), [0.0, np.pi / 2, np.pi, 3 * np.pi / 2],
                               atol=1e-15)
    U = unit_circle(np.array([np.pi / 4, np.pi / 4 + 1e-3]))
    assert patterns_from_directions(X, U).shape == (1, 2)


def _in_cones(X: np.ndarray, P: np.ndarray, keep: np.ndarray, U: np.ndarray) -> np.ndarray:
    """Membership of each direction in each cone {u : (2p - 1) x_k . u >= 0 for kept k}."""
    S = 2.0 * P - 1.0  # (P, n)
    margins = S[:, None, :] * (U @ X.T)[None, :, :]  # (P, k, n)
    return np.all((margins >= -1e-12) | ~keep[:, None, :], axis=2)


@pytest.mark.parametrize("seed", [0, 1])
def test_essential_constraints_keep_the_cones(seed):
    gen = np.random.default_rng(seed)
    X = gen.standard_normal((9, 2))
    X[3] = -2.0 * X[1]  # a point opposite another: ray-shaped cones appear
    X[5] = 0.0  # a zero row constrains nothing
    P = enumerate_patterns_2d(X)
    keep = essential_constraints(X, P)
    assert keep.shape == P.shape and keep.dtype == bool
    assert not keep[:, 5].any()
    # two lines bound an arc (x_1 and x_3 lie on one line, whose two rows then both count);
    # ray-shaped cones (x_1 and x_3 both active, or both inactive) keep every nonzero row
    ray = P[:, 1] == P[:, 3]
    assert ray.sum() == 2
    counts = keep[~ray].sum(axis=1)
    assert counts.min() == 2 and counts.max() == 3
    assert np.all(keep[~ray][counts == 3][:, [1, 3]])
    np.testing.assert_array_equal(keep[ray], np.broadcast_to(X.any(axis=1), keep[ray].shape))
    # the same cones: test on a fine circle of directions and on the critical directions
    theta = np.concatenate([np.linspace(0, 2 * np.pi, 20001), critical_angles_2d(X)])
    U = unit_circle(theta)
    full = np.ones_like(P)
    np.testing.assert_array_equal(_in_cones(X, P, keep, U), _in_cones(X, P, full, U))
    # each cone still contains the directions that define its pattern
    assert _in_cones(X, P, keep, U).any(axis=1).all()


def test_essential_constraints_other_dimensions():
    X = np.random.default_rng(2).standard_normal((5, 3))
    X[0] = 0.0
    P = np.ones((2, 5), dtype=bool)
    keep = essential_constraints(X, P)
    np.testing.assert_array_equal(keep, np.array([[False, True, True, True, True]] * 2))


def test_bad_input():
    with pytest.raises(ValueError, match="X must have length 2 along axis 1"):
        enumerate_patterns_2d(np.ones((4, 3)))
    with pytest.raises(ValueError, match="X must be finite"):
        enumerate_patterns_2d(np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError, match="num must be >= 1"):
        sample_patterns(np.ones((3, 2)), 0, rng=0)
    with pytest.raises(TypeError, match="rng must be"):
        sample_patterns(np.ones((3, 2)), 3, rng="seed")
    with pytest.raises(ValueError, match="x must be 1-dimensional"):
        enumerate_patterns_1d(np.ones((3, 2)))
    with pytest.raises(ValueError, match="r must be <= n"):
        pattern_count_bound(3, 4)
    with pytest.raises(ValueError, match="U must have 2 columns"):
        patterns_from_directions(np.ones((3, 2)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="patterns must have shape"):
        essential_constraints(np.ones((3, 2)), np.ones((2, 4), dtype=bool))
    with pytest.raises(ValueError, match="angle_tol must be >= 0"):
        essential_constraints(np.ones((3, 2)), np.ones((2, 3), dtype=bool), angle_tol=-1.0)


# ------------------------------------------------------------- what mutation testing found missing


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: patterns_from_directions(np.ones(3), np.ones((2, 2))), ValueError,
         "^X must be 2-dimensional, got shape \\(3,\\)"),
        (lambda: patterns_from_directions(np.ones((3, 2)), np.ones(2)), ValueError,
         "^U must be 2-dimensional, got shape \\(2,\\)"),
        (lambda: sample_patterns(np.ones(3), 5, rng=0), ValueError,
         "^X must be 2-dimensional"),
        (lambda: unit_circle(np.ones((2, 2))), ValueError, "^theta must be 1-dimensional"),
        (lambda: critical_angles_2d(np.ones((3, 3))), ValueError,
         "^X must have length 2 along axis 1"),
        (lambda: enumerate_patterns_2d(np.ones((3, 3))), ValueError,
         "^X must have length 2 along axis 1"),
        (lambda: pattern_count_bound(1, 1), ValueError, "^n must be >= 2, got 1"),
        (lambda: pattern_count_bound(3, 0), ValueError, "^r must be >= 1, got 0"),
        (lambda: pattern_count_bound("3", 1), TypeError, "^n must be an integer"),
        (lambda: pattern_count_bound(3, 1.0), TypeError, "^r must be an integer"),
        (lambda: pattern_count_general_position(0, 1), ValueError, "^n must be >= 1, got 0"),
        (lambda: pattern_count_general_position(3, 0), ValueError, "^r must be >= 1, got 0"),
        (lambda: pattern_count_general_position(3.0, 1), TypeError, "^n must be an integer"),
        (lambda: pattern_count_general_position(3, "2"), TypeError, "^r must be an integer"),
        (lambda: essential_constraints(np.ones(3), np.ones((1, 3), dtype=bool)), ValueError,
         "^X must be 2-dimensional"),
        (lambda: essential_constraints(np.ones((3, 2)), np.ones((2, 4), dtype=bool)),
         ValueError, "^patterns must have shape \\(P, n\\) with n = 3, got shape \\(2, 4\\)"),
    ],
)
def test_each_bad_argument_is_named_at_the_start_of_its_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_a_direction_orthogonal_to_a_point_activates_it():
    # D(u) = diag(1[X u >= 0]): a point on the hyperplane of u counts as active
    X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    np.testing.assert_array_equal(patterns_from_directions(X, [[0.0, 1.0]]), [[True] * 3])
    np.testing.assert_array_equal(patterns_from_directions(X, [[0.0, -1.0]]),
                                  [[True, False, True]])
    # without data points every direction has the same, empty, pattern
    assert patterns_from_directions(np.zeros((0, 2)), np.ones((3, 2))).shape == (1, 0)


def test_zero_rows_and_zero_data_define_no_critical_angle():
    X = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 2.0]])
    np.testing.assert_allclose(critical_angles_2d(X), critical_angles_2d(X[[0, 2]]),
                               atol=1e-15)
    assert critical_angles_2d(np.zeros((3, 2))).shape == (0,)
    # all rows zero: every direction gives x . u = 0 >= 0, the one pattern "all active"
    np.testing.assert_array_equal(enumerate_patterns_2d(np.zeros((3, 2))), [[True] * 3])


def test_critical_angles_of_collinear_points_are_merged_also_across_zero():
    # x and 3x, or x and -x, lie on one line: two critical angles, pi apart, in [0, 2 pi)
    x = np.array([0.6, 0.8])
    for X in (np.array([x, 3 * x]), np.array([x, -x])):
        angles = critical_angles_2d(X)
        assert angles.size == 2
        assert angles[1] - angles[0] == pytest.approx(np.pi, abs=1e-12)
    # points at the top and the bottom of the circle: their critical angle 0 is computed as
    # 0 for one and as 2 pi - 1e-16 for the other, the same angle
    for theta in ([np.pi / 2, 3 * np.pi / 2], [np.pi / 2, 3 * np.pi / 2, 0.3]):
        X = unit_circle(np.array(theta))
        angles = critical_angles_2d(X)
        assert angles.size == 2 * (len(theta) - 1)
        assert angles.min() >= 0.0 and angles.max() < 2 * np.pi
        assert angles[0] == pytest.approx(0.0, abs=1e-12)
        assert _as_set(enumerate_patterns_2d(X)) == _brute_force(X)
    # two points collinear up to 1e-13 rad (merged: tolerance 1e-12) whose angle 0 is computed
    # as 0 and as 2 pi - 1e-13
    angles = critical_angles_2d(np.array([[0.0, 1.0], [-1e-13, -1.0]]))
    np.testing.assert_allclose(angles, [0.0, np.pi], atol=1e-12)
    # and x % 2 pi can round to 2 pi itself, which is the angle 0
    angles = critical_angles_2d(np.array([[-2e-16, -1.0], [2e-16, 1.0]]))
    assert angles.size == 2 and angles.max() < 2 * np.pi


def test_every_arc_of_points_in_general_position_gives_its_pattern():
    # Cover (1965): n lines in general position through the origin of the plane cut it into 2n
    # cells; each cell's pattern is found, whichever arc is the longest (the last one too)
    for n in range(1, 9):
        assert pattern_count_general_position(n, 2) == 2 * n
        for seed in range(10):
            X = np.random.default_rng(seed).standard_normal((n, 2))
            P = enumerate_patterns_2d(X)
            assert P.shape == (2 * n, n) and len(_as_set(P)) == 2 * n


def test_patterns_do_not_depend_on_the_length_of_the_data_points():
    # 1[x . u >= 0] is unchanged when x is scaled by c > 0: rows of lengths 1e-14 to 1e8, with
    # opposite and parallel points whose critical angles coincide up to rounding
    gen = np.random.default_rng(0)
    X = gen.standard_normal((5, 2))
    X[1] = -3.0 * X[0]
    X[2] = 0.5 * X[3]
    scaled = X * 10.0 ** gen.uniform(-14, 8, size=5)[:, None]
    assert _as_set(enumerate_patterns_2d(scaled)) == _as_set(enumerate_patterns_2d(X))
    assert _as_set(enumerate_patterns_2d(X)) == _brute_force(X)


def test_one_point_has_two_patterns():
    np.testing.assert_array_equal(enumerate_patterns_1d([0.5]), [[True], [False]])
    assert _as_set(enumerate_patterns_2d([[0.5, 1.0]])) == {(True,), (False,)}
    assert pattern_count_general_position(1, 1) == pattern_count_general_position(1, 2) == 2
    # the bound of Pilanci and Ergen starts at n = 2, where it is above the count
    assert pattern_count_bound(2, 1) == pytest.approx(2 * np.e)
    assert pattern_count_bound(2, 2) >= pattern_count_general_position(2, 2) == 4


def test_one_dimensional_patterns_in_their_documented_order():
    # the full set, {x >= s} for increasing s, the empty set, {x <= s} for decreasing s,
    # duplicates dropped ({x >= 0} and {x <= 2} are the full set)
    x = np.array([1.0, 0.0, 2.0])
    expected = [[1, 1, 1], [1, 0, 1], [0, 0, 1], [0, 0, 0], [1, 1, 0], [0, 1, 0]]
    np.testing.assert_array_equal(enumerate_patterns_1d(x), np.array(expected, dtype=bool))


def test_essential_constraints_keep_the_cones_without_an_angular_tolerance():
    # angle_tol = 0: no tie slack; each end of a cone's arc is still kept, exactly
    for seed in range(5):
        X = np.random.default_rng(seed).standard_normal((7, 2))
        P = enumerate_patterns_2d(X)
        keep = essential_constraints(X, P, angle_tol=0.0)
        assert np.all(keep.sum(axis=1) == 2)  # general position: two lines bound each arc
        np.testing.assert_array_equal(keep, essential_constraints(X, P))
        theta = np.concatenate([np.linspace(0, 2 * np.pi, 4001), critical_angles_2d(X)])
        U = unit_circle(theta)
        np.testing.assert_array_equal(_in_cones(X, P, keep, U),
                                      _in_cones(X, P, np.ones_like(P), U))
