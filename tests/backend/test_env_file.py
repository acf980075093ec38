"""``nodeloom serve`` reads ``.env`` from its working directory; the environment wins."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from services.nodeloom import NodeloomProcess
from services.processes import free_port

REPO = Path(__file__).resolve().parents[2]


def test_serve_takes_its_settings_from_dot_env_in_the_working_directory(tmp_path: Path):
    port, data = free_port(), tmp_path / "data"
    (tmp_path / ".env").write_text(
        f"# settings of this directory\nNODELOOM_PORT={port}\nNODELOOM_DATA_DIR={data}\n"
    )
    # No --port: the server answers on the port .env names, or start() times out.
    environment = {"NODELOOM_LOG_LEVEL": "warning"}
    server = NodeloomProcess(
        "serve", ["serve"], environment, tmp_path / "serve.log", port, cwd=tmp_path
    )
    try:
        server.start()
    finally:
        server.stop()
    assert (data / "nodeloom.db").is_file()


def test_the_environment_wins_over_dot_env(tmp_path: Path):
    (tmp_path / ".env").write_text(
        "NODELOOM_LOG_LEVEL=nonsense\nNODELOOM_MAX_BODY_BYTES=1\n"
        f"NODELOOM_DATA_DIR={tmp_path / 'data'}\n"
    )
    environment = {**os.environ, "NODELOOM_LOG_LEVEL": "warning", "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-m", "backend.cli", "serve", "--port", str(free_port())],
        env=environment,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
    )
    # .env's body limit is read and refused; its log level loses to the environment's.
    assert result.returncode != 0
    assert "NODELOOM_MAX_BODY_BYTES" in result.stderr
    assert "NODELOOM_LOG_LEVEL" not in result.stderr
