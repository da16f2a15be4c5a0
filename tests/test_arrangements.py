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
