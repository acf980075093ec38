"""Nothing lost across faults (issue 21, must-hold 3).

PostgreSQL (a cluster of this module's own), Tansu keeping its log on S3 (so a restart is
a real restart of a broker that kept its log), two ``nodeloom serve`` replicas (A, B) and
two ``nodeloom worker``s. 200 runs of a slow streamed model are started over 16 clients,
alternately through A and B, each watched over the WebSocket through the other replica.
While they run, one fault after another, each once a number of runs have started:

1. the broker SIGKILLed and started again (same port, same log);
2. worker 1 SIGKILLed while it holds runs, and started again;
3. replica A SIGKILLed (its watchers reconnect to B with ``?after=<last seq>``), and
   started again on its port;
4. the broker SIGKILLed and started again, a second time;
5. PostgreSQL shut down and started again.

At the end, for every run in the database (those whose POST answer was lost too):
terminal within ``RUN_BOUND_S`` of its creation, none ``queued`` or ``running``, no seq
gap in ``run_events``, every event the topic holds recorded and no ``(run, seq)`` on it
twice as different events (read with librdkafka); and every watcher's frames,
all its connections together, equal to a full replay (``?after=-1``) of the finished
run, byte for byte. A client waits ``LANE_PATIENCE_S`` at most for its run to end
before it starts the next (its watcher goes on), so a stalled run does not stop the load;
runs not started before ``DRIVE_S`` count as failures too. Each check lists every run it
finds wrong; the figures (runs, how they ended and why, durations, the faults and what
they caught) are printed either way.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
import websockets
from conftest import RunsBroker, kafka_environment
from fakes.openai_server import fake_openai
from fault_support import (
    Replicas,
    Started,
    StoredRun,
    Watch,
    check_carried,
    check_ended,
    check_gapless,
    check_watched,
    figures,
    read_carried,
    replay,
    start_run,
    stored_runs,
    watch,
)
from run_support import create_workflow, slow_chat
from scale_support import running, until_running_on
from services.databases import create_database
from services.kafka import KafkaServer, kafka_or_fail
from services.nodeloom import NodeloomProcess, serve, worker
from services.postgres import PostgresServer, start_postgres
from services.processes import free_port

from backend.bus.base import RECORDER_GROUP
from backend.bus.messages import EVENTS
from backend.db.migrate import upgrade_database

RUNS = 200
LANES = 16
WORKER_CONCURRENCY = 16
# About a second a run (every fault catches some), in few events: the S3 server the
# broker keeps its log in (moto, one core) takes about 40 records a second.
TOKENS, TOKEN_DELAY_MS = 3, 300
RUN_BOUND_S = 90.0
"""The stated bound: every run is terminal this long after it was created, and its watcher
has seen the end, at most. The worker timeout is 5 s, the queue timeout 10 s (a lost
request is asked again at 10 s and failed at 20 s); an outage here lasts a few seconds.
What takes longest is the recorder's group: a replica SIGKILLed holds its partitions for
the 10 s session timeout, and every join after it, or after a broker restart, goes
through group state kept on the slow S3 storage; nothing is recorded meanwhile, so no
watcher hears of an end. Seen: ends reaching watchers up to 55 s after the run began,
and a worker's lost run failed at 59.5 s (the reaper waits for the recorder first)."""
DRIVE_S = 240.0
"""No run is started after this. A lane waits up to ``LANE_PATIENCE_S`` for each run that
ends by the queue timeout (some two dozen after the worker crash): on a busy machine
starting all 200 took 185 s."""
READ_TOPIC_S = 120.0
"""Time for the check's own reader to read the topic from its start (some 2,000 records):
the S3 server under the broker serves a few dozen a second, fewer on a busy machine (25 s
was once too short with other work beside the test); the read ends as soon as it is at
the end."""
BROKER_DOWN_S, WORKER_DOWN_S, API_DOWN_S, POSTGRES_DOWN_S = 3.0, 2.0, 3.0, 1.5
FAULT_AFTER = (10, 40, 70, 100, 130)  # runs started before each fault
REPLAYS_AT_ONCE = 16
LATE_S = 60.0
"""A watcher still waiting at its deadline waits this much longer: a failure then says
whether the end came late (a bound missed) or never (an event lost to the stream)."""
LANE_PATIENCE_S = 15.0  # a client waits this long for its run's end before the next


@dataclass
class Deployment:
    apis: tuple[NodeloomProcess, NodeloomProcess]
    workers: tuple[NodeloomProcess, NodeloomProcess]
    broker: KafkaServer
    postgres: PostgresServer
    database_url: str
    namespace: str
    openai_url: str
    log_dir: Path


@dataclass
class Trace:
    index: int
    run_id: str
    started: Started
    watched_on: str
    seen: Watch | None = None

    @property
    def where(self) -> str:
        return (
            f"{self.run_id} (#{self.index}, started on {self.started.replica}, "
            f"watched on {self.watched_on})"
        )


