"""A worker that loses the bus stops its runs and records why; it does not keep them
``running`` on heartbeats alone.

The worker's publishes retry until the bus's publish deadline (here 2 s); past it the
run's progress cannot reach anyone, so the worker stops the run and writes its end to
the database itself, as the recorder would have: the event cut off, then ``run.failed``
(``EventBusLost``), and the run's row ``failed``. A real broker is stopped under a
running run, on SQLite and PostgreSQL. (The in-process bus cannot be lost.)
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from api_support import make_settings
from fakes.openai_server import fake_openai
from kafka_support import SECRET_KEY, new_namespace, quick_kafka_settings
from run_support import greeting, slow_chat
from services.kafka import KafkaServer, KafkaUnavailable, start_kafka
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.bus import KafkaBus, RunRequest
from backend.db import run_store
from backend.db import workflow_store as store
from backend.db.models import RunEventRecord, RunRecord
from backend.runs.recorder import Recorder
from backend.worker.service import WorkerService
from graph_engine.document import WorkflowDocument

PUBLISH_TIMEOUT_S = 2.0
NOTICED_WITHIN_S = PUBLISH_TIMEOUT_S + 3.0
"""The publish deadline, then stopping the run and writing its end."""


@pytest.fixture(scope="module")
def openai_url() -> Iterator[str]:
    with fake_openai() as url:
        yield url


@pytest.fixture
def broker(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[KafkaServer]:
    """A broker of this test's own: it is stopped for longer than a restart. Its storage
    is the test's ``storage`` parameter (memory unless it says otherwise)."""
    storage = getattr(request, "param", "memory")
    try:
        server = start_kafka(tmp_path, storage=storage)
    except KafkaUnavailable as error:
        pytest.fail(f"this test needs a Kafka-protocol broker: {error}", pytrace=False)
    try:
        yield server
    finally:
        server.stop()


class Deployment:
    """A worker and a recorder (an API replica's), each with its own Kafka clients."""

    def __init__(self, broker: KafkaServer, sessions: async_sessionmaker[AsyncSession]) -> None:
        namespace = new_namespace()
        servers = broker.bootstrap_servers
        self.api_bus = KafkaBus(quick_kafka_settings(servers, namespace))
        self.worker_bus = KafkaBus(
            quick_kafka_settings(servers, namespace, publish_timeout_s=PUBLISH_TIMEOUT_S)
        )
        self.sessions = sessions
        self.namespace = namespace

    async def start_run(self, workflow_id: str, inputs: dict[str, Any]) -> str:
        row, queued = run_store.new_queued_run(workflow_id, 1, inputs)
        async with self.sessions() as session:
            await run_store.insert_queued(session, [(row, queued)])
        request = RunRequest(run_id=row["id"], workflow_id=workflow_id, version=1, inputs=inputs)
        await self.api_bus.publish_request(request)
        return row["id"]


@pytest.fixture
async def deployment(
    broker: KafkaServer,
    sessions: async_sessionmaker[AsyncSession],
    database_url: str,
    tmp_path: Path,
) -> AsyncIterator[tuple[Deployment, WorkerService]]:
    running = Deployment(broker, sessions)
    settings = make_settings(
        tmp_path,
        database_url,
        kafka_bootstrap_servers=broker.bootstrap_servers,
        kafka_namespace=running.namespace,
        secret_key=SECRET_KEY,
        embedded_worker=True,
        heartbeat_interval_seconds=0.2,
        worker_timeout_seconds=60,  # no reaper here: the worker must end the run itself
    )
    await running.api_bus.start()
    await running.worker_bus.start()
    recording = asyncio.create_task(Recorder(running.api_bus, sessions).run())
    worker = WorkerService(running.worker_bus, sessions, settings)
    await worker.start(embedded=True)
    try:
        yield running, worker
    finally:
        await worker.stop(grace_s=0)
        recording.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await recording
        await running.worker_bus.close()
        await running.api_bus.close()


async def _workflow(sessions: async_sessionmaker[AsyncSession], document: dict[str, Any]) -> str:
    async with sessions() as session:
        created = await store.create_workflow(
            session, WorkflowDocument.model_validate(document), message=None
        )
        return created.id


