"""Running runs whose worker went silent: found, then failed with a recorded event.

A worker heartbeats each run it holds (``run_store.heartbeat``); a run whose heartbeat
is older than the timeout lost its worker. Only the reaper (``backend.runs.reaper``)
comes here. Failing a run is one conditional ``UPDATE`` that still asks for a stale
heartbeat, so any number of reapers may race and each run is failed once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.event_store import insert_events
from backend.db.models import RunEventRecord, RunRecord, utcnow
from backend.runs.summary import RunStatus
from graph_engine.events import ErrorInfo, RunFailed, RunFailedData, now

WORKER_LOST = "WorkerLost"
WORKER_LOST_MESSAGE = (
    "The worker running this workflow stopped responding (no heartbeat for {seconds:g} s); "
    "the run was marked failed."
)


async def a_stale_run(session: AsyncSession, timeout_seconds: float) -> list[str]:
    """One running run whose heartbeat is older than ``timeout_seconds`` (none: empty)."""
    cutoff = utcnow() - timedelta(seconds=timeout_seconds)
    stale = await session.scalars(
        select(RunRecord.id)
        .where(RunRecord.status == RunStatus.running, RunRecord.heartbeat_at < cutoff)
        .limit(1)
    )
    found = list(stale.all())
    await session.commit()
    return found


async def reap(
    session: AsyncSession, timeout_seconds: float, *, now: datetime | None = None
) -> list[RunFailed]:
    """Fail every running run whose heartbeat was older than ``timeout_seconds`` at
    ``now`` (default: the present).

    Each gets a recorded ``run.failed`` event after its last recorded one; the caller
    publishes them. Safe on any number of replicas: each run is failed by one of them.
    """
    cutoff = (now or utcnow()) - timedelta(seconds=timeout_seconds)
    stale = await session.scalars(
        select(RunRecord.id).where(
            RunRecord.status == RunStatus.running, RunRecord.heartbeat_at < cutoff
        )
    )
    failed = []
    for run_id in stale.all():
        event = await _fail_stale(session, run_id, cutoff, timeout_seconds)
        if event is not None:
            failed.append(event)
    return failed


async def _fail_stale(
    session: AsyncSession, run_id: str, cutoff: datetime, timeout_seconds: float
) -> RunFailed | None:
    record = await session.get(RunRecord, run_id, populate_existing=True)
    last = await session.scalar(
        select(func.max(RunEventRecord.seq)).where(RunEventRecord.run_id == run_id)
    )
    if record is None:
        return None
    nodes = {key: dict(value) for key, value in (record.nodes or {}).items()}
    interrupted = sorted(key for key, value in nodes.items() if value.get("status") == "running")
    for key in interrupted:
        nodes[key]["status"] = "interrupted"
    moment = now()
    error = ErrorInfo(
        type=WORKER_LOST,
        code="worker_lost",
        message=WORKER_LOST_MESSAGE.format(seconds=timeout_seconds),
    )
    seq = max(last or 0, record.last_seq) + 1
    result = await session.execute(
        update(RunRecord)
        .where(
            RunRecord.id == run_id,
            RunRecord.status == RunStatus.running,
            RunRecord.heartbeat_at < cutoff,
        )
        .values(
            status=RunStatus.failed,
            error=error.model_dump(),
            nodes=nodes,
            finished_at=moment,
            last_seq=seq,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        await session.rollback()
        return None
    event = RunFailed(
        run_id=run_id,
        workflow_id=record.workflow_id,
        seq=seq,
        ts=moment,
        data=RunFailedData(error=error, interrupted=interrupted),
    )
    await insert_events(session, [event])
    await session.commit()
    return event
