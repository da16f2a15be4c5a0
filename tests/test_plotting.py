"""The book's figure style (sharp PNGs that record their smallest text, shown at layout size),
and the chapters' figure functions that tests/test_figures.py does not draw."""

from __future__ import annotations

import base64
import struct
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import PathCollection

from twolayer.arrangements import unit_circle
from twolayer.batchnorm import DigitsResult, ExactResult, ExploreResult
from twolayer.duality import dual_constraint
from twolayer.extreme import (
    ClassificationRegions,
    DigitsExperiment,
    GDComparison,
    SpikeFreeCuttingPlane,
    rectified_ellipsoid_2d,
)
from twolayer.gaussian import StagedDynamics, WidthStudy
from twolayer.kernels import KernelComparison, LossCurves
from twolayer.network import forward
from twolayer.plotting import (
    BOOK_STYLE,
    MIN_FONT_KEY,
    MIN_FONT_PT,
    PIXEL_RATIO,
    figure_png,
    new_figure,
    png_text,
    smallest_font_pt,
)
from twolayer.plotting import batchnorm as bplot
from twolayer.plotting import beyond_kernel as bkplot
from twolayer.plotting import extreme_points as eplot
from twolayer.plotting.duality import draw_dual_constraint, draw_fit_on_circle


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _figure(legend_size: float | None = None):
    fig, ax = new_figure(figsize=(4.0, 2.5))
    ax.plot([0, 1, 2], [0, 1, 4], label="a line")
    ax.set_xlabel("k")
    ax.legend(fontsize=legend_size)
    return fig


def test_every_text_size_of_the_style_is_at_least_the_minimum():
    sizes = {k: v for k, v in BOOK_STYLE.items() if k.endswith(("size", "fontsize"))}
    assert sizes and min(sizes.values()) >= MIN_FONT_PT


def test_png_is_twice_as_dense_as_its_display_size_and_records_its_smallest_text():
    fig = _figure()
    data, metadata = figure_png(fig)
    png = base64.b64decode(data)
    width, height = struct.unpack(">II", png[16:24])
    assert (metadata["width"], metadata["height"]) == (width // PIXEL_RATIO,
                                                       height // PIXEL_RATIO)
    # a tight box (0.1 inch of padding) around a 4 x 2.5 inch figure at 100 dpi
    assert 300 < metadata["width"] <= 420 and 180 < metadata["height"] <= 270
    info = png_text(png)
    assert float(info["dpi"]) == pytest.approx(BOOK_STYLE["figure.dpi"] * PIXEL_RATIO, abs=0.1)
    assert float(info[MIN_FONT_KEY]) == pytest.approx(smallest_font_pt(fig)) == MIN_FONT_PT
    plt.close(fig)


def test_smallest_font_follows_the_smallest_visible_text():
    fig = _figure(legend_size=6.5)
    fig.canvas.draw()
    assert smallest_font_pt(fig) == 6.5
    fig.axes[0].get_legend().set_visible(False)
    assert smallest_font_pt(fig) == MIN_FONT_PT
    data, _ = figure_png(fig, pixel_ratio=1)
    assert png_text(base64.b64decode(data))[MIN_FONT_KEY] == f"{MIN_FONT_PT:.2f}"
    plt.close(fig)


def test_new_figure_installs_the_png_formatter_in_ipython():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        fig, _ = new_figure()
        formatter = shell.display_formatter.formatters["image/png"]
        assert formatter.lookup_by_type(type(fig)) is figure_png
        data, metadata = formatter(fig)
        assert png_text(base64.b64decode(data))[MIN_FONT_KEY]
        assert metadata["width"] > 0
        plt.close(fig)
    finally:
        InteractiveShell.clear_instance()


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: figure_png("fig"), TypeError, "fig must be a matplotlib Figure, got str"),
        (lambda: figure_png(plt.figure(), pixel_ratio=0), ValueError,
         "pixel_ratio must be a positive int"),
        (lambda: smallest_font_pt(None), TypeError, "fig must be a matplotlib Figure"),
        (lambda: png_text(b"GIF89a"), ValueError, "png must be the bytes of a PNG file"),
        (lambda: new_figure(figsize=4.0), ValueError, r"figsize must be a pair \(width, height\)"),
        (lambda: new_figure(figsize=(4.0, 0.0)), ValueError, r"figsize\[1\] \(height in inches\)"),
    ],
)
def test_bad_input_is_refused_with_a_message(call, error, match):
    with pytest.raises(error, match=match):
        call()
    plt.close("all")


