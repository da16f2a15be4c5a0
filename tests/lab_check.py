"""Check what `make lab` serves (``make lab-check``, part of ``make test``).

Starts ``jupyter lab`` headless with the flags of ``make lab`` on a free local port, then asks
its REST API

1. which viewer opens a Markdown file on double-click (JupyterLab's document-manager setting
   ``defaultViewers``, set by lab/overrides.json): it must be jupytext's "Jupytext Notebook";
2. for a chapter's ``.md`` as a notebook: jupytext's contents manager must return its cells;

and stops the server. Fails (exit status 1) otherwise.

Usage: ``python tests/lab_check.py --jupyter .venv/bin/jupyter -- [flags of make lab]``
"""

from __future__ import annotations

import argparse
import json
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = "book/03_splines.md"
VIEWER = "Jupytext Notebook"
DOCMANAGER = "@jupyterlab/docmanager-extension:plugin"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str) -> dict:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def check(jupyter: str, flags: list[str], startup: float = 120.0) -> list[str]:
    port, token = _free_port(), secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [jupyter, "lab", *flags, "--no-browser", f"--ServerApp.port={port}",
         "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
         "--ServerApp.port_retries=0"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    problems: list[str] = []
    try:
        deadline = time.monotonic() + startup
        while True:
            try:
                _get(f"{base}/api/status", token)
                break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None:
                    return [f"jupyter lab exited with status {server.returncode}:\n"
                            f"{server.stderr.read()[-2000:]}"]
                if time.monotonic() > deadline:
                    return [f"jupyter lab did not answer within {startup:.0f} s"]
                time.sleep(0.5)
        # What the browser composes: the schema's defaults (with the overrides of the
        # installation applied by the server) under the user's own settings.
        plugin = _get(f"{base}/lab/api/settings/{DOCMANAGER}", token)
        defaults = plugin["schema"]["properties"]["defaultViewers"].get("default", {})
        viewers = {**defaults, **plugin["settings"].get("defaultViewers", {})}
        for file_type in ("markdown", "myst"):
            if viewers.get(file_type) != VIEWER:
                problems.append(f"a {file_type} file opens with {viewers.get(file_type)!r}, "
                                f"not {VIEWER!r} (defaultViewers = {viewers})")
        model = _get(f"{base}/api/contents/{CHAPTER}?type=notebook&content=1", token)
        cells = model.get("content", {}).get("cells", [])
        code = [c for c in cells if c["cell_type"] == "code"]
        if model.get("type") != "notebook" or not code:
            problems.append(f"{CHAPTER} is not served as a notebook with code cells "
                            f"(type {model.get('type')!r}, {len(code)} code cells)")
        elif not problems:
            print(f"jupyter lab: .md opens with {VIEWER!r}; {CHAPTER} is a notebook of "
                  f"{len(cells)} cells ({len(code)} code)")
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jupyter", required=True, help="the jupyter command of the venv")
    parser.add_argument("flags", nargs="*", help="the flags of make lab")
    args = parser.parse_args()
    problems = check(args.jupyter, args.flags)
    for problem in problems:
        print("FAIL:", problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
