"""The chapters' ipywidgets explorers: each builds, redraws on a slider move, leaks no figure.

Outside a kernel ``display`` prints a figure's repr instead of drawing it, so these tests check
the wiring (a slider change runs the callback on the library's pure functions), not the pixels.
"""

import matplotlib.pyplot as plt
import pytest

from twolayer import data, dropout, splines, symmetry
from twolayer.widgets.beyond_kernel import beyond_kernel_explorer
from twolayer.widgets.dropout import dropout_explorer
from twolayer.widgets.duality import duality_explorer
from twolayer.widgets.hessian import type_a_explorer
from twolayer.widgets.network import training_explorer
from twolayer.widgets.splines import regime_explorer

# Type-A point at k = d = 6, as printed in the Hessian chapter (Newton refines it).
ALPHA_K6 = [0.98670, -0.05041, 0.30801, 0.22452, -0.60151]


def _network():
    X, y, _, _ = data.teacher_regression(40, 2, 4, rng=0)
    return training_explorer(X, y, 1e-2, lr=0.01, steps=200)


def _dropout():
    return dropout_explorer(*dropout.dropout_data(n=30, d=5, k=3, rng=0, whiten=True), lr=0.05)


# name: (build the explorer, a word of the slider's description, a new value for it)
EXPLORERS = {
    "network": (_network, "width", 8),
    "duality": (duality_explorer, "beta", 0.5),
    "hessian": (lambda: type_a_explorer(symmetry.follow_type_a([6, 7], ALPHA_K6)), "k", 7),
    "splines": (lambda: regime_explorer(*splines.triangle_samples(10)), "steps", 100),
    "dropout": (_dropout, "steps", 100),
    "beyond_kernel": (lambda: beyond_kernel_explorer(steps=50), "width", 8),
}


@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_explorer_redraws_when_a_slider_moves(name, capsys):
    plt.close("all")
    build, control, value = EXPLORERS[name]
    widget = build()
    capsys.readouterr()  # the first drawing, at construction
    sliders = {c.description: c for c in widget.children[:-1]}
    slider = next(c for key, c in sliders.items() if control in key)
    slider.value = value
    printed = capsys.readouterr().out
    assert "Figure" in printed, "the callback should display a figure"
    assert plt.get_fignums() == [], "the explorer should close the figures it shows"
