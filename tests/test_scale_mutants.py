"""twolayer.scale: every field of the chapter's two experiments recomputed independently, and the
arguments named in their errors (tests/MUTATION.md, section "scale"). The other test file,
tests/test_scale.py, checks the chapter's claims at the chapter's sizes."""

from __future__ import annotations

import numpy as np
import pytest

from twolayer import arrangements, duality, network, scale
from twolayer.convex import recover_network, solve_convex
from twolayer.solvers import solve_ipm

SGD = {"num_patterns": 6, "width": 3, "runs": 2, "lr": 2e-2, "steps": 40, "batch_size": 5}
BETA = 0.1


def _data(seed=0, n=20, d=3):
    gen = np.random.default_rng(seed)
    X, Xt = gen.standard_normal((n, d)), gen.standard_normal((2 * n, d))
    w = gen.standard_normal(d)
    return X, np.sign(X @ w), Xt, np.sign(Xt @ w)


@pytest.fixture(scope="module")
def tiny():
    X, y, Xt, yt = _data()
    return X, y, Xt, yt, scale.convex_against_sgd(X, y, Xt, yt, BETA, rng=3, **SGD)


def _accuracy(X, y, W, a):
    return float(np.mean(np.sign(network.forward(X, W, a)) == y))


def test_convex_against_sgd_reports_what_the_networks_and_the_program_give(tiny):
    X, y, Xt, yt, cmp = tiny
    # the SGD runs: the same draws as train_from_random_inits with the seed's generator
    gen = np.random.default_rng(3)
    trained = network.train_from_random_inits(
        X, y, SGD["width"], BETA, runs=SGD["runs"], rng=gen, lr=SGD["lr"],
        steps=SGD["steps"], batch_size=SGD["batch_size"], record_every=SGD["steps"])
    values = np.array([network.objective(X, y, r.W, r.a, BETA) for r in trained])
    np.testing.assert_allclose(cmp.sgd_values, values, rtol=1e-12)
    np.testing.assert_allclose(cmp.sgd_train_accuracy,
                               [_accuracy(X, y, r.W, r.a) for r in trained])
    np.testing.assert_allclose(cmp.sgd_test_accuracy,
                               [_accuracy(Xt, yt, r.W, r.a) for r in trained])
    assert cmp.width == SGD["width"]
    # the program: its own patterns, its certified solution, the recovered network
    pat = cmp.solution.patterns
    assert cmp.patterns == pat.shape[0] >= cmp.sampled_patterns
    ipm = solve_ipm(X, y, BETA, pat)
    assert cmp.convex_value == pytest.approx(ipm.solution.value, rel=1e-12)
    np.testing.assert_allclose(cmp.gap_history, ipm.history, rtol=1e-9)
    assert cmp.convex_gap == pytest.approx(ipm.certificate.gap, rel=1e-6, abs=1e-15)
    W, a = recover_network(cmp.solution)
    assert cmp.neurons == a.size
    assert cmp.network_value == pytest.approx(network.objective(X, y, W, a, BETA), rel=1e-12)
    assert cmp.convex_train_accuracy == _accuracy(X, y, W, a)
    assert cmp.convex_test_accuracy == _accuracy(Xt, yt, W, a)
    assert 0.5 < cmp.convex_train_accuracy <= 1.0  # a sign fit of separable data, not 1 - it
    # each SGD network's own certificate over the program's patterns (defaults: not complete,
    # not refined), and the excess over the optimum
    dual = [duality.certificate(X, y, r.W, r.a, BETA, patterns=pat).dual for r in trained]
    np.testing.assert_allclose(cmp.dual_bounds, dual, rtol=1e-12)
    np.testing.assert_allclose(cmp.certified_gaps, (values - np.array(dual)) / values,
                               rtol=1e-12)
    np.testing.assert_allclose(cmp.excess, (values - cmp.convex_value) / cmp.convex_value,
                               rtol=1e-9)


def test_convex_against_sgd_accepts_its_smallest_arguments_and_names_bad_ones():
    X, y, Xt, yt = _data(1, n=8, d=2)
    small = {**SGD, "num_patterns": 1, "steps": 0, "batch_size": 2}
    cmp = scale.convex_against_sgd(X, y, Xt, yt, BETA, rng=0, **small)
    assert cmp.sampled_patterns == 1
    one = scale.convex_against_sgd(X, y, Xt, yt, BETA, rng=0, **{**small, "steps": 1})
    assert one.sgd_values.shape == (SGD["runs"],)
    for name, bad in (("num_patterns", 0), ("steps", -1)):
        with pytest.raises(ValueError, match=rf"^{name} "):
            scale.convex_against_sgd(X, y, Xt, yt, BETA, rng=0, **{**small, name: bad})


def test_ipm_convergence_records_the_runs_stopped_at_each_checkpoint():
    X, y, _, _ = _data(2, n=15, d=3)
    pat = arrangements.sample_patterns(X, 12, 0)
    conv = scale.ipm_convergence(X, y, BETA, pat, (0, 1, 3, 1000))
    full = solve_ipm(X, y, BETA, pat)
    assert conv.checkpoints.tolist() == [0, 1, 3, full.iterations]
    np.testing.assert_allclose(conv.history, full.history, rtol=1e-12)
    runs = [solve_ipm(X, y, BETA, pat, max_iter=c, raise_on_limit=False) for c in (0, 1, 3)]
    runs.append(full)
    for field, of in (("primal", "primal"), ("dual", "dual"), ("gaps", "gap"),
                      ("primal_residuals", "primal_residual"),
                      ("dual_residuals", "dual_residual")):
        np.testing.assert_allclose(getattr(conv, field),
                                   [getattr(r.certificate, of) for r in runs], rtol=1e-12,
                                   atol=1e-300)
    np.testing.assert_allclose(conv.fits, [r.solution.predictions for r in runs], rtol=1e-12,
                               atol=1e-14)
    assert len(set(conv.primal.tolist())) == 4  # four different iterates
    ref = solve_convex(X, y, BETA, pat).value  # the library's Clarabel settings
    assert conv.cvxpy_value == ref
    assert conv.relative_difference == abs(full.solution.value - ref) / ref
    with pytest.raises(ValueError, match=r"^checkpoints\[0\] must be >= 0, got -1$"):
        scale.ipm_convergence(X, y, BETA, pat, (-1, 2))
