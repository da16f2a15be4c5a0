"""Behaviour of twolayer.gaussian's rates that the mutation run of batched (pool_rates, the
batched gradient descent, spurious_rates_gd, SpuriousRates.interval), published and students
(EndPointCounts.runs_at and fraction) found unchecked (tests/MUTATION.md): the stopping rules of
gradient descent at their ties, its documented defaults and arguments, the set-up of the
gradient-descent experiment, how parts are pooled, and the published counts against the
type-A minimum they start at."""

from __future__ import annotations

import numpy as np
import pytest

from twolayer import gaussian
from twolayer.gaussian import batched
from twolayer.gaussian.students import FitResult

from .messages import exactly
from .test_gaussian_mutants import _quadratic

# ----------------------------------------------------------------------------- batched GD


def test_gradient_descent_stops_at_a_gradient_norm_of_exactly_gtol():
    # x <- x - step grad f on f = |x|^2 / 2 (gradient x) with step 1/2 halves x exactly: from
    # (3, 4) the gradient norm is 5 / 2^n, equal to gtol = 5/8 after three steps; from (6, 8)
    # after four (the last step with one run left in the batch); from (3/8, 1/2) at the start.
    X0 = np.array([[3.0, 4.0], [6.0, 8.0], [0.375, 0.5]])
    start = X0.copy()
    res = batched.batched_gradient_descent(_quadratic(), X0, step=0.5, gtol=0.625, ftarget=-1.0)
    np.testing.assert_array_equal(X0, start)  # the starts are not overwritten
    assert res.iterations.dtype.kind == "i"  # BatchedFit: iterations are integers
    assert res.iterations.tolist() == [3, 4, 0] and res.converged.all()
    assert res.x.tolist() == [[0.375, 0.5]] * 3
    assert res.loss.tolist() == [0.1953125] * 3  # 25/128
    assert res.grad_max.tolist() == [0.5] * 3  # the largest entry, not the norm
    assert res.evaluations == 5  # the start and four steps (batched over the active runs)


def test_gradient_descent_stops_at_a_loss_of_exactly_ftarget_on_its_own():
    # the loss test alone, with gtol far below: f = |x|^2 / 2 is 25/2 / 4^n from (3, 4), equal
    # to ftarget = 25/128 after three steps; the start (3/8, 1/2) is done at once
    X0 = np.array([[3.0, 4.0], [0.375, 0.5]])
    res = batched.batched_gradient_descent(_quadratic(), X0, step=0.5, gtol=1e-12,
                                           ftarget=25 / 128)
    assert res.iterations.tolist() == [3, 0] and res.converged.all()
    assert res.x.tolist() == [[0.375, 0.5]] * 2 and res.evaluations == 4
    # a run cut off by max_iter keeps its last iterate and is not converged
    res = batched.batched_gradient_descent(_quadratic(), X0, step=0.5, gtol=1e-12,
                                           ftarget=25 / 128, max_iter=2)
    assert res.iterations.tolist() == [2, 0] and res.converged.tolist() == [False, True]
    assert res.x[0].tolist() == [0.75, 1.0]


def test_gradient_descent_defaults_stop_at_a_gradient_norm_of_1e_9_or_a_loss_of_0():
    # the documented defaults gtol = 1e-9, ftarget = 0: from (3, 4) the norm 5 / 2^n is first
    # below 1e-9 at n = 33 (5 / 2^32 = 1.16e-9); f = |x|^2 / 2 - 1 reaches 0 or below after two
    # steps (25/32 - 1), long before its gradient is small
    X0 = np.array([[3.0, 4.0]])
    res = batched.batched_gradient_descent(_quadratic(), X0, step=0.5)
    assert res.iterations.tolist() == [33] and res.converged.all()
    res = batched.batched_gradient_descent(_quadratic(shift=-1.0), X0, step=0.5)
    assert res.iterations.tolist() == [2] and res.loss.tolist() == [25 / 32 - 1]


def _record_gradient_descent(monkeypatch):
    """The (step, gtol, ftarget, max_iter) of every call of the batched descent loop."""
    seen = []
    real = batched._batched_gd

    def recording(fun, x0, step, gtol, ftarget, max_iter):
        seen.append((step, gtol, ftarget, max_iter))
        return real(fun, x0, step, gtol, ftarget, max_iter)

    monkeypatch.setattr(batched, "_batched_gd", recording)
    return seen


def test_gradient_descent_defaults_allow_100000_iterations(monkeypatch):
    # max_iter = 100_000 by default: the value handed to the loop (a run of 1e5 steps would
    # take seconds)
    seen = _record_gradient_descent(monkeypatch)
    batched.batched_gradient_descent(_quadratic(), np.ones((1, 2)), step=0.5)
    assert seen == [(0.5, 1e-9, 0.0, 100_000)]


