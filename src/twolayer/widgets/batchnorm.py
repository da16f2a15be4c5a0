"""Explorer of the chapter "BN convexity": the optimal BN fit over the weight decay beta and the
data dimension d, with the closed form of whitened data beside it."""

from __future__ import annotations

import ipywidgets as widgets
from matplotlib.figure import Figure

from ..batchnorm import explore_dimension
from ..plotting.batchnorm import plot_bn_fit
from . import show_figure

__all__ = ["bn_explorer", "bn_figure"]


def bn_figure(beta: float, d: int, *, n: int = 10, rng: object) -> Figure:
    """The figure of both explorers: the optimal BN fit of fixed targets at ``(beta, d)``.

    Calls :func:`twolayer.batchnorm.explore_dimension` and draws
    :func:`twolayer.plotting.batchnorm.plot_bn_fit`; the same size for every argument, as the
    kernel-free explorer (:func:`twolayer.widgets.static.static_explorer`) requires. Once
    ``d >= n - 1`` the fit no longer changes with ``d``: it is the closed form of whitened data.

    Parameters
    ----------
    beta : float > 0
        Weight decay.
    d : int >= 1
        Input dimension of the Gaussian data.
    n : int
        Number of data points.
    rng : Generator or int, default 0
        Seed of the targets, the data and the sampled patterns.
    """
    return plot_bn_fit(explore_dimension(beta, d, n=n, rng=rng))


def bn_explorer(*, n: int = 10, rng: object) -> widgets.Widget:
    """Sliders for ``beta`` and ``d``; each change draws :func:`bn_figure` (under 0.2 s)."""

    def show(beta: float, d: int) -> None:
        show_figure(bn_figure(beta, d, n=n, rng=rng))

    return widgets.interactive(
        show,
        beta=widgets.FloatLogSlider(value=0.3, base=10, min=-2, max=0.5, step=0.1,
                                    continuous_update=False, description="beta"),
        d=widgets.IntSlider(value=3, min=1, max=14, continuous_update=False,
                            description="dimension d"),
    )
