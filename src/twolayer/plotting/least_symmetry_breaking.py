"""Figures of the chapter "Least symmetry breaking": spurious rates and minima across input
laws."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..symmetry import RhoSweep, SymmetryRow
from . import PALETTE, new_figure

__all__ = [
    "plot_rho_frame",
    "plot_symmetry_table",
]


def plot_rho_frame(
    sweep: RhoSweep, index: int, *, figsize: tuple[float, float] = (6.6, 2.9)
) -> Figure:
    """The spurious rate against rho (left) and the lowest spurious minimum at ``rhos[index]``.

    Left: the fraction of runs ending at a spurious minimum with its 95% Wilson interval, the
    current rho marked. Right: that minimum in its canonical isotropy order (a fixed colour
    scale from -1 to 1 on every frame), or an empty panel saying that no spurious minimum was
    found.
    """
    fig, (ax0, ax1) = new_figure(1, 2, figsize=figsize)
    rhos = np.array(sweep.rhos)
    frac = np.array(sweep.spurious) / sweep.runs
    lo = np.array([frac[i] - sweep.interval(i)[0] for i in range(len(rhos))])
    hi = np.array([sweep.interval(i)[1] - frac[i] for i in range(len(rhos))])
    ax0.errorbar(rhos, frac, yerr=np.vstack([lo, hi]), color=PALETTE[0], marker="o", ms=4,
                 capsize=3)
    ax0.plot([rhos[index]], [frac[index]], marker="o", ms=10, mfc="none", color=PALETTE[5])
    ax0.set_ylim(0, 1)
    ax0.set_xlabel("correlation rho")
    ax0.set_ylabel("fraction of runs")
    ax0.set_title(f"Spurious minima, k = d = {sweep.k}")
    W = sweep.minima[index]
    if W is None:
        ax1.imshow(np.zeros((sweep.k, sweep.k)), cmap="RdBu_r", vmin=-1, vmax=1)
        ax1.set_title(f"rho = {rhos[index]:g}: no spurious minimum")
    else:
        ax1.imshow(W, cmap="RdBu_r", vmin=-1, vmax=1)
        ax1.set_title(f"rho = {rhos[index]:g}: {sweep.labels[index]}")
    ax1.set_xlabel("input coordinate")
    ax1.set_ylabel("neuron")
    ax1.xaxis.set_major_locator(MaxNLocator(integer=True))  # indices
    ax1.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax1.grid(False)
    return fig


def plot_symmetry_table(
    rows: Sequence[SymmetryRow], *, figsize: tuple[float, float] = (6.6, 3.0)
) -> Figure:
    """One dot per distinct spurious minimum of each setting: its loss against the setting,
    its size the number of runs that found it, filled when its isotropy is the largest of the
    setting's minima."""
    fig, ax = new_figure(figsize=figsize)
    for i, row in enumerate(rows):
        for loss, _label, order, count in row.orbits:
            top = order == row.max_order
            ax.scatter([i], [loss], s=12 + 4 * count, color=PALETTE[0] if top else "white",
                       edgecolors=PALETTE[0], zorder=3)
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels([r.setting for r in rows], rotation=20, ha="right")
    ax.set_ylabel("loss of the minimum")
    ax.set_ylim(bottom=0)
    ax.set_title("Spurious minima found (filled: largest isotropy of the setting)")
    return fig
