"""twolayer.symmetry.beyond: every argument of its public functions named, with its bound, at
the start of its error, and the smallest documented values accepted (tests/MUTATION.md, section
"symmetry/beyond")."""

from __future__ import annotations

import re

import numpy as np
import pytest

from twolayer.symmetry import beyond as by

LAW = by.correlated_gaussian(3, 0.0)
W3 = np.eye(3)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: by.correlated_gaussian(1, 0.0), "d must be >= 2, got 1"),
    (lambda: by.symmetric_sample(0, 2, 0, symmetrize=True), "n must be >= 1, got 0"),
    (lambda: by.symmetric_sample(3, 0, 0, symmetrize=True), "d must be >= 1, got 0"),
    (lambda: by.symmetry_of_minima("x", 1, 1, [0], law=LAW), "k must be >= 2, got 1"),
    (lambda: by.symmetry_of_minima("x", 3, 0, [0], law=LAW), "runs must be >= 1, got 0"),
    (lambda: by.symmetry_of_minima("x", 3, 1, [-1], law=LAW), "seeds[0] must be >= 0, got -1"),
    (lambda: by.symmetry_of_minima("x", 3, 1, [0], law=LAW, tol=0.0),
     "tol must be > 0.0, got 0.0"),
    (lambda: by.symmetry_of_minima("x", 3, 1, [0], law=LAW, max_iter=0),
     "max_iter must be >= 1, got 0"),
    (lambda: by.symmetry_of_minima("x", 3, 1, [0]),
     "give exactly one of law (population) and sample (three-layer network)"),
    (lambda: by.symmetry_of_minima("x", 3, 1, [0], law=LAW, sample=np.ones((4, 3))),
     "give exactly one of law (population) and sample (three-layer network)"),
    (lambda: by.symmetry_of_minima("x", 3, 1, [0], sample=np.ones(4)), "sample must be"),
    (lambda: by.symmetry_of_minima("x", 2, 1, [0], sample=np.ones((4, 3))),
     "the three-layer teacher W = A = I needs k = d, got 2 and 3"),
    (lambda: by.three_layer_symmetry(1, 5, 1, [0], 0), "d must be >= 2, got 1"),
    (lambda: by.least_symmetry_table(2, 1, [0]), "k must be >= 3, got 2"),
    (lambda: by.rho_sweep(2, [0.1], 1, 0), "k must be >= 3, got 2"),
    (lambda: by.rho_sweep(3, [], 1, 0), "rhos must hold at least one correlation, got none"),
    (lambda: by.rho_sweep(3, [0.1], 0, 0), "runs must be >= 1, got 0"),
    (lambda: by.sample_noise_isotropy(np.ones(3), 5, 0, symmetrize=True, tols=[1e-3]),
     "W must be"),
    (lambda: by.sample_noise_isotropy(np.ones((2, 3)), 5, 0, symmetrize=True, tols=[1e-3]),
     "W must be square (k = d, teacher I_d), got shape (2, 3)"),
    (lambda: by.sample_noise_isotropy(W3, 0, 0, symmetrize=True, tols=[1e-3]),
     "n must be >= 1, got 0"),
    (lambda: by.sample_noise_isotropy(W3, 5, 0, symmetrize=True, tols=[1e-3, 0.0]),
     "tols[1] must be > 0.0, got 0.0"),
    (lambda: by.gaussian_mixture(1, [0.0], [1.0], [1.0]), "d must be >= 2, got 1"),
    (lambda: by.gaussian_mixture(3, [0.0], [0.0], [1.0]), "scales[0] must be > 0.0, got 0.0"),
    (lambda: by.gaussian_mixture(3, [0.0], [1.0], [-1.0]), "weights[0] must be > 0.0, got -1.0"),
    (lambda: by.gaussian_mixture(3, [0.0, 0.1], [1.0], [1.0]),
     "rhos, scales and weights must have one entry per component, got lengths 2, 1 and 1"),
    (lambda: by.gaussian_mixture(3, [0.0, 1.0], [1.0, 1.0], [1.0, 1.0]),
     "rhos[1] must be < 1.0, got 1.0"),
    # rho > -1 / (d - 1): the covariance (1 - rho) I + rho 11^T is positive definite
    (lambda: by.correlated_gaussian(3, -0.5), "rho must be > -0.5, got -0.5"),
    (lambda: by.correlated_gaussian(3, 1.0), "rho must be < 1.0, got 1.0"),
    (lambda: by.rho_sweep(3, [0.1, -0.5], 1, 0), "rhos[1] must be > -0.5, got -0.5"),
    (lambda: by.three_layer_symmetry(8, 5, 1, [0], 0),
     "d must be <= 7 (d! copies of the sample), got 8"),
    (lambda: by.three_layer_symmetry(3, 0, 1, [0], 0), "n must be >= 1, got 0"),
    (lambda: by.three_layer_symmetry(3, 5, 0, [0], 0), "runs must be >= 1, got 0"),
    (lambda: by.three_layer_symmetry(3, 5, 1, [-2], 0), "seeds[0] must be >= 0, got -2"),
    (lambda: by.three_layer_symmetry(3, 5, 1, [0], 0, tol=0.0), "tol must be > 0.0, got 0.0"),
    (lambda: by.three_layer_symmetry(3, 5, 1, [0], 0, max_iter=0),
     "max_iter must be >= 1, got 0"),
    (lambda: by.least_symmetry_table(3, 1, [0], settings=["nothing"]), "settings must be among"),
])
def test_each_bad_argument_is_named_at_the_start_of_its_error(call, message):
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        call()


def test_a_law_that_is_not_an_input_law_is_named():
    with pytest.raises(TypeError, match=r"^law must be an InputLaw, got str$"):
        by.symmetry_of_minima("x", 3, 1, [0], law="gaussian")


def test_the_smallest_documented_arguments_are_accepted():
    row = by.symmetry_of_minima("x", 2, 1, [0], law=by.correlated_gaussian(2, 0.0), max_iter=1,
                                tol=1e-12)
    assert row is not None
    assert by.symmetric_sample(1, 1, 0, symmetrize=False).shape == (1, 1)
