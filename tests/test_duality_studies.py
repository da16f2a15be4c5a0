"""The studies of the duality chapter: what the chapter claims from each, and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from twolayer.arrangements import enumerate_patterns_2d
from twolayer.convex import solve_convex, solve_convex_path
from twolayer.data import circle_teacher_regression
from twolayer.duality import (
    certificate,
    certificate_path,
    optimal_width_study,
    pattern_sampling_study,
)
from twolayer.network import random_restarts, train_from_random_inits

BETA = 0.1


@pytest.fixture(scope="module")
def problem():
    X, y, _, _ = circle_teacher_regression(30, rng=0, noise=0.1)
    sol = solve_convex(X, y, BETA, enumerate_patterns_2d(X))
    return X, y, sol.value


def test_optimal_widths_stay_far_below_n_plus_one():
    ns = [10, 20, 40, 80]
    study = optimal_width_study(ns, seeds=[100, 101], beta=BETA)
    assert study.widths.shape == study.values.shape == (2, 4)
    assert np.all(study.widths >= 1)
    # the chapter: an order of magnitude below n + 1 at the largest n
    assert np.all(study.widths[:, -1] <= (ns[-1] + 1) / 5)
    assert np.all(study.widths <= np.array(ns) + 1)
    # the same program as solve_convex on the same data
    X, y, _, _ = circle_teacher_regression(20, rng=101, noise=0.1)
    assert study.values[1, 1] == pytest.approx(
        solve_convex(X, y, BETA, enumerate_patterns_2d(X)).value, rel=1e-9)


def test_every_restart_ends_above_the_convex_optimum(problem):
    X, y, p_star = problem
    gd = random_restarts(X, y, [2, 8, 32], BETA, seeds=[2, 8, 32], runs=3, lr=0.05, steps=1500)
    sgd = random_restarts(X, y, [32], BETA, seeds=[1000], runs=3, lr=0.01, steps=1500,
                          batch_size=10)
    assert gd.finals.shape == (3, 3) and sgd.finals.shape == (1, 3) and sgd.batch_size == 10
    finals = np.concatenate([gd.finals.ravel(), sgd.finals.ravel()])
    assert np.all(finals >= p_star * (1 - 1e-9))
    assert gd.finals[0].max() > 1.5 * p_star  # two neurons cannot fit three teacher neurons
    assert gd.finals[2].min() < 1.05 * p_star  # wide networks come close


def test_random_restarts_draw_what_train_from_random_inits_draws(problem):
    X, y, _ = problem
    study = random_restarts(X, y, [4], BETA, seeds=[4], runs=2, lr=0.01, steps=50, batch_size=5)
    runs = train_from_random_inits(X, y, 4, BETA, runs=2, rng=4, lr=0.01, steps=50,
                                   batch_size=5, record_every=50)
    assert study.finals[0].tolist() == [r.history[-1] for r in runs]


def test_certified_gaps_bound_the_true_gap(problem):
    X, y, p_star = problem
    path = certificate_path(X, y, BETA, width=16, rng=7, checkpoints=4,
                            steps_per_checkpoint=300, lr=0.02, batch_size=10)
    assert path.steps.tolist() == [300, 600, 900, 1200]
    true = path.true_gap(p_star)
    assert np.all(true >= -1e-9)
    assert np.all(path.basic_gap >= true - 1e-9)
    assert np.all(path.refined_gap >= true - 1e-9)
    assert np.all(path.refined_gap <= path.basic_gap + 1e-12)
    # the last certificates are those of duality.certificate on the final network
    assert path.basic.gap == pytest.approx(certificate(X, y, path.W, path.a, BETA).gap, rel=1e-9)
    assert path.refined.gap == pytest.approx(
        certificate(X, y, path.W, path.a, BETA, refine=True).gap, rel=1e-9)


def test_sampled_patterns_give_upper_bounds_that_fall(problem):
    X, y, p_star = problem
    study = pattern_sampling_study(X, y, BETA, [2, 8, 32, 256], seeds=[50, 51], optimum=p_star)
    assert study.found.shape == study.values.shape == (2, 4)
    assert np.all(study.found <= np.array([2, 8, 32, 256]))
    assert np.all(np.diff(study.found, axis=1) >= 0)  # nested pattern sets
    assert np.all(study.values >= p_star * (1 - 1e-7))
    assert np.all(np.diff(study.values, axis=1) <= 1e-7 * p_star)
    assert np.allclose(study.excess, (study.values - p_star) / p_star)
    assert np.all(study.excess[:, -1] < 1e-3)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda X, y: optimal_width_study([10, 0], [1], BETA), r"ns\[1\] must be >= 1"),
        (lambda X, y: optimal_width_study([], [1], BETA), "ns and seeds must be nonempty"),
        (lambda X, y: random_restarts(X, y, [2, 3], BETA, seeds=[1], runs=2, lr=0.1, steps=5),
         "one seed per width, got 1 seeds for 2 widths"),
        (lambda X, y: random_restarts(X, y, [2], BETA, seeds=[1], runs=2, lr=0.1, steps=0),
         "steps must be >= 1"),
        (lambda X, y: certificate_path(X, y, BETA, 4, 0, checkpoints=2, steps_per_checkpoint=5,
                                       lr=0.1, batch_size=100), "batch_size must be at most"),
        (lambda X, y: certificate_path(np.c_[X, X], y, BETA, 4, 0, checkpoints=2,
                                       steps_per_checkpoint=5, lr=0.1, batch_size=5),
         "d = 2 columns"),
        (lambda X, y: pattern_sampling_study(X, y, BETA, [8, 4], [0], optimum=1.0),
         "strictly increasing"),
        (lambda X, y: pattern_sampling_study(X, y, BETA, [4, 8], [0], optimum=-1.0),
         "optimum must be > 0"),
    ],
)
def test_studies_reject_bad_input_by_name(problem, call, match):
    X, y, _ = problem
    with pytest.raises(ValueError, match=match):
        call(X, y)


def test_a_compiled_beta_path_solves_what_solve_convex_solves(problem):
    X, y, p_star = problem
    patterns = enumerate_patterns_2d(X)
    path = solve_convex_path(X, y, [0.3, BETA, 0.03], patterns)
    assert path.values[1] == pytest.approx(p_star, rel=1e-9)
    assert np.all(np.diff(path.values) < 0)  # p*(beta) increases with beta
    for b, sol in zip(path.betas, path.solutions, strict=True):
        assert sol.beta == b
        assert sol.value == pytest.approx(solve_convex(X, y, float(b), patterns).value, rel=1e-9)


@pytest.mark.parametrize("betas, match", [([], "at least one value"),
                                          ([0.1, -1.0], "betas must all be > 0")])
def test_a_beta_path_rejects_bad_betas(problem, betas, match):
    X, y, _ = problem
    with pytest.raises(ValueError, match=match):
        solve_convex_path(X, y, betas, enumerate_patterns_2d(X))
