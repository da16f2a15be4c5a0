"""Figures of the chapter "Beyond the kernel regime": kernels against gradient descent."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
from matplotlib.figure import Figure

from ..gaussian import StagedDynamics, WidthStudy
from ..kernels import KernelComparison, LossCurves
from . import PALETTE, new_figure

__all__ = [
    "plot_bridge",
    "plot_comparison",
    "plot_loss_against_kernels",
    "plot_staged_dynamics",
    "plot_width_study",
]

_LEARNERS = (
    ("gd", "gradient descent", PALETTE[0], "o"),
    ("ntk", "NTK ridge", PALETTE[1], "s"),
    ("features", "random ReLU features", PALETTE[2], "^"),
)


def plot_comparison(result: KernelComparison, *,
                    figsize: tuple[float, float] = (8.0, 3.4)) -> Figure:
    """Held-out loss against d (left) and the same times d (right), mean and standard error.

    The dashed line is the reference ``(1 - 3/pi)/d``: the variance of the target above degree 2
    when all ``a_i = 1/d``, a loss of order ``1/d``.
    """
    fig, (ax0, ax1) = new_figure(1, 2, figsize=figsize)
    ds = np.asarray(result.ds, dtype=float)
    for key, label, color, marker in _LEARNERS:
        mean, sem = result.mean_and_sem(key)
        ax0.errorbar(ds, mean, yerr=sem, color=color, marker=marker, capsize=3, label=label)
        ax1.errorbar(ds, mean * ds, yerr=sem * ds, color=color, marker=marker, capsize=3)
    ref = (1.0 - 3.0 / np.pi) / ds
    ax0.plot(ds, ref, "--", color=PALETTE[7], label="(1 − 3/π)/d")
    ax1.plot(ds, ref * ds, "--", color=PALETTE[7])
    ax0.set_yscale("log")
    ax1.set_yscale("log")
    for ax in (ax0, ax1):
        ax.set_xlabel("input dimension d")
        ax.set_xticks(ds)
    ax0.set_ylabel("held-out loss")
    ax1.set_ylabel("held-out loss × d")
    ax0.set_title("Held-out loss, n = " + f"{result.n[0] // result.ds[0] ** 2} d²")
    ax1.set_title("Loss × d: flat means Θ(1/d)")
    # Room below the lowest curve for the legend, clear of the data.
    low = min(np.min(getattr(result, key).mean(axis=1)) for key, *_ in _LEARNERS)
    ax0.set_ylim(bottom=low / 100)
    ax0.legend(loc="lower right")
    return fig


_TERM_LABELS = {0: "degree 0", 1: "degree 1", 2: "degree 2", 4: "degree 4"}


def plot_staged_dynamics(run: StagedDynamics, *,
                         figsize: tuple[float, float] = (6.7, 5.2)) -> Figure:
    """The Hermite terms of the loss over training (left), the mean alignment (top right), and
    the best cosine of each neuron with a direction ``+-w_i*`` at the start and the end (bottom
    right); the legend of the terms is below the panels."""
    fig, axes = new_figure(2, 2, figsize=figsize)
    grid = axes[0, 0].get_gridspec()
    for ax in axes[:, 0]:
        ax.remove()
    ax0, ax1, ax2 = fig.add_subplot(grid[:, 0]), axes[0, 1], axes[1, 1]
    t = run.steps + 1
    ax0.plot(t, run.loss, color=PALETTE[7], lw=2, label="total")
    for n, k in enumerate(run.degrees):
        ax0.plot(t, np.maximum(run.terms[:, n], 1e-12), color=PALETTE[n],
                 label=_TERM_LABELS.get(k, f"degree {k}"))
    ax0.plot(t, np.maximum(run.rest, 1e-12), "--", color=PALETTE[len(run.degrees)],
             label="degrees ≥ 6")
    ax0.set_xscale("log")
    ax0.set_yscale("log")
    ax0.set_ylim(1e-7, 1.0)
    ax0.set_xlabel("step + 1")
    ax0.set_ylabel("population loss")
    ax0.set_title("Loss by Hermite degree")
    fig.legend(*ax0.get_legend_handles_labels(), loc="outside lower center", ncols=3)
    ax1.plot(t, run.alignment, color=PALETTE[0])
    ax1.set_xscale("log")
    ax1.set_ylim(0, 1)
    ax1.set_xlabel("step + 1")
    ax1.set_ylabel("mean best cosine")
    ax1.set_title("Alignment with ±w*")
    bins = np.linspace(0.0, 1.0, 26)
    for W, label, color in ((run.W0, "start", PALETTE[7]), (run.W, "end", PALETTE[0])):
        C = _neuron_cosines(W, run.V)
        ax2.hist(C, bins=bins, histtype="step" if label == "start" else "stepfilled",
                 color=color, alpha=1.0 if label == "start" else 0.6, label=label)
    ax2.set_xlabel("cosine with the nearest ±w*")
    ax2.set_ylabel("neurons")
    ax2.set_title("The neurons move")
    ax2.legend(loc="upper left")
    return fig


def _neuron_cosines(W: np.ndarray, V: np.ndarray) -> np.ndarray:
    """Cosine of each neuron with its nearest direction among ``+-v_i``, shape (m,)."""
    U = W / np.linalg.norm(W, axis=1, keepdims=True)
    Vh = V / np.linalg.norm(V, axis=1, keepdims=True)
    return np.abs(U @ Vh.T).max(axis=1)


def plot_width_study(study: WidthStudy, *, figsize: tuple[float, float] = (8.0, 3.2)) -> Figure:
    """Population loss (left) and alignment (right) over training for each width, mean over
    seeds (lines) and every seed (faint); the dotted line is the level ``(1 - 3/pi)/d``."""
    fig, (ax0, ax1) = new_figure(1, 2, figsize=figsize)
    t = study.steps + 1
    for i, m in enumerate(study.widths):
        color = PALETTE[i % len(PALETTE)]
        for s in range(study.seeds):
            ax0.plot(t, study.loss[i, s], color=color, alpha=0.3, lw=0.8)
            ax1.plot(t, study.alignment[i, s], color=color, alpha=0.3, lw=0.8)
        ax0.plot(t, study.loss[i].mean(axis=0), color=color, lw=2, label=f"m = {m}")
        ax1.plot(t, study.alignment[i].mean(axis=0), color=color, lw=2)
    ax0.axhline(study.floor, ls=":", color=PALETTE[7], label="(1 − 3/π)/d")
    for ax in (ax0, ax1):
        ax.set_xscale("log")
        ax.set_xlabel("step + 1")
    ax0.set_yscale("log")
    ax0.set_ylabel("population loss")
    ax0.set_title(f"d = {study.d}: loss")
    ax0.legend(loc="lower left")
    ax1.set_ylim(0, 1)
    ax1.set_ylabel("mean best cosine with ±w*")
    ax1.set_title("Alignment")
    return fig


def plot_bridge(x: np.ndarray, y: np.ndarray, target: Callable[[np.ndarray], np.ndarray],
                fits: Mapping[str, Callable[[np.ndarray], np.ndarray]], *,
                figsize: tuple[float, float] = (6.4, 3.0)) -> Figure:
    """One-dimensional fits of the same samples against the target they were drawn from."""
    fig, ax = new_figure(figsize=figsize)
    grid = np.linspace(x.min(), x.max(), 801)
    ax.plot(grid, target(grid), color=PALETTE[7], lw=3, alpha=0.35, label="target")
    styles = ("-", "--", "-.")
    for n, (label, f) in enumerate(fits.items()):
        ax.plot(grid, f(grid), styles[n % 3], color=PALETTE[n], label=label)
    ax.plot(x, y, "o", color=PALETTE[7], ms=4, label="samples")
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    ax.set_ylim(-1.8, 1.2)  # room for the legend below the troughs
    ax.legend(loc="lower center", ncol=2)
    return fig


def plot_loss_against_kernels(
    curves: LossCurves, *, title: str = "", figsize: tuple[float, float] = (6.4, 3.4)
) -> Figure:
    """Held-out loss of gradient descent over the steps against the two kernels' levels."""
    fig, ax = new_figure(figsize=figsize)
    ax.plot(curves.steps + 1, curves.gd, color=PALETTE[0], label="gradient descent")
    ax.axhline(curves.ntk, color=PALETTE[1], ls="--", label="NTK ridge")
    ax.axhline(curves.features, color=PALETTE[2], ls="-.", label="random ReLU features")
    ax.axhline(curves.floor, color=PALETTE[7], ls=":", label="degree ≥ 4 variance")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(1e-5, 1.0)
    ax.set_xlabel("gradient descent step + 1")
    ax.set_ylabel("held-out loss")
    ax.set_title(title)
    ax.legend(loc="lower left")
    return fig
