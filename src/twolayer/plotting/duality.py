"""Figures of the chapter "Duality": fits on the circle, the dual constraint, certificates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..arrangements import critical_angles_2d, unit_circle
from ..duality import CuttingPlaneResult, dual_constraint
from ..network import forward
from . import PALETTE, new_figure

__all__ = [
    "draw_dual_constraint",
    "draw_fit_on_circle",
    "plot_certificate_trajectory",
    "plot_cutting_plane",
    "plot_dual_constraint",
    "plot_duality_panel",
    "plot_runs_vs_convex",
    "plot_sampling",
    "plot_width_vs_n",
]

_POS, _NEG = PALETTE[1], PALETTE[0]
_TICKS = (np.arange(5) * np.pi / 2, ["0", "π/2", "π", "3π/2", "2π"])


def _angles(W: np.ndarray) -> np.ndarray:
    return np.arctan2(W[:, 1], W[:, 0]) % (2 * np.pi)


def draw_fit_on_circle(
    ax: Axes,
    X: np.ndarray,
    y: np.ndarray,
    W: np.ndarray,
    a: np.ndarray,
    *,
    num: int = 721,
    label: str = "network",
) -> None:
    """Draw a bias-free network on the unit circle against the data, on ``ax``.

    A network without bias is positively homogeneous, ``f(x) = ||x|| f(x / ||x||)``, so the
    data are drawn as ``y_i / ||x_i||`` at the angle of ``x_i`` and the network as
    ``t -> f(cos t, sin t)``. ``X (n, 2)``, ``y (n,)``, ``W (m, 2)``, ``a (m,)``.
    """
    t = np.linspace(0.0, 2 * np.pi, num)
    norms = np.linalg.norm(X, axis=1)
    ax.scatter(np.arctan2(X[:, 1], X[:, 0]) % (2 * np.pi), y / norms, s=12, color="0.35",
               zorder=3, label="data yᵢ/‖xᵢ‖")
    ax.plot(t, forward(unit_circle(t), W, a), color=PALETTE[2], lw=1.8, label=label)
    ax.set_xlim(0.0, 2 * np.pi)
    ax.set_xticks(*_TICKS)
    ax.set_xlabel("angle of the input x")
    ax.set_ylabel("f(x) on the unit circle")
    ax.legend(loc="lower right", ncols=2)


def draw_dual_constraint(
    ax: Axes,
    X: np.ndarray,
    v: np.ndarray,
    beta: float,
    W: np.ndarray | None = None,
    a: np.ndarray | None = None,
    *,
    num: int = 2881,
) -> None:
    """Draw ``theta -> |v^T relu(X u(theta))|`` with the level ``beta`` and the neurons.

    Neurons ``W (m, 2)``, ``a (m,)`` are marked at the angles of ``w_j``, orange for
    ``a_j > 0`` and blue for ``a_j < 0``, at the height of the constraint there. The critical
    angles of :func:`twolayer.arrangements.critical_angles_2d`, where the function changes
    its sinusoidal piece, are shown as a rug.
    """
    t = np.linspace(0.0, 2 * np.pi, num)
    # include the critical angles so that the kinks are drawn sharply
    t = np.union1d(t, critical_angles_2d(X))
    vals = dual_constraint(X, v, unit_circle(t))
    ax.plot(t, vals, color="0.2", lw=1.4, label="|vᵀ relu(X u(θ))|")
    ax.axhline(beta, color=PALETTE[4], lw=1.5, ls="--", label="β")
    crit = critical_angles_2d(X)
    ax.plot(crit, np.zeros_like(crit), "|", color="0.6", ms=6)
    if W is not None and a is not None and len(a):
        th = _angles(W)
        hv = dual_constraint(X, v, unit_circle(th))
        for sign, colour, marker, name in ((1, _POS, "^", "a > 0"), (-1, _NEG, "v", "a < 0")):
            sel = np.sign(a) == sign
            if sel.any():
                ax.vlines(th[sel], 0.0, hv[sel], color=colour, lw=0.8, alpha=0.6)
                ax.plot(th[sel], hv[sel], marker, color=colour, ms=7, ls="none",
                        label=f"neuron, {name}")
    ax.set_xlim(0.0, 2 * np.pi)
    ax.set_ylim(bottom=0.0, top=max(1.25 * beta, 1.05 * float(vals.max())))
    ax.set_xticks(*_TICKS)
    ax.set_xlabel("direction u(θ) = (cos θ, sin θ) of a neuron")
    ax.set_ylabel("dual constraint")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=4, frameon=False)


def plot_dual_constraint(
    X: np.ndarray,
    v: np.ndarray,
    beta: float,
    W: np.ndarray | None = None,
    a: np.ndarray | None = None,
    *,
    title: str = "",
    figsize: tuple[float, float] = (7.0, 3.4),
) -> Figure:
    """The dual constraint over the circle of directions (see :func:`draw_dual_constraint`).

    ``X (n, 2)``, ``v (n,)``, optional neurons ``W (m, 2)``, ``a (m,)``.
    """
    fig, ax = new_figure(figsize=figsize)
    draw_dual_constraint(ax, X, v, beta, W, a)
    if title:
        ax.set_title(title)
    return fig


def plot_duality_panel(
    X: np.ndarray,
    y: np.ndarray,
    W: np.ndarray,
    a: np.ndarray,
    v: np.ndarray,
    beta: float,
    *,
    title: str = "",
    figsize: tuple[float, float] = (7.0, 5.6),
) -> Figure:
    """Fit on the circle (top) above the dual constraint with the neurons (bottom)."""
    fig, (top, bottom) = new_figure(2, 1, figsize=figsize)
    draw_fit_on_circle(top, X, y, W, a)
    draw_dual_constraint(bottom, X, v, beta, W, a)
    if title:
        top.set_title(title)
    return fig


def plot_runs_vs_convex(
    finals: Mapping[int, Sequence[float]],
    optimum: float,
    *,
    floor: float = 1e-8,
    figsize: tuple[float, float] = (7.0, 3.2),
) -> Figure:
    """Final objectives of training runs against the width, with the convex optimum.

    Left: the objectives and the optimum ``p*`` (dashed). Right: the relative excess
    ``(L - p*) / p*`` on a log scale (values below ``floor`` drawn at ``floor``).

    Parameters
    ----------
    finals : mapping width -> sequence of final objective values
    optimum : float
        The convex optimum ``p*``.
    """
    fig, (left, right) = new_figure(1, 2, figsize=figsize)
    widths = sorted(finals)
    for i, m in enumerate(widths):
        vals = np.asarray(finals[m], dtype=float)
        jitter = np.linspace(-0.2, 0.2, len(vals)) if len(vals) > 1 else np.zeros(1)
        left.scatter(i + jitter, vals, s=14, color=PALETTE[0], alpha=0.8)
        excess = np.maximum((vals - optimum) / optimum, floor)
        right.scatter(i + jitter, excess, s=14, color=PALETTE[0], alpha=0.8)
    left.axhline(optimum, color=PALETTE[1], ls="--", lw=1.4, label="convex optimum $p^*$")
    left.set_yscale("log")
    left.set_ylabel("final objective")
    left.legend(loc="upper right")
    right.set_yscale("log")
    right.set_ylabel("$(L - p^*)/p^*$")
    for ax in (left, right):
        ax.set_xticks(range(len(widths)), [str(m) for m in widths])
        ax.set_xlabel("width $m$")
    return fig


def plot_certificate_trajectory(
    steps: Sequence[int],
    excess: Sequence[float],
    bounds: Mapping[str, Sequence[float]],
    *,
    figsize: tuple[float, float] = (6.4, 3.2),
) -> Figure:
    """Relative suboptimality of a training run and certified bounds on it, against the step.

    ``excess[k] = (L_k - p*) / L_k`` (known only because ``p*`` was computed) and each entry
    of ``bounds`` (label -> values) a relative duality gap, an upper bound on it.
    """
    fig, ax = new_figure(figsize=figsize)
    colours = (PALETTE[1], PALETTE[2], PALETTE[3])
    for (label, values), colour in zip(bounds.items(), colours, strict=False):
        ax.plot(steps, values, "-o", ms=3, color=colour, label=label)
    ax.plot(steps, excess, "--", lw=1.5, color=PALETTE[0],
            label="true (L - p*)/L")
    ax.set_yscale("log")
    ax.set_xlabel("SGD step")
    ax.set_ylabel("relative suboptimality")
    ax.legend(loc="center right")
    return fig


def plot_sampling(
    num_directions: Sequence[int],
    excess: np.ndarray,
    found: np.ndarray,
    total: int,
    *,
    floor: float = 1e-10,
    figsize: tuple[float, float] = (7.0, 3.2),
) -> Figure:
    """What sampling arrangements costs, as the number of sampled directions grows.

    Parameters
    ----------
    num_directions : sequence of int, length k
        Number of sampled Gaussian directions.
    excess : array, shape (seeds, k)
        Relative excess ``(p_sampled - p*) / p*`` of the restricted program; one thin line
        per seed and their median are drawn, values below ``floor`` at ``floor``.
    found : array, shape (seeds, k)
        Number of distinct patterns found.
    total : int
        Number of patterns of the exact arrangement.
    """
    k = np.asarray(num_directions)
    excess = np.maximum(np.asarray(excess, dtype=float), floor)
    found = np.asarray(found, dtype=float)
    fig, (left, right) = new_figure(1, 2, figsize=figsize)
    for row in excess:
        left.plot(k, row, color=PALETTE[0], alpha=0.35, lw=1)
    left.plot(k, np.median(excess, axis=0), "-o", color=PALETTE[0], ms=4,
              label=f"median of {excess.shape[0]} draws")
    left.set_xscale("log", base=2)
    left.set_yscale("log")
    left.set_xlabel("sampled directions")
    left.set_ylabel("$(p_{sampled} - p^*)/p^*$")
    left.legend(loc="upper right")
    right.plot(k, found.mean(axis=0), "-o", color=PALETTE[2], ms=4, label="patterns found")
    right.axhline(total, color=PALETTE[1], ls="--", label=f"all patterns ({total})")
    right.set_xscale("log", base=2)
    right.set_xlabel("sampled directions")
    right.set_ylabel("distinct patterns")
    right.legend(loc="lower right")
    return fig


def plot_width_vs_n(
    ns: Sequence[int],
    widths: np.ndarray,
    *,
    figsize: tuple[float, float] = (6.4, 3.2),
) -> Figure:
    """Width of the recovered optimal network against the number of samples.

    ``widths (seeds, k)`` for ``ns`` of length ``k``; the bound ``n + 1`` is drawn dashed.
    """
    ns = np.asarray(ns)
    widths = np.atleast_2d(np.asarray(widths, dtype=float))
    fig, ax = new_figure(figsize=figsize)
    for row in widths:
        ax.plot(ns, row, "o", color=PALETTE[0], alpha=0.6, ms=4)
    ax.plot(ns, widths.mean(axis=0), "-", color=PALETTE[0], label="recovered width (mean)")
    ax.plot(ns, ns + 1, "--", color=PALETTE[1], label="bound $n + 1$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("number of samples $n$")
    ax.set_ylabel("neurons")
    ax.legend(loc="upper left")
    return fig


def plot_cutting_plane(
    result: CuttingPlaneResult,
    optimum: float,
    *,
    floor: float = 1e-10,
    figsize: tuple[float, float] = (7.0, 3.2),
) -> Figure:
    """Restricted optimum and dual violation along the cutting-plane iterations."""
    it = np.arange(1, len(result.values) + 1)
    fig, (left, right) = new_figure(1, 2, figsize=figsize)
    left.plot(it, np.maximum((result.values - optimum) / optimum, floor), "-o", ms=4,
              color=PALETTE[0])
    left.set_yscale("log")
    left.set_xlabel("iteration")
    left.xaxis.set_major_locator(MaxNLocator(integer=True))
    left.set_ylabel("$(p_k - p^*)/p^*$")
    right.plot(it, np.maximum(result.violations - 1.0, floor), "-o", ms=4, color=PALETTE[1])
    right.set_yscale("log")
    right.set_xlabel("iteration")
    right.xaxis.set_major_locator(MaxNLocator(integer=True))
    right.set_ylabel(r"$\max_u |v_k^\top \mathrm{relu}(Xu)|/\beta - 1$")
    return fig
