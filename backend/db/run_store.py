"""Runs and their recorded events.

Every change of a run's status is one conditional ``UPDATE`` (compare-and-swap), so any
number of API replicas, workers and reapers may race on a run and exactly one wins:

- ``claim_runs``: queued → running, by one worker (a redelivered request finds it
  taken);
- ``cancel_queued``: queued → cancelled, before any worker took it;
- ``fail_queued_runs``: queued → failed, when its request could not be sent or no worker
  took it in time (``waiting_runs``);
- ``stale_runs.reap``: running → failed, when the worker's heartbeat is too old (a
  worker heartbeats a run it finished until the run's end is recorded: see
  ``backend.worker.executor``);
- ``record_own_ending``: running → failed (or its end), written by its own worker when
  the bus takes none of the run's events, or when the end it published was not
  recorded in time.

A status change that ends a run records its event too (``event_store``), in the same
transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Row, bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import aliased

from backend.db.event_store import insert_events, record_events
from backend.db.models import RunRecord, utcnow
from backend.db.prebuilt_reads import PrebuiltRead
from backend.db.workflow_store import Page, _count, new_id
from backend.errors import RunNotFound
from backend.runs.summary import RunStatus
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

_RUNS = RunRecord.__table__
# The statements run for every run are built once: building one and computing its cache
# key costs more CPU than SQLite takes to run it.
_INSERT_RUN = insert(_RUNS)
_FIND_RUN = select(_RUNS).where(_RUNS.c.id == bindparam("run_id"))
# The reads of a started run and of a waited-for one are prebuilt reads (``prebuilt_reads``).
_READ_RUN = PrebuiltRead(_FIND_RUN)
_READ_STATUS = PrebuiltRead(select(_RUNS.c.status).where(_RUNS.c.id == bindparam("run_id")))
_MOMENT = bindparam("moment")
_CLAIM = (
    update(_RUNS)
    .where(_RUNS.c.id.in_(bindparam("run_ids", expanding=True)))
    .where(_RUNS.c.status == RunStatus.queued)
    .values(
        status=RunStatus.running,
        worker_id=bindparam("worker_id"),
        heartbeat_at=_MOMENT,
        started_at=_MOMENT,
    )
    .returning(_RUNS.c.id)
)


async def queued_run_ids(session: AsyncSession, owner_id: str) -> list[str]:
    """The ids of ``owner_id``'s runs no worker has taken yet."""
    rows = await session.scalars(
        select(RunRecord.id).where(
            RunRecord.owner_id == owner_id, RunRecord.status == RunStatus.queued
        )
    )
    return list(rows.all())


async def queued_runs(session: AsyncSession) -> list[RunRecord]:
    """Runs no worker took yet, oldest first."""
    result = await session.scalars(
        select(RunRecord).where(RunRecord.status == RunStatus.queued).order_by(RunRecord.created_at)
    )
    return list(result.all())


def new_queued_run(
    workflow_id: str,
    version: int,
    inputs: dict[str, Any],
    *,
    owner_id: str | None = None,
    share_link_id: str | None = None,
    visitor_hash: str | None = None,
) -> tuple[dict[str, Any], RunQueued]:
    """A new queued run's row and its ``run.queued`` event (seq 0), not written yet.

    ``owner_id``: whose credentials it uses (the workflow's owner); ``share_link_id``: the
    link it was started through, if any (its hourly limit counts these); ``visitor_hash``:
    the visitor who started it through the link (the only one who sees it there)."""
    run_id = new_id()
    event = queued_event(run_id, workflow_id)
    row = {
        "id": run_id,
        "workflow_id": workflow_id,
        "workflow_version": version,
        "status": RunStatus.queued.value,
        "inputs": inputs,
        "nodes": {},
        "last_seq": 0,
        "input_tokens": 0,
        "output_tokens": 0,
        "cancel_requested": False,
        "created_at": event.ts,
        "owner_id": owner_id,
        "share_link_id": share_link_id,
        "visitor_hash": visitor_hash,
    }
    return row, event


async def insert_queued(
    session: AsyncSession, runs: Sequence[tuple[dict[str, Any], RunQueued]]
) -> None:
    """Insert queued runs (``new_queued_run``) and their ``run.queued`` events, and commit."""
    # Core statements, not the unit of work: this runs once per run started.
    connection = await session.connection()
    await connection.execute(_INSERT_RUN, [row for row, _ in runs])
    await insert_events(session, [event for _, event in runs])
    await session.commit()


async def get_run(session: AsyncSession, run_id: str) -> Row[Any]:
    """The run's row (read-only; attributes as on ``RunRecord``)."""
    record = (await session.execute(_FIND_RUN, {"run_id": run_id})).first()
    if record is None:
        raise RunNotFound(run_id)
    return record


async def read_run(engine: AsyncEngine, run_id: str) -> Any:
    """The run's row as ``get_run`` gives it, read on a connection of its own: for a caller
    that holds no pooled connection (see ``prebuilt_reads``)."""
    record = await _READ_RUN.first(engine, {"run_id": run_id})
    if record is None:
        raise RunNotFound(run_id)
    return record


