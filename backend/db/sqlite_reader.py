"""Reads of a SQLite file on the event loop's own thread.

A read through aiosqlite is a trip to its connection's thread and back (a queue, a
wake-up, a future resolved across threads), which costs more CPU than SQLite takes for
the primary-key and range reads of ``prebuilt_reads``. In WAL mode a reader never waits
for the writer, nor for its lock: it reads the last commit. So those reads go to a plain
``sqlite3`` connection, opened read-only (``query_only``), and complete inline.

Only a reader that finds the file being recovered (a crashed process's WAL) can be told
to wait; it waits at most ``BUSY_TIMEOUT_MS`` on the loop.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

BUSY_TIMEOUT_MS = 1000


class SQLiteReader:
    """One read-only connection to the SQLite file at ``path``, opened at its first read."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._connection: sqlite3.Connection | None = None

    def fetch(self, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Every row of ``sql`` (named parameters from ``params``)."""
        cursor = self._connected().execute(sql, params)
        try:
            return cursor.fetchall()
        finally:
            cursor.close()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _connected(self) -> sqlite3.Connection:
        if self._connection is None:
            # Autocommit: a SELECT holds no transaction open between reads, so each read
            # sees the last commit. Any thread may close it (an engine's dispose).
            connection = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
            connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            connection.execute("PRAGMA query_only=ON")
            self._connection = connection
        return self._connection
