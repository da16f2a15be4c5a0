"""Every figure function of ``twolayer.plotting``'s chapter modules draws what it is given.

Each test builds the function's input from small library computations (or the library's own
result dataclasses filled with known numbers) and checks what the figure holds: the data of a
line, the number of artists, the scales and labels a caption refers to.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure

from twolayer import data, dropout, duality, gaussian, network, splines, symmetry
from twolayer.arrangements import enumerate_patterns_2d
from twolayer.convex import recover_network, solve_convex
from twolayer.plotting import dropout_flows as dplot
from twolayer.plotting import duality as duplot
from twolayer.plotting import hessian_spectra as hplot
from twolayer.plotting import nonconvex as nplot
from twolayer.plotting import splines as splot


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _scatter_offsets(ax) -> np.ndarray:
    return np.concatenate([c.get_offsets() for c in ax.collections
                           if isinstance(c, PathCollection)])


# ---------------------------------------------------------------------------------------------
# chapter "The non-convex problem"
# ---------------------------------------------------------------------------------------------


def test_final_objectives_one_column_of_dots_per_width():
    finals = {2: [0.5, 0.25, 0.125], 8: [0.01, 0.02]}
    fig = nplot.plot_final_objectives(finals)
    ax = fig.axes[0]
    pts = _scatter_offsets(ax)
    assert pts.shape == (5, 2)
    np.testing.assert_allclose(np.sort(pts[:, 1]), np.sort([0.5, 0.25, 0.125, 0.01, 0.02]))
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2", "8"]
    # the best run of each width is marked by a horizontal segment at its level
    levels = sorted(line.get_ydata()[0] for line in ax.lines)
    assert levels == [0.01, 0.125]
    assert ax.get_yscale() == "log"


def test_training_curves_one_line_per_run():
    X, y, _, _ = data.teacher_regression(20, 2, 2, rng=0)
    runs = network.train_from_random_inits(X, y, 3, 0.01, runs=3, rng=1, lr=0.05, steps=50,
                                           record_every=10)
    fig = nplot.plot_training_curves(runs, label="three runs")
    ax = fig.axes[0]
    assert len(ax.lines) == 3
    np.testing.assert_allclose(ax.lines[1].get_ydata(), runs[1].history)
    assert ax.get_title() == "three runs"


# ---------------------------------------------------------------------------------------------
# chapter "Duality"
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def circle():
    X, y, _, _ = data.circle_teacher_regression(12, rng=0, noise=0.1)
    beta = 0.05
    sol = solve_convex(X, y, beta, enumerate_patterns_2d(X))
    W, a = recover_network(sol)
    return X, y, beta, sol, W, a


def test_dual_constraint_marks_each_neuron_at_the_constraint(circle):
    X, y, beta, sol, W, a = circle
    v = duality.dual_vector(sol)
    fig = duplot.plot_dual_constraint(X, v, beta, W, a, title="dual")
    ax = fig.axes[0]
    curve = ax.lines[0]
    t, vals = curve.get_xdata(), curve.get_ydata()
    np.testing.assert_allclose(vals, duality.dual_constraint(X, v, np.c_[np.cos(t), np.sin(t)]))
    # optimal neurons sit where the constraint is tight: at height beta
    marked = np.concatenate([line.get_ydata() for line in ax.lines
                             if line.get_marker() in ("^", "v")])
    assert marked.size == a.size
    np.testing.assert_allclose(marked, beta, rtol=1e-4)
    assert ax.get_title() == "dual"


def test_duality_panel_draws_the_fit_above_the_constraint(circle):
    X, y, beta, sol, W, a = circle
    fig = duplot.plot_duality_panel(X, y, W, a, duality.dual_vector(sol), beta)
    top, bottom = fig.axes[:2]
    t = top.lines[0].get_xdata()
    np.testing.assert_allclose(top.lines[0].get_ydata(),
                               network.forward(np.c_[np.cos(t), np.sin(t)], W, a))
    np.testing.assert_allclose(np.sort(_scatter_offsets(top)[:, 1]),
                               np.sort(y / np.linalg.norm(X, axis=1)))
    assert bottom.get_ylabel() == "dual constraint"


def test_runs_vs_convex_excess_is_relative_and_floored():
    finals = {4: [1.0, 1.5], 16: [1.0 + 1e-12]}
    fig = duplot.plot_runs_vs_convex(finals, 1.0, floor=1e-8)
    left, right = fig.axes[:2]
    np.testing.assert_allclose(np.sort(_scatter_offsets(right)[:, 1]), [1e-8, 1e-8, 0.5])
    assert left.lines[0].get_ydata()[0] == 1.0  # the optimum as a horizontal line


def test_certificate_trajectory_one_line_per_bound_and_the_truth():
    steps = [0, 10, 20]
    fig = duplot.plot_certificate_trajectory(steps, [0.5, 0.1, 0.01],
                                             {"exact gap": [0.6, 0.2, 0.02]})
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.lines] == ["exact gap", "true (L - p*)/L"]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.6, 0.2, 0.02])


def test_sampling_draws_each_seed_and_the_median():
    excess = np.array([[1e-1, 1e-3, 0.0], [1e-2, 1e-4, 0.0], [1e-1, 1e-2, 0.0]])
    found = np.array([[3, 6, 8], [4, 7, 8], [3, 5, 8]])
    fig = duplot.plot_sampling([4, 16, 64], excess, found, 8, floor=1e-10)
    left, right = fig.axes[:2]
    assert len(left.lines) == 4
    np.testing.assert_allclose(left.lines[-1].get_ydata(), [1e-1, 1e-3, 1e-10])
    np.testing.assert_allclose(right.lines[0].get_ydata(), found.mean(axis=0))
    assert right.lines[1].get_label() == "all patterns (8)"


def test_width_vs_n_draws_the_bound_n_plus_one():
    fig = duplot.plot_width_vs_n([5, 10, 20], np.array([[3, 5, 9], [4, 6, 8]]))
    ax = fig.axes[0]
    bound = [line for line in ax.lines if line.get_label() == "bound $n + 1$"][0]
    np.testing.assert_array_equal(bound.get_ydata(), [6, 11, 21])
    mean = [line for line in ax.lines if line.get_label() == "recovered width (mean)"][0]
    np.testing.assert_allclose(mean.get_ydata(), [3.5, 5.5, 8.5])


def test_cutting_plane_shows_excess_and_violation(circle):
    X, y, beta, sol, _, _ = circle
    res = duality.CuttingPlaneResult(solution=sol, values=np.array([sol.value * 1.5, sol.value]),
                                     violations=np.array([3.0, 1.0]),
                                     num_patterns=np.array([4, 8]), converged=True)
    fig = duplot.plot_cutting_plane(res, sol.value, floor=1e-10)
    left, right = fig.axes[:2]
    np.testing.assert_allclose(left.lines[0].get_ydata(), [0.5, 1e-10])
    np.testing.assert_allclose(right.lines[0].get_ydata(), [2.0, 1e-10])


# ---------------------------------------------------------------------------------------------
# chapter "Hessian spectra"
# ---------------------------------------------------------------------------------------------


def _fit(kind: str, loss: float) -> gaussian.FitResult:
    return gaussian.FitResult(W=np.eye(2), loss=loss, grad_norm=0.0, min_eig=1.0, kind=kind,
                              iterations=1)


def test_spurious_experiment_bars_are_the_fractions():
    ex = gaussian.SpuriousExperiment(ks=[6, 8], runs=4, fits={
        6: [_fit("global", 0.0), _fit("spurious", 0.02), _fit("global", 0.0),
            _fit("other", 0.1)],
        8: [_fit("spurious", 0.03), _fit("spurious", 0.04), _fit("global", 0.0),
            _fit("global", 0.0)],
    })
    labels = {6: ["ΔS_5 × ΔS_1"], 8: ["ΔS_7", "ΔS_6 × ΔS_2"]}
    fig = hplot.plot_spurious_experiment(ex, labels)
    bars, levels = fig.axes[:2]
    np.testing.assert_allclose([p.get_height() for p in bars.patches], [0.25, 0.5])
    np.testing.assert_allclose(np.sort(_scatter_offsets(levels)[:, 1]), [0.02, 0.03, 0.04])
    # coloured by broken neurons: n = 1 (two minima) and n = 2 (one)
    assert sorted(t.get_text() for t in levels.get_legend().get_texts()) == ["n = 1", "n = 2"]
    assert bars.get_title() == "Spurious minima, 4 runs per size"


def test_isotropy_pattern_reorders_to_the_canonical_form():
    W = symmetry.type_a_weights(np.array([1.0, 0.1, -0.2, 0.3, 0.8]), 6)
    scrambled = symmetry.act(W, [3, 0, 5, 1, 4, 2], [3, 0, 5, 1, 4, 2])
    iso = symmetry.detect_isotropy(scrambled)
    fig = hplot.plot_isotropy_pattern(scrambled, iso)
    left, right = fig.axes[:2]
    np.testing.assert_allclose(left.images[0].get_array(), scrambled)
    np.testing.assert_allclose(right.images[0].get_array(), iso.canonical(scrambled))
    assert iso.label in right.get_title()


@pytest.fixture(scope="module")
def type_a():
    # Newton from a rough guess finds the type-A critical point at k = d = 6 (the tests of
    # twolayer.symmetry check that it is one); continuation follows it to k = 8.
    start = symmetry.type_a_critical_point(6, [1.0, -0.05, 0.3, 0.2, -0.6])
    return {p.k: p for p in symmetry.follow_type_a([6, 7, 8], start.alpha)}


def test_type_a_family_plots_k_times_loss_and_five_parameters(type_a):
    points = list(type_a.values())
    fig = hplot.plot_type_a_family(points)
    ax0, ax1 = fig.axes[:2]
    np.testing.assert_allclose(ax0.lines[0].get_ydata(), [p.k * p.loss for p in points])
    assert len(ax1.lines) == 5
    np.testing.assert_allclose(ax1.lines[4].get_ydata(), [p.alpha[4] for p in points])


def test_distinct_eigenvalues_scatter_every_block_eigenvalue(type_a):
    spectra = {k: symmetry.type_a_spectrum(p.alpha, k) for k, p in type_a.items()}
    fig = hplot.plot_distinct_eigenvalues(spectra)
    ax0, ax1 = fig.axes[:2]
    drawn = np.sort(_scatter_offsets(ax0)[:, 1])
    want = np.sort(np.concatenate([s.eigenvalues for s in spectra.values()]))
    np.testing.assert_allclose(drawn, want)
    # the multiplicity fraction of each type in closed form: with D = d - 1 = k - 1,
    # M(d, d) = 5 trivial + 5 S + X + Y of dimensions 1, D - 1, D (D - 3) / 2, (D - 1)(D - 2) / 2
    # (Arjevani & Field 2020, sec. 4), out of k d = d^2 eigenvalues
    ks = np.array(sorted(spectra), dtype=float)
    D = ks - 1
    want = {"trivial": 5 / ks**2, "S": 5 * (D - 1) / ks**2, "X": D * (D - 3) / 2 / ks**2,
            "Y": (D - 1) * (D - 2) / 2 / ks**2}
    drawn = {line.get_label(): line for line in ax1.lines}
    assert set(drawn) == set(want)
    for label, fraction in want.items():
        np.testing.assert_allclose(drawn[label].get_xdata(), ks)
        np.testing.assert_allclose(drawn[label].get_ydata(), fraction, rtol=1e-12)


def test_type_a_panel_shows_w_and_its_spectrum(type_a):
    point = type_a[7]
    spectrum = symmetry.type_a_spectrum(point.alpha, 7)
    fig = hplot.plot_type_a_panel(point, spectrum)
    ax0, ax1 = fig.axes[:2]
    np.testing.assert_allclose(ax0.images[0].get_array(), point.W)
    segments = [c for c in ax1.collections if isinstance(c, LineCollection)]
    assert sum(len(c.get_segments()) for c in segments) == spectrum.eigenvalues.size
    assert f"({spectrum.size} eigenvalues)" in ax1.get_title()


# ---------------------------------------------------------------------------------------------
# chapter "Splines"
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spline_runs():
    x, y = splines.triangle_samples()
    runs = {}
    for label, ratio in (("kernel", 10.0), ("adaptive", 0.01)):
        net = splines.init_univariate(60, ratio=ratio, rng=3)
        runs[label] = splines.train_univariate(x, y, net, steps=300, lr=1e-3)
    return x, y, runs


def test_interpolants_one_panel_per_data_set():
    x = np.array([0.0, 1.0, 2.0])
    y = np.array([0.0, 1.0, 0.0])
    fig = splot.plot_interpolants([(x, y, {"zero": np.zeros_like}, "a"),
                                   (x, -y, {"zero": np.zeros_like}, "b")])
    assert [ax.get_title() for ax in fig.axes] == ["a", "b"]
    linear = [line for line in fig.axes[1].lines if line.get_label() == "linear interpolant"][0]
    np.testing.assert_allclose(linear.get_ydata(), -np.interp(linear.get_xdata(), x, y))


def test_band_fills_between_low_and_high():
    x = np.array([0.0, 1.0, 2.0])
    z = np.linspace(0, 2, 5)
    fig = splot.plot_band(x, x, z, z - 1, z + 1, {"identity": lambda t: t}, title="band")
    ax = fig.axes[0]
    band = ax.collections[0]
    ys = band.get_paths()[0].vertices[:, 1]
    assert ys.min() == pytest.approx(-1.0) and ys.max() == pytest.approx(3.0)
    assert ax.get_title() == "band"


def test_regimes_histograms_carry_unit_mass(spline_runs):
    x, y, runs = spline_runs
    fig = splot.plot_regimes(x, y, runs, bins=40)
    assert [ax.get_title() for ax in fig.axes[:2]] == ["kernel", "adaptive"]
    for ax in fig.axes[2:4]:
        initial, trained = ax.patches[:2]
        # the initial knots lie in [-1, 1], inside the drawn window: their shares add up to 1;
        # trained knots may leave the window, and their shares outside it are not drawn
        assert np.sum(initial.get_data().values) == pytest.approx(1.0)
        assert 0.5 < np.sum(trained.get_data().values) <= 1.0 + 1e-12


def test_knot_paths_draw_num_units_per_run(spline_runs):
    x, y, runs = spline_runs
    fig = splot.plot_knot_paths(x, runs, num=12)
    for ax, run in zip(fig.axes[:2], runs.values()):
        paths = ax.lines[-12:]
        np.testing.assert_allclose(paths[0].get_xdata(), run.history_time[1:])
        assert ax.get_xscale() == "log"


def test_ratio_sweep_plots_both_distances():
    r = np.array([0.01, 0.1, 1.0])
    sweep = splines.RatioSweep(ratios=r, lazy=2 * r, d_cubic=np.array([0.3, 0.2, 0.01]),
                               d_linear=np.array([0.01, 0.1, 0.3]), knot_shift=r,
                               near_samples=np.array([0.9, 0.5, 0.1]), residual=r,
                               steps=np.array([10, 10, 10]))
    fig = splot.plot_ratio_sweep(sweep)
    ax1, ax2 = fig.axes[:2]
    np.testing.assert_allclose(ax1.lines[0].get_ydata(), sweep.d_cubic)
    np.testing.assert_allclose(ax1.lines[1].get_ydata(), sweep.d_linear)
    np.testing.assert_allclose(ax2.lines[0].get_ydata(), sweep.near_samples)


def test_splines_explorer_draws_the_trained_function(spline_runs):
    x, y, runs = spline_runs
    run = runs["adaptive"]
    fig = splot.plot_fit_and_knots(x, y, run, title="adaptive")
    ax1 = fig.axes[0]
    grid = ax1.lines[0].get_xdata()
    np.testing.assert_allclose(ax1.lines[0].get_ydata(), run.final(grid))
    assert fig._suptitle.get_text() == "adaptive"


# ---------------------------------------------------------------------------------------------
# chapter "Dropout flows"
# ---------------------------------------------------------------------------------------------


def _flow(gap: np.ndarray, minimum: float) -> dropout.FlowResult:
    t = np.arange(gap.size, dtype=float)
    return dropout.FlowResult(t=t, objective=minimum + gap, grad_norm=gap, W1=np.zeros((1, 1)),
                              W2=np.zeros((1, 1)))


def test_flow_gaps_draw_the_gap_and_the_predicted_slope():
    gap = np.exp(-0.5 * np.arange(30.0))
    fig = dplot.plot_flow_gaps({0.5: _flow(gap, 2.0)}, {0.5: 2.0}, {0.5: 0.5}, offset=0.1)
    ax = fig.axes[0]
    curve, line = ax.lines[:2]
    np.testing.assert_allclose(curve.get_ydata(), gap[gap > 1e-13], rtol=1e-6)
    # the dashed prediction has the predicted slope -0.5 on the log axis
    slope = np.polyfit(line.get_xdata(), np.log(line.get_ydata()), 1)[0]
    assert slope == pytest.approx(-0.5)


def test_rates_draw_one_line_per_width_and_per_p():
    p_grid = np.linspace(0.1, 0.9, 5)
    w_grid = np.array([1, 2, 4])
    fig = dplot.plot_rates(p_grid, {2: p_grid, 4: 2 * p_grid}, w_grid, {0.5: 1.0 / w_grid},
                           points_p={2: (np.array([0.5]), np.array([0.5]))})
    ax1, ax2 = fig.axes[:2]
    assert [t.get_text() for t in ax1.get_legend().get_texts()] == ["m = 2", "m = 4"]
    np.testing.assert_allclose(ax2.lines[0].get_ydata(), 1.0 / w_grid)
    assert len(ax1.lines) == 3  # two lines and one marker set


def test_regularization_draws_the_shrunk_values_and_the_data_levels():
    sigma = np.array([3.0, 1.0])
    p_grid = np.array([0.2, 0.5, 0.8])
    shrunk = np.array([[1.0, 0.0], [2.0, 0.2], [2.5, 0.6]])
    fig = dplot.plot_regularization(p_grid, shrunk, np.array([1, 2]), shrunk[:2], sigma,
                                    p_fixed=0.5, m_fixed=4)
    ax1, ax2 = fig.axes[:2]
    np.testing.assert_allclose(ax1.lines[0].get_ydata(), shrunk[:, 0])
    assert ax1.lines[1].get_ydata()[0] == 3.0
    assert ax2.get_title() == "keep probability p = 0.5"


def test_sgd_vs_flow_plots_runs_at_time_lr_times_step():
    gap = np.exp(-np.arange(10.0))
    run = dropout.RunResult(W1=np.zeros((1, 1)), W2=np.zeros((1, 1)), steps=np.array([0, 10, 20]),
                            objective=np.array([3.0, 2.5, 2.1]))
    study = dropout.SgdAgainstFlow(lrs=np.array([0.01]), steps=np.array([20]), flow=_flow(gap, 2.0),
                                   runs=(run,), deviation=np.zeros(1), excess=np.zeros(1))
    fig = dplot.plot_sgd_vs_flow(study, 2.0)
    ax = fig.axes[0]
    np.testing.assert_allclose(ax.lines[0].get_xdata(), [0.0, 0.1, 0.2])
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [1.0, 0.5, 0.1])
    assert ax.lines[-1].get_label() == "expected gradient flow"


def test_dropout_explorer_bars_are_the_unit_products():
    X, Y = data.dropout_data(30, 5, 3, rng=0, whiten=True)
    res = dropout.descent_against_minimizer(X, Y, 0.5, 3, steps=300, lr=0.05, rng=0)
    fig = dplot.plot_descent_and_products(res, title="explorer")
    ax1, ax2 = fig.axes[:2]
    np.testing.assert_allclose([p.get_height() for p in ax2.patches], res.products)
    assert ax2.lines[0].get_ydata()[0] == pytest.approx(res.product_star)
    assert isinstance(fig, Figure)


# ---------------------------------------------------------------------------------------------
# chapter "Extreme points"
# ---------------------------------------------------------------------------------------------


def test_relaxation_gap_draws_values_and_gaps_by_dimension():
    from twolayer.extreme import RelaxationGap
    from twolayer.plotting import extreme_points as eplot

    dims = np.array([10, 50, 200, 400])
    res = RelaxationGap(
        dims=dims, n=100, relaxed_values=np.array([35.0, 39.0, 11.8, 10.3]),
        relaxed_gaps=np.zeros(4), oracle_calls=np.ones(4, int),
        searched_values=np.array([8.7, 14.1, 13.1, 11.9]),
        lower_bounds=np.array([6.5, 9.0, 9.7, 9.6]),
        relative_gaps=np.array([0.81, 0.77, 0.18, 0.06]), excess=np.array([0.75, 0.64, 0, 0]),
        spike_ratio=np.array([np.inf, 7.1, 1.25, 1.07]), cone_trivial=np.zeros(4, bool),
        num_patterns=np.full(4, 100))
    fig = eplot.plot_relaxation_gap(res)
    left, right = fig.axes
    assert fig.get_size_inches()[0] <= 6.7
    curves = [line for line in left.lines if line.get_linestyle() == "-"]
    np.testing.assert_allclose(curves[0].get_ydata(), res.relaxed_values)
    np.testing.assert_allclose(curves[2].get_ydata(), res.lower_bounds)
    np.testing.assert_allclose(right.lines[0].get_ydata(), res.relative_gaps)
    assert [t.get_text() for t in right.get_legend().get_texts()] == [
        "relative gap", "certified excess"]
    assert left.get_xscale() == right.get_xscale() == "log"
    assert any(line.get_linestyle() == ":" and line.get_xdata()[0] == 100 for line in right.lines)
