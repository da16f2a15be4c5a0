"""Figures of the chapter "Dropout flows": rates, regularization, stochastic Dropout, explorer."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..dropout import DescentComparison, FlowResult, SgdAgainstFlow
from . import PALETTE, new_figure

__all__ = [
    "plot_descent_and_products",
    "plot_flow_gaps",
    "plot_rates",
    "plot_regularization",
    "plot_sgd_vs_flow",
]

#: Gaps below this are at the floating-point floor and are not drawn.
FLOOR = 1e-13


def plot_flow_gaps(
    flows: Mapping[float, FlowResult], minima: Mapping[float, float],
    predicted: Mapping[float, float], *, offset: float = 0.1,
    figsize: tuple[float, float] = (6.4, 3.6),
) -> Figure:
    """``L(t) - L*`` of gradient flows on a log scale, with the predicted rate as a dashed line.

    Parameters
    ----------
    flows : mapping p -> FlowResult
    minima : mapping p -> L* (the closed-form minimum)
    predicted : mapping p -> predicted rate ``2 lambda_min^+`` at the limit
    offset : float
        The dashed prediction is drawn this factor below the curve, to stay visible.
    """
    fig, ax = new_figure(figsize=figsize)
    for i, p in enumerate(sorted(flows)):
        fl = flows[p]
        gap = fl.objective - minima[p]
        keep = gap > FLOOR
        color = PALETTE[i % len(PALETTE)]
        ax.semilogy(fl.t[keep], gap[keep], color=color, lw=1.8, label=f"p = {p:g}")
        # the predicted line, anchored at the last sample above 1e-9 and drawn a factor
        # `offset` lower so that it stays visible next to the curve it predicts
        idx = np.nonzero(gap > 1e-9)[0]
        j = int(idx[-1]) if idx.size else 0
        line = offset * gap[j] * np.exp(-predicted[p] * (fl.t - fl.t[j]))
        show = (line > FLOOR) & (line < gap[0])
        ax.semilogy(fl.t[show], line[show], color=color, ls="--", lw=1.0)
    ax.set_xlabel("time t of the gradient flow")
    ax.set_ylabel(r"$L(t) - L^\star$")
    ax.set_title(r"Gradient flow near a minimizer; dashed: slope $-2\lambda_{\min}^{+}$"
                 f" (shifted by {offset:g})")
    ax.legend(loc="upper right")
    return fig


def plot_rates(
    p_grid: np.ndarray, rate_vs_p: Mapping[int, np.ndarray],
    width_grid: np.ndarray, rate_vs_width: Mapping[float, np.ndarray],
    *, points_p: Mapping[int, tuple[np.ndarray, np.ndarray]] | None = None,
    points_width: Mapping[float, tuple[np.ndarray, np.ndarray]] | None = None,
    figsize: tuple[float, float] = (8.0, 3.4),
) -> Figure:
    """Predicted local rate against ``p`` (one line per width) and against the width (per ``p``).

    Parameters
    ----------
    p_grid : (P,) array;  rate_vs_p : mapping width -> (P,) rates (lines)
    width_grid : (W,) array;  rate_vs_width : mapping p -> (W,) rates (lines)
    points_p, points_width : optional mappings to ``(x, rate)`` markers (e.g. measured flows)
    """
    fig, (ax1, ax2) = new_figure(1, 2, figsize=figsize)
    for i, m in enumerate(sorted(rate_vs_p)):
        color = PALETTE[i % len(PALETTE)]
        ax1.plot(p_grid, rate_vs_p[m], color=color, label=f"m = {m}")
        if points_p and m in points_p:
            ax1.plot(*points_p[m], "o", color=color, ms=5, mfc="none")
    ax1.set_xlabel("keep probability p")
    ax1.set_ylabel(r"rate $2\lambda_{\min}^{+}$")
    ax1.set_title("rate against p")
    ax1.legend()
    for i, p in enumerate(sorted(rate_vs_width)):
        color = PALETTE[i % len(PALETTE)]
        ax2.plot(width_grid, rate_vs_width[p], color=color, label=f"p = {p:g}")
        if points_width and p in points_width:
            ax2.plot(*points_width[p], "o", color=color, ms=5, mfc="none")
    ax2.set_xlabel("width m")
    ax2.xaxis.set_major_locator(MaxNLocator(integer=True))  # m is an integer
    ax2.set_ylabel(r"rate $2\lambda_{\min}^{+}$")
    ax2.set_title("rate against the width")
    ax2.legend()
    return fig


def plot_regularization(
    p_grid: np.ndarray, shrunk_vs_p: np.ndarray, width_grid: np.ndarray,
    shrunk_vs_width: np.ndarray, sigma: np.ndarray, *, p_fixed: float, m_fixed: int,
    figsize: tuple[float, float] = (8.0, 3.4),
) -> Figure:
    """Singular values of the trained predictor against ``p`` and against the width.

    Parameters
    ----------
    p_grid : (P,);  shrunk_vs_p : (P, r) singular values of ``p W2 W1`` at width ``m_fixed``
    width_grid : (W,);  shrunk_vs_width : (W, r) the same at keep probability ``p_fixed``
    sigma : (r,) singular values of the (whitened) target, drawn as dotted levels
    """
    fig, (ax1, ax2) = new_figure(1, 2, figsize=figsize, sharey=True)
    for j in range(shrunk_vs_p.shape[1]):
        color = PALETTE[j % len(PALETTE)]
        ax1.plot(p_grid, shrunk_vs_p[:, j], color=color,
                 label=rf"$(\sigma_{j + 1} - \theta)_+$")
        ax1.axhline(sigma[j], color=color, ls=":", lw=1)
        ax2.plot(width_grid, shrunk_vs_width[:, j], "o-", color=color, ms=3)
        ax2.axhline(sigma[j], color=color, ls=":", lw=1)
    ax1.set_xlabel("keep probability p")
    ax1.set_ylabel(r"singular values of $p\,W_2 W_1$")
    ax1.set_title(f"width m = {m_fixed}")
    ax1.legend(title="dotted: data", loc="upper left")
    ax2.set_xlabel("width m")
    ax2.set_xscale("log")
    ax2.set_title(f"keep probability p = {p_fixed:g}")
    return fig


def plot_sgd_vs_flow(
    study: SgdAgainstFlow, minimum: float, *, figsize: tuple[float, float] = (6.4, 3.6),
) -> Figure:
    """Expected objective along stochastic Dropout runs against the gradient flow.

    Parameters
    ----------
    study : SgdAgainstFlow of :func:`twolayer.dropout.sgd_against_flow`; each run is plotted at
        time ``lr * step``, the largest step first
    minimum : L*
    """
    fig, ax = new_figure(figsize=figsize)
    order = np.argsort(-study.lrs, kind="stable")
    for i, k in enumerate(order):
        lr, run = study.lrs[k], study.runs[k]
        ax.semilogy(lr * run.steps, run.objective - minimum, color=PALETTE[(i + 1) % 8],
                    lw=1.0, alpha=0.9, label=f"Dropout SGD, step {lr:g}")
    flow = study.flow
    gap = flow.objective - minimum
    keep = gap > FLOOR
    ax.semilogy(flow.t[keep], gap[keep], color="black", lw=2, label="expected gradient flow")
    ax.set_xlabel(r"time t (step size $\times$ number of steps)")
    ax.set_ylabel(r"$L(\theta) - L^\star$")
    ax.set_title("Stochastic Dropout follows the flow of the expected objective")
    ax.legend(loc="upper right")
    return fig


def plot_descent_and_products(result: DescentComparison, *, title: str = "",
                              figsize: tuple[float, float] = (8.0, 3.2)) -> Figure:
    """Gap of gradient descent with the predicted per-step factor, and the unit products.

    Drawn with a fixed layout instead of the book's constrained layout: the chapter's kernel-free
    explorer renders it a dozen times, and the layout engine is a quarter of the drawing time.
    """
    fig, (ax1, ax2) = new_figure(1, 2, figsize=figsize, layout="none",
                                 gridspec_kw={"width_ratios": (1.3, 1.0)})
    fig.subplots_adjust(left=0.115, right=0.985, bottom=0.165, top=0.895, wspace=0.32)
    keep = result.gap > FLOOR
    ax1.semilogy(result.steps[keep], result.gap[keep], color=PALETTE[0], label="gradient descent")
    idx = np.nonzero(result.gap > 1e-9)[0]
    if idx.size:
        j = int(idx[-1])
        line = result.gap[j] * result.predicted_factor ** (result.steps - result.steps[j])
        show = (line > FLOOR) & (line < 10 * max(result.gap[0], FLOOR))
        where = "at the limit" if result.hessian_at_limit else "at the closed form"
        ax1.semilogy(result.steps[show], line[show], "--", color=PALETTE[1],
                     label=f"predicted, Hessian {where}")
    ax1.set_xlabel("step")
    ax1.set_ylabel(r"$L - L^\star$")
    ax1.legend(loc="upper right")
    units = np.arange(1, result.products.size + 1)
    ax2.bar(units, result.products, color=PALETTE[2], label="after GD")
    ax2.axhline(result.product_star, color="black", ls="--", label="closed form")
    ax2.set_xlabel("hidden unit i")
    ax2.set_ylabel(r"$\|u_i\|\,\|X v_i\|$")
    ax2.set_xticks(units)
    ax2.legend(loc="lower right")
    if title:
        fig.suptitle(title)
    return fig
