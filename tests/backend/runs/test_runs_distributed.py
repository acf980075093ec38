"""Several processes: two ``nodeloom serve`` replicas (A and B), one ``nodeloom worker``,
Tansu and PostgreSQL — the deployment of DESIGN.md, on one machine.

Must hold: a run started through A is watched live through B, every event in ``seq``
order; a client that reconnects with ``after`` gets exactly what it missed; a killed
worker's run is failed with a reason within 30 s; a broker restart mid-run loses no
recorded event and watchers carry on.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest
from conftest import RunsBroker, kafka_environment
from fakes.openai_server import fake_openai
from run_support import (
    assert_in_order,
    create_workflow,
    free_port,
    read_socket,
    recorded_events,
    slow_chat,
    start_run,
    wait_for_run,
)
from services.databases import create_database, drop_database
from services.nodeloom import NodeloomProcess, serve, worker


@dataclass
class Deployment:
    a: NodeloomProcess
    b: NodeloomProcess
    worker: NodeloomProcess
    openai_url: str

    def client(self, replica: NodeloomProcess) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=replica.base_url, timeout=30)


@pytest.fixture(scope="module")
def openai_url() -> Iterator[str]:
    with fake_openai() as url:
        yield url


@pytest.fixture(scope="module")
async def deployment(
    runs_broker: RunsBroker,
    postgres_admin_url: str,
    postgres_template: str,
    tmp_path_factory: pytest.TempPathFactory,
    openai_url: str,
) -> AsyncIterator[Deployment]:
    """One deployment for the module (starting three processes takes seconds)."""
    tmp_path = tmp_path_factory.mktemp("deployment")
    name = f"nodeloom_test_{uuid.uuid4().hex[:16]}"
    database = await create_database(postgres_admin_url, name, template=postgres_template)
    env = {**kafka_environment(runs_broker, tmp_path), "NODELOOM_DATABASE_URL": database}
    processes = [
        serve(free_port(), env, tmp_path, "replica-a"),
        serve(free_port(), env, tmp_path, "replica-b"),
        worker(env, tmp_path),
    ]
    try:
        await asyncio.gather(*(asyncio.to_thread(p.start) for p in processes))
        yield Deployment(*processes, openai_url=openai_url)
    finally:
        for process in processes:
            process.stop(timeout=15)
        await drop_database(postgres_admin_url, name)


@pytest.fixture
def worker_alive(deployment: Deployment) -> Deployment:
    if not deployment.worker.running:
        deployment.worker.start()
    return deployment


async def test_a_run_started_on_a_is_watched_live_on_b(worker_alive: Deployment):
    deployment = worker_alive
    async with deployment.client(deployment.a) as a, deployment.client(deployment.b) as b:
        workflow_id = await create_workflow(a, slow_chat(deployment.openai_url, 20, 50))
        run_id = await start_run(a, workflow_id, question="live?")
        began = time.monotonic()
        arrivals: list[float] = []
        watched = await _watch(deployment.b.ws_base, run_id, arrivals)
        run = await wait_for_run(b, run_id)
        recorded = await recorded_events(a, run_id)

    assert run["status"] == "succeeded", run
    assert_in_order(watched)
    assert watched == _same_order(recorded, watched)
    assert watched[-1]["type"] == "run.succeeded"
    assert len([e for e in watched if e["type"] == "node.token"]) == 20
    tokens_seen = [
        t - began for t, e in zip(arrivals, watched, strict=True) if e["type"] == "node.token"
    ]
    assert tokens_seen[-1] - tokens_seen[0] > 0.5  # they came while the model wrote them


async def test_a_client_that_reconnects_with_after_gets_exactly_what_it_missed(
    worker_alive: Deployment,
):
    deployment = worker_alive
    async with deployment.client(deployment.a) as a:
        workflow_id = await create_workflow(a, slow_chat(deployment.openai_url, 20, 50))
        run_id = await start_run(a, workflow_id, question="again?")
        first = await read_socket(deployment.b.ws_base, run_id, count=6)
        await asyncio.sleep(0.4)  # disconnected while the run goes on
        rest = await read_socket(deployment.a.ws_base, run_id, after=first.events[-1]["seq"])
        await wait_for_run(a, run_id)
        recorded = await recorded_events(a, run_id)
    assert_in_order(first.events + rest.events)
    assert [e["seq"] for e in first.events + rest.events] == [e["seq"] for e in recorded]
    assert rest.events[-1]["type"] == "run.succeeded" and rest.close_code == 1000


async def test_killing_the_worker_mid_run_fails_the_run_with_a_reason_within_30_s(
    worker_alive: Deployment,
):
    deployment = worker_alive
    async with deployment.client(deployment.a) as a:
        workflow_id = await create_workflow(a, slow_chat(deployment.openai_url, 400, 50))
        run_id = await start_run(a, workflow_id, question="crash?")
        watching = asyncio.create_task(read_socket(deployment.b.ws_base, run_id, deadline_s=40))
        await _until_tokens(a, run_id)
        deployment.worker.kill()
        killed = time.monotonic()
        run = await wait_for_run(a, run_id, deadline_s=30)
        detected = time.monotonic() - killed
        watched = await watching
    print(f"the run was failed {detected:.1f} s after the worker was killed")
    assert run["status"] == "failed"
    assert run["error"]["type"] == "WorkerLost"
    assert "stopped responding" in run["error"]["message"]
    assert run["nodes"]["llm"]["status"] == "interrupted"
    assert detected < 30
    assert_in_order(watched.events)
    assert watched.events[-1]["type"] == "run.failed" and watched.close_code == 1000


async def test_cancelling_through_b_stops_the_run_on_the_worker(worker_alive: Deployment):
    deployment = worker_alive
    async with deployment.client(deployment.a) as a, deployment.client(deployment.b) as b:
        workflow_id = await create_workflow(a, slow_chat(deployment.openai_url, 400, 50))
        run_id = await start_run(a, workflow_id, question="stop?")
        await _until_tokens(a, run_id)
        response = await b.post(f"/api/v1/runs/{run_id}/cancel")
        assert response.status_code == 202, response.text
        run = await wait_for_run(a, run_id, deadline_s=15)
    assert run["status"] == "cancelled"
    assert run["nodes"]["llm"]["status"] == "interrupted"


async def test_sigterm_lets_the_worker_finish_a_run_within_the_grace_period(
    worker_alive: Deployment,
):
    deployment = worker_alive  # NODELOOM_SHUTDOWN_GRACE_SECONDS=5 (see kafka_environment)
    async with deployment.client(deployment.a) as a:
        workflow_id = await create_workflow(a, slow_chat(deployment.openai_url, 15, 100))
        run_id = await start_run(a, workflow_id, question="finish first?")
        await _until_tokens(a, run_id)
        began = time.monotonic()
        exit_code = await asyncio.to_thread(deployment.worker.stop)
        stopped_after = time.monotonic() - began
        run = await wait_for_run(a, run_id, deadline_s=15)
        after_stop = await start_run(a, workflow_id, question="anyone there?")
        await asyncio.sleep(1)
        queued = (await a.get(f"/api/v1/runs/{after_stop}")).json()
    assert exit_code == 0, deployment.worker.tail()
    assert run["status"] == "succeeded", run
    assert len([e for e in await _recorded(deployment, run_id) if e["type"] == "node.token"]) == 15
    assert stopped_after < 5 + 3  # the grace period, plus the process's own exit
    assert queued["status"] == "queued"  # a stopped worker takes nothing new


async def test_sigterm_fails_a_run_that_outlasts_the_grace_period_with_a_reason(
    worker_alive: Deployment,
):
    deployment = worker_alive
    async with deployment.client(deployment.a) as a:
        workflow_id = await create_workflow(a, slow_chat(deployment.openai_url, 400, 50))
        run_id = await start_run(a, workflow_id, question="too long?")
        watching = asyncio.create_task(read_socket(deployment.b.ws_base, run_id, deadline_s=40))
        await _until_tokens(a, run_id)
        exit_code = await asyncio.to_thread(deployment.worker.stop)
        run = await wait_for_run(a, run_id, deadline_s=15)
        watched = await watching
    assert exit_code == 0, deployment.worker.tail()
    assert run["status"] == "failed"
    assert run["error"]["code"] == "worker_shutdown"
    assert "shut down" in run["error"]["message"]
    assert run["nodes"]["llm"]["status"] == "interrupted"
    assert watched.events[-1]["type"] == "run.failed" and watched.close_code == 1000


async def test_a_broker_restart_mid_run_loses_no_recorded_event(
    worker_alive: Deployment, runs_broker: RunsBroker
):
    deployment = worker_alive
    async with deployment.client(deployment.a) as a:
        workflow_id = await create_workflow(a, slow_chat(deployment.openai_url, 40, 100))
        run_id = await start_run(a, workflow_id, question="restart?")
        watching = asyncio.create_task(read_socket(deployment.b.ws_base, run_id, deadline_s=60))
        await _until_tokens(a, run_id, count=5)
        await asyncio.to_thread(runs_broker.restart)
        run = await wait_for_run(a, run_id, deadline_s=60)
        watched = await watching
        await asyncio.sleep(1)
        recorded = await recorded_events(a, run_id)
    assert run["status"] == "succeeded", run
    assert_in_order(recorded)
    assert recorded[-1]["type"] == "run.succeeded"
    assert len([e for e in recorded if e["type"] == "node.token"]) == 40
    assert_in_order(watched.events)
    assert [e["seq"] for e in watched.events] == [e["seq"] for e in recorded]


async def _recorded(deployment: Deployment, run_id: str) -> list[dict]:
    async with deployment.client(deployment.a) as a:
        return await recorded_events(a, run_id)


async def _watch(ws_base: str, run_id: str, arrivals: list[float]) -> list[dict]:
    import json

    import websockets

    events = []
    async with (
        asyncio.timeout(30),
        websockets.connect(f"{ws_base}/api/v1/runs/{run_id}/events") as ws,
    ):
        try:
            async for message in ws:
                arrivals.append(time.monotonic())
                events.append(json.loads(message))
        except websockets.ConnectionClosed:
            pass
        assert ws.close_code == 1000
    return events


def _same_order(recorded: list[dict], watched: list[dict]) -> list[dict]:
    """``watched`` re-keyed in ``recorded``'s order (the same events, JSON key order aside)."""
    by_seq = {e["seq"]: e for e in watched}
    assert [e["seq"] for e in recorded] == sorted(by_seq)
    for event in recorded:
        assert by_seq[event["seq"]]["type"] == event["type"]
    return [by_seq[e["seq"]] for e in recorded]


async def _until_tokens(client: httpx.AsyncClient, run_id: str, count: int = 1) -> None:
    async with asyncio.timeout(20):
        while True:
            events = await recorded_events(client, run_id)
            if len([e for e in events if e["type"] == "node.token"]) >= count:
                return
            await asyncio.sleep(0.05)
