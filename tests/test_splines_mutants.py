"""twolayer.splines: the argument checks and the behaviour that mutation testing found untested
(tests/MUTATION.md, section "splines"). Every expected number is computed by hand in a comment
or independently of the library (NumPy, SciPy)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from twolayer import splines as sp

X5 = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])
Y5 = np.array([0.0, 1.0, 0.0, -1.0, 0.0])  # triangle_samples(5)


def _net(m: int = 4) -> sp.UnivariateNetwork:
    return sp.init_univariate(m, 1.0, 0)


def _run() -> sp.DynamicsResult:
    return sp.train_univariate(X5, Y5, _net(), steps=2)


# every public function names its bad argument at the start of the error, with the bound it needs
BAD = [
    (lambda: sp.slope_changes([0.0], [1.0]), ValueError,
     r"^x must hold at least 2 samples, got 1$"),
    (lambda: sp.slope_changes([0.0, 1.0, 3.0, 2.0], [0.0] * 4), ValueError,
     r"^x must be strictly increasing \(sorted, without duplicates\), got x\[2\] = 3.0 and "
     r"x\[3\] = 2.0$"),
    (lambda: sp.slope_changes([0.0, 1.0, 1.0, 2.0], [0.0] * 4), ValueError,
     r"^x must be strictly increasing \(sorted, without duplicates\), got x\[1\] = 1.0 and "
     r"x\[2\] = 1.0$"),
    (lambda: sp.slope_changes([[0.0, 1.0]], [[0.0, 1.0]]), ValueError, "^x must be 1-dimensional"),
    (lambda: sp.slope_changes([0.0, 1.0], [[0.0, 1.0]]), ValueError, "^y must be 1-dimensional"),
    (lambda: sp.slope_changes([0.0, 1.0, 2.0], [0.0, 1.0]), ValueError,
     "^x and y must have the same number of rows, got 3 and 2"),
    (lambda: sp.triangle_samples(2), ValueError, r"^n must be >= 3, got 2$"),
    (lambda: sp.triangle_samples(4, low="a"), TypeError, "^low must be a real number"),
    (lambda: sp.triangle_samples(4, high="a"), TypeError, "^high must be a real number"),
    (lambda: sp.triangle_samples(4, 1.0, 1.0), ValueError,
     r"^high must be > low, got low=1.0, high=1.0$"),
    (lambda: sp.UnivariateNetwork(a=[[1.0]], b=[0.0], c=[1.0]), ValueError,
     "^a must be 1-dimensional"),
    (lambda: sp.UnivariateNetwork(a=[1.0], b=[0.0, 1.0], c=[1.0]), ValueError,
     r"^b must have length 1 along axis 0"),
    (lambda: sp.UnivariateNetwork(a=[1.0], b=[0.0], c=[1.0, 2.0]), ValueError,
     r"^c must have length 1 along axis 0"),
    (lambda: sp.UnivariateNetwork(a=[1.0], b=[0.0], c=[1.0], slope="s"), TypeError,
     "^slope must be a real number"),
    (lambda: sp.UnivariateNetwork(a=[1.0], b=[0.0], c=[1.0], offset="o"), TypeError,
     "^offset must be a real number"),
    (lambda: _net()([[0.0]]), ValueError, "^x must be 1-dimensional"),
    (lambda: sp.unit_cost(_net(), bias_weight=-0.5), ValueError,
     r"^bias_weight must be >= 0.0, got -0.5$"),
    (lambda: sp.unit_cost("net"), TypeError, r"^net must be a UnivariateNetwork, got str$"),
    (lambda: sp.representation_cost(abs, [[0.0]]), ValueError, "^knots must be 1-dimensional"),
    (lambda: sp.knot_grid([[0.0, 1.0]], 3), ValueError, "^x must be 1-dimensional"),
    (lambda: sp.knot_grid(X5, 1), ValueError, r"^num must be >= 2, got 1$"),
    (lambda: sp.knot_grid(X5, 3, margin=-0.1), ValueError, r"^margin must be >= 0.0, got -0.1$"),
    (lambda: sp.min_cost_network(X5, Y5, beta=-0.1), ValueError, r"^beta must be >= 0.0"),
    (lambda: sp.min_cost_network(X5, Y5, tol=1.0), ValueError, r"^tol must be < 1.0, got 1.0$"),
    (lambda: sp.min_cost_network(X5, Y5, tol=-1e-9), ValueError, r"^tol must be >= 0.0"),
    (lambda: sp.min_cost_network(X5, Y5, knots=[]), ValueError,
     r"^knots must hold at least one point, got none$"),
    (lambda: sp.min_cost_network(X5, Y5, knots=[[0.0]]), ValueError,
     "^knots must be 1-dimensional"),
    (lambda: sp.min_cost_path(X5, Y5, [0.1], tol=1.0), ValueError, r"^tol must be < 1.0"),
    (lambda: sp.min_cost_path(X5, Y5, [0.1], tol=-1.0), ValueError, r"^tol must be >= 0.0"),
    (lambda: sp.min_cost_path(X5, Y5, []), ValueError,
     r"^betas must hold at least one value, got an empty array$"),
    (lambda: sp.min_cost_path(X5, Y5, [0.1, -0.2]), ValueError,
     r"^betas must all be > 0 \(beta = 0 is min_cost_network's interpolation\), got minimum -0.2$"),
    (lambda: sp.value_range_at(X5, Y5, [[0.0]], knots=X5), ValueError,
     "^z must be 1-dimensional"),
    (lambda: sp.value_range_at(X5, Y5, [0.0], knots=X5, face_tol=-1.0), ValueError,
     r"^face_tol must be >= 0.0, got -1.0$"),
    (lambda: sp.bias_penalized_network(X5, Y5, 0.1, bias_scale=0.0), ValueError,
     r"^bias_scale must be > 0.0, got 0.0$"),
    (lambda: sp.init_univariate(0, 1.0, 0), ValueError, r"^m must be >= 2, got 0$"),
    (lambda: sp.init_univariate(5, 1.0, 0), ValueError,
     r"^m must be even \(units come in antisymmetric pairs\), got 5$"),
    (lambda: sp.init_univariate(4, 0.0, 0), ValueError, r"^ratio must be > 0.0, got 0.0$"),
    (lambda: sp.init_univariate(4, 1.0, 0, scale=0.0), ValueError,
     r"^scale must be > 0.0, got 0.0$"),
    (lambda: sp.init_univariate(4, 1.0, 0, knot_range=(1.0, 1.0)), ValueError,
     r"^knot_range must be an interval \(lo, hi\) with lo < hi, got \[1. 1.\]$"),
    (lambda: sp.init_univariate(4, 1.0, 0, knot_range=(0.0, 1.0, 2.0)), ValueError,
     r"^knot_range must have length 2 along axis 0"),
    (lambda: sp.polar_coordinates((1.0,)), TypeError, "^net must be a UnivariateNetwork"),
    (lambda: sp.balance_gaps((1.0,)), TypeError, "^net must be a UnivariateNetwork"),
    (lambda: sp.tangent_kernel([[0.0]], _net()), ValueError, "^x must be 1-dimensional"),
    (lambda: sp.tangent_kernel(X5, sp.UnivariateNetwork([1.0], [0.0], [1.0], offset=1.0)),
     ValueError, r"^gradient descent here trains networks without linear unit or output bias, "
     r"got slope=0.0, offset=1.0$"),
    (lambda: sp.hessian_bound(X5, Y5, sp.UnivariateNetwork([1.0], [0.0], [1.0], slope=1.0)),
     ValueError, r"^gradient descent here trains networks without linear unit or output bias, "
     r"got slope=1.0, offset=0.0$"),
    (lambda: sp.train_univariate(X5, Y5, _net(), steps=-1), ValueError,
     r"^steps must be >= 0, got -1$"),
    (lambda: sp.train_univariate(X5, Y5, _net(), steps=1, lr=0.0), ValueError,
     r"^lr must be > 0.0, got 0.0$"),
    (lambda: sp.train_univariate(X5, Y5, _net(), steps=1, step_factor=0.0), ValueError,
     r"^step_factor must be > 0.0, got 0.0$"),
    (lambda: sp.train_univariate(X5, Y5, _net(), steps=1, step_factor=2.0), ValueError,
     r"^step_factor must be < 2.0, got 2.0$"),
    (lambda: sp.train_univariate(X5, Y5, _net(), steps=1, max_turn=0.0), ValueError,
     r"^max_turn must be > 0.0, got 0.0$"),
    (lambda: sp.train_univariate(X5, Y5, _net(), steps=1, tol=-0.1), ValueError,
     r"^tol must be >= 0.0, got -0.1$"),
    (lambda: sp.train_univariate(X5, Y5, _net(), steps=1, record_every=0), ValueError,
     r"^record_every must be >= 1, got 0$"),
    (lambda: sp.train_univariate(X5, Y5, _net(), steps=1, kernel_every=0), ValueError,
     r"^kernel_every must be >= 1, got 0$"),
    (lambda: sp.spline_distances(X5, Y5, "f"), TypeError, r"^f must be callable, got str$"),
    (lambda: sp.spline_distances(X5, Y5, abs, num=1), ValueError, r"^num must be >= 2, got 1$"),
    (lambda: sp.curvature_near_samples(_net(), [[0.0]], 0.1), ValueError,
     "^x must be 1-dimensional"),
    (lambda: sp.curvature_near_samples(_net(), X5, -0.1), ValueError,
     r"^radius must be >= 0.0, got -0.1$"),
    (lambda: sp.curvature_near_samples("net", X5, 0.1), TypeError,
     "^net must be a UnivariateNetwork"),
    (lambda: sp.frozen_layer_interpolant(X5, Y5, "net"), TypeError,
     "^net must be a UnivariateNetwork"),
    (lambda: sp.lazy_index(X5, Y5, sp.UnivariateNetwork([1.0], [0.0], [1.0], offset=1.0)),
     ValueError, "^gradient descent here trains networks without linear unit"),
    (lambda: sp.uniform_knot_kernel([[0.0]], [0.0]), ValueError, "^s must be 1-dimensional"),
    (lambda: sp.uniform_knot_kernel([0.0], [[0.0]]), ValueError, "^t must be 1-dimensional"),
    (lambda: sp.uniform_knot_kernel([0.0], [0.0], (1.0, 0.0)), ValueError,
     r"^knot_range must be an interval"),
    (lambda: sp.kernel_limit(X5, Y5, (-0.9, 1.0)), ValueError,
     r"^x must lie inside knot_range \[-0.9, 1.0\], got \[-1.0, 1.0\]$"),
    (lambda: sp.kernel_limit(X5, Y5, (-1.0, 0.9)), ValueError,
     r"^x must lie inside knot_range \[-1.0, 0.9\], got \[-1.0, 1.0\]$"),
    (lambda: sp.kernel_limit(X5, Y5, (1.0, -1.0)), ValueError, r"^knot_range must be an interval"),
    (lambda: sp.sweep_summary(X5, Y5, [_run()], radius=-1.0), ValueError,
     r"^radius must be >= 0.0, got -1.0$"),
    (lambda: sp.sweep_summary(X5, Y5, []), ValueError,
     r"^runs must hold at least one DynamicsResult, got none$"),
    (lambda: sp.sweep_summary(X5, Y5, [_run(), "run"]), TypeError,
     r"^runs must hold DynamicsResult objects, got str$"),
    (lambda: sp.ratio_sweep(X5, Y5, [[1.0]], width=4, steps=1, rng=0), ValueError,
     "^ratios must be 1-dimensional"),
    (lambda: sp.ratio_sweep(X5, Y5, [], width=4, steps=1, rng=0), ValueError,
     r"^ratios must hold at least one positive value, got \[\]$"),
    (lambda: sp.ratio_sweep(X5, Y5, [1.0, 0.0], width=4, steps=1, rng=0), ValueError,
     r"^ratios must hold at least one positive value, got \[1. 0.\]$"),
    (lambda: sp.ratio_sweep(X5, Y5, [1.0], width=0, steps=1, rng=0), ValueError,
     r"^width must be >= 2, got 0$"),
    (lambda: sp.ratio_sweep(X5, Y5, [1.0], width=3, steps=1, rng=0), ValueError,
     r"^width must be even \(units come in antisymmetric pairs\), got 3$"),
    (lambda: sp.ratio_sweep(X5, Y5, [1.0], width=4, steps=-1, rng=0), ValueError,
     r"^steps must be >= 0, got -1$"),
    (lambda: sp.ratio_sweep(X5, Y5, [1.0], width=4, steps=1, rng=0, scale=0.0), ValueError,
     r"^scale must be > 0.0, got 0.0$"),
    (lambda: sp.ratio_sweep(X5, Y5, [1.0], width=4, steps=1, rng=0, tol=-1.0), ValueError,
     r"^tol must be >= 0.0, got -1.0$"),
    (lambda: sp.ratio_sweep(X5, Y5, [1.0], width=4, steps=1, rng=0, radius=-1.0), ValueError,
     r"^radius must be >= 0.0, got -1.0$"),
    (lambda: sp.ratio_sweep(X5, Y5, [1.0], width=4, steps=1, rng="0"), TypeError, "^rng must"),
]


@pytest.mark.parametrize(("call", "error", "match"), BAD)
def test_each_bad_argument_is_named_at_the_start_of_its_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_the_smallest_documented_arguments_are_accepted():
    x, y = sp.triangle_samples(3)
    np.testing.assert_array_equal(y, [0.0, 1.0, 0.0])
    assert sp.unit_cost(_net(), bias_weight=0.0) == pytest.approx(
        float(np.abs(_net().c) @ np.abs(_net().a)))
    assert sp.knot_grid(X5, 2).size == X5.size  # the grid ends are samples
    assert sp.min_cost_network(X5, Y5, tol=0.0).status == "optimal"
    assert sp.min_cost_path(X5, Y5, [0.1], tol=0.0).costs.shape == (1,)
    assert sp.init_univariate(2, 1e-3, 0).width == 2
    run = sp.train_univariate(X5, Y5, _net(), steps=0, tol=0.0, record_every=1, kernel_every=1)
    assert run.steps == 0 and not run.converged
    np.testing.assert_array_equal(run.history_step, [0])
    assert sp.spline_distances(X5, Y5, np.zeros_like, num=2) == (0.0, 0.0)
    assert sp.curvature_near_samples(_net(), X5, 0.0) >= 0.0
    f, c1, cn = sp.kernel_limit(X5, Y5, (-1.0, 1.0))  # samples at both ends of the range
    np.testing.assert_allclose(f(X5), Y5, atol=1e-12)
    sweep = sp.ratio_sweep(X5, Y5, [1.0], width=2, steps=0, rng=0, tol=0.0, radius=0.0)
    np.testing.assert_array_equal(sweep.steps, [0.0])


# --------------------------------------------------------------------------------------------
# gradient descent: the documented step rule, the records and the stopping rule
# --------------------------------------------------------------------------------------------


def _plain_descent(x, y, net, steps, step_factor, max_turn, kernel_every):
    """Gradient descent written from train_univariate's docstring: (a, b, c, time, drift)."""
    a, b, c = net.a.copy(), net.b.copy(), net.c.copy()
    time, drift, lam = 0.0, np.zeros_like(a), 0.0
    for t in range(steps):
        current = sp.UnivariateNetwork(a, b, c)
        H = np.maximum(np.outer(x, a) + b, 0.0)
        r = H @ c - y
        active = (np.outer(x, a) + b > 0).astype(float)
        gc = H.T @ r
        v = np.stack([active.T @ (r * x), active.T @ r], axis=1)  # (m, 2): the vectors v_i
        ga, gb = c * v[:, 0], c * v[:, 1]
        if t % kernel_every == 0:
            lam = np.linalg.eigvalsh(sp.tangent_kernel(x, current))[-1]
        vnorm = np.linalg.norm(v, axis=1)
        norms = np.hypot(a, b)
        live = (norms > 0) & (norms >= 0.01 * norms.max())
        omega = np.max(np.abs(c[live]) * vnorm[live] / norms[live])
        lr = min(step_factor / (lam + vnorm.max()), max_turn / omega)
        if t % kernel_every == 0:  # the bound of hessian_bound, whenever the kernel is fresh
            assert lam + vnorm.max() == pytest.approx(sp.hessian_bound(x, y, current), rel=1e-12)
        drift += lr**2 * (gc**2 - ga**2 - gb**2)
        a, b, c = a - lr * ga, b - lr * gb, c - lr * gc
        time += lr
    return a, b, c, time, drift


