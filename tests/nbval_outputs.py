"""pytest plugin for nbval on the executed book (loaded with ``-p tests.nbval_outputs``).

1. Refuses notebooks that hold no outputs. A chapter taken from Jupyter Book's execution cache is
   written to ``_build/jupyter_execute`` without outputs and with empty execution counts; nbval
   would then compare nothing and pass. Such a notebook fails the run instead.
2. Ignores myst-nb ``glue`` records. ``glue(name, value, display=False)`` emits an output of mime
   type ``application/papermill.record/...`` that myst-nb removes from the stored notebook, so a
   fresh kernel always shows one output more than the reference. The glued values themselves are
   compared through the printed outputs and tests/ asserts the chapters' claims.
"""

from __future__ import annotations

import pytest

GLUE_PREFIX = "application/papermill.record/"


class _SkipWithGlue(tuple):
    """nbval's tuple of skipped output keys, extended to every glue record mime type."""

    def __contains__(self, key: object) -> bool:
        return (isinstance(key, str) and key.startswith(GLUE_PREFIX)) or super().__contains__(key)


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list
) -> None:
    notebooks = {item.parent for item in items if type(item).__name__ == "IPyNbCell"}
    empty = []
    for nbfile in sorted(notebooks, key=lambda nb: str(nb.path)):
        nbfile.skip_compare = _SkipWithGlue(nbfile.skip_compare)
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
