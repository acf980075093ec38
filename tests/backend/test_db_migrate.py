"""Migrations: they build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from backend.db.migrate import upgrade_database
from backend.db.models import Base
from backend.db.session import create_engine


async def _inspect(database_url: str, read):
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(read)
    finally:
        await engine.dispose()


async def test_migrations_match_the_models(database_url: str):
    def differences(connection):
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    assert await _inspect(database_url, differences) == []


async def test_migrations_create_the_tables_and_record_the_revision(database_url: str):
    def read(connection):
        inspector = inspect(connection)
        version = MigrationContext.configure(connection).get_current_revision()
        foreign_keys = inspector.get_foreign_keys("workflow_versions")
        return set(inspector.get_table_names()), version, foreign_keys

    tables, revision, foreign_keys = await _inspect(database_url, read)

    assert tables == {"alembic_version", "workflows", "workflow_versions"}
    assert revision == "0001"
    assert foreign_keys[0]["referred_table"] == "workflows"
    assert foreign_keys[0]["options"].get("ondelete") == "CASCADE"


async def test_upgrade_builds_a_blank_database_and_can_run_again(blank_database_url: str):
    def state(connection):
        revision = MigrationContext.configure(connection).get_current_revision()
        return revision, sorted(inspect(connection).get_table_names())

    before = await _inspect(blank_database_url, state)
    await upgrade_database(blank_database_url)
    await upgrade_database(blank_database_url)

    assert before == (None, [])
    assert await _inspect(blank_database_url, state) == (
        "0001",
        ["alembic_version", "workflow_versions", "workflows"],
    )
