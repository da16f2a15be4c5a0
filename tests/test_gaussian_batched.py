"""The batched L-BFGS of twolayer.gaussian.batched, the classification of end points and the
spurious-minimum rates with Wilson intervals."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from twolayer import gaussian
from twolayer.gaussian import batched


def _starts(runs: int, k: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((runs, k, k)) / np.sqrt(k)


def test_batched_loss_and_gradient_equal_the_single_closed_forms():
    W = _starts(5, 7, 0)
    V = np.eye(7)
    loss, grad = batched.batched_loss_and_gradient(W, V)
    assert loss.shape == (5,) and grad.shape == (5, 7, 7)
    for r in range(5):
        assert loss[r] == pytest.approx(gaussian.population_loss(W[r], V), abs=1e-13)
        np.testing.assert_allclose(grad[r], gaussian.population_gradient(W[r], V), atol=1e-14)


def test_batched_gradient_is_accurate_for_nearly_parallel_neurons():
    # Rows 1e-9 away from the teacher's: the sine is recomputed, the gradient stays exact.
    V = np.eye(4)
    W = (V + 1e-9 * np.random.default_rng(1).standard_normal((4, 4)))[None]
    _, grad = batched.batched_loss_and_gradient(W, V)
    np.testing.assert_allclose(grad[0], gaussian.population_gradient(W[0], V), atol=1e-15)


def _problem(k: int):
    V = np.eye(k)
    const = 0.5 * float(gaussian.arccos_kernel(V, V).sum())

    def fun(x):
        loss, grad = batched._batched_kernel(x.reshape(-1, k, k), V, const)
        return loss, grad.reshape(x.shape[0], -1)

    return fun


def test_a_batch_gives_the_end_points_of_separate_runs():
    k, runs = 8, 6
    fun = _problem(k)
    X0 = _starts(runs, k, 2).reshape(runs, -1)
    together = batched.batched_lbfgs(fun, X0, gtol=1e-8, ftarget=1e-10)
    assert together.converged.all()
    for r in range(runs):
        alone = batched.batched_lbfgs(fun, X0[r : r + 1], gtol=1e-8, ftarget=1e-10)
        np.testing.assert_allclose(alone.x[0], together.x[r], atol=1e-12)
        assert alone.iterations[0] == together.iterations[r]


def test_batched_end_points_agree_with_scipy_lbfgs():
    # Two L-BFGS variants may fall into different basins from the same start; most agree,
    # and where both find a spurious minimum it is the same one.
    k, runs = 8, 12
    W0 = _starts(runs, k, 3)
    rates = batched.spurious_rates([k], runs, rng=3)  # draws the same starts
    np.testing.assert_allclose(rates.fits[k][0].W.shape, (k, k))
    same = 0
    for r in range(runs):
        single = gaussian.fit_student(W0[r], np.eye(k))
        mine = rates.fits[k][r]
        if single.kind == mine.kind:
            same += 1
            if mine.kind == "spurious":
                assert mine.loss == pytest.approx(single.loss, abs=1e-9)
    assert same >= 10


# ----------------------------------------------------------------------------- classification


def test_classify_a_spurious_minimum():
    fit = next(
        f for f in batched.spurious_rates([10], 20, rng=4).fits[10] if f.kind == "spurious"
    )
    kind, gnorm, lam = batched.classify_point(fit.W, np.eye(10))
    assert kind == "spurious" and gnorm < 1e-6 and lam > 1e-4


def test_classify_a_saddle_of_the_fully_symmetric_space():
    # W = c 1 1^T is fixed by all of S_k x S_d, so the best c is a critical point in the whole
    # space (symmetric criticality); it is a saddle, not a minimum.
    k = 6
    V = np.eye(k)
    c = minimize_scalar(
        lambda c: gaussian.population_loss(c * np.ones((k, k)), V),
        bounds=(0.01, 2.0), method="bounded", options={"xatol": 1e-12},
    ).x
    kind, gnorm, lam = batched.classify_point(c * np.ones((k, k)), V)
    assert kind == "saddle" and gnorm < 1e-6 and lam < -0.1


def test_classify_a_non_critical_point_and_the_global_minimum():
    V = np.eye(5)
    W = np.random.default_rng(5).standard_normal((5, 5))
    assert batched.classify_point(W, V)[0] == "other"
    assert np.isnan(batched.classify_point(W, V)[2])
    assert batched.classify_point(V, V)[0] == "global"
    # A point near a minimum but with a gradient above grad_tol is not called a minimum.
    assert batched.classify_point(V + 1e-3, V, global_tol=0.0)[0] == "other"


def test_classify_errors():
    with pytest.raises(ValueError, match="row 0 of W is zero"):
        batched.classify_point(np.zeros((2, 2)), np.eye(2))
    with pytest.raises(ValueError, match="grad_tol"):
        batched.classify_point(np.eye(2), np.eye(2), grad_tol=0.0)


# ----------------------------------------------------------------------------- rates


def test_wilson_interval_known_values():
    low, high = batched.wilson_interval(5, 10)
    assert low == pytest.approx(0.236593, abs=1e-6) and high == pytest.approx(0.763407, abs=1e-6)
    low, high = batched.wilson_interval(0, 10)
    assert low == 0.0 and high == pytest.approx(0.277533, abs=1e-6)
    assert batched.wilson_interval(10, 10)[1] == 1.0
    with pytest.raises(ValueError, match="successes must be <= trials"):
        batched.wilson_interval(11, 10)
    with pytest.raises(TypeError, match="trials must be an integer"):
        batched.wilson_interval(1, 2.5)


def test_rates_are_reproducible_and_consistent():
    a = batched.spurious_rates([6, 9], 40, rng=7)
    b = batched.spurious_rates([6, 9], 40, rng=7)
    for k in (6, 9):
        assert [f.kind for f in a.fits[k]] == [f.kind for f in b.fits[k]]
        assert sum(a.count(k, kind) for kind in batched.KINDS) == 40
        low, high = a.interval(k)
        assert low <= a.fraction(k) <= high
    # More spurious minima at k = 9 than at k = 6 (Safran & Shamir 2018, table 1).
    assert a.fraction(9) > a.fraction(6)
    # Every spurious end point is critical and has a positive definite Hessian.
    for f in a.fits[9]:
        if f.kind == "spurious":
            assert f.grad_norm < 1e-6 and f.min_eig > 1e-8


def test_rates_errors():
    with pytest.raises(ValueError, match=r"ks\[0\] must be >= 2"):
        batched.spurious_rates([1], 10, rng=0)
    with pytest.raises(TypeError, match="rng"):
        batched.spurious_rates([4], 10, rng="seed")
    with pytest.raises(ValueError, match="W must be 3-dimensional"):
        batched.batched_loss_and_gradient(np.eye(3), np.eye(3))
    with pytest.raises(ValueError, match="V must have d = 3 columns"):
        batched.batched_loss_and_gradient(np.ones((2, 3, 3)), np.eye(2))
    with pytest.raises(TypeError, match="fun must be callable"):
        batched.batched_lbfgs(3, np.ones((2, 2)))


# ----------------------------------------------------------------------------- batched GD


def test_batched_gradient_descent_equals_separate_runs_and_a_plain_loop():
    k, runs = 5, 4
    fun = _problem(k)
    X0 = _starts(runs, k, 5).reshape(runs, -1)
    step = 5.0 / k
    together = batched.batched_gradient_descent(fun, X0, step=step, gtol=1e-7, ftarget=1e-10)
    assert together.converged.all()
    for r in range(runs):
        alone = batched.batched_gradient_descent(
            fun, X0[r : r + 1], step=step, gtol=1e-7, ftarget=1e-10
        )
        np.testing.assert_allclose(alone.x[0], together.x[r], atol=1e-12)
        assert alone.iterations[0] == together.iterations[r]
    # The same iterates as W <- W - step * grad L(W) written out with the single closed form.
    W = X0[0].reshape(k, k).copy()
    for _ in range(together.iterations[0]):
        W = W - step * gaussian.population_gradient(W, np.eye(k))
    np.testing.assert_allclose(W.ravel(), together.x[0], atol=1e-10)
    g = gaussian.population_gradient(W, np.eye(k))
    assert np.linalg.norm(g) <= 1e-7 or gaussian.population_loss(W, np.eye(k)) <= 1e-10


def test_batched_gradient_descent_stops_at_the_iteration_limit_and_on_overflow():
    fun = _problem(4)
    X0 = _starts(2, 4, 6).reshape(2, -1)
    res = batched.batched_gradient_descent(fun, X0, step=0.1, gtol=1e-12, max_iter=3)
    assert (res.iterations == 3).all() and not res.converged.any()

    def blow_up(x):  # an unbounded loss: the iterates grow 1e100-fold, the loss overflows
        with np.errstate(over="ignore"):
            return -0.5 * np.einsum("rp,rp->r", x, x), -1e100 * x

    res = batched.batched_gradient_descent(blow_up, X0, step=1.0, gtol=1e-9, ftarget=-1e308)
    assert not res.converged.any() and res.iterations.max() < 10


def test_batched_gradient_descent_errors():
    fun = _problem(3)
    with pytest.raises(ValueError, match="step must be > 0"):
        batched.batched_gradient_descent(fun, np.ones((2, 9)), step=0.0)
    with pytest.raises(TypeError, match="fun must be callable"):
        batched.batched_gradient_descent(None, np.ones((2, 9)), step=0.1)
    with pytest.raises(ValueError, match="x0 must be 2-dimensional"):
        batched.batched_gradient_descent(fun, np.ones(9), step=0.1)
    with pytest.raises(ValueError, match="gtol must be > 0"):
        batched.batched_gradient_descent(fun, np.ones((2, 9)), step=0.1, gtol=0.0)
    with pytest.raises(ValueError, match="step_scale must be > 0"):
        batched.spurious_rates_gd([6], 4, rng=0, step_scale=-1.0)
    with pytest.raises(TypeError, match="rng"):
        batched.spurious_rates_gd([6], 4, rng="seed")


def test_spurious_rates_gd_starts_where_spurious_rates_starts():
    # Same seed, same starts: GD and L-BFGS agree on most runs, and on the loss of a
    # spurious minimum when both reach one.
    k, runs = 9, 12
    gd = batched.spurious_rates_gd([k], runs, rng=11)
    lb = batched.spurious_rates([k], runs, rng=11)
    assert sum(gd.count(k, kind) for kind in batched.KINDS) == runs
    same = 0
    for a, b in zip(gd.fits[k], lb.fits[k]):
        if a.kind == b.kind:
            same += 1
            if a.kind == "spurious":
                assert a.loss == pytest.approx(b.loss, abs=1e-8)
        if a.kind == "spurious":
            assert a.grad_norm <= 1e-8 and a.min_eig > 1e-8
        assert a.iterations > 0
    assert same >= runs - 2
    assert gd.evaluations[k] == max(f.iterations for f in gd.fits[k]) + 1


# ----------------------------------------------------------------------------- published


def test_published_counts_of_safran_yehudai_shamir():
    pub = gaussian.safran2021_rates()
    assert pub.ks == tuple(range(6, 21)) and pub.runs == 500
    assert all(0 <= pub.counts[k] <= pub.runs for k in pub.ks)
    # No spurious minimum in 500 runs at k = 6; at k = 20 all but 29 runs.
    assert pub.counts[6] == 0 and pub.counts[20] == 471
    assert pub.fraction(10) == pytest.approx(160 / 500)
    assert pub.interval(10) == batched.wilson_interval(160, 500)
    assert pub.interval(6)[0] == 0.0 and 0.0 < pub.interval(6)[1] < 0.01
    assert "5/k" in pub.setup and "ItaySafran/Overparameterization" in pub.source
    # The loss levels add up to the counts, increase, and start at the type-A minimum.
    for k in pub.ks:
        assert sum(c for _, c in pub.levels[k]) == pub.counts[k]
        losses = [loss for loss, _ in pub.levels[k]]
        assert losses == sorted(losses) and all(c >= 1 for _, c in pub.levels[k])
    assert pub.levels[8] == ((0.021508, 57),)
    with pytest.raises(ValueError, match="k must be one of the published sizes"):
        pub.fraction(21)
    with pytest.raises(TypeError, match="k must be an integer"):
        pub.interval(6.5)
    with pytest.raises(AttributeError):
        pub.runs = 1  # frozen


def _chapter_rates(k: int, cells: list[int]) -> batched.SpuriousRates:
    """Chapter 4's runs at size k: its random stream, in the chapter's cells."""
    stream = np.random.default_rng(2018 + (k - 6) // 2)
    return batched.pool_rates([batched.spurious_rates([k], n, rng=stream) for n in cells])


def test_chapter_claim_rates_agree_with_the_published_ones_within_the_intervals():
    # Chapter 4: at k = 14, the size of the largest difference, our 600 runs and their 500
    # still have overlapping 95% intervals.
    pub = gaussian.safran2021_rates()
    ours = _chapter_rates(14, [200, 400])
    lo, hi = ours.interval(14)
    plo, phi = pub.interval(14)
    assert ours.runs_at(14) == 600
    assert ours.fraction(14) > pub.fraction(14) + 0.03  # a real gap in the point estimates
    assert lo <= phi and plo <= hi
    # Our loss levels reached by at least three runs are all among theirs.
    theirs = [loss for loss, _ in pub.levels[14]]
    common = {}
    for x in ours.losses(14):
        common[round(float(x), 6)] = common.get(round(float(x), 6), 0) + 1
    for level, n in common.items():
        if n >= 3:
            assert min(abs(level - t) for t in theirs) <= 2e-6


def test_chapter_claim_the_last_step_is_wider_than_both_intervals():
    # Chapter 4: the grid's last and smallest predicted step, k = 16 to 20 (published 87.2% to
    # 94.2%), is still measured: our intervals there are disjoint and each narrower than the
    # step between the two rates.
    k16, k20 = _chapter_rates(16, [300, 300]), _chapter_rates(20, [150, 150])
    (lo16, hi16), (lo20, hi20) = k16.interval(16), k20.interval(20)
    step = k20.fraction(20) - k16.fraction(16)
    assert hi16 < lo20
    assert hi16 - lo16 < step and hi20 - lo20 < step


def test_the_grid_is_chosen_from_the_published_rates():
    pub = gaussian.safran2021_rates()
    # Published rates (of 500): 6: 0, 8: 57, 10: 160, 12: 269, 14: 352, 16: 436, 18: 448; the
    # rises are 11.4, 20.6, 21.8, 16.6, 16.8 and then 2.4 points, so the steps of two stop at 16.
    assert pub.grid() == (6, 8, 10, 12, 14, 16, 20)
    assert pub.grid(step=2, min_rise=0.0) == (6, 8, 10, 12, 14, 16, 18, 20)
    assert pub.grid(step=2, min_rise=0.2) == (6, 20)  # 6 -> 8 rises by 11.4 points only
    rule = gaussian.PublishedRates(ks=(2, 3, 4, 5), runs=10, counts={2: 0, 3: 1, 4: 3, 5: 4},
                                   levels={}, setup="", source="")
    assert rule.grid(step=1, min_rise=0.1) == (2, 3, 4, 5)  # a rise of exactly 0.1 continues
    assert rule.grid(step=1, min_rise=0.2) == (2, 5)
    assert rule.grid(step=2, min_rise=0.3) == (2, 4, 5)
    with pytest.raises(ValueError, match="step must be >= 1"):
        pub.grid(step=0)
    with pytest.raises(ValueError, match="min_rise must be <= 1"):
        pub.grid(min_rise=1.5)


def test_pooled_parts_of_one_stream_are_one_call():
    whole = batched.spurious_rates([6, 7], 30, rng=5)
    stream = np.random.default_rng(5)
    # The stream draws k = 6 first, then k = 7: parts follow the same order.
    parts = [batched.spurious_rates([6], 20, rng=stream),
             batched.spurious_rates([6], 10, rng=stream),
             batched.spurious_rates([7], 30, rng=stream)]
    pooled = batched.pool_rates(parts)
    assert pooled.ks == (6, 7) and pooled.runs == 30
    for k in (6, 7):
        assert pooled.runs_at(k) == 30
        for a, b in zip(whole.fits[k], pooled.fits[k]):
            np.testing.assert_array_equal(a.W, b.W)
            assert (a.kind, a.iterations) == (b.kind, b.iterations)
    assert pooled.evaluations[6] == parts[0].evaluations[6] + parts[1].evaluations[6]
    uneven = batched.pool_rates(parts[:2] + [batched.spurious_rates([7], 4, rng=1)])
    assert uneven.runs == 4 and uneven.runs_at(6) == 30 and uneven.runs_at(7) == 4
    assert uneven.interval(7) == batched.wilson_interval(uneven.count(7), 4)
    with pytest.raises(ValueError, match="parts must be a non-empty sequence"):
        batched.pool_rates([])
    with pytest.raises(TypeError, match=r"parts\[1\] must be a SpuriousRates"):
        batched.pool_rates([parts[0], "rates"])


def test_runs_cut_off_by_max_iter_end_where_separate_runs_end():
    # Runs that stop early leave the batch; those still going at max_iter keep their last
    # iterate, as they would alone.
    k, runs = 8, 5
    fun = _problem(k)
    X0 = _starts(runs, k, 9).reshape(runs, -1)
    cut = batched.batched_lbfgs(fun, X0, gtol=1e-8, max_iter=7)
    assert not cut.converged.any() and (cut.iterations == 7).all()
    for r in range(runs):
        alone = batched.batched_lbfgs(fun, X0[r : r + 1], gtol=1e-8, max_iter=7)
        np.testing.assert_array_equal(alone.x[0], cut.x[r])
        assert alone.loss[0] == cut.loss[r]


def test_chapter_claim_the_optimizer_does_not_shift_the_rate():
    # Chapter 4: from the first 100 of the k = 8 starts, gradient descent with step 5/k moves
    # some starts into the other basin, in both directions, and the totals stay close.
    gd = batched.spurious_rates_gd([8], 100, rng=2019)
    lb = batched.spurious_rates([8], 100, rng=2019)
    kinds = [(a.kind, b.kind) for a, b in zip(lb.fits[8], gd.fits[8])]
    assert ("global", "spurious") in kinds and ("spurious", "global") in kinds
    assert abs(gd.count(8) - lb.count(8)) <= 3
    assert set(gd.fits[8][r].kind for r in range(100)) <= {"global", "spurious"}


def test_spurious_minima_are_refined_so_that_one_loss_level_reads_as_one_isotropy_type():
    # Chapter 4's k = 6 runs: three end at the level 0.025081, which L-BFGS leaves at a
    # gradient of about 1e-8, up to 1.4e-6 off the minimum; unrefined, one of them read as
    # ΔS_3 × ΔS_2 at detect_isotropy's tolerance of 1e-6.
    from twolayer import symmetry

    rates = gaussian.spurious_rates([6], 400, rng=2018)
    minima = [f for f in rates.fits[6] if f.kind == "spurious"]
    assert len(minima) == 3
    V = gaussian.identity_teacher(6)
    for f in minima:
        assert f.grad_norm <= 1e-14
        assert np.linalg.norm(gaussian.population_gradient(f.W, V)) == pytest.approx(
            f.grad_norm, abs=1e-15)
        assert f.loss == pytest.approx(gaussian.population_loss(f.W, V), abs=1e-13)
    labels = symmetry.isotropy_labels([f.W for f in minima], [f.loss for f in minima])
    assert labels == ["ΔS_5"] * 3
    assert max(f.loss for f in minima) - min(f.loss for f in minima) <= 1e-12


def test_wilson_interval_is_the_set_the_score_test_does_not_reject():
    # the numbers above from their definition (Wilson 1927): the interval holds the p with
    # (p_hat - p)^2 <= z^2 p (1 - p) / n, whose ends are the roots of a quadratic in p
    z = 1.959963984540054
    for successes, trials in [(5, 10), (0, 10), (3, 17), (40, 40)]:
        p_hat = successes / trials
        # (1 + z^2/n) p^2 - (2 p_hat + z^2/n) p + p_hat^2 = 0
        roots = np.sort(np.roots([1 + z**2 / trials, -(2 * p_hat + z**2 / trials), p_hat**2]).real)
        low, high = batched.wilson_interval(successes, trials)
        np.testing.assert_allclose([low, high], roots, atol=1e-12)


def _four_sides(k):
    """Teacher I_k and four points: the global minimum, the type-A spurious minimum (Safran &
    Shamir 2018; critical by the reduced Newton iteration), the saddle c 1 1^T (symmetric
    criticality, see above) and 2 I, where the gradient is far from zero."""
    from twolayer.symmetry import type_a_critical_point, type_a_weights

    V = np.eye(k)
    spurious = type_a_weights(type_a_critical_point(k, [1.0, -0.05, 0.3, 0.2, -0.6]).alpha, k)
    c = minimize_scalar(
        lambda c: gaussian.population_loss(c * np.ones((k, k)), V),
        bounds=(0.01, 2.0), method="bounded", options={"xatol": 1e-12},
    ).x
    return V, np.stack([V, spurious, c * np.ones((k, k)), 2.0 * V])


def test_the_batched_fit_classifies_a_minimum_a_saddle_and_a_point_that_is_not_critical():
    # one L-BFGS iteration at most: the three critical starts are already converged and stay,
    # the fourth is still far from critical; each end point gets its kind
    V, W0 = _four_sides(6)
    fits, _ = batched._fit_batch(W0, V, 1e-9, 1, 1e-8)
    assert [f.kind for f in fits] == ["global", "spurious", "saddle", "other"]
    assert np.isnan(fits[0].min_eig) and np.isnan(fits[3].min_eig)  # no Hessian needed
    assert fits[1].min_eig > 1e-4 and fits[2].min_eig < -0.1
    assert fits[3].grad_norm > 1e-3
    for fit, start in zip(fits[:3], W0[:3], strict=True):
        # the minimum refined by Newton steps, which move it by less than 1e-6
        np.testing.assert_allclose(fit.W, start, atol=1e-6)
    assert fits[1].grad_norm <= 1e-14
    # and classify_point agrees on every one
    for fit in fits:
        assert batched.classify_point(fit.W, V)[0] == fit.kind
