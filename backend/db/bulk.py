"""One prebuilt statement executed for many rows of named parameters.

The recorder runs two statements for every batch of run events (the events, then the
runs' summaries). Each is built once, so its cache key is computed once and its
compiled form comes from the engine's compiled cache; SQLAlchemy executes it for all
rows at once (``executemany``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Insert, Update, bindparam
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.types import UserDefinedType


class BulkStatement:
    """``statement``, ready to execute for many rows of named parameters; each row names
    every parameter (no column defaults are filled in).

    ``encoded``: columns the caller passes already in the driver's form (JSON as text, for
    a document pydantic encoded): bound untyped, so their column's processor is skipped and
    the database takes the type from the column.
    """

    def __init__(self, statement: Insert | Update, *, encoded: Iterable[str] = ()) -> None:
        as_text = {name: bindparam(name, type_=_AsGiven()) for name in encoded}
        self._statement = statement.values(as_text) if as_text else statement

    async def execute(self, connection: AsyncConnection, rows: Iterable[Mapping[str, Any]]) -> None:
        rows = list(rows)
        if rows:
            await connection.execute(self._statement, rows)


class _AsGiven(UserDefinedType[Any]):
    """A value in the driver's form already: no processor, and no cast, so the database
    takes the type of the column it goes into."""

    cache_ok = True
