"""Explorer of the chapter "Solving the convex program at scale": the interior-point method's
iterates, their fit and their certificate, one checkpoint at a time."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from .._checks import as_array, check_int
from ..plotting.solving_at_scale import plot_iterate
from ..scale import IPMConvergence
from . import show_figure

__all__ = ["iterate_explorer", "iterate_frame"]


def _check_trace(trace: object, y: object) -> tuple[IPMConvergence, np.ndarray]:
    if not isinstance(trace, IPMConvergence):
        raise TypeError(f"trace must be an IPMConvergence, got {type(trace).__name__}")
    y = as_array(y, "y", shape=(trace.fits.shape[1],))
    return trace, y


def iterate_frame(trace: IPMConvergence, y: np.ndarray, index: int) -> Figure:
    """Draw checkpoint ``index`` of ``trace`` (:func:`twolayer.scale.ipm_convergence`).

    A pure function of its arguments that only draws (the iterates were computed by
    ``ipm_convergence``): the gap history with the checkpoint marked, and the fit of the
    iterate on the training targets ``y (n,)`` against the final, certified fit.

    Returns
    -------
    matplotlib.figure.Figure
    """
    trace, y = _check_trace(trace, y)
    index = check_int(index, "index", low=0)
    if index >= trace.checkpoints.size:
        raise ValueError(
            f"index must be below the {trace.checkpoints.size} checkpoints, got {index}"
        )
    return plot_iterate(trace, index, y)


def iterate_explorer(trace: IPMConvergence, y: np.ndarray) -> widgets.Widget:
    """A slider over the checkpoints of ``trace`` around :func:`iterate_frame`."""
    trace, y = _check_trace(trace, y)

    def show(checkpoint: int) -> None:
        show_figure(plot_iterate(trace, checkpoint, y))

    return widgets.interactive(
        show,
        checkpoint=widgets.IntSlider(value=0, min=0, max=trace.checkpoints.size - 1,
                                     description="checkpoint"),
    )
