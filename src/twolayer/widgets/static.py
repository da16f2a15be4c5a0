"""Explorers that work without a kernel: a slider over precomputed frames, as plain HTML.

An ipywidgets explorer needs a running Python kernel; on the rendered website its sliders show
but do nothing. The functions here render the same pure function at a list of parameter values
once, when the chapter is executed, and return HTML in which a slider (and play buttons) flips
between the frames in the reader's browser, with no server and nothing loaded from another host.

They build on :meth:`matplotlib.animation.FuncAnimation.to_jshtml` and make its output fit for
the book:

- **deterministic**: matplotlib names the HTML elements with a random ``uuid4`` on every run,
  which would make nbval's comparison of ``text/html`` outputs fail; the id is replaced by a
  hash of the content, so the same frames give byte-identical HTML;
- **self-contained**: the stylesheet link to a CDN (Font Awesome, for the button icons) is
  dropped and the icons become plain characters; the buttons keep their ``title`` and
  ``aria-label``;
- **accessible and responsive**: the image gets ``alt`` text, the slider an ``aria-label`` and
  a readout of the selected value beside it (updated by the slider, the buttons and play), an
  optional caption, and the frame and slider shrink to the width of a phone screen;
- **sharp**: frames are rendered at ``pixel_ratio`` (2) times the figure's dpi and shown at the
  figure's own size, like the book's other figures (:func:`twolayer.plotting.figure_png`); the
  image carries the frames' smallest text size (``data-min-font-pt``) for the browser test.

Each frame costs about 100 KB of page for a 6.4 x 3.4 inch figure at 2 x 100 dpi: keep explorers
to a few dozen frames.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import io
import json
import re
from collections.abc import Callable, Sequence

import matplotlib
import matplotlib.image
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import HTML
from matplotlib.animation import FuncAnimation
from matplotlib.figure import Figure

from ..plotting import smallest_font_pt

__all__ = ["ExplorerHTML", "animation_html", "deterministic_jshtml", "static_explorer"]


#: Characters replacing matplotlib's Font Awesome button icons (all in DejaVu Sans).
_ICONS = {
    "fa-minus": "\u2212",  # decrease speed
    "fa-fast-backward": "\u21e4",  # first frame
    "fa-step-backward": "\u2039",  # previous frame
    "fa-play fa-flip-horizontal": "\u25c0",  # play backwards
    "fa-pause": "\u2016",  # pause
    "fa-play": "\u25b6",  # play
    "fa-step-forward": "\u203a",  # next frame
    "fa-fast-forward": "\u21e5",  # last frame
    "fa-plus": "+",  # increase speed
}

# Frames are saved at the figure's own dpi and size whatever the rc settings say (the book's style
# sets savefig.dpi, and a tight bounding box would change the size from frame to frame).
_EXACT_SAVE = {"savefig.dpi": "figure", "savefig.bbox": "standard"}

_RESPONSIVE_STYLE = (
    "<style>\n"
    ".twolayer-explorer {margin: 0 0 1em 0; max-width: 100%;}\n"
    ".twolayer-explorer .animation {max-width: 100%;}\n"
    ".twolayer-explorer .animation img {max-width: 100%; height: auto;}\n"
    ".twolayer-explorer input[type=range].anim-slider {max-width: 100%;}\n"
    ".twolayer-explorer .anim-buttons button {font-size: 1rem; line-height: 1.6;}\n"
    ".twolayer-explorer .anim-value {display: inline-block; margin: 0 0.5em; font-weight: 600;\n"
    "  font-variant-numeric: tabular-nums; vertical-align: middle;}\n"
    ".twolayer-explorer figcaption {font-size: 0.9em; margin-top: 0.4em; color: inherit;}\n"
    "@media (max-width: 480px) {.twolayer-explorer .anim-buttons button {width: 30px;}}\n"
    "</style>\n"
)


def _check_text(value: object, name: str, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    if not allow_empty and not value.strip():
        raise ValueError(f"{name} must be a non-empty text (it is read by screen readers), "
                         f"got {value!r}")
    return value


def _check_mode(default_mode: object) -> None:
    if default_mode not in ("once", "loop", "reflect"):
        raise ValueError(f"default_mode must be 'once', 'loop' or 'reflect', got {default_mode!r}")


def deterministic_jshtml(jshtml: str, *, alt: str, label: str, caption: str = "",
                         readouts: Sequence[str] | None = None, display_width: int | None = None,
                         min_font_pt: float | None = None) -> str:
    """Make the HTML of :meth:`FuncAnimation.to_jshtml` deterministic, offline and accessible.

    Parameters
    ----------
    jshtml : str
        Output of ``FuncAnimation.to_jshtml()`` (matplotlib's ``HTMLWriter`` template with
        embedded frames).
    alt : str
        Alternative text of the frame image: what the figure shows, for readers who cannot
        see it.
    label : str
        What the slider selects (its ``aria-label``), e.g. ``"random seed"``.
    caption : str, optional
        Caption shown under the explorer (HTML-escaped).
    readouts : sequence of str, optional
        Text of each frame's value: shown beside the slider as ``"label: readout"`` and kept up
        to date whenever the frame changes. Without it there is no readout.
    display_width : int, optional
        Width in CSS pixels at which to show the frames (e.g. half their pixel width for
        frames rendered at twice the density).
    min_font_pt : float, optional
        Smallest text size of the frames in points, recorded as ``data-min-font-pt``.

    Returns
    -------
    str
        The same animation in a ``<figure class="twolayer-explorer">``, with the random element
        id replaced by a content hash, no link to another host, plain-character button icons,
        ``alt`` text, a labelled slider with its readout and a style that fits the frame to the
        screen width.

    Raises
    ------
    ValueError
        If ``jshtml`` is not matplotlib's animation HTML, or ``alt`` or ``label`` is empty.
    """
    _check_text(jshtml, "jshtml")
    _check_text(alt, "alt")
    _check_text(label, "label")
    _check_text(caption, "caption", allow_empty=True)
    if readouts is not None:
        readouts = [_check_text(r, f"readouts[{i}]", allow_empty=True)
                    for i, r in enumerate(readouts)]
    if display_width is not None and (isinstance(display_width, bool)
                                      or not isinstance(display_width, int) or display_width < 1):
        raise ValueError("display_width must be a positive int (CSS pixels), "
                         f"got {display_width!r}")
    if min_font_pt is not None and (isinstance(min_font_pt, bool)
                                    or not isinstance(min_font_pt, (int, float))
                                    or not min_font_pt > 0):
        raise ValueError(f"min_font_pt must be a positive number, got {min_font_pt!r}")
    ids = set(re.findall(r'id="_anim_img([0-9a-f]+)"', jshtml))
    if len(ids) != 1:
        raise ValueError("jshtml must be the output of FuncAnimation.to_jshtml() with exactly "
                         f"one animation, found {len(ids)} animation ids")
    (uid,) = ids
    # The random id is the only volatile part: hash everything else.
    digest = hashlib.sha256(jshtml.replace(uid, "").encode()).hexdigest()[:32]
    out = jshtml.replace(uid, digest)
    # Drop stylesheets from other hosts (matplotlib links Font Awesome on a CDN).
    out = re.sub(r'<link\b[^>]*\bhref="(?:https?:)?//[^"]*"[^>]*>\s*', "", out)
    for icon in sorted(_ICONS, key=len, reverse=True):
        out = out.replace(f'<i class="fa {icon}"></i>', f'<span aria-hidden="true">'
                                                        f"{_ICONS[icon]}</span>")
    escape = html_lib.escape
    size = f' width="{display_width}"' if display_width is not None else ""
    font = f' data-min-font-pt="{min_font_pt:.2f}"' if min_font_pt is not None else ""
    out = out.replace(f'<img id="_anim_img{digest}">',
                      f'<img id="_anim_img{digest}" alt="{escape(alt)}"{size}{font}>')
    out = out.replace(f'<input id="_anim_slider{digest}"',
                      f'<input id="_anim_slider{digest}" aria-label="{escape(label)}"')
    script = ""
    if readouts:
        out = re.sub(rf'(<input id="_anim_slider{digest}"[^>]*>)',
                     lambda m: m.group(1) + _readout(digest, label, readouts[0]), out, count=1)
        script = _READOUT_SCRIPT.format(id=digest, label=json.dumps(label),
                                        readouts=json.dumps(list(readouts)))
    if re.search(r'(?:src|href)\s*=\s*"(?:https?:)?//', out) or '<i class="fa' in out:
        raise ValueError("jshtml has a template this function does not know (a remote resource "
                         "or an icon is left); check the matplotlib version")
    figcaption = f"<figcaption>{escape(caption)}</figcaption>\n" if caption else ""
    return (f'<figure class="twolayer-explorer" id="explorer-{digest[:12]}">\n'
            f"{_RESPONSIVE_STYLE}{out.strip()}\n{figcaption}</figure>\n{script}")


def _readout(digest: str, label: str, first: str) -> str:
    text = html_lib.escape(f"{label}: {first}")
    return (f'\n    <output id="_anim_value{digest}" class="anim-value" '
            f'for="_anim_slider{digest}" aria-live="polite">{text}</output>')


# Keeps the readout beside the slider in step with the frame shown: the slider, the buttons and
# play all change the image, so the readout follows the image's src.
_READOUT_SCRIPT = """<script>
(function() {{
  var img = document.getElementById("_anim_img{id}");
  var slider = document.getElementById("_anim_slider{id}");
  var out = document.getElementById("_anim_value{id}");
  var label = {label}, readouts = {readouts};
  if (!img || !slider || !out) return;
  function show() {{
    var text = readouts[parseInt(slider.value, 10)];
    out.textContent = label + ": " + (text === undefined ? "" : text);
  }}
  new MutationObserver(show).observe(img, {{attributes: true, attributeFilter: ["src"]}});
  slider.addEventListener("input", show);
}})();
</script>
"""


def animation_html(anim: FuncAnimation, *, alt: str, label: str, caption: str = "",
                   default_mode: str = "once", readouts: Sequence[str] | None = None,
                   display_width: int | None = None, min_font_pt: float | None = None) -> HTML:
    """Display a matplotlib animation as a deterministic, self-contained slider.

    Parameters
    ----------
    anim : FuncAnimation
        An animation of one figure; its frames are rendered now. The figure is closed
        afterwards, so that a notebook does not also show it as a still image.
    alt, label, caption, readouts, display_width, min_font_pt
        See :func:`deterministic_jshtml`.
    default_mode : {"once", "loop", "reflect"}
        What the play button does at the last frame.

    Returns
    -------
    IPython.display.HTML
        Shown by Jupyter and by the built book; works with no kernel.
    """
    if not isinstance(anim, FuncAnimation):
        raise TypeError(f"anim must be a matplotlib FuncAnimation, got {type(anim).__name__}")
    _check_mode(default_mode)
    try:
        with matplotlib.rc_context(_EXACT_SAVE):
            jshtml = anim.to_jshtml(default_mode=default_mode)
    finally:
        fig = getattr(anim, "_fig", None)  # matplotlib keeps the animated figure here
        if fig is not None:
            plt.close(fig)
    return HTML(deterministic_jshtml(jshtml, alt=alt, label=label, caption=caption,
                                     readouts=readouts, display_width=display_width,
                                     min_font_pt=min_font_pt))


class ExplorerHTML(HTML):
    """A kernel-free explorer's HTML, with its first frame as a PNG for where HTML cannot show.

    Jupyter stores both in the cell's output (``text/html`` and ``image/png``); the website shows
    the HTML slider, and the book's LaTeX builder, which cannot use HTML, the first frame as a
    figure. nbval compares the HTML and not the image.
    """

    def __init__(self, data: str, *, still: bytes) -> None:
        super().__init__(data)
        self._still = still

    def _repr_png_(self) -> bytes:
        return self._still


def _png(pixels: np.ndarray, dpi: float) -> bytes:
    buffer = io.BytesIO()
    matplotlib.image.imsave(buffer, pixels, format="png", dpi=dpi)
    return buffer.getvalue()


def _render(fig: Figure, pixel_ratio: float = 1) -> np.ndarray:
    """RGBA pixels of ``fig`` at ``pixel_ratio`` times its dpi, exactly as ``savefig`` writes."""
    buffer = io.BytesIO()
    dpi = fig.dpi * pixel_ratio
    with matplotlib.rc_context(_EXACT_SAVE):
        fig.savefig(buffer, format="rgba", dpi=dpi)
    width, height = (int(round(v)) for v in fig.get_size_inches() * dpi)
    return np.frombuffer(buffer.getvalue(), dtype=np.uint8).reshape(height, width, 4)


def static_explorer(make_figure: Callable[[object], Figure], values: Sequence[object], *,
                    label: str, alt: str, caption: str = "", interval: int = 700,
                    default_mode: str = "once", readout: Callable[[object], str] = str,
                    pixel_ratio: float = 2) -> HTML:
    """A kernel-free explorer: ``make_figure(value)`` for every value, behind one slider.

    The kernel-free twin of an ipywidgets explorer: call it with the same pure, figure-returning
    function the ipywidgets explorer redraws, over the parameter values a reader may pick. Each
    figure is rendered once, pixel for pixel, as a frame of a
    :class:`~matplotlib.animation.FuncAnimation`, and closed.

    Parameters
    ----------
    make_figure : callable value -> matplotlib.figure.Figure
        Pure function drawing one frame. Every figure must have the same size in pixels. Put
        the value in the figure (e.g. in its title): the slider shows only a position.
    values : sequence, length >= 1
        Parameter values, one frame each, in slider order (e.g. ``range(8)`` seeds, or
        ``(width, seed)`` tuples).
    label : str
        What the slider selects, read by screen readers (e.g. ``"random seed"``).
    alt : str
        Alternative text of the frames: what they show and how they change along the slider.
    caption : str, optional
        Caption under the explorer.
    interval : int, default 700
        Milliseconds per frame when the reader presses play.
    default_mode : {"once", "loop", "reflect"}
        What the play button does at the last frame.
    readout : callable value -> str, default ``str``
        Text of a value, shown beside the slider as ``"label: text"`` for the current frame.
    pixel_ratio : float, default 2
        Frames are rendered at ``pixel_ratio`` times the figures' dpi and shown at the figures'
        size: 2 keeps text and lines sharp on high-density screens and in slides.

    Returns
    -------
    ExplorerHTML
        An :class:`IPython.display.HTML`, identical on every run for identical figures (strict
        nbval passes), with no request to another host; its first frame also as a PNG
        (``image/png``), which the PDF of the book shows.

    Raises
    ------
    ValueError
        If ``values`` is empty, the figures differ in size, or a text argument is empty.
    TypeError
        If ``make_figure`` is not callable or does not return a Figure.

    Examples
    --------
    >>> def frame(seed):
    ...     fig, ax = plt.subplots(figsize=(3, 2))
    ...     ax.plot(np.random.default_rng(seed).normal(size=10))
    ...     ax.set_title(f"seed {seed}")
    ...     return fig
    >>> html = static_explorer(frame, range(3), label="seed", alt="Ten normal draws per seed.")
    """
    if not callable(make_figure):
        raise TypeError(f"make_figure must be callable, got {type(make_figure).__name__}")
    values = list(values)
    if not values:
        raise ValueError("values must hold at least one parameter value, got an empty sequence")
    _check_text(label, "label")
    _check_text(alt, "alt")
    if isinstance(interval, bool) or not isinstance(interval, int) or interval < 1:
        raise ValueError(f"interval must be a positive int (milliseconds), got {interval!r}")
    _check_mode(default_mode)
    if not callable(readout):
        raise TypeError(f"readout must be callable, got {type(readout).__name__}")
    readouts = [readout(value) for value in values]
    for value, text in zip(values, readouts):
        if not isinstance(text, str):
            raise TypeError(f"readout({value!r}) must return a str, got {type(text).__name__}")
    if (isinstance(pixel_ratio, bool) or not isinstance(pixel_ratio, (int, float))
            or not 1 <= pixel_ratio <= 4):
        raise ValueError(f"pixel_ratio must be a number from 1 to 4, got {pixel_ratio!r}")

    frames, dpi, min_font = [], None, float("inf")
    for value in values:
        fig = make_figure(value)
        if not isinstance(fig, Figure):
            raise TypeError(f"make_figure({value!r}) must return a matplotlib Figure, "
                            f"got {type(fig).__name__}")
        try:
            pixels = _render(fig, pixel_ratio)
            min_font = min(min_font, smallest_font_pt(fig))
            dpi = fig.dpi * pixel_ratio if dpi is None else dpi
        finally:
            plt.close(fig)
        if frames and pixels.shape != frames[0].shape:
            raise ValueError(f"every figure must have the same size in pixels: the first is "
                             f"{frames[0].shape[1]}x{frames[0].shape[0]}, make_figure({value!r}) "
                             f"gave {pixels.shape[1]}x{pixels.shape[0]}")
        frames.append(pixels)

    height, width = frames[0].shape[:2]
    # A carrier figure of exactly the frames' pixel size; figimage draws pixels unresampled.
    carrier = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    image = carrier.figimage(frames[0], xo=0, yo=0, origin="upper")

    def show(i: int) -> tuple:
        image.set_data(frames[i])
        return (image,)

    anim = FuncAnimation(carrier, show, frames=len(frames), interval=interval, blit=False)
    html = animation_html(anim, alt=alt, label=label, caption=caption,
                          default_mode=default_mode, readouts=readouts,
                          display_width=int(round(width / pixel_ratio)),
                          min_font_pt=min_font if np.isfinite(min_font) else None)
    return ExplorerHTML(html.data, still=_png(frames[0], dpi))
