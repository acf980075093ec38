"""A worker reports a run it finished alive until the run's end is recorded.

The end went out on the bus; the recorder may be far behind (minutes, on a broker with
slow storage). Must hold: however long the recorder takes, the reaper does not fail the
run as ``WorkerLost``; once the end is recorded the worker stops reporting the run; an
end never recorded (a log that lost it) is recorded by the worker itself, with the
status the run really had. In process, on the in-process bus, whose records wait for a
recorder that joins late; SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from api_support import make_settings
from run_support import greeting
from scale_support import StoredRun, stored_runs
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.bus import MemoryBus, RunRequest
from backend.db import run_store
from backend.db import workflow_store as store
from backend.runs.reaper import Reaper
from backend.runs.recorder import Recorder
from backend.worker.service import WorkerService
from graph_engine.document import WorkflowDocument

WORKER_TIMEOUT_S = 0.5
DEADLINE_S = 15.0


@pytest.fixture
async def worker(
    sessions: async_sessionmaker[AsyncSession], database_url: str, tmp_path: Path
) -> AsyncIterator[tuple[MemoryBus, WorkerService]]:
    bus = MemoryBus()
    await bus.start()
    settings = make_settings(
        tmp_path,
        database_url,
        heartbeat_interval_seconds=0.1,
        worker_timeout_seconds=WORKER_TIMEOUT_S,
    )
    service = WorkerService(bus, sessions, settings)
    await service.start()
    try:
        yield bus, service
    finally:
        await service.stop(grace_s=0)
        await bus.close()


async def test_a_finished_run_is_not_reaped_while_its_end_waits_for_the_recorder(
    worker: tuple[MemoryBus, WorkerService],
    sessions: async_sessionmaker[AsyncSession],
    database_url: str,
) -> None:
    bus, service = worker
    run_id = await _finished_run(bus, service, sessions)
    await asyncio.sleep(3 * WORKER_TIMEOUT_S)  # no recorder yet: the end waits on the bus
    reaped = await Reaper(bus, sessions, WORKER_TIMEOUT_S, queue_timeout_s=60).reap_once()
    assert reaped.worker_lost == []
    assert (await _stored(database_url, run_id)).status == "running"

    recording = asyncio.create_task(Recorder(bus, sessions).run())
    try:
        await _until(lambda: _status_is(database_url, run_id, "succeeded"), "the run recorded")
        await _until(lambda: _forgotten(service, run_id), "the worker to stop reporting it")
    finally:
        recording.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await recording
    assert (await _stored(database_url, run_id)).events[-1][1] == "run.succeeded"


async def test_an_end_never_recorded_is_recorded_by_the_worker_as_it_was(
    worker: tuple[MemoryBus, WorkerService],
    sessions: async_sessionmaker[AsyncSession],
    database_url: str,
) -> None:
    bus, service = worker
    run_id = await _finished_run(bus, service, sessions)
    await service.executor.record_overdue(0)  # as if the recorder never got the end
    run = await _stored(database_url, run_id)
    assert (run.status, run.error) == ("succeeded", None)
    assert run.events[-1][1] == "run.succeeded"
    assert service.executor.unrecorded() == []


async def _finished_run(
    bus: MemoryBus, service: WorkerService, sessions: async_sessionmaker[AsyncSession]
) -> str:
    """A greeting run the worker finished, with nobody recording its events."""
    async with sessions() as session:
        created = await store.create_workflow(
            session, WorkflowDocument.model_validate(greeting()), message=None
        )
    row, queued = run_store.new_queued_run(created.id, 1, {"name": "Ada"})
    async with sessions() as session:
        await run_store.insert_queued(session, [(row, queued)])
    run_id = row["id"]
    await bus.publish_request(
        RunRequest(run_id=run_id, workflow_id=created.id, version=1, inputs={"name": "Ada"})
    )
    await _until(lambda: _ended_here(service, run_id), "the worker to finish the run")
    return run_id


async def _ended_here(service: WorkerService, run_id: str) -> bool:
    return run_id in service.executor.unrecorded()


async def _forgotten(service: WorkerService, run_id: str) -> bool:
    return run_id not in service.executor.unrecorded()


async def _stored(database_url: str, run_id: str) -> StoredRun:
    return (await stored_runs(database_url))[run_id]


async def _status_is(database_url: str, run_id: str, status: str) -> bool:
    return (await _stored(database_url, run_id)).status == status


async def _until(check: Callable[[], Awaitable[bool]], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not await check():
        assert time.monotonic() < deadline, f"waited {DEADLINE_S:g} s for {what}"
        await asyncio.sleep(0.05)
