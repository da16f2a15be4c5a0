"""What a chapter's downloaded notebook needs outside the book build.

The chapters pass the numbers their prose states to myst-nb's ``glue`` (``from myst_nb import
glue``), which the book build reads back into the text. The executed notebook offered for
download on each page already carries those numbers in its prose, so it imports :func:`glue` from
here instead (``book/_ext/offline_site.py`` rewrites that one import line): a plain
``pip install`` of the library is then enough to run it, without the book's Sphinx toolchain.
"""

from __future__ import annotations

from IPython.display import display as _display

__all__ = ["glue", "glued"]

#: Every value passed to :func:`glue` in this kernel, by name (the numbers the prose states).
glued: dict[str, object] = {}


def glue(name: str, variable: object, display: bool = True) -> None:
    """Keep ``variable`` under ``name`` in :data:`glued`, and display it if ``display``.

    The same call signature as ``myst_nb.glue``; nothing is written for a later build.

    Parameters
    ----------
    name : str
        Key of the value, as in the chapter's ``{glue:text}`` roles.
    variable : object
        The value.
    display : bool
        Whether to show the value as the cell's output, as ``myst_nb.glue`` does.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty string, got {name!r}")
    if not isinstance(display, bool):
        raise TypeError(f"display must be a bool, got {type(display).__name__}")
    glued[name] = variable
    if display:
        _display(variable)