def test_figures_are_never_wider_than_the_text_column():
    from twolayer.plotting import MAX_WIDTH_IN

    fig, _ = new_figure(figsize=(8.0, 3.0))
    assert tuple(fig.get_size_inches()) == (MAX_WIDTH_IN, 3.0)
    plt.close(fig)
    fig, _ = new_figure(figsize=(5.0, 3.0))
    assert tuple(fig.get_size_inches()) == (5.0, 3.0)
    plt.close(fig)


# ---------------------------------------------------------------------------------------------
# The chapters' figure functions that tests/test_figures.py does not cover: each drawn once from
# a few known numbers (the library's result dataclasses filled by hand), checking what it drew.
# ---------------------------------------------------------------------------------------------


def _offsets(ax) -> np.ndarray:
    return np.concatenate([c.get_offsets() for c in ax.collections
                           if isinstance(c, PathCollection)])


def test_draw_fit_on_circle_draws_the_network_and_the_scaled_data():
    X = 2.0 * unit_circle(np.linspace(0.3, 6.0, 5))
    y = np.array([1.0, -0.5, 0.25, 2.0, 0.0])
    W, a = np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([1.0, -1.0])
    fig, ax = new_figure()
    draw_fit_on_circle(ax, X, y, W, a, num=61)
    (line,) = ax.lines
    t = line.get_xdata()
    np.testing.assert_allclose(line.get_ydata(), forward(unit_circle(t), W, a))
    np.testing.assert_allclose(_offsets(ax)[:, 1], y / 2.0)  # y_i / ||x_i||
    assert ax.get_xlabel() == "angle of the input x"


def test_draw_dual_constraint_marks_the_level_and_each_neuron():
    X = unit_circle(np.array([0.2, 1.5, 3.0, 4.5]))
    v = np.array([1.0, -0.5, 0.5, -1.0])
    W, a = np.array([[1.0, 0.2], [-0.3, 1.0], [0.0, -1.0]]), np.array([0.5, -0.5, 1.0])
    fig, ax = new_figure()
    draw_dual_constraint(ax, X, v, 0.8, W, a, num=181)
    beta_line = next(line for line in ax.lines if line.get_label() == "β")
    assert list(beta_line.get_ydata()) == [0.8, 0.8]
    up = next(line for line in ax.lines if line.get_label() == "neuron, a > 0")
    down = next(line for line in ax.lines if line.get_label() == "neuron, a < 0")
    assert len(up.get_xdata()) == 2 and len(down.get_xdata()) == 1
    np.testing.assert_allclose(up.get_ydata(), dual_constraint(X, v, unit_circle(up.get_xdata())))


def test_bn_gd_vs_optimum_draws_every_run_and_the_optimum():
    x = np.array([0.0, 1.0, -1.0, 2.0])
    res = ExactResult(optimum=0.5, recovered=0.5, width=3, gd=np.array([0.7, 0.9]), patterns=4,
                      fit=np.array([0.0, 1.0, 1.0, 2.0]),
                      gd_fits=np.array([[0.1, 0.9, 1.1, 1.8], [0.0, 0.8, 1.2, 1.5]]))
    fig = bplot.plot_gd_vs_optimum(res, x, np.array([0.0, 1.0, 1.0, 2.0]))
    left, right = fig.axes
    assert len(left.lines) == 3  # two GD fits and the recovered network
    np.testing.assert_allclose(left.lines[-1].get_ydata(), [1.0, 0.0, 1.0, 2.0])  # sorted by x
    assert list(right.lines[0].get_ydata()) == [0.5, 0.5]
    np.testing.assert_allclose(_offsets(right)[:, 1], [0.7, 0.9])


