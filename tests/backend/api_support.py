"""Small builders shared by the backend tests: settings, documents, API calls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from backend.config import Settings

API = "/api/v1"


def make_settings(tmp_path: Path, database_url: str, **overrides: Any) -> Settings:
    options: dict[str, Any] = {
        "database_url": database_url,
        "data_dir": tmp_path / "data",
        "frontend_dir": tmp_path / "no-frontend",
        "max_body_bytes": 10 * 1024 * 1024,
    }
    return Settings(**{**options, **overrides})


def node(node_id: str, node_type: str = "data.text", x: float = 0, **params: Any) -> dict[str, Any]:
    return {"id": node_id, "type": node_type, "position": {"x": x, "y": 0}, "params": params}


def edge(edge_id: str, source: str, target: str) -> dict[str, Any]:
    return {
        "id": edge_id,
        "source": source,
        "sourceHandle": "text",
        "target": target,
        "targetHandle": "value",
    }


def document(
    name: str = "Flow", nodes: list[Any] | None = None, edges: list[Any] | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "format": "nodeloom.workflow",
        "version": 1,
        "name": name,
        "description": "",
        "nodes": nodes or [],
        "edges": edges or [],
        **extra,
    }


async def create(client: httpx.AsyncClient, name: str = "Flow", **body: Any) -> dict[str, Any]:
    response = await client.post(f"{API}/workflows", json={"name": name, **body})
    assert response.status_code == 201, response.text
    return response.json()


async def save(
    client: httpx.AsyncClient,
    workflow_id: str,
    doc: dict[str, Any],
    version: int | str | None,
    **params: Any,
) -> httpx.Response:
    headers = {} if version is None else {"If-Match": str(version)}
    return await client.put(
        f"{API}/workflows/{workflow_id}", json=doc, headers=headers, params=params
    )


async def fetch(client: httpx.AsyncClient, workflow_id: str) -> dict[str, Any]:
    response = await client.get(f"{API}/workflows/{workflow_id}")
    assert response.status_code == 200, response.text
    return response.json()


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"https://nodeloom.dev/problems/{code}"
    assert body["title"] and body["detail"]
    return body