def test_a_run_whose_loss_becomes_nan_stops_unconverged():
    # f = x on x >= 0 and nan below (gradient 1): from 3/4 one step of 1 leaves the domain;
    # the run stops there (not at max_iter), not converged, with its loss nan
    def fun(X):
        x = X[:, 0]
        return np.where(x >= 0, x, np.nan), np.ones_like(X)

    res = batched.batched_gradient_descent(fun, np.array([[0.75], [2.0]]), step=1.0, gtol=1e-9,
                                           ftarget=-10.0, max_iter=50)
    assert res.iterations.tolist() == [1, 3] and not res.converged.any()
    assert res.x.tolist() == [[-0.25], [-1.0]] and np.isnan(res.loss).all()


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(fun=None), TypeError, "fun must be callable, got NoneType"),
    (dict(x0=np.ones(2)), ValueError, "x0 must be 2-dimensional, got shape (2,)"),
    (dict(step=-1.0), ValueError, "step must be > 0.0, got -1.0"),
    (dict(step="a"), TypeError, "step must be a real number, got str"),
    (dict(gtol=-1.0), ValueError, "gtol must be > 0.0, got -1.0"),
    (dict(ftarget=np.nan), ValueError, "ftarget must be finite, got nan"),
    (dict(max_iter=0), ValueError, "max_iter must be >= 1, got 0"),
    (dict(max_iter=2.0), TypeError, "max_iter must be an integer, got float"),
])
def test_gradient_descent_errors_name_their_argument(kwargs, error, message):
    # (an open bound is tested below it: a mutant that let the bound itself through would
    # then fail on the message, not run a descent with step or gtol 0)
    args = dict(fun=_quadratic(), x0=np.ones((2, 2)), step=0.5) | kwargs
    with pytest.raises(error, match=exactly(message)):
        batched.batched_gradient_descent(args.pop("fun"), args.pop("x0"), **args)


# ----------------------------------------------------------------------------- spurious_rates_gd


def _gd_by_hand(k: int, W0: np.ndarray, **kwargs) -> batched.BatchedFit:
    """batched_gradient_descent on the population loss of ``V = I_k`` from ``W0 (R, k, k)``."""

    def fun(x):
        loss, grad = batched.batched_loss_and_gradient(x.reshape(-1, k, k), np.eye(k))
        return loss, grad.reshape(len(x), -1)

    return batched.batched_gradient_descent(fun, W0.reshape(len(W0), -1), **kwargs)


def test_spurious_rates_gd_is_gradient_descent_with_step_5_over_k_from_the_documented_starts():
    # spurious_rates_gd: for each k in order, runs starts with N(0, 1/k) entries from the
    # stream, gradient descent with step step_scale / k (default 5, Safran, Yehudai & Shamir
    # 2021) until the gradient norm is at most gtol (default 1e-9) or the loss at most
    # global_tol / 100 (default 1e-8 / 100); each fit keeps the iterations of gradient descent
    gen = np.random.default_rng(1)
    starts = {k: gen.standard_normal((3, k, k)) / np.sqrt(k) for k in (5, 4)}
    rates = batched.spurious_rates_gd([5, 4], 3, rng=1)
    assert rates.ks == (5, 4) and rates.runs == 3
    for k in (5, 4):
        gd = _gd_by_hand(k, starts[k], step=5.0 / k, gtol=1e-9, ftarget=1e-10)
        assert [f.iterations for f in rates.fits[k]] == gd.iterations.tolist()
        assert rates.evaluations[k] == gd.evaluations
        for f, x, loss in zip(rates.fits[k], gd.x, gd.loss):
            assert f.kind == "global" and loss <= 1e-10
            np.testing.assert_array_equal(f.W.ravel(), x)
    # another step and another global_tol, handed on the same way
    rates = batched.spurious_rates_gd([4], 3, rng=1, step_scale=2.0, global_tol=1e-6)
    gd = _gd_by_hand(4, np.random.default_rng(1).standard_normal((3, 4, 4)) / 2.0,
                     step=0.5, gtol=1e-9, ftarget=1e-8)
    assert [f.iterations for f in rates.fits[4]] == gd.iterations.tolist()


def test_spurious_rates_gd_allows_200000_steps_and_stops_at_its_gtol(monkeypatch):
    # the documented defaults handed to gradient descent: max_iter = 200_000 (a run of that
    # length would take minutes), and gtol when given
    seen = _record_gradient_descent(monkeypatch)
    batched.spurious_rates_gd([4], 2, rng=0)
    batched.spurious_rates_gd([4], 2, rng=0, gtol=1e-7, max_iter=30)
    assert seen == [(1.25, 1e-9, 0.01 * 1e-8, 200_000), (1.25, 1e-7, 0.01 * 1e-8, 30)]


