"""Any number of processes may migrate one database at once: on Kubernetes the migration
Job and every API pod start together. Five ``nodeloom db upgrade`` processes against one
empty database all succeed and leave it at the newest revision, with each migration
applied once (PostgreSQL: an advisory lock; SQLite: a file lock beside the database).
"""

from __future__ import annotations

import asyncio
import os
import sys

from sqlalchemy import inspect, text

from backend.db.migrate import head_revision
from backend.db.session import create_engine

PROCESSES = 5


async def test_five_upgrades_at_once_on_an_empty_database(blank_database_url: str):
    environment = {**os.environ, "NODELOOM_DATABASE_URL": blank_database_url}
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "backend.cli", "db", "upgrade",
            env=environment,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(PROCESSES)
    ]  # fmt: skip
    results = await asyncio.gather(*(process.communicate() for process in processes))

    failures = [
        (process.returncode, err.decode())
        for process, (_, err) in zip(processes, results, strict=True)
        if process.returncode != 0
    ]
    assert failures == []
    engine = create_engine(blank_database_url)
    try:
        async with engine.connect() as connection:
            revisions = (
                await connection.execute(text("SELECT version_num FROM alembic_version"))
            ).all()
            tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    finally:
        await engine.dispose()
    assert revisions == [(head_revision(),)]
    assert "workflows" in tables
