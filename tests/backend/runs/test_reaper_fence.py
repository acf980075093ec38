"""The reaper fails a dead worker's run after the last event that worker published.

The worker died with events on the bus that the recorder has not handled yet (it was
behind, or not running). Failing the run at once would give the failure a ``seq`` the
worker's events already carry: the database would keep one event, live watchers may have
seen the other. Must hold: the reaper waits until the recorder has handled everything
published before the heartbeat went stale, then fails the run right after its last event.
In process, on the in-process bus and on Kafka (Tansu), SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib

from scale_support import hold_as_running, stored_runs
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.bus import EventBus
from backend.db import run_store, workflow_store
from backend.runs.reaper import Reaper
from backend.runs.recorder import Recorder
from graph_engine.document import WorkflowDocument
from graph_engine.events import NodeToken, NodeTokenData, RunFailed, now

WORKER_TIMEOUT_S = 1.0
RECORDED_WITHIN_S = 20.0


async def _run_of_a_dead_worker(sessions: async_sessionmaker[AsyncSession]) -> tuple[str, str]:
    document = WorkflowDocument.model_validate({"name": "Its worker died"})
    async with sessions() as session:
        workflow_id = (await workflow_store.create_workflow(session, document, message=None)).id
        row, queued = run_store.new_queued_run(workflow_id, 1, {})
        await run_store.insert_queued(session, [(row, queued)])
    await hold_as_running(sessions, queued.run_id, 10 * WORKER_TIMEOUT_S, worker_id="gone")
    return queued.run_id, workflow_id


async def test_a_dead_workers_run_is_failed_after_its_last_published_event(
    bus: EventBus, sessions: async_sessionmaker[AsyncSession], database_url: str
) -> None:
    run_id, workflow_id = await _run_of_a_dead_worker(sessions)
    for seq in range(1, 5):  # published before it died; no recorder has read them
        token = NodeTokenData(text=f"t{seq}")
        await bus.publish_event(
            NodeToken(
                run_id=run_id, workflow_id=workflow_id, seq=seq, ts=now(), node_id="n", data=token
            )
        )
    reaper = Reaper(bus, sessions, WORKER_TIMEOUT_S, queue_timeout_s=60)
    for _ in range(3):
        assert (await reaper.reap_once()).worker_lost == []  # the recorder is behind
    assert (await stored_runs(database_url))[run_id].status == "running"

    recording = asyncio.create_task(Recorder(bus, sessions).run())
    try:
        async with asyncio.timeout(RECORDED_WITHIN_S):
            failed = await _reaped(reaper)
    finally:
        recording.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await recording
    assert [(event.run_id, event.seq) for event in failed] == [(run_id, 5)]
    stored = (await stored_runs(database_url))[run_id]
    assert stored.status == "failed"
    assert [(seq, kind) for seq, kind, _ in stored.events] == [
        (0, "run.queued"),
        *((seq, "node.token") for seq in range(1, 5)),
        (5, "run.failed"),
    ]


async def _reaped(reaper: Reaper) -> list[RunFailed]:
    """Reaper rounds until one fails a run as lost (the recorder catches up meanwhile)."""
    while True:
        if failed := (await reaper.reap_once()).worker_lost:
            return failed
        await asyncio.sleep(0.05)
