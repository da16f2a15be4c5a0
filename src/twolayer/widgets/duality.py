"""Explorer of the chapter "Duality": the optimal network and its dual as beta and data vary."""

from __future__ import annotations

import ipywidgets as widgets
from matplotlib.figure import Figure

from .._checks import check_int, check_real
from ..arrangements import enumerate_patterns_2d
from ..convex import merge_neurons, recover_network, solve_convex
from ..data import circle_teacher_regression
from ..plotting.duality import plot_duality_panel
from . import show_figure

__all__ = ["duality_explorer", "duality_snapshot"]


def duality_snapshot(beta: float, seed: int, *, n: int = 30, noise: float = 0.1) -> Figure:
    """Solve the exact convex program on :func:`twolayer.data.circle_teacher_regression`, draw it.

    The data (``n`` points on the circle, teacher plus ``noise``, drawn with ``seed``), the
    globally optimal network recovered from the convex program with all ``2n`` patterns,
    and its dual constraint with the level ``beta``: a pure function of its arguments.

    Returns
    -------
    matplotlib.figure.Figure
    """
    beta = check_real(beta, "beta", low=0.0, low_open=True)
    seed = check_int(seed, "seed", low=0)
    n = check_int(n, "n", low=2)
    X, y, _, _ = circle_teacher_regression(n, seed, noise=noise)
    sol = solve_convex(X, y, beta, enumerate_patterns_2d(X))
    W, a = merge_neurons(*recover_network(sol))
    title = f"beta = {beta:.3g}, seed {seed}: optimum {sol.value:.4f}, {len(a)} neurons"
    return plot_duality_panel(X, y, W, a, sol.residual, beta, title=title)


def duality_explorer(*, n: int = 30, noise: float = 0.1) -> widgets.Widget:
    """Sliders for ``beta`` (log scale) and the data seed around :func:`duality_snapshot`."""

    def show(beta: float, seed: int) -> None:
        fig = duality_snapshot(beta, seed, n=n, noise=noise)
        show_figure(fig)

    return widgets.interactive(
        show,
        beta=widgets.FloatLogSlider(value=0.1, base=10, min=-3, max=0.5, step=0.1,
                                    description="beta"),
        seed=widgets.IntSlider(value=0, min=0, max=20, description="data seed"),
    )
