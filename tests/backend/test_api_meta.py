"""Health, readiness and the published workflow schema."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from api_support import API, assert_problem, make_settings

from backend.app import create_app
from graph_engine.document import json_schema

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "graph_engine" / "workflow.schema.json"


async def test_health(client: httpx.AsyncClient):
    response = await client.get(f"{API}/health")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_ready_when_the_database_answers(client: httpx.AsyncClient):
    response = await client.get(f"{API}/ready")

    assert (response.status_code, response.json()) == (200, {"status": "ok", "database": "ok"})


async def test_ready_is_503_when_the_database_does_not_answer(tmp_path: Path):
    unreachable = "postgresql+asyncpg://nobody@127.0.0.1:9/nowhere"
    app = create_app(make_settings(tmp_path, unreachable))
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as client,
    ):
        ready = await client.get(f"{API}/ready")
        health = await client.get(f"{API}/health")

    assert_problem(ready, 503, "service_unavailable")
    assert health.status_code == 200


async def test_workflow_schema_is_the_checked_in_file(client: httpx.AsyncClient):
    response = await client.get(f"{API}/schemas/workflow.json")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content == SCHEMA_FILE.read_bytes()
    assert response.json() == json_schema()
    assert json.loads(response.content)["title"] == "Nodeloom workflow document"
