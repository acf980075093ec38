"""Migrations: they build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from api_support import document, node
from sqlalchemy import inspect

from backend.db.migrate import alembic_config, upgrade_database
from backend.db.models import Base, JsonDocument, UtcDateTime
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

    assert tables == {
        "alembic_version",
        "workflows",
        "workflow_versions",
        "runs",
        "run_events",
        "users",
        "sessions",
        "api_keys",
        "credentials",
        "share_links",
        "login_attempts",
    }
    assert revision == "0010"
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
        "0010",
        [
            "alembic_version",
            "api_keys",
            "credentials",
            "login_attempts",
            "run_events",
            "runs",
            "sessions",
            "share_links",
            "users",
            "workflow_versions",
            "workflows",
        ],
    )


def _rows_at_0001(workflow_id: str, doc: dict) -> tuple[dict, dict]:
    now = datetime(2025, 11, 30, tzinfo=UTC)
    workflow = {
        "id": workflow_id,
        "name": doc["name"],
        "name_key": doc["name"].casefold(),
        "description": "",
        "document": doc,
        "node_count": len(doc["nodes"]),
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    version = {
        "id": workflow_id[::-1],
        "workflow_id": workflow_id,
        "version": 1,
        "name": doc["name"],
        "document": doc,
        "node_count": len(doc["nodes"]),
        "author": "local",
        "message": "Created",
        "created_at": now,
    }
    return workflow, version


def _table_0001(name: str, row: dict) -> sa.TableClause:
    types = {
        "document": JsonDocument,
        "problems": JsonDocument,
        "inputs": JsonDocument,
        "nodes": JsonDocument,
        "created_at": UtcDateTime(),
        "updated_at": UtcDateTime(),
    }
    return sa.table(name, *(sa.column(key, types.get(key)) for key in row))


async def _stored_at(
    url: str, revision: str, documents: dict[str, dict], problems: list | None = None
) -> None:
    """A database migrated to ``revision`` holding a workflow and its first version for
    each document (with ``problems`` stored beside them, from 0002 on)."""
    await upgrade_database(url, revision)
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            for workflow_id, doc in documents.items():
                for table, row in zip(
                    ("workflows", "workflow_versions"), _rows_at_0001(workflow_id, doc), strict=True
                ):
                    if problems is not None:
                        row = {**row, "problems": problems}
                    await connection.execute(_table_0001(table, row).insert().values(**row))
    finally:
        await engine.dispose()


async def test_0002_checks_the_rows_written_before_it(blank_database_url: str):
    looping = document(
        "Loop",
        [
            node("a", "prompt.template", template="{x}"),
            node("b", "prompt.template", template="{x}"),
        ],
        [
            {"id": "ab", "source": "a", "target": "b", "targetHandle": "x"},
            {"id": "ba", "source": "b", "target": "a", "targetHandle": "x"},
        ],
    )
    fine = document("Fine", [node("t", text="hi"), node("o", "io.output", name="out")])
    fine["edges"] = [{"id": "to", "source": "t", "target": "o"}]
    await _stored_at(blank_database_url, "0001", {"a" * 32: looping, "b" * 32: fine})

    await upgrade_database(blank_database_url)

    def read(connection):
        rows = {}
        for table in ("workflows", "workflow_versions"):
            key = "id" if table == "workflows" else "workflow_id"
            statement = sa.select(sa.column(key), sa.column("problems", JsonDocument)).select_from(
                sa.table(table)
            )
            rows[table] = dict(connection.execute(statement).all())
        return rows

    rows = await _inspect(blank_database_url, read)
    for table in ("workflows", "workflow_versions"):
        loop_problems, fine_problems = rows[table]["a" * 32], rows[table]["b" * 32]
        assert fine_problems == [], table
        assert [problem["code"] for problem in loop_problems] == ["cycle"], table
        assert loop_problems[0]["severity"] == "error"
        assert loop_problems[0]["node_id"] == "a"
        assert loop_problems[0]["message"] == (
            "These nodes form a loop: Prompt template 1 → Prompt template 2 → Prompt template 1. "
            "Workflows must not loop."
        )


async def test_0005_rechecks_problems_stored_by_an_earlier_release(blank_database_url: str):
    stale = [{"code": "cycle", "severity": "error", "pointer": "/nodes/0", "node_id": "a",
              "edge_id": None, "message": "Nodes form a cycle: 'a' → 'a'."}]  # fmt: skip
    fixed = document("Cafe\u0301", [node("t", text="hi"), node("o", "io.output", name="out")])
    fixed["edges"] = [{"id": "to", "source": "t", "target": "o"}]
    padded = document("Padded", [node("t", text="hi") | {"label": "Greeting "}])
    await _stored_at(blank_database_url, "0004", {"c" * 32: fixed, "d" * 32: padded}, stale)

    await upgrade_database(blank_database_url)

    def read(connection):
        columns = sa.column("id"), sa.column("problems", JsonDocument), sa.column("name_key")
        statement = sa.select(*columns).select_from(sa.table("workflows"))
        return {row_id: (problems, key) for row_id, problems, key in connection.execute(statement)}

    rows = await _inspect(blank_database_url, read)
    assert rows["c" * 32] == ([], "caf\u00e9")  # the stale cycle is gone; the name NFC
    rows = {row_id: problems for row_id, (problems, _) in rows.items()}
    assert [(p["code"], p["pointer"]) for p in rows["d" * 32]] == [
        ("invalid_name", "/nodes/0/label")
    ]


async def test_0007_hides_link_runs_from_visitors_and_downgrades(blank_database_url: str):
    """Runs started through a link before 0007 belong to no visitor; existing links do not
    show the owner's latest run; downgrading removes both columns again."""
    await _stored_at(blank_database_url, "0006", {"e" * 32: document("Shared")})
    now = datetime(2026, 12, 1, tzinfo=UTC)
    link = {"id": "l" * 32, "workflow_id": "e" * 32, "owner_id": "o", "scope": "run",
            "token_hash": "h" * 64, "token_prefix": "abcdefgh", "created_at": now}  # fmt: skip
    run = {"id": "r" * 32, "workflow_id": "e" * 32, "workflow_version": 1, "status": "queued",
           "inputs": {}, "nodes": {}, "last_seq": 0, "input_tokens": 0, "output_tokens": 0,
           "cancel_requested": False, "created_at": now, "share_link_id": "l" * 32}  # fmt: skip
    engine = create_engine(blank_database_url)
    try:
        async with engine.begin() as connection:
            for table, row in (("share_links", link), ("runs", run)):
                await connection.execute(_table_0001(table, row).insert().values(**row))
    finally:
        await engine.dispose()

    await upgrade_database(blank_database_url)

    def read(connection):
        shown = connection.execute(sa.text("SELECT show_owner_latest_run FROM share_links"))
        visitor = connection.execute(sa.text("SELECT visitor_hash FROM runs"))
        return shown.scalar_one(), visitor.scalar_one()

    assert await _inspect(blank_database_url, read) == (False, None)

    await _downgrade(blank_database_url, "0006")

    def columns(connection):
        inspector = inspect(connection)
        return [
            {column["name"] for column in inspector.get_columns(table)}
            for table in ("share_links", "runs")
        ]

    link_columns, run_columns = await _inspect(blank_database_url, columns)
    assert "show_owner_latest_run" not in link_columns and "visitor_hash" not in run_columns
    await upgrade_database(blank_database_url)
    assert await _inspect(blank_database_url, read) == (False, None)


async def _downgrade(url: str, revision: str) -> None:
    def run(connection, config):
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(run, alembic_config(url))
    finally:
        await engine.dispose()


async def test_0008_flags_a_base_url_beside_a_credential(blank_database_url: str):
    chat = node(
        "m",
        "model.chat",
        provider="openai",
        base_url="https://proxy.example/v1",
        credential={"$credential": "openai"},
    )
    await _stored_at(blank_database_url, "0007", {"f" * 32: document("Proxy", [chat])}, [])

    await upgrade_database(blank_database_url)

    def read(connection):
        columns = sa.column("problems", JsonDocument), sa.column("workflow_id")
        statement = sa.select(*columns).select_from(sa.table("workflow_versions"))
        return [problems for problems, _ in connection.execute(statement)]

    (problems,) = await _inspect(blank_database_url, read)
    assert [(p["code"], p["node_id"]) for p in problems] == [("invalid_params", "m")]
    assert "base_url is only for calls without a credential" in problems[0]["message"]
