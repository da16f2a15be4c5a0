"""The book's figure style: sharp PNGs that record their smallest text, shown at layout size."""

from __future__ import annotations

import base64
import struct

import matplotlib.pyplot as plt
import pytest

from twolayer.plotting import (
    BOOK_STYLE,
    MIN_FONT_KEY,
    MIN_FONT_PT,
    PIXEL_RATIO,
    figure_png,
    new_figure,
    png_text,
    smallest_font_pt,
)


def _figure(legend_size: float | None = None):
    fig, ax = new_figure(width=4.0, height=2.5)
    ax.plot([0, 1, 2], [0, 1, 4], label="a line")
    ax.set_xlabel("k")
    ax.legend(fontsize=legend_size)
    return fig


def test_every_text_size_of_the_style_is_at_least_the_minimum():
    sizes = {k: v for k, v in BOOK_STYLE.items() if k.endswith(("size", "fontsize"))}
    assert sizes and min(sizes.values()) >= MIN_FONT_PT


def test_png_is_twice_as_dense_as_its_display_size_and_records_its_smallest_text():
    fig = _figure()
    data, metadata = figure_png(fig)
    png = base64.b64decode(data)
    width, height = struct.unpack(">II", png[16:24])
    assert (metadata["width"], metadata["height"]) == (width // PIXEL_RATIO,
                                                       height // PIXEL_RATIO)
    # a tight box (0.1 inch of padding) around a 4 x 2.5 inch figure at 100 dpi
    assert 300 < metadata["width"] <= 420 and 180 < metadata["height"] <= 270
    info = png_text(png)
    assert float(info["dpi"]) == pytest.approx(BOOK_STYLE["figure.dpi"] * PIXEL_RATIO, abs=0.1)
    assert float(info[MIN_FONT_KEY]) == pytest.approx(smallest_font_pt(fig)) == MIN_FONT_PT
    plt.close(fig)


def test_smallest_font_follows_the_smallest_visible_text():
    fig = _figure(legend_size=6.5)
    fig.canvas.draw()
    assert smallest_font_pt(fig) == 6.5
    fig.axes[0].get_legend().set_visible(False)
    assert smallest_font_pt(fig) == MIN_FONT_PT
    data, _ = figure_png(fig, pixel_ratio=1)
    assert png_text(base64.b64decode(data))[MIN_FONT_KEY] == f"{MIN_FONT_PT:.2f}"
    plt.close(fig)


def test_new_figure_installs_the_png_formatter_in_ipython():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        fig, _ = new_figure()
        formatter = shell.display_formatter.formatters["image/png"]
        assert formatter.lookup_by_type(type(fig)) is figure_png
        data, metadata = formatter(fig)
        assert png_text(base64.b64decode(data))[MIN_FONT_KEY]
        assert metadata["width"] > 0
        plt.close(fig)
    finally:
        InteractiveShell.clear_instance()


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: figure_png("fig"), TypeError, "fig must be a matplotlib Figure, got str"),
        (lambda: figure_png(plt.figure(), pixel_ratio=0), ValueError,
         "pixel_ratio must be a positive int"),
        (lambda: smallest_font_pt(None), TypeError, "fig must be a matplotlib Figure"),
        (lambda: png_text(b"GIF89a"), ValueError, "png must be the bytes of a PNG file"),
    ],
)
def test_bad_input_is_refused_with_a_message(call, error, match):
    with pytest.raises(error, match=match):
        call()
    plt.close("all")


def test_figures_are_never_wider_than_the_text_column():
    from twolayer.plotting import MAX_WIDTH_IN

    fig, _ = new_figure(width=8.0, height=3.0)
    assert tuple(fig.get_size_inches()) == (MAX_WIDTH_IN, 3.0)
    plt.close(fig)
    fig, _ = new_figure(width=5.0, height=3.0)
    assert tuple(fig.get_size_inches()) == (5.0, 3.0)
    plt.close(fig)
