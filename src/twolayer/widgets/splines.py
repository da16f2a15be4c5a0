"""Explorer of the chapter "Splines": sliders for the layer ratio, the width and the steps."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..plotting.splines import plot_explorer
from ..splines import spline_distances, train_at_ratio
from . import show_figure

__all__ = ["regime_explorer"]


def regime_explorer(x: np.ndarray, y: np.ndarray, *, rng: object = 0) -> widgets.Widget:
    """Sliders for the initial ratio ``|c_i| / ||(a_i, b_i)||``, the width and the GD steps.

    Each change calls :func:`twolayer.splines.train_at_ratio` and draws
    :func:`twolayer.plotting.splines.plot_explorer`: the trained function against the natural
    cubic spline and the linear interpolant, and where its curvature sits. A callback trains
    for at most 1200 steps at width at most 1000, about 0.1 s on one core, plus the drawing.
    """

    def show(ratio: float, width: int, steps: int) -> None:
        run = train_at_ratio(x, y, ratio, width, steps, rng)
        d_cubic, d_linear = spline_distances(x, y, run.final)
        title = (f"ratio {ratio:.0e}, m = {width}, {run.steps} steps: "
                 f"distance to cubic {d_cubic:.3f}, to linear {d_linear:.3f}")
        fig = plot_explorer(x, y, run, title=title)
        show_figure(fig)

    def slider(kind: type, **kwargs: object) -> widgets.Widget:
        return kind(continuous_update=False, **kwargs)

    return widgets.interactive(
        show,
        ratio=slider(widgets.FloatLogSlider, value=10.0, base=10.0, min=-5.0, max=2.0, step=0.5,
                     description="ratio |c|/|w|"),
        width=slider(widgets.IntSlider, value=400, min=100, max=1000, step=100,
                     description="width m"),
        steps=slider(widgets.IntSlider, value=800, min=100, max=1200, step=100,
                     description="GD steps"),
    )
