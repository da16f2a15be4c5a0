"""Bad input fails at the door with a message that names the argument."""

from __future__ import annotations

import numpy as np
import pytest

from twolayer import splines as sp
from twolayer.arrangements import enumerate_patterns_1d, enumerate_patterns_2d, sample_patterns
from twolayer.convex import solve_convex
from twolayer.duality import certificate, max_dual_constraint
from twolayer.gaussian import (
    arccos_kernel,
    population_gradient,
    population_loss,
    spurious_minima_experiment,
)
from twolayer.symmetry import follow_type_a, type_a_parameters


@pytest.fixture(scope="module")
def planar():
    gen = np.random.default_rng(0)
    X, y = gen.standard_normal((8, 2)), gen.standard_normal(8)
    return X, y, enumerate_patterns_2d(X)


def test_arccos_kernel_names_its_own_arguments():
    with pytest.raises(ValueError, match="^U must have at least one row"):
        arccos_kernel(np.zeros((0, 3)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="^U and V must have the same number of columns"):
        arccos_kernel(np.ones((2, 3)), np.ones((2, 4)))


def test_empty_teacher_is_named():
    W = np.eye(3)
    for f in (population_loss, population_gradient):
        with pytest.raises(ValueError, match="^V must have at least one row"):
            f(W, np.zeros((0, 3)))


def test_type_a_shapes_are_named():
    with pytest.raises(ValueError, match="^W must have shape \\(k, d\\) with k >= d >= 5"):
        type_a_parameters(np.eye(4))
    with pytest.raises(ValueError, match="^d_offset must leave d = k - d_offset >= 5"):
        follow_type_a([6, 7], np.zeros(7), d_offset=4)


def test_sequences_of_integers_are_checked():
    with pytest.raises(TypeError, match="^ks must be a sequence of integers, got int"):
        spurious_minima_experiment(5, runs=1, rng=0)
    with pytest.raises(TypeError, match="^ks\\[1\\] must be an integer"):
        follow_type_a([6, 7.0], np.zeros(5))


def test_negative_seed_is_named(planar):
    X, _, _ = planar
    with pytest.raises(ValueError, match="^rng must be a nonnegative integer seed, got -1"):
        sample_patterns(X, 3, -1)


def test_ragged_lists_are_named():
    with pytest.raises(ValueError, match="^W must be a rectangular array"):
        population_loss([[1.0, 2.0], [3.0]], np.eye(2))
    with pytest.raises(ValueError, match="^patterns must be a rectangular array"):
        solve_convex(np.eye(2), np.ones(2), 0.1, [[True, False], [True]])


def test_empty_rows_give_an_empty_gradient():
    G = population_gradient(np.eye(3) + 0.1, np.eye(3), rows=[])
    assert G.shape == (0, 3)


def test_representation_cost_needs_a_callable():
    with pytest.raises(TypeError, match="^f must be callable, got ndarray"):
        sp.representation_cost(np.ones(3), np.arange(3.0))


def test_one_dimensional_enumeration_needs_a_point():
    with pytest.raises(ValueError, match="^x must hold at least one point"):
        enumerate_patterns_1d([])


@pytest.mark.parametrize(
    ("bad", "error", "match"),
    [
        (np.array([["a"] * 8]), TypeError, "^patterns must be boolean \\(or 0/1\\), got an array"),
        (np.full((1, 8), np.nan), ValueError, "^patterns must be boolean \\(or 0/1\\), got other"),
        (np.full((1, 8), 0.5), ValueError, "^patterns must be boolean \\(or 0/1\\), got other"),
        (np.ones((1, 7), bool), ValueError, "^patterns must have shape \\(P, n\\) with n = 8"),
        (np.ones((0, 8), bool), ValueError, "^patterns must hold at least one pattern"),
    ],
)
def test_certificate_and_solve_convex_share_the_pattern_check(planar, bad, error, match):
    X, y, _ = planar
    W, a = np.ones((1, 2)), np.ones(1)
    with pytest.raises(error, match=match):
        certificate(X, y, W, a, 0.1, patterns=bad)
    with pytest.raises(error, match=match):
        solve_convex(X, y, 0.1, bad)
    with pytest.raises(error, match=match):
        max_dual_constraint(X, y, bad)


def test_certificate_checks_the_network_against_the_data(planar):
    X, y, _ = planar
    with pytest.raises(ValueError, match="^W must have 2 columns like X"):
        certificate(X, y, np.ones((1, 3)), np.ones(1), 0.1)


def test_randomness_enters_only_through_an_explicit_rng():
    # DESIGN.md: a seed is the caller's choice, never a hidden default (None means "not used").
    import importlib
    import inspect
    import pkgutil

    import twolayer

    hidden = []
    for info in pkgutil.walk_packages(twolayer.__path__, "twolayer."):
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(obj) or obj.__module__ != info.name:
                continue
            param = inspect.signature(obj).parameters.get("rng")
            if param is not None and param.default not in (inspect.Parameter.empty, None):
                hidden.append(f"{info.name}.{name}(rng={param.default!r})")
    assert not hidden, f"functions with a default seed: {hidden}"
