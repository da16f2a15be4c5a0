"""Figures of the chapter "Splines": interpolants, the band of minimizers, the two regimes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from scipy.interpolate import CubicSpline

from ..splines import DynamicsResult, RatioSweep, UnivariateNetwork
from . import PALETTE, new_figure

__all__ = [
    "plot_band",
    "plot_fit_and_knots",
    "plot_interpolants",
    "plot_knot_paths",
    "plot_ratio_sweep",
    "plot_regimes",
]

Curve = Callable[[np.ndarray], np.ndarray]


def _grid(x: np.ndarray, margin: float, num: int = 801) -> np.ndarray:
    span = float(x[-1] - x[0])
    return np.linspace(x[0] - margin * span, x[-1] + margin * span, num)


def _reference_curves(ax: object, x: np.ndarray, y: np.ndarray, grid: np.ndarray) -> None:
    """Natural cubic spline (dashed), linear interpolant (dotted) and the samples."""
    inside = (grid >= x[0]) & (grid <= x[-1])
    ax.plot(grid[inside], CubicSpline(x, y, bc_type="natural")(grid[inside]), color="0.45",
            ls="--", lw=1.2, label="natural cubic spline")
    ax.plot(grid[inside], np.interp(grid[inside], x, y), color="0.2", ls=":", lw=1.4,
            label="linear interpolant")
    ax.plot(x, y, "o", color="black", ms=4, zorder=5)


def plot_interpolants(
    panels: Sequence[tuple[np.ndarray, np.ndarray, Mapping[str, Curve], str]],
    *, margin: float = 0.1, figsize: tuple[float, float] = (8.0, 3.2),
) -> Figure:
    """One panel per data set: the given curves over the natural cubic and linear interpolants.

    Parameters
    ----------
    panels : sequence of ``(x, y, curves, title)``
        ``curves`` maps a legend label to a vectorized function.
    margin : float
        The curves are drawn this fraction of ``x_n - x_1`` beyond the samples.
    """
    fig, axes = new_figure(1, len(panels), figsize=figsize, squeeze=False)
    for ax, (x, y, curves, title) in zip(axes[0], panels, strict=True):
        grid = _grid(x, margin)
        for i, (label, f) in enumerate(curves.items()):
            ax.plot(grid, f(grid), color=PALETTE[i % len(PALETTE)], lw=1.8, label=label)
        _reference_curves(ax, x, y, grid)
        ax.set_xlabel("x")
        ax.set_title(title)
    axes[0][0].set_ylabel("f(x)")
    axes[0][0].legend(loc="best")
    return fig


def plot_band(
    x: np.ndarray, y: np.ndarray, z: np.ndarray, low: np.ndarray, high: np.ndarray,
    curves: Mapping[str, Curve], *, title: str = "", figsize: tuple[float, float] = (6.4, 3.6),
) -> Figure:
    """The band ``[low(z), high(z)]`` swept by the least-cost interpolants, with curves on top."""
    fig, ax = new_figure(figsize=figsize)
    ax.fill_between(z, low, high, color=PALETTE[5], alpha=0.45, lw=0,
                    label="all least-cost interpolants")
    grid = np.linspace(x[0], x[-1], 801)
    for i, (label, f) in enumerate(curves.items()):
        ax.plot(grid, f(grid), color=PALETTE[(i + 1) % len(PALETTE)], lw=1.6, label=label)
    ax.plot(x, y, "o", color="black", ms=4, zorder=5)
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    ax.set_title(title)
    ax.legend(loc="best")
    return fig


def _curvature_histogram(
    ax: object, net: UnivariateNetwork, bins: np.ndarray, *, fill: bool, **kwargs: object
) -> None:
    """Histogram of the knots weighted by the slope jumps ``|c_i a_i|``, normalized to 1."""
    active = net.a != 0
    knots = -net.b[active] / net.a[active]
    mass = np.abs(net.c[active] * net.a[active])
    total = mass.sum()
    counts, _ = np.histogram(knots, bins=bins, weights=mass / total if total > 0 else mass)
    ax.stairs(counts, bins, fill=fill, **kwargs)


def plot_regimes(
    x: np.ndarray, y: np.ndarray, runs: Mapping[str, DynamicsResult], *, bins: int = 120,
    figsize: tuple[float, float] = (8.0, 5.6),
) -> Figure:
    """Trained networks over the two splines (top) and where their curvature sits (bottom).

    The bottom row is the histogram of the knots ``e_i = -b_i / a_i`` weighted by the slope jump
    ``|c_i a_i|`` of each unit (final: filled; initial: outline), with the samples as lines.
    """
    fig, axes = new_figure(2, len(runs), figsize=figsize, squeeze=False,
                           sharex="col")
    edges = np.linspace(x[0] - 0.05 * (x[-1] - x[0]), x[-1] + 0.05 * (x[-1] - x[0]), bins + 1)
    for k, (label, run) in enumerate(runs.items()):
        top, bottom = axes[0][k], axes[1][k]
        grid = np.linspace(x[0], x[-1], 801)
        top.plot(grid, run.final(grid), color=PALETTE[k], lw=2.0, label="trained network")
        _reference_curves(top, x, y, grid)
        top.set_title(label)
        for xi in x:
            bottom.axvline(xi, color="0.6", lw=0.6, zorder=0)
        _curvature_histogram(bottom, run.initial, edges, fill=False, color="0.3", lw=1.0,
                             label="initial")
        _curvature_histogram(bottom, run.final, edges, fill=True, color=PALETTE[k], alpha=0.8,
                             label="trained")
        bottom.set_xlabel("knot position $e_i$")
    axes[0][0].set_ylabel("f(x)")
    axes[1][0].set_ylabel("share of the total slope jump")
    axes[0][0].legend(loc="best")
    axes[1][0].legend(loc="upper right")
    return fig


def plot_knot_paths(
    x: np.ndarray, runs: Mapping[str, DynamicsResult], *, num: int = 80,
    figsize: tuple[float, float] = (8.0, 3.2),
) -> Figure:
    """Knot positions against training time for ``num`` units of each run.

    The units are spread evenly over the initial knots; each path is drawn with an opacity that
    grows with the unit's final slope jump ``|c_i a_i|``, so that units that die out fade. The
    samples are horizontal lines; time is on a logarithmic axis from the first record on.
    """
    fig, axes = new_figure(1, len(runs), figsize=figsize, squeeze=False, sharey=True)
    for k, (label, run) in enumerate(runs.items()):
        ax = axes[0][k]
        start = run.knot_history[0]
        order = np.argsort(np.where(np.isfinite(start), start, np.inf), kind="stable")
        show = order[np.linspace(0, order.size - 1, num).astype(int)]
        mass = np.abs(run.final.c * run.final.a)[show]
        strength = mass / mass.max() if mass.max() > 0 else np.ones_like(mass)
        for xi in x:
            ax.axhline(xi, color="0.6", lw=0.6, zorder=0)
        times = run.history_time[1:]
        for j, unit in enumerate(show):
            ax.plot(times, run.knot_history[1:, unit], color=PALETTE[k], lw=0.9,
                    alpha=0.1 + 0.9 * float(strength[j]))
        ax.set_xscale("log")
        ax.set_ylim(x[0] - 0.1 * (x[-1] - x[0]), x[-1] + 0.1 * (x[-1] - x[0]))
        ax.set_xlabel("time (sum of step sizes)")
        ax.set_title(label)
    axes[0][0].set_ylabel("knot position $e_i$")
    return fig


def plot_ratio_sweep(sweep: RatioSweep, *, figsize: tuple[float, float] = (8.0, 3.4)) -> Figure:
    """Distances to the two splines (left) and the share of curvature at the samples (right)
    against the initial layer ratio; the top axis gives the lazy index."""
    fig, (ax1, ax2) = new_figure(1, 2, figsize=figsize)
    r = sweep.ratios
    ax1.loglog(r, sweep.d_cubic, "o-", color=PALETTE[0], label="to natural cubic spline")
    ax1.loglog(r, sweep.d_linear, "s-", color=PALETTE[1], label="to linear interpolant")
    ax1.set_xlabel(r"initial ratio $|c_i| / \|(a_i, b_i)\|$")
    ax1.set_ylabel("sup-norm distance on $[x_1, x_n]$")
    ax1.legend(loc="center left")
    ax2.semilogx(r, sweep.near_samples, "o-", color=PALETTE[2],
                 label="share of curvature near a sample")
    ax2.set_ylim(0, 1.05)
    ax2.set_xlabel(r"initial ratio $|c_i| / \|(a_i, b_i)\|$")
    ax2.set_ylabel("share")
    ax2.legend(loc="lower right")
    # lazy index on the top axis (it is proportional to the ratio)
    slope = float(np.median(sweep.lazy / r))
    for ax in (ax1, ax2):
        top = ax.secondary_xaxis("top", functions=(lambda v: v * slope, lambda v: v / slope))
        top.set_xlabel(r"lazy index $\|c^*\| / \|(a, b)\|$")
    return fig


def plot_fit_and_knots(
    x: np.ndarray, y: np.ndarray, run: DynamicsResult, *, title: str = "", bins: int = 80,
    figsize: tuple[float, float] = (8.0, 3.0),
) -> Figure:
    """The trained function over the splines (left) and its weighted knot histogram (right).

    Drawn with a fixed layout instead of the book's constrained layout: it is redrawn by the
    explorer at every slider move, and the layout engine is a third of the drawing time.
    """
    fig, (ax1, ax2) = new_figure(1, 2, figsize=figsize, layout="none")
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.17, top=0.86, wspace=0.28)
    grid = np.linspace(x[0], x[-1], 401)
    ax1.plot(grid, run.final(grid), color=PALETTE[0], lw=2.0, label="network")
    _reference_curves(ax1, x, y, grid)
    ax1.set_xlabel("x")
    ax1.legend(loc="lower left", framealpha=0.9)
    edges = np.linspace(x[0] - 0.05 * (x[-1] - x[0]), x[-1] + 0.05 * (x[-1] - x[0]), bins + 1)
    ax2.vlines(x, 0.0, 1.0, transform=ax2.get_xaxis_transform(), color="0.6", lw=0.6, zorder=0)
    _curvature_histogram(ax2, run.initial, edges, fill=False, color="0.3", lw=1.0)
    _curvature_histogram(ax2, run.final, edges, fill=True, color=PALETTE[0], alpha=0.8)
    ax2.set_xlabel("knot position $e_i$")
    ax2.set_ylabel("share of the total slope jump")
    fig.suptitle(title)
    return fig
