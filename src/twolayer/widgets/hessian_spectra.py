"""Explorers of the chapter "Hessian spectra": the type-A minimum and its spectrum for each k."""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
from matplotlib.figure import Figure

from ..plotting.hessian_spectra import plot_type_a_panel
from ..symmetry import TypeAPoint, type_a_spectrum
from . import show_figure

__all__ = ["type_a_explorer", "type_a_figure"]


def type_a_figure(point: TypeAPoint) -> Figure:
    """The figure of both explorers: one type-A minimum, its loss and its Hessian spectrum.

    Calls :func:`twolayer.symmetry.type_a_spectrum` (a few milliseconds for ``k <= 100``) and
    draws :func:`twolayer.plotting.hessian_spectra.plot_type_a_panel`, whose fixed layout gives
    a figure of the same size for every ``k``, as the kernel-free explorer
    (:func:`twolayer.widgets.static.static_explorer`) requires.

    Parameters
    ----------
    point : TypeAPoint
        A point of the type-A family, e.g. from :func:`twolayer.symmetry.follow_type_a`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not isinstance(point, TypeAPoint):
        raise TypeError(f"point must be a TypeAPoint, got {type(point).__name__}")
    fig = plot_type_a_panel(point, type_a_spectrum(point.alpha, point.k, point.d))
    # Room for the two-line title of the left panel: the kernel-free explorer saves the figure
    # as it is, without the tight bounding box of a notebook's inline display.
    fig.subplots_adjust(top=0.82)
    return fig


def type_a_explorer(points: Sequence[TypeAPoint]) -> widgets.Widget:
    """A slider over the computed type-A minima; shows W, the Hessian spectrum and the loss.

    Each redraw calls :func:`type_a_figure`, the function the chapter's kernel-free explorer
    renders for a list of ``k``.

    Parameters
    ----------
    points : sequence of TypeAPoint
        The family, e.g. from :func:`twolayer.symmetry.follow_type_a`.
    """
    if not points:
        raise ValueError("points must hold at least one TypeAPoint, got an empty sequence")
    by_k = {p.k: p for p in points}
    ks = sorted(by_k)

    def show(k: int) -> None:
        show_figure(type_a_figure(by_k[k]))

    return widgets.interactive(
        show, k=widgets.SelectionSlider(options=ks, value=ks[0], description="k = d")
    )
