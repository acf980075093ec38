"""SQLite for the async engine, called straight from the event loop.

SQLAlchemy's aiosqlite driver runs every call on a helper thread: each ``execute``,
``fetch`` and ``commit`` is a hop to that thread and back (about 25 µs of CPU each,
plus the GIL changing hands), while the SQLite work itself — WAL mode, one pooled
connection, ``synchronous=NORMAL``, no fsync on commit — mostly takes microseconds. The
hops cost more than the work. This driver hands SQLAlchemy's asyncio layer a plain
``sqlite3`` connection whose calls complete inline; sessions, pooling and the
``sqlite+aiosqlite`` URLs stay as they are.

What it trades: a call that has to wait for SQLite's write lock waits on the event
loop. Inside one process that does not happen — the pool holds a single connection
and callers queue for it in asyncio — so only another process writing the same file
at the same moment (a second server on one data directory) can make the loop wait,
for as long as that process's write transaction lasts.
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

from sqlalchemy import pool
from sqlalchemy.connectors.asyncio import (
    AsyncAdapt_dbapi_connection,
    AsyncAdapt_dbapi_cursor,
    AsyncAdapt_dbapi_module,
)
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL
from sqlalchemy.util.concurrency import await_, in_greenlet

DRIVER_NAME = "sqlite+nodeloom"


class InLoopCursor(AsyncAdapt_dbapi_cursor):
    __slots__ = ()
    _awaitable_cursor_close = False  # sqlite3's close is a plain call

    def _aenter_cursor(self, cursor: Any) -> Any:
        return cursor

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        _count_as_awaited()
        result = self._cursor.execute(operation, () if parameters is None else parameters)
        if self._cursor.description:  # rows are read at once, as the async drivers do
            self._rows = collections.deque(self._cursor.fetchall())
        return result

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        _count_as_awaited()
        return self._cursor.executemany(operation, seq_of_parameters)


async def _nothing() -> None:
    return None


def _count_as_awaited() -> None:
    """One no-op await: ``AsyncConnection.execute`` insists that its call awaited."""
    if in_greenlet():
        await_(_nothing())


class InLoopConnection(AsyncAdapt_dbapi_connection):
    __slots__ = ()
    _cursor_cls = InLoopCursor
    _ss_cursor_cls = InLoopCursor

    @property
    def isolation_level(self) -> str | None:
        return self._connection.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self._connection.isolation_level = value

    def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._connection.create_function(*args, **kwargs)

    def rollback(self) -> None:
        self._connection.rollback()

    def commit(self) -> None:
        self._connection.commit()

    def close(self) -> None:
        self._connection.close()


class InLoopDBAPI(AsyncAdapt_dbapi_module):
    """``sqlite3`` as the DBAPI module, with connections the asyncio layer accepts."""

    paramstyle = "qmark"

    def __init__(self) -> None:
        super().__init__(sqlite3, dbapi_module=sqlite3)
        for name in (
            "DatabaseError",
            "Error",
            "IntegrityError",
            "InterfaceError",
            "InternalError",
            "NotSupportedError",
            "OperationalError",
            "ProgrammingError",
            "DataError",
            "Warning",
            "sqlite_version",
            "sqlite_version_info",
            "PARSE_COLNAMES",
            "PARSE_DECLTYPES",
            "Binary",
        ):
            setattr(self, name, getattr(sqlite3, name))

    def connect(self, *args: Any, **kwargs: Any) -> InLoopConnection:
        return InLoopConnection(self, sqlite3.connect(*args, **kwargs))


class InLoopSQLiteDialect(SQLiteDialect_pysqlite):
    driver = "nodeloom"
    supports_statement_cache = True
    is_async = True

    @classmethod
    def import_dbapi(cls) -> Any:
        return InLoopDBAPI()

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        if cls._is_url_file_db(url):
            return pool.AsyncAdaptedQueuePool
        return pool.StaticPool

    def get_driver_connection(self, connection: Any) -> Any:
        return connection._connection
