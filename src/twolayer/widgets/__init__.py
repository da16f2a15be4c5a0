"""ipywidgets explorers; each wraps a pure function of the library and redraws in < 0.2 s.

Topic modules (``twolayer.widgets.<topic>``) build one explorer each; ``static`` builds their
kernel-free counterparts for the website.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from IPython.display import display
from matplotlib.figure import Figure

__all__ = ["show_figure"]


def show_figure(fig: Figure) -> None:
    """Display ``fig`` in the current output area (an explorer's) and close it.

    Closing keeps pyplot from showing the figure a second time at the end of the cell and from
    holding every frame the reader ever asked for in memory.
    """
    display(fig)
    plt.close(fig)
