"""Cross-site requests are refused: a page on another site cannot use someone's session
cookie to change anything or to open a run's event stream; API keys are exempt."""

from __future__ import annotations

from pathlib import Path

import pytest
from accounts_support import SECRET_KEY, build_world, client_for
from api_support import API, assert_problem, make_settings
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from backend.app import create_app
from backend.auth.sessions import COOKIE_NAME

EVIL = "http://evil.example"
DOCUMENT = '{"format": "nodeloom.workflow", "version": 1, "name": "Planted", "nodes": []}'


async def test_a_foreign_origin_cannot_act_with_the_session_cookie(accounts_app):
    world = await build_world(accounts_app)
    runs = f"{API}/workflows/{world.workflow_id}/runs"
    async with client_for(accounts_app, world.owner.cookies, Origin=EVIL) as evil_page:
        planted = await evil_page.post(
            f"{API}/workflows/import", content=DOCUMENT, headers={"content-type": "text/plain"}
        )
        started = await evil_page.post(runs, json={"inputs": {"name": "x"}})
        read = await evil_page.get(f"{API}/workflows")  # reading is not changing
    async with client_for(accounts_app, world.owner.cookies) as no_origin:
        del no_origin.headers["Origin"]
        bare = await no_origin.post(runs, json={"inputs": {"name": "x"}})
        referred = await no_origin.post(
            runs, json={"inputs": {"name": "x"}}, headers={"Referer": "http://nodeloom.test/w/1"}
        )
    async with client_for(
        accounts_app, Origin=EVIL, Authorization=f"Bearer {world.api_key}"
    ) as script:
        scripted = await script.post(runs, json={"inputs": {"name": "x"}})

    problem = assert_problem(planted, 403, "cross_site_request")
    assert "http://evil.example" in problem["detail"]
    assert_problem(started, 403, "cross_site_request")
    assert read.status_code == 200
    assert_problem(bare, 403, "cross_site_request")  # a cookie, and no word of where from
    assert referred.status_code == 202
    assert scripted.status_code == 202  # an API key is not a cookie a page can borrow
    async with client_for(accounts_app, world.owner.cookies) as owner:
        names = [item["name"] for item in (await owner.get(f"{API}/workflows")).json()["items"]]
    assert "Planted" not in names


def test_a_foreign_page_cannot_open_a_run_stream(database_url: str, tmp_path: Path):
    settings = make_settings(tmp_path, database_url, auth="on", secret_key=SECRET_KEY)
    url = f"{API}/runs/{'0' * 32}/events"
    cookie = {"cookie": f"{COOKIE_NAME}=not-a-session"}
    own = {**cookie, "origin": "http://testserver"}  # TestClient's own address
    with TestClient(create_app(settings)) as client:
        with (
            pytest.raises(WebSocketDisconnect) as refused,
            client.websocket_connect(url, headers={**cookie, "origin": EVIL}),
        ):
            pass
        # past the check: it opens, then closes for want of a session
        with (
            client.websocket_connect(url, headers=own) as socket,
            pytest.raises(WebSocketDisconnect) as unsigned,
        ):
            socket.receive_text()
    assert refused.value.code == 1008
    assert unsigned.value.code == 4401


async def test_the_public_url_names_the_one_origin_and_makes_the_cookie_secure(
    database_url: str, tmp_path: Path
):
    settings = make_settings(
        tmp_path, database_url, auth="on", secret_key=SECRET_KEY,
        public_url="https://flows.example.com", allowed_origins="https://admin.example.com",
    )  # fmt: skip
    app = create_app(settings)
    body = {"email": "a@example.com", "name": "Ada", "password": "plum tree at dusk"}
    async with app.router.lifespan_context(app):
        async with client_for(app, Origin="https://flows.example.com") as own:
            signed_up = await own.post(f"{API}/auth/signup", json=body)
        async with client_for(app, Origin="https://admin.example.com") as listed:
            other = await listed.post(f"{API}/auth/logout")
        async with client_for(app, Origin="http://nodeloom.test") as host_only:
            by_host = await host_only.post(f"{API}/auth/logout")
    assert signed_up.status_code == 201
    assert "Secure" in signed_up.headers["set-cookie"]
    assert other.status_code == 204
    assert_problem(by_host, 403, "cross_site_request")  # the public URL, not the Host, decides


async def test_single_person_mode_refuses_a_foreign_page_too(client):
    planted = await client.post(
        f"{API}/workflows/import",
        content=DOCUMENT,
        headers={"content-type": "text/plain", "Origin": EVIL},
    )
    from_cli = await client.post(
        f"{API}/workflows/import", content=DOCUMENT, headers={"content-type": "text/plain"}
    )
    assert_problem(planted, 403, "cross_site_request")
    assert from_cli.status_code == 201  # no Origin, no cookie: a command-line client
