"""Queued runs written in groups (on SQLite and PostgreSQL): the runs started together
share a transaction, and a run that cannot be written fails alone."""

from __future__ import annotations

import asyncio

from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError

from backend.db import run_store
from backend.db import workflow_store as store
from backend.db.models import RunEventRecord, RunRecord
from backend.db.queued_runs import QueuedRunWriter
from graph_engine.document import WorkflowDocument


async def _workflow(sessions) -> str:
    document = WorkflowDocument.model_validate({"name": "Queued"})
    async with sessions() as session:
        return (await store.create_workflow(session, document, message=None)).id


def _commits(sessions) -> list[int]:
    """A list that grows by one at every commit of ``sessions``' engine."""
    commits: list[int] = []
    engine = sessions.kw["bind"].sync_engine
    event.listen(engine, "commit", lambda _connection: commits.append(1))
    return commits


async def _stored(sessions, run_ids: list[str]) -> tuple[set[str], set[str]]:
    async with sessions() as session:
        runs = await session.scalars(select(RunRecord.id).where(RunRecord.id.in_(run_ids)))
        events = await session.scalars(
            select(RunEventRecord.run_id).where(
                RunEventRecord.run_id.in_(run_ids), RunEventRecord.type == "run.queued"
            )
        )
        return set(runs), set(events)


async def test_runs_started_together_are_written_in_one_transaction(sessions):
    workflow_id = await _workflow(sessions)
    writer = QueuedRunWriter(sessions)
    queued = [run_store.new_queued_run(workflow_id, 1, {"n": str(n)}) for n in range(20)]
    commits = _commits(sessions)
    await asyncio.gather(*(writer.write(row, event) for row, event in queued))
    assert len(commits) < 5  # one per group, not one per run
    run_ids = [row["id"] for row, _ in queued]
    assert await _stored(sessions, run_ids) == (set(run_ids), set(run_ids))


async def test_a_run_started_alone_is_written_at_once(sessions):
    workflow_id = await _workflow(sessions)
    writer = QueuedRunWriter(sessions)
    row, queued = run_store.new_queued_run(workflow_id, 1, {})
    await asyncio.wait_for(writer.write(row, queued), timeout=5)
    assert await _stored(sessions, [row["id"]]) == ({row["id"]}, {row["id"]})


async def test_a_run_that_cannot_be_written_fails_alone(sessions):
    workflow_id = await _workflow(sessions)
    writer = QueuedRunWriter(sessions)
    good = [run_store.new_queued_run(workflow_id, 1, {}) for _ in range(3)]
    bad_row, bad_event = run_store.new_queued_run("no-such-workflow", 1, {})  # foreign key
    written = await asyncio.gather(
        *(writer.write(row, event) for row, event in [*good, (bad_row, bad_event)]),
        return_exceptions=True,
    )
    assert written[:3] == [None, None, None]
    assert isinstance(written[3], IntegrityError)
    good_ids = [row["id"] for row, _ in good]
    assert await _stored(sessions, [*good_ids, bad_row["id"]]) == (set(good_ids), set(good_ids))


async def test_a_caller_that_goes_away_does_not_stop_the_others(sessions):
    workflow_id = await _workflow(sessions)
    writer = QueuedRunWriter(sessions)
    queued = [run_store.new_queued_run(workflow_id, 1, {}) for _ in range(3)]
    writes = [asyncio.create_task(writer.write(row, event)) for row, event in queued]
    await asyncio.sleep(0)  # every write handed over
    writes[0].cancel()
    written = await asyncio.gather(*writes, return_exceptions=True)
    assert isinstance(written[0], asyncio.CancelledError)
    assert written[1:] == [None, None]
    run_ids = [row["id"] for row, _ in queued[1:]]
    stored_runs, _ = await _stored(sessions, run_ids)
    assert stored_runs == set(run_ids)
