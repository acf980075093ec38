"""Reads outside any session, through the reader beside the engine.

Starting a run reads its version and, with ``?wait``, the finished run; every open
WebSocket replays and polls its run's events. Those reads need no session, no unit of
work and no transaction: each is one prebuilt SELECT executed by the engine's reader
(``backend.db.session.reader_of``), which no session ever holds. So a caller may read
here while it holds a session, mid-transaction even, and never waits for itself; it
reads the last commit.

On SQLite the reader is a read-only ``sqlite3`` connection on the event loop's thread
(``backend.db.sqlite_reader``): the statement is compiled once with named parameters
(which sqlite3 binds from a mapping) and its rows are decoded by the columns' own result
processors. On PostgreSQL SQLAlchemy executes it on the reader's pool.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Select
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.db.session import reader_of
from backend.db.sqlite_reader import SQLiteReader

Decoder = Callable[[Any], Any] | None
# The parameters are bound as given, without their types' processors: the reads here
# take ids, numbers and statuses (strings and integers).
_NAMED = sqlite.dialect(paramstyle="named")


class PrebuiltRead:
    """``statement`` (a SELECT), read through an engine's reader; each row's fields are
    named after the selected columns."""

    def __init__(self, statement: Select[Any]) -> None:
        self._statement = statement
        self._row = namedtuple("Row", [column.key for column in statement.selected_columns])  # type: ignore[misc]
        compiled = statement.compile(dialect=_NAMED)
        self._sqlite_sql = compiled.string
        # The statement's own literals (an OFFSET, a status compared with) are parameters.
        self._literals = {
            name: value for name, value in compiled.params.items() if value is not None
        }
        self._decoders: tuple[Decoder, ...] | None = None

    async def first(self, engine: AsyncEngine, params: Mapping[str, Any]) -> Any | None:
        """The first row for ``params`` (named as the statement's bind parameters), or ``None``."""
        rows = await self.all(engine, params)
        return rows[0] if rows else None

    async def all(self, engine: AsyncEngine, params: Mapping[str, Any]) -> list[Any]:
        """Every row for ``params``."""
        reader = reader_of(engine)
        if isinstance(reader, SQLiteReader):
            rows = reader.fetch(self._sqlite_sql, {**self._literals, **params})
            decoders = self._decoders or self._decoders_for(engine.dialect)
            return [self._decoded(row, decoders) for row in rows]
        async with reader.connect() as connection:
            return list((await connection.execute(self._statement, params)).all())

    def _decoded(self, row: Any, decoders: tuple[Decoder, ...]) -> Any:
        pairs = zip(row, decoders, strict=True)
        return self._row._make([value if do is None else do(value) for value, do in pairs])

    def _decoders_for(self, dialect: Dialect) -> tuple[Decoder, ...]:
        self._decoders = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in self._statement.selected_columns
        )
        return self._decoders
