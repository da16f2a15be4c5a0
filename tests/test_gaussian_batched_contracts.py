"""The batched L-BFGS against a plain one-run L-BFGS written from its docstring (Nocedal & Wright
2006, alg. 7.4 and 7.5 with a halving Armijo search), the Wilson interval against the score test
it inverts, and the classification of twolayer.gaussian.batched on each side of every threshold."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from twolayer import gaussian
from twolayer.gaussian import batched
from twolayer.symmetry import type_a_weights

# The type-A spurious minimum at k = d = 8 (Safran & Shamir 2018), to 5 digits.
ALPHA8 = [1.00143, -0.02588, 0.22809, 0.15982, -0.65826]


def _rosenbrock(X):
    """The extended Rosenbrock function of each row of X (R, p), p even, and its gradient."""
    a, b = X[:, ::2], X[:, 1::2]
    f = np.sum(100.0 * (b - a * a) ** 2 + (1.0 - a) ** 2, axis=1)
    G = np.empty_like(X)
    G[:, ::2] = -400.0 * a * (b - a * a) - 2.0 * (1.0 - a)
    G[:, 1::2] = 200.0 * (b - a * a)
    return f, G


def _reference_lbfgs(fun, x0, gtol, ftarget, max_iter, memory):
    """One run of the L-BFGS the docstring of batched_lbfgs describes, written plainly."""
    x = x0.copy()
    fx, gx = (v[0] for v in fun(x[None]))
    evals, iters, pairs = 1, 0, []  # pairs (s, y, rho), newest last
    if np.abs(gx).max() <= gtol or fx <= ftarget:
        return x, iters, evals
    for _ in range(max_iter):
        q, alphas = gx.copy(), []
        for s, y, rho in reversed(pairs):
            alphas.append(rho * (s @ q))
            q -= alphas[-1] * y
        if pairs:
            s, y, _ = pairs[-1]
            gamma = (s @ y) / (y @ y)
        else:
            gamma = 1.0 / max(1.0, np.linalg.norm(gx))
        z = gamma * q
        for (s, y, rho), alpha in zip(pairs, reversed(alphas)):
            z += (alpha - rho * (y @ z)) * s
        p = -z
        slope = gx @ p
        if not slope < 0:
            p, slope, pairs = -gx, -(gx @ gx), []
        step, new = 1.0, None
        for _ in range(30):
            ft, gt = (v[0] for v in fun((x + step * p)[None]))
            evals += 1
            if np.isfinite(ft) and ft <= fx + 1e-4 * step * slope:
                new = (x + step * p, ft, gt)
                break
            step *= 0.5
        stuck = new is None
        if stuck:
            new = (x, fx, gx)
        xn, fn, gn = new
        stuck = stuck or fx - fn <= 1e-15 * max(1.0, abs(fx))
        s, y = xn - x, gn - gx
        if s @ y > 1e-12 * np.sqrt((s @ s) * (y @ y)):
            pairs = (pairs + [(s, y, 1.0 / (s @ y))])[-memory:]
        x, fx, gx = xn, fn, gn
        iters += 1
        if np.abs(gx).max() <= gtol or fx <= ftarget or stuck:
            break
    return x, iters, evals


@pytest.mark.parametrize("memory, max_iter", [(1, 8), (3, 12), (10, 500)])
def test_batched_lbfgs_follows_the_documented_algorithm_run_by_run(memory, max_iter):
    X0 = np.random.default_rng(0).uniform(-1.5, 1.5, (3, 4))
    res = batched.batched_lbfgs(_rosenbrock, X0, gtol=1e-8, max_iter=max_iter, memory=memory)
    for r in range(3):
        x, iters, evals = _reference_lbfgs(_rosenbrock, X0[r], 1e-8, 0.0, max_iter, memory)
        np.testing.assert_allclose(res.x[r], x, rtol=1e-9, atol=1e-12)
        assert res.iterations[r] == iters
        f, g = _rosenbrock(x[None])
        assert res.loss[r] == pytest.approx(f[0], rel=1e-9, abs=1e-20)
        assert res.grad_max[r] == pytest.approx(np.abs(g).max(), rel=1e-6, abs=1e-12)
        assert res.converged[r] == (np.abs(g).max() <= 1e-8)
    if max_iter == 500:  # L-BFGS with 10 pairs reaches the minimum (1, 1, 1, 1)
        assert np.all(res.loss < 1e-12)
        np.testing.assert_allclose(res.x, 1.0, atol=1e-6)
    one = batched.batched_lbfgs(_rosenbrock, X0[:1], gtol=1e-8, max_iter=max_iter, memory=memory)
    assert one.evaluations == _reference_lbfgs(_rosenbrock, X0[0], 1e-8, 0.0, max_iter,
                                               memory)[2]


def test_batched_lbfgs_stops_at_its_loss_target_and_at_a_start_that_is_already_done():
    X0 = np.array([[-1.2, 1.0], [1.0, 1.0]])
    res = batched.batched_lbfgs(_rosenbrock, X0, ftarget=1.0)
    x, iters, _ = _reference_lbfgs(_rosenbrock, X0[0], 1e-9, 1.0, 5000, 10)
    assert res.iterations.tolist() == [iters, 0] and 0 < iters < 100
    # the same iterates up to rounding, which Rosenbrock's valley amplifies to about 2e-9
    np.testing.assert_allclose(res.x[0], x, rtol=1e-8)
    assert res.loss[0] <= 1.0 and res.converged.all()
    assert res.loss[1] == 0.0  # the minimum itself: no iteration
    done = batched.batched_lbfgs(_rosenbrock, X0[1:], gtol=1e-9)
    assert done.evaluations == 1 and done.iterations[0] == 0 and done.converged[0]


def test_a_run_without_a_decreasing_step_stops_unconverged_where_it_is():
    # the loss is finite only at the start: no step of 1, 1/2, ..., 2^-29 is accepted
    def fun(X):
        f = np.where(np.all(X == 0.5, axis=1), 1.0, np.inf)
        return f, np.ones_like(X)

    res = batched.batched_lbfgs(fun, np.full((2, 3), 0.5), max_iter=50)
    np.testing.assert_array_equal(res.x, 0.5)
    assert res.iterations.tolist() == [1, 1] and not res.converged.any()
    assert res.evaluations == 31


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: batched.batched_lbfgs(_rosenbrock, np.ones(2)), ValueError,
         "x0 must be 2-dimensional"),
        (lambda: batched.batched_lbfgs(_rosenbrock, np.ones((1, 2)), gtol=0.0), ValueError,
         "gtol must be > 0"),
        (lambda: batched.batched_lbfgs(_rosenbrock, np.ones((1, 2)), ftarget="0"), TypeError,
         "ftarget must be a real number"),
        (lambda: batched.batched_lbfgs(_rosenbrock, np.ones((1, 2)), max_iter=0), ValueError,
         "max_iter must be >= 1"),
        (lambda: batched.batched_lbfgs(_rosenbrock, np.ones((1, 2)), memory=0), ValueError,
         "memory must be >= 1"),
        (lambda: batched.batched_loss_and_gradient(np.ones((0, 2, 2)), np.eye(2)), ValueError,
         r"W must have at least one run, row and column, got \(0, 2, 2\)"),
        (lambda: batched.batched_loss_and_gradient(np.ones((1, 0, 2)), np.eye(2)), ValueError,
         "W must have at least one run"),
        (lambda: batched.batched_loss_and_gradient(np.ones((1, 2, 0)), np.ones((2, 0))),
         ValueError, "W must have at least one run"),
        (lambda: batched.batched_loss_and_gradient(
            np.stack([np.eye(2), np.diag([1.0, 0.0])]), np.eye(2)), ValueError,
         r"row 1 of W\[1\] is zero"),
        (lambda: batched.batched_loss_and_gradient(np.ones((1, 2, 2)), np.ones(2)), ValueError,
         "V must be 2-dimensional"),
        (lambda: batched.classify_point(np.eye(2), np.eye(2), global_tol=-1.0), ValueError,
         "global_tol must be >= 0"),
        (lambda: batched.classify_point(np.eye(2), np.eye(2), grad_tol=0.0), ValueError,
         "grad_tol must be > 0"),
        (lambda: batched.classify_point(np.eye(2), np.eye(2), eig_tol=-1.0), ValueError,
         "eig_tol must be >= 0"),
        (lambda: batched.classify_point(np.eye(2), np.eye(3)), ValueError,
         "W and V must have the same number of columns"),
        (lambda: batched.wilson_interval(-1, 10), ValueError, "successes must be >= 0"),
        (lambda: batched.wilson_interval(1, 0), ValueError, "trials must be >= 1"),
        (lambda: batched.wilson_interval(1, 10, z=0.0), ValueError, "z must be > 0"),
        (lambda: batched.spurious_rates([3], 0, rng=0), ValueError, "runs must be >= 1"),
        (lambda: batched.spurious_rates([3], 2, rng=0, gtol=0.0), ValueError, "gtol must be > 0"),
        (lambda: batched.spurious_rates([3], 2, rng=0, max_iter=0), ValueError,
         "max_iter must be >= 1"),
        (lambda: batched.spurious_rates([3], 2, rng=0, global_tol=-1.0), ValueError,
         "global_tol must be >= 0"),
        (lambda: batched.spurious_rates(3, 2, rng=0), TypeError, "ks must be a sequence"),
    ],
)
def test_each_bad_argument_is_named_at_the_start_of_its_error(call, error, match):
    with pytest.raises(error, match="^" + match):
        call()


def test_the_smallest_documented_settings_are_accepted():
    res = batched.batched_lbfgs(_rosenbrock, np.zeros((1, 2)), max_iter=1, memory=1)
    assert res.iterations[0] == 1
    assert batched.classify_point(np.eye(2), np.eye(2), global_tol=0.0, eig_tol=0.0)[0] in (
        "global", "spurious")
    rates = batched.spurious_rates([2], 1, rng=0, max_iter=1, global_tol=0.0)
    assert rates.fits[2][0].iterations == 1


# ----------------------------------------------------------------------------- classification


@pytest.fixture(scope="module")
def spurious_point():
    V = np.eye(8)
    return gaussian.newton_polish(type_a_weights(ALPHA8, 8), V, steps=6), V


@pytest.fixture(scope="module")
def saddle_point():
    k = 6
    V = np.eye(k)
    c = minimize_scalar(lambda c: gaussian.population_loss(c * np.ones((k, k)), V),
                        bounds=(0.01, 2.0), method="bounded", options={"xatol": 1e-12}).x
    return c * np.ones((k, k)), V


def test_classify_point_on_both_sides_of_each_threshold(spurious_point, saddle_point):
    W, V = spurious_point
    kind, gnorm, lam = batched.classify_point(W, V)
    assert kind == "spurious" and lam > 0.01
    assert lam == pytest.approx(gaussian.hessian_spectrum(W, V)[0], rel=1e-10)
    assert gnorm == pytest.approx(np.linalg.norm(gaussian.population_gradient(W, V)), abs=1e-15)
    loss = gaussian.population_loss(W, V)
    # the eigenvalue threshold is strict: lambda_min equal to eig_tol is undecided
    assert batched.classify_point(W, V, eig_tol=lam)[0] == "other"
    assert batched.classify_point(W, V, eig_tol=0.999 * lam)[0] == "spurious"
    # the gradient threshold: a critical point only while gnorm <= grad_tol
    assert batched.classify_point(W, V, grad_tol=gnorm)[0] == "spurious"
    other = batched.classify_point(W, V, grad_tol=0.5 * gnorm)
    assert other[0] == "other" and np.isnan(other[2])
    # the loss threshold
    assert batched.classify_point(W, V, global_tol=loss * (1 + 1e-9))[0] == "global"
    assert batched.classify_point(W, V, global_tol=loss * (1 - 1e-9))[0] == "spurious"
    S, U = saddle_point
    kind, _, lam = batched.classify_point(S, U)
    assert kind == "saddle" and lam < -0.1
    assert batched.classify_point(S, U, eig_tol=-lam)[0] == "other"
    assert batched.classify_point(S, U, eig_tol=-0.999 * lam)[0] == "saddle"


def test_classify_point_reports_the_smallest_hessian_eigenvalue():
    # at a generic point the spectrum is simple; a huge grad_tol lets the rule reach the Hessian
    rng = np.random.default_rng(8)
    W, V = rng.standard_normal((4, 3)), rng.standard_normal((2, 3))
    kind, _, lam = batched.classify_point(W, V, grad_tol=1e6)
    spectrum = np.linalg.eigvalsh(gaussian.population_hessian(W, V))
    assert spectrum[1] - spectrum[0] > 1e-3
    assert lam == pytest.approx(spectrum[0], rel=1e-12)
    assert kind == ("spurious" if lam > 1e-8 else "saddle")


def test_a_global_minimum_is_classified_without_its_hessian():
    V = np.eye(4)
    # the teacher itself has the loss 0 exactly, global also without a tolerance
    assert batched.classify_point(V, V, global_tol=0.0)[0] == "global"
    kind, gnorm, lam = batched.classify_point(V[[2, 0, 1, 3]], V)
    assert kind == "global" and np.isnan(lam) and gnorm < 1e-12
    # W = (1 + e) V has the loss e^2 / 2 E[f(x; V)^2] = e^2 (2 + 6 / pi) / 2, about 4.9e-9 here:
    # global under the default tolerance 1e-8, and without one a point that is not critical
    W = V * (1 + 5e-5)
    assert gaussian.population_loss(W, V) == pytest.approx(12.5e-10 * (2 + 6 / np.pi), rel=1e-3)
    assert batched.classify_point(W, V)[0] == "global"
    assert batched.classify_point(W, V, global_tol=0.0)[0] == "other"


# ----------------------------------------------------------------------------- rates


@pytest.mark.parametrize("successes, trials, z", [(0, 10, 1.96), (3, 10, 1.0), (7, 20, 2.576),
                                                  (19, 20, 1.959963984540054), (1, 1, 1.5)])
def test_wilson_interval_inverts_the_score_test(successes, trials, z):
    # Wilson (1927): the ends are the proportions p0 at which |p - p0| = z sqrt(p0 (1 - p0) / n),
    # the roots of a quadratic, computed here with numpy.roots
    p = successes / trials
    roots = np.roots([1 + z * z / trials, -(2 * p + z * z / trials), p * p])
    expected = np.sort(np.clip(roots.real, 0.0, 1.0))
    low, high = batched.wilson_interval(successes, trials, z=z)
    assert (low, high) == pytest.approx(tuple(expected), abs=1e-12)
    assert 0.0 <= low <= p <= high <= 1.0
    if 0 < successes < trials:
        assert low > 0.0 and high < 1.0


def test_wilson_interval_ends_are_exact_without_successes_or_failures():
    # for 0 of 3 the formula leaves 5e-17 instead of 0 (and symmetrically for 3 of 3)
    for n in (3, 5, 6, 12):
        assert batched.wilson_interval(0, n)[0] == 0.0
        assert batched.wilson_interval(n, n)[1] == 1.0
    assert batched.wilson_interval(0, 5, z=1.5)[0] == 0.0


def test_rates_intervals_fractions_and_the_fits_they_count():
    rates = batched.spurious_rates([6], 30, rng=7, max_iter=400)
    fits = rates.fits[6]
    assert rates.ks == (6,) and rates.runs == 30 and len(fits) == 30
    assert rates.evaluations[6] > 1
    for kind in batched.KINDS:
        n = sum(f.kind == kind for f in fits)
        assert rates.count(6, kind) == n
        assert rates.interval(6, kind) == batched.wilson_interval(n, 30)
    # every end point is the fit of its documented start, classified by the rule of
    # classify_point (the shared Hessian of an orbit gives the eigenvalue of its own point)
    W0 = np.random.default_rng(7).standard_normal((30, 6, 6)) / np.sqrt(6)

    def fun(x):
        loss, grad = batched.batched_loss_and_gradient(x.reshape(-1, 6, 6), np.eye(6))
        return loss, grad.reshape(len(x), -1)

    alone = batched.batched_lbfgs(fun, W0.reshape(30, -1), gtol=1e-8, ftarget=1e-10,
                                  max_iter=400)
    for r, fit in enumerate(fits):
        end = alone.x[r].reshape(6, 6)
        if (gaussian.population_loss(end, np.eye(6)) > 1e-8
                and np.linalg.norm(gaussian.population_gradient(end, np.eye(6))) <= 1e-6):
            end = gaussian.newton_polish(end, np.eye(6))  # a near-critical point is refined
        np.testing.assert_allclose(fit.W, end, atol=1e-12)
        assert fit.iterations == alone.iterations[r]
        kind, gnorm, lam = batched.classify_point(fit.W, np.eye(6))
        assert fit.kind == kind
        assert fit.loss == pytest.approx(gaussian.population_loss(fit.W, np.eye(6)), abs=1e-13)
        assert fit.grad_norm == pytest.approx(gnorm, rel=1e-9, abs=1e-15)
        if kind in ("spurious", "saddle"):
            assert fit.min_eig == pytest.approx(lam, abs=1e-5)
        else:
            assert np.isnan(fit.min_eig)
    assert {f.kind for f in fits} >= {"global", "spurious"}
