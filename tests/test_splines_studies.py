"""The beta path of the splines chapter: what the chapter claims from it, and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from twolayer import data
from twolayer import splines as sp

BETAS = [1.0, 0.1, 0.01, 0.001, 0.0001]


@pytest.fixture(scope="module")
def wave():
    return data.univariate_regression(10, rng=0)


@pytest.fixture(scope="module")
def path(wave):
    return sp.min_cost_path(*wave, betas=BETAS)


def test_each_solution_is_an_optimal_representation_of_its_function(path):
    assert path.costs.shape == path.function_costs.shape == path.residuals.shape == (5,)
    assert np.all(path.cost_gaps < 1e-6)


def test_the_fit_tends_to_a_least_cost_interpolant(wave, path):
    x, y = wave
    assert np.all(np.diff(path.costs) > 0)  # the cost grows as beta falls
    assert np.all(np.diff(path.residuals) < 0)  # and the residual vanishes
    assert path.residuals[-1] < 1e-2
    assert path.least_cost == pytest.approx(sp.min_representation_cost(x, y))
    assert np.all(path.costs <= path.least_cost * (1 + 1e-6))
    assert path.costs[-1] == pytest.approx(path.least_cost, rel=1e-2)


def test_the_compiled_path_solves_what_min_cost_network_solves(wave, path):
    x, y = wave
    for k in (0, 3):
        single = sp.min_cost_network(x, y, beta=BETAS[k])
        assert path.results[k].value == pytest.approx(single.value, rel=1e-8)
        assert path.costs[k] == pytest.approx(single.cost, rel=1e-6)


@pytest.mark.parametrize(
    "betas, match",
    [([], "at least one value"), ([0.1, 0.0], "betas must all be > 0"),
     ([[0.1]], "betas must be 1-dimensional")],
)
def test_min_cost_path_rejects_bad_betas(wave, betas, match):
    with pytest.raises(ValueError, match=match):
        sp.min_cost_path(*wave, betas=betas)
