"""The engine: SQLite tuned for concurrent writers, PostgreSQL plain."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from backend.db.session import SQLITE_BUSY_TIMEOUT_SECONDS, create_engine, reader_of


async def test_engine_connects(database_url: str):
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            assert (await connection.execute(text("SELECT 1"))).scalar_one() == 1
    finally:
        await engine.dispose()


async def test_sqlite_uses_wal_a_busy_timeout_and_foreign_keys(tmp_path: Path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'new' / 'dir' / 'x.db'}"
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            pragmas = {
                name: (await connection.execute(text(f"PRAGMA {name}"))).scalar_one()
                for name in ("journal_mode", "busy_timeout", "foreign_keys")
            }
    finally:
        await engine.dispose()

    assert pragmas == {
        "journal_mode": "wal",
        "busy_timeout": SQLITE_BUSY_TIMEOUT_SECONDS * 1000,
        "foreign_keys": 1,
    }
    assert (tmp_path / "new" / "dir" / "x.db").is_file()


async def test_sqlite_keeps_driver_errors_and_rollback(tmp_path: Path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
            await connection.execute(text("INSERT INTO t (id) VALUES (1)"))
        with pytest.raises(IntegrityError):
            async with engine.begin() as connection:
                await connection.execute(text("INSERT INTO t (id) VALUES (2)"))
                await connection.execute(text("INSERT INTO t (id) VALUES (1)"))
        async with engine.connect() as connection:
            ids = (await connection.execute(text("SELECT id FROM t"))).scalars().all()
    finally:
        await engine.dispose()
    assert ids == [1]  # the failed transaction's first insert was rolled back


async def test_the_sqlite_reader_reads_the_file_and_refuses_to_write(tmp_path: Path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    reader = reader_of(engine)
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
        await connection.execute(text("INSERT INTO t (id) VALUES (1)"))
    try:
        assert reader.fetch("SELECT id FROM t", {}) == [(1,)]
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader.fetch("INSERT INTO t (id) VALUES (2)", {})
    finally:
        await engine.dispose()
