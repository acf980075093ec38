"""Runs and their recorded events.

Every change of a run's status is one conditional ``UPDATE`` (compare-and-swap), so any
number of API replicas, workers and reapers may race on a run and exactly one wins:

- ``claim_run``/``claim_runs``: queued → running, by one worker (a redelivered request
  finds it taken);
- ``cancel_queued``: queued → cancelled, before any worker took it;
- ``reap``: running → failed, when the worker's heartbeat is too old.

``record_events`` is the recorder's write: ``INSERT … ON CONFLICT DO NOTHING`` into
``run_events`` (so a redelivered event is stored once) and the run's summary folded
forward (see ``backend.runs.summary``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import RunEventRecord, RunRecord, utcnow
from backend.db.workflow_store import Page, _count, new_id
from backend.errors import RunNotFound
from backend.runs.summary import FINISHED, RunStatus, RunSummary
from graph_engine.events import (
    ErrorInfo,
    RunCancelled,
    RunCancelledData,
    RunEvent,
    RunFailed,
    RunFailedData,
    RunQueued,
    now,
    queued_event,
)

WORKER_LOST = "WorkerLost"
WORKER_LOST_MESSAGE = (
    "The worker running this workflow stopped responding (no heartbeat for {seconds:g} s); "
    "the run was marked failed."
)


def event_row(event: RunEvent) -> dict[str, Any]:
    return {
        "run_id": event.run_id,
        "seq": event.seq,
        "type": event.type,
        "node_id": getattr(event, "node_id", None),
        "ts": event.ts,
        "payload": event.model_dump(mode="json"),
    }


async def queued_runs(session: AsyncSession) -> list[RunRecord]:
    """Runs no worker took yet, oldest first."""
    result = await session.scalars(
        select(RunRecord).where(RunRecord.status == RunStatus.queued).order_by(RunRecord.created_at)
    )
    return list(result.all())


async def create_run(
    session: AsyncSession,
    workflow_id: str,
    version: int,
    inputs: dict[str, Any],
    *,
    owner_id: str | None = None,
    share_link_id: str | None = None,
) -> tuple[RunRecord, RunQueued]:
    """Insert a queued run and its ``run.queued`` event (seq 0), in one transaction.

    ``owner_id``: whose credentials it uses (the workflow's owner); ``share_link_id``: the
    link it was started through, if any (its hourly limit counts these)."""
    run_id = new_id()
    event = queued_event(run_id, workflow_id)
    record = RunRecord(
        id=run_id,
        workflow_id=workflow_id,
        workflow_version=version,
        status=RunStatus.queued,
        inputs=inputs,
        nodes={},
        last_seq=0,
        input_tokens=0,
        output_tokens=0,
        cancel_requested=False,
        created_at=event.ts,
        owner_id=owner_id,
        share_link_id=share_link_id,
    )
    session.add(record)
    await session.flush()
    session.add(RunEventRecord(**event_row(event)))
    await session.commit()
    return record, event


async def get_run(session: AsyncSession, run_id: str) -> RunRecord:
    record = await session.get(RunRecord, run_id, populate_existing=True)
    if record is None:
        raise RunNotFound(run_id)
    return record


async def find_run(session: AsyncSession, run_id: str) -> RunRecord | None:
    return await session.get(RunRecord, run_id, populate_existing=True)


async def list_runs(
    session: AsyncSession,
    workflow_id: str,
    *,
    status: RunStatus | None,
    limit: int,
    offset: int,
) -> Page[RunRecord]:
    runs = select(RunRecord).where(RunRecord.workflow_id == workflow_id)
    if status is not None:
        runs = runs.where(RunRecord.status == status)
    total = await _count(session, runs)
    rows = await session.scalars(
        runs.order_by(RunRecord.created_at.desc(), RunRecord.id).limit(limit).offset(offset)
    )
    return Page(items=rows.all(), total=total)


async def list_events(
    session: AsyncSession, run_id: str, *, after: int, limit: int, before: int | None = None
) -> Sequence[RunEventRecord]:
    """Recorded events of ``run_id`` with ``after < seq (< before)``, in ``seq`` order."""
    events = select(RunEventRecord).where(
        RunEventRecord.run_id == run_id, RunEventRecord.seq > after
    )
    if before is not None:
        events = events.where(RunEventRecord.seq < before)
    rows = await session.scalars(events.order_by(RunEventRecord.seq).limit(limit))
    return rows.all()


async def claim_run(session: AsyncSession, run_id: str, worker_id: str) -> bool:
    """Make ``worker_id`` the one worker of a queued run; ``False`` if it is not queued."""
    moment = utcnow()
    result = await session.execute(
        update(RunRecord)
        .where(RunRecord.id == run_id, RunRecord.status == RunStatus.queued)
        .values(
            status=RunStatus.running, worker_id=worker_id, heartbeat_at=moment, started_at=moment
        )
    )
    await session.commit()
    return result.rowcount == 1


async def claim_runs(session: AsyncSession, run_ids: Sequence[str], worker_id: str) -> set[str]:
    """``claim_run`` for several runs in one statement; returns the ids claimed."""
    moment = utcnow()
    result = await session.execute(
        update(RunRecord)
        .where(RunRecord.id.in_(list(run_ids)), RunRecord.status == RunStatus.queued)
        .values(
            status=RunStatus.running, worker_id=worker_id, heartbeat_at=moment, started_at=moment
        )
        .returning(RunRecord.id)
        .execution_options(synchronize_session=False)
    )
    claimed = set(result.scalars().all())
    await session.commit()
    return claimed


async def cancel_queued(session: AsyncSession, run_id: str) -> RunCancelled | None:
    """Cancel a run no worker took yet; returns its ``run.cancelled`` event (also recorded)."""
    moment = now()
    result = await session.execute(
        update(RunRecord)
        .where(RunRecord.id == run_id, RunRecord.status == RunStatus.queued)
        .values(
            status=RunStatus.cancelled,
            cancel_requested=True,
            finished_at=moment,
            last_seq=RunRecord.last_seq + 1,
        )
        .returning(RunRecord.workflow_id, RunRecord.last_seq)
    )
    row = result.one_or_none()
    if row is None:
        await session.rollback()
        return None
    event = RunCancelled(
        run_id=run_id, workflow_id=row[0], seq=row[1], ts=moment, data=RunCancelledData()
    )
    await _insert_events(session, [event])
    await session.commit()
    return event


async def request_cancel(session: AsyncSession, run_id: str) -> None:
    """Note that the run should stop (its worker also hears it on the control topic)."""
    await session.execute(
        update(RunRecord)
        .where(RunRecord.id == run_id, RunRecord.status == RunStatus.running)
        .values(cancel_requested=True)
    )
    await session.commit()


async def heartbeat(session: AsyncSession, worker_id: str, run_ids: Iterable[str]) -> set[str]:
    """Mark the worker's runs alive; returns those of them someone asked to cancel."""
    ids = list(run_ids)
    if not ids:
        return set()
    await session.execute(
        update(RunRecord)
        .where(
            RunRecord.id.in_(ids),
            RunRecord.worker_id == worker_id,
            RunRecord.status == RunStatus.running,
        )
        .values(heartbeat_at=utcnow())
    )
    cancelled = await session.scalars(
        select(RunRecord.id).where(RunRecord.id.in_(ids), RunRecord.cancel_requested)
    )
    await session.commit()
    return set(cancelled.all())


async def record_events(session: AsyncSession, events: Sequence[RunEvent]) -> list[RunEvent]:
    """Store ``events`` once each and fold them into their runs' summaries.

    Returns the events that were ignored because their run does not exist.
    """
    run_ids = sorted({event.run_id for event in events})
    runs = {
        record.id: record
        for record in await session.scalars(select(RunRecord).where(RunRecord.id.in_(run_ids)))
    }
    known = [event for event in events if event.run_id in runs]
    await _insert_events(session, known)
    by_run: dict[str, list[RunEvent]] = {}
    for event in known:
        by_run.setdefault(event.run_id, []).append(event)
    summaries = []
    for run_id, record in runs.items():
        summary = _summary_of(record)
        changed = False
        for event in sorted(by_run.get(run_id, ()), key=lambda e: e.seq):
            changed = summary.apply(event) or changed
        if changed:
            summaries.append(_summary_row(run_id, summary))
    await _store_summaries(session, summaries)
    await session.commit()
    return [event for event in events if event.run_id not in runs]


async def _insert_events(session: AsyncSession, events: Sequence[RunEvent]) -> None:
    if not events:
        return
    rows = list({(row["run_id"], row["seq"]): row for row in map(event_row, events)}.values())
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    # executemany of one cached statement: a VALUES list would be compiled anew per batch
    await session.execute(insert(RunEventRecord).on_conflict_do_nothing(), rows)


def _summary_of(record: RunRecord) -> RunSummary:
    return RunSummary(
        status=RunStatus(record.status),
        nodes={key: dict(value) for key, value in (record.nodes or {}).items()},
        last_seq=record.last_seq,
        outputs=record.outputs,
        error=record.error,
        error_node_id=record.error_node_id,
        input_tokens=record.input_tokens,
        output_tokens=record.output_tokens,
        duration_ms=record.duration_ms,
        started_at=record.started_at,
        finished_at=record.finished_at,
    )


_SUMMARY_COLUMNS = (
    "status",
    "nodes",
    "last_seq",
    "outputs",
    "error",
    "error_node_id",
    "input_tokens",
    "output_tokens",
    "duration_ms",
    "started_at",
    "finished_at",
)


def _summary_row(run_id: str, summary: RunSummary) -> dict[str, Any]:
    row = {f"s_{name}": getattr(summary, name) for name in _SUMMARY_COLUMNS}
    row["s_status"] = summary.status.value
    row["b_id"] = run_id
    return row


async def _store_summaries(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Every changed summary in one statement (executed for each row).

    Conditional on the status read: a reaper or a cancel that finished the run meanwhile
    wins, and this summary (now stale) is dropped.
    """
    if not rows:
        return
    runs = RunRecord.__table__
    finished = sorted(status.value for status in FINISHED)  # no IN: executemany
    values = {name: bindparam(f"s_{name}", type_=runs.c[name].type) for name in _SUMMARY_COLUMNS}
    statement = (
        update(runs)
        .where(runs.c.id == bindparam("b_id"), *(runs.c.status != value for value in finished))
        .values(values)
    )
    connection = await session.connection()
    await connection.execute(statement, rows)


async def reap(session: AsyncSession, timeout_seconds: float) -> list[RunFailed]:
    """Fail every running run whose heartbeat is older than ``timeout_seconds``.

    Each gets a recorded ``run.failed`` event after its last recorded one; the caller
    publishes them. Safe on any number of replicas: each run is failed by one of them.
    """
    cutoff = utcnow() - timedelta(seconds=timeout_seconds)
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
    await _insert_events(session, [event])
    await session.commit()
    return event


async def fail_queued(session: AsyncSession, run_id: str, message: str) -> RunFailed | None:
    """Fail a run that could not be queued (its request never reached the bus)."""
    moment = now()
    error = ErrorInfo(type="QueueUnavailable", code="queue_unavailable", message=message)
    result = await session.execute(
        update(RunRecord)
        .where(RunRecord.id == run_id, RunRecord.status == RunStatus.queued)
        .values(
            status=RunStatus.failed,
            error=error.model_dump(),
            finished_at=moment,
            last_seq=RunRecord.last_seq + 1,
        )
        .returning(RunRecord.workflow_id, RunRecord.last_seq)
    )
    row = result.one_or_none()
    if row is None:
        await session.rollback()
        return None
    event = RunFailed(
        run_id=run_id, workflow_id=row[0], seq=row[1], ts=moment, data=RunFailedData(error=error)
    )
    await _insert_events(session, [event])
    await session.commit()
    return event
