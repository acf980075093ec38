"""PostgreSQL down or restarting: requests that need it answer 503 ``database_unavailable``
with ``Retry-After`` and nothing of the database URL; a run in flight survives a restart of
a real server; afterwards every request answers as before."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets
from api_support import API, assert_problem, make_settings
from fakes.openai_server import fake_openai
from run_support import (
    assert_in_order,
    create_workflow,
    live_server,
    read_socket,
    recorded_events,
    slow_chat,
    start_run,
    wait_for_run,
)
from services.postgres import PostgresServer, start_postgres
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.app import create_app
from backend.db.availability import database_unavailable
from backend.db.migrate import upgrade_database
from backend.db.session import create_engine, reader_of

PASSWORD = "canary-pw-5f1c"  # trust authentication ignores it; it must never be shown
WORKFLOW_ID = "0" * 32
TOKENS, TOKEN_MS = 60, 50  # a 3 s answer: long enough to restart PostgreSQL under it
DOWN_S = 1.5
WATCH_TIMEOUT_S = 30.0


def assert_unavailable(response: httpx.Response, url: str) -> None:
    body = assert_problem(response, 503, "database_unavailable")
    assert int(response.headers["Retry-After"]) >= 1
    assert body["retry_after"] == int(response.headers["Retry-After"])
    host_and_port = url.split("@", 1)[1].split("/", 1)[0]
    for secret in (PASSWORD, host_and_port, "asyncpg", "postgres"):
        assert secret not in response.text


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    """A cluster of this module's own, so shutting it down disturbs no other test."""
    server = start_postgres()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def openai_url() -> Iterator[str]:
    with fake_openai() as url:
        yield url


async def test_an_unreachable_database_is_503_with_retry_after(tmp_path: Path):
    url = f"postgresql+asyncpg://nodeloom:{PASSWORD}@127.0.0.1:9/nodeloom"
    app = create_app(make_settings(tmp_path, url))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as client,
    ):
        workflow = await client.get(f"{API}/workflows/{WORKFLOW_ID}")
        listed = await client.get(f"{API}/workflows")
        ready = await client.get(f"{API}/ready")

    assert_unavailable(workflow, url)
    assert_unavailable(listed, url)
    assert_problem(ready, 503, "service_unavailable")


class _Driver(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__("driver error")
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (ConnectionRefusedError(111, "Connect call failed"), True),
        (PoolTimeout("QueuePool limit reached"), True),
        (DBAPIError("SELECT 1", None, _Driver("08006")), True),  # connection failure
        (DBAPIError("SELECT 1", None, _Driver("57P01")), True),  # shutting down
        (DBAPIError("SELECT 1", None, _Driver("57P03")), True),  # starting up
        (DBAPIError("SELECT 1", None, _Driver("XX000"), connection_invalidated=True), True),
        (IntegrityError("INSERT", None, _Driver("23505")), False),
        (OperationalError("SELECT 1", None, _Driver("42P01")), False),
        (ValueError("not the database"), False),
    ],
)
def test_what_counts_as_the_database_being_unavailable(error: Exception, unavailable: bool):
    assert database_unavailable(error) is unavailable


def test_the_schema_declares_503_with_retry_after_where_the_database_is_used(tmp_path: Path):
    schema = create_app(make_settings(tmp_path, "sqlite:///unused.db")).openapi()
    paths = schema["paths"]

    outage = paths["/api/v1/workflows/{workflow_id}"]["get"]["responses"]["503"]
    assert "Retry-After" in outage["headers"]
    assert "503" not in paths["/api/v1/health"]["get"]["responses"]


async def test_a_postgresql_restart_answers_503_meanwhile_and_loses_no_run(
    postgres: PostgresServer, openai_url: str, tmp_path: Path
):
    url = postgres.admin_url.replace("postgres@", f"postgres:{PASSWORD}@")
    await upgrade_database(url)
    async with live_server(make_settings(tmp_path, url)) as server, server.client() as client:
        document = slow_chat(openai_url, tokens=TOKENS, delay_ms=TOKEN_MS)
        workflow_id = await create_workflow(client, document)
        run_id = await start_run(client, workflow_id, question="still there?")
        await wait_for_run(client, run_id, statuses=("running",))
        receiving = asyncio.Event()
        watched = asyncio.create_task(_frames(server.ws_base, run_id, receiving))  # across it
        await receiving.wait()

        await asyncio.to_thread(postgres.shut_down)
        try:
            during = await client.get(f"{API}/workflows/{workflow_id}")
            run_during = await client.get(f"{API}/runs/{run_id}")
            opened_during = await read_socket(server.ws_base, run_id)
            await asyncio.sleep(DOWN_S)
        finally:
            await asyncio.to_thread(postgres.start_again)

        run = await wait_for_run(client, run_id)
        events = await recorded_events(client, run_id)
        after = await client.get(f"{API}/workflows/{workflow_id}")
        async with asyncio.timeout(WATCH_TIMEOUT_S):
            seen, closed = await watched
        replayed, _ = await _frames(server.ws_base, run_id)

    assert_unavailable(during, url)
    assert_unavailable(run_during, url)
    assert opened_during.close_code == 1013 and "database" in opened_during.close_reason
    # Watched across the restart: every event once, as the replay has them, and the end.
    assert closed == 1000 and seen == replayed, (closed, seen, replayed)
    assert after.status_code == 200, after.text
    # Never left running or queued. It usually completes with every event; now and then a
    # worker's write meets asyncpg's "another operation is in progress" on a connection
    # the outage broke, and the run is failed (issue 21): said, not hidden.
    print(f"the run in flight ended {run['status']}: {run.get('error')}")
    assert run["status"] in ("succeeded", "failed"), run
    assert_in_order(events)
    assert events[0]["type"] == "run.queued" and events[-1]["type"] == f"run.{run['status']}"
    assert run["last_seq"] == events[-1]["seq"]
    if run["status"] == "succeeded":
        assert run["outputs"]["answer"] == "".join(f"t{index} " for index in range(TOKENS))
        assert sum(event["type"] == "node.token" for event in events) == TOKENS


async def _frames(
    ws_base: str, run_id: str, receiving: asyncio.Event | None = None
) -> tuple[list[str], int | None]:
    """Every frame of the run's event socket as sent, and the close code."""
    frames: list[str] = []
    async with websockets.connect(f"{ws_base}{API}/runs/{run_id}/events") as socket:
        async for frame in socket:
            frames.append(str(frame))
            if receiving is not None:
                receiving.set()
    return frames, socket.close_code


async def test_after_a_restart_no_connection_the_server_closed_is_handed_out(
    postgres: PostgresServer,
):
    """Pooled connections of the engine and of its reader all die with a restart; the
    first statements afterwards, 30 at once on each, still succeed (none gets a closed
    connection), without a ping per checkout."""
    engine = create_engine(postgres.admin_url)
    reader = reader_of(engine)
    assert isinstance(reader, AsyncEngine)

    async def one(of: AsyncEngine) -> int:
        async with of.connect() as connection:
            value = await connection.scalar(text("SELECT 1 FROM pg_sleep(0.05)"))
            return int(value)

    try:
        # Fill both pools (and overflow), so that every pooled connection is an old one.
        assert await asyncio.gather(*(one(engine) for _ in range(15))) == [1] * 15
        assert await asyncio.gather(*(one(reader) for _ in range(4))) == [1] * 4
        await asyncio.to_thread(postgres.shut_down)
        await asyncio.to_thread(postgres.start_again)
        for of in (engine, reader):
            assert await asyncio.gather(*(one(of) for _ in range(30))) == [1] * 30
    finally:
        await engine.dispose()
