"""One figure style for the whole book; every plotting function returns a ``Figure``.

Topic modules (``twolayer.plotting.<topic>``) build the chapters' figures on :func:`new_figure`.
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

__all__ = ["PALETTE", "BOOK_STYLE", "new_figure"]

#: Colour-blind safe palette (Okabe & Ito), in the order the book uses it.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")

#: Matplotlib rc settings of the book's figures.
BOOK_STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "figure.constrained_layout.use": True,
}


def new_figure(
    nrows: int = 1, ncols: int = 1, *, width: float = 6.4, height: float = 3.6, **kwargs: object
) -> tuple[Figure, object]:
    """Create a figure of explicit size ``width x height`` inches in the book's style.

    The style is installed in ``matplotlib.rcParams`` so that labels and legends added after
    creation follow it too. Returns ``(fig, axes)`` as :func:`matplotlib.pyplot.subplots` does.
    """
    matplotlib.rcParams.update(BOOK_STYLE)
    return plt.subplots(nrows, ncols, figsize=(width, height), **kwargs)
