"""End-to-end fixtures: the real backend CLI serving the built frontend, driven in Debian's
Chromium by Playwright. Nothing is built here and no browser is ever downloaded.

Run with ``.venv/bin/pytest e2e -q`` after ``npm --prefix frontend run build``.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from chromium import CHROMIUM, chromium_browser
from playwright.sync_api import APIRequestContext, Browser, BrowserContext, Page

REPO = Path(__file__).resolve().parent.parent
DIST_INDEX = REPO / "frontend" / "dist" / "index.html"
SCREENSHOTS = REPO / ".test-artifacts" / "screenshots"
NODELOOM = Path(sys.executable).parent / "nodeloom"
STARTUP_TIMEOUT_S = 60
# Each throwaway server's database, by its base URL: for rows no API call can write
# (helpers.store_legacy_workflow).
SERVER_DATABASES: dict[str, str] = {}
VIEWPORT = {"width": 1440, "height": 900}


def pytest_sessionstart(session: pytest.Session) -> None:
    if not DIST_INDEX.is_file():
        pytest.exit(
            f"The frontend is not built ({DIST_INDEX} is missing). "
            "Run `npm --prefix frontend ci && npm --prefix frontend run build` first.",
            returncode=1,
        )
    if not Path(CHROMIUM).is_file():
        pytest.exit(
            f"Chromium not found at {CHROMIUM}: `apt-get install -y chromium` "
            "(Playwright must not download a browser).",
            returncode=1,
        )
    if not NODELOOM.is_file():
        pytest.exit(f"{NODELOOM} is missing: `pip install -e '.[dev]'` first.", returncode=1)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_health(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"`nodeloom serve` exited with {process.returncode}:\n{log.read_text()[-4000:]}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(
        f"{url} did not answer within {STARTUP_TIMEOUT_S}s:\n{log.read_text()[-4000:]}"
    )


@contextmanager
def running_server(command: list[str], port: int, env: dict[str, str], log: Path) -> Iterator[str]:
    """Start ``command`` in its own process group, wait until it is healthy, stop it after."""
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=REPO,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_for_health(f"{url}/api/v1/health", process, log)
        yield url
    finally:
        # The whole group: `make run` starts the server as a child of make.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextmanager
def throwaway_server(settings: dict[str, str] | None = None) -> Iterator[str]:
    """`nodeloom serve` on a free port with a throwaway SQLite database (and `settings`)."""
    workdir = Path(tempfile.mkdtemp(prefix="nodeloom-e2e-"))
    port = free_port()
    database_url = f"sqlite+aiosqlite:///{workdir / 'e2e.db'}"
    command = [str(NODELOOM), "serve", "--port", str(port), "--database-url", database_url]
    env = {**os.environ, "NODELOOM_DATA_DIR": str(workdir), **(settings or {})}
    try:
        with running_server(command, port, env, workdir / "server.log") as url:
            SERVER_DATABASES[url] = database_url
            yield url
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    """Single-person mode (the embedded default)."""
    with throwaway_server() as url:
        yield url


@pytest.fixture(scope="session")
def accounts_url() -> Iterator[str]:
    """Accounts mode: sign-up and sessions (NODELOOM_AUTH=on, with a throwaway secret key)."""
    settings = {"NODELOOM_AUTH": "on", "NODELOOM_SECRET_KEY": secrets.token_urlsafe(48)}
    with throwaway_server(settings) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with chromium_browser() as browser:
        yield browser


@pytest.fixture
def context(browser: Browser, base_url: str) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=base_url, viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def api(context: BrowserContext) -> APIRequestContext:
    """Direct API access (same base URL) for arranging data and checking what was stored."""
    return context.request


@pytest.fixture
def screenshot():
    """Save a PNG of `page` to .test-artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path))
        return path

    return take
