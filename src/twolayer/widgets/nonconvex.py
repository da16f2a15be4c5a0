"""Explorer of the chapter "The non-convex problem": one training run per width and seed."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..network import train_from_random_inits
from ..plotting.nonconvex import plot_training_curves
from . import show_figure

__all__ = ["training_explorer"]


def training_explorer(X: np.ndarray, y: np.ndarray, beta: float, *, lr: float,
                      steps: int) -> widgets.Widget:
    """Sliders for the width and the seed; shows the GD objective of that run against the step."""

    def show(width: int, seed: int) -> None:
        (result,) = train_from_random_inits(X, y, width, beta, runs=1, rng=seed, lr=lr,
                                            steps=steps, record_every=10)
        fig = plot_training_curves(
            [result], label=f"width {width}, seed {seed}: final objective {result.history[-1]:.4f}"
        )
        show_figure(fig)

    return widgets.interactive(
        show,
        width=widgets.IntSlider(value=2, min=1, max=32, description="width m"),
        seed=widgets.IntSlider(value=0, min=0, max=50, description="seed"),
    )
