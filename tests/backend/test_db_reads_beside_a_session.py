"""The reads outside any session (``backend.db.prebuilt_reads``) never wait for a connection
a session holds: a request handler in the middle of a transaction may read a run, its
status, its events or the version to run, on SQLite and PostgreSQL, and gets the last
commit back."""

from __future__ import annotations

import asyncio

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.db import event_store, run_store
from backend.db import workflow_store as store
from backend.db.models import RunRecord
from backend.db.session import create_engine, create_session_factory, reader_of
from backend.runs.summary import RunStatus
from graph_engine.document import WorkflowDocument

# Far below the pool's wait for a connection (60 s): a read that waited for the
# session's connection would run into it.
BOUND_S = 5


async def test_a_handler_mid_transaction_reads_without_waiting_for_itself(database_url: str):
    # One connection for sessions on PostgreSQL too: the session below holds all there are.
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    sessions = create_session_factory(engine)
    reader = reader_of(engine)
    try:
        async with sessions() as session:
            workflow = await store.create_workflow(
                session, WorkflowDocument.model_validate({"name": "Read"}), message=None
            )
            queued = run_store.new_queued_run(workflow.id, 1, {"text": "go"})
            await run_store.insert_queued(session, [queued])
        run_id = queued[0]["id"]

        async with sessions() as session:
            await session.execute(  # written, not committed: the transaction holds on
                update(RunRecord).where(RunRecord.id == run_id).values(status=RunStatus.cancelled)
            )
            async with asyncio.timeout(BOUND_S):
                status = await run_store.read_status(engine, run_id)
                run = await run_store.read_run(engine, run_id)
                events = await event_store.read_events(engine, run_id, after=-1, limit=10)
                version = await store.version_to_run(engine, workflow.id, None)
            await session.rollback()
        if isinstance(reader, AsyncEngine):
            assert reader.pool.checkedin() > 0  # the reads took their own connections
    finally:
        await engine.dispose()
    if isinstance(reader, AsyncEngine):
        assert reader.pool.checkedin() == 0  # and they went with the engine

    assert status == RunStatus.queued == run.status  # the last commit
    assert [(row.seq, row.type) for row in events] == [(0, "run.queued")]
    assert '"run.queued"' in events[0].text
    assert version.version == 1 and version.document["name"] == "Read"
