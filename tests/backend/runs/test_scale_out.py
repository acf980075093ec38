"""Scale-out on one machine (issue 7, must-hold 2): two ``nodeloom serve`` replicas (A and
B), two ``nodeloom worker`` processes, Tansu and PostgreSQL.

300 runs of a slow streamed model are started alternately through A and B, 32 at a time,
each watched over a WebSocket through the *other* replica. Once a third have started,
worker 1 is killed (SIGKILL) while it has runs in flight. Then, read back from PostgreSQL,
from the event topic itself and from every watcher:

- none lost: every run is terminal; every run that worker 1 did not hold succeeded;
- the runs worker 1 held either succeeded or are ``failed`` with the reaper's reason
  (``WorkerLost``, "stopped responding") — runs are not retried;
- none executed twice: one claim per run (``worker_id``), one ``run.started``, each node
  started once, and the bus never carried two different events under one ``(run, seq)``;
- every watcher saw exactly the recorded stream: seq 0..N in order, no duplicates, one
  terminal event last, then a normal close.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from conftest import RunsBroker, kafka_environment
from fakes.openai_server import fake_openai
from run_support import create_workflow, free_port, read_socket, slow_chat, start_run
from scale_support import (
    RunTrace,
    StoredRun,
    check_outcome,
    check_published,
    check_recorded,
    check_watched,
    read_topic,
    request_places,
    running,
    stored_runs,
    until_running_on,
    worker_pid,
)
from services.nodeloom import NodeloomProcess, serve, worker

from backend.bus.base import WORKERS_GROUP
from backend.bus.messages import EVENTS, REQUESTS, Channel

RUNS = 300
LANES = 32  # runs in flight at once (the two workers' concurrency together)
WORKER_CONCURRENCY = 16
KILL_AFTER = RUNS // 3
TOKENS, TOKEN_DELAY_MS = 5, 100  # about half a second per run: a kill catches some
NODES = ("q", "llm", "out")
WATCH_DEADLINE_S = 90.0
SETTLE_DEADLINE_S = 15.0


@dataclass
class ScaleOut:
    apis: tuple[NodeloomProcess, NodeloomProcess]
    workers: tuple[NodeloomProcess, NodeloomProcess]
    database_url: str
    bootstrap_servers: str
    namespace: str
    openai_url: str
    log_dir: Path

    def topic(self, channel: Channel[Any]) -> str:
        return f"{self.namespace}{channel.name}"

    def group(self, name: str) -> str:
        return f"{self.namespace}{name}"


@pytest.fixture
async def scale_out(
    runs_broker: RunsBroker, postgres_url: str, tmp_path: Path
) -> AsyncIterator[ScaleOut]:
    environment = kafka_environment(runs_broker, tmp_path)
    env = {
        **environment,
        "NODELOOM_DATABASE_URL": postgres_url,
        "NODELOOM_EMBEDDED_WORKER": "false",
        "NODELOOM_WORKER_CONCURRENCY": str(WORKER_CONCURRENCY),
    }
    apis = (serve(free_port(), env, tmp_path, "api-a"), serve(free_port(), env, tmp_path, "api-b"))
    workers = (worker(env, tmp_path, "worker-1"), worker(env, tmp_path, "worker-2"))
    with fake_openai() as openai_url:
        async with running([*apis, *workers]):
            yield ScaleOut(
                apis,
                workers,
                postgres_url,
                runs_broker.bootstrap_servers,
                environment["NODELOOM_KAFKA_NAMESPACE"],
                openai_url,
                tmp_path,
            )


@pytest.mark.postgres
async def test_300_runs_over_two_apis_and_two_workers_finish_exactly_once_when_one_dies(
    scale_out: ScaleOut,
):
    began = time.monotonic()
    doomed = scale_out.workers[0]
    assert doomed.process is not None
    doomed_pid = doomed.process.pid
    traces = await _drive(scale_out)
    driven = time.monotonic() - began
    runs = await _settled(scale_out.database_url, {t.run_id for t in traces})
    published = await read_topic(scale_out.bootstrap_servers, scale_out.topic(EVENTS))

    problems = check_published(runs, published)
    stuck = [r.id for r in runs.values() if r.status in ("queued", "running")]
    if stuck:
        requests = await read_topic(
            scale_out.bootstrap_servers, scale_out.topic(REQUESTS), scale_out.group(WORKERS_GROUP)
        )
        problems += request_places(requests, stuck)
    for trace in traces:
        run = runs[trace.run_id]
        problems += check_outcome(run, doomed_pid)
        problems += check_recorded(run, NODES, TOKENS)
        problems += check_watched(trace, run)
    report = _report(runs.values(), doomed_pid)
    print(f"{report}; {len(published.records)} events on the bus; driven in {driven:.1f} s")
    assert not problems, (
        f"{len(problems)} problems ({report}):\n"
        + "\n".join(problems[:40])
        + f"\nprocess logs: {scale_out.log_dir}"
    )
    assert len(traces) == RUNS and set(runs) == {t.run_id for t in traces}
    statuses = Counter((worker_pid(r.worker_id) == doomed_pid, r.status) for r in runs.values())
    assert statuses[(True, "failed")] > 0, f"the kill caught no run in flight: {report}"
    assert statuses[(True, "succeeded")] > 0 and statuses[(False, "succeeded")] > 0, report
    assert (
        statuses[(True, "succeeded")] + statuses[(True, "failed")] + statuses[(False, "succeeded")]
        == RUNS
    ), report


async def _drive(scale_out: ScaleOut) -> list[RunTrace]:
    """Start every run (A, B, A, …) in ``LANES`` lanes, each watching its run through the
    other replica to the end; kill worker 1 once a third are started and it holds runs."""
    a, b = scale_out.apis
    doomed = scale_out.workers[0]
    indexes = iter(range(RUNS))  # shared: each lane takes the next index
    traces: list[RunTrace] = []
    third_started, killed = asyncio.Event(), asyncio.Event()

    async def lane(clients: dict[str, httpx.AsyncClient], workflow_id: str) -> None:
        for index in indexes:
            started_on, watched_on = (a, b) if index % 2 == 0 else (b, a)
            client = clients[started_on.name]
            run_id = await start_run(client, workflow_id, question=f"run {index}")
            trace = RunTrace(index, run_id, started_on.name, watched_on.name, killed.is_set())
            traces.append(trace)
            if len(traces) == KILL_AFTER:
                third_started.set()
            try:
                trace.socket = await read_socket(
                    watched_on.ws_base, run_id, deadline_s=WATCH_DEADLINE_S
                )
            except (TimeoutError, OSError, websockets.WebSocketException) as error:
                trace.watch_error = repr(error)

    async def kill_mid_way() -> None:
        await third_started.wait()
        assert doomed.process is not None
        holding = await until_running_on(scale_out.database_url, doomed.process.pid, 1, 30)
        await asyncio.to_thread(doomed.kill)
        killed.set()
        print(f"killed worker 1 after {len(traces)} runs started, holding {holding}+ runs")

    async with _client(a) as client_a, _client(b) as client_b:
        workflow = slow_chat(scale_out.openai_url, TOKENS, TOKEN_DELAY_MS)
        workflow_id = await create_workflow(client_a, workflow)
        clients = {a.name: client_a, b.name: client_b}
        async with asyncio.TaskGroup() as group:
            group.create_task(kill_mid_way())
            for _ in range(LANES):
                group.create_task(lane(clients, workflow_id))
    return traces


def _client(api: NodeloomProcess) -> httpx.AsyncClient:
    # No keep-alive: a lane's connection idles while it watches a run, and a request sent
    # just as the server closes an idle connection fails with a read error (not retried).
    limits = httpx.Limits(max_keepalive_connections=0)
    return httpx.AsyncClient(base_url=api.base_url, timeout=30, limits=limits)


async def _settled(database_url: str, run_ids: set[str]) -> dict[str, StoredRun]:
    """The runs from PostgreSQL once none is queued or running (or the deadline passed:
    the checks then name the stuck ones)."""
    deadline = time.monotonic() + SETTLE_DEADLINE_S
    while True:
        runs = await stored_runs(database_url)
        ours = [runs[i] for i in run_ids if i in runs]
        settled = all(r.status not in ("queued", "running") for r in ours)
        if (settled and len(ours) == len(run_ids)) or time.monotonic() > deadline:
            return runs
        await asyncio.sleep(1)


def _report(runs: Iterable[StoredRun], doomed_pid: int) -> str:
    names = {doomed_pid: "worker 1", None: "no worker"}
    counts = Counter((names.get(worker_pid(r.worker_id), "worker 2"), r.status) for r in runs)
    return ", ".join(f"{where} {status}: {n}" for (where, status), n in sorted(counts.items()))
