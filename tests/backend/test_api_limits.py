"""Request bodies over the limit get 413, whether declared or streamed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from api_support import API, assert_problem, create, document, fetch, make_settings, node, save

from backend.api.limits import BodyLimitMiddleware
from backend.app import create_app

MIB = 1024 * 1024
LIMIT = 10 * MIB


def _eleven_mib_document() -> bytes:
    return json.dumps(document("Too big", [node("a", text="x" * (11 * MIB))])).encode()


async def _chunks(data: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def _assert_unchanged(client: httpx.AsyncClient, workflow: dict) -> None:
    assert await fetch(client, workflow["id"]) == workflow
    history = (await client.get(f"{API}/workflows/{workflow['id']}/versions")).json()
    assert history["total"] == workflow["version"]


async def test_11_mib_body_with_content_length_is_413(client: httpx.AsyncClient):
    workflow = (await save(client, (await create(client))["id"], document(), 1)).json()
    raw = _eleven_mib_document()

    response = await client.put(
        f"{API}/workflows/{workflow['id']}",
        content=raw,
        headers={"If-Match": "2", "content-type": "application/json"},
    )

    body = assert_problem(response, 413, "payload_too_large")
    assert body["max_body_bytes"] == LIMIT
    await _assert_unchanged(client, workflow)


async def test_11_mib_chunked_body_is_413(client: httpx.AsyncClient):
    workflow = await create(client)

    response = await client.put(
        f"{API}/workflows/{workflow['id']}",
        content=_chunks(_eleven_mib_document()),
        headers={"If-Match": "1", "content-type": "application/json"},
    )

    assert "content-length" not in response.request.headers
    assert_problem(response, 413, "payload_too_large")
    await _assert_unchanged(client, workflow)


async def test_chunked_import_and_create_over_the_limit_are_413(client: httpx.AsyncClient):
    raw = _eleven_mib_document()

    imported = await client.post(f"{API}/workflows/import", content=_chunks(raw))
    created = await client.post(f"{API}/workflows", content=_chunks(raw))

    assert_problem(imported, 413, "payload_too_large")
    assert_problem(created, 413, "payload_too_large")
    assert (await client.get(f"{API}/workflows")).json()["total"] == 0


async def test_chunked_body_under_the_limit_is_read(client: httpx.AsyncClient):
    raw = json.dumps(document("Streamed", [node("a", text="y" * MIB)])).encode()

    response = await client.post(
        f"{API}/workflows/import",
        content=_chunks(raw),
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 201, response.text[:300]
    assert response.json()["document"]["nodes"][0]["params"]["text"] == "y" * MIB


async def test_the_limit_follows_the_settings(database_url: str, tmp_path: Path):
    app = create_app(make_settings(tmp_path, database_url, max_body_bytes=2048))
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as client,
    ):
        small = await client.post(f"{API}/workflows", json={"name": "a" * 100})
        large = await client.post(f"{API}/workflows", json={"name": "a" * 3000})

    assert small.status_code == 201
    assert assert_problem(large, 413, "payload_too_large")["max_body_bytes"] == 2048


async def test_non_http_scopes_pass_through():
    seen = []

    async def inner(scope, receive, send):
        seen.append(scope["type"])

    await BodyLimitMiddleware(inner, max_body_bytes=1)({"type": "lifespan"}, None, None)

    assert seen == ["lifespan"]
