"""The async engine and session factory, built from the settings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, make_url
from sqlalchemy.dialects import registry
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from backend.database_url import sqlite_path
from backend.db.availability import report_connect_failure
from backend.db.sqlite_in_loop import DRIVER_NAME

registry.register("sqlite.nodeloom", "backend.db.sqlite_in_loop", "InLoopSQLiteDialect")

# A write waits up to this long for the write lock instead of failing. Within the server
# that never happens (one pooled connection); another process writing the same file
# would make the event loop wait (see ``sqlite_in_loop``).
SQLITE_BUSY_TIMEOUT_SECONDS = 30


def create_engine(database_url: str, **options: Any) -> AsyncEngine:
    """An engine for ``database_url``; for SQLite, creates the file's directory first."""
    path = sqlite_path(database_url)
    if path is None:
        engine = create_async_engine(database_url, pool_pre_ping=True, **options)
        event.listen(engine.sync_engine, "do_connect", report_connect_failure)
        return engine
    path.parent.mkdir(parents=True, exist_ok=True)
    # One writer at a time is all SQLite allows; queueing for the one connection in
    # asyncio beats SQLite's busy handler, which sleeps in steps of up to 100 ms.
    # The pool's rollback on check-in is skipped: sessions and connections end their own
    # transactions before they give the connection back. SQLite is called from the event
    # loop, not aiosqlite's thread (see ``sqlite_in_loop``); the URL keeps its name.
    options = {
        "pool_size": 1,
        "max_overflow": 0,
        "pool_timeout": 60,
        "pool_reset_on_return": None,
        **options,
    }
    url = make_url(database_url).set(drivername=DRIVER_NAME)
    engine = create_async_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        **options,
    )
    event.listen(engine.sync_engine, "connect", _configure_sqlite_connection)
    return engine


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers work while one writer writes; the busy timeout makes writers queue;
    # foreign keys are off by default in SQLite and ON DELETE CASCADE needs them.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
