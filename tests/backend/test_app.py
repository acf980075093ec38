"""The application: docs, OpenAPI, and the built frontend with its SPA fallback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from api_support import API, assert_problem

from backend.app import create_app
from backend.config import Settings

INDEX = "<!doctype html><title>Nodeloom</title><div id=root></div>"


def _client(frontend_dir: Path, tmp_path: Path) -> httpx.AsyncClient:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'app.db'}",
        data_dir=tmp_path,
        frontend_dir=frontend_dir,
    )
    transport = httpx.ASGITransport(app=create_app(settings))
    return httpx.AsyncClient(transport=transport, base_url="http://nodeloom.test")


@pytest.fixture
async def spa(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(INDEX)
    (dist / "assets" / "app-1234.js").write_text("console.log('hi')")
    (dist / "favicon.svg").write_text("<svg/>")
    (tmp_path / "secret.txt").write_text("outside")
    async with _client(dist, tmp_path) as client:
        yield client


async def test_root_serves_index(spa: httpx.AsyncClient):
    response = await spa.get("/")

    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"


async def test_files_are_served_with_cache_headers(spa: httpx.AsyncClient):
    asset = await spa.get("/assets/app-1234.js")
    icon = await spa.get("/favicon.svg")

    assert (asset.status_code, asset.text) == (200, "console.log('hi')")
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert (icon.status_code, icon.text) == (200, "<svg/>")


async def test_app_routes_fall_back_to_index(spa: httpx.AsyncClient):
    for path in ("/workflows/abc", "/workflows/abc/edit", "/settings"):
        response = await spa.get(path)
        assert (response.status_code, response.text) == (200, INDEX)
    page = await spa.get("/w/flow.v2", headers={"accept": "text/html,*/*"})
    assert page.text == INDEX


async def test_missing_files_and_api_paths_are_404(spa: httpx.AsyncClient):
    assert_problem(await spa.get("/assets/missing.js"), 404, "not_found")
    assert_problem(await spa.get(f"{API}/unknown"), 404, "not_found")
    assert_problem(await spa.get("/api/other"), 404, "not_found")


async def test_paths_outside_the_frontend_are_not_served(spa: httpx.AsyncClient):
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/assets/../../secret.txt"):
        response = await spa.get(path)
        assert "outside" not in response.text


async def test_non_get_requests_outside_the_api_are_405(spa: httpx.AsyncClient):
    assert_problem(await spa.post("/workflows/abc"), 405, "method_not_allowed")


async def test_missing_frontend_explains_how_to_build_it(tmp_path: Path):
    async with _client(tmp_path / "nowhere", tmp_path) as client:
        response = await client.get("/")
        deep = await client.get("/workflows/abc")

    assert response.status_code == 200
    assert "make run" in response.text and "frontend" in response.text
    assert str(tmp_path / "nowhere") in response.text
    assert deep.text == response.text


async def test_docs_and_openapi_are_served(spa: httpx.AsyncClient):
    docs = await spa.get("/docs")
    openapi = await spa.get("/openapi.json")

    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    assert openapi.status_code == 200
    operation_ids = {
        operation["operationId"]
        for methods in openapi.json()["paths"].values()
        for operation in methods.values()
    }
    assert operation_ids == {
        "health",
        "ready",
        "getWorkflowSchema",
        "listNodeTypes",
        "validateWorkflow",
        "listWorkflows",
        "createWorkflow",
        "getWorkflow",
        "updateWorkflow",
        "renameWorkflow",
        "duplicateWorkflow",
        "deleteWorkflow",
        "listWorkflowVersions",
        "getWorkflowVersion",
        "restoreWorkflowVersion",
        "exportWorkflow",
        "importWorkflow",
        "startRun",
        "getRun",
        "listWorkflowRuns",
        "cancelRun",
        "listRunEvents",
        # accounts, credentials and share links (issue 6)
        "getMe",
        "signUp",
        "logIn",
        "logOut",
        "listApiKeys",
        "createApiKey",
        "revokeApiKey",
        "listUsers",
        "updateUser",
        "listCredentials",
        "createCredential",
        "updateCredential",
        "deleteCredential",
        "checkCredential",
        "createShareLink",
        "listShareLinks",
        "updateShareLink",
        "revokeShareLink",
        "getSharedWorkflow",
        "startSharedRun",
        "listSharedRuns",
        "getSharedRun",
        "listSharedRunEvents",
        "saveSharedWorkflow",
        "duplicateShared",
        "previewImport",
    }


async def test_document_bodies_are_described_as_workflow_documents(spa: httpx.AsyncClient):
    paths = (await spa.get("/openapi.json")).json()["paths"]

    for path, method in (
        ("/api/v1/workflows/{workflow_id}", "put"),
        ("/api/v1/workflows/import", "post"),
    ):
        body = paths[path][method]["requestBody"]
        assert body["required"] is True
        assert body["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/WorkflowDocument"
        }
