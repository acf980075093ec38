"""The engine: SQLite tuned for concurrent writers, PostgreSQL plain."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from backend.db.session import SQLITE_BUSY_TIMEOUT_SECONDS, create_engine


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
