"""Figures of the chapter "Solving the convex program at scale": the interior-point method's
certificate along its iterations, the convex model against SGD, and the explorer's frame."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..scale import IPMConvergence, SGDComparison
from . import PALETTE, new_figure

__all__ = ["plot_certificate_trace", "plot_convex_vs_sgd", "plot_iterate"]


def plot_certificate_trace(
    trace: IPMConvergence,
    other: np.ndarray | None = None,
    *,
    labels: tuple[str, str] = ("small problem", "large problem"),
    figsize: tuple[float, float] = (6.7, 3.0),
) -> Figure:
    """Left: relative duality gap per iteration (log scale), with the dual residual at the
    checkpoints; right: the primal value and the dual bound at the checkpoints, and cvxpy's
    optimum.

    Parameters
    ----------
    trace : IPMConvergence
    other : numpy.ndarray, optional
        Gap history of a second solve, drawn on the left as well.
    labels : pair of str
        Legend labels of ``trace`` and ``other``.
    """
    fig, (left, right) = new_figure(1, 2, figsize=figsize)
    left.semilogy(np.arange(trace.history.size), trace.history, color=PALETTE[0], marker=".",
                  label=f"gap, {labels[0]}")
    if other is not None:
        left.semilogy(np.arange(other.size), other, color=PALETTE[1], marker=".",
                      label=f"gap, {labels[1]}")
    res = np.where(trace.dual_residuals > 0, trace.dual_residuals, np.nan)
    left.semilogy(trace.checkpoints, res, ls="none", marker="s", color=PALETTE[2],
                  label="dual residual")
    left.axhline(1e-8, color="black", lw=0.8, ls="--")
    left.set_xlabel("iteration")
    left.set_ylabel("relative value")
    left.set_title("certificate per step")
    left.set_ylim(1e-15, 1e2)  # room for the legend below the curves
    left.legend(loc="lower left", framealpha=1.0)
    right.plot(trace.checkpoints, trace.primal, color=PALETTE[0], marker="o", label="primal")
    right.plot(trace.checkpoints, trace.dual, color=PALETTE[3], marker="v", label="dual bound")
    if np.isfinite(trace.cvxpy_value):
        right.axhline(trace.cvxpy_value, color="black", lw=0.8, ls="--", label="cvxpy optimum")
    top = max(float(trace.primal.max()), float(trace.cvxpy_value or 0.0))
    right.set_ylim(0.0, 1.05 * top)
    right.set_xlabel("iteration")
    right.set_ylabel("objective")
    right.set_title("bounds on the optimum")
    right.legend(loc="lower right")
    return fig


def plot_convex_vs_sgd(
    comparison: SGDComparison, *, figsize: tuple[float, float] = (6.7, 3.0)
) -> Figure:
    """Left: each SGD run's training objective and its certified lower bound, and the convex
    optimum; right: test accuracy of each run and of the convex model."""
    fig, (left, right) = new_figure(1, 2, figsize=figsize)
    runs = np.arange(1, comparison.sgd_values.size + 1)
    left.axhline(comparison.convex_value, color=PALETTE[0], lw=2.0, label="convex optimum")
    left.scatter(runs, comparison.sgd_values, color=PALETTE[1], zorder=3, label="SGD, final")
    left.scatter(runs, comparison.dual_bounds, color=PALETTE[3], marker="v", zorder=3,
                 label="its dual bound")
    left.set_ylim(0.0, 1.15 * float(comparison.sgd_values.max()))
    left.set_xticks(runs)
    left.set_xlabel("SGD run")
    left.set_ylabel("training objective")
    left.set_title("objective and certificate")
    left.legend(loc="center")
    right.axhline(100 * comparison.convex_test_accuracy, color=PALETTE[0], lw=2.0,
                  label="convex model")
    right.scatter(runs, 100 * comparison.sgd_test_accuracy, color=PALETTE[1], zorder=3,
                  label="SGD")
    accs = np.concatenate([comparison.sgd_test_accuracy, [comparison.convex_test_accuracy]])
    right.set_ylim(100 * float(accs.min()) - 3, 100 * float(accs.max()) + 2)
    right.set_xticks(runs)
    right.set_xlabel("SGD run")
    right.set_ylabel("test accuracy (%)")
    right.set_title("held-out biopsies")
    right.legend(loc="lower right")
    return fig


def plot_iterate(
    trace: IPMConvergence, index: int, y: np.ndarray, *,
    figsize: tuple[float, float] = (6.7, 2.8),
) -> Figure:
    """The iterate at checkpoint ``index``: the fit of every training sample against its
    target and the certified fit, in the order of the certified fit, with the iterate's
    certificate (iteration, relative gap, primal value, dual bound) in the title."""
    fig, ax = new_figure(figsize=figsize)
    order = np.argsort(trace.fits[-1])
    k = np.arange(order.size)
    ax.plot(k, y[order], ls="none", marker="o", ms=3, color="0.55", label="target")
    ax.plot(k, trace.fits[index][order], color=PALETTE[1], lw=1.5, label="iterate")
    ax.plot(k, trace.fits[-1][order], color=PALETTE[0], lw=1.0, ls="--", label="certified")
    ax.set_ylim(-1.6, 1.6)
    ax.set_xlabel("training sample (ordered by the certified fit)")
    ax.set_ylabel("output")
    ax.set_title(f"iteration {int(trace.checkpoints[index])}: relative gap "
                 f"{trace.gaps[index]:.1e}, primal {trace.primal[index]:.3f}, "
                 f"dual bound {trace.dual[index]:.3f}")
    ax.legend(loc="upper left")
    return fig