def test_a_run_cut_off_by_max_iter_is_classified_where_gradient_descent_left_it():
    # spurious_rates_gd's docstring: a run that reaches max_iter is classified where it
    # stopped; its W and loss are those of the last gradient step (not moved on by another
    # optimizer before the classification)
    k = 4
    W0 = np.random.default_rng(0).standard_normal((3, k, k)) / np.sqrt(k)
    rates = batched.spurious_rates_gd([k], 3, rng=0, max_iter=5)
    gd = _gd_by_hand(k, W0, step=5.0 / k, gtol=1e-9, ftarget=1e-10, max_iter=5)
    assert not gd.converged.any()
    for f, x, loss in zip(rates.fits[k], gd.x, gd.loss):
        assert f.kind == "other" and f.iterations == 5
        np.testing.assert_array_equal(f.W.ravel(), x)
        assert f.loss == pytest.approx(loss, abs=1e-14)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(ks=[1]), ValueError, "ks[0] must be >= 2, got 1"),
    (dict(runs=0), ValueError, "runs must be >= 1, got 0"),
    (dict(rng="seed"), TypeError,
     "rng must be a numpy.random.Generator or an integer seed, got str"),
    (dict(step_scale=-1.0), ValueError, "step_scale must be > 0.0, got -1.0"),
    (dict(gtol=-1.0), ValueError, "gtol must be > 0.0, got -1.0"),
    (dict(max_iter=0), ValueError, "max_iter must be >= 1, got 0"),
    (dict(global_tol=-1.0), ValueError, "global_tol must be >= 0.0, got -1.0"),
])
def test_spurious_rates_gd_errors_name_their_argument(kwargs, error, message):
    with pytest.raises(error, match=exactly(message)):
        batched.spurious_rates_gd(**(dict(ks=[4], runs=2, rng=0) | kwargs))


# ----------------------------------------------------------------------------- pooling


def _fit(kind: str, iterations: int = 1) -> FitResult:
    return FitResult(np.full((2, 2), float(iterations)), 0.1, 0.0, float("nan"), kind, iterations)


def _rates(fits: dict[int, list[FitResult]], evaluations: dict[int, int]) -> batched.SpuriousRates:
    return batched.SpuriousRates(ks=tuple(fits), runs=min(len(f) for f in fits.values()),
                                 fits={k: tuple(f) for k, f in fits.items()},
                                 evaluations=evaluations)


def test_pooled_parts_keep_their_order_sum_their_evaluations_and_count_runs_per_size():
    # pool_rates: sizes in order of first appearance, the fits of a size in the order of the
    # parts, evaluations summed per size, runs the smallest number of runs of a size
    a = _rates({7: [_fit("spurious", 1), _fit("global", 2), _fit("spurious", 3)]}, {7: 10})
    b = _rates({6: [_fit("global", 4), _fit("saddle", 5)], 7: [_fit("other", 6)]},
               {6: 4, 7: 3})
    pooled = batched.pool_rates((a, b))  # any sequence
    assert pooled.ks == (7, 6) and pooled.runs == 2
    assert [f.iterations for f in pooled.fits[7]] == [1, 2, 3, 6]
    assert [f.iterations for f in pooled.fits[6]] == [4, 5]
    assert pooled.evaluations == {7: 13, 6: 4}
    # EndPointCounts: runs, counts and fractions of each size (not of the smallest)
    assert pooled.runs_at(7) == 4 and pooled.runs_at(6) == 2
    assert pooled.count(7) == 2 and pooled.fraction(7) == 0.5  # spurious by default
    assert pooled.fraction(7, "other") == 0.25 and pooled.fraction(6, "saddle") == 0.5
    # SpuriousRates.interval: the Wilson interval of that fraction over the runs of the size
    assert pooled.interval(7) == batched.wilson_interval(2, 4)
    assert pooled.interval(7, "global") == batched.wilson_interval(1, 4)
    assert pooled.interval(6, "saddle") == batched.wilson_interval(1, 2)
    # one part pools to itself
    alone = batched.pool_rates([a])
    assert alone.ks == a.ks and alone.runs == 3 and alone.evaluations == {7: 10}
    assert alone.fits[7] == a.fits[7]