async def _run(sessions: async_sessionmaker[AsyncSession], run_id: str) -> RunRecord:
    async with sessions() as session:
        run = await session.get(RunRecord, run_id)
        assert run is not None
        return run


async def _events(sessions: async_sessionmaker[AsyncSession], run_id: str) -> list[RunEventRecord]:
    async with sessions() as session:
        found = await session.scalars(
            select(RunEventRecord).where(RunEventRecord.run_id == run_id).order_by("seq")
        )
        return list(found)


async def _until(check, deadline_s: float, what: str) -> float:
    """Wait until ``check()`` (a coroutine function) is true; returns the time it took."""
    began = time.monotonic()
    while not await check():
        if time.monotonic() - began > deadline_s:
            raise AssertionError(f"{what} did not happen within {deadline_s} s")
        await asyncio.sleep(0.05)
    return time.monotonic() - began


@pytest.mark.parametrize(
    ("broker", "tokens", "delay_ms"),
    [("memory", 400, 50), ("s3", 3000, 1)],
    # A token each 50 ms; a token each ms, publishes in flight when the broker goes, on a
    # broker that keeps its log (S3). There publishing takes some 40 records a second, so
    # 3,000 tokens outlast the wait for the first ones recorded: a run that had published
    # its end before the broker went would stay running until the broker is back (its
    # events are in the broker's log), and this test is about a run the worker must end.
    ids=["50ms-memory", "1ms-in-flight-s3"],
    indirect=["broker"],
)
async def test_a_worker_that_loses_the_bus_stops_the_run_and_records_why(
    deployment: tuple[Deployment, WorkerService],
    broker: KafkaServer,
    sessions: async_sessionmaker[AsyncSession],
    openai_url: str,
    tokens: int,
    delay_ms: int,
):
    running, worker = deployment
    workflow_id = await _workflow(sessions, slow_chat(openai_url, tokens=tokens, delay_ms=delay_ms))
    run_id = await running.start_run(workflow_id, {"question": "still there?"})

    async def tokens_recorded() -> bool:
        return sum(e.type == "node.token" for e in await _events(sessions, run_id)) >= 5

    await _until(tokens_recorded, 30, "recording the first tokens")
    await asyncio.to_thread(broker.kill)  # its log stays on S3, if it keeps one

    async def ended() -> bool:
        return (await _run(sessions, run_id)).status != "running"

    noticed = await _until(ended, 30, "ending the run")
    print(f"the run ended {noticed:.1f} s after the broker stopped")
    run = await _run(sessions, run_id)
    assert run.status == "failed"
    assert run.error["code"] == "event_bus_lost"
    assert "lost its connection to the event bus" in run.error["message"]
    assert run.nodes["llm"]["status"] == "interrupted"
    assert noticed < NOTICED_WITHIN_S
    assert run_id not in worker.executor.active
    events = await _events(sessions, run_id)
    assert events[-1].type == "run.failed" and events[-1].seq == run.last_seq
    assert [e.type for e in events].count("run.failed") == 1

    # The worker lost the bus, not its way: once the broker is back it runs again.
    await asyncio.to_thread(broker.start)
    if broker.s3 is not None:
        # Events the broker took before it went and the recorder had not read yet are
        # recorded once it is back (a broker that keeps its log; the memory one lost them):
        # the run's recorded events close up, with the worker's end after them.
        async def gapless() -> bool:
            seqs = [e.seq for e in await _events(sessions, run_id)]
            return seqs == list(range(len(seqs)))

        await _until(gapless, 60, "recording the events the broker held")
        events = await _events(sessions, run_id)
        assert events[-1].type == "run.failed" and events[-1].seq == run.last_seq
        assert [e.type for e in events].count("run.failed") == 1
        print(f"recorded after the broker came back: {len(events)} events, no gap")
    quick = await _workflow(sessions, greeting())
    next_run = await running.start_run(quick, {"name": "back"})

    async def succeeded() -> bool:
        return (await _run(sessions, next_run)).status == "succeeded"

    await _until(succeeded, 60, "running a run after the broker came back")