def test_bn_closed_form_bars_the_targets_and_marks_each_fit():
    y = np.array([1.0, -1.0, 0.5])
    fig = bplot.plot_closed_form(y, {"closed form": y, "solver": 0.9 * y})
    ax = fig.axes[0]
    assert [p.get_height() for p in ax.patches] == [1.0, -1.0, 0.5]
    marks = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(marks) == 2
    np.testing.assert_allclose(marks[1].get_offsets()[:, 1], 0.9 * y)


def test_bn_energy_three_bars_per_direction_and_the_spectrum():
    sigma = np.array([2.0, 1.0, 0.5])
    res = DigitsResult(
        convex_objective=1.0, convex_accuracy=0.9, gd_objective=np.ones(2),
        gd_accuracy=np.ones(2), spectral_objective=1.0, spectral_accuracy=0.9, sigma=sigma,
        energy_convex=np.array([0.6, 0.3, 0.1, 0.0]),
        energy_gd=np.array([[0.5, 0.3, 0.2, 0.0], [0.3, 0.3, 0.4, 0.0]]),
        energy_spectral=np.array([0.7, 0.3, 0.0, 0.0]), energy_gd_early=np.ones((2, 4)),
        early=1, n_train=10, n_test=5, components=4, keep=2, patterns=8)
    fig = bplot.plot_energy(res)
    ax, twin = fig.axes
    heights = [p.get_height() for p in ax.patches]
    assert len(heights) == 9
    np.testing.assert_allclose(heights[3:6], [0.4, 0.3, 0.3])  # GD: the mean of the runs
    np.testing.assert_allclose(twin.lines[0].get_ydata(), [1.0, 0.25, 0.0625])


def test_bn_explore_titles_the_setting_and_draws_both_fits():
    res = ExploreResult(y=np.array([1.0, -1.0, 0.5, 0.0]), fit=np.array([0.8, -0.8, 0.4, 0.0]),
                        whitened_fit=np.array([0.7, -0.7, 0.3, 0.0]), value=0.1234, beta=0.3,
                        d=2, rank=2, closed_form=False)
    ax = bplot.plot_bn_fit(res).axes[0]
    assert ax.get_title() == ("beta = 0.30, d = 2 (rank 2 of n - 1 = 3): convex program, "
                              "objective 0.123")
    np.testing.assert_allclose(_offsets(ax)[4:, 1], res.whitened_fit)
    assert ax.get_ylim() == (-2.6, 2.6)


def test_kernel_comparison_errorbars_per_learner_and_the_reference():
    gd = np.array([[0.2, 0.4], [0.1, 0.1]])
    res = KernelComparison(ds=(2, 4), n=(8, 32), n_test=10, width=(4, 8), n_features=16,
                           ridges=(1e-3,), steps=10, gd=gd, ntk=2 * gd, features=3 * gd,
                           floor=gd / 10)
    fig = bkplot.plot_comparison(res)
    left, right = fig.axes
    assert len(left.containers) == 3  # gradient descent, NTK ridge, random features
    np.testing.assert_allclose(left.containers[0].lines[0].get_ydata(), [0.3, 0.1])
    np.testing.assert_allclose(right.containers[0].lines[0].get_ydata(), [0.6, 0.4])  # times d
    ref = next(line for line in left.lines if line.get_label() == "(1 − 3/π)/d")
    np.testing.assert_allclose(ref.get_ydata(), (1 - 3 / np.pi) / np.array([2.0, 4.0]))
    assert left.get_title() == "Held-out loss, n = 2 d²"


