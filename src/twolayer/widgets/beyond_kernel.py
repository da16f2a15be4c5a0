"""Explorer of the chapter "Beyond the kernel regime": d, n and the width against two kernels."""

from __future__ import annotations

import ipywidgets as widgets
from matplotlib.figure import Figure

from .._checks import check_int
from ..kernels import explore_beyond_kernel
from ..plotting.beyond_kernel import plot_loss_against_kernels
from . import show_figure

__all__ = ["beyond_kernel_explorer", "beyond_kernel_figure"]


def beyond_kernel_figure(d: int, n: int, width: int, *, steps: int = 300,
                         rng: object) -> Figure:
    """The figure of both explorers: gradient descent's held-out loss against the kernels'.

    Calls :func:`twolayer.kernels.explore_beyond_kernel` (one teacher, one sample of size n,
    ``steps`` steps of gradient descent at the given width, NTK and random-feature ridge) and
    draws :func:`twolayer.plotting.beyond_kernel.plot_loss_against_kernels`, of the same size for
    every value, as the kernel-free explorer requires. About 0.1 s for ``d <= 8``,
    ``n <= 400``, ``width <= 32``.
    """
    d = check_int(d, "d", low=2)
    n = check_int(n, "n", low=2)
    width = check_int(width, "width", low=1)
    c = explore_beyond_kernel(d, n, width, steps=steps, rng=rng)
    title = (f"d = {d}, n = {n}, m = {width}: GD {c.gd[-1]:.1e} after {int(c.steps[-1])} "
             f"steps, NTK {c.ntk:.1e}, features {c.features:.1e}")
    return plot_loss_against_kernels(c, title=title)


def beyond_kernel_explorer(*, steps: int = 300, rng: object) -> widgets.Widget:
    """Sliders for the dimension d, the number of samples n and the width m.

    Each change redraws :func:`beyond_kernel_figure`, the function the chapter's kernel-free
    explorer renders for a list of values.
    """

    def show(d: int, n: int, width: int) -> None:
        show_figure(beyond_kernel_figure(d, n, width, steps=steps, rng=rng))

    def slider(**kwargs: object) -> widgets.Widget:
        return widgets.IntSlider(continuous_update=False, **kwargs)

    return widgets.interactive(
        show,
        d=slider(value=4, min=2, max=8, step=1, description="dimension d"),
        n=slider(value=300, min=50, max=400, step=50, description="samples n"),
        width=slider(value=16, min=4, max=32, step=4, description="width m"),
    )
