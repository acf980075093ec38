"""Must-hold 6: a share link's visitors see only the runs they started (tied to their
browser by the visitor cookie), never another visitor's; the owner's latest run only when
the link says so. Two visitors are two cookie jars on the same run link."""

from __future__ import annotations

import contextlib
import hashlib
import json

import httpx
import websockets
from accounts_support import SECRET_KEY, build_world, client_for, create_link, wait_finished
from api_support import API, assert_problem, make_settings
from run_support import live_server
from sqlalchemy import select

from backend.app import create_app
from backend.auth.visitors import VISITOR_COOKIE
from backend.db.models import RunRecord

SHARED = f"{API}/shared"


async def start(visitor: httpx.AsyncClient, token: str, name: str) -> dict:
    response = await visitor.post(f"{SHARED}/{token}/runs", json={"inputs": {"name": name}})
    assert response.status_code == 202, response.text
    return await wait_finished(visitor, f"{SHARED}/{token}/runs/{response.json()['id']}")


async def listed(visitor: httpx.AsyncClient, token: str) -> dict:
    response = await visitor.get(f"{SHARED}/{token}/runs")
    assert response.status_code == 200, response.text
    return response.json()


def ids(runs: dict) -> list[str]:
    return [run["id"] for run in runs["yours"]]


async def test_two_visitors_of_one_run_link_each_see_only_their_own_runs(accounts_app):
    world = await build_world(accounts_app, finished_run=True)
    async with client_for(accounts_app, world.owner.cookies) as owner:
        token = (await create_link(owner, world.workflow_id, "run"))["token"]
    async with client_for(accounts_app) as alice, client_for(accounts_app) as bob:
        first = await start(alice, token, "Alice")
        second = await start(alice, token, "Alice again")
        bobs = await start(bob, token, "Bob")
        alice_sees, bob_sees = await listed(alice, token), await listed(bob, token)
        peeks = [
            await bob.get(f"{SHARED}/{token}/runs/{first['id']}"),
            await bob.get(f"{SHARED}/{token}/runs/{first['id']}/events"),
            await alice.get(f"{SHARED}/{token}/runs/{bobs['id']}"),
            await alice.get(f"{SHARED}/{token}/runs/{bobs['id']}/events"),
            await alice.get(f"{SHARED}/{token}/runs/{world.run_id}"),  # the owner's
        ]
        own_events = await alice.get(f"{SHARED}/{token}/runs/{first['id']}/events")
        bob_page = await bob.get(f"{SHARED}/{token}")
    assert first["outputs"] == {"greeting": "Hello, Alice!"}
    assert ids(alice_sees) == [second["id"], first["id"]]  # newest first
    assert [run["number"] for run in alice_sees["yours"]] == [2, 1]  # counted among yours
    assert ids(bob_sees) == [bobs["id"]] and bob_sees["yours"][0]["number"] == 1
    assert alice_sees["owner_latest"] is None and bob_sees["owner_latest"] is None
    for peek in peeks:
        assert_problem(peek, 404, "run_not_found")
    assert own_events.json()["items"][-1]["type"] == "run.succeeded"
    assert bob_page.status_code == 200 and "Alice" not in bob_page.text
    assert "last_run" not in bob_page.json()


async def test_another_browser_or_another_link_sees_none_of_them(accounts_app):
    world = await build_world(accounts_app)
    async with client_for(accounts_app, world.owner.cookies) as owner:
        token = (await create_link(owner, world.workflow_id, "run"))["token"]
        other_link = (await create_link(owner, world.workflow_id, "run"))["token"]
    async with client_for(accounts_app) as alice:
        run = await start(alice, token, "Alice")
        cookie = alice.cookies[VISITOR_COOKIE]
        elsewhere = await alice.get(f"{SHARED}/{other_link}/runs/{run['id']}")
        elsewhere_list = await listed(alice, other_link)
    async with client_for(accounts_app) as fresh_browser:
        fresh_list = await listed(fresh_browser, token)
        fresh_get = await fresh_browser.get(f"{SHARED}/{token}/runs/{run['id']}")
    async with client_for(accounts_app, {VISITOR_COOKIE: "not-a-token"}) as forged:
        forged_list = await listed(forged, token)
        again = await forged.post(f"{SHARED}/{token}/runs", json={"inputs": {"name": "F"}})
    assert_problem(elsewhere, 404, "run_not_found")
    assert elsewhere_list["yours"] == [] and fresh_list["yours"] == []
    assert_problem(fresh_get, 404, "run_not_found")
    assert forged_list["yours"] == []
    assert again.status_code == 202 and again.cookies[VISITOR_COOKIE] != "not-a-token"
    # The run row keeps a hash of the cookie, never the cookie itself.
    async with accounts_app.state.sessions() as session:
        row = await session.scalar(select(RunRecord).where(RunRecord.id == run["id"]))
    assert row.visitor_hash == hashlib.sha256(cookie.encode()).hexdigest()
    assert cookie not in json.dumps({k: str(v) for k, v in vars(row).items()})


