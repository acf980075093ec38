"""Bring a database's schema up to date with the Alembic migrations shipped in this package.

Any number of processes may do it at once (a migration Job beside API pods that migrate
at start-up): each upgrade runs under a lock — a PostgreSQL advisory lock held by the
migrating transaction, or for SQLite an exclusive file lock beside the database file —
so the first migrates, and the others then find the schema current and do nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
from collections.abc import AsyncIterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url

from backend.db.session import create_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any constant of our own: pg_advisory_xact_lock takes one bigint key per database.
MIGRATION_LOCK_KEY = 0x6E6F64656C6F6F6D  # "nodeloom"


def alembic_config(database_url: str) -> Config:
    config = Config(MIGRATIONS_DIR / "alembic.ini")
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def head_revision() -> str:
    """The newest revision this package ships."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


async def upgrade_database(database_url: str, revision: str = "head") -> None:
    """Apply every migration up to ``revision`` (creating a SQLite file if needed)."""
    config = alembic_config(database_url)
    engine = create_engine(database_url)
    try:
        async with _sqlite_file_lock(database_url), engine.begin() as connection:
            await connection.run_sync(_upgrade, config, revision)
    finally:
        await engine.dispose()


def _upgrade(connection: Connection, config: Config, revision: str) -> None:
    if connection.dialect.name == "postgresql":
        # Held until this transaction ends, so until every migration is committed.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


@contextlib.asynccontextmanager
async def _sqlite_file_lock(database_url: str) -> AsyncIterator[None]:
    """For a SQLite file, hold an exclusive lock on ``<file>.migrate-lock`` (closing the
    file releases it, also if the process dies); for other databases, nothing."""
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite") or url.database in (None, "", ":memory:"):
        yield
        return
    path = Path(url.database).with_name(Path(url.database).name + ".migrate-lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as lock_file:
        await asyncio.to_thread(fcntl.flock, lock_file, fcntl.LOCK_EX)
        yield
