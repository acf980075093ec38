"""Every route of the app × every principal gets exactly the access ``access_table`` says,
on SQLite and PostgreSQL; the README shows the same table. The routes are read from the
app (its OpenAPI document, its WebSockets, the routes outside the schema), so a route
without an entry fails on the day it lands.

One world per database: every read is asked first, then every change, each change on
things made for it alone (``access_world``).
"""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path

import websockets
from access_requests import Route, app_routes, ask_for
from access_table import (
    ACCESS,
    KINDS,
    OK,
    PRINCIPALS,
    SAME_AS,
    expected,
    missing_entry_message,
    readme_block,
)
from access_world import GUISES, MatrixWorld, build_matrix_world
from accounts_support import SECRET_KEY, client_for
from api_support import make_settings
from run_support import live_server

from backend.app import create_app
from backend.config import Settings

README = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
ROUTES = app_routes(create_app(Settings(auth="on", secret_key=SECRET_KEY)))
ASKERS = (*PRINCIPALS, *SAME_AS)


def test_every_route_has_an_expected_access():
    _assert_every_route_listed()


def _assert_every_route_listed() -> None:
    missing = [route.key for route in ROUTES if route.key not in ACCESS]
    assert not missing, missing_entry_message(missing)
    stale = sorted(set(ACCESS) - {route.key for route in ROUTES})
    assert not stale, f"ACCESS lists routes the app no longer has: {stale}"


def test_every_kind_answers_every_principal_and_every_principal_has_a_guise():
    assert {kind: len(row) for kind, row in KINDS.items()} == dict.fromkeys(KINDS, len(PRINCIPALS))
    assert set(ACCESS.values()) <= set(KINDS)
    assert set(GUISES) == set(ASKERS)


def test_the_readme_shows_the_table():
    section = README.split("### Who may do what", 1)[1].split("\n## ", 1)[0]
    block = readme_block()
    assert block in section, f"the README's 'Who may do what' should hold:\n\n{block}\n"


async def test_access_matrix(database_url: str, tmp_path: Path, capsys):
    _assert_every_route_listed()
    settings = make_settings(tmp_path, database_url, auth="on", secret_key=SECRET_KEY)
    started = time.perf_counter()
    async with live_server(settings) as server:
        world = await build_matrix_world(server.app)
        seen = {}
        for route in sorted(ROUTES, key=lambda route: route.changes):  # reads first
            for principal in ASKERS:
                seen[route.key, principal] = await _outcome(route, world, principal, server)
    wrong = [
        f"{key} as {principal}: expected {expected(key, principal)}, got {got} ({detail})"
        for (key, principal), (got, detail) in seen.items()
        if got != expected(key, principal)
    ]
    with capsys.disabled():
        print(
            f"\naccess matrix: {len(seen)} cells ({len(ROUTES)} routes × {len(ASKERS)} "
            f"principals) in {time.perf_counter() - started:.1f} s"
        )
    assert not wrong, "\n".join(wrong)


async def _outcome(route: Route, world: MatrixWorld, principal: str, server) -> tuple[str, str]:
    ask = await ask_for(route, world, principal)
    if ask.method == "WS":
        headers = await world.headers(principal, origin=server.base_url)
        return await _socket_outcome(server.ws_base + ask.url, headers)
    headers = await world.headers(principal, own_session=route.changes)
    async with client_for(world.app, **headers, **ask.headers) as client:
        response = await client.request(ask.method, ask.url, json=ask.json)
    outcome = OK if 200 <= response.status_code < 300 else str(response.status_code)
    return outcome, f"{response.status_code} {' '.join(response.text.split())[:300]}"


async def _socket_outcome(url: str, headers: dict[str, str]) -> tuple[str, str]:
    events = 0
    try:
        socket = await websockets.connect(url, additional_headers=headers, open_timeout=10)
    except websockets.InvalidStatus as refused:  # refused before it opened (Origin: 403)
        return str(refused.response.status_code), refused.response.reason_phrase
    async with socket:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for message in socket:
                json.loads(message)
                events += 1
    code = socket.close_code
    if code == 1000 and events:
        return OK, f"{events} events"
    return {4401: "401", 4404: "404"}.get(code, f"close {code}"), socket.close_reason or ""
