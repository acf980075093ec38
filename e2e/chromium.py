"""Debian's Chromium, launched the one way every browser-driving script here uses: the
end-to-end fixtures, ``e2e/screenshots.py`` and ``bench/canvas.py``. Playwright never
downloads a browser; ``NODELOOM_E2E_CHROMIUM`` points at another binary."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, sync_playwright

CHROMIUM = os.environ.get("NODELOOM_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--no-sandbox",  # containers and CI run as root, where the sandbox cannot start
    "--disable-gpu",
    # No traffic of the browser's own: updates, sync and QUIC probes would add noise to
    # timings and fail offline.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)


@contextmanager
def chromium_browser() -> Iterator[Browser]:
    """A running Chromium, closed (with Playwright's driver) on the way out."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()
