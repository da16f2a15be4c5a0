"""Local Sphinx extension: the book's execution mode, overridden from the environment.

``_config.yml`` executes with the cache (``execute_notebooks: cache``: only chapters whose source
changed re-run), which suits authors. nbval needs every chapter executed afresh (a notebook taken
from the cache is written without outputs), so ``make book-force`` runs::

    BOOK_EXECUTE=force jupyter-book build . --all

and this extension sets myst-nb's ``nb_execution_mode`` from ``BOOK_EXECUTE`` before myst-nb
reads it (at ``builder-inited``). Without the variable the configuration file decides.

``BOOK_JOBS=N`` reads the pages in ``N`` processes (Sphinx's parallel read; reading a page executes
it), as ``jupyter-book build`` has no ``-j`` option; the Makefile passes its ``WORKERS``. Sphinx
hands each process a contiguous slice of the pages to read, so before reading this extension
orders the pages so that the slices carry about equal numbers of code cells (largest first, each
into the lightest slice): on 2 cores the ten chapters' execution then takes half as long.
Jupyter Book adds two extensions that declare nothing about parallel builds, so Sphinx would warn
(an error under ``-W``) and read serially. Both are safe, and this extension declares them so for
the releases checked (:data:`UNDECLARED_SAFE`): ``sphinx_multitoc_numbering`` (``numbered: true``
in ``_toc.yml``) only replaces ``TocTreeCollector.assign_section_numbers``, which runs in the main
process after every page is read; ``sphinx_jupyterbook_latex``'s transforms change only the
document being read, and keep no state between documents. sphinx-proof 0.4 keeps its theorems
in ``env.proof_list``, merged from the reading processes by its own ``env-merge-info`` handler,
and nothing in its domain's data, but its domain lacks the ``merge_domaindata`` that Sphinx calls
for every domain: this extension gives it the empty merge (:func:`_merge_nothing`).
"""

from __future__ import annotations

import importlib.metadata
import os
import re
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError
from sphinx.util import logging
from sphinx.util.parallel import make_chunks

logger = logging.getLogger(__name__)

#: The environment variable, and the modes myst-nb accepts for it.
VARIABLE = "BOOK_EXECUTE"
MODES = ("auto", "force", "cache", "inline", "off")
#: The environment variable for the number of processes that read (and execute) the pages.
JOBS = "BOOK_JOBS"
_CODE_CELL = re.compile(r"^```\{code-cell\}", re.MULTILINE)


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


def read_jobs(value: str | None) -> int:
    """The number of reading processes ``BOOK_JOBS`` asks for (1 without it)."""
    if value is None or value == "":
        return 1
    if not value.isdigit() or int(value) < 1:
        raise ConfigError(f"execution_mode: {JOBS}={value!r} is not a positive integer")
    return int(value)


def balanced_order(docnames: list[str], cells: dict[str, int], nproc: int) -> list[str]:
    """``docnames`` reordered so that Sphinx's slices for ``nproc`` processes carry equal work.

    ``cells`` is each page's number of code cells, the estimate of its execution time. The slice
    sizes are those of ``sphinx.util.parallel.make_chunks``; pages go largest first into the
    slice with the fewest cells that still has room.
    """
    sizes = [len(chunk) for chunk in make_chunks(docnames, nproc)]
    slices: list[list[str]] = [[] for _ in sizes]
    load = [0] * len(sizes)
    for doc in sorted(docnames, key=lambda d: (-cells.get(d, 0), d)):
        free = [i for i, size in enumerate(sizes) if len(slices[i]) < size]
        best = min(free, key=lambda i: (load[i], i))
        slices[best].append(doc)
        load[best] += cells.get(doc, 0)
    return [doc for part in slices for doc in part]


def _count_code_cells(app: Sphinx, docname: str) -> int:
    path = app.env.doc2path(docname)
    try:
        with open(path, encoding="utf-8") as source:
            return len(_CODE_CELL.findall(source.read()))
    except OSError:
        return 0


#: Extensions without a declaration, checked to be safe for parallel reading and writing: their
#: distribution and the release series checked.
UNDECLARED_SAFE = {
    "sphinx_multitoc_numbering": ("sphinx-multitoc-numbering", "0.1"),
    "sphinx_jupyterbook_latex": ("sphinx-jupyterbook-latex", "1.0"),
}


#: Domains whose data is empty but which lack ``merge_domaindata``: extension, distribution,
#: release series checked.
EMPTY_DOMAINS = {"sphinx_proof": ("sphinx-proof", "0.4")}


def _check_release(distribution: str, series: str) -> None:
    found = importlib.metadata.version(distribution)
    if not (found == series or found.startswith(series + ".")):
        raise ConfigError(f"execution_mode: {distribution} {found} is not the release "
                          f"{series}.x checked to be safe for {JOBS}")


def _merge_nothing(domain: Any, docnames: Any, otherdata: Any) -> None:
    """``Domain.merge_domaindata`` of a domain that keeps nothing in its data."""


def read_in_parallel(app: Sphinx, config: Config) -> None:
    jobs = read_jobs(os.environ.get(JOBS))
    if jobs == 1:
        return
    for name, (distribution, series) in UNDECLARED_SAFE.items():
        if name in app.extensions:
            _check_release(distribution, series)
            app.extensions[name].parallel_read_safe = True
            app.extensions[name].parallel_write_safe = True
    for name, (distribution, series) in EMPTY_DOMAINS.items():
        if name in app.extensions:
            _check_release(distribution, series)
            for domain in app.registry.domains.values():
                if domain.__module__.startswith(name + ".") and (
                        "merge_domaindata" not in vars(domain)):
                    domain.merge_domaindata = _merge_nothing
    logger.info(f"execution_mode: {JOBS} reads the pages in {jobs} processes")
    app.parallel = jobs


def balance_reading(app: Sphinx, env: Any, docnames: list[str]) -> None:
    if app.parallel > 1 and len(docnames) > 1:
        cells = {doc: _count_code_cells(app, doc) for doc in docnames}
        docnames[:] = balanced_order(docnames, cells, app.parallel)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", override_execution_mode)
    app.connect("config-inited", read_in_parallel)
    app.connect("env-before-read-docs", balance_reading)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
