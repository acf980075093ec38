"""``NODELOOM_RUN_TIMEOUT_SECONDS`` holds against a node that swallows a cancellation.

The server runs in a subprocess: the node (``test.deaf``) comes in as a plugin there
and never enters this process's catalogue. The limit with a well-behaved node is
tested in ``test_runs_api``."""

from __future__ import annotations

from pathlib import Path

import httpx
from run_support import create_workflow, deaf, free_port, start_run, wait_for_run
from services.nodeloom import serve, with_deaf_plugin

LIMIT_S = 1.0
STOPPED_WITHIN_S = LIMIT_S + 3.0
"""The limit, then the engine's stop: it cancels the graph again every 0.5 s. Without
it the node would sleep on for 30 s."""


async def test_a_node_that_swallows_a_cancellation_cannot_hold_a_run_past_the_limit(
    tmp_path: Path,
):
    env = with_deaf_plugin(
        {
            "NODELOOM_DATA_DIR": str(tmp_path / "data"),
            "NODELOOM_FRONTEND_DIR": str(tmp_path / "no-frontend"),
            "NODELOOM_RUN_TIMEOUT_SECONDS": str(LIMIT_S),
        }
    )
    server = serve(free_port(), env, tmp_path)
    server.start()
    try:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
            workflow_id = await create_workflow(client, deaf(seconds=30))
            run_id = await start_run(client, workflow_id, question="forever?")
            run = await wait_for_run(client, run_id, deadline_s=15)
    finally:
        server.stop()
    assert run["status"] == "failed", run
    assert run["error"]["code"] == "run_timeout"
    assert "NODELOOM_RUN_TIMEOUT_SECONDS" in run["error"]["message"]
    assert run["nodes"]["deaf"]["status"] == "interrupted"
    # The run's own clock, which starts when the worker starts it (not while the
    # server's embedded worker still warms up, as a client's clock would).
    assert run["duration_ms"] < STOPPED_WITHIN_S * 1000
