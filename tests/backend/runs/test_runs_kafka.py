"""The whole run path on Kafka (Tansu) and PostgreSQL, in one process: the API with its
worker, recorder, reaper and follower all talking through the broker."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from api_support import make_settings
from conftest import RunsBroker, kafka_environment
from fakes.openai_server import fake_openai
from run_support import (
    LiveServer,
    assert_in_order,
    create_workflow,
    greeting,
    live_server,
    read_socket,
    recorded_events,
    slow_chat,
    start_run,
    wait_for_run,
)


@pytest.fixture(scope="module")
def openai_url() -> Iterator[str]:
    with fake_openai() as url:
        yield url


@pytest.fixture
async def server(
    runs_broker: RunsBroker, postgres_url: str, tmp_path: Path
) -> AsyncIterator[LiveServer]:
    env = kafka_environment(runs_broker, tmp_path)
    settings = make_settings(
        tmp_path,
        postgres_url,
        kafka_bootstrap_servers=env["NODELOOM_KAFKA_BOOTSTRAP_SERVERS"],
        kafka_namespace=env["NODELOOM_KAFKA_NAMESPACE"],
        secret_key=env["NODELOOM_SECRET_KEY"],
        kafka_session_timeout_ms=1500,
        embedded_worker=True,
    )
    async with live_server(settings) as running:
        yield running


async def test_a_run_through_kafka_is_recorded_and_streamed(server: LiveServer, openai_url: str):
    async with server.client() as client:
        quick = await create_workflow(client, greeting())
        slow = await create_workflow(client, slow_chat(openai_url, tokens=6, delay_ms=30))
        quick_run = await start_run(client, quick, name="Kafka")
        slow_run = await start_run(client, slow, question="why?")
        watched = await read_socket(server.ws_base, slow_run)
        done = await wait_for_run(client, quick_run)
        slow_done = await wait_for_run(client, slow_run)
        await asyncio.sleep(0.2)
        recorded = await recorded_events(client, slow_run)

    assert done["status"] == "succeeded" and done["outputs"] == {"greeting": "Hello, Kafka!"}
    assert slow_done["status"] == "succeeded"
    assert slow_done["outputs"] == {"answer": "t0 t1 t2 t3 t4 t5 "}
    assert_in_order(watched.events)
    assert watched.close_code == 1000
    assert [e["seq"] for e in watched.events] == [e["seq"] for e in recorded]
    assert watched.events[-1]["type"] == "run.succeeded"
