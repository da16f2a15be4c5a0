"""The chapters' explorers: one pure frame function per chapter, shown two ways.

Each chapter module (``twolayer.widgets.<chapter>``, named after the chapter it serves) exports
a pure frame function (data and parameter values in, a ``Figure`` of the same size for every value
out, no widget state) and the ipywidgets explorer built on it, which redraws in < 0.2 s; the
chapter's kernel-free slider (:func:`twolayer.widgets.static.static_explorer`) renders the same
frame function at a list of values for the website.
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
