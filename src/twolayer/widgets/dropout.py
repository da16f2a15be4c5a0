"""Explorer of the chapter "Dropout flows": sliders for p, the width and the number of steps."""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from ..dropout import explore_gd
from ..plotting.dropout import plot_explorer

__all__ = ["dropout_explorer"]


def dropout_explorer(X: np.ndarray, Y: np.ndarray, *, lr: float, rng: object = 0) -> widgets.Widget:
    """Sliders for ``p``, the width and the number of GD steps on the expected Dropout objective.

    Each change calls :func:`twolayer.dropout.explore_gd` and draws
    :func:`twolayer.plotting.dropout.plot_explorer` (well under 0.2 s on the chapter's data).
    """

    def show(p: float, width: int, steps: int) -> None:
        result = explore_gd(X, Y, p, width, steps=steps, lr=lr, rng=rng)
        spread = np.ptp(result.products) / result.product_star
        fig = plot_explorer(
            result, title=f"p = {p:.2f}, m = {width}: unit products spread {spread:.1e}"
        )
        plt.show(fig)

    def slider(kind: type, **kwargs: object) -> widgets.Widget:
        return kind(continuous_update=False, **kwargs)

    return widgets.interactive(
        show,
        p=slider(widgets.FloatSlider, value=0.5, min=0.05, max=1.0, step=0.05,
                 description="keep p"),
        width=slider(widgets.IntSlider, value=4, min=1, max=12, description="width m"),
        steps=slider(widgets.IntSlider, value=1500, min=100, max=2500, step=100,
                     description="GD steps"),
    )
