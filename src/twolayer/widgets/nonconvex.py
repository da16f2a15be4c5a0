"""Explorer of the chapter "The non-convex problem": one training run per width and seed."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from .._checks import check_int, check_real
from ..network import TrainResult, train_from_random_inits
from ..plotting.nonconvex import plot_training_curves
from . import show_figure

__all__ = ["training_explorer", "training_frame"]


def training_frame(run: TrainResult, seed: int, *,
                   ylim: tuple[float, float] | None = None) -> Figure:
    """The figure of both explorers: the objective along one training run.

    Draws :func:`twolayer.plotting.nonconvex.plot_training_curves` of ``run`` alone, titled
    with its width (the rows of ``run.W``), the ``seed`` of its initialization and its final
    objective.

    Parameters
    ----------
    run : TrainResult
        One run, e.g. of :func:`twolayer.network.train_from_random_inits` with ``runs=1``.
    seed : int >= 0
        Seed the run was initialized with (only shown in the title).
    ylim : (low, high), optional
        Limits of the objective axis, ``0 < low < high``: give every frame of an explorer the
        same axis, so that the levels the runs settle on compare across frames.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not isinstance(run, TrainResult):
        raise TypeError(f"run must be a TrainResult, got {type(run).__name__}")
    seed = check_int(seed, "seed", low=0)
    if ylim is not None:
        if not isinstance(ylim, (tuple, list)) or len(ylim) != 2:
            raise ValueError(f"ylim must be a pair (low, high), got {ylim!r}")
        low = check_real(ylim[0], "ylim[0]", low=0.0, low_open=True)
        high = check_real(ylim[1], "ylim[1]", low=low, low_open=True)
    fig = plot_training_curves(
        [run], label=f"width {run.W.shape[0]}, seed {seed}: final objective "
                     f"{run.history[-1]:.4f}"
    )
    if ylim is not None:
        fig.axes[0].set_ylim(low, high)
    return fig


def training_explorer(X: np.ndarray, y: np.ndarray, beta: float, *, lr: float,
                      steps: int) -> widgets.Widget:
    """Sliders for the width and the seed; trains that run and draws :func:`training_frame`."""

    def show(width: int, seed: int) -> None:
        (result,) = train_from_random_inits(X, y, width, beta, runs=1, rng=seed, lr=lr,
                                            steps=steps, record_every=10)
        show_figure(training_frame(result, seed))

    return widgets.interactive(
        show,
        width=widgets.IntSlider(value=2, min=1, max=32, description="width m"),
        seed=widgets.IntSlider(value=0, min=0, max=50, description="seed"),
    )
