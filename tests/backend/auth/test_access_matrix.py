"""Must-hold 1: every route of the app × every principal gets exactly the access the
table says (``access_table.py``, mirrored in the README). The routes are read from the
app itself, so a new endpoint without a row in the table fails here.
"""

from __future__ import annotations

import contextlib
import json
import re
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import websockets
from access_table import ACCESS, KINDS, OK, PRINCIPALS, expected
from accounts_support import ASKING_ORDER, PASSWORD, SECRET_KEY, World, build_world, client_for
from api_support import API, make_settings
from fastapi import FastAPI
from fastapi.routing import APIRoute, APIWebSocketRoute, iter_route_contexts
from run_support import greeting, live_server

from backend.app import create_app
from backend.auth.sessions import COOKIE_NAME
from backend.config import Settings
from backend.web_origin import origin_of

README = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")


def route_keys(app: FastAPI) -> list[str]:
    keys = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            keys.append(route.operation_id or f"{sorted(route.methods)} {context.path}")
        elif isinstance(route, APIWebSocketRoute):
            keys.append(f"ws:{route.name}")
        else:
            keys.extend(f"{method} {context.path}" for method in sorted(context.methods or ()))
    return [key for key in keys if not key.startswith("HEAD ")]


ROUTES = route_keys(create_app(Settings(auth="on", secret_key=SECRET_KEY)))

Request = tuple[str, str, dict[str, Any]]


def _shared(world: World, principal: str, rest: str = "") -> str:
    return f"{API}/shared/{world.token_of(principal)}{rest}"


