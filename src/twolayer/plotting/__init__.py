"""One figure style for the whole book; every plotting function returns a ``Figure``.

Chapter modules (``twolayer.plotting.<chapter>``, named after the chapter they draw for) build
the chapters' figures on :func:`new_figure`.

Figures are laid out at ``figure.dpi`` = 100 (one inch of figure is 100 CSS pixels on the page)
and shown sharp: in IPython (the book's build, Jupyter) :func:`new_figure` installs
:func:`figure_png` as the PNG formatter of figures, which renders them at :data:`PIXEL_RATIO`
times that density and asks for the layout size (a "retina" PNG). Every text of a book figure is
at least :data:`MIN_FONT_PT` points; the PNG records its smallest text size in a ``tEXt`` chunk
(:data:`MIN_FONT_KEY`), which the browser test of the site reads to check the size a reader sees.
"""

from __future__ import annotations

import base64
import io
import struct
import zlib
from collections.abc import Iterator

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.text import Text

from .._checks import check_real

__all__ = ["PALETTE", "BOOK_STYLE", "MIN_FONT_PT", "MAX_WIDTH_IN", "PIXEL_RATIO", "MIN_FONT_KEY",
           "new_figure", "smallest_font_pt", "figure_png", "png_text"]

#: Colour-blind safe palette (Okabe & Ito), in the order the book uses it.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")

#: Smallest text size of a book figure, in points: at 100 CSS px per inch, 14.6 px, as large as
#: the site's small print (14.4 px).
MIN_FONT_PT = 10.5

#: Widest figure, in inches: 670 CSS px, the text column of the site at desktop width (672 px),
#: so that a figure is never shrunk (and its text with it).
MAX_WIDTH_IN = 6.7

#: Margin around the tight bounding box of a shown figure, in inches.
PAD_IN = 0.04

#: Device pixels per layout pixel of the book's PNG figures (2: sharp on high-density screens).
PIXEL_RATIO = 2

#: Key of the PNG ``tEXt`` chunk that records a figure's smallest text size in points.
MIN_FONT_KEY = "twolayer:min-font-pt"

#: Matplotlib rc settings of the book's figures.
BOOK_STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 11,
    "axes.titlesize": 11,
    "axes.labelsize": 11,
    "xtick.labelsize": MIN_FONT_PT,
    "ytick.labelsize": MIN_FONT_PT,
    "legend.fontsize": MIN_FONT_PT,
    "legend.title_fontsize": MIN_FONT_PT,
    "figure.titlesize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "figure.constrained_layout.use": True,
}


def new_figure(
    nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float] = (6.4, 3.6),
    **kwargs: object,
) -> tuple[Figure, object]:
    """Create a figure of explicit size ``figsize = (width, height)`` inches in the book's style.

    The style is installed in ``matplotlib.rcParams`` so that labels and legends added after
    creation follow it too; in IPython, figures are then shown through :func:`figure_png`.
    A width above :data:`MAX_WIDTH_IN` is reduced to it (the height is kept): the site would
    otherwise shrink the figure and its text. Every plotting function of the book takes the same
    ``figsize`` keyword and passes it on. Returns ``(fig, axes)`` as
    :func:`matplotlib.pyplot.subplots` does.
    """
    if not isinstance(figsize, (tuple, list)) or len(figsize) != 2:
        raise ValueError(f"figsize must be a pair (width, height) in inches, got {figsize!r}")
    width = check_real(figsize[0], "figsize[0] (width in inches)", low=0.0, low_open=True)
    height = check_real(figsize[1], "figsize[1] (height in inches)", low=0.0, low_open=True)
    matplotlib.rcParams.update(BOOK_STYLE)
    out = plt.subplots(nrows, ncols, figsize=(min(width, MAX_WIDTH_IN), height), **kwargs)
    # after the first figure: creating it may load the inline backend, which resets formatters
    _install_png_formatter()
    return out


