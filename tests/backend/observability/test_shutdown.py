"""SIGTERM to ``nodeloom serve``: WebSockets closed with 1001, runs ended, exit status 0."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import httpx
import pytest
import websockets
from api_support import API
from run_support import create_workflow, deaf, free_port, slow_chat, start_run
from services.nodeloom import serve, with_deaf_plugin

EXIT_WITHIN_S = 10.0
"""The grace period (1 s), then the exit. A run that did not stop would add the
worker's ``STOP_TIMEOUT_S`` (10 s) on top, and miss it."""


@pytest.mark.parametrize("node", ["model", "deaf"])
async def test_sigterm_says_goodbye_to_sockets_fails_the_running_run_and_exits_0(
    node: str, tmp_path: Path, openai_url: str
):
    # deaf: a node that swallows the first cancellation must not hold the shutdown.
    env = with_deaf_plugin(
        {
            "NODELOOM_DATA_DIR": str(tmp_path / "data"),
            "NODELOOM_FRONTEND_DIR": str(tmp_path / "no-frontend"),
            "NODELOOM_SHUTDOWN_GRACE_SECONDS": "1",
        }
    )
    document, under_way = (
        (slow_chat(openai_url, 400, 50), '"node.token"')
        if node == "model"
        else (deaf(seconds=60), '"node.started"')
    )
    server = serve(free_port(), env, tmp_path)
    server.start()
    try:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
            workflow_id = await create_workflow(client, document)
            run_id = await start_run(client, workflow_id, question="long?")
        url = f"{server.ws_base}{API}/runs/{run_id}/events"
        async with websockets.connect(url) as socket:
            first = await socket.recv()
            while under_way not in await socket.recv():
                pass  # the run is under way: the worker holds it
            assert server.process is not None
            server.process.send_signal(signal.SIGTERM)
            began = time.monotonic()
            try:
                async with asyncio.timeout(EXIT_WITHIN_S):
                    async for _ in socket:
                        pass
            except websockets.ConnectionClosed:
                pass
        code, reason = socket.close_code, socket.close_reason
        status = await asyncio.to_thread(server.process.wait, EXIT_WITHIN_S)
        took = time.monotonic() - began
    finally:
        server.kill()
    assert '"run.queued"' in first
    assert (code, reason) == (1001, "server shutting down")
    assert status == 0, server.tail()
    assert took < EXIT_WITHIN_S

    server.start()  # the same database: the run was ended, not left running
    try:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
            run = (await client.get(f"{API}/runs/{run_id}")).json()
    finally:
        server.stop()
    assert run["status"] == "failed"
    assert run["error"]["type"] == "WorkerShutdown"
    assert run["nodes"]["llm" if node == "model" else "deaf"]["status"] == "interrupted"