def test_staged_dynamics_draws_each_degree_and_the_alignment():
    steps = np.array([0, 1, 3, 7])
    terms = np.array([[0.4, 0.2, 0.1, 0.05]] * 4) * np.array([[1.0], [0.5], [0.1], [0.01]])
    rng = np.random.default_rng(0)
    run = StagedDynamics(steps=steps, loss=terms.sum(axis=1) + 0.01, degrees=(0, 1, 2, 4),
                         terms=terms, alignment=np.array([0.1, 0.3, 0.6, 0.9]),
                         W0=rng.normal(size=(4, 3)), W=rng.normal(size=(4, 3)),
                         V=np.eye(3), a=np.ones(4))
    fig = bkplot.plot_staged_dynamics(run)
    by_title = {ax.get_title(): ax for ax in fig.axes}
    loss = by_title["Loss by Hermite degree"]
    assert len(loss.lines) == 6  # total, four degrees, the rest
    np.testing.assert_allclose(loss.lines[-1].get_ydata(), [0.01] * 4)
    np.testing.assert_allclose(by_title["Alignment with ±w*"].lines[0].get_ydata(),
                               run.alignment)
    assert len(fig.legends) == 1


def test_width_study_draws_every_seed_and_the_mean_per_width():
    loss = np.array([[[0.5, 0.2, 0.1], [0.7, 0.3, 0.1]], [[0.4, 0.1, 0.05], [0.6, 0.2, 0.05]]])
    study = WidthStudy(d=4, widths=(2, 8), seeds=2, degrees=(0,), steps=np.array([0, 4, 9]),
                       loss=loss, terms=loss[..., None], alignment=1 - loss)
    fig = bkplot.plot_width_study(study)
    left, right = fig.axes
    assert len(left.lines) == 2 * 3 + 1  # per width two seeds and the mean, then the floor
    np.testing.assert_allclose(left.lines[2].get_ydata(), [0.6, 0.25, 0.1])
    assert list(left.lines[-1].get_ydata()) == [study.floor] * 2
    assert len(right.lines) == 6


def test_bridge_draws_the_target_each_fit_and_the_samples():
    x = np.linspace(-1.0, 1.0, 5)
    fig = bkplot.plot_bridge(x, np.sin(x), np.sin, {"a": np.cos, "b": np.abs})
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.lines] == ["target", "a", "b", "samples"]
    grid = ax.lines[2].get_xdata()
    np.testing.assert_allclose(ax.lines[2].get_ydata(), np.abs(grid))
    assert ax.get_ylim() == (-1.8, 1.2)


def test_loss_curves_frame_draws_gd_and_the_three_levels():
    curves = LossCurves(d=4, n=20, width=3, steps=np.array([0, 9, 99]),
                        gd=np.array([0.5, 0.1, 0.01]), ntk=0.2, features=0.3, floor=0.001)
    ax = bkplot.plot_loss_against_kernels(curves, title="t").axes[0]
    np.testing.assert_allclose(ax.lines[0].get_xdata(), [1, 10, 100])  # step + 1
    assert [line.get_ydata()[0] for line in ax.lines[1:]] == [0.2, 0.3, 0.001]
    assert ax.get_title() == "t"


def test_rectified_ellipsoid_draws_both_sides_and_the_dual_optimum():
    X = np.array([[1.0, 0.2], [-0.5, 1.0]])
    geo = rectified_ellipsoid_2d(X, num=61)
    fig = eplot.plot_rectified_ellipsoid(geo, np.array([0.3, -0.2]), 0.2,
                                         np.array([[1.0, 0.0]]), np.array([1.0]),
                                         np.array([1.0, -0.6]), title="two samples")
    left, right = fig.axes
    np.testing.assert_allclose(left.lines[1].get_xydata(), geo.rectified)
    star = next(line for line in right.lines if line.get_label() == r"dual optimum $v^*$")
    assert list(star.get_xydata()[0]) == [0.3, -0.2]
    assert fig._suptitle.get_text() == "two samples"


