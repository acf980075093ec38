"""The settings: defaults, environment, and refusals with clear messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from backend.config import REPO_ROOT, Settings, normalize_database_url, sqlite_path


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "DATABASE_URL",
        "HOST",
        "PORT",
        "DATA_DIR",
        "FRONTEND_DIR",
        "MAX_BODY_BYTES",
        "LOG_LEVEL",
    ):
        monkeypatch.delenv(f"NODELOOM_{name}", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))


def test_defaults(tmp_path: Path):
    settings = Settings()

    assert settings.data_dir == tmp_path / ".nodeloom"
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path}/.nodeloom/nodeloom.db"
    assert (settings.host, settings.port, settings.log_level) == ("127.0.0.1", 8000, "info")
    assert settings.max_body_bytes == 10 * 1024 * 1024
    assert settings.frontend_dir == REPO_ROOT / "frontend" / "dist"
    assert settings.is_loopback


def test_environment_variables_use_the_nodeloom_prefix(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("NODELOOM_PORT", "9001")
    monkeypatch.setenv("NODELOOM_HOST", "0.0.0.0")
    monkeypatch.setenv("NODELOOM_LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("NODELOOM_DATA_DIR", "~/elsewhere")
    monkeypatch.setenv("NODELOOM_DATABASE_URL", "postgres://u:p%40ss@db:5432/nodeloom")

    settings = Settings()

    assert (settings.port, settings.host, settings.log_level) == (9001, "0.0.0.0", "debug")
    assert not settings.is_loopback
    assert settings.data_dir == Path.home() / "elsewhere"
    assert settings.database_url == "postgresql+asyncpg://u:p%40ss@db:5432/nodeloom"


def test_default_database_follows_the_data_dir(tmp_path: Path):
    settings = Settings(data_dir=tmp_path / "d")

    assert sqlite_path(settings.database_url) == tmp_path / "d" / "nodeloom.db"
    assert not (tmp_path / "d").exists()  # created when the database is first opened


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("sqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("sqlite+aiosqlite:////abs/x.db", "sqlite+aiosqlite:////abs/x.db"),
        ("postgresql://h/db", "postgresql+asyncpg://h/db"),
        ("postgresql+asyncpg://u@h:1/db", "postgresql+asyncpg://u@h:1/db"),
    ],
)
def test_database_urls_get_their_async_driver(raw: str, expected: str):
    assert normalize_database_url(raw) == expected


@pytest.mark.parametrize(
    ("options", "field", "words"),
    [
        ({"database_url": "mysql://h/db"}, "database_url", "supports SQLite"),
        ({"database_url": "postgresql+psycopg2://h/db"}, "database_url", "supports SQLite"),
        ({"database_url": "sqlite://"}, "database_url", "in-memory"),
        ({"database_url": "sqlite:///:memory:"}, "database_url", "in-memory"),
        ({"database_url": "postgresql://h"}, "database_url", "must name a database"),
        ({"database_url": "not a url"}, "database_url", "not a database URL"),
        ({"port": 0}, "port", "greater than or equal to 1"),
        ({"port": 70000}, "port", "less than or equal to 65535"),
        ({"host": "my host"}, "host", "without spaces"),
        ({"host": ""}, "host", "at least 1"),
        ({"max_body_bytes": 10}, "max_body_bytes", "greater than or equal to 1024"),
        ({"log_level": "loud"}, "log_level", "'critical', 'error'"),
    ],
)
def test_unsafe_or_invalid_values_are_refused(options: dict, field: str, words: str):
    with pytest.raises(ValidationError) as raised:
        Settings(**options)

    errors = raised.value.errors()
    assert [error["loc"] for error in errors] == [(field,)]
    assert words in errors[0]["msg"]


def test_every_setting_is_documented():
    for name, field in Settings.model_fields.items():
        assert field.description and len(field.description) > 20, name


def test_settings_are_immutable():
    settings = Settings()

    with pytest.raises(ValidationError):
        settings.port = 1  # type: ignore[misc]