@dataclass
class Drive:
    traces: list[Trace] = field(default_factory=list)
    not_started: list[str] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)

    def in_flight(self) -> int:
        return sum(1 for trace in self.traces if trace.seen is None)


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    """A cluster of this module's own: the test restarts it."""
    server = start_postgres()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[KafkaServer]:
    directory = tmp_path / "kafka"
    directory.mkdir()
    with kafka_or_fail(directory, "the fault test", storage="s3") as server:
        yield server


@pytest.fixture
async def deployment(
    postgres: PostgresServer, broker: KafkaServer, tmp_path: Path
) -> AsyncIterator[Deployment]:
    database_url = await create_database(postgres.admin_url, f"faults_{int(time.time())}")
    await upgrade_database(database_url)
    kafka = kafka_environment(RunsBroker(broker.bootstrap_servers, broker), tmp_path)
    env = {
        **kafka,
        "NODELOOM_DATABASE_URL": database_url,
        "NODELOOM_EMBEDDED_WORKER": "false",
        "NODELOOM_WORKER_CONCURRENCY": str(WORKER_CONCURRENCY),
        "NODELOOM_QUEUE_TIMEOUT_SECONDS": "10",
        # The default session timeout, not the quick one of the other tests: this broker
        # keeps its groups in S3 too, and on a busy machine its heartbeat answers take
        # longer than 1.5 s; group members were then evicted over and over and the
        # recorder stalled (runs left running, watchers waiting).
        "NODELOOM_KAFKA_SESSION_TIMEOUT_MS": "10000",
    }
    apis = (serve(free_port(), env, tmp_path, "api-a"), serve(free_port(), env, tmp_path, "api-b"))
    workers = (worker(env, tmp_path, "worker-1"), worker(env, tmp_path, "worker-2"))
    with fake_openai() as openai_url:
        async with running([*apis, *workers]):
            yield Deployment(
                apis,
                workers,
                broker,
                postgres,
                database_url,
                kafka["NODELOOM_KAFKA_NAMESPACE"],
                openai_url,
                tmp_path,
            )


@pytest.mark.postgres
async def test_200_watched_runs_lose_nothing_across_broker_worker_api_and_database_faults(
    deployment: Deployment,
) -> None:
    print(f"\nbound: every run terminal within {RUN_BOUND_S:g} s of its creation")
    began = time.monotonic()
    replicas = Replicas(deployment.apis)
    try:
        drive = await _drive(deployment, replicas)
        driven = time.monotonic() - began
        runs = await _settled(deployment.database_url)
        finished = {r.id for r in runs.values() if r.status not in ("queued", "running")}
        replays = await _replays(replicas, [t for t in drive.traces if t.run_id in finished])
    finally:
        await replicas.close()
    topic = f"{deployment.namespace}{EVENTS.name}"
    recorder_group = f"{deployment.namespace}{RECORDER_GROUP}"
    reading = time.monotonic()
    carried = await read_carried(
        deployment.broker.bootstrap_servers, topic, recorder_group, READ_TOPIC_S
    )
    print(f"the event topic read from its start in {time.monotonic() - reading:.1f} s")

    traced = {trace.run_id for trace in drive.traces}
    problems: dict[str, list[str]] = {
        "not started": drive.not_started,
        "not terminal in time": [p for run in runs.values() for p in check_ended(run, RUN_BOUND_S)],
        "seq gaps": [p for run in runs.values() for p in check_gapless(run)],
        "event topic not readable to its end": carried.unread,
        "one seq, two events on the bus": carried.conflicts,
        "on the bus, not recorded": [p for i in finished for p in check_carried(runs[i], carried)],
        "watcher ≠ replay": [
            problem
            for trace in drive.traces
            if trace.run_id in finished
            for problem in check_watched(
                trace.seen or Watch(trace.run_id), replays[trace.run_id], trace.where
            )
        ],
    }
    retried = sum(1 for trace in drive.traces if trace.started.attempts)
    print(
        f"{figures(runs.values())}\n"
        f"{len(drive.traces)} started and watched ({retried} after a retried POST), "
        f"{len(set(runs) - traced)} more created by POSTs whose answer was lost; "
        f"driven in {driven:.1f} s, {time.monotonic() - began:.1f} s in all\n"
        + "\n".join(drive.faults)
    )
    found = {kind: lines for kind, lines in problems.items() if lines}
    assert not found, (
        "; ".join(f"{len(lines)} × {kind}" for kind, lines in found.items())
        + "\n"
        + "\n".join(f"[{kind}] {line}" for kind, lines in found.items() for line in lines[:15])
        + f"\nprocess logs: {deployment.log_dir}"
    )
    assert len(drive.traces) == RUNS


