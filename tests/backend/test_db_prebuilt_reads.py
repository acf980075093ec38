"""Reads outside any session (on SQLite and PostgreSQL): the same values, in the same
Python types, as through a session; each read gives its reader connection back."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from backend.db import run_store
from backend.db import workflow_store as store
from backend.db.models import RunRecord
from backend.errors import RunNotFound, VersionNotFound, WorkflowNotFound
from graph_engine.document import WorkflowDocument


async def _workflow(sessions, name: str = "Prebuilt reads") -> str:
    document = WorkflowDocument.model_validate({"name": name})
    async with sessions() as session:
        return (await store.create_workflow(session, document, message=None)).id


async def _finished_run(sessions, workflow_id: str) -> str:
    """A run with every kind of column filled in: JSON, float, datetimes, text."""
    row, queued = run_store.new_queued_run(workflow_id, 1, {"text": "héllo"}, owner_id="local")
    async with sessions() as session:
        await run_store.insert_queued(session, [(row, queued)])
        await session.execute(
            update(RunRecord)
            .where(RunRecord.id == row["id"])
            .values(
                status="succeeded",
                outputs={"result": {"nested": [1, 2.5, None]}},
                nodes={"a": {"status": "succeeded", "duration_ms": 1.5}},
                duration_ms=12.25,
                input_tokens=3,
                output_tokens=4,
                started_at=datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC),
                finished_at=datetime(2026, 1, 2, 3, 4, 6, tzinfo=UTC),
                worker_id="w-1",
            )
        )
        await session.commit()
    return row["id"]


async def test_a_prebuilt_run_read_equals_the_session_read(sessions):
    run_id = await _finished_run(sessions, await _workflow(sessions))
    engine = sessions.kw["bind"]
    async with sessions() as session:
        expected = (await run_store.get_run(session, run_id))._asdict()
    read = (await run_store.read_run(engine, run_id))._asdict()
    assert read == expected
    assert {key: type(value) for key, value in read.items()} == {
        key: type(value) for key, value in expected.items()
    }
    assert read["finished_at"].tzinfo is not None
    assert await run_store.read_status(engine, run_id) == "succeeded"


async def test_an_unknown_run_is_not_found(sessions):
    engine = sessions.kw["bind"]
    with pytest.raises(RunNotFound):
        await run_store.read_run(engine, "0" * 32)
    assert await run_store.read_status(engine, "0" * 32) is None


async def test_the_version_to_run_is_the_current_one_or_the_one_asked_for(sessions):
    workflow_id = await _workflow(sessions, "First")
    async with sessions() as session:
        await store.save_document(
            session,
            workflow_id,
            WorkflowDocument.model_validate({"name": "Second"}),
            expected_version=1,
            message=None,
        )
    engine = sessions.kw["bind"]
    current = await store.version_to_run(engine, workflow_id, None)
    assert (current.version, current.document["name"], current.problems) == (2, "Second", [])
    first = await store.version_to_run(engine, workflow_id, 1)
    assert (first.version, first.document["name"]) == (1, "First")
    with pytest.raises(VersionNotFound):
        await store.version_to_run(engine, workflow_id, 3)
    for version in (None, 1):
        with pytest.raises(WorkflowNotFound):
            await store.version_to_run(engine, "0" * 32, version)


async def test_reads_give_their_connection_back(sessions):
    """More reads at once than the reader pool has connections all finish, and a session
    still writes afterwards."""
    workflow_id = await _workflow(sessions)
    engine = sessions.kw["bind"]
    reads = [store.version_to_run(engine, workflow_id, None) for _ in range(50)]
    rows = await asyncio.wait_for(asyncio.gather(*reads), timeout=20)
    assert {row.version for row in rows} == {1}
    assert await asyncio.wait_for(_finished_run(sessions, workflow_id), timeout=20)
