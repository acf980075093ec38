"""Start-up refuses unsafe or unusable operations settings, saying what to change."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from services.processes import free_port

from backend.cli import main
from backend.observability import tracing

KAFKA = "NODELOOM_KAFKA_BOOTSTRAP_SERVERS"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    for name in (
        KAFKA,
        "NODELOOM_DATABASE_URL",
        "NODELOOM_EMBEDDED_WORKER",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NODELOOM_DATA_DIR", str(tmp_path / "data"))


@pytest.mark.parametrize("command", [["serve"], ["worker"]])
def test_separate_workers_on_sqlite_are_refused(command, monkeypatch, capsys):
    monkeypatch.setenv(KAFKA, "127.0.0.1:9")
    monkeypatch.setenv("NODELOOM_SECRET_KEY", "test-secret-key-shared-by-every-process-0123")
    assert main(command) == 1
    error = capsys.readouterr().err
    assert "SQLite" in error and "PostgreSQL" in error and KAFKA in error


def test_kafka_with_sqlite_is_allowed_when_the_api_runs_the_runs_itself(monkeypatch):
    from backend.config import Settings

    settings = Settings(
        kafka_bootstrap_servers="127.0.0.1:9",
        embedded_worker=True,
        secret_key="test-secret-key-shared-by-every-process-0123",
    )
    assert settings.runs_embedded_worker and settings.database_url.startswith("sqlite")


def test_an_unknown_log_format_is_refused_naming_the_setting(monkeypatch, capsys):
    monkeypatch.setenv("NODELOOM_LOG_FORMAT", "xml")
    assert main(["serve"]) == 1
    assert "NODELOOM_LOG_FORMAT" in capsys.readouterr().err


def test_otlp_without_its_exporter_package_is_refused(monkeypatch, capsys):
    # As if `opentelemetry-exporter-otlp-proto-http` were not installed.
    monkeypatch.setitem(sys.modules, "opentelemetry.exporter.otlp.proto.http.trace_exporter", None)
    monkeypatch.setenv("NODELOOM_OTEL_EXPORTER", "otlp")
    try:
        assert main(["serve", "--port", "1"]) == 1
    finally:
        tracing.shutdown_tracing()
    assert tracing.OTLP_PACKAGE in capsys.readouterr().err


@pytest.mark.parametrize(
    ("command", "exit_code"),
    [
        # uvicorn's exit status for a failed start-up; the API runs its runs (SQLite)
        (["serve", "--port", "{port}"], 3),
        # Kafka is the first thing a worker reaches (the database is not used before)
        (["worker", "--database-url", "postgresql://nodeloom@127.0.0.1:{port}/nodeloom"], 1),
    ],
)
def test_unreachable_kafka_is_one_clear_line_without_a_stack(command, exit_code, tmp_path):
    dead = free_port()  # nothing listens here
    environment = {
        **os.environ,
        "NODELOOM_DATA_DIR": str(tmp_path / "data"),
        KAFKA: f"127.0.0.1:{dead}",
        "NODELOOM_SECRET_KEY": "test-secret-key-shared-by-every-process-0123",
        "NODELOOM_KAFKA_START_TIMEOUT_SECONDS": "1.5",
        "NODELOOM_EMBEDDED_WORKER": "true" if command[0] == "serve" else "false",
    }
    environment.pop("NODELOOM_DATABASE_URL", None)
    argv = [part.format(port=free_port()) for part in command]
    ended = subprocess.run(
        [sys.executable, "-m", "backend.cli", *argv],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = ended.stdout + ended.stderr
    assert ended.returncode == exit_code, output
    reason = f"cannot reach Kafka: connecting the Kafka admin client at 127.0.0.1:{dead} failed "
    assert output.count(reason + "for 1.5 s") == 1, output
    # said once while it waited (the outage's warning), not once per attempt
    assert output.count(f"Kafka broker at 127.0.0.1:{dead} unreachable") == 1, output
    assert "Traceback" not in output and "Unable connect" not in output, output


def test_a_plugin_that_does_not_load_is_one_clear_line_without_a_stack(tmp_path):
    environment = {
        **os.environ,
        "NODELOOM_DATA_DIR": str(tmp_path / "data"),
        "NODELOOM_PLUGINS": "no_such_plugin_module",
    }
    ended = subprocess.run(
        [sys.executable, "-m", "backend.cli", "serve", "--port", str(free_port())],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = ended.stdout + ended.stderr
    assert ended.returncode == 3, output
    assert output.count("cannot load plugin 'no_such_plugin_module' (NODELOOM_PLUGINS)") == 1
    assert "Traceback" not in output, output
