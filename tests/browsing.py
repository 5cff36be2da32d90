"""One way to drive the real browser and to serve a built site, for every browser test.

Debian's Chromium, not Playwright's download (CI has no route to it): Playwright is pinned in
pyproject.toml and launched with the system binary and the flags that keep it offline.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(),
                                    reason="Debian's chromium is not installed (.ci/run installs it)")


@contextmanager
def chromium() -> Iterator:
    """A headless Chromium browser, closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def serving(folder: Path, base_path: str = "/minato/", live=None) -> Iterator[str]:
    """`folder` served by katsudo's own preview server on a free loopback port; yields the site's URL."""
    from generator.serve import make_server

    server = make_server(folder, base_path, "127.0.0.1", 0, live)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{base_path}"
    finally:
        server.shutdown()
        server.server_close()
