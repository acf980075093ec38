"""`make run`, as the README's first line tells a person to type it, brings the app up."""

from __future__ import annotations

import os
import shutil
import tempfile
import urllib.request
from pathlib import Path

from conftest import free_port, running_server


def _get(url: str) -> tuple[int, str, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        body = response.read().decode("utf-8")
        return response.status, response.headers.get("content-type", ""), body


def test_make_run_serves_the_app_the_api_and_the_docs():
    # The test set-up already installed everything, so this also shows that a second
    # `make run` reuses what is installed instead of redoing it.
    workdir = Path(tempfile.mkdtemp(prefix="nodeloom-make-run-"))
    port = free_port()
    env = {**os.environ, "NODELOOM_PORT": str(port), "NODELOOM_DATA_DIR": str(workdir)}
    env.pop("NODELOOM_DATABASE_URL", None)
    try:
        with running_server(
            ["make", "--no-print-directory", "run"], port, env, workdir / "log"
        ) as url:
            status, content_type, page = _get(f"{url}/")
            assert status == 200 and "text/html" in content_type
            assert '<div id="root">' in page
            assert _get(f"{url}/api/v1/health")[2] == '{"status":"ok"}'
            status, _, docs = _get(f"{url}/docs")
            assert status == 200 and "swagger" in docs.lower()
            log = (workdir / "log").read_text()
        # The embedded default: a SQLite file in the data directory.
        assert (workdir / "nodeloom.db").is_file()
        assert "npm" not in log and "pip install" not in log, log
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
