"""No run left waiting: a queued run that no worker takes within
``NODELOOM_QUEUE_TIMEOUT_SECONDS`` has its request published again, once, and is failed
with a reason when it is still not taken after as long again — on SQLite and PostgreSQL,
on the in-process bus and on Kafka. Several API replicas reap at once: each run is
requested again once and failed once, whatever the number of passes racing."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from api_support import make_settings
from kafka_support import SECRET_KEY, new_namespace
from run_support import create_workflow, greeting, live_server, wait_for_run
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.auth.users import LOCAL_OWNER
from backend.bus import EventBus, MemoryBus, Subscription
from backend.db import run_store
from backend.db import workflow_store as store
from backend.db.models import RunEventRecord, RunRecord
from backend.runs.reaper import Reaper
from graph_engine.document import WorkflowDocument

QUEUE_TIMEOUT_S = 0.5
PASSES = 32
"""Reaper passes racing over the same runs, as that many API replicas would."""
PAST_TIMEOUT = timedelta(seconds=QUEUE_TIMEOUT_S + 0.1)


class Clock:
    """The reapers' time, moved by the test: however slow the machine, a round of passes
    happens at one moment, so "not yet", "ask again" and "fail" never blur. It starts when
    the newest of the runs was queued."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    @classmethod
    async def at_queueing(
        cls, sessions: async_sessionmaker[AsyncSession], run_ids: list[str]
    ) -> Clock:
        return cls(max(run.created_at for run in (await _rows(sessions, run_ids)).values()))

    def __call__(self) -> datetime:
        return self.now

    def advance(self) -> None:
        self.now += PAST_TIMEOUT