async def test_the_visitor_cookie_is_random_httponly_lax_and_scoped_to_shared_routes(
    accounts_app,
):
    world = await build_world(accounts_app)
    async with client_for(accounts_app) as visitor:
        first = await visitor.post(
            f"{SHARED}/{world.links['run']}/runs", json={"inputs": {"name": "V"}}
        )
        kept = await visitor.post(
            f"{SHARED}/{world.links['run']}/runs", json={"inputs": {"name": "W"}}
        )
    async with client_for(accounts_app) as someone_else:
        theirs = await someone_else.post(
            f"{SHARED}/{world.links['run']}/runs", json={"inputs": {"name": "X"}}
        )
    header = first.headers["set-cookie"]
    assert header.startswith(f"{VISITOR_COOKIE}=")
    for attribute in ("HttpOnly", "SameSite=lax", "Path=/api/v1/shared"):
        assert attribute in header, header
    assert "Secure" not in header  # plain http here
    assert kept.cookies[VISITOR_COOKIE] == first.cookies[VISITOR_COOKIE]  # the same visitor
    assert theirs.cookies[VISITOR_COOKIE] != first.cookies[VISITOR_COOKIE]
    assert len(first.cookies[VISITOR_COOKIE]) == 43


async def test_the_visitor_cookie_is_secure_behind_an_https_public_url(database_url, tmp_path):
    settings = make_settings(
        tmp_path,
        database_url,
        auth="on",
        secret_key=SECRET_KEY,
        public_url="https://nodeloom.test",
        allowed_origins="http://nodeloom.test",  # the test client's pages
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        world = await build_world(app)
        async with client_for(app) as visitor:
            started = await visitor.post(
                f"{SHARED}/{world.links['run']}/runs", json={"inputs": {"name": "V"}}
            )
    assert started.status_code == 202, started.text
    assert "Secure" in started.headers["set-cookie"]


async def test_a_signed_in_visitor_is_known_by_their_browser_not_their_account(accounts_app):
    """The same account in two browsers is two visitors: runs follow the browser."""
    world = await build_world(accounts_app)
    token = world.links["edit"]
    async with client_for(accounts_app, world.other.cookies) as laptop:
        run = await start(laptop, token, "Laptop")
        mine = await listed(laptop, token)
    async with client_for(accounts_app, world.edit_visitor.cookies) as phone:
        theirs = await listed(phone, token)
        peek = await phone.get(f"{SHARED}/{token}/runs/{run['id']}")
    assert ids(mine) == [run["id"]] and theirs["yours"] == []
    assert_problem(peek, 404, "run_not_found")


async def test_signing_out_forgets_the_browsers_link_runs(accounts_app):
    """At a shared computer, the next person in the browser sees none of the runs."""
    world = await build_world(accounts_app)
    token = world.links["edit"]
    async with client_for(accounts_app, world.other.cookies) as browser:
        run = await start(browser, token, "Before")
        signed_out = await browser.post(f"{API}/auth/logout")
        after = await listed(browser, token)
        peek = await browser.get(f"{SHARED}/{token}/runs/{run['id']}")
    assert signed_out.status_code == 204
    cleared = [c for c in signed_out.headers.get_list("set-cookie") if c.startswith(VISITOR_COOKIE)]
    assert len(cleared) == 1 and "Path=/api/v1/shared" in cleared[0] and "Max-Age=0" in cleared[0]
    assert after["yours"] == []
    assert_problem(peek, 404, "run_not_found")


async def test_the_owner_chooses_whether_a_link_shows_the_owners_latest_run(accounts_app):
    world = await build_world(accounts_app, finished_run=True)
    async with client_for(accounts_app, world.owner.cookies) as owner:
        link = await create_link(owner, world.workflow_id, "run")
        shown_from_start = await create_link(
            owner, world.workflow_id, "view", show_owner_latest_run=True
        )
    token, url = link["token"], f"{API}/share-links/{link['id']}"
    assert link["show_owner_latest_run"] is False and shown_from_start["show_owner_latest_run"]
    async with client_for(accounts_app) as visitor:
        hidden = await listed(visitor, token)
        hidden_get = await visitor.get(f"{SHARED}/{token}/runs/{world.run_id}")
        mine = await start(visitor, token, "Visitor")  # newer than the owner's run
        async with client_for(accounts_app, world.owner.cookies) as owner:
            turned_on = await owner.patch(url, json={"show_owner_latest_run": True})
            links = (await owner.get(f"{API}/workflows/{world.workflow_id}/share-links")).json()
        shown = await listed(visitor, token)
        shown_get = await visitor.get(f"{SHARED}/{token}/runs/{world.run_id}")
        shown_events = await visitor.get(f"{SHARED}/{token}/runs/{world.run_id}/events")
        view_link = await listed(visitor, shown_from_start["token"])
        async with client_for(accounts_app, world.owner.cookies) as owner:
            turned_off = await owner.patch(url, json={"show_owner_latest_run": False})
        hidden_again = await visitor.get(f"{SHARED}/{token}/runs/{world.run_id}")
    assert hidden["owner_latest"] is None
    assert_problem(hidden_get, 404, "run_not_found")
    assert turned_on.status_code == 200 and turned_on.json()["show_owner_latest_run"] is True
    assert {item["id"]: item["show_owner_latest_run"] for item in links}[link["id"]] is True
    # The owner's latest is the owner's own run, not the visitor's newer one.
    assert shown["owner_latest"]["id"] == world.run_id and ids(shown) == [mine["id"]]
    assert shown_get.status_code == 200 and shown_get.json()["inputs"] == {"name": "Ada"}
    assert shown_events.json()["items"][-1]["type"] == "run.succeeded"
    assert view_link["owner_latest"]["id"] == world.run_id and view_link["yours"] == []
    assert turned_off.json()["show_owner_latest_run"] is False
    assert_problem(hidden_again, 404, "run_not_found")


async def test_only_the_owner_changes_a_link(accounts_app):
    world = await build_world(accounts_app)
    url = f"{API}/share-links/{world.link_ids['run']}"
    change = {"show_owner_latest_run": True}
    async with client_for(accounts_app, world.other.cookies) as other:
        refused = await other.patch(url, json=change)
    async with client_for(accounts_app) as anonymous:
        unsigned = await anonymous.patch(url, json=change)
    async with client_for(accounts_app, world.owner.cookies) as owner:
        unknown = await owner.patch(f"{API}/share-links/{'f' * 32}", json=change)
        bad = await owner.patch(url, json={"show_owner_latest_run": "maybe"})
        extra = await owner.patch(url, json={"scope": "edit"})
    assert_problem(refused, 404, "link_not_found")
    assert_problem(unsigned, 401, "not_signed_in")
    assert_problem(unknown, 404, "link_not_found")
    assert assert_problem(bad, 422, "invalid_input")["errors"][0]["pointer"] == (
        "/show_owner_latest_run"
    )
    assert_problem(extra, 422, "invalid_input")


@contextlib.asynccontextmanager
async def _live_accounts(database_url, tmp_path):
    settings = make_settings(tmp_path, database_url, auth="on", secret_key=SECRET_KEY)
    async with live_server(settings) as server:
        yield server


async def _socket(server, token: str, run_id: str, cookie: str | None) -> tuple[int, int]:
    """(events received, close code) of the shared run stream, with this visitor cookie."""
    headers = {"Origin": server.base_url}
    if cookie:
        headers["Cookie"] = f"{VISITOR_COOKIE}={cookie}"
    url = f"{server.ws_base}{SHARED}/{token}/runs/{run_id}/events"
    events = 0
    async with websockets.connect(url, additional_headers=headers, open_timeout=10) as socket:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for message in socket:
                json.loads(message)
                events += 1
    return events, socket.close_code


async def test_the_run_stream_serves_a_run_to_its_visitor_only(database_url, tmp_path):
    async with _live_accounts(database_url, tmp_path) as server:
        world = await build_world(server.app, finished_run=True)
        async with client_for(server.app, world.owner.cookies) as owner:
            link = await create_link(owner, world.workflow_id, "run")
        token = link["token"]
        async with client_for(server.app) as alice:
            run = await start(alice, token, "Alice")
            cookie = alice.cookies[VISITOR_COOKIE]
        async with client_for(server.app) as bob:
            await start(bob, token, "Bob")
            bob_cookie = bob.cookies[VISITOR_COOKIE]
        own = await _socket(server, token, run["id"], cookie)
        other = await _socket(server, token, run["id"], bob_cookie)
        nobody = await _socket(server, token, run["id"], None)
        owners_hidden = await _socket(server, token, world.run_id, cookie)
        async with client_for(server.app, world.owner.cookies) as owner:
            changed = await owner.patch(
                f"{API}/share-links/{link['id']}", json={"show_owner_latest_run": True}
            )
            assert changed.status_code == 200, changed.text
        owners_shown = await _socket(server, token, world.run_id, bob_cookie)
    assert own[1] == 1000 and own[0] >= 4
    assert other == (0, 4404) and nobody == (0, 4404) and owners_hidden == (0, 4404)
    assert owners_shown[1] == 1000 and owners_shown[0] >= 4
