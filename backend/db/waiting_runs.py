"""Queued runs that no worker took: asked for again once, then failed with a reason.

A run is *taken* when a worker claims it (``run_store.claim_runs``: queued → running).
A run still queued ``timeout_s`` after it was created lost its request (a broker that
lost its log, an API replica that died between its commit and its publish) or found no
worker: a reaper publishes its request again (``requeue_waiting``). Still queued
``timeout_s`` after that, it is failed (``fail_waiting``, ``QueueTimeout``).

Each step is one conditional ``UPDATE``, so any number of reapers may race and each run
is asked for again once and failed once. A request sent twice is harmless: only one
claim of a run succeeds.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, bindparam, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import RunRecord, utcnow
from backend.db.run_store import fail_queued_runs
from backend.runs.summary import RunStatus
from graph_engine.events import ErrorInfo, RunFailed

_RUNS = RunRecord.__table__
QUEUE_TIMEOUT = "QueueTimeout"
QUEUE_TIMEOUT_MESSAGE = (
    "No worker took this run within {waited:g} s (its request was sent again after "
    "{timeout:g} s; NODELOOM_QUEUE_TIMEOUT_SECONDS), so it was marked failed. Check that "
    "workers are running and can reach the event bus."
)
_REQUEUE = (
    update(_RUNS)
    .where(
        _RUNS.c.status == RunStatus.queued,
        _RUNS.c.requeued_at.is_(None),
        _RUNS.c.created_at < bindparam("cutoff"),
    )
    .values(requeued_at=bindparam("moment"))
    .returning(_RUNS.c.id, _RUNS.c.workflow_id, _RUNS.c.workflow_version, _RUNS.c.inputs)
)


async def requeue_waiting(
    session: AsyncSession, timeout_s: float, now: datetime | None = None
) -> list[Row[Any]]:
    """Mark the runs queued longer than ``timeout_s`` and never asked for again as asked
    for ``now``; returns them (``id``, ``workflow_id``, ``workflow_version``, ``inputs``)
    for the caller to publish their requests."""
    moment = now or utcnow()
    cutoff = moment - timedelta(seconds=timeout_s)
    result = await session.execute(_REQUEUE, {"cutoff": cutoff, "moment": moment})
    rows = list(result.all())
    await session.commit()
    return rows


async def forget_requeue(session: AsyncSession, run_id: str) -> None:
    """The request of ``run_id`` could not be sent again: a later round tries again."""
    await session.execute(
        update(_RUNS)
        .where(_RUNS.c.id == run_id, _RUNS.c.status == RunStatus.queued)
        .values(requeued_at=None)
    )
    await session.commit()


async def fail_waiting(
    session: AsyncSession, timeout_s: float, now: datetime | None = None
) -> list[RunFailed]:
    """Fail the runs still queued ``timeout_s`` after they were asked for again (as of
    ``now``); returns their ``run.failed`` events (recorded already) to publish."""
    cutoff = (now or utcnow()) - timedelta(seconds=timeout_s)
    error = ErrorInfo(
        type=QUEUE_TIMEOUT,
        code="queue_timeout",
        message=QUEUE_TIMEOUT_MESSAGE.format(waited=2 * timeout_s, timeout=timeout_s),
    )
    return await fail_queued_runs(session, error, _RUNS.c.requeued_at < cutoff)
