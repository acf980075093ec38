"""Helpers for the run tests: workflows, a live server, starting runs, reading sockets."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
import websockets
from api_support import API, document, node
from fastapi import FastAPI

from backend.app import create_app
from backend.config import Settings

TERMINAL = {"run.succeeded", "run.failed", "run.cancelled"}
DEADLINE_S = 30.0


def link(edge_id: str, source: str, target: str, source_handle: str, target_handle: str):
    return {
        "id": edge_id,
        "source": source,
        "sourceHandle": source_handle,
        "target": target,
        "targetHandle": target_handle,
    }


def greeting() -> dict[str, Any]:
    """io.input ``name`` → prompt.template → io.output ``greeting``: no model, quick."""
    return document(
        "Greeting",
        [
            node("q", "io.input", name="name"),
            node("tpl", "prompt.template", template="Hello, {who}!"),
            node("out", "io.output", name="greeting"),
        ],
        [link("e1", "q", "tpl", "value", "who"), link("e2", "tpl", "out", "prompt", "value")],
    )


def chain(length: int = 5) -> dict[str, Any]:
    """io.input → (length − 2) prompt.templates → io.output: a no-model chain."""
    nodes = [node("in", "io.input", name="text")]
    edges = []
    previous, port = "in", "value"
    for index in range(length - 2):
        node_id = f"t{index}"
        nodes.append(node(node_id, "prompt.template", template="{x}."))
        edges.append(link(f"e{index}", previous, node_id, port, "x"))
        previous, port = node_id, "prompt"
    nodes.append(node("out", "io.output", name="result"))
    edges.append(link("e-out", previous, "out", port, "value"))
    return document("Chain", nodes, edges)


def slow_chat(base_url: str, tokens: int = 10, delay_ms: int = 100) -> dict[str, Any]:
    """io.input ``question`` → a streaming model (the fake server) → io.output ``answer``."""
    return document(
        "Slow chat",
        [
            node("q", "io.input", name="question"),
            node(
                "llm",
                "model.chat",
                provider="openai_compatible",
                model=f"slow-{tokens}-{delay_ms}",
                base_url=base_url,
            ),
            node("out", "io.output", name="answer"),
        ],
        [link("e1", "q", "llm", "value", "prompt"), link("e2", "llm", "out", "text", "value")],
    )


def deaf(seconds: float) -> dict[str, Any]:
    """io.input ``question`` → ``test.deaf`` (sleeps ``seconds``, swallowing the first
    cancellation) → io.output: only for servers started ``with_deaf_plugin``."""
    return document(
        "Deaf",
        [
            node("q", "io.input", name="question"),
            node("deaf", "test.deaf", seconds=seconds),
            node("out", "io.output", name="answer"),
        ],
        [link("e1", "q", "deaf", "value", "text"), link("e2", "deaf", "out", "text", "value")],
    )


async def create_workflow(client: httpx.AsyncClient, doc: dict[str, Any]) -> str:
    created = await client.post(f"{API}/workflows", json={"name": doc["name"]})
    assert created.status_code == 201, created.text
    workflow_id = created.json()["id"]
    saved = await client.put(f"{API}/workflows/{workflow_id}", json=doc, headers={"If-Match": "1"})
    assert saved.status_code == 200, saved.text
    return workflow_id


async def start_run(client: httpx.AsyncClient, workflow_id: str, **inputs: str) -> str:
    response = await client.post(f"{API}/workflows/{workflow_id}/runs", json={"inputs": inputs})
    assert response.status_code == 202, response.text
    return response.json()["id"]


async def wait_for_run(
    client: httpx.AsyncClient,
    run_id: str,
    statuses=("succeeded", "failed", "cancelled"),
    deadline_s: float = DEADLINE_S,
) -> dict[str, Any]:
    run: dict[str, Any] = {}
    try:
        async with asyncio.timeout(deadline_s):
            while True:
                response = await client.get(f"{API}/runs/{run_id}")
                assert response.status_code == 200, response.text
                run = response.json()
                if run["status"] in statuses:
                    return run
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(
            f"run {run_id} is still {run.get('status')} after {deadline_s} s"
        ) from None


async def recorded_events(client: httpx.AsyncClient, run_id: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    after = -1
    while True:
        response = await client.get(
            f"{API}/runs/{run_id}/events", params={"after": after, "limit": 1000}
        )
        assert response.status_code == 200, response.text
        page = response.json()
        events.extend(page["items"])
        if page["next_after"] is None:
            return events
        after = page["next_after"]


@dataclass
class SocketResult:
    events: list[dict[str, Any]]
    close_code: int | None
    close_reason: str


async def read_socket(
    ws_base: str,
    run_id: str,
    after: int | None = None,
    *,
    count: int | None = None,
    deadline_s: float = DEADLINE_S,
) -> SocketResult:
    """Read the run's events until the server closes (or ``count`` events arrived)."""
    url = f"{ws_base}{API}/runs/{run_id}/events"
    if after is not None:
        url += f"?after={after}"
    events: list[dict[str, Any]] = []
    async with asyncio.timeout(deadline_s), websockets.connect(url) as socket_:
        try:
            async for message in socket_:
                events.append(json.loads(message))
                if count is not None and len(events) >= count:
                    return SocketResult(events, None, "")
        except websockets.ConnectionClosed:
            pass
        return SocketResult(events, socket_.close_code, socket_.close_reason or "")


def assert_in_order(events: list[dict[str, Any]], first: int = 0) -> None:
    seqs = [event["seq"] for event in events]
    assert seqs == list(range(first, first + len(seqs))), seqs


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LiveServer:
    app: FastAPI
    base_url: str

    @property
    def ws_base(self) -> str:
        return self.base_url.replace("http://", "ws://")

    def client(self) -> httpx.AsyncClient:
        """A client that, like the app's own pages, says where it comes from (Origin)."""
        return httpx.AsyncClient(
            base_url=self.base_url, timeout=30, headers={"Origin": self.base_url}
        )


@contextlib.asynccontextmanager
async def live_server(settings: Settings) -> AsyncIterator[LiveServer]:
    """The app under uvicorn on a free port of 127.0.0.1, in this event loop."""
    app = create_app(settings)
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
        ws_per_message_deflate=False,  # as ``nodeloom serve``
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(DEADLINE_S):
            while not server.started:
                if serving.done():
                    serving.result()
                    raise AssertionError("the server stopped while starting")
                await asyncio.sleep(0.02)
        yield LiveServer(app, f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        await serving