async def _drive(deployment: Deployment, replicas: Replicas) -> Drive:
    a, b = (api.name for api in deployment.apis)
    drive = Drive()
    indexes = iter(range(RUNS))
    stop_starting = time.monotonic() + DRIVE_S
    workflow_id = await create_workflow(
        replicas.clients[a], slow_chat(deployment.openai_url, TOKENS, TOKEN_DELAY_MS)
    )

    async def lane() -> None:
        for index in indexes:
            preferred = a if index % 2 == 0 else b
            inputs = {"question": f"run {index}"}
            started = await start_run(replicas, preferred, workflow_id, inputs, stop_starting)
            if started.run_id is None:
                drive.not_started.append(
                    f"run #{index}: refused until the drive ended: {started.attempts[-3:]}"
                    if started.attempts
                    else f"run #{index}: its client was still waiting for earlier runs"
                )
                continue
            trace = Trace(index, started.run_id, started, replicas.other(started.replica))
            drive.traces.append(trace)
            watching.append(asyncio.create_task(_watch(trace)))
            # A stuck run holds its watcher, not the client: it starts the next one.
            await asyncio.wait([watching[-1]], timeout=LANE_PATIENCE_S)

    async def _watch(trace: Trace) -> None:
        deadline = time.monotonic() + RUN_BOUND_S + 5
        trace.seen = await watch(replicas, trace.run_id, trace.watched_on, deadline, LATE_S)

    watching: list[asyncio.Task[None]] = []
    async with asyncio.TaskGroup() as group:
        group.create_task(_inject_faults(deployment, drive, stop_starting))
        for _ in range(LANES):
            group.create_task(lane())
    await asyncio.gather(*watching)
    return drive


async def _inject_faults(deployment: Deployment, drive: Drive, stop_starting: float) -> None:
    faults: list[tuple[str, Callable[[], Awaitable[str]]]] = [
        ("broker SIGKILL + restart", lambda: _restart_broker(deployment)),
        ("worker-1 SIGKILL + restart", lambda: _crash_worker(deployment)),
        ("api-a SIGKILL + restart", lambda: _crash_api(deployment)),
        ("broker SIGKILL + restart (2nd)", lambda: _restart_broker(deployment)),
        ("PostgreSQL restart", lambda: _restart_postgres(deployment)),
    ]
    for after, (name, fault) in zip(FAULT_AFTER, faults, strict=True):
        while len(drive.traces) < after and time.monotonic() < stop_starting:  # noqa: ASYNC110 - polls the lanes' progress
            await asyncio.sleep(0.05)
        at, in_flight, began = len(drive.traces), drive.in_flight(), time.monotonic()
        detail = await fault()
        drive.faults.append(
            f"fault {name} after {at} runs started, {in_flight} being watched: "
            f"{detail}, {time.monotonic() - began:.1f} s until back"
        )


async def _restart_broker(deployment: Deployment) -> str:
    await asyncio.to_thread(deployment.broker.kill)
    await asyncio.sleep(BROKER_DOWN_S)
    await asyncio.to_thread(deployment.broker.start)
    return f"down {BROKER_DOWN_S:g} s"


async def _crash_worker(deployment: Deployment) -> str:
    doomed = deployment.workers[0]
    assert doomed.process is not None
    try:
        holding = await until_running_on(deployment.database_url, doomed.process.pid, 1, 10)
    except AssertionError:
        holding = 0
    await asyncio.to_thread(doomed.kill)
    await asyncio.sleep(WORKER_DOWN_S)
    await asyncio.to_thread(doomed.start)
    return f"it held {holding}+ runs"


async def _crash_api(deployment: Deployment) -> str:
    doomed = deployment.apis[0]
    await asyncio.to_thread(doomed.kill)
    await asyncio.sleep(API_DOWN_S)
    await asyncio.to_thread(doomed.start)
    return f"down {API_DOWN_S:g} s"


async def _restart_postgres(deployment: Deployment) -> str:
    await asyncio.to_thread(deployment.postgres.shut_down)
    await asyncio.sleep(POSTGRES_DOWN_S)
    await asyncio.to_thread(deployment.postgres.start_again)
    return f"down {POSTGRES_DOWN_S:g} s"


async def _settled(database_url: str) -> dict[str, StoredRun]:
    """Every run once none is queued or running, or when the bound has passed for the
    last one created (the checks then name the stuck ones)."""
    while True:
        runs = await stored_runs(database_url)
        if all(r.status not in ("queued", "running") for r in runs.values()):
            return runs
        last_created = max(run.created_at for run in runs.values())
        if (datetime.now(UTC) - last_created).total_seconds() > RUN_BOUND_S:
            return runs
        await asyncio.sleep(1)


async def _replays(replicas: Replicas, traces: list[Trace]) -> dict[str, list[str]]:
    at_once = asyncio.Semaphore(REPLAYS_AT_ONCE)

    async def one(trace: Trace) -> tuple[str, list[str]]:
        async with at_once:
            try:
                frames = await replay(replicas, trace.run_id, trace.watched_on)
            except (OSError, TimeoutError, websockets.WebSocketException) as error:
                frames = [f"<replay failed: {error!r}>"]
            return trace.run_id, frames

    return dict(await asyncio.gather(*(one(trace) for trace in traces)))
