"""Figures of the chapter "Hessian spectra": spurious minima, isotropy, type-A family, spectra."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..gaussian import SpuriousExperiment, SpuriousRates
from ..symmetry import Isotropy, ReducedSpectrum, TypeAPoint, largest_diagonal_orbit
from . import PALETTE, new_figure

__all__ = [
    "TYPE_COLORS",
    "plot_distinct_eigenvalues",
    "plot_isotropy_pattern",
    "plot_spurious_experiment",
    "plot_type_a_family",
    "plot_type_a_panel",
]

#: Colour of each isotypic type in the spectrum figures.
TYPE_COLORS = {
    "trivial": PALETTE[7],
    "S": PALETTE[0],
    "X": PALETTE[1],
    "Y": PALETTE[2],
    "S'": PALETTE[3],
    "S⊗S'": PALETTE[4],
}


def plot_spurious_experiment(
    experiment: SpuriousExperiment | SpuriousRates,
    labels: Mapping[int, Sequence[str]] | None = None,
    *,
    intervals: Mapping[int, tuple[float, float]] | None = None,
    figsize: tuple[float, float] = (8.0, 3.2),
) -> Figure:
    """Fraction of runs ending at a spurious minimum, and the loss of every such minimum.

    Parameters
    ----------
    experiment : SpuriousExperiment or SpuriousRates
    intervals : mapping k -> (low, high), optional
        Confidence intervals of the fractions, drawn as error bars (the title then says
        "95% intervals" instead of the number of runs).
    labels : mapping k -> sequence of str, optional
        Isotropy label of each spurious minimum at size k (in the order of
        ``experiment.fits[k]`` restricted to the spurious ones); the points are coloured by the
        number n of neurons outside the largest orbit ``ΔS_{k-n}`` (n = 1 for type A).
    """
    fig, (ax0, ax1) = new_figure(1, 2, figsize=figsize)
    ks = experiment.ks
    frac = [experiment.fraction(k) for k in ks]
    ax0.bar(ks, frac, width=1.2, color=PALETTE[0])
    ax0.set_xlabel("k = d")
    ax0.xaxis.set_major_locator(MaxNLocator(integer=True))  # k is an integer
    ax0.set_ylabel("fraction of runs")
    ax0.set_ylim(0, 1)
    if intervals is not None:
        lo = np.array([frac[i] - intervals[k][0] for i, k in enumerate(ks)])
        hi = np.array([intervals[k][1] - frac[i] for i, k in enumerate(ks)])
        ax0.errorbar(ks, frac, yerr=np.vstack([lo, hi]), fmt="none", ecolor="black", capsize=3)
        ax0.set_title("Spurious minima, 95% intervals")
    else:
        runs = sorted({experiment.runs_at(k) for k in ks})
        span = f"{runs[0]}" if len(runs) == 1 else f"{runs[0]} to {runs[-1]}"
        ax0.set_title(f"Spurious minima, {span} runs per size")
    n_bad = {
        k: np.array([k - largest_diagonal_orbit(lab) for lab in labels[k]]) if labels is not None
        else np.ones(len(experiment.losses(k)), dtype=int)
        for k in ks
    }
    n_max = max([1] + [int(v.max()) for v in n_bad.values() if v.size])
    cmap = matplotlib.colormaps["viridis"]
    for k in ks:
        fits = [f for f in experiment.fits[k] if f.kind == "spurious"]
        if not fits:
            continue
        losses = np.array([f.loss for f in fits])
        jitter = np.linspace(-0.3, 0.3, len(fits)) if len(fits) > 1 else np.zeros(1)
        for n in np.unique(n_bad[k]):
            sel = n_bad[k] == n
            color = cmap(0.9 * (n - 1) / max(n_max - 1, 1))
            ax1.scatter(k + jitter[sel], losses[sel], s=14, color=color, label=f"n = {n}")
    ax1.set_ylim(bottom=0)
    ax1.set_xlabel("k = d")
    ax1.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax1.set_ylabel("loss at the spurious minimum")
    ax1.set_title("Loss levels")
    if labels is not None:
        handles, names = ax1.get_legend_handles_labels()
        unique = dict(sorted(zip(names, handles), key=lambda nh: int(nh[0][4:])))
        ax1.legend(unique.values(), unique.keys(), title="isotropy ΔS(k−n) × …",
                   loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def plot_isotropy_pattern(
    W: np.ndarray, isotropy: Isotropy, *, figsize: tuple[float, float] = (7.0, 3.2)
) -> Figure:
    """W as found (left) and reordered to its canonical form (right), as heat maps."""
    fig, axes = new_figure(1, 2, figsize=figsize)
    Wc = isotropy.canonical(W)
    vmax = float(np.max(np.abs(W)))
    for ax, M, title in zip(axes, (W, Wc), ("W as found", f"reordered: isotropy {isotropy.label}")):
        im = ax.imshow(M, cmap="RdBu_r", vmin=-vmax, vmax=vmax)
        ax.set_title(title)
        ax.set_xlabel("input coordinate")
        ax.set_ylabel("neuron")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # indices
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(False)
    fig.colorbar(im, ax=axes, shrink=0.8)
    return fig


def plot_type_a_family(
    points: Sequence[TypeAPoint], *, figsize: tuple[float, float] = (7.0, 3.2)
) -> Figure:
    """Loss times k and the five parameters of the type-A family against k (log axis)."""
    fig, (ax0, ax1) = new_figure(1, 2, figsize=figsize)
    ks = np.array([p.k for p in points])
    ax0.plot(ks, [p.k * p.loss for p in points], color=PALETTE[0])
    ax0.set_xscale("log")
    ax0.set_xlabel("k = d")
    ax0.set_ylabel("k · loss")
    ax0.set_title("Loss of the type-A minima")
    alpha = np.array([p.alpha[:5] for p in points])
    names = ["α1 (diagonal)", "α2 (off-diagonal)", "α3 (special column)", "α4 (special row)",
             "α5 (corner)"]
    for n, name in enumerate(names):
        ax1.plot(ks, alpha[:, n], label=name, color=PALETTE[n])
    ax1.set_xscale("log")
    ax1.set_xlabel("k = d")
    ax1.set_title("Parameters of the fixed-point space")
    ax1.legend(loc="center right")
    return fig


def plot_distinct_eigenvalues(
    spectra: Mapping[int, ReducedSpectrum], *, figsize: tuple[float, float] = (7.0, 3.6)
) -> Figure:
    """Distinct Hessian eigenvalues against k, coloured by isotypic type, and their mass.

    Left: every eigenvalue of the reduced blocks, on log-log axes, with the lines ``k/4`` and
    ``k/(2 pi)``. Right: the fraction of all ``k d`` eigenvalues (with multiplicity) carried by
    each type.
    """
    fig, (ax0, ax1) = new_figure(1, 2, figsize=figsize)
    ks = np.array(sorted(spectra))
    for label, color in TYPE_COLORS.items():
        xs, ys = [], []
        for k in ks:
            sp = spectra[k]
            vals = [e for lab, e in zip(sp.labels, sp.eigenvalues) if lab == label]
            xs += [k] * len(vals)
            ys += vals
        if xs:
            ax0.scatter(xs, ys, s=9, color=color, label=label)
    ax0.plot(ks, ks / 4, color="0.5", lw=0.8, ls="--", label="k/4")
    ax0.plot(ks, ks / (2 * np.pi), color="0.5", lw=0.8, ls=":", label="k/(2π)")
    ax0.set_xscale("log")
    ax0.set_yscale("log")
    ax0.set_xlabel("k = d")
    ax0.set_ylabel("eigenvalue")
    ax0.set_title("Distinct Hessian eigenvalues")
    ax0.legend(ncol=2, loc="upper left")
    for label, color in TYPE_COLORS.items():
        mass = []
        for k in ks:
            sp = spectra[k]
            mass.append(sum(m for lab, m in zip(sp.labels, sp.multiplicities) if lab == label)
                        / sp.size)
        if any(mass):
            ax1.plot(ks, mass, color=color, label=label, ls="--" if label == "Y" else "-")
    ax1.legend()
    ax1.set_xscale("log")
    ax1.set_ylim(0, 1)
    ax1.set_xlabel("k = d")
    ax1.set_ylabel("fraction of the k·d eigenvalues")
    ax1.set_title("Multiplicity by type")
    return fig


def plot_type_a_panel(
    point: TypeAPoint, spectrum: ReducedSpectrum, *, figsize: tuple[float, float] = (7.0, 3.0)
) -> Figure:
    """One type-A minimum: its weight matrix and its Hessian spectrum with multiplicities.

    Drawn with a fixed layout (no layout engine, no minor ticks) so that the explorer of
    :mod:`twolayer.widgets.hessian_spectra` redraws it quickly.
    """
    fig, (ax0, ax1) = new_figure(1, 2, figsize=figsize, layout="none")
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.17, top=0.88, wspace=0.3)
    W = point.W
    vmax = float(np.max(np.abs(W)))
    ax0.imshow(W, cmap="RdBu_r", vmin=-vmax, vmax=vmax)
    ax0.grid(False)
    ax0.xaxis.set_major_locator(MaxNLocator(5, integer=True))
    ax0.yaxis.set_major_locator(MaxNLocator(5, integer=True))
    ax0.set_xlabel("input coordinate")
    ax0.set_ylabel("neuron")
    ax0.set_title(f"W at k = {point.k} (red +{vmax:.2f}, blue -{vmax:.2f})\n"
                  f"loss {point.loss:.5f}")
    for label, color in TYPE_COLORS.items():
        sel = [n for n, lab in enumerate(spectrum.labels) if lab == label]
        if sel:
            ax1.vlines(spectrum.eigenvalues[sel], 0.8, spectrum.multiplicities[sel], color=color,
                       lw=2, label=label)
    ax1.set_xscale("log")
    ax1.set_yscale("log")
    ax1.minorticks_off()
    ax1.set_ylim(0.8, 2.0 * spectrum.multiplicities.max())
    ax1.set_xlabel("eigenvalue")
    ax1.set_ylabel("multiplicity")
    ax1.set_title(f"Hessian spectrum ({spectrum.size} eigenvalues)")
    ax1.legend()
    return fig
