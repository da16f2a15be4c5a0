"""Figures of the chapter "BN convexity": GD against the optimum, the closed form, the energy
of the first layer across singular directions, and the explorer's frame."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure

from ..batchnorm import DigitsResult, ExactResult, ExploreResult
from . import PALETTE, new_figure

__all__ = ["plot_closed_form", "plot_energy", "plot_bn_fit", "plot_gd_vs_optimum"]


def plot_gd_vs_optimum(
    result: ExactResult, x: np.ndarray, y: np.ndarray, *, figsize: tuple[float, float] = (7.2, 3.2),
) -> Figure:
    """Left: data, the recovered BN network's fit and GD's fits; right: final objectives.

    Parameters
    ----------
    result : ExactResult (its ``fit`` and ``gd_fits`` are drawn)
    x, y : (n,) arrays, the 1-D data
    """
    fit, gd_fits = result.fit, result.gd_fits
    fig, (left, right) = new_figure(1, 2, figsize=figsize,
                                    gridspec_kw={"width_ratios": [1.6, 1]})
    order = np.argsort(x)
    for i, g in enumerate(gd_fits):
        left.plot(x[order], g[order], color=PALETTE[1], lw=1.0, alpha=0.6,
                  label="GD runs" if i == 0 else None)
    left.plot(x[order], fit[order], color=PALETTE[0], lw=2.0, label="convex (recovered)")
    left.scatter(x, y, s=14, color="black", zorder=3, label="data")
    left.set_xlabel("input x")
    left.set_ylabel("output")
    left.set_title("BN networks on 1-D data")
    left.legend(loc="best")
    runs = np.arange(1, result.gd.size + 1)
    right.axhline(result.optimum, color=PALETTE[0], lw=2.0, label="convex optimum")
    right.scatter(runs, result.gd, color=PALETTE[1], zorder=3, label="GD, final")
    right.set_xticks(runs)
    right.set_xlabel("seed of the GD run")
    right.set_ylabel("BN objective")
    right.set_title("GD ends above the optimum")
    right.legend(loc="upper right")
    return fig


def plot_closed_form(
    y: np.ndarray, fits: Mapping[str, np.ndarray], *, figsize: tuple[float, float] = (6.4, 3.2)
) -> Figure:
    """Targets and fits (closed form, solver on several data matrices) per data point."""
    fig, ax = new_figure(figsize=figsize)
    n = y.size
    idx = np.arange(n)
    ax.bar(idx, y, color="0.8", label="target y")
    markers = ("o", "x", "+", "^")
    for i, (label, f) in enumerate(fits.items()):
        ax.scatter(idx, f, marker=markers[i % len(markers)], s=40, color=PALETTE[i],
                   zorder=3, label=label)
    ax.axhline(0.0, color="black", lw=0.6)
    ax.set_xticks(idx)
    ax.set_xlabel("data point i")
    ax.set_ylabel("value")
    ax.set_title("Over-parameterized BN networks: one fit for every X")
    ax.legend(loc="best")
    return fig


def plot_energy(result: DigitsResult, *, figsize: tuple[float, float] = (7.0, 3.4)) -> Figure:
    """Path-norm shares along the singular directions: convex, GD (mean of runs), spectral.

    A second axis shows the squared singular values ``sigma_k^2 / sigma_1^2``, the factor by
    which gradient descent's step in direction ``k`` is scaled.
    """
    fig, ax = new_figure(figsize=figsize)
    r = result.sigma.size
    k = np.arange(1, r + 1)
    w = 0.27
    ax.bar(k - w, result.energy_convex[:r], width=w, color=PALETTE[0], label="convex BN")
    ax.bar(k, result.energy_gd[:, :r].mean(axis=0), width=w, color=PALETTE[1],
           label="GD (mean of runs)")
    ax.bar(k + w, result.energy_spectral[:r], width=w, color=PALETTE[2],
           label=f"spectral variant (k = {result.keep})")
    ax.set_xlabel("singular direction k of the centred images (largest first)")
    ax.set_ylabel("share of the path norm")
    ax.set_xticks(k)
    twin = ax.twinx()
    twin.plot(k, (result.sigma / result.sigma[0]) ** 2, color="black", lw=1.2, marker=".",
              label=r"$\sigma_k^2/\sigma_1^2$")
    twin.set_ylabel(r"$\sigma_k^2/\sigma_1^2$")
    twin.set_ylim(0, 1.05)
    twin.grid(False)
    handles, labels = ax.get_legend_handles_labels()
    h2, l2 = twin.get_legend_handles_labels()
    ax.legend(handles + h2, labels + l2, loc="upper right")
    ax.set_title("Where the first layer puts its energy")
    return fig


def plot_bn_fit(result: ExploreResult, *, figsize: tuple[float, float] = (6.4, 3.4)) -> Figure:
    """Targets and the optimal BN fit for one ``(beta, d)`` (the explorer's frame)."""
    fig, ax = new_figure(figsize=figsize)
    idx = np.arange(result.y.size)
    ax.bar(idx, result.y, color="0.8", label="target y")
    ax.scatter(idx, result.fit, color=PALETTE[0], s=40, zorder=3, label="optimal BN fit")
    ax.scatter(idx, result.whitened_fit, color=PALETTE[1], marker="x", s=40, zorder=4,
               label="closed form (X-independent)")
    ax.axhline(0.0, color="black", lw=0.6)
    ax.set_ylim(-2.6, 2.6)
    ax.set_xticks(idx)
    ax.set_xlabel("data point i")
    ax.set_ylabel("value")
    how = "closed form" if result.closed_form else "convex program"
    ax.set_title(f"beta = {result.beta:.2f}, d = {result.d} (rank {result.rank} of "
                 f"n - 1 = {result.y.size - 1}): {how}, objective {result.value:.3f}")
    ax.legend(loc="lower right")
    return fig
