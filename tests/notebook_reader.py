"""Run a chapter's downloaded notebook as a reader does (``make reader``, part of ``make test``).

The reader installs the library (``pip install .``) into an environment of their own and runs
the executed notebook offered on the chapter's page in a fresh kernel of that environment,
without any of the Makefile's environment variables. This script starts such a kernel (the
Python of ``--python``, through a temporary kernel spec) in an empty working folder, executes
every cell the book executes, and fails unless

- every cell runs without error,
- every text output (streams, ``text/plain``, ``text/html``) equals the one the page shows,
  after the sanitize patterns of ``tests/nbval_sanitize.cfg``, as under nbval,
- the kernel imported ``twolayer`` from that environment, and saw no ``*_NUM_THREADS`` variable.

Usage: ``python tests/notebook_reader.py --python ENV/bin/python NOTEBOOK.ipynb``
"""

from __future__ import annotations

import argparse
import configparser
import copy
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

SANITIZE = Path(__file__).with_name("nbval_sanitize.cfg")
TEXT = ("text/plain", "text/html")
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS")
# Run before the notebook (the kernel's environment, before twolayer sets its BLAS default) and
# after it (where twolayer came from).
PROBE_FIRST = f"import os\nprint([v for v in {THREAD_VARIABLES!r} if v in os.environ])"
PROBE_LAST = "import twolayer\nprint(twolayer.__file__)"


def _sanitizers() -> list[tuple[re.Pattern, str]]:
    config = configparser.ConfigParser()
    config.read(SANITIZE)
    return [(re.compile(config[s]["regex"]), config[s]["replace"]) for s in config.sections()]


def _texts(cell: nbformat.NotebookNode, sanitizers: list) -> list[str]:
    """A code cell's text outputs, streams merged by name as nbval merges them."""
    out: list[str] = []
    streams: dict[str, str] = {}
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            streams[output.name] = streams.get(output.name, "") + output.text
        elif output.output_type in ("execute_result", "display_data"):
            data = output.get("data", {})
            out += [f"{mime}: {data[mime]}" for mime in TEXT if mime in data]
        elif output.output_type == "error":
            out.append(f"error: {output.ename}: {output.evalue}")
    out += [f"{name}: {text}" for name, text in sorted(streams.items())]
    for pattern, replace in sanitizers:
        out = [pattern.sub(replace, text) for text in out]
    return out


def run(notebook: Path, python: Path, timeout: int) -> list[str]:
    """Execute ``notebook`` in a kernel of ``python``; return the problems found."""
    expected = nbformat.read(notebook, as_version=4)
    nb = copy.deepcopy(expected)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.cells = [nbformat.v4.new_code_cell(PROBE_FIRST), *nb.cells,
                nbformat.v4.new_code_cell(PROBE_LAST)]
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp, "kernels", "reader")
        spec.mkdir(parents=True)
        (spec / "kernel.json").write_text(json.dumps({
            "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "reader", "language": "python",
        }))
        work = Path(tmp, "work")
        work.mkdir()
        os.environ["JUPYTER_PATH"] = tmp
        for name in THREAD_VARIABLES:
            os.environ.pop(name, None)
        client = NotebookClient(nb, kernel_name="reader", timeout=timeout,
                                resources={"metadata": {"path": str(work)}})
        start = time.perf_counter()
        client.execute()  # raises CellExecutionError on the first failing cell
        print(f"{notebook}: executed in {time.perf_counter() - start:.1f} s")
    problems = []
    threads, origin = nb.cells[0].outputs[0].text.strip(), nb.cells[-1].outputs[0].text.strip()
    if not origin.startswith(str(python.parent.parent)):
        problems.append(f"the kernel imported twolayer from {origin}, not from the environment "
                        f"of {python}")
    if threads != "[]":
        problems.append(f"the kernel started with {threads} set: not the reader's environment")
    sanitizers = _sanitizers()
    compared = 0
    for k, (old, new) in enumerate(zip(expected.cells, nb.cells[1:-1])):
        if old.cell_type != "code" or "skip-execution" in old.metadata.get("tags", []):
            continue
        compared += 1
        want, got = _texts(old, sanitizers), _texts(new, sanitizers)
        if want != got:
            problems.append(f"cell {k} ({old.source.splitlines()[0][:60]!r}...): expected\n"
                            f"{want}\n  got\n{got}")
    if compared == 0:
        problems.append("no code cell compared")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--python", type=Path, required=True,
                        help="the Python of the reader's environment (with ipykernel)")
    parser.add_argument("--timeout", type=int, default=120, help="seconds per cell")
    args = parser.parse_args()
    problems = run(args.notebook, args.python.absolute(), args.timeout)
    for problem in problems:
        print("FAIL:", problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
