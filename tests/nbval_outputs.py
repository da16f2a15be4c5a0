"""pytest plugin for nbval on the executed book (loaded with ``-p tests.nbval_outputs``).

1. Ignores myst-nb ``glue`` records, through nbval's documented hook (``pytest_collectstart``
   extends a notebook's ``skip_compare``). ``glue(name, value, display=False)`` emits an output
   of mime type ``application/papermill.record/<mime>`` that myst-nb removes from the stored
   notebook, so a fresh kernel shows one output more than the reference. ``<mime>`` is one of
   IPython's display formats, all of which are skipped. The glued values themselves are compared
   through the printed outputs, and tests/ asserts the chapters' claims.
2. Refuses notebooks that hold no outputs. A chapter taken from Jupyter Book's execution cache is
   written to ``_build/jupyter_execute`` without outputs and with empty execution counts; nbval
   would then compare nothing and pass. Such a notebook fails the run instead.
"""

from __future__ import annotations

import pytest
from IPython.core.formatters import DisplayFormatter

GLUE_PREFIX = "application/papermill.record/"
GLUE_MIMES = tuple(GLUE_PREFIX + mime for mime in DisplayFormatter().formatters)


def pytest_collectstart(collector: pytest.Collector) -> None:
    if type(collector).__name__ == "IPyNbFile":
        collector.skip_compare += GLUE_MIMES


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list
) -> None:
    notebooks = {item.parent for item in items if type(item).__name__ == "IPyNbCell"}
    empty = []
    for nbfile in sorted(notebooks, key=lambda nb: str(nb.path)):
        # Cells tagged skip-execution (the ipywidgets explorers) are never run by design.
        code = [
            c for c in nbfile.nb.cells
            if c.cell_type == "code" and "skip-execution" not in c.metadata.get("tags", [])
        ]
        never_run = [c for c in code if c.get("execution_count") is None]
        outputs = sum(len(c.get("outputs", [])) for c in code)
        if code and (never_run or outputs == 0):
            empty.append(f"{nbfile.path} ({len(never_run)} of {len(code)} code cells never run, "
                         f"{outputs} outputs)")
    if empty:
        raise pytest.UsageError(
            "nbval would compare nothing: these notebooks hold no outputs, probably taken from "
            "the execution cache. Rebuild with `make book-force`.\n  " + "\n  ".join(empty)
        )