async def read_status(engine: AsyncEngine, run_id: str) -> str | None:
    """The run's status, ``None`` if there is no such run (read as ``read_run`` is)."""
    row = await _READ_STATUS.first(engine, {"run_id": run_id})
    return None if row is None else row.status


async def list_runs(
    session: AsyncSession,
    workflow_id: str,
    *,
    status: RunStatus | None,
    limit: int,
    offset: int,
) -> Page[tuple[RunRecord, int]]:
    """The workflow's runs, newest first, each with its number (1: the oldest run of the
    workflow, whatever the filter), so a filtered list shows the numbers the full one does."""
    numbered = (
        select(
            RunRecord,
            func.row_number()
            .over(order_by=(RunRecord.created_at, RunRecord.id.desc()))
            .label("number"),
        )
        .where(RunRecord.workflow_id == workflow_id)
        .subquery()
    )
    run = aliased(RunRecord, numbered)
    runs = select(run, numbered.c.number)
    if status is not None:
        runs = runs.where(run.status == status)
    total = await _count(session, runs)
    rows = await session.execute(
        runs.order_by(run.created_at.desc(), run.id).limit(limit).offset(offset)
    )
    return Page(items=[(record, number) for record, number in rows], total=total)


async def claim_runs(session: AsyncSession, run_ids: Sequence[str], worker_id: str) -> set[str]:
    """Make ``worker_id`` the one worker of those queued runs; returns the ids claimed."""
    result = await session.execute(
        _CLAIM, {"run_ids": list(run_ids), "worker_id": worker_id, "moment": utcnow()}
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
    await insert_events(session, [event])
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


@dataclass(frozen=True)
class Heartbeat:
    running: set[str]
    """The runs that are still running on the worker (its others ended, or were ended)."""
    cancelled: set[str]
    """The runs someone asked to cancel."""


async def heartbeat(session: AsyncSession, worker_id: str, run_ids: Iterable[str]) -> Heartbeat:
    """Mark the worker's runs alive; says which of them still run and which to cancel."""
    ids = list(run_ids)
    if not ids:
        return Heartbeat(set(), set())
    alive = await session.execute(
        update(RunRecord)
        .where(
            RunRecord.id.in_(ids),
            RunRecord.worker_id == worker_id,
            RunRecord.status == RunStatus.running,
        )
        .values(heartbeat_at=utcnow())
        .returning(RunRecord.id)
        .execution_options(synchronize_session=False)
    )
    running = set(alive.scalars().all())
    cancelled = await session.scalars(
        select(RunRecord.id).where(RunRecord.id.in_(ids), RunRecord.cancel_requested)
    )
    heartbeat = Heartbeat(running, set(cancelled.all()))
    await session.commit()
    return heartbeat


async def fail_queued(session: AsyncSession, run_id: str, message: str) -> RunFailed | None:
    """Fail a run that could not be queued (its request never reached the bus)."""
    error = ErrorInfo(type="QueueUnavailable", code="queue_unavailable", message=message)
    failed = await fail_queued_runs(session, error, RunRecord.id == run_id)
    return failed[0] if failed else None


async def fail_queued_runs(
    session: AsyncSession, error: ErrorInfo, *where: ColumnElement[bool]
) -> list[RunFailed]:
    """Fail the queued runs that match ``where`` with ``error``, recording and returning
    their ``run.failed`` events. One statement: a run a worker claims meanwhile is its."""
    moment = now()
    result = await session.execute(
        update(_RUNS)
        .where(_RUNS.c.status == RunStatus.queued, *where)
        .values(
            status=RunStatus.failed,
            error=error.model_dump(),
            finished_at=moment,
            last_seq=_RUNS.c.last_seq + 1,
        )
        .returning(_RUNS.c.id, _RUNS.c.workflow_id, _RUNS.c.last_seq)
    )
    failed = [
        RunFailed(
            run_id=row.id,
            workflow_id=row.workflow_id,
            seq=row.last_seq,
            ts=moment,
            data=RunFailedData(error=error),
        )
        for row in result.all()
    ]
    await insert_events(session, failed)
    await session.commit()
    return failed


async def record_own_ending(
    session: AsyncSession, run_id: str, worker_id: str, events: Sequence[RunEvent]
) -> bool:
    """Record the last ``events`` of a run whose worker could not publish them (the bus
    took none), as the recorder would have, provided the run is still running on
    ``worker_id``; ``False`` when it is not (a reaper or a cancel ended it meanwhile).

    The run's row is updated first, so a reaper racing for it waits (or wins) here."""
    held = await session.execute(
        update(_RUNS)
        .where(
            _RUNS.c.id == run_id,
            _RUNS.c.status == RunStatus.running,
            _RUNS.c.worker_id == worker_id,
        )
        .values(heartbeat_at=utcnow())
    )
    if held.rowcount != 1:
        await session.rollback()
        return False
    await record_events(session, events)  # commits
    return True
