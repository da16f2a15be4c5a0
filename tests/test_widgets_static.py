"""Kernel-free explorers: deterministic, self-contained, accessible HTML with exact frames."""

from __future__ import annotations

import base64
import io
import re

import matplotlib
import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.animation import FuncAnimation
from matplotlib.figure import Figure

from twolayer.widgets.static import animation_html, deterministic_jshtml, static_explorer

FRAME = re.compile(r'frames\[(\d+)\] = "data:image/png;base64,([^"]+)"')


def _frame(value: int, size: tuple[float, float] = (1.6, 1.2)) -> Figure:
    fig, ax = plt.subplots(figsize=size, dpi=50)
    ax.plot(np.arange(5), np.arange(5) * value)
    ax.set_title(f"v={value}")
    return fig


def _explorer(values=(0, 1, 2), **kwargs) -> str:
    kwargs = {"label": "slope", "alt": "A line whose slope is the slider value.", **kwargs}
    return static_explorer(_frame, values, **kwargs).data


def _frames(html: str) -> list[np.ndarray]:
    found = sorted((int(i), data) for i, data in FRAME.findall(html))
    return [mpimg.imread(io.BytesIO(base64.b64decode(data)), format="png") for _, data in found]


def test_the_same_frames_give_byte_identical_html():
    assert _explorer() == _explorer()


def test_different_frames_give_different_element_ids():
    ids = {re.search(r'id="_anim_img([0-9a-f]{32})"', _explorer(v)).group(1)
           for v in [(0, 1), (0, 2)]}
    assert len(ids) == 2


def test_html_loads_nothing_from_another_host_and_has_no_font_awesome_icons():
    html = _explorer()
    assert not re.search(r'(?:src|href)\s*=\s*"(?:https?:)?//', html)
    assert "<link" not in html
    assert '<i class="fa' not in html
    assert "\u25b6" in html  # the play button is a plain character


def test_html_is_labelled_for_screen_readers_and_captioned():
    html = _explorer(caption="Slope <1> & more")
    assert 'alt="A line whose slope is the slider value."' in html
    assert 'aria-label="slope"' in html
    assert "<figcaption>Slope &lt;1&gt; &amp; more</figcaption>" in html
    assert html.startswith('<figure class="twolayer-explorer"')
    assert "max-width: 100%" in html  # fits a phone screen


@pytest.mark.parametrize(("ratio", "shape"), [(1, (60, 80, 4)), (2, (120, 160, 4))])
def test_one_frame_per_value_and_frames_equal_the_figures_pixel_for_pixel(ratio, shape):
    values = (0, 1, 3)
    html = _explorer(values, pixel_ratio=ratio)
    frames = _frames(html)
    assert len(frames) == len(values)
    for value, frame in zip(values, frames):
        fig = _frame(value)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=fig.dpi * ratio)
        plt.close(fig)
        expected = mpimg.imread(io.BytesIO(buffer.getvalue()), format="png")
        assert frame.shape == expected.shape == shape
        np.testing.assert_array_equal(frame, expected)
    assert not np.array_equal(frames[0], frames[1])
    # shown at the figure's own size (80 px wide at 50 dpi), whatever the pixel density
    assert re.search(r'<img id="_anim_img[0-9a-f]+" alt="[^"]*" width="80"', html)


def test_frames_keep_their_size_whatever_the_savefig_settings():
    with matplotlib.rc_context({"savefig.dpi": 100, "savefig.bbox": "tight"}):
        frames = _frames(_explorer((0, 1)))
    assert [f.shape for f in frames] == [(120, 160, 4)] * 2


def test_readout_beside_the_slider_names_the_value_of_every_frame():
    html = _explorer((0.5, 2.0), readout=lambda v: f"{v:.1f} units")
    output = re.search(r'<input id="_anim_slider([0-9a-f]+)"[^>]*>\s*<output id="_anim_value\1"'
                       r'[^>]*aria-live="polite">([^<]*)</output>', html)
    assert output is not None  # right after the slider
    assert output.group(2) == "slope: 0.5 units"
    assert '["0.5 units", "2.0 units"]' in html  # the script's text for every frame
    assert "MutationObserver" in html  # follows play and the buttons, not only the slider
    assert "<output" in _explorer()  # on by default, with str(value)


def test_image_records_the_smallest_text_of_the_frames():
    def frame(value: int) -> Figure:
        fig = _frame(value)
        fig.axes[0].set_xlabel("x", fontsize=7 + value)
        return fig

    html = static_explorer(frame, [1, 0, 2], label="v", alt="a line").data
    assert 'data-min-font-pt="7.00"' in html


def test_explorer_closes_every_figure_it_draws():
    before = len(plt.get_fignums())
    _explorer()
    assert len(plt.get_fignums()) == before


def test_deterministic_jshtml_removes_matplotlibs_random_id():
    def animation() -> FuncAnimation:
        fig, ax = plt.subplots(figsize=(1, 1), dpi=30)
        (line,) = ax.plot([0, 1], [0, 0])
        return FuncAnimation(fig, lambda i: line.set_ydata([0, i]), frames=2)

    with matplotlib.rc_context({"savefig.dpi": "figure"}):  # as animation_html saves frames
        raw = [animation().to_jshtml(default_mode="once") for _ in range(2)]
    plt.close("all")
    assert raw[0] != raw[1]  # matplotlib names the elements with a fresh uuid4 every time
    clean = [deterministic_jshtml(r, alt="a line", label="frame") for r in raw]
    assert clean[0] == clean[1]
    html = animation_html(animation(), alt="a line", label="frame").data
    assert html == clean[0]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"values": []}, ValueError, "values must hold at least one"),
        ({"alt": " "}, ValueError, "alt must be a non-empty text"),
        ({"label": ""}, ValueError, "label must be a non-empty text"),
        ({"interval": 0}, ValueError, "interval must be a positive int"),
        ({"default_mode": "bounce"}, ValueError, "default_mode must be 'once'"),
        ({"make_figure": 3}, TypeError, "make_figure must be callable"),
        ({"readout": 3}, TypeError, "readout must be callable"),
        ({"readout": lambda v: v}, TypeError, r"readout\(0\) must return a str"),
        ({"pixel_ratio": 0.5}, ValueError, "pixel_ratio must be a number from 1 to 4"),
        ({"make_figure": lambda v: None}, TypeError, r"make_figure\(0\) must return"),
        ({"make_figure": lambda v: _frame(v, (1.6 + v, 1.2)), "values": [0, 1]}, ValueError,
         "same size in pixels: the first is 160x120, make_figure\\(1\\) gave 260x120"),
    ],
)
def test_bad_input_is_refused_with_a_message(kwargs, error, match):
    args = {"make_figure": _frame, "values": [0], "label": "v", "alt": "a line", **kwargs}
    with pytest.raises(error, match=match):
        static_explorer(args.pop("make_figure"), args.pop("values"), **args)
    plt.close("all")


def test_deterministic_jshtml_refuses_other_html():
    with pytest.raises(ValueError, match="found 0 animation ids"):
        deterministic_jshtml("<p>not an animation</p>", alt="a", label="b")
    with pytest.raises(TypeError, match="anim must be a matplotlib FuncAnimation"):
        animation_html("<p></p>", alt="a", label="b")
