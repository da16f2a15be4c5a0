"""Explorer of the chapter "Least symmetry breaking": the spurious rate and the lowest spurious
minimum as the correlation rho of the Gaussian inputs moves."""

from __future__ import annotations

import ipywidgets as widgets
from matplotlib.figure import Figure

from ..plotting.least_symmetry_breaking import plot_rho_frame
from ..symmetry import RhoSweep
from . import show_figure

__all__ = ["rho_explorer", "rho_figure"]


def rho_figure(sweep: RhoSweep, index: int) -> Figure:
    """The figure of both explorers: :func:`plot_rho_frame` of a precomputed
    :func:`twolayer.symmetry.rho_sweep` at ``sweep.rhos[index]`` (drawing only, well under
    0.2 s; the same size for every index).

    Parameters
    ----------
    sweep : RhoSweep
    index : int
        Position in ``sweep.rhos``.
    """
    if not 0 <= index < len(sweep.rhos):
        raise ValueError(f"index must lie in [0, {len(sweep.rhos)}), got {index}")
    return plot_rho_frame(sweep, index)


def rho_explorer(sweep: RhoSweep) -> widgets.Widget:
    """A slider over the correlations of ``sweep``; each change draws :func:`rho_figure`."""

    def show(index: int) -> None:
        show_figure(rho_figure(sweep, index))

    return widgets.interactive(
        show,
        index=widgets.IntSlider(value=0, min=0, max=len(sweep.rhos) - 1,
                                continuous_update=False, description="rho index"),
    )
