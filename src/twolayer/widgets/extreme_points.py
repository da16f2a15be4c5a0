"""Explorer of the chapter "Extreme points": the rectified ellipsoid of two samples as they turn."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from .._checks import check_real
from ..arrangements import enumerate_patterns_2d
from ..convex import merge_neurons, recover_network, solve_convex
from ..extreme import rectified_ellipsoid_2d
from ..plotting.extreme_points import plot_rectified_ellipsoid
from . import show_figure

__all__ = ["extreme_points_explorer", "extreme_points_snapshot"]


def extreme_points_snapshot(
    angle: float, *, beta: float = 0.2, y: tuple[float, float] = (1.0, -0.6)
) -> Figure:
    """Two samples ``x_1 = (1, 0.2)``, ``x_2 = (cos angle, sin angle)``: ``Q_X``, hull and neurons.

    Solves the exact convex program (all patterns of the two samples), recovers the optimal
    network and draws its neurons ``(X u_j)_+`` on the hull of the rectified ellipsoid, next to
    the dual feasible set and the dual optimum: a pure function of its arguments.

    Parameters
    ----------
    angle : float
        Angle of the second sample in radians, in ``(0.35, pi)`` (away from the first sample).
    beta : float, > 0
    y : tuple of two floats

    Returns
    -------
    matplotlib.figure.Figure
    """
    angle = check_real(angle, "angle", low=0.35, high=np.pi, low_open=True, high_open=True)
    beta = check_real(beta, "beta", low=0.0, low_open=True)
    X = np.array([[1.0, 0.2], [np.cos(angle), np.sin(angle)]])
    yv = np.asarray(y, dtype=float)
    sol = solve_convex(X, yv, beta, enumerate_patterns_2d(X))
    W, a = merge_neurons(*recover_network(sol))
    U = W / np.linalg.norm(W, axis=1, keepdims=True)
    geo = rectified_ellipsoid_2d(X, num=361)
    kind = "spike-free" if geo.spike_free else "with spikes"
    title = (f"angle between the samples {np.degrees(angle - np.arctan(0.2)):.0f} deg "
             f"({kind}): {a.size} optimal neuron{'s' if a.size != 1 else ''}")
    return plot_rectified_ellipsoid(geo, sol.residual, beta, np.maximum(U @ X.T, 0.0),
                                    np.sign(a), yv, title=title)


def extreme_points_explorer(*, beta: float = 0.2) -> widgets.Widget:
    """A slider for the angle of the second sample around :func:`extreme_points_snapshot`."""

    def show(angle_deg: float) -> None:
        show_figure(extreme_points_snapshot(np.radians(angle_deg), beta=beta))

    return widgets.interactive(
        show,
        angle_deg=widgets.FloatSlider(value=110.0, min=25.0, max=175.0, step=5.0,
                                      description="angle (deg)"),
    )
