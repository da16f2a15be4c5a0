"""Figures of the chapter "Extreme points": the rectified ellipsoid, closed forms, cutting planes.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..extreme import (
    ClassificationRegions,
    DigitsExperiment,
    GDComparison,
    RectifiedEllipsoid,
    RelaxationGap,
    SpikeFreeCuttingPlane,
)
from . import PALETTE, new_figure

__all__ = [
    "plot_autoencoders",
    "plot_classification_regions",
    "plot_cutting_plane_run",
    "plot_digits",
    "plot_gd_against_closed_form",
    "plot_rectified_ellipsoid",
    "plot_relaxation_gap",
]

_POS, _NEG = PALETTE[1], PALETTE[0]


def plot_rectified_ellipsoid(
    geo: RectifiedEllipsoid,
    v: np.ndarray,
    beta: float,
    neurons: np.ndarray,
    signs: np.ndarray,
    y: np.ndarray,
    *,
    title: str = "",
    figsize: tuple[float, float] = (7.0, 3.5),
) -> Figure:
    """Left: ``X B_2``, ``Q_X``, its symmetric hull and the optimal neurons ``(X u_j)_+`` on it,
    with the lines ``v^T z = +-beta``. Right: the dual feasible set ``beta`` times the polar,
    the labels ``y`` and the dual optimum ``v`` on its boundary.

    Parameters
    ----------
    geo : RectifiedEllipsoid
    v : numpy.ndarray, shape (2,)
        Optimal dual vector (the residual of the optimal network).
    beta : float
    neurons : numpy.ndarray, shape (m, 2)
        Points ``(X u_j)_+`` of the optimal neurons' unit directions.
    signs : numpy.ndarray, shape (m,)
        Signs of their output weights.
    y : numpy.ndarray, shape (2,)
    """
    fig, (left, right) = new_figure(1, 2, figsize=figsize)
    hull = np.vstack([geo.hull, geo.hull[:1]])
    left.fill(hull[:, 0], hull[:, 1], color=PALETTE[5], alpha=0.25,
              label=r"hull of $Q_X \cup -Q_X$")
    left.plot(geo.ellipse[:, 0], geo.ellipse[:, 1], "--", color="0.5", lw=1,
              label=r"$X B_2$")
    left.plot(geo.rectified[:, 0], geo.rectified[:, 1], color=PALETTE[0], lw=2,
              label=r"$Q_X = \{(Xu)_+\}$")
    lim = 1.15 * np.abs(np.vstack([geo.ellipse, geo.hull])).max()
    t = np.linspace(-lim, lim, 3)
    if abs(v[1]) > 1e-12:
        for level in (beta, -beta):
            left.plot(t, (level - v[0] * t) / v[1], ":", color="0.2", lw=1)
    for z, s in zip(neurons, signs):
        left.plot(*z, "o", ms=7, color=_POS if s > 0 else _NEG, zorder=5)
    left.plot([], [], ":", color="0.2", label=r"$v^{*\top} z = \pm\beta$")
    left.plot([], [], "o", color=_POS, label="optimal neurons")
    left.set_xlim(-lim, lim)
    left.set_ylim(-lim, lim)
    left.set_aspect("equal")
    left.set_xlabel("$z_1$")
    left.set_ylabel("$z_2$")
    left.legend(loc="lower left")
    left.set_title("primal: the rectified ellipsoid")
    pol = beta * geo.polar
    right.fill(pol[:, 0], pol[:, 1], color=PALETTE[2], alpha=0.25,
               label=r"dual feasible set $\beta\,(Q_X \cup -Q_X)^\circ$")
    right.plot(*y, "s", color="0.2", label="labels $y$")
    right.plot(*v, "*", ms=12, color=PALETTE[4], label=r"dual optimum $v^*$")
    right.plot([y[0], v[0]], [y[1], v[1]], "-", color="0.5", lw=1)
    rlim = 1.15 * max(np.abs(pol).max(), np.abs(y).max())
    right.set_xlim(-rlim, rlim)
    right.set_ylim(-rlim, rlim)
    right.set_aspect("equal")
    right.set_xlabel("$v_1$")
    right.set_ylabel("$v_2$")
    right.legend(loc="lower left")
    right.set_title("dual: $v^*$ is the projection of $y$")
    if title:
        fig.suptitle(title)
    return fig


def plot_gd_against_closed_form(
    comparisons: dict[str, GDComparison], *, floor: float = 1e-10,
    figsize: tuple[float, float] = (7.0, 3.0),
) -> Figure:
    """Relative excess of each gradient-descent run over the closed form, by init scale."""
    fig, axes = new_figure(1, len(comparisons), figsize=figsize, squeeze=False)
    for ax, (name, cmp) in zip(axes[0], comparisons.items()):
        for s in range(cmp.scales.size):
            ex = np.maximum(cmp.relative_excess[s], floor)
            ax.plot(np.full(ex.size, s), ex, "o", ms=6, alpha=0.7, color=PALETTE[s])
        ax.set_yscale("log")
        ax.set_xticks(range(cmp.scales.size), [f"{s:g}" for s in cmp.scales])
        ax.set_xlabel("initialization scale")
        ax.set_ylabel("(GD - closed form) / closed form")
        ax.set_title(name)
    return fig


def plot_autoencoders(
    X: np.ndarray, U: np.ndarray, b: np.ndarray, *, figsize: tuple[float, float] = (4.2, 4.0)
) -> Figure:
    """Samples in the plane and, for each, the line ``x^T u_i + b_i = 0`` that isolates it."""
    fig, ax = new_figure(figsize=figsize)
    lim = 1.3 * np.abs(X).max()
    t = np.linspace(-lim, lim, 2)
    for i, (u, bi) in enumerate(zip(U, b)):
        color = PALETTE[i % len(PALETTE)]
        p = -bi * u  # point of the line nearest the origin
        d = np.array([-u[1], u[0]])
        ax.plot(p[0] + t * d[0], p[1] + t * d[1], "-", color=color, lw=1)
        ax.annotate("", xy=p + 0.3 * u, xytext=p,
                    arrowprops={"arrowstyle": "->", "color": color})
        ax.plot(*X[i], "o", ms=7, color=color)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return fig


def plot_classification_regions(
    res: ClassificationRegions, *, figsize: tuple[float, float] = (7.0, 3.4)
) -> Figure:
    """The optimal network's and the NTK's outputs on 1-D data, with the decision regions."""
    fig, axes = new_figure(2, 1, figsize=figsize, sharex=True)
    for ax, f, name in ((axes[0], res.network, "optimal network (min l1, hinge)"),
                        (axes[1], res.ntk, "NTK min-norm interpolant")):
        scale = np.abs(f).max()
        ax.fill_between(res.grid, -scale, scale, where=f > 0, color=_POS, alpha=0.15, lw=0)
        ax.fill_between(res.grid, -scale, scale, where=f <= 0, color=_NEG, alpha=0.15, lw=0)
        ax.plot(res.grid, f, color="0.2", lw=1.5)
        pos = res.y > 0
        ax.plot(res.x[pos], np.zeros(pos.sum()), "^", color=_POS, ms=7, label="+1")
        ax.plot(res.x[~pos], np.zeros((~pos).sum()), "v", color=_NEG, ms=7, label="-1")
        ax.set_ylabel("output")
        ax.set_title(name)
    for k in res.knots:
        axes[0].axvline(k, color="0.5", lw=0.6, ls=":")
    axes[0].legend(loc="upper right")
    axes[1].set_xlabel("$x$")
    return fig


def plot_cutting_plane_run(
    runs: dict[str, SpikeFreeCuttingPlane], *, floor: float = 1e-12,
    figsize: tuple[float, float] = (7.0, 3.0),
) -> Figure:
    """Per oracle call: objective above the certified bound, largest violation, working set."""
    fig, (a0, a1, a2) = new_figure(1, 3, figsize=figsize)
    for k, (name, cut) in enumerate(runs.items()):
        it = np.arange(1, cut.values.size + 1)
        lower = cut.certificate.dual
        color = PALETTE[k]
        a0.plot(it, np.maximum((cut.values - lower) / lower, floor), "-o", ms=4, color=color,
                label=name)
        a1.plot(it, np.maximum(cut.violations - 1.0, floor), "-o", ms=4, color=color)
        a2.plot(it, cut.working_set, "-o", ms=4, color=color)
    a0.set_yscale("log")
    a0.set_ylabel("(objective - bound) / bound")
    a1.set_yscale("log")
    a1.set_ylabel(r"largest violation / $\beta$ - 1")
    a2.set_ylabel("working-set size")
    for ax in (a0, a1, a2):
        ax.set_xlabel("oracle call")
    a0.legend()
    return fig


def plot_digits(res: DigitsExperiment, *, figsize: tuple[float, float] = (7.0, 3.0)) -> Figure:
    """SGD runs against the closed form on whitened digits: objective and test accuracy."""
    fig, (left, right) = new_figure(1, 2, figsize=figsize)
    r = np.arange(1, res.sgd_values.size + 1)
    left.plot(r, res.sgd_values, "o", color=PALETTE[0], label="SGD runs")
    left.axhline(res.closed_value, color=PALETTE[1], label="closed form (Thm 15)")
    left.set_xlabel("seed")
    left.set_ylabel("training objective")
    left.legend()
    right.plot(r, res.sgd_test_accuracy, "o", color=PALETTE[0], label="SGD runs")
    right.axhline(res.closed_test_accuracy, color=PALETTE[1], label="closed form")
    right.set_xlabel("seed")
    right.set_ylabel("test accuracy")
    right.legend()
    return fig


def plot_relaxation_gap(
    res: RelaxationGap, *, figsize: tuple[float, float] = (6.7, 3.0)
) -> Figure:
    """The spike-free relaxation on Gaussian data by dimension: values (left), gaps (right).

    Left: the relaxation's objective, the network on searched neurons and the lower bound.
    Right: the relative gap ``(relaxed - lower) / relaxed`` and the certified excess
    ``(relaxed - searched) / relaxed``; a dotted line marks ``d = n``.
    """
    fig, (left, right) = new_figure(1, 2, figsize=figsize)
    d = res.dims
    left.plot(d, res.relaxed_values, "-o", ms=4, color=PALETTE[0], label="relaxation")
    left.plot(d, res.searched_values, "-s", ms=4, color=PALETTE[2], label="searched network")
    left.plot(d, res.lower_bounds, "-v", ms=4, color=PALETTE[1], label="lower bound")
    left.set_ylabel("objective")
    left.legend(loc="upper right")
    right.plot(d, res.relative_gaps, "-o", ms=4, color=PALETTE[0], label="relative gap")
    right.plot(d, res.excess, "-s", ms=4, color=PALETTE[2], label="certified excess")
    right.set_ylim(bottom=0.0)
    right.set_ylabel("relative to the relaxation")
    right.legend()
    for ax in (left, right):
        ax.set_xscale("log")
        ax.set_xlabel("dimension d")
        ax.axvline(res.n, color="0.6", ls=":")
    return fig
