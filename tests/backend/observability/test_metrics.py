"""``GET /metrics`` after real runs on the embedded default: every series, sensible values.

The registry is the process's, shared by the tests of this session, so each test compares
figures before and after what it does.
"""

from __future__ import annotations

import asyncio

import websockets
from api_support import API
from conftest import scrape, total, value
from run_support import (
    LiveServer,
    chain,
    create_workflow,
    read_socket,
    slow_chat,
    start_run,
    wait_for_run,
)

RUNS_ROUTE = f"{API}/workflows/{{workflow_id}}/runs"


async def test_a_run_shows_in_runs_nodes_http_and_event_lag(server: LiveServer, openai_url: str):
    async with server.client() as client:
        before = await scrape(client)
        workflow_id = await create_workflow(client, chain(5))
        run_id = await start_run(client, workflow_id, text="metrics")
        await wait_for_run(client, run_id)
        streaming = await create_workflow(client, slow_chat(openai_url, tokens=6, delay_ms=30))
        streamed = await start_run(client, streaming, question="lag?")
        watched = await read_socket(server.ws_base, streamed)  # its tokens go out live
        run = await wait_for_run(client, run_id)
        after = await scrape(client)

    assert run["status"] == "succeeded" and watched.close_code == 1000
    succeeded = value(after, "nodeloom_runs_total", status="succeeded")
    assert succeeded - value(before, "nodeloom_runs_total", status="succeeded") >= 1
    nodes = "nodeloom_node_duration_seconds_count"
    ended = total(after, nodes, status="succeeded") - total(before, nodes, status="succeeded")
    assert ended >= 5  # io.input, three prompt.templates, io.output
    templates = total(after, nodes, node_type="prompt.template") - total(
        before, nodes, node_type="prompt.template"
    )
    assert templates >= 3
    assert total(after, "nodeloom_node_duration_seconds_sum", node_type="prompt.template") > 0
    posts = value(
        after,
        "nodeloom_http_request_duration_seconds_count",
        method="POST",
        route=RUNS_ROUTE,
        status="202",
    )
    assert posts >= 1
    lag = "nodeloom_event_lag_seconds_count"
    assert value(after, lag) > value(before, lag)  # some events went out live
    assert value(after, "nodeloom_event_lag_seconds_sum") < 60 * value(after, lag)


async def test_unknown_paths_are_labelled_by_route_template_not_raw_path(server: LiveServer):
    async with server.client() as client:
        for run_id in ("a" * 32, "b" * 32):
            assert (await client.get(f"{API}/runs/{run_id}")).status_code == 404
        after = await scrape(client)
    route = f"{API}/runs/{{run_id}}"
    count = "nodeloom_http_request_duration_seconds_count"
    assert value(after, count, method="GET", route=route, status="404") >= 2
    assert not any("a" * 32 in str(labels) for _, labels in after)


async def test_open_websockets_go_up_while_connected_and_back_down(
    server: LiveServer, openai_url: str
):
    gauge = "nodeloom_websockets_open"
    async with server.client() as client:
        idle = value(await scrape(client), gauge)
        workflow_id = await create_workflow(client, slow_chat(openai_url, tokens=40, delay_ms=50))
        run_id = await start_run(client, workflow_id, question="still there?")
        url = f"{server.ws_base}{API}/runs/{run_id}/events"
        async with websockets.connect(url) as first, websockets.connect(url) as second:
            await first.recv()
            await second.recv()
            connected = value(await scrape(client), gauge)
        await _until_gauge(client, gauge, idle)
        await wait_for_run(client, run_id)
    assert connected == idle + 2


async def _until_gauge(client, gauge: str, expected: float) -> None:
    seen = None
    for _ in range(100):
        seen = value(await scrape(client), gauge)
        if seen == expected:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{gauge} stayed at {seen}, expected {expected}")


async def test_metrics_are_outside_the_api_and_its_schema(server: LiveServer):
    async with server.client() as client:
        schema = (await client.get("/openapi.json")).json()
        families = await scrape(client)
    assert "/metrics" not in schema["paths"]
    assert any(name.startswith("process_resident_memory_bytes") for name, _ in families)