def _fresh(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# How each operation is asked: (method, url, httpx keyword arguments), valid enough that
# whoever is allowed succeeds.
REQUESTS: dict[str, Callable[[World, str], Request]] = {
    "health": lambda w, p: ("GET", f"{API}/health", {}),
    "ready": lambda w, p: ("GET", f"{API}/ready", {}),
    "getWorkflowSchema": lambda w, p: ("GET", f"{API}/schemas/workflow.json", {}),
    "listNodeTypes": lambda w, p: ("GET", f"{API}/node-types", {}),
    "GET /metrics": lambda w, p: ("GET", "/metrics", {}),
    "GET /openapi.json": lambda w, p: ("GET", "/openapi.json", {}),
    "GET /docs": lambda w, p: ("GET", "/docs", {}),
    "GET /docs/oauth2-redirect": lambda w, p: ("GET", "/docs/oauth2-redirect", {}),
    "GET /{path:path}": lambda w, p: ("GET", "/workflows/some-page", {}),
    "getMe": lambda w, p: ("GET", f"{API}/auth/me", {}),
    "signUp": lambda w, p: (
        "POST",
        f"{API}/auth/signup",
        {"json": {"email": f"{_fresh('new')}@example.com", "name": "New", "password": PASSWORD}},
    ),
    "logIn": lambda w, p: (
        "POST",
        f"{API}/auth/login",
        {"json": {"email": w.owner.email, "password": PASSWORD}},
    ),
    "logOut": lambda w, p: ("POST", f"{API}/auth/logout", {}),
    "listApiKeys": lambda w, p: ("GET", f"{API}/auth/api-keys", {}),
    "createApiKey": lambda w, p: ("POST", f"{API}/auth/api-keys", {"json": {"name": "ci"}}),
    "revokeApiKey": lambda w, p: ("DELETE", f"{API}/auth/api-keys/{w.api_key_id}", {}),
    "listUsers": lambda w, p: ("GET", f"{API}/admin/users", {}),
    "updateUser": lambda w, p: (
        "PATCH",
        f"{API}/admin/users/{w.other.id}",
        {"json": {"disabled": False}},
    ),
    "listWorkflows": lambda w, p: ("GET", f"{API}/workflows", {}),
    "createWorkflow": lambda w, p: ("POST", f"{API}/workflows", {"json": {"name": "New"}}),
    "validateWorkflow": lambda w, p: ("POST", f"{API}/workflows/validate", {"json": greeting()}),
    "importWorkflow": lambda w, p: ("POST", f"{API}/workflows/import", {"json": greeting()}),
    "previewImport": lambda w, p: (
        "POST",
        f"{API}/workflows/import/preview",
        {"json": {"source": greeting()}},
    ),
    "getWorkflow": lambda w, p: ("GET", f"{API}/workflows/{w.workflow_id}", {}),
    "updateWorkflow": lambda w, p: (
        "PUT",
        f"{API}/workflows/{w.workflow_id}",
        {"json": greeting(), "headers": {"If-Match": "2"}},
    ),
    "renameWorkflow": lambda w, p: (
        "PATCH",
        f"{API}/workflows/{w.workflow_id}",
        {"json": {"name": "Renamed"}},
    ),
    "duplicateWorkflow": lambda w, p: ("POST", f"{API}/workflows/{w.workflow_id}/duplicate", {}),
    "deleteWorkflow": lambda w, p: ("DELETE", f"{API}/workflows/{w.workflow_id}", {}),
    "exportWorkflow": lambda w, p: ("GET", f"{API}/workflows/{w.workflow_id}/export", {}),
    "listWorkflowVersions": lambda w, p: (
        "GET",
        f"{API}/workflows/{w.workflow_id}/versions",
        {},
    ),
    "getWorkflowVersion": lambda w, p: (
        "GET",
        f"{API}/workflows/{w.workflow_id}/versions/1",
        {},
    ),
    "restoreWorkflowVersion": lambda w, p: (
        "POST",
        f"{API}/workflows/{w.workflow_id}/versions/1/restore",
        {},
    ),
    "startRun": lambda w, p: (
        "POST",
        f"{API}/workflows/{w.workflow_id}/runs",
        {"json": {"inputs": {"name": "Ada"}}},
    ),
    "getRun": lambda w, p: ("GET", f"{API}/runs/{w.run_id}", {}),
    "listWorkflowRuns": lambda w, p: ("GET", f"{API}/workflows/{w.workflow_id}/runs", {}),
    "cancelRun": lambda w, p: ("POST", f"{API}/runs/{w.run_id}/cancel", {}),
    "listRunEvents": lambda w, p: ("GET", f"{API}/runs/{w.run_id}/events", {}),
    "listCredentials": lambda w, p: ("GET", f"{API}/credentials", {}),
    "createCredential": lambda w, p: (
        "POST",
        f"{API}/credentials",
        {"json": {"name": _fresh("key"), "provider": "openai", "secret": "sk-" + "a" * 40}},
    ),
    "updateCredential": lambda w, p: (
        "PATCH",
        f"{API}/credentials/{w.credential_id}",
        {"json": {"name": "renamed-llm"}},
    ),
    "deleteCredential": lambda w, p: ("DELETE", f"{API}/credentials/{w.credential_id}", {}),
    "checkCredential": lambda w, p: ("POST", f"{API}/credentials/{w.credential_id}/check", {}),
    "createShareLink": lambda w, p: (
        "POST",
        f"{API}/workflows/{w.workflow_id}/share-links",
        {"json": {"scope": "view"}},
    ),
    "listShareLinks": lambda w, p: ("GET", f"{API}/workflows/{w.workflow_id}/share-links", {}),
    "updateShareLink": lambda w, p: (
        "PATCH",
        f"{API}/share-links/{w.link_ids['view']}",
        {"json": {"show_owner_latest_run": True}},
    ),
    "revokeShareLink": lambda w, p: ("DELETE", f"{API}/share-links/{w.link_ids['view']}", {}),
    "getSharedWorkflow": lambda w, p: ("GET", _shared(w, p), {}),
    "listSharedRuns": lambda w, p: ("GET", _shared(w, p, "/runs"), {}),
    "getSharedRun": lambda w, p: ("GET", _shared(w, p, f"/runs/{w.run_id}"), {}),
    "listSharedRunEvents": lambda w, p: ("GET", _shared(w, p, f"/runs/{w.run_id}/events"), {}),
    "startSharedRun": lambda w, p: (
        "POST",
        _shared(w, p, "/runs"),
        {"json": {"inputs": {"name": "Visitor"}}},
    ),
    "saveSharedWorkflow": lambda w, p: (
        "PUT",
        _shared(w, p, "/workflow"),
        {"json": greeting(), "headers": {"If-Match": "2"}},
    ),
    "duplicateShared": lambda w, p: ("POST", _shared(w, p, "/duplicate"), {}),
    "ws:runEvents": lambda w, p: ("WS", f"{API}/runs/{w.run_id}/events", {}),
    "ws:sharedRunEvents": lambda w, p: ("WS", _shared(w, p, f"/runs/{w.run_id}/events"), {}),
}


@contextlib.asynccontextmanager
async def running(settings: Settings, *, live: bool) -> AsyncIterator[tuple[FastAPI, str]]:
    if live:
        async with live_server(settings) as server:
            yield server.app, server.ws_base
        return
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app, ""


@pytest.mark.parametrize("key", ROUTES)
async def test_access_matrix(key: str, database_url: str, tmp_path: Path):
    assert key in ACCESS, f"{key} has no row in tests/backend/auth/access_table.py (and README)"
    assert key in REQUESTS, f"{key} has no request in test_access_matrix.REQUESTS"
    settings = make_settings(tmp_path, database_url, auth="on", secret_key=SECRET_KEY)
    websocket = key.startswith("ws:")
    async with running(settings, live=websocket) as (app, ws_base):
        world = await build_world(app, finished_run=websocket)
        seen = {}
        for principal in ASKING_ORDER:
            method, url, options = REQUESTS[key](world, principal)
            if method == "WS":
                seen[principal] = await _socket_outcome(ws_base + url, world, principal)
            else:
                seen[principal] = await _http_outcome(app, world, principal, method, url, options)
    wanted = {principal: expected(key, principal) for principal in PRINCIPALS}
    assert {p: seen[p][0] for p in PRINCIPALS} == wanted, seen


async def _http_outcome(
    app: FastAPI, world: World, principal: str, method: str, url: str, options: dict[str, Any]
) -> tuple[str, str]:
    async with client_for(app, world.cookies_of(principal)) as client:
        response = await client.request(method, url, **options)
    status = response.status_code
    if status == 409 and url.endswith("/cancel"):
        status = 202  # the run finished first: cancelling it was allowed, and too late
    outcome = OK if 200 <= status < 300 else str(status)
    return outcome, response.text[:200]


async def _socket_outcome(url: str, world: World, principal: str) -> tuple[str, str]:
    cookies = world.cookies_of(principal)
    headers = {"Cookie": f"{COOKIE_NAME}={cookies[COOKIE_NAME]}"} if cookies else {}
    headers["Origin"] = origin_of(url.replace("ws://", "http://", 1)) or ""  # the app's page
    events = 0
    async with websockets.connect(url, additional_headers=headers, open_timeout=10) as socket:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for message in socket:
                json.loads(message)
                events += 1
    code = socket.close_code
    if code == 1000 and events:
        return OK, f"{events} events"
    return {4401: "401", 4404: "404"}.get(code, f"close {code}"), socket.close_reason or ""


def test_the_table_has_no_stale_rows():
    assert set(ACCESS) - set(ROUTES) == set(), "rows for routes the app no longer has"
    assert set(REQUESTS) >= set(ACCESS)


def test_the_readme_mirrors_the_table():
    section = README.split("## Accounts and sharing", 1)[1].split("\n## ", 1)[0]
    for kind, outcomes in KINDS.items():
        row = f"| {kind} | " + " | ".join(outcomes) + " |"
        assert row in section, f"README lacks the row {row!r}"
    for key, kind in ACCESS.items():
        listed = re.search(rf"^\| {re.escape(kind)} \| .*`{re.escape(key)}`", section, re.M)
        assert listed, f"README does not list {key} under {kind}"
