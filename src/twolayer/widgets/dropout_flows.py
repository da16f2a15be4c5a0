"""Explorers of the chapter "Dropout flows": gradient descent on the expected Dropout objective
for a keep probability p, a width and a number of steps."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ..dropout import descent_against_minimizer
from ..plotting.dropout_flows import plot_descent_and_products
from . import show_figure

__all__ = ["dropout_explorer", "dropout_figure"]


def dropout_figure(X: np.ndarray, Y: np.ndarray, p: float, width: int, *, steps: int, lr: float,
                   rng: object) -> Figure:
    """The figure of both explorers: GD on the expected Dropout objective at ``(p, width)``.

    Calls :func:`twolayer.dropout.descent_against_minimizer` and draws
    :func:`twolayer.plotting.dropout_flows.plot_descent_and_products`, with ``p``, the width and
    the relative spread of the unit products (``ptp / closed-form value``) in the title. The
    figure has the same size for every argument, as the kernel-free explorer
    (:func:`twolayer.widgets.static.static_explorer`) requires.

    Parameters
    ----------
    X : (n, d) array;  Y : (n, k) array
        Data and targets, as in :func:`twolayer.dropout.expected_objective`.
    p : float in (0, 1]
        Keep probability.
    width : int >= 1
        Number of hidden units m.
    steps : int >= 1
        Gradient-descent steps.
    lr : float
        Step size.
    rng : Generator or int, default 0
        Seed of the random start.

    Returns
    -------
    matplotlib.figure.Figure
    """
    result = descent_against_minimizer(X, Y, p, width, steps=steps, lr=lr, rng=rng)
    spread = np.ptp(result.products) / result.product_star
    # Below 1e-9 the digits of the spread are those of rounding: do not print them.
    spread_text = "below 1e-9" if spread < 1e-9 else f"{spread:.1e}"
    return plot_descent_and_products(
        result, title=f"p = {p:.2f}, m = {width}: relative spread of the unit products "
                      f"{spread_text}"
    )


def dropout_explorer(X: np.ndarray, Y: np.ndarray, *, lr: float, rng: object) -> widgets.Widget:
    """Sliders for ``p``, the width and the number of GD steps on the expected Dropout objective.

    Each change draws :func:`dropout_figure` (well under 0.2 s on the chapter's data), the
    function the chapter's kernel-free explorer renders for a list of ``(p, width)``.
    """

    def show(p: float, width: int, steps: int) -> None:
        show_figure(dropout_figure(X, Y, p, width, steps=steps, lr=lr, rng=rng))

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
