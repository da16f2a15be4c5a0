"""Explorer of the chapter "Hessian spectra": the type-A minimum and its spectrum for each k."""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt

from ..plotting.hessian import plot_type_a_panel
from ..symmetry import TypeAPoint, type_a_spectrum

__all__ = ["type_a_explorer"]


def type_a_explorer(points: Sequence[TypeAPoint]) -> widgets.Widget:
    """A slider over the computed type-A minima; shows W, the Hessian spectrum and the loss.

    Each redraw calls :func:`twolayer.symmetry.type_a_spectrum` (a few milliseconds for
    ``k <= 100``) and :func:`twolayer.plotting.hessian.plot_type_a_panel`.

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
        point = by_k[k]
        fig = plot_type_a_panel(point, type_a_spectrum(point.alpha, point.k, point.d))
        plt.show(fig)

    return widgets.interactive(
        show, k=widgets.SelectionSlider(options=ks, value=ks[0], description="k = d")
    )