@pytest.mark.parametrize(("step_factor", "max_turn", "kernel_every"),
                         [(1.0, 0.05, 10), (1.5, 10.0, 3), (0.5, 1e-3, 1)])
def test_adaptive_steps_are_those_of_the_documented_rule(step_factor, max_turn, kernel_every):
    # max_turn 10: the Hessian bound sets every step; 1e-3: the turn does
    net = sp.init_univariate(8, 2.0, 4)
    steps = 12
    run = sp.train_univariate(X5, Y5, net, steps=steps, step_factor=step_factor,
                              max_turn=max_turn, kernel_every=kernel_every)
    a, b, c, time, drift = _plain_descent(X5, Y5, net, steps, step_factor, max_turn,
                                          kernel_every)
    np.testing.assert_allclose(run.final.a, a, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(run.final.b, b, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(run.final.c, c, rtol=1e-12, atol=1e-14)
    assert run.time == pytest.approx(time, rel=1e-12)
    np.testing.assert_allclose(run.delta_drift, drift, rtol=1e-10, atol=1e-16)
    assert run.steps == steps and not run.converged
    assert run.initial is net


def test_units_on_their_way_to_zero_do_not_limit_the_turn():
    # a unit of norm 0.5% of the largest turns fast but is skipped by the rule (below 1%), one
    # of 2% is not
    base = sp.init_univariate(6, 1.0, 1)
    for shrink in (0.005, 0.02):
        a, b = base.a.copy(), base.b.copy()
        a[0], b[0] = a[0] * shrink, b[0] * shrink
        net = sp.UnivariateNetwork(a, b, base.c.copy())
        run = sp.train_univariate(X5, Y5, net, steps=3, max_turn=1e-3)
        *_, time, _ = _plain_descent(X5, Y5, net, 3, 1.0, 1e-3, 10)
        assert run.time == pytest.approx(time, rel=1e-12)


@pytest.mark.parametrize("tiny", [0.0, 1e-170])
def test_a_unit_of_norm_zero_leaves_the_turn_limit_of_the_others(tiny):
    # (a_i, b_i) = 0 has no direction (its speed is 0 / 0), and (1e-170, 1e-170) is active on
    # every sample but its squared norm underflows to 0 (speed x / 0): the other units still
    # turn by at most max_turn per step, as the documented rule gives (once the zero unit was
    # read as nan and the limit dropped: a first step of 0.357 and a turn of 0.41 rad)
    base = sp.init_univariate(6, 1.0, 1)
    net = sp.UnivariateNetwork(np.append(base.a, tiny), np.append(base.b, tiny),
                               np.append(base.c, 0.3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and silently: no RuntimeWarning of 0 / 0 or x / 0
        run = sp.train_univariate(X5, Y5, net, steps=1, max_turn=1e-3)
    *_, time, _ = _plain_descent(X5, Y5, net, 1, 1.0, 1e-3, 10)
    assert run.time == pytest.approx(time, rel=1e-12)
    assert run.time < 1e-2
    turn = np.abs(np.angle((run.final.a + 1j * run.final.b)[:-1] / (net.a + 1j * net.b)[:-1]))
    assert turn.max() <= 1e-3 * (1 + 1e-9)


def test_a_network_with_every_unit_at_zero_stays_there_with_steps_of_max_turn():
    # every (a_i, b_i) = 0: no unit is active, the gradient and the Hessian bound are 0, and
    # no unit turns; the rule's step is then max_turn itself
    net = sp.UnivariateNetwork(np.zeros(3), np.zeros(3), np.array([0.5, -1.0, 2.0]))
    run = sp.train_univariate(X5, Y5, net, steps=4, max_turn=0.25)
    assert run.time == pytest.approx(4 * 0.25, rel=1e-15)
    np.testing.assert_array_equal(run.final.c, net.c)
    np.testing.assert_array_equal(run.final.a, 0.0)


def test_a_fixed_step_is_plain_gradient_descent():
    net = sp.init_univariate(6, 1.0, 2)
    run = sp.train_univariate(X5, Y5, net, steps=3, lr=0.01)
    a, b, c = net.a.copy(), net.b.copy(), net.c.copy()
    for _ in range(3):
        H = np.maximum(np.outer(X5, a) + b, 0.0)
        r = H @ c - Y5
        on = (H > 0).astype(float)
        a, b, c = (a - 0.01 * c * (on.T @ (r * X5)), b - 0.01 * c * (on.T @ r),
                   c - 0.01 * H.T @ r)
    np.testing.assert_allclose(run.final.c, c, rtol=1e-13)
    np.testing.assert_allclose(run.final.a, a, rtol=1e-13)
    np.testing.assert_allclose(run.final.b, b, rtol=1e-13)
    assert run.time == pytest.approx(0.03, rel=1e-14)


def test_records_at_powers_of_two_every_record_every_steps_and_at_the_end():
    net = sp.init_univariate(6, 1.0, 2)
    run = sp.train_univariate(X5, Y5, net, steps=21, lr=1e-3, record_every=6)
    # 0 (start), 1, 2, 4, 8, 16 (powers of two), 6, 12, 18 (record_every) and 21 (the end)
    np.testing.assert_array_equal(run.history_step, [0, 1, 2, 4, 6, 8, 12, 16, 18, 21])
    np.testing.assert_allclose(run.history_time, 1e-3 * run.history_step, rtol=1e-12)
    assert run.knot_history.shape == (10, 6)
    np.testing.assert_allclose(run.knot_history[0], net.knots())
    np.testing.assert_allclose(run.knot_history[-1], run.final.knots())
    r = run.final(X5) - Y5
    assert run.history_loss[-1] == pytest.approx(0.5 * r @ r, rel=1e-14)
    r0 = net(X5) - Y5
    assert run.history_loss[0] == pytest.approx(0.5 * r0 @ r0, rel=1e-14)


def test_descent_stops_at_the_first_step_within_tol():
    net = sp.init_univariate(20, 1.0, 3)
    full = sp.train_univariate(X5, Y5, net, steps=400, lr=0.05, record_every=1)
    residual = [np.abs(sp.train_univariate(X5, Y5, net, steps=int(t), lr=0.05).final(X5)
                       - Y5).max() for t in (0, 50, 400)]
    tol = 0.5 * (residual[0] + residual[2])  # reached between 0 and 400 steps
    run = sp.train_univariate(X5, Y5, net, steps=400, lr=0.05, tol=tol, record_every=1000)
    assert run.converged and 0 < run.steps < 400
    assert np.abs(run.final(X5) - Y5).max() <= tol
    before = sp.train_univariate(X5, Y5, net, steps=run.steps - 1, lr=0.05)
    assert np.abs(before.final(X5) - Y5).max() > tol
    assert run.history_step[-1] == run.steps  # the stopping step is recorded
    assert full.steps == 400 and not full.converged


def test_a_zero_residual_counts_as_converged_only_with_a_positive_tol():
    # f = 0 at the antisymmetric start: y = 0 is fit exactly from the first step
    zero = np.zeros(5)
    assert sp.train_univariate(X5, zero, _net(), steps=5, tol=1e-12).converged
    run = sp.train_univariate(X5, zero, _net(), steps=5, tol=0.0)
    assert not run.converged and run.steps == 5


def test_a_non_finite_loss_is_raised_with_its_step():
    # dying ReLU units keep gradient descent on these data finite; targets of 1e160 overflow
    # the loss 1/2 ||f(x) - y||^2 at once
    with pytest.raises(FloatingPointError, match="^gradient descent diverged at step 0$"):
        sp.train_univariate(X5, 1e160 * Y5, _net(), steps=5, lr=0.1)


# --------------------------------------------------------------------------------------------
# initialization and coordinates
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("ratio", "scale", "knot_range"),
                         [(0.3, 2.0, (-1.0, 1.0)), (5.0, 0.5, (2.0, 3.0))])
def test_initialization_has_its_documented_ratio_amplitude_and_knots(ratio, scale, knot_range):
    net = sp.init_univariate(10, ratio, 7, scale=scale, knot_range=knot_range)
    r = np.hypot(net.a, net.b)
    np.testing.assert_allclose(np.abs(net.c) / r, ratio, rtol=1e-14)
    assert float(np.abs(net.c) @ r) == pytest.approx(scale, rel=1e-14)
    np.testing.assert_allclose(np.abs(net.a), np.abs(net.a[0]), rtol=1e-15)
    knots = net.knots()
    assert np.all((knots >= knot_range[0]) & (knots <= knot_range[1]))
    # the second half repeats the units of the first with -c: f = 0 everywhere
    np.testing.assert_array_equal(net.a[5:], net.a[:5])
    np.testing.assert_array_equal(net.b[5:], net.b[:5])
    np.testing.assert_array_equal(net.c[5:], -net.c[:5])
    np.testing.assert_allclose(net(np.linspace(-5, 5, 11)), 0.0, atol=1e-12)
    # the draws: knots e ~ U(knot_range), then signs, from the seed
    gen = np.random.default_rng(7)
    e = gen.uniform(knot_range[0], knot_range[1], 5)
    s = gen.choice(np.array([-1.0, 1.0]), 5)
    np.testing.assert_allclose(knots[:5], e, rtol=1e-13)
    np.testing.assert_array_equal(np.sign(net.a[:5]), s)
    assert {-1.0, 1.0} <= set(np.sign(sp.init_univariate(40, 1.0, 0).a))


def test_polar_coordinates_of_a_hand_made_network():
    net = sp.UnivariateNetwork(a=[3.0, -1.0, 0.0], b=[4.0, -1.0, 2.0], c=[2.0, -1.0, 0.5])
    rho, theta, delta = sp.polar_coordinates(net)
    np.testing.assert_allclose(rho, [10.0, -np.sqrt(2.0), 1.0])
    np.testing.assert_allclose(theta, [np.arctan(4.0 / 3.0), -3.0 * np.pi / 4.0, np.pi / 2.0])
    np.testing.assert_allclose(delta, [4.0 - 25.0, 1.0 - 2.0, 0.25 - 4.0])
    np.testing.assert_allclose(sp.balance_gaps(net), delta)
    np.testing.assert_allclose(net.knots(), [-4.0 / 3.0, -1.0])  # the unit a = 0 has no knot
    assert net.width == 3
    W, c, b = net.as_layers()
    assert W.shape == (3, 1)
    W[0, 0] = c[0] = b[0] = 99.0  # copies: the network is unchanged
    assert net.a[0] == 3.0 and net.b[0] == 4.0 and net.c[0] == 2.0


def test_unit_cost_charges_the_scaled_bias():
    net = sp.UnivariateNetwork(a=[3.0, 0.0], b=[2.0, 1.0], c=[-2.0, 5.0], slope=7.0, offset=1.0)
    # |c| sqrt(a^2 + (w b)^2): w = 2 gives 2 * 5 + 5 * 2 = 20; w = 0 gives 2 * 3 = 6
    assert sp.unit_cost(net, bias_weight=2.0) == pytest.approx(20.0)
    assert sp.unit_cost(net) == pytest.approx(6.0)


def test_tangent_kernel_is_the_gram_matrix_of_the_jacobian():
    net = sp.init_univariate(6, 0.7, 5)
    z = np.outer(X5, net.a) + net.b
    on = (z > 0).astype(float)
    # df(x_j)/d(a, b, c): c_i 1[z > 0] x_j, c_i 1[z > 0], relu(z)
    J = np.hstack([net.c * on * X5[:, None], net.c * on, np.maximum(z, 0.0)])
    np.testing.assert_allclose(sp.tangent_kernel(X5, net), J @ J.T, rtol=1e-13)


def test_hessian_bound_in_closed_form_for_one_unit():
    # one unit relu(x) with c = 2 on x = (-1, 1, 2), y = (0, 0, 0): residual r = (0, 2, 4)
    net = sp.UnivariateNetwork(a=[1.0], b=[0.0], c=[2.0])
    x, y = np.array([-1.0, 1.0, 2.0]), np.zeros(3)
    # K = H H^T + c^2 S S^T (x x^T + 1), H = (0, 1, 2): lambda_max = 5 + 4 * (2 + 5) = 33
    # (K restricted to the active samples is [[1 + 8, 2 + 12], [2 + 12, 4 + 20]])
    lam = np.linalg.eigvalsh(np.array([[9.0, 14.0], [14.0, 24.0]]))[-1]
    # v = sum_j r_j 1[active] (x_j, 1) = (2 + 8, 2 + 4) = (10, 6)
    assert sp.hessian_bound(x, y, net) == pytest.approx(lam + np.hypot(10.0, 6.0), rel=1e-14)


# --------------------------------------------------------------------------------------------
# distances, curvature near the samples and the kernel limit
# --------------------------------------------------------------------------------------------


def test_spline_distances_on_a_fine_grid():
    from scipy.interpolate import CubicSpline

    x, y = X5, Y5
    grid = np.linspace(-1.0, 1.0, 11)
    f = lambda t: np.cos(t)  # noqa: E731
    cubic = CubicSpline(x, y, bc_type="natural")(grid)
    linear = np.interp(grid, x, y)
    d = sp.spline_distances(x, y, f, num=11)
    assert d[0] == pytest.approx(np.abs(np.cos(grid) - cubic).max(), rel=1e-14)
    assert d[1] == pytest.approx(np.abs(np.cos(grid) - linear).max(), rel=1e-14)
    # the default grid holds 2001 points, a step of 0.001: it meets the peak of a bump at
    # 0.001 of half-width 0.0009, which a grid of step 0.002 misses
    bump = lambda t: np.maximum(0.0, 1.0 - np.abs(t - 0.001) / 0.0009)  # noqa: E731
    assert sp.spline_distances(x, np.zeros(5), bump)[1] == pytest.approx(1.0, abs=1e-9)
    assert sp.spline_distances(x, np.zeros(5), bump, num=1001)[1] == 0.0


def test_curvature_near_samples_counts_the_jumps_at_knots_near_a_sample():
    # knots at 0.1 (jump |2 * 1| = 2), 0.6 (|1 * 3| = 3) and a unit without knot (a = 0)
    net = sp.UnivariateNetwork(a=[1.0, 3.0, 0.0], b=[-0.1, -1.8, 1.0], c=[2.0, 1.0, 4.0])
    x = np.array([0.0, 0.5, 1.0])
    assert sp.curvature_near_samples(net, x, 0.1) == pytest.approx(5.0 / 5.0)
    assert sp.curvature_near_samples(net, x, 0.099) == pytest.approx(0.0)
    assert sp.curvature_near_samples(net, np.array([0.1, 0.3]), 0.0) == pytest.approx(2.0 / 5.0)
    zero = sp.UnivariateNetwork(a=[0.0, 1.0], b=[1.0, 0.0], c=[1.0, 0.0])
    assert sp.curvature_near_samples(zero, x, 1.0) == 0.0


def test_uniform_knot_kernel_against_quadrature():
    from scipy.integrate import quad

    lo, hi = -0.5, 1.5
    points = np.array([-1.0, 0.2, 1.0, 2.0])
    # the pairs include both points beyond hi (2.0, 2.0) and both below lo (-1.0, -1.0)
    K = sp.uniform_knot_kernel(points, points[:3], (lo, hi))
    assert K.shape == (4, 3)
    K = sp.uniform_knot_kernel(points, points, (lo, hi))
    for i, s in enumerate(points):
        for j, t in enumerate(points):
            # E over e ~ U(lo, hi) and sigma = +-1 of relu(sigma (s - e)) relu(sigma (t - e))
            def density(e, s=s, t=t):
                return 0.5 * (max(s - e, 0) * max(t - e, 0)
                              + max(e - s, 0) * max(e - t, 0)) / (hi - lo)

            value = quad(density, lo, hi, points=sorted({s, t} & set(np.clip([s, t], lo, hi))))[0]
            assert K[i, j] == pytest.approx(value, rel=1e-10, abs=1e-14)


def test_kernel_limit_curvatures_are_those_of_the_interpolant():
    x = np.array([-0.8, -0.3, 0.1, 0.7])
    y = np.array([1.0, -0.5, 0.25, 2.0])
    f, c1, cn = sp.kernel_limit(x, y, (-1.0, 2.0))
    np.testing.assert_allclose(f(x), y, atol=1e-12)
    h = 1e-3  # f'' has a kink at the samples: the second difference is off by O(h)
    for z, curv in ((x[0], c1), (x[-1], cn)):
        second = (f(np.array([z + h]))[0] - 2 * f(np.array([z]))[0] + f(np.array([z - h]))[0])
        assert second / h**2 == pytest.approx(curv, rel=1e-2)
    with pytest.raises(ValueError, match="^z must be 1-dimensional"):
        f(np.zeros((1, 1)))


# --------------------------------------------------------------------------------------------
# the frozen first layer
# --------------------------------------------------------------------------------------------


def test_frozen_layer_interpolant_is_the_interpolant_closest_to_its_start():
    net = sp.init_univariate(12, 0.5, 8)
    frozen = sp.frozen_layer_interpolant(X5, Y5, net)
    np.testing.assert_array_equal(frozen.a, net.a)
    np.testing.assert_array_equal(frozen.b, net.b)
    np.testing.assert_allclose(frozen(X5), Y5, atol=1e-10)
    # c - c0 lies in the row space of H: the least-norm change that interpolates
    H = np.maximum(np.outer(X5, net.a) + net.b, 0.0)
    change = frozen.c - net.c
    np.testing.assert_allclose(change, np.linalg.pinv(H) @ (Y5 - H @ net.c), atol=1e-10)
    index = np.linalg.norm(frozen.c) / np.linalg.norm(np.hypot(net.a, net.b))
    assert sp.lazy_index(X5, Y5, net) == pytest.approx(index, rel=1e-12)


# --------------------------------------------------------------------------------------------
# networks and their costs
# --------------------------------------------------------------------------------------------


def test_a_network_adds_its_linear_unit_and_output_bias():
    net = sp.UnivariateNetwork(a=[1.0, -2.0], b=[0.0, 1.0], c=[3.0, 0.5], slope=2.0, offset=-1.0)
    z = np.array([-1.0, 0.25, 2.0])
    expected = 3.0 * np.maximum(z, 0) + 0.5 * np.maximum(1.0 - 2.0 * z, 0) + 2.0 * z - 1.0
    np.testing.assert_allclose(net(z), expected, rtol=1e-15)


def test_triangle_samples_span_their_interval():
    x, y = sp.triangle_samples(6, low=2.0, high=7.0)
    np.testing.assert_allclose(x, [2.0, 3.0, 4.0, 5.0, 6.0, 7.0])
    np.testing.assert_array_equal(y, [0.0, 1.0, 0.0, -1.0, 0.0, 1.0])
    assert sp.triangle_samples()[0].size == 10


def test_representation_cost_without_knots_and_with_knots_a_rounding_apart():
    # an affine function needs no knot: its cost is |s + s| = 4 without a linear unit
    assert sp.representation_cost(lambda t: 2.0 * t + 1.0, []) == pytest.approx(4.0)
    assert sp.representation_cost(lambda t: 2.0 * t + 1.0, [], linear_unit=True) == (
        pytest.approx(0.0, abs=1e-12))
    # knots computed as -b/a that differ in the last bit are one knot: relu(x - 1) costs 1
    # (0 + 1 without a linear unit), and no piece of zero width is evaluated
    knots = [1.0, np.nextafter(1.0, 2.0), np.nextafter(np.nextafter(1.0, 2.0), 2.0)]
    f = lambda t: np.maximum(t - 1.0, 0.0)  # noqa: E731
    assert sp.representation_cost(f, knots, linear_unit=True) == pytest.approx(1.0, rel=1e-12)
    assert sp.representation_cost(f, knots) == pytest.approx(1.0, rel=1e-12)
    # ... also for knots far from the origin (relative merging): 1e6 and 1e6 (1 + 4e-16)
    g = lambda t: np.abs(t - 1e6)  # noqa: E731
    assert sp.representation_cost(g, [1e6, 1e6 * (1 + 4e-16)]) == pytest.approx(2.0, rel=1e-9)
    # a piece 1e-6 long is no rounding: both of its knots count
    h = lambda t: np.maximum(t, 0.0) - np.maximum(t - 1e-6, 0.0)  # noqa: E731
    assert sp.representation_cost(h, [0.0, 1e-6], linear_unit=True) == pytest.approx(2.0)


def test_representation_cost_reads_the_outer_slopes_of_a_long_function():
    # knots spread over [-50, 50]: the outer pieces start beyond the span
    f = lambda t: np.maximum(t + 50.0, 0.0) + 3.0 * np.maximum(t - 50.0, 0.0)  # noqa: E731
    # slopes 0, 1, 4: int |f''| = 4 and |0 + 4| = 4
    assert sp.representation_cost(f, [-50.0, 50.0], linear_unit=True) == pytest.approx(4.0)
    # -f(-t) + 5 t has the slopes 9, 6, 5: int |f''| = 4 < |9 + 5| = 14
    assert sp.representation_cost(lambda t: -f(-t) + 5 * t, [-50.0, 50.0]) == (
        pytest.approx(14.0))


# --------------------------------------------------------------------------------------------
# the convex programs
# --------------------------------------------------------------------------------------------


def test_knot_grid_drops_grid_points_within_a_quarter_step_of_a_sample():
    # grid 0, 0.25, 0.5, 0.75, 1 (step 0.25): 0.25 is exactly a quarter step from 0.3125
    np.testing.assert_array_equal(sp.knot_grid([0.0, 0.3125, 1.0], 5),
                                  [0.0, 0.3125, 0.5, 0.75, 1.0])
    np.testing.assert_array_equal(sp.knot_grid([0.0, 0.3, 1.0], 5), [0.0, 0.3, 0.5, 0.75, 1.0])
    # the margin widens the grid on both sides: -0.5, 0.5, 1.5 (step 1)
    np.testing.assert_array_equal(sp.knot_grid([1.0, 0.0], 3, margin=0.5),
                                  [-0.5, 0.0, 0.5, 1.0, 1.5])


def test_least_cost_networks_in_closed_form():
    x = np.array([-2.0, -1.0, 0.0, 1.0])
    # relu(-x): one unit facing left, cost 1, found without a linear unit
    res = sp.min_cost_network(x, np.maximum(-x, 0.0))
    assert res.value == pytest.approx(1.0, rel=1e-7) and res.cost == pytest.approx(1.0, rel=1e-7)
    np.testing.assert_allclose(res.network(np.array([-3.0, 0.5, 4.0])), [3.0, 0.0, 0.0],
                               atol=1e-6)
    # an affine target costs nothing with a linear unit: slope and offset carry it
    res = sp.min_cost_network(x, 2.0 * x + 1.0, linear_unit=True)
    assert res.value == pytest.approx(0.0, abs=1e-8)
    assert res.network.slope == pytest.approx(2.0, rel=1e-7)
    assert res.network.offset == pytest.approx(1.0, rel=1e-7)


def test_the_regularized_fit_reports_its_objective_and_balanced_units():
    x, y = sp.triangle_samples(6)
    for linear_unit in (False, True):
        res = sp.min_cost_network(x, y, beta=0.05, linear_unit=linear_unit)
        net = res.network
        r = net(x) - y
        assert res.value == pytest.approx(0.5 * r @ r + 0.05 * res.cost, rel=1e-6)
        assert sp.unit_cost(net) == pytest.approx(res.cost, rel=1e-6)
        np.testing.assert_allclose(np.abs(net.c), np.abs(net.a), rtol=1e-12)
        assert set(np.round(net.knots(), 9)) <= set(np.round(x, 9))
        assert res.status == "optimal"


def test_small_units_are_dropped_relative_to_the_largest():
    x, y = sp.triangle_samples(6)
    full = sp.min_cost_network(x, y, beta=0.05, tol=0.0)
    gamma = np.abs(full.network.c * full.network.a)
    cut = 0.5 * (np.sort(gamma)[-1] + np.sort(gamma)[-2])  # between the two largest units
    kept = sp.min_cost_network(x, y, beta=0.05, tol=cut / gamma.max())
    assert kept.network.width == 1
    assert kept.cost == pytest.approx(full.cost, rel=1e-9)  # the cost is that of all units


def test_a_path_with_a_linear_unit_and_its_cost_gaps():
    x, y = sp.triangle_samples(6)
    knots = sp.knot_grid(x, 11)
    path = sp.min_cost_path(x, y, [0.3, 0.03], linear_unit=True, knots=knots)
    assert path.least_cost == pytest.approx(sp.min_representation_cost(x, y, linear_unit=True))
    for beta, res, fc, resid in zip(path.betas, path.results, path.function_costs,
                                    path.residuals, strict=True):
        single = sp.min_cost_network(x, y, beta=beta, linear_unit=True, knots=knots)
        assert res.value == pytest.approx(single.value, rel=1e-7)
        assert res.network.slope == pytest.approx(single.network.slope, rel=1e-5, abs=1e-7)
        assert fc == pytest.approx(sp.representation_cost(res.network, res.network.knots(),
                                                          linear_unit=True), rel=1e-12)
        assert resid == pytest.approx(np.abs(res.network(x) - y).max(), rel=1e-12)
    betas = np.array([0.3, 0.03])
    path.betas[0] = 7.0
    np.testing.assert_array_equal(betas, [0.3, 0.03])  # the path holds its own copy
    made = sp.MinCostPath(betas=betas, results=(), costs=np.array([3.0, 2.0]),
                          function_costs=np.array([2.0, 2.0]), residuals=np.zeros(2),
                          least_cost=2.0)
    np.testing.assert_allclose(made.cost_gaps, [0.5, 0.0])


def test_a_path_drops_small_units_like_the_single_program():
    x, y = sp.triangle_samples(6)
    single = sp.min_cost_network(x, y, beta=0.05, tol=0.5)
    path = sp.min_cost_path(x, y, [0.05], tol=0.5)
    assert path.results[0].network.width == single.network.width
    assert path.results[0].network.width < sp.min_cost_path(x, y, [0.05], tol=0.0).results[
        0].network.width


def test_value_range_without_a_linear_unit_and_with_a_slack():
    # y = |x| on -1, 0, 1: the least-cost interpolant without a linear unit is |x| itself
    # (cost 2 = max(T, (T + |s_1 + s_2|) / 2) with T = 2, s = (-1, 1)); between the samples
    # nothing else reaches cost 2
    x = np.array([-1.0, 0.0, 1.0])
    y = np.abs(x)
    z = np.array([-0.5, 0.5, 1.5])
    knots = sp.knot_grid(x, 21)
    low, high = sp.value_range_at(x, y, z, knots=knots, linear_unit=False)
    np.testing.assert_allclose(low, [0.5, 0.5, 1.5], atol=1e-7)
    np.testing.assert_allclose(high, [0.5, 0.5, 1.5], atol=1e-7)
    # a slack of 10% of the cost lets f(0.5) move: the band opens
    low, high = sp.value_range_at(x, y, z, knots=knots, linear_unit=False, face_tol=0.1)
    assert np.all(high[:2] - low[:2] > 0.01)
    assert np.all(low <= high)
    # samples among the knots are needed: the midpoints alone cannot reach cost 2
    with pytest.raises(RuntimeError, match=r"^knots reach cost [0-9.]+, more than the least "
                                           r"cost 2.0: include the samples x among the knots$"):
        sp.value_range_at(x, y, z, knots=[-0.5, 0.5], linear_unit=False)


def test_the_bias_penalized_network_is_the_convex_solution():
    x, y = sp.triangle_samples(6)
    res = sp.bias_penalized_network(x, y, 0.01, bias_scale=2.0)
    sol = res.solution
    np.testing.assert_allclose(res.network(x), sol.predictions, atol=1e-9)
    assert res.value == sol.value
    r = sol.residual
    assert res.penalty == pytest.approx((sol.value - 0.5 * r @ r) / 0.01, rel=1e-12)
    assert res.penalty == pytest.approx(sp.unit_cost(res.network, bias_weight=0.5), rel=1e-6)
    assert res.network.slope == 0.0 and res.network.offset == 0.0


# --------------------------------------------------------------------------------------------
# sweeps over the layer ratio
# --------------------------------------------------------------------------------------------


def test_a_sweep_summarizes_each_run_sorted_by_ratio():
    x, y = X5, Y5
    runs = [sp.train_univariate(x, y, sp.init_univariate(6, r, 3), steps=40, tol=1e-3)
            for r in (3.0, 0.2)]
    sweep = sp.sweep_summary(x, y, runs, radius=0.1)
    for k, run in enumerate(runs[::-1]):  # sorted: 0.2 first
        start, end = run.initial, run.final
        assert sweep.ratios[k] == pytest.approx(np.median(np.abs(start.c)
                                                          / np.hypot(start.a, start.b)))
        assert sweep.lazy[k] == pytest.approx(sp.lazy_index(x, y, start), rel=1e-12)
        d_cubic, d_linear = sp.spline_distances(x, y, end)
        assert sweep.d_cubic[k] == pytest.approx(d_cubic, rel=1e-12)
        assert sweep.d_linear[k] == pytest.approx(d_linear, rel=1e-12)
        shift = np.median(np.abs(end.knots() - start.knots()))
        assert sweep.knot_shift[k] == pytest.approx(shift, rel=1e-12)
        assert sweep.near_samples[k] == pytest.approx(
            sp.curvature_near_samples(end, x, 0.1), rel=1e-12)
        assert sweep.residual[k] == pytest.approx(np.abs(end(x) - y).max(), rel=1e-12)
        assert sweep.steps[k] == run.steps
    np.testing.assert_allclose(sweep.ratios, [0.2, 3.0])
    default = sp.sweep_summary(x, y, runs)  # radius 0.02
    assert default.near_samples[0] == pytest.approx(
        sp.curvature_near_samples(runs[1].final, x, 0.02), rel=1e-12)


def test_a_ratio_sweep_trains_every_ratio_from_the_same_seed():
    x, y = X5, Y5
    sweep = sp.ratio_sweep(x, y, [2.0, 0.5], width=6, steps=30, rng=5, scale=2.0, tol=1e-3,
                           radius=0.05)
    seed = int(np.random.default_rng(5).integers(2**32))
    runs = [sp.train_univariate(x, y, sp.init_univariate(6, r, seed, scale=2.0), steps=30,
                                tol=1e-3) for r in (2.0, 0.5)]
    expected = sp.sweep_summary(x, y, runs, radius=0.05)
    for name in ("ratios", "lazy", "d_cubic", "d_linear", "knot_shift", "near_samples",
                 "residual", "steps"):
        np.testing.assert_allclose(getattr(sweep, name), getattr(expected, name), rtol=1e-12,
                                   err_msg=name)
    # the defaults: scale 1, tol 1e-2, radius 0.02
    runs = [sp.train_univariate(x, y, sp.init_univariate(6, 1.0, seed), steps=30, tol=1e-2)]
    np.testing.assert_allclose(
        sp.ratio_sweep(x, y, [1.0], width=6, steps=30, rng=5).near_samples,
        sp.sweep_summary(x, y, runs).near_samples, rtol=1e-12)
    np.testing.assert_allclose(sp.ratio_sweep(x, y, [1.0], width=6, steps=30, rng=5).residual,
                               sp.sweep_summary(x, y, runs).residual, rtol=1e-12)


# --------------------------------------------------------------------------------------------
# what the full run of 2026-12-03 left (tests/MUTATION.md, "splines")
# --------------------------------------------------------------------------------------------


def test_two_samples_are_enough():
    # one secant slope s = 2 and no slope change: T = 0 and, with a free output bias only,
    # max(T, (T + |s_1 + s_1|) / 2) = 2 (min_representation_cost's closed form)
    s, delta = sp.slope_changes([0.0, 1.0], [0.0, 2.0])
    np.testing.assert_array_equal(s, [2.0])
    assert delta.size == 0
    assert sp.min_representation_cost([0.0, 1.0], [0.0, 2.0]) == 2.0
    assert sp.min_representation_cost([0.0, 1.0], [0.0, 2.0], linear_unit=True) == 0.0


def test_the_documented_defaults():
    np.testing.assert_array_equal(sp.triangle_samples()[0], np.linspace(-1.0, 1.0, 10))
    # records every 100 steps by default: 100 is no power of two, 101 would not be reached
    run = sp.train_univariate(X5, Y5, _net(), steps=200, lr=1e-3)
    np.testing.assert_array_equal(run.history_step, [0, 1, 2, 4, 8, 16, 32, 64, 100, 128, 200])
    # bias_scale = 1: the penalty is the path norm with the biases charged like the weights
    x, y = sp.triangle_samples(6)
    res = sp.bias_penalized_network(x, y, 0.01)
    assert res.penalty == pytest.approx(sp.unit_cost(res.network, bias_weight=1.0), rel=1e-6)
    assert res.value == pytest.approx(sp.bias_penalized_network(x, y, 0.01, bias_scale=1.0).value,
                                      rel=1e-9)


def test_a_network_keeps_its_slope_and_offset_as_floats():
    net = sp.UnivariateNetwork(a=[1.0], b=[0.0], c=[1.0], slope=np.float32(0.5), offset=2)
    assert type(net.slope) is float and net.slope == 0.5
    assert type(net.offset) is float and net.offset == 2.0


def test_the_kernel_and_the_bound_count_a_unit_inactive_at_its_own_knot():
    # relu(x) with c = 2, knot at the sample 0: 1[a x + b > 0] is 1 at x = 1 only, so
    # K = relu(x) relu(x') + c^2 (x x' + 1) on the active pair (1, 1): 1 + 4 * 2 = 9
    net = sp.UnivariateNetwork(a=[1.0], b=[0.0], c=[2.0])
    x = np.array([-1.0, 0.0, 1.0])
    expected = np.zeros((3, 3))
    expected[2, 2] = 9.0
    np.testing.assert_array_equal(sp.tangent_kernel(x, net), expected)
    # r = f(x) - y = (0, 0, 2) - (0, 1, 0); v = sum_j r_j 1[x_j > 0] (x_j, 1) = 2 (1, 1)
    assert sp.hessian_bound(x, np.array([0.0, 1.0, 0.0]), net) == pytest.approx(
        9.0 + 2.0 * np.sqrt(2.0), rel=1e-15)


def test_a_network_without_units_has_a_zero_kernel_and_bound():
    empty = sp.UnivariateNetwork(a=np.zeros(0), b=np.zeros(0), c=np.zeros(0))
    np.testing.assert_array_equal(sp.tangent_kernel(X5, empty), np.zeros((5, 5)))
    assert sp.hessian_bound(X5, Y5, empty) == 0.0


def test_descent_stops_at_a_residual_of_exactly_tol():
    # c = 0: f = 0 exactly, and the residual max |y| = 1 is exactly tol at the start
    net = sp.UnivariateNetwork(a=[1.0, -1.0], b=[0.5, 0.5], c=[0.0, 0.0])
    run = sp.train_univariate(X5, Y5, net, steps=5, tol=1.0)
    assert run.converged and run.steps == 0


def test_a_unit_at_exactly_one_percent_of_the_largest_limits_the_turn():
    # norms 100 (the largest), 1 (exactly 1%, not below it: it counts) and sqrt(10); the unit
    # of norm 1 turns fastest (|c| = 5)
    net = sp.UnivariateNetwork(a=[100.0, 1.0, -3.0], b=[0.0, 0.0, 1.0], c=[0.01, 5.0, 0.5])
    run = sp.train_univariate(X5, Y5, net, steps=3, max_turn=1e-3)
    *_, time, _ = _plain_descent(X5, Y5, net, 3, 1.0, 1e-3, 10)
    assert run.time == pytest.approx(time, rel=1e-12)


def test_a_small_network_takes_the_steps_of_the_documented_rule():
    # amplitude 0.01 and targets 0.01 y: the Hessian bound is below 1 (0.077) and sets the step
    net = sp.init_univariate(8, 2.0, 4, scale=0.01)
    assert sp.hessian_bound(X5, 0.01 * Y5, net) < 1.0
    run = sp.train_univariate(X5, 0.01 * Y5, net, steps=4, max_turn=10.0)
    a, b, c, time, _ = _plain_descent(X5, 0.01 * Y5, net, 4, 1.0, 10.0, 10)
    assert run.time == pytest.approx(time, rel=1e-12)
    np.testing.assert_allclose(run.final.c, c, rtol=1e-12, atol=1e-16)


def test_a_network_dead_on_every_sample_stays_where_it_is():
    # knots at 5 and -5: no unit is active at a sample, the gradient and the bound are 0
    net = sp.UnivariateNetwork(a=[1.0, -1.0], b=[-5.0, -5.0], c=[1.0, -2.0])
    run = sp.train_univariate(X5, Y5, net, steps=3)
    np.testing.assert_array_equal(run.final.a, net.a)
    np.testing.assert_array_equal(run.final.b, net.b)
    np.testing.assert_array_equal(run.final.c, net.c)
    np.testing.assert_array_equal(run.history_loss, [1.0, 1.0, 1.0, 1.0])


def test_the_knot_of_a_unit_with_zero_input_weight_is_nan():
    net = sp.UnivariateNetwork(a=[0.0, 2.0], b=[0.5, -1.0], c=[1.0, 1.0])
    run = sp.train_univariate(X5, Y5, net, steps=0)
    assert np.isnan(run.knot_history[0, 0]) and run.knot_history[0, 1] == 0.5


def test_training_shows_no_floating_point_warnings():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # a unit with a = b = 0 (0/0 in its angular speed) next to live ones
        net = sp.UnivariateNetwork(a=[0.0, 1.0, -1.0], b=[0.0, 0.2, 0.1], c=[1.0, 1.0, -0.5])
        assert sp.train_univariate(X5, Y5, net, steps=5).steps == 5
        # 2 * 1e308 overflows in the first layer: the divergence is raised, not warned about
        huge = sp.UnivariateNetwork(a=[1e308], b=[0.0], c=[1.0])
        with pytest.raises(FloatingPointError, match="^gradient descent diverged at step 0$"):
            sp.train_univariate(np.array([1.0, 2.0]), np.zeros(2), huge, steps=3)


def test_the_distance_of_the_natural_spline_to_itself_is_zero():
    from scipy.interpolate import CubicSpline

    x, y = X5, Y5
    spline = CubicSpline(x, y, bc_type="natural")
    d_cubic, d_linear = sp.spline_distances(x, y, spline, num=101)
    grid = np.linspace(-1.0, 1.0, 101)
    assert d_cubic == 0.0
    assert d_linear == pytest.approx(np.abs(spline(grid) - np.interp(grid, x, y)).max(),
                                     rel=1e-14)


def test_the_frozen_layer_interpolant_from_a_start_that_does_not_vanish():
    rng = np.random.default_rng(11)
    start = sp.init_univariate(12, 0.5, 8)
    net = sp.UnivariateNetwork(start.a, start.b, rng.normal(size=12))
    frozen = sp.frozen_layer_interpolant(X5, Y5, net)
    np.testing.assert_allclose(frozen(X5), Y5, atol=1e-10)
    H = np.maximum(np.outer(X5, net.a) + net.b, 0.0)
    np.testing.assert_allclose(frozen.c - net.c, np.linalg.pinv(H) @ (Y5 - H @ net.c),
                               atol=1e-10)


def test_representation_cost_merges_knots_within_its_relative_tolerance_only():
    # 1e6 and 1e6 + 2 ulp are one knot (1e-9 relative): unmerged, the piece between them has
    # no two distinct evaluation points
    knots = [1e6, 1e6 + 2 * np.spacing(1e6)]
    assert sp.representation_cost(lambda t: np.abs(t - 1e6), knots) == pytest.approx(2.0)
    # below 1 the tolerance is 1e-9 absolute: a piece 1.5e-9 long keeps both of its knots
    # (slope changes +1 and -1)
    w = 1.5e-9
    h = lambda t: np.maximum(t, 0.0) - np.maximum(t - w, 0.0)  # noqa: E731
    assert sp.representation_cost(h, [0.0, w], linear_unit=True) == pytest.approx(2.0, rel=1e-6)


# the convex programs: their solvers, knots and statuses


def test_each_program_is_solved_by_its_solver_under_its_name(record_solves):
    from twolayer.splines import programs

    calls = record_solves(programs)
    sp.min_cost_network(X5, Y5)
    sp.min_cost_path(X5, Y5, [0.1, 0.01])
    sp.value_range_at(X5, Y5, [0.25, 0.75], knots=X5)
    sp.value_range_at(X5, Y5, [0.25], knots=X5, solver="CLARABEL")
    range_of = [f"the range of f at z[{k}]" for k in (0, 1, 0, 1)]
    assert calls == [
        ("CLARABEL", None, "the least-cost program"),
        ("CLARABEL", None, "the least-cost program at beta = 0.1"),
        ("CLARABEL", None, "the least-cost program at beta = 0.01"),
        ("SCIPY", None, "the least-cost program"), *(("SCIPY", None, w) for w in range_of),
        ("CLARABEL", None, "the least-cost program"),
        ("CLARABEL", None, "the range of f at z[0]"), ("CLARABEL", None, "the range of f at z[0]"),
    ]


def test_the_solver_given_is_the_one_used():
    x, y = sp.triangle_samples(5)
    for call, what in [
        (lambda: sp.min_cost_network(x, y, solver="NOPE"), "the least-cost program"),
        (lambda: sp.min_cost_path(x, y, [0.1], solver="NOPE"),
         "the least-cost program at beta = 0.1"),
        (lambda: sp.bias_penalized_network(x, y, 0.1, solver="NOPE"), "the convex program"),
    ]:
        with pytest.raises(RuntimeError, match=f"^solver NOPE did not solve {what}: status "
                                               "solver_error"):
            call()


def test_a_path_builds_its_units_on_the_knots_given():
    knots = np.array([-0.3, 0.45])  # no sample among them
    path = sp.min_cost_path(X5, Y5, [0.1, 0.01], knots=knots)
    for res in path.results:
        assert res.status == "optimal"
        assert res.network.width > 0
        assert np.all(np.min(np.abs(res.network.knots()[:, None] - knots), axis=1) < 1e-12)


def test_a_path_with_a_linear_unit_charges_no_outer_slopes():
    # y = 3x + (0, 0.5, 0, 0): s = (3.5, 2.5, 3), Delta = (-1, 0.5), T = 1.5, while a free
    # output bias alone would need max(T, (T + |3.5 + 3|) / 2) = 4
    x = np.array([-1.0, 0.0, 1.0, 2.0])
    y = 3.0 * x + np.array([0.0, 0.5, 0.0, 0.0])
    path = sp.min_cost_path(x, y, [0.01, 0.001], linear_unit=True)
    assert path.least_cost == pytest.approx(1.5, rel=1e-12)
    assert np.all(path.cost_gaps < 1e-6)  # R(f) = int |f''| of each solution, its cost


def test_a_least_cost_vertex_has_no_unit_of_zero_weight():
    # HiGHS (SCIPY) ends at a vertex, with exact zeros: at tol = 0 those units are dropped, and
    # a vertex of the program with n = 5 equations uses at most 5 of its 10 units
    x, y = sp.triangle_samples(5)
    res = sp.min_cost_network(x, y, tol=0.0, solver="SCIPY")
    assert 0 < res.network.width <= 5
    assert np.all(res.network.c != 0)
    assert res.cost == pytest.approx(sp.min_representation_cost(x, y), rel=1e-9)


def test_value_range_with_a_linear_unit_at_affine_and_steep_data():
    x = np.array([-1.0, 0.0, 1.0])
    z = np.array([1.5, -1.5, 0.3])
    # an affine target costs 0 with a linear unit and is its own unique interpolant
    low, high = sp.value_range_at(x, 2.0 * x + 1.0, z, knots=x)
    np.testing.assert_allclose(low, 2.0 * z + 1.0, atol=1e-9)
    np.testing.assert_allclose(high, 2.0 * z + 1.0, atol=1e-9)
    # the default is linear_unit=True: y = 2x is then fit by 2x alone; without the linear unit
    # the least cost is 2 (closed form) and f(1.5) may end anywhere in [2, 3]
    knots = sp.knot_grid(x, 9, margin=1.0)
    low, high = sp.value_range_at(x, 2.0 * x, z[:2], knots=knots)
    np.testing.assert_allclose(low, [3.0, -3.0], atol=1e-9)
    np.testing.assert_allclose(high, [3.0, -3.0], atol=1e-9)


def test_value_range_notices_knots_that_miss_a_small_least_cost():
    # y = 0.1 |x|: least cost 0.2; the knots +-0.5 reach only 0.4
    x = np.array([-1.0, 0.0, 1.0])
    with pytest.raises(RuntimeError, match=r"^knots reach cost 0\.4\d*, more than the least "
                                           r"cost 0\.2\d*: include the samples"):
        sp.value_range_at(x, 0.1 * np.abs(x), [0.5], knots=[-0.5, 0.5], linear_unit=False)
