"""The grids of the Dropout chapter: the claims the prose makes from them, and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from twolayer import data, dropout


@pytest.fixture(scope="module")
def single():
    return data.dropout_data(n=30, d=5, k=1, rng=4, whiten=True)


@pytest.fixture(scope="module")
def three():
    return data.dropout_data(n=30, d=5, k=3, rng=0, whiten=True)


def test_rate_grid_peaks_at_the_corollarys_keep_probability(single):
    X, y = single
    grid = dropout.rate_grid(X, y, np.linspace(0.02, 0.98, 49), widths=[2, 4, 8])
    assert grid.rates.shape == (3, 49)
    for m in (2, 4, 8):
        peak = grid.ps[np.argmax(grid.at_width(m))]
        assert peak == pytest.approx(1 / (1 + np.sqrt(m)), abs=0.02)  # grid step 0.02
    # whitened data: 4 p (1 - p) ||X^T y|| / (1 + (m - 1) p)
    norm = np.linalg.norm(X.T @ np.ravel(y))
    p = grid.ps
    assert np.allclose(grid.at_width(4), 4 * p * (1 - p) * norm / (1 + 3 * p), rtol=1e-10)
    assert grid.at_width(2)[10] == dropout.single_output_rate(X, y, float(p[10]), 2)[0]


def test_rate_falls_with_the_width_from_two_on(single):
    X, y = single
    grid = dropout.rate_grid(X, y, [0.2, 0.5, 0.8], widths=np.arange(1, 17))
    for p in (0.2, 0.5, 0.8):
        assert np.all(np.diff(grid.at_p(p)[1:]) < 0)
    # width 1: no direction orthogonal to the ones vector, the rate grows with p
    assert np.all(np.diff(grid.rates[0]) > 0)


def test_shrinkage_weakens_as_p_and_m_grow(three):
    X, Y = three
    widths = [1, 2, 3, 4, 6, 8, 12, 16, 32, 64, 128]
    paths = dropout.shrinkage_paths(X, Y, np.linspace(0.05, 1.0, 39), widths=widths,
                                    p_fixed=0.5, m_fixed=4)
    sigma = paths.singular_values
    assert paths.shrunk_p.shape == (39, sigma.size) and paths.shrunk_w.shape == (11, sigma.size)
    assert np.all(paths.shrunk_p <= sigma + 1e-12) and np.all(paths.shrunk_w <= sigma + 1e-12)
    assert np.all(np.diff(paths.shrunk_p, axis=0) >= -1e-12)  # rises with p
    assert np.all(np.diff(paths.shrunk_w, axis=0) >= -1e-12)  # rises with m
    assert np.allclose(paths.shrunk_p[-1], sigma)  # p = 1: no regularization
    assert np.all(np.diff(paths.rank_p) >= 0) and paths.rank_p[0] < 3 == paths.rank_p[-1]
    assert np.all(np.diff(paths.threshold_w) < 0)
    assert paths.threshold_w[-1] < 0.05 * paths.threshold_w[0]  # wide networks barely shrink
    star = dropout.dropout_minimizer(X, Y, 0.5, 128)
    assert paths.threshold_w[-1] == star.threshold


def test_measured_flow_rates_match_the_hessian_at_the_limit(three):
    X, Y = three
    study = dropout.flow_rate_study(X, Y, [0.3, 0.9], 4, seed=1)
    assert np.all(np.abs(study.relative_errors) < 0.02)  # the chapter: well inside 2%
    r, m = study.ranks, study.width
    assert study.null_dims.tolist() == (r * m - r * (r + 1) // 2 + 1).tolist()
    for p, flow, minimum in zip(study.ps, study.flows, study.minima, strict=True):
        assert minimum == dropout.dropout_minimizer(X, Y, float(p), 4).objective
        assert np.all(flow.objective >= minimum - 1e-12)


def test_closed_form_rate_matches_hessian_and_balanced_flows(single):
    X, y = single
    study = dropout.single_output_flow_study(X, y, [0.2, 0.8], widths=[2, 8], seed=1)
    assert study.closed.shape == study.hessian.shape == study.measured.shape == (2, 2)
    assert np.allclose(study.hessian, study.closed, rtol=1e-6)  # "to all printed digits"
    assert np.all(np.abs(study.relative_errors) < 0.02)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda X, y, Y: dropout.rate_grid(X, y, [0.5, 1.5], [2]), r"ps\[1\] = 1.5"),
        (lambda X, y, Y: dropout.rate_grid(X, y, [0.5], [0]), r"widths\[0\] must be >= 1"),
        (lambda X, y, Y: dropout.rate_grid(X, Y, [0.5], [2]), "needs one output"),
        (lambda X, y, Y: dropout.shrinkage_paths(X, Y, [], [2], p_fixed=0.5, m_fixed=4),
         "at least one keep probability"),
        (lambda X, y, Y: dropout.shrinkage_paths(X, Y, [0.5], [2], p_fixed=0.0, m_fixed=4),
         "p must be > 0.0"),
        (lambda X, y, Y: dropout.flow_rate_study(X, Y, [0.5, 1.0], 4, seed=1),
         r"ps must lie in \(0, 1\)"),
        (lambda X, y, Y: dropout.flow_rate_study(X, Y, [0.5], 4, seed=1, window=(1e-8, 1e-12)),
         r"window\[1\] must be >"),
        (lambda X, y, Y: dropout.single_output_flow_study(X, Y, [0.5], [2], seed=1),
         "needs one output"),
    ],
)
def test_studies_reject_bad_input_by_name(single, three, call, match):
    with pytest.raises(ValueError, match=match):
        call(single[0], single[1], three[1])


def test_stochastic_dropout_follows_the_flow_closer_for_smaller_steps(three):
    X, Y = three
    p, m = 0.5, 4
    star = dropout.dropout_minimizer(X, Y, p, m)
    gen = np.random.default_rng(3)
    W1, W2 = 0.3 * gen.standard_normal((m, 5)), 0.3 * gen.standard_normal((3, m))
    study = dropout.sgd_against_flow(X, Y, W1, W2, p, [0.02, 0.005], t_max=10.0,
                                     optimum=star.objective, seed=1, records=100, tail=25)
    assert study.steps.tolist() == [500, 2000]
    assert [run.steps[-1] for run in study.runs] == [500, 2000]
    # Same masks as dropout_sgd with rng=seed, and the flow of gradient_flow.
    direct = dropout.dropout_sgd(X, Y, W1, W2, p, lr=0.005, steps=2000, rng=1, record_every=20)
    np.testing.assert_array_equal(study.runs[1].objective, direct.objective)
    flow = dropout.gradient_flow(X, Y, W1, W2, p, t_max=10.0, num=201)
    np.testing.assert_allclose(study.flow.objective, flow.objective, rtol=0, atol=0)
    # A quarter of the step: closer to the flow, and a noise floor that is about lr times lower.
    assert study.deviation[1] < study.deviation[0]
    assert np.all(study.excess > 0)
    assert 2.0 < study.excess[0] / study.excess[1] < 8.0


def test_sgd_against_flow_refuses_bad_input(three):
    X, Y = three
    W1, W2 = np.ones((2, 5)), np.ones((3, 2))
    with pytest.raises(ValueError, match="lrs must be a nonempty"):
        dropout.sgd_against_flow(X, Y, W1, W2, 0.5, [], t_max=1.0, optimum=0.0, seed=0)
    with pytest.raises(ValueError, match="lrs must be at most t_max / records"):
        dropout.sgd_against_flow(X, Y, W1, W2, 0.5, [0.1], t_max=1.0, optimum=0.0, seed=0)
    with pytest.raises(ValueError, match="tail must be at most"):
        dropout.sgd_against_flow(X, Y, W1, W2, 0.5, [0.001], t_max=1.0, optimum=0.0, seed=0,
                                 records=10, tail=12)
