"""The chapters' ipywidgets explorers: each builds, redraws on a slider move, leaks no figure.

Outside a kernel ``display`` prints a figure's repr instead of drawing it, so these tests check
the wiring (a slider change runs the callback on the library's pure functions), not the pixels.
"""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from twolayer import data, network, splines, symmetry
from twolayer.widgets.beyond_kernel import beyond_kernel_explorer
from twolayer.widgets.dropout_flows import dropout_explorer
from twolayer.widgets.duality import duality_explorer
from twolayer.widgets.hessian_spectra import type_a_explorer
from twolayer.widgets.nonconvex import training_explorer, training_frame
from twolayer.widgets.splines import (
    CHECKPOINTS,
    regime_explorer,
    regime_frame,
    regime_trajectory,
)

# Type-A point at k = d = 6, as printed in the Hessian chapter (Newton refines it).
ALPHA_K6 = [0.98670, -0.05041, 0.30801, 0.22452, -0.60151]


def _nonconvex():
    X, y, _, _ = data.teacher_regression(40, 2, 4, rng=0)
    return training_explorer(X, y, 1e-2, lr=0.01, steps=200)


def _dropout_flows():
    return dropout_explorer(*data.dropout_data(n=30, d=5, k=3, rng=0, whiten=True), lr=0.05, rng=0)


# name: (build the explorer, a word of the slider's description, a new value for it)
EXPLORERS = {
    "nonconvex": (_nonconvex, "width", 8),
    "duality": (duality_explorer, "beta", 0.5),
    "hessian_spectra": (lambda: type_a_explorer(symmetry.follow_type_a([6, 7], ALPHA_K6)), "k",
                        7),
    "splines": (lambda: regime_explorer(*splines.triangle_samples(10), ratios=(1e-2, 10.0),
                                        width=40, background=False, rng=0), "steps", 100),
    "dropout_flows": (_dropout_flows, "steps", 100),
    "beyond_kernel": (lambda: beyond_kernel_explorer(steps=50, rng=0), "width", 8),
}


@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_explorer_redraws_when_a_slider_moves(name, capsys):
    plt.close("all")
    build, control, value = EXPLORERS[name]
    widget = build()
    capsys.readouterr()  # the first drawing, at construction
    sliders = {c.description: c for c in widget.children[:-1]}
    slider = next(c for key, c in sliders.items() if control in key)
    slider.value = value
    printed = capsys.readouterr().out
    assert "Figure" in printed, "the callback should display a figure"
    assert plt.get_fignums() == [], "the explorer should close the figures it shows"


def test_splines_explorer_reaches_the_chapters_converged_runs():
    """Its last checkpoint is the network of the chapter's uninterrupted run, converged."""
    x, y = splines.triangle_samples(10)
    explorer = regime_explorer(x, y, ratios=(1e-2, 10.0), width=60, rng=0)  # trains in a thread
    explorer.wait()
    for ratio, traj in explorer.trajectories.items():
        run = splines.train_univariate(x, y, splines.init_univariate(60, ratio, rng=0),
                                       steps=80000, tol=1e-2, max_turn=0.05, record_every=80000)
        assert traj.converged and run.converged
        assert traj.steps[-1] == run.steps > 1200  # the old slider stopped at 1200 steps
        assert np.array_equal(traj.networks[-1].c, run.final.c)
        assert np.array_equal(traj.networks[-1].a, run.final.a)
        # The converged frame is near the spline of its regime, as in the chapter.
        d_cubic, d_linear = splines.spline_distances(x, y, traj.at(10**6)[1])
        assert (d_linear < 0.1) if ratio > 1 else (d_linear < d_cubic)


def test_splines_explorer_slider_indexes_checkpoints(capsys):
    x, y = splines.triangle_samples(10)
    explorer = regime_explorer(x, y, ratios=(10.0,), width=40, background=False, rng=0)
    traj = explorer.trajectories[10.0]
    steps = next(c for c in explorer.children if c.description == "GD steps")
    assert steps.options[-1] == CHECKPOINTS[-1] >= 35000
    capsys.readouterr()
    for value in (100, 1000, CHECKPOINTS[-1]):
        steps.value = value
        assert "Figure" in capsys.readouterr().out
    assert traj.at(1000)[0] == 1000
    assert traj.at(CHECKPOINTS[-1])[0] == traj.steps[-1] < CHECKPOINTS[-1]
    run, status = traj.checkpoint(CHECKPOINTS[-1])
    assert status == f"converged after {traj.steps[-1]} steps" and run.converged
    assert traj.checkpoint(1000)[1] == "1000 steps"
    fig = regime_frame(x, y, run, status=status)
    assert "converged after" in fig._suptitle.get_text()
    plt.close(fig)
    with pytest.raises(ValueError, match="checkpoints"):
        regime_trajectory(x, y, 1.0, width=40, checkpoints=(0, 105), rng=0)
    with pytest.raises(TypeError, match="run must be a DynamicsResult"):
        regime_frame(x, y, "run")


def test_splines_frame_draws_a_run_with_its_ratio_and_distances():
    """The frame of the chapter's kernel-free explorer: one run of the ratio sweep."""
    x, y = splines.triangle_samples(6)
    run = splines.train_univariate(x, y, splines.init_univariate(20, 10.0, rng=0), steps=200,
                                   tol=1e-2, max_turn=0.05, record_every=200)
    fig = regime_frame(x, y, run)
    d_cubic, d_linear = splines.spline_distances(x, y, run.final)
    assert fig._suptitle.get_text() == (f"ratio 1e+01, m = 20: distance to cubic "
                                        f"{d_cubic:.3f}, to linear {d_linear:.3f}")
    left, right = fig.axes
    grid = left.lines[0].get_xdata()
    np.testing.assert_allclose(left.lines[0].get_ydata(), run.final(grid))
    assert right.get_xlabel() == "knot position $e_i$"
    size = tuple(fig.get_size_inches())
    plt.close(fig)
    other = splines.train_univariate(x, y, splines.init_univariate(20, 1e-2, rng=0), steps=20,
                                     tol=1e-2, max_turn=0.05, record_every=20)
    fig = regime_frame(x, y, other, status="20 steps")
    assert fig._suptitle.get_text().startswith("ratio 1e-02, m = 20, 20 steps: distance")
    assert tuple(fig.get_size_inches()) == size  # the same size for every frame
    plt.close(fig)


def test_nonconvex_frame_titles_the_run_and_shares_the_axis():
    """The frame of chapter 1's explorers: one run, its width, seed and final objective."""
    X, y, _, _ = data.teacher_regression(20, 2, 2, rng=0)
    (run,) = network.train_from_random_inits(X, y, 3, 0.01, runs=1, rng=4, lr=0.05, steps=40,
                                             record_every=10)
    fig = training_frame(run, 4, ylim=(1e-3, 10.0))
    ax = fig.axes[0]
    assert ax.get_title() == f"width 3, seed 4: final objective {run.history[-1]:.4f}"
    assert len(ax.lines) == 1
    np.testing.assert_allclose(ax.lines[0].get_ydata(), run.history)
    assert ax.get_ylim() == pytest.approx((1e-3, 10.0))
    plt.close(fig)
    with pytest.raises(TypeError, match="run must be a TrainResult"):
        training_frame([run], 4)
    with pytest.raises(ValueError, match="ylim must be a pair"):
        training_frame(run, 4, ylim=1.0)
    with pytest.raises(ValueError, match=r"ylim\[1\] must be >"):
        training_frame(run, 4, ylim=(1.0, 0.5))
