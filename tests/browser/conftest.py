"""Fixtures of the browser test: the built site on 127.0.0.1 and one headless Chromium.

Run through ``make browser`` (part of ``make test``), which builds the book first::

    pytest tests/browser --site _build/html --chromium /usr/bin/chromium --screenshots DIR

Without ``--site`` (e.g. a plain ``pytest`` from the repository root) the tests are skipped.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

# Flags for Debian's Chromium as root in a container with no network but the registries: no
# sandbox (root), no GPU, and none of Chromium's own connections to Google's hosts.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("browser", "browser test of the built book")
    group.addoption("--site", default=None, help="folder of the built HTML site (_build/html)")
    group.addoption("--chromium", default="/usr/bin/chromium", help="Chromium executable")
    group.addoption("--screenshots", default="_build/screenshots",
                    help="folder for one screenshot per page and viewport")


def site_dir(config: pytest.Config) -> Path | None:
    site = config.getoption("--site", default=None)
    return Path(site).resolve() if site else None


def pages(config: pytest.Config) -> list[str]:
    """Every HTML page of the site, as paths relative to the site folder."""
    site = site_dir(config)
    if site is None:
        return []
    found = sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        # not _static/, _sources/, _images/, nor hidden folders
        if not p.relative_to(site).parts[0].startswith(("_", "."))
    )
    return found


@pytest.fixture(scope="session")
def site(pytestconfig: pytest.Config) -> Path:
    folder = site_dir(pytestconfig)
    if folder is None:
        pytest.skip("no --site given: run `make browser` (it builds the book first)")
    if not (folder / "index.html").is_file():
        pytest.fail(f"{folder} holds no built book (index.html missing): run `make book-force`")
    return folder


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="session")
def base_url(site: Path) -> Iterator[str]:
    """The site served by a static file server on 127.0.0.1 (a free port), for this session."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser(pytestconfig: pytest.Config):
    """One headless Chromium for all pages (starting it costs about a second)."""
    from playwright.sync_api import sync_playwright

    executable = pytestconfig.getoption("--chromium")
    if not Path(executable).is_file():
        pytest.fail(f"Chromium not found at {executable}: `make browser` installs Debian's "
                    "package (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def screenshots(pytestconfig: pytest.Config) -> Path:
    folder = Path(pytestconfig.getoption("--screenshots")).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return folder
