"""Reads on the hot path, executed by the database driver itself.

A primary-key read through a session costs about 175 µs of CPU on SQLite, of which
SQLite takes under 10: the session, its transaction and SQLAlchemy's execution context
are the rest. Starting a run reads twice (the version to run and, with ``?wait``, the
finished run), and every open WebSocket replays and polls its run's events, so those
reads come here. The statement is compiled once per dialect (as
``backend.db.bulk`` does for the recorder's writes), executed on a connection taken from
the engine's pool for just this read, and its row decoded by the columns' own result
processors (JSON, UTC datetimes): about 40 µs on SQLite.

A read here runs on a connection of its own, outside any session and transaction: call
it only while the caller holds no pooled connection. SQLite's pool has one connection,
and a caller holding it would wait for itself.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util.concurrency import greenlet_spawn

from backend.db.bulk import Getter, compile_for_driver

Decoder = Callable[[Any], Any] | None


class DriverQuery:
    """``statement`` (a SELECT), ready to read straight through the driver; each row's
    fields are named after the selected columns."""

    def __init__(self, statement: Select[Any]) -> None:
        self._statement = statement
        self._row = namedtuple("Row", [column.key for column in statement.selected_columns])  # type: ignore[misc]
        self._plans: dict[str, _Plan] = {}

    async def first(self, engine: AsyncEngine, params: Mapping[str, Any]) -> Any | None:
        """The first row for ``params`` (named as the statement's bind parameters), or ``None``."""
        rows = await self._read(engine, params, first_only=True)
        return rows[0] if rows else None

    async def all(self, engine: AsyncEngine, params: Mapping[str, Any]) -> list[Any]:
        """Every row for ``params``."""
        return await self._read(engine, params, first_only=False)

    async def _read(
        self, engine: AsyncEngine, params: Mapping[str, Any], *, first_only: bool
    ) -> list[Any]:
        dialect = engine.dialect
        pooled = await engine.raw_connection()
        try:
            driver = pooled.driver_connection
            plan = self._plans.get(dialect.name) or await self._plan(dialect, driver)
            arguments = tuple([get(params) for get in plan.getters])
            rows = await _fetch(dialect, driver, plan.sql, arguments, first_only)
        finally:
            await greenlet_spawn(pooled.close)  # asyncpg's reset on return awaits
        return [self._decoded(row, plan.decoders) for row in rows]

    def _decoded(self, row: Any, decoders: tuple[Decoder, ...]) -> Any:
        pairs = zip(row, decoders, strict=True)
        return self._row._make([value if do is None else do(value) for value, do in pairs])

    async def _plan(self, dialect: Dialect, driver_connection: Any) -> _Plan:
        sql, getters = compile_for_driver(self._statement, dialect)
        columns = self._statement.selected_columns
        types = await _column_types(dialect, driver_connection, sql, len(columns))
        decoders = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, type_code)
            for column, type_code in zip(columns, types, strict=True)
        )
        plan = self._plans[dialect.name] = _Plan(sql, getters, decoders)
        return plan


@dataclass(frozen=True)
class _Plan:
    sql: str
    getters: tuple[Getter, ...]
    decoders: tuple[Decoder, ...]


async def _column_types(
    dialect: Dialect, driver_connection: Any, sql: str, count: int
) -> list[Any]:
    """Each result column's type code as the driver describes it, which some result
    processors need (asyncpg's numbers: the type's OID, the same on every connection)."""
    if dialect.driver == "asyncpg":
        statement = await driver_connection.prepare(sql)
        return [attribute.type.oid for attribute in statement.get_attributes()]
    return [None] * count  # SQLite's processors need none (its cursor has none to give)


async def _fetch(
    dialect: Dialect, driver_connection: Any, sql: str, arguments: tuple[Any, ...], first_only: bool
) -> list[Any]:
    if dialect.driver == "asyncpg":
        if first_only:
            row = await driver_connection.fetchrow(sql, *arguments)
            return [] if row is None else [row]
        return await driver_connection.fetch(sql, *arguments)
    if dialect.name == "sqlite":  # sqlite3 itself (``backend.db.sqlite_in_loop``)
        cursor = driver_connection.execute(sql, arguments)
        try:
            return cursor.fetchmany(1) if first_only else cursor.fetchall()
        finally:
            cursor.close()
    raise ValueError(f"no driver read for {dialect.name}+{dialect.driver}")
