"""Reads outside any session, on the reader pool beside the engine.

Starting a run reads its version and, with ``?wait``, the finished run; every open
WebSocket replays and polls its run's events. Those reads need no session, no unit of
work and no transaction: each is one prebuilt SELECT executed on a connection of the
reader pool (``backend.db.session.reader_of``), which no session ever holds. So a caller
may read here while it holds a session, mid-transaction even, and never waits for
itself; it reads the last commit.

On SQLite the statement goes to aiosqlite itself, compiled once with named parameters
(which sqlite3 binds from a mapping) and its rows decoded by the columns' own result
processors: one trip to aiosqlite's thread instead of the four a SQLAlchemy execution
makes (cursor, execute, fetch, close). Elsewhere SQLAlchemy executes it.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Select
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from backend.db.session import reader_of

# The parameters are bound as given, without their types' processors: the reads here
# take ids, numbers and statuses (strings and integers).
_NAMED = sqlite.dialect(paramstyle="named")


class DriverQuery:
    """``statement`` (a SELECT), read on the reader pool of an engine; each row's fields
    are named after the selected columns."""

    def __init__(self, statement: Select[Any]) -> None:
        self._statement = statement
        self._row = namedtuple("Row", [column.key for column in statement.selected_columns])  # type: ignore[misc]
        compiled = statement.compile(dialect=_NAMED)
        self._sqlite_sql = compiled.string
        self._literals = {
            name: value for name, value in compiled.params.items() if value is not None
        }
        self._decoders: tuple[Callable[[Any], Any] | None, ...] | None = None

    async def first(self, engine: AsyncEngine, params: Mapping[str, Any]) -> Any | None:
        """The first row for ``params`` (named as the statement's bind parameters), or ``None``."""
        rows = await self.all(engine, params)
        return rows[0] if rows else None

    async def all(self, engine: AsyncEngine, params: Mapping[str, Any]) -> list[Any]:
        """Every row for ``params``."""
        async with reader_of(engine).connect() as connection:
            if connection.dialect.name == "sqlite":
                return await self._read_sqlite(connection, params)
            return list((await connection.execute(self._statement, params)).all())

    async def _read_sqlite(
        self, connection: AsyncConnection, params: Mapping[str, Any]
    ) -> list[Any]:
        raw = await connection.get_raw_connection()
        rows = await raw.driver_connection.execute_fetchall(
            self._sqlite_sql, {**self._literals, **params}
        )
        decoders = self._decoders or self._decoders_for(connection)
        return [self._decoded(row, decoders) for row in rows]

    def _decoded(self, row: Any, decoders: tuple[Callable[[Any], Any] | None, ...]) -> Any:
        pairs = zip(row, decoders, strict=True)
        return self._row._make([value if do is None else do(value) for value, do in pairs])

    def _decoders_for(self, connection: AsyncConnection) -> tuple[Callable[[Any], Any] | None, ...]:
        dialect = connection.dialect
        self._decoders = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in self._statement.selected_columns
        )
        return self._decoders