def test_pool_rates_errors_name_the_argument():
    a = _rates({7: [_fit("global")]}, {7: 1})
    with pytest.raises(ValueError, match=exactly(
            "parts must be a non-empty sequence of SpuriousRates, got []")):
        batched.pool_rates([])
    with pytest.raises(ValueError, match=exactly(
            "parts must be a non-empty sequence of SpuriousRates, got 5")):
        batched.pool_rates(5)
    with pytest.raises(TypeError, match=exactly("parts[1] must be a SpuriousRates, got str")):
        batched.pool_rates([a, "rates"])


def test_the_experiment_of_the_students_module_counts_per_size_too():
    # EndPointCounts is shared with spurious_minima_experiment's result
    from twolayer.gaussian.students import SpuriousExperiment

    ex = SpuriousExperiment(ks=[2, 3], runs=3, fits={
        2: [_fit("spurious"), _fit("global"), _fit("global")],
        3: [_fit("spurious"), _fit("spurious"), _fit("other"), _fit("global")],
    })
    assert ex.runs_at(2) == 3 and ex.runs_at(3) == 4
    assert ex.fraction(2) == 1 / 3 and ex.fraction(3) == 0.5
    assert ex.fraction(3, "other") == 0.25 and ex.fraction(2, "global") == 2 / 3


# ----------------------------------------------------------------------------- published


def test_the_lowest_published_level_is_the_type_a_minimum_at_every_size():
    # The lowest loss level of the published spurious minima at each k = 7, ..., 20 is the
    # type-A minimum of Safran & Shamir (2018) (found here by Newton's method in its fixed-point
    # space, from the start the other tests use), rounded like the table to 1e-6; at k = 6 no
    # run ended at a spurious minimum
    from twolayer.symmetry import type_a_critical_point

    pub = gaussian.safran2021_rates()
    assert pub.levels[6] == () and pub.counts[6] == 0
    for k in range(7, 21):
        point = type_a_critical_point(k, [1.0, -0.05, 0.3, 0.2, -0.6])
        assert point.grad_norm < 1e-12
        assert pub.levels[k][0][0] == round(point.loss, 6)


def test_the_published_counts_and_highest_levels_are_those_read_from_the_processed_minima():
    # The runs of 500 per size that did not end at the global minimum, and the highest loss
    # level with its number of runs, as read from Safran, Yehudai & Shamir (2021), repository
    # ItaySafran/Overparameterization, "Processed minima.zip" (published.py's module docstring;
    # the lower levels are pinned by the sum of the counts, their order and the type-A test)
    pub = gaussian.safran2021_rates()
    assert pub.counts == {6: 0, 7: 27, 8: 57, 9: 111, 10: 160, 11: 237, 12: 269, 13: 335,
                          14: 352, 15: 390, 16: 436, 17: 451, 18: 448, 19: 472, 20: 471}
    highest = {7: (0.023203, 27), 8: (0.021508, 57), 9: (0.020014, 111), 10: (0.035327, 10),
               11: (0.066709, 1), 12: (0.054341, 2), 13: (0.055737, 1), 14: (0.070880, 2),
               15: (0.070672, 1), 16: (0.078490, 1), 17: (0.081685, 2), 18: (0.084570, 1),
               19: (0.081169, 2), 20: (0.084018, 1)}
    assert {k: pub.levels[k][-1] for k in range(7, 21)} == highest
    assert pub.fraction(20) == 471 / 500 and pub.interval(20) == batched.wilson_interval(471, 500)
    # the set-up and the source in words, as the module docstring gives them (sec. 4.2)
    assert pub.setup == ("gradient descent, step 5/k, until the gradient norm is at most 1e-12, "
                         "from N(0, 1/k) entries; 500 runs per k")
    assert pub.source == ("Safran, Yehudai & Shamir (2021), repository "
                          "ItaySafran/Overparameterization, 'Processed minima.zip'")


@pytest.mark.parametrize("call, error, message", [
    (lambda pub: pub.grid(step=0), ValueError, "step must be >= 1, got 0"),
    (lambda pub: pub.grid(step=1.5), TypeError, "step must be an integer, got float"),
    (lambda pub: pub.grid(min_rise=1.5), ValueError, "min_rise must be <= 1.0, got 1.5"),
    (lambda pub: pub.grid(min_rise=-0.1), ValueError, "min_rise must be >= 0.0, got -0.1"),
    (lambda pub: pub.fraction(21), ValueError,
     "k must be one of the published sizes (6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, "
     "20), got 21"),
    (lambda pub: pub.interval(5), ValueError,
     "k must be one of the published sizes (6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, "
     "20), got 5"),
    (lambda pub: pub.interval(6.5), TypeError, "k must be an integer, got float"),
])
def test_published_rates_errors_name_their_argument(call, error, message):
    with pytest.raises(error, match=exactly(message)):
        call(gaussian.safran2021_rates())
