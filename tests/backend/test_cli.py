"""The nodeloom command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from services.processes import free_port

from backend.app import create_app
from backend.cli import EXIT_FAILURE, EXIT_OK, main
from backend.config import Settings
from graph_engine.document import json_schema


def test_openapi_prints_sorted_json_with_a_trailing_newline(capsys: pytest.CaptureFixture[str]):
    assert main(["openapi"]) == EXIT_OK

    out = capsys.readouterr().out
    assert out.endswith("}\n") and out.startswith('{\n  "components"')
    assert json.loads(out) == create_app(Settings()).openapi()


def test_openapi_and_schema_write_files(tmp_path: Path):
    openapi_file, schema_file = tmp_path / "a" / "openapi.json", tmp_path / "schema.json"

    assert main(["openapi", "--output", str(openapi_file)]) == EXIT_OK
    assert main(["schema", "-o", str(schema_file)]) == EXIT_OK

    assert json.loads(openapi_file.read_text())["info"]["title"] == "Nodeloom"
    assert json.loads(schema_file.read_text()) == json_schema()


def test_unwritable_output_fails_cleanly(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    blocker = tmp_path / "file"
    blocker.write_text("")

    assert main(["schema", "--output", str(blocker / "x.json")]) == EXIT_FAILURE
    assert "cannot write" in capsys.readouterr().err


def test_db_upgrade_creates_a_migrated_database(tmp_path: Path, capsys: pytest.CaptureFixture):
    path = tmp_path / "nested" / "cli.db"

    assert main(["db", "upgrade", "--database-url", f"sqlite:///{path}"]) == EXIT_OK

    assert path.is_file()
    assert "up to date" in capsys.readouterr().out


def test_bad_settings_exit_1_naming_the_variable(capsys: pytest.CaptureFixture[str]):
    assert main(["db", "upgrade", "--database-url", "mysql://h/db"]) == EXIT_FAILURE

    err = capsys.readouterr().err
    assert "NODELOOM_DATABASE_URL" in err and "supports SQLite" in err


def test_unreachable_database_exits_1_without_a_traceback(capsys: pytest.CaptureFixture[str]):
    url = "postgresql+asyncpg://nobody:secret@127.0.0.1:9/nowhere"

    assert main(["db", "upgrade", "--database-url", url]) == EXIT_FAILURE

    err = capsys.readouterr().err
    assert "cannot migrate the database" in err
    assert "secret" not in err and "Traceback" not in err


def test_usage_errors_exit_2():
    with pytest.raises(SystemExit) as raised:
        main(["fly"])

    assert raised.value.code == 2


def test_serve_migrates_then_answers(tmp_path: Path):
    port, database = free_port(), tmp_path / "served.db"
    server = _start_serve(tmp_path, port, database)
    try:
        health = _wait_for(f"http://127.0.0.1:{port}/api/v1/health", server)
        ready = httpx.get(f"http://127.0.0.1:{port}/api/v1/ready")
        docs = httpx.get(f"http://127.0.0.1:{port}/docs")
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0].decode()

    assert health.json() == {"status": "ok"}, output
    assert ready.json() == {"status": "ok", "database": "ok"}
    assert docs.status_code == 200
    assert database.is_file()


@pytest.mark.parametrize(
    ("auth", "warned"), [("off", True), ("on", False)], ids=["single-person", "accounts"]
)
def test_serve_warns_off_loopback_only_without_sign_in(tmp_path: Path, auth: str, warned: bool):
    port = free_port()
    server = _start_serve(
        tmp_path,
        port,
        tmp_path / "served.db",
        "--host",
        "0.0.0.0",
        NODELOOM_AUTH=auth,
        NODELOOM_SECRET_KEY="test-secret-key-for-the-cli-serve-test-0123",
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/api/v1/health", server)
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0].decode()

    assert ("without sign-in" in output) is warned, output
    assert ("NODELOOM_AUTH=on" in output) is warned, output


def _start_serve(
    tmp_path: Path, port: int, database: Path, *options: str, **environment: str
) -> subprocess.Popen:
    command = [sys.executable, "-m", "backend.cli", "serve", "--port", str(port), *options]
    command += ["--database-url", f"sqlite:///{database}"]
    environment = {
        **os.environ,
        "HOME": str(tmp_path),
        "NODELOOM_LOG_LEVEL": "warning",
        **environment,
    }
    return subprocess.Popen(
        command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def _wait_for(url: str, server: subprocess.Popen) -> httpx.Response:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(server.communicate()[0].decode())
        try:
            return httpx.get(url)
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer")
