"""The kernel-free explorer's first frame as a PNG: what the PDF of the book shows."""

import io

import matplotlib.image
import matplotlib.pyplot as plt
import numpy as np
from IPython.core.formatters import DisplayFormatter

from twolayer.widgets.static import static_explorer


def _frame(value: int) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(2, 1.5), dpi=50)
    ax.imshow(np.full((4, 4), value), vmin=0, vmax=3)
    ax.set_title(f"value {value}")
    return fig


def _pixels(fig: plt.Figure, ratio: int) -> np.ndarray:
    fig.set_dpi(fig.dpi * ratio)
    fig.canvas.draw()
    out = np.asarray(fig.canvas.buffer_rgba())[..., :3] / 255
    plt.close(fig)
    return out


def test_the_output_holds_the_html_slider_and_the_first_frame_as_png():
    out = static_explorer(_frame, [2, 0, 1], label="value", alt="A square of one colour.")
    data, _ = DisplayFormatter().format(out)
    assert "text/html" in data and 'class="animation"' in data["text/html"]
    png = data["image/png"]
    still = matplotlib.image.imread(io.BytesIO(png if isinstance(png, bytes) else
                                               __import__("base64").b64decode(png)))
    # the frames are rendered at twice the figures' dpi (static_explorer's pixel_ratio)
    first = _pixels(_frame(2), 2)
    assert still.shape[:2] == first.shape[:2] == (150, 200)
    assert np.allclose(still[..., :3], first, atol=1 / 255)
    other = _pixels(_frame(0), 2)  # not the first value: the still must differ from it
    assert not np.allclose(still[..., :3], other, atol=1 / 255)
