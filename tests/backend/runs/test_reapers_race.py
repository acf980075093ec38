"""Many reapers at once on the same dead workers' runs (one per API replica, and more):
each stale run is failed exactly once, right after its last recorded event, and a run
whose worker is alive is failed by none. 32 reaps race on each database, with runs of
random lengths in random order.
"""

from __future__ import annotations

import asyncio
import random

from scale_support import hold_as_running
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db import event_store, run_store, stale_runs, workflow_store
from backend.db.models import RunEventRecord, RunRecord
from graph_engine.document import WorkflowDocument
from graph_engine.events import NodeToken, NodeTokenData, RunEvent, now

REAPERS = 32
STALE_RUNS = 6
TIMEOUT_S = 5.0


async def _running_run(
    sessions: async_sessionmaker[AsyncSession], workflow_id: str, events: int, silent_s: float
) -> str:
    """A running run with ``events`` recorded tokens, last heard of ``silent_s`` ago."""
    async with sessions() as session:
        row, queued = run_store.new_queued_run(workflow_id, 1, {})
        await run_store.insert_queued(session, [(row, queued)])
    tokens: list[RunEvent] = [
        NodeToken(
            run_id=queued.run_id,
            workflow_id=workflow_id,
            seq=seq,
            ts=now(),
            node_id="chat",
            data=NodeTokenData(text=f"t{seq}"),
        )
        for seq in range(1, events + 1)
    ]
    async with sessions() as session:
        await event_store.record_events(session, tokens)
    await hold_as_running(sessions, queued.run_id, silent_s, worker_id="worker-x")
    return queued.run_id


async def test_racing_reapers_fail_each_stale_run_once_after_its_last_event(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    shuffle = random.Random(21)
    document = WorkflowDocument.model_validate({"name": "Its workers died"})
    async with sessions() as session:
        workflow_id = (await workflow_store.create_workflow(session, document, message=None)).id
    lengths = [shuffle.randint(0, 12) for _ in range(STALE_RUNS)]
    stale = [await _running_run(sessions, workflow_id, n, 10 * TIMEOUT_S) for n in lengths]
    alive = await _running_run(sessions, workflow_id, 3, 0.0)

    async def one_reaper() -> list[str]:
        await asyncio.sleep(shuffle.random() / 100)  # the replicas do not start together
        async with sessions() as session:
            return [event.run_id for event in await stale_runs.reap(session, TIMEOUT_S)]

    reaped = [
        run_id
        for got in await asyncio.gather(*(one_reaper() for _ in range(REAPERS)))
        for run_id in got
    ]

    assert sorted(reaped) == sorted(stale), "each stale run failed by exactly one reaper"
    async with sessions() as session:
        runs = {r.id: r for r in await session.scalars(select(RunRecord))}
        events = (
            await session.execute(
                select(RunEventRecord.run_id, RunEventRecord.seq, RunEventRecord.type).order_by(
                    RunEventRecord.run_id, RunEventRecord.seq
                )
            )
        ).all()
    for run_id, length in zip(stale, lengths, strict=True):
        recorded = [(seq, kind) for rid, seq, kind in events if rid == run_id]
        assert [seq for seq, _ in recorded] == list(range(length + 2)), recorded  # no gap
        assert recorded[-1] == (length + 1, "run.failed"), recorded
        assert sum(kind == "run.failed" for _, kind in recorded) == 1
        assert runs[run_id].status == "failed" and runs[run_id].last_seq == length + 1
        assert (runs[run_id].error or {}).get("type") == stale_runs.WORKER_LOST
    assert runs[alive].status == "running"
    assert not [kind for rid, _, kind in events if rid == alive and kind == "run.failed"]
