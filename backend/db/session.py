"""The async engine and session factory, built from the settings, and the reader beside
each engine."""

from __future__ import annotations

import weakref
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext import asyncio as sqlalchemy_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.pool import PoolProxiedConnection

from backend.database_url import sqlite_path
from backend.db.availability import report_connect_failure
from backend.db.sqlite_reader import SQLiteReader

# A write waits up to this long for the write lock instead of failing. The server's own
# writes never wait for it (one pooled writer connection); another process writing the
# same file may make them.
SQLITE_BUSY_TIMEOUT_SECONDS = 30
# PostgreSQL connections the reads of ``reader_of`` share; a read holds one while it runs.
READER_POOL_SIZE = 4

Reader = AsyncEngine | SQLiteReader
_READERS: weakref.WeakKeyDictionary[Engine, Reader] = weakref.WeakKeyDictionary()


def create_engine(database_url: str, **options: Any) -> AsyncEngine:
    """An engine for ``database_url`` and its reader (``reader_of``); for SQLite, creates
    the file's directory first."""
    path = sqlite_path(database_url)
    if path is None:
        engine = _postgresql_engine(database_url, options)
        # A read is one statement: autocommit spares it a BEGIN and the ROLLBACK on return.
        reader = _postgresql_engine(
            database_url,
            {"pool_size": READER_POOL_SIZE, "max_overflow": 0, "isolation_level": "AUTOCOMMIT"},
        )
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        # One writer at a time is all SQLite allows; queueing for the one connection in
        # asyncio beats SQLite's busy handler, which sleeps in steps of up to 100 ms.
        # The pool's rollback on check-in is skipped: sessions and connections end their
        # own transactions before they give the connection back.
        engine = _sqlite_engine(
            database_url,
            {
                "pool_size": 1,
                "max_overflow": 0,
                "pool_timeout": 60,
                "pool_reset_on_return": None,
                **options,
            },
        )
        # WAL lets readers read the last commit while the writer writes: the reads never
        # wait for the writer's connection, nor for its lock.
        reader = SQLiteReader(path)
    _READERS[engine.sync_engine] = reader
    event.listen(engine.sync_engine, "engine_disposed", lambda _: _close(reader))
    return engine


def reader_of(engine: AsyncEngine) -> Reader:
    """What reads of ``engine``'s database outside any session go through: a pool of its
    own on PostgreSQL, a read-only connection on the event loop's thread for SQLite.

    Its connections are only ever held by one read at a time, never by a session, so a
    caller holding a session (mid-transaction, even) that reads here cannot wait for
    itself; what it reads is the last commit.
    """
    return _READERS[engine.sync_engine]


def _close(reader: Reader) -> None:
    # Called inside the engine's dispose, where an async pool's dispose may run too.
    if isinstance(reader, SQLiteReader):
        reader.close()
    else:
        reader.sync_engine.dispose()


def _new_engine(database_url: str, **options: Any) -> AsyncEngine:
    # Looked up at each call: while tracing is on, its SQLAlchemy instrumentation wraps
    # this function so that the engine makes a span per statement (library_spans).
    return sqlalchemy_asyncio.create_async_engine(database_url, **options)


def _postgresql_engine(database_url: str, options: dict[str, Any]) -> AsyncEngine:
    engine = _new_engine(database_url, **options)
    event.listen(engine.sync_engine, "do_connect", report_connect_failure)
    event.listen(engine.sync_engine, "checkout", _replace_if_closed)
    return engine


def _replace_if_closed(_dbapi_connection: Any, _record: Any, proxy: PoolProxiedConnection) -> None:
    """Hand out no connection the server closed (a restart closes them all): the pool
    then connects anew. This asks the driver, which learnt it from the socket, instead of
    the server: ``pool_pre_ping`` costs a round trip per checkout, and three outside a
    transaction with asyncpg (BEGIN, a ping, ROLLBACK). A connection that fails in use is
    still caught: SQLAlchemy then renews the whole pool."""
    if proxy.driver_connection.is_closed():
        raise DisconnectionError("the server closed this connection")


def _sqlite_engine(database_url: str, options: dict[str, Any]) -> AsyncEngine:
    engine = _new_engine(
        database_url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
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
