"""Tests of twolayer.splines: costs of univariate networks, the convex programs, and the two
regimes of gradient descent (the claims of the chapter "Splines")."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.interpolate import CubicSpline

from twolayer import data
from twolayer import splines as sp
from twolayer.arrangements import enumerate_patterns_1d
from twolayer.network import forward


@pytest.fixture(scope="module")
def triangle():
    return sp.triangle_samples(10)


@pytest.fixture(scope="module")
def wave():
    # same-sign slope changes at adjacent samples: the least-cost interpolant is not unique
    return data.univariate_regression(10, 0)


@pytest.fixture(scope="module")
def steep():
    # |s_1 + s_{n-1}| > sum |Delta_k|: without a linear unit the tails must bend
    x = np.linspace(-1.0, 1.0, 8)
    return x, 3.0 * x + 0.1 * np.sin(5.0 * x)


# --------------------------------------------------------------------------------------------
# costs and the least-cost interpolant
# --------------------------------------------------------------------------------------------


def test_triangle_samples_have_alternating_slope_changes(triangle):
    x, y = triangle
    np.testing.assert_allclose(y, [0, 1, 0, -1, 0, 1, 0, -1, 0, 1])
    _, delta = sp.slope_changes(x, y)
    nonzero = np.abs(delta) > 1e-12
    # no two adjacent samples carry slope changes of the same sign
    assert not np.any(nonzero[:-1] & nonzero[1:] & (np.sign(delta[:-1]) == np.sign(delta[1:])))


@pytest.mark.parametrize(
    "f, knots, expected",
    [
        (lambda t: np.abs(t), [0.0], (2.0, 2.0)),  # |x| = relu(x) + relu(-x)
        (lambda t: np.maximum(t, 0.0), [0.0], (1.0, 1.0)),
        (lambda t: 2.0 * t + 1.0, [0.0], (0.0, 4.0)),  # affine: free with a linear unit
        (lambda t: np.maximum(t, 0.0) + np.maximum(t - 1.0, 0.0), [0.0, 1.0], (2.0, 2.0)),
    ],
)
def test_representation_cost_of_simple_functions(f, knots, expected):
    with_unit, without = expected
    assert sp.representation_cost(f, knots, linear_unit=True) == pytest.approx(with_unit)
    assert sp.representation_cost(f, knots) == pytest.approx(without)


@pytest.mark.parametrize("name", ["triangle", "wave", "steep"])
@pytest.mark.parametrize("linear_unit", [True, False])
def test_cost_three_ways_equal(request, name, linear_unit):
    x, y = request.getfixturevalue(name)
    res = sp.min_cost_network(x, y, linear_unit=linear_unit)
    net = res.network
    closed = sp.min_representation_cost(x, y, linear_unit=linear_unit)
    assert res.status == "optimal"
    assert np.abs(net(x) - y).max() < 1e-7
    assert res.value == pytest.approx(closed, rel=1e-8)
    assert sp.unit_cost(net) == pytest.approx(closed, rel=1e-8)
    assert sp.representation_cost(net, net.knots(), linear_unit=linear_unit) == pytest.approx(
        closed, rel=1e-8
    )
    # balanced: half the free-bias weight decay equals the path norm
    assert 0.5 * (net.c @ net.c + net.a @ net.a) == pytest.approx(sp.unit_cost(net), rel=1e-10)


def test_linear_interpolant_optimal_exactly_when_tails_allow(wave, steep):
    for x, y in (wave, steep):
        s, delta = sp.slope_changes(x, y)
        total = np.abs(delta).sum()
        lin = sp.linear_interpolant(x, y)
        np.testing.assert_allclose(lin(x), y, atol=1e-12)
        assert sp.representation_cost(lin, x, linear_unit=True) == pytest.approx(total)
        cost = sp.representation_cost(lin, x)
        if abs(s[0] + s[-1]) <= total:
            assert cost == pytest.approx(sp.min_representation_cost(x, y))
        else:
            assert cost > sp.min_representation_cost(x, y) + 0.1
    s, delta = sp.slope_changes(*steep)
    assert abs(s[0] + s[-1]) > np.abs(delta).sum()  # the steep data do need bending


def test_knots_between_samples_do_not_lower_the_cost(wave):
    x, y = wave
    fine = sp.knot_grid(x, 157, margin=0.5)
    for linear_unit in (True, False):
        coarse = sp.min_cost_network(x, y, linear_unit=linear_unit).value
        assert sp.min_cost_network(x, y, linear_unit=linear_unit, knots=fine).value == (
            pytest.approx(coarse, rel=1e-7)
        )


def test_regularized_program_path_norm_equals_function_cost(triangle):
    x, y = triangle
    best = sp.min_representation_cost(x, y)
    previous = 0.0
    for beta in (1.0, 0.1, 0.01, 0.001):
        res = sp.min_cost_network(x, y, beta=beta)
        net = res.network
        assert sp.representation_cost(net, net.knots()) == pytest.approx(res.cost, rel=1e-6)
        assert previous <= res.cost <= best * (1 + 1e-8)
        previous = res.cost
    assert np.abs(res.network(x) - y).max() < 0.01


def test_exact_patterns_against_brute_force(wave):
    x, _ = wave
    exact = {tuple(p) for p in enumerate_patterns_1d(x)}
    gen = np.random.default_rng(0)
    ab = gen.standard_normal((20000, 2))
    ab[:, 1] *= 3.0
    brute = {tuple(p) for p in (np.outer(ab[:, 0], x) + ab[:, 1][:, None] >= 0)}
    assert brute == exact
    assert len(exact) == 2 * x.size
    # the knots at the samples realize every nonempty pattern of neurons with a bias
    knots = np.concatenate([x - 1e-9, x + 1e-9, [x[0] - 1.0, x[-1] + 1.0]])
    atoms = {tuple(s * (x - t) >= 0) for t in knots for s in (1.0, -1.0)}
    assert exact - {tuple(np.zeros(x.size, dtype=bool))} <= atoms


def test_knot_grid_keeps_samples_and_spacing(wave):
    x, _ = wave
    grid = sp.knot_grid(x, 50, margin=0.2)
    assert set(x) <= set(grid)
    step = (x[-1] - x[0] + 0.4) / 49
    others = np.setdiff1d(grid, x)
    assert np.abs(others[:, None] - x[None, :]).min() > step / 4
    assert grid[0] == pytest.approx(x[0] - 0.2) and np.all(np.diff(grid) > 0)


def test_nonuniqueness_where_adjacent_changes_share_a_sign(wave, triangle):
    x, y = wave
    _, delta = sp.slope_changes(x, y)
    z = 0.5 * (x[1:] + x[:-1])
    low, high = sp.value_range_at(x, y, z, knots=sp.knot_grid(x, 120))
    # interval k lies between the interior samples k and k + 1 (changes delta[k-1], delta[k])
    same_sign = np.zeros(z.size, dtype=bool)
    same_sign[1:-1] = np.sign(delta[:-1]) == np.sign(delta[1:])
    assert np.all((high - low)[same_sign] > 0.02)
    assert np.all((high - low)[~same_sign] < 1e-4)
    xt, yt = triangle
    zt = 0.5 * (xt[1:] + xt[:-1])
    low, high = sp.value_range_at(xt, yt, zt, knots=sp.knot_grid(xt, 120))
    assert np.all(high - low < 1e-4)


def test_single_knot_alternative_has_the_same_cost(wave):
    x, y = wave
    s, delta = sp.slope_changes(x, y)
    k = int(np.nonzero(np.sign(delta[:-1]) == np.sign(delta[1:]))[0][0]) + 1  # samples k, k+1
    # lines of the segments k-1 and k+1 meet at e inside (x_k, x_{k+1})
    e = (y[k + 1] - s[k + 1] * x[k + 1] - y[k] + s[k - 1] * x[k]) / (s[k - 1] - s[k + 1])
    assert x[k] < e < x[k + 1]
    xa = np.concatenate([x[: k + 1], [e], x[k + 1 :]])
    ya = np.concatenate([y[: k + 1], [y[k] + s[k - 1] * (e - x[k])], y[k + 1 :]])
    alt = sp.linear_interpolant(xa, ya)
    np.testing.assert_allclose(alt(x), y, atol=1e-12)
    assert sp.representation_cost(alt, xa, linear_unit=True) == pytest.approx(
        sp.min_representation_cost(x, y, linear_unit=True)
    )
    assert abs(alt(np.array([e]))[0] - np.interp(e, x, y)) > 0.01


def test_bias_penalized_program(wave, triangle):
    x, y = wave
    best = sp.min_representation_cost(x, y)
    penalties = []
    for t in (1.0, 3.0, 10.0):
        res = sp.bias_penalized_network(x, y, 1e-5, bias_scale=t)
        net = res.network
        assert res.penalty == pytest.approx(sp.unit_cost(net, bias_weight=1.0 / t), rel=1e-6)
        assert np.abs(net(x) - y).max() < 1e-3
        penalties.append(res.penalty)
    assert penalties[0] > penalties[1] > penalties[2] > best * (1 - 1e-4)
    assert penalties[0] > best * 1.05
    assert penalties[2] < best * 1.01
    # knots strictly between samples: not the linear interpolant
    first = sp.bias_penalized_network(x, y, 1e-5).network
    assert sp.spline_distances(x, y, first)[1] > 0.1
    # on the triangle data the minimizer is unique and both costs pick the linear interpolant
    xt, yt = triangle
    tri = sp.bias_penalized_network(xt, yt, 1e-5).network
    assert sp.spline_distances(xt, yt, tri)[1] < 1e-3


def test_network_views_agree(wave):
    x, y = wave
    net = sp.min_cost_network(x, y).network
    inner = sp.UnivariateNetwork(a=net.a, b=net.b, c=net.c)
    W, a, b = inner.as_layers()
    np.testing.assert_allclose(forward(x[:, None], W, a, b), inner(x), atol=1e-12)
    rho, theta, delta = sp.polar_coordinates(inner)
    np.testing.assert_allclose(-np.tan(theta), inner.knots(), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(rho, inner.c * np.hypot(inner.a, inner.b))
    np.testing.assert_allclose(delta, sp.balance_gaps(inner))


# --------------------------------------------------------------------------------------------
# gradient dynamics
# --------------------------------------------------------------------------------------------


def _loss(x, y, theta, m):
    a, b, c = theta[:m], theta[m : 2 * m], theta[2 * m :]
    r = np.maximum(np.outer(x, a) + b, 0.0) @ c - y
    return 0.5 * r @ r


def test_hessian_bound_dominates_the_hessian(triangle):
    x, y = triangle
    for seed in range(3):
        net = sp.init_univariate(6, 0.7, seed, scale=3.0)
        m = net.width
        theta = np.concatenate([net.a, net.b, net.c])
        h = 1e-5
        Hs = np.zeros((3 * m, 3 * m))
        for i in range(3 * m):
            for j in range(3 * m):
                ei, ej = np.eye(3 * m)[i] * h, np.eye(3 * m)[j] * h
                Hs[i, j] = (
                    _loss(x, y, theta + ei + ej, m) - _loss(x, y, theta + ei - ej, m)
                    - _loss(x, y, theta - ei + ej, m) + _loss(x, y, theta - ei - ej, m)
                ) / (4 * h * h)
        top = np.abs(np.linalg.eigvalsh(0.5 * (Hs + Hs.T))).max()
        assert top <= sp.hessian_bound(x, y, net) * (1 + 1e-6)
        K = sp.tangent_kernel(x, net)
        assert np.linalg.eigvalsh(K)[-1] <= top * (1 + 1e-4) + sp.hessian_bound(x, y, net)


def test_delta_drift_identity_and_first_order_in_lr(triangle):
    x, y = triangle
    net = sp.init_univariate(200, 10.0, 0)
    start = sp.balance_gaps(net)
    size = np.max(net.c**2 + net.a**2 + net.b**2)
    drifts = []
    for lr in (0.008, 0.004, 0.002):
        run = sp.train_univariate(x, y, net, steps=int(round(4.0 / lr)), lr=lr)
        change = sp.balance_gaps(run.final) - start
        np.testing.assert_allclose(change, run.delta_drift, atol=1e-14)
        drifts.append(np.abs(change).max() / size)
    assert drifts[0] / drifts[1] == pytest.approx(2.0, rel=0.15)
    assert drifts[1] / drifts[2] == pytest.approx(2.0, rel=0.15)


@pytest.fixture(scope="module", params=[0, 1], ids=["seed0", "seed1"])
def regime_runs(request, triangle):
    # the chapter's width and seed 0, and a second seed: the regimes must not hinge on one draw
    x, y = triangle
    runs = {}
    for ratio in (1e-4, 10.0):
        net = sp.init_univariate(1000, ratio, request.param)
        runs[ratio] = sp.train_univariate(x, y, net, steps=60000, tol=1e-2, record_every=5000)
    return runs


def test_kernel_and_adaptive_regimes(triangle, regime_runs):
    x, y = triangle
    kernel, adaptive = regime_runs[1e-4], regime_runs[10.0]
    assert kernel.converged and adaptive.converged
    kc, kl = sp.spline_distances(x, y, kernel.final)
    ac, al = sp.spline_distances(x, y, adaptive.final)
    assert kc < kl / 3  # kernel regime: close to the cubic spline
    assert al < ac / 2  # adaptive regime: close to the linear interpolant
    assert sp.curvature_near_samples(kernel.final, x, 0.02) < 0.3
    assert sp.curvature_near_samples(adaptive.final, x, 0.02) > 0.9
    shift = np.abs(kernel.final.knots() - kernel.initial.knots())
    assert np.median(shift) < 1e-3
    # delta is conserved up to the O(lr) drift of discrete GD, identity exact
    drift = {}
    for name, run in (("kernel", kernel), ("adaptive", adaptive)):
        change = sp.balance_gaps(run.final) - sp.balance_gaps(run.initial)
        np.testing.assert_allclose(change, run.delta_drift, atol=1e-12)
        start = run.initial
        drift[name] = np.abs(change).max() / np.max(start.c**2 + start.a**2 + start.b**2)
    # negligible where the weights are large against the steps, visible where they are small
    assert drift["kernel"] < 1e-6
    assert 1e-2 < drift["adaptive"] < 0.3


def test_kernel_regime_follows_the_frozen_layer_model(triangle, regime_runs):
    x, y = triangle
    run = regime_runs[1e-4]
    frozen = sp.frozen_layer_interpolant(x, y, run.initial)
    grid = np.linspace(-1, 1, 401)
    assert np.abs(run.final(grid) - frozen(grid)).max() < 0.02
    assert sp.lazy_index(x, y, run.initial) < 0.02
    assert sp.lazy_index(x, y, regime_runs[10.0].initial) > 10


def test_kernel_limit_is_a_cubic_spline(triangle):
    x, y = triangle
    f_inf, c1, cn = sp.kernel_limit(x, y)
    grid = np.linspace(-1, 1, 501)
    spline = CubicSpline(x, y, bc_type=((2, c1), (2, cn)))
    assert np.abs(f_inf(grid) - spline(grid)).max() < 1e-10
    assert np.abs(f_inf(x) - y).max() < 1e-10
    # ... but not the natural one: its end curvatures are not zero
    assert max(abs(c1), abs(cn)) > 1.0
    assert sp.spline_distances(x, y, f_inf)[0] > 0.01
    # the closed-form kernel is the large-width limit of H H^T / (m alpha^2)
    net = sp.init_univariate(40000, 1.0, 3)
    H = np.maximum(np.outer(x, net.a) + net.b, 0.0)
    empirical = H @ H.T / (net.width * net.a[0] ** 2)
    assert np.abs(empirical - sp.uniform_knot_kernel(x, x)).max() < 0.02


def test_ratio_sweep_small(triangle):
    x, y = triangle
    sweep = sp.ratio_sweep(x, y, [10.0, 1.0, 1e-2], width=200, steps=20000, rng=1)
    np.testing.assert_allclose(sweep.ratios, [1e-2, 1.0, 10.0])
    assert np.all(sweep.residual <= 1e-2 + 1e-12)
    np.testing.assert_allclose(sweep.lazy[1:] / sweep.lazy[:-1], [100.0, 10.0], rtol=1e-6)
    # adaptive already at ratio 1e-2, where the lazy index is of order one: the transition is
    # set by the lazy index, not by the ratio
    assert 0.1 < sweep.lazy[0] < 10.0
    assert np.all(sweep.d_linear < sweep.d_cubic / 2)
    assert np.all(sweep.near_samples > 0.8)


def test_frozen_layer_gap_shrinks_like_inverse_sqrt_width(triangle):
    x, y = triangle
    f_inf, _, _ = sp.kernel_limit(x, y)
    grid = np.linspace(-1.0, 1.0, 401)
    widths = np.array([250, 1000, 4000])
    gaps = [
        np.mean([
            np.abs(sp.frozen_layer_interpolant(x, y, sp.init_univariate(m, 1e-4, seed))(grid)
                   - f_inf(grid)).max()
            for seed in range(4)
        ])
        for m in widths
    ]
    assert gaps[0] > gaps[1] > gaps[2]
    assert np.polyfit(np.log(widths), np.log(gaps), 1)[0] == pytest.approx(-0.5, abs=0.2)


# --------------------------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------------------------


def test_bad_input(triangle):
    x, y = triangle
    with pytest.raises(ValueError, match="strictly increasing"):
        sp.min_cost_network(x[::-1], y)
    with pytest.raises(ValueError, match="strictly increasing"):
        sp.slope_changes([0.0, 1.0, 1.0, 2.0], [0.0, 1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="same number of rows"):
        sp.min_cost_network(x, y[:-1])
    with pytest.raises(ValueError, match="same number of rows"):
        sp.train_univariate(x, y[:-1], sp.init_univariate(8, 1.0, 0), steps=1)
    with pytest.raises(ValueError, match="strictly increasing"):
        sp.value_range_at(x[::-1], y, x, knots=x)
    with pytest.raises(ValueError, match="strictly increasing"):
        sp.spline_distances(np.r_[x[:3], x[2:]], np.r_[y[:3], y[2:]], np.sin)
    with pytest.raises(ValueError, match="at least 2"):
        sp.min_representation_cost([0.0], [1.0])
    with pytest.raises(ValueError, match="beta"):
        sp.min_cost_network(x, y, beta=-1.0)
    with pytest.raises(ValueError, match="bias_scale"):
        sp.bias_penalized_network(x, y, 0.1, bias_scale=0.0)
    with pytest.raises(ValueError, match="even"):
        sp.init_univariate(7, 1.0, 0)
    with pytest.raises(ValueError, match="ratio"):
        sp.init_univariate(8, 0.0, 0)
    with pytest.raises(ValueError, match="knot_range"):
        sp.init_univariate(8, 1.0, 0, knot_range=(1.0, -1.0))
    with pytest.raises(ValueError, match="step_factor"):
        sp.train_univariate(x, y, sp.init_univariate(8, 1.0, 0), steps=1, step_factor=2.0)
    with pytest.raises(ValueError, match="linear unit"):
        sp.train_univariate(x, y, sp.linear_interpolant(x, y), steps=1)
    with pytest.raises(TypeError, match="UnivariateNetwork"):
        sp.unit_cost((x, y))
    with pytest.raises(ValueError, match="shape"):
        sp.UnivariateNetwork(a=[1.0, 2.0], b=[0.0], c=[1.0, 1.0])
    with pytest.raises(ValueError, match="inside knot_range"):
        sp.kernel_limit(2.0 * x, y)
    with pytest.raises(TypeError, match="rng"):
        sp.init_univariate(8, 1.0, "seed")


def _range_by_linprog(x, y, z, knots, cost):
    """min and max of f(z) over {f(x) = y, sum |gamma| <= cost}, with SciPy's HiGHS."""
    from scipy.optimize import linprog

    K = knots.size
    Phi = np.maximum(x[:, None] - knots[None, :], 0.0)
    Psi = np.maximum(z[:, None] - knots[None, :], 0.0)
    # variables: gamma+ (K), gamma- (K), d, v
    A_eq = np.hstack([Phi, -Phi, np.ones((x.size, 1)), x[:, None]])
    A_ub = np.concatenate([np.ones(2 * K), [0.0, 0.0]])[None, :]
    bounds = [(0, None)] * (2 * K) + [(None, None)] * 2
    out = []
    for sign in (1.0, -1.0):
        vals = []
        for zl, row in zip(z, Psi):
            c = sign * np.concatenate([row, -row, [1.0, zl]])
            res = linprog(c, A_ub=A_ub, b_ub=[cost], A_eq=A_eq, b_eq=y, bounds=bounds,
                          method="highs")
            assert res.status == 0
            vals.append(sign * res.fun)
        out.append(np.array(vals))
    return out


@pytest.mark.parametrize("which", ["wave", "costly"])
def test_value_range_is_the_linear_program_over_the_least_cost_set(wave, which):
    # the exact-penalty version stopped short of the band's ends by about gap / weight:
    # 1.4e-6 on the wave data (cost 29), 4.4e-4 on data of cost 452
    if which == "wave":
        x, y = wave
    else:
        x, y = np.linspace(0.0, 1.0, 12), 3.0 * np.random.default_rng(1).standard_normal(12)
    knots = sp.knot_grid(x, 60)
    z = np.linspace(x[0], x[-1], 9)[1:-1]
    low, high = sp.value_range_at(x, y, z, knots=knots)
    best = sp.min_representation_cost(x, y, linear_unit=True)
    ref_low, ref_high = _range_by_linprog(x, y, z, knots, best * (1 + 1e-12))
    scale = np.max(np.abs(y))
    np.testing.assert_allclose(low, ref_low, atol=1e-7 * scale)
    np.testing.assert_allclose(high, ref_high, atol=1e-7 * scale)
    assert np.max(high - low) > 0.02
    with pytest.raises(RuntimeError, match="include the samples"):
        sp.value_range_at(x, y, z, knots=0.5 * (x[1:] + x[:-1]))
