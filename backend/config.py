"""Nodeloom's one settings object, read from ``NODELOOM_*`` environment variables.

Every setting is documented by its ``Field`` description; unsafe or invalid values are
refused when the settings are built, with a message naming the variable to fix.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

MIB = 1024 * 1024
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = Path("~/.nodeloom")
DEFAULT_FRONTEND_DIR = REPO_ROOT / "frontend" / "dist"

LogLevel = Literal["critical", "error", "warning", "info", "debug", "trace"]

# Drivers the async engine supports, keyed by the plain scheme a person may write.
_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}

logger = logging.getLogger(__name__)


class Settings(BaseSettings):
    """How one Nodeloom process runs; see each field's description."""

    model_config = SettingsConfigDict(env_prefix="NODELOOM_", extra="ignore", frozen=True)

    data_dir: Path = Field(
        default=DEFAULT_DATA_DIR,
        description="Directory for Nodeloom's local data; the default SQLite database lives "
        "here. Created on first use.",
    )
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL of the database: `sqlite+aiosqlite:///PATH` (default: "
        "`nodeloom.db` in the data directory) or `postgresql+asyncpg://USER:PASSWORD@HOST/DB`. "
        "Plain `sqlite://`, `postgresql://` and `postgres://` URLs get the async driver added.",
    )
    host: str = Field(
        default="127.0.0.1",
        min_length=1,
        description="Interface the HTTP server binds to. Nodeloom has no sign-in yet, so "
        "anything other than a loopback address exposes your workflows to the network.",
    )
    port: int = Field(default=8000, ge=1, le=65535, description="TCP port of the HTTP server.")
    frontend_dir: Path = Field(
        default=DEFAULT_FRONTEND_DIR,
        description="Directory holding the built frontend (`index.html` and assets) that the "
        "server serves at `/`; defaults to `frontend/dist` in the source tree.",
    )
    max_body_bytes: int = Field(
        default=10 * MIB,
        ge=1024,
        le=1024 * MIB,
        description="Largest request body accepted, in bytes (1 KiB to 1 GiB); larger "
        "requests get `413 Payload Too Large`.",
    )
    log_level: LogLevel = Field(
        default="info",
        description="Log level of the server: critical, error, warning, info, debug or trace.",
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _lower_log_level(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("data_dir", "frontend_dir", mode="after")
    @classmethod
    def _expand_path(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("host", mode="after")
    @classmethod
    def _check_host(cls, value: str) -> str:
        value = value.strip()
        if not value or any(char.isspace() for char in value):
            raise ValueError("host must be a host name or IP address without spaces")
        return value

    @field_validator("database_url", mode="after")
    @classmethod
    def _resolve_database_url(cls, value: str, info: ValidationInfo) -> str:
        data_dir = info.data.get("data_dir", DEFAULT_DATA_DIR.expanduser())
        return normalize_database_url(
            value.strip() or f"sqlite+aiosqlite:///{data_dir}/nodeloom.db"
        )

    @property
    def is_loopback(self) -> bool:
        return self.host in ("127.0.0.1", "::1", "localhost") or self.host.startswith("127.")


def normalize_database_url(raw: str) -> str:
    """Return ``raw`` with its async driver, or raise ``ValueError`` saying what is wrong."""
    try:
        url = make_url(raw)
    except ArgumentError as error:
        raise ValueError(
            f"database_url {raw!r} is not a database URL, e.g. sqlite+aiosqlite:///nodeloom.db"
        ) from error
    driver = _ASYNC_DRIVERS.get(url.drivername)
    if driver is None:
        raise ValueError(
            f"database_url uses {url.drivername!r}; Nodeloom supports SQLite "
            "(sqlite+aiosqlite://) and PostgreSQL (postgresql+asyncpg://)"
        )
    url = url.set(drivername=driver)
    if driver.startswith("sqlite"):
        _check_sqlite_url(url)
    elif not url.database:
        raise ValueError("database_url for PostgreSQL must name a database, e.g. …/nodeloom")
    return url.render_as_string(hide_password=False)


def _check_sqlite_url(url: URL) -> None:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file::memory:"):
        raise ValueError(
            "database_url points at an in-memory SQLite database, which forgets everything "
            "and is not shared between connections; give a file path instead"
        )


def sqlite_path(database_url: str) -> Path | None:
    """The database file of a SQLite URL, or ``None`` for any other database."""
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite") or not url.database:
        return None
    return Path(url.database).expanduser()
