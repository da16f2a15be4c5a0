"""Figures of the chapter "The non-convex problem": outcomes of training from random inits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from ..network import TrainResult
from . import PALETTE, new_figure

__all__ = ["plot_final_objectives", "plot_training_curves"]


def plot_final_objectives(finals: Mapping[int, Sequence[float]], *,
                          figsize: tuple[float, float] = (6.4, 3.4)) -> Figure:
    """Final objective of every run against the width, one column of dots per width.

    Parameters
    ----------
    finals : mapping width -> sequence of final objective values (one per run)
    """
    fig, ax = new_figure(figsize=figsize)
    widths = sorted(finals)
    for i, m in enumerate(widths):
        values = np.asarray(finals[m])
        jitter = np.linspace(-0.18, 0.18, len(values))
        ax.scatter(i + jitter, values, s=14, color=PALETTE[0], alpha=0.75)
        ax.plot([i - 0.3, i + 0.3], [values.min()] * 2, color=PALETTE[1], lw=1.5)
    ax.set_yscale("log")
    ax.set_xticks(range(len(widths)), [str(m) for m in widths])
    ax.set_xlabel("width m")
    ax.set_ylabel("final objective")
    ax.set_title("Gradient descent from random initializations (orange: best run)")
    return fig


def plot_training_curves(results: Sequence[TrainResult], *, label: str = "",
                         figsize: tuple[float, float] = (6.4, 3.4)) -> Figure:
    """Objective against the step for several runs on one log-scaled axis."""
    fig, ax = new_figure(figsize=figsize)
    for r in results:
        ax.plot(r.steps_recorded, r.history, lw=1, alpha=0.8)
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("objective")
    if label:
        ax.set_title(label)
    return fig
