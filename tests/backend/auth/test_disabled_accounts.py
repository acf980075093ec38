"""Disabled means disabled: an account the admin disables loses its sessions, API keys,
share links (view, run and edit answer 404) and queued runs; enabled again, its links
work again."""

from __future__ import annotations

from accounts_support import add_person, build_world, client_for
from api_support import API, assert_problem

from backend.db import run_store

ALLOWED = ("view", "run", "edit")


async def _link_answers(app, world) -> dict[str, int]:
    async with client_for(app, world.other.cookies) as visitor:
        return {
            kind: (await visitor.get(f"{API}/shared/{world.links[kind]}")).status_code
            for kind in ALLOWED
        }


async def test_disabling_an_account_stops_everything_it_handed_out(accounts_app):
    admin = await add_person(accounts_app, "Admin")  # the first account is the admin
    world = await build_world(accounts_app)
    async with accounts_app.state.sessions() as session:  # a run no worker took yet
        row, queued = run_store.new_queued_run(
            world.workflow_id, 2, {"name": "Q"}, owner_id=world.owner.id
        )
        await run_store.insert_queued(session, [(row, queued)])
    assert await _link_answers(accounts_app, world) == dict.fromkeys(ALLOWED, 200)

    async with client_for(accounts_app, admin.cookies) as console:
        off = await console.patch(f"{API}/admin/users/{world.owner.id}", json={"disabled": True})
    async with client_for(accounts_app, world.owner.cookies) as owner_browser:
        session_after = await owner_browser.get(f"{API}/workflows")
    async with client_for(accounts_app, Authorization=f"Bearer {world.api_key}") as script:
        key_after = await script.get(f"{API}/workflows")
    async with client_for(accounts_app, world.other.cookies) as visitor:
        run_after = await visitor.post(
            f"{API}/shared/{world.links['run']}/runs", json={"inputs": {"name": "V"}}
        )
    links_off = await _link_answers(accounts_app, world)
    async with accounts_app.state.sessions() as session:
        cancelled = await run_store.get_run(session, row["id"])

    assert off.status_code == 200 and off.json()["disabled"] is True
    assert_problem(session_after, 401, "not_signed_in")
    assert key_after.status_code == 401
    assert_problem(run_after, 404, "link_not_found")
    assert links_off == dict.fromkeys(ALLOWED, 404)
    assert cancelled.status == "cancelled"

    async with client_for(accounts_app, admin.cookies) as console:
        on = await console.patch(f"{API}/admin/users/{world.owner.id}", json={"disabled": False})
    assert on.json()["disabled"] is False
    assert await _link_answers(accounts_app, world) == dict.fromkeys(ALLOWED, 200)
