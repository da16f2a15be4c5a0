"""Local Sphinx extension: the book's execution mode, overridden from the environment.

``_config.yml`` executes with the cache (``execute_notebooks: cache``: only chapters whose source
changed re-run), which suits authors. nbval needs every chapter executed afresh (a notebook taken
from the cache is written without outputs), so ``make book-force`` runs::

    BOOK_EXECUTE=force jupyter-book build . --all

and this extension sets myst-nb's ``nb_execution_mode`` from ``BOOK_EXECUTE`` before myst-nb
reads it (at ``builder-inited``). Without the variable the configuration file decides.
"""

from __future__ import annotations

import os
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: The environment variable, and the modes myst-nb accepts for it.
VARIABLE = "BOOK_EXECUTE"
MODES = ("auto", "force", "cache", "inline", "off")


def override_execution_mode(app: Sphinx, config: Config) -> None:
    mode = os.environ.get(VARIABLE)
    if mode is None:
        return
    if mode not in MODES:
        raise ConfigError(f"execution_mode: {VARIABLE}={mode!r} is not one of {', '.join(MODES)}")
    if mode != config.nb_execution_mode:
        logger.info(f"execution_mode: {VARIABLE} sets nb_execution_mode to {mode!r} "
                    f"(the configuration says {config.nb_execution_mode!r})")
    config.nb_execution_mode = mode


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", override_execution_mode)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