def test_gd_against_closed_form_one_panel_per_kind_floored():
    cmp = GDComparison(kind="whitened", closed_value=1.0, scales=np.array([0.1, 1.0]),
                       finals=np.ones((2, 3)),
                       relative_excess=np.array([[0.0, 1e-3, 1e-2], [0.1, 0.2, 0.3]]))
    fig = eplot.plot_gd_against_closed_form({"whitened": cmp, "rank one": cmp})
    assert [ax.get_title() for ax in fig.axes] == ["whitened", "rank one"]
    ax = fig.axes[0]
    assert len(ax.lines) == 2
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [1e-10, 1e-3, 1e-2])  # 0 at the floor
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.1", "1"]


def test_autoencoders_one_line_and_one_point_per_sample():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
    U = X / np.linalg.norm(X, axis=1, keepdims=True)
    ax = eplot.plot_autoencoders(X, U, -0.5 * np.ones(3)).axes[0]
    assert len(ax.lines) == 6 and len(ax.texts) == 3  # line, point; one arrow each
    np.testing.assert_allclose(ax.lines[5].get_xydata()[0], X[2])


def test_classification_regions_draw_both_outputs_and_the_knots():
    grid = np.linspace(-1.0, 1.0, 11)
    res = ClassificationRegions(x=np.array([-0.5, 0.5]), y=np.array([1.0, -1.0]), grid=grid,
                                network=-grid, ntk=-grid ** 3, knots=np.array([-0.2, 0.1]),
                                path_norm=1.0, network_changes=1, ntk_changes=1)
    top, bottom = eplot.plot_classification_regions(res).axes
    np.testing.assert_allclose(top.lines[0].get_ydata(), -grid)
    np.testing.assert_allclose(bottom.lines[0].get_ydata(), -grid ** 3)
    assert len(top.lines) == 3 + 2  # output, +1 and -1 samples; the two knots
    assert bottom.get_xlabel() == "$x$"


def test_cutting_plane_run_draws_gap_violation_and_working_set():
    run = SpikeFreeCuttingPlane(W=np.eye(2), a=np.ones(2), values=np.array([1.5, 1.1, 1.0]),
                                violations=np.array([2.0, 1.2, 1.0]),
                                working_set=np.array([2, 3, 4]), converged=True,
                                certificate=SimpleNamespace(dual=1.0), random_check=1.0,
                                num_random=10)
    gap, violation, working = eplot.plot_cutting_plane_run({"whitened": run}).axes
    np.testing.assert_allclose(gap.lines[0].get_ydata(), [0.5, 0.1, 1e-12])
    np.testing.assert_allclose(violation.lines[0].get_ydata(), [1.0, 0.2, 1e-12])
    np.testing.assert_allclose(working.lines[0].get_ydata(), [2, 3, 4])
    assert working.get_xlabel() == "oracle call"


def test_digits_draws_each_sgd_run_against_the_closed_form():
    res = DigitsExperiment(n_train=10, n_test=5, num_classes=3, width=4, beta=0.1,
                           closed_value=0.5, closed_train_accuracy=1.0, closed_test_accuracy=0.8,
                           sgd_values=np.array([0.6, 0.7]), sgd_train_accuracy=np.ones(2),
                           sgd_test_accuracy=np.array([0.7, 0.75]))
    left, right = eplot.plot_digits(res).axes
    np.testing.assert_allclose(left.lines[0].get_ydata(), [0.6, 0.7])
    assert list(left.lines[1].get_ydata()) == [0.5, 0.5]
    np.testing.assert_allclose(right.lines[0].get_ydata(), [0.7, 0.75])
    assert right.get_ylabel() == "test accuracy"