def reaper_on(bus: EventBus, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> Reaper:
    return Reaper(bus, sessions, timeout_s=60, queue_timeout_s=QUEUE_TIMEOUT_S, clock=clock)


async def _queued_runs(sessions: async_sessionmaker[AsyncSession], count: int) -> list[str]:
    """``count`` queued runs whose requests never reached the bus (as if lost)."""
    document = WorkflowDocument.model_validate({"name": "Nobody takes it"})
    async with sessions() as session:
        workflow_id = (await store.create_workflow(session, document, message=None)).id
    queued = [run_store.new_queued_run(workflow_id, 1, {"n": str(n)}) for n in range(count)]
    async with sessions() as session:
        await run_store.insert_queued(session, queued)
    return [row["id"] for row, _ in queued]


async def _received(subscription: Subscription[Any], quiet_s: float = 1.0) -> list[Any]:
    """What arrives until nothing more has come for ``quiet_s``."""
    received: list[Any] = []
    while True:
        try:
            received += await asyncio.wait_for(subscription.next_batch(100), quiet_s)
        except TimeoutError:
            return received


async def _rows(sessions: async_sessionmaker[AsyncSession], run_ids: list[str]) -> dict[str, Any]:
    async with sessions() as session:
        runs = await session.scalars(select(RunRecord).where(RunRecord.id.in_(run_ids)))
        return {run.id: run for run in runs}


async def _event_types(sessions: async_sessionmaker[AsyncSession], run_id: str) -> list[str]:
    async with sessions() as session:
        events = await session.scalars(
            select(RunEventRecord).where(RunEventRecord.run_id == run_id).order_by("seq")
        )
        return [f"{event.seq}:{event.type}" for event in events]


async def _race(reaper: Reaper) -> tuple[Counter[str], Counter[str]]:
    """``PASSES`` reaper passes at once: how often each run was requested again, and failed."""
    rounds = await asyncio.gather(*(reaper.reap_once() for _ in range(PASSES)))
    requested = Counter(run_id for r in rounds for run_id in r.requested_again)
    failed = Counter(event.run_id for r in rounds for event in r.queue_timed_out)
    return requested, failed


async def test_a_run_no_worker_takes_is_requested_again_once_then_failed_once(
    sessions: async_sessionmaker[AsyncSession], bus: EventBus
):
    run_ids = await _queued_runs(sessions, 3)
    clock = await Clock.at_queueing(sessions, run_ids)
    reaper = reaper_on(bus, sessions, clock)
    async with bus.requests() as requests, bus.recorded_events("watchers") as events:
        assert await _race(reaper) == (Counter(), Counter())  # not waited long enough yet

        clock.advance()
        requested, failed = await _race(reaper)
        assert requested == Counter(run_ids) and failed == Counter()
        assert Counter(request.run_id for request in await _received(requests)) == requested
        assert {run.status for run in (await _rows(sessions, run_ids)).values()} == {"queued"}

        clock.advance()
        requested, failed = await _race(reaper)
        assert requested == Counter() and failed == Counter(run_ids)
        published = [e for e in await _received(events) if e.type == "run.failed"]
        assert Counter(event.run_id for event in published) == failed
        assert await _race(reaper) == (Counter(), Counter())

    rows = await _rows(sessions, run_ids)
    for run_id in run_ids:
        run = rows[run_id]
        assert run.status == "failed" and run.finished_at is not None
        assert run.error["code"] == "queue_timeout"
        assert "No worker took this run" in run.error["message"]
        assert "NODELOOM_QUEUE_TIMEOUT_SECONDS" in run.error["message"]
        assert await _event_types(sessions, run_id) == ["0:run.queued", "1:run.failed"]


async def test_a_run_a_worker_took_is_left_to_its_worker(
    sessions: async_sessionmaker[AsyncSession], bus: EventBus
):
    taken, requested_then_taken = await _queued_runs(sessions, 2)
    clock = await Clock.at_queueing(sessions, [taken, requested_then_taken])
    reaper = reaper_on(bus, sessions, clock)
    async with sessions() as session:
        assert await run_store.claim_runs(session, [taken], "worker-1") == {taken}
    clock.advance()
    requested, _ = await _race(reaper)
    assert requested == Counter([requested_then_taken])
    async with sessions() as session:
        claimed = await run_store.claim_runs(session, [requested_then_taken], "worker-2")
        assert claimed == {requested_then_taken}
    clock.advance()
    assert await _race(reaper) == (Counter(), Counter())
    rows = await _rows(sessions, [taken, requested_then_taken])
    assert {run.status for run in rows.values()} == {"running"}


async def test_a_request_that_cannot_be_sent_again_is_tried_again_later(
    sessions: async_sessionmaker[AsyncSession], bus: EventBus
):
    [run_id] = await _queued_runs(sessions, 1)
    clock = await Clock.at_queueing(sessions, [run_id])
    clock.advance()
    unstarted = MemoryBus()  # publishing on it fails
    assert (await reaper_on(unstarted, sessions, clock).reap_once()).requested_again == []
    assert (await reaper_on(bus, sessions, clock).reap_once()).requested_again == [run_id]


@pytest.mark.parametrize("kafka", [False, True], ids=["memory", "kafka"])
async def test_a_run_whose_request_was_lost_runs_once_it_is_requested_again(
    database_url: str,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
    kafka: bool,
    request: pytest.FixtureRequest,
):
    options: dict[str, Any] = {"queue_timeout_seconds": QUEUE_TIMEOUT_S}
    if kafka:
        broker = request.getfixturevalue("runs_broker")
        options |= {
            "kafka_bootstrap_servers": broker.bootstrap_servers,
            "kafka_namespace": new_namespace(),
            "kafka_session_timeout_ms": 1500,
            "secret_key": SECRET_KEY,
            "embedded_worker": True,
        }
    settings = make_settings(tmp_path, database_url, **options)
    async with live_server(settings) as server, server.client() as client:
        workflow_id = await create_workflow(client, greeting())
        row, queued = run_store.new_queued_run(
            workflow_id,
            2,
            {"name": "again"},
            owner_id=LOCAL_OWNER,  # version 2: the saved one
        )
        async with sessions() as session:
            await run_store.insert_queued(session, [(row, queued)])  # never published
        run = await wait_for_run(client, row["id"], deadline_s=20)
    assert run["status"] == "succeeded", run
    assert run["outputs"] == {"greeting": "Hello, again!"}