def smallest_font_pt(fig: Figure) -> float:
    """Size in points of the smallest non-empty visible text of ``fig`` (``inf`` if none).

    Tick labels exist only once the figure has been drawn: call it after ``savefig`` or
    ``fig.canvas.draw()``.
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    sizes = [t.get_fontsize() for t in _visible_texts(fig) if t.get_text().strip()]
    return float(min(sizes, default=float("inf")))


def _visible_texts(artist: Artist) -> Iterator[Text]:
    """Every Text below ``artist`` whose artist and ancestors are all visible."""
    if not artist.get_visible():
        return
    if isinstance(artist, Text):
        yield artist
    for child in artist.get_children():
        yield from _visible_texts(child)


def figure_png(fig: Figure, *, pixel_ratio: int = PIXEL_RATIO) -> tuple[str, dict]:
    """The PNG of ``fig`` that the book shows, for IPython's display machinery.

    Parameters
    ----------
    fig : Figure
    pixel_ratio : int, default :data:`PIXEL_RATIO`
        Rendered pixels per layout pixel (``fig.dpi`` per inch).

    Returns
    -------
    (data, metadata) : str, dict
        Base64 PNG rendered at ``pixel_ratio * fig.dpi`` with a tight bounding box (margin
        :data:`PAD_IN`), carrying the figure's smallest text size (points) in a ``tEXt`` chunk
        :data:`MIN_FONT_KEY`, and the display size ``{"width", "height"}`` in layout pixels.
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    if isinstance(pixel_ratio, bool) or not isinstance(pixel_ratio, int) or pixel_ratio < 1:
        raise ValueError(f"pixel_ratio must be a positive int, got {pixel_ratio!r}")
    buffer = io.BytesIO()
    # a thin margin (0.04 in): with the default 0.1 in, a figure of MAX_WIDTH_IN whose content
    # fills its width would be 690 px wide, wider than the column, and be shrunk
    fig.canvas.print_figure(buffer, format="png", dpi=fig.dpi * pixel_ratio, bbox_inches="tight",
                            pad_inches=PAD_IN, facecolor=fig.get_facecolor(),
                            edgecolor=fig.get_edgecolor())
    png = _with_text_chunk(buffer.getvalue(), MIN_FONT_KEY, f"{smallest_font_pt(fig):.2f}")
    width, height = struct.unpack(">II", png[16:24])
    metadata = {"width": width // pixel_ratio, "height": height // pixel_ratio}
    return base64.b64encode(png).decode("ascii"), metadata


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def _with_text_chunk(png: bytes, key: str, value: str) -> bytes:
    """``png`` with a ``tEXt`` chunk ``key: value`` inserted after its header chunk."""
    end_of_header = 8 + 8 + struct.unpack(">I", png[8:12])[0] + 4
    chunk = _chunk(b"tEXt", key.encode("latin-1") + b"\0" + value.encode("latin-1"))
    return png[:end_of_header] + chunk + png[end_of_header:]


def png_text(png: bytes) -> dict[str, str]:
    """The ``tEXt`` chunks of a PNG file, as a dict (and ``"dpi"`` from its ``pHYs`` chunk)."""
    if not isinstance(png, bytes) or png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("png must be the bytes of a PNG file")
    found, pos = {}, 8
    while pos + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        data = png[pos + 8:pos + 8 + length]
        if kind == b"tEXt" and b"\0" in data:
            key, value = data.split(b"\0", 1)
            found[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"pHYs" and length == 9:
            x_per_unit, _, unit = struct.unpack(">IIB", data)
            if unit == 1:  # per metre
                found["dpi"] = f"{x_per_unit * 0.0254:.1f}"
        pos += 12 + length
    return found


def _install_png_formatter() -> None:
    """Show figures through :func:`figure_png` in the running IPython shell, if any."""
    try:
        from IPython import get_ipython
    except ImportError:  # plotting without IPython: nothing to install
        return
    shell = get_ipython()
    if shell is None:
        return
    formatters = shell.display_formatter.formatters
    try:
        current = formatters["image/png"].lookup_by_type(Figure)
    except KeyError:
        current = None
    if current is not figure_png:
        for mime, other in formatters.items():
            if mime != "text/plain":
                other.pop(Figure, None)
        formatters["image/png"].for_type(Figure, figure_png)
