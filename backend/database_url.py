"""Database URLs: the async driver added to a plain one, and refusals that say why."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

# Drivers the async engine supports, keyed by the plain scheme a person may write.
_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


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
