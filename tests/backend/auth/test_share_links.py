"""Share links: scopes, hashed tokens, the hourly run limit, revoke and expiry taking
effect at once, saves through an edit link authored by the visitor, copies."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from accounts_support import build_world, client_for, create_link, wait_finished
from api_support import API, assert_problem
from legacy_rows import store_legacy_workflow
from run_support import greeting
from sqlalchemy import select

from backend.db.models import ShareLinkRecord, WorkflowVersionRecord


async def test_a_link_token_is_shown_once_and_stored_hashed(accounts_app):
    world = await build_world(accounts_app)
    async with client_for(accounts_app, world.owner.cookies) as owner:
        listed = await owner.get(f"{API}/workflows/{world.workflow_id}/share-links")
    token = world.links["view"]
    assert token not in listed.text and len(token) == 43
    assert {link["scope"] for link in listed.json()} == {"view", "run", "edit"}
    revoked = [link for link in listed.json() if link["revoked_at"]]
    assert len(revoked) == 1
    async with accounts_app.state.sessions() as session:
        row = await session.get(ShareLinkRecord, world.link_ids["view"])
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(vars(row))


async def test_a_view_link_shows_the_workflow_and_owners_run_but_cannot_run(accounts_app):
    world = await build_world(accounts_app, finished_run=True)  # links show the owner's run
    async with client_for(accounts_app) as visitor:
        shared = await visitor.get(f"{API}/shared/{world.links['view']}")
        runs = await visitor.get(f"{API}/shared/{world.links['view']}/runs")
        run = await visitor.get(f"{API}/shared/{world.links['view']}/runs/{world.run_id}")
        start = await visitor.post(f"{API}/shared/{world.links['view']}/runs", json={})
        save = await visitor.put(
            f"{API}/shared/{world.links['view']}/workflow",
            json=greeting(),
            headers={"If-Match": "2"},
        )
    body = shared.json()
    assert body["scope"] == "view" and body["owner_name"] == "Owner"
    assert body["workflow"]["id"] == world.workflow_id
    assert runs.json() == {"yours": [], "owner_latest": runs.json()["owner_latest"]}
    assert runs.json()["owner_latest"]["id"] == world.run_id
    assert run.json()["status"] == "succeeded"
    assert_problem(start, 403, "scope_not_allowed")
    assert_problem(save, 403, "scope_not_allowed")


async def test_a_run_link_runs_as_the_owner_within_its_hourly_limit(accounts_app):
    world = await build_world(accounts_app)
    async with client_for(accounts_app, world.owner.cookies) as owner:
        limited = await create_link(owner, world.workflow_id, "run", run_limit_per_hour=2)
    token = limited["token"]
    async with client_for(accounts_app) as visitor:
        runs = [
            await visitor.post(f"{API}/shared/{token}/runs", json={"inputs": {"name": "V"}})
            for _ in range(3)
        ]
        first = await wait_finished(visitor, f"{API}/shared/{token}/runs/{runs[0].json()['id']}")
        events = await visitor.get(f"{API}/shared/{token}/runs/{runs[0].json()['id']}/events")
        not_shown = await visitor.get(f"{API}/shared/{token}/runs/{world.run_id}")
    assert [r.status_code for r in runs[:2]] == [202, 202]
    problem = assert_problem(runs[2], 429, "rate_limited")
    assert int(runs[2].headers["Retry-After"]) > 3000 and "2 runs per hour" in problem["detail"]
    assert first["status"] == "succeeded" and first["outputs"] == {"greeting": "Hello, V!"}
    assert events.json()["items"][-1]["type"] == "run.succeeded"
    assert_problem(not_shown, 404, "run_not_found")  # the owner's: this link hides it
    async with client_for(accounts_app, world.owner.cookies) as owner:
        # The owner sees the visitors' runs among their own.
        assert (await owner.get(f"{API}/runs/{runs[0].json()['id']}")).status_code == 200


async def test_revoking_and_expiry_take_effect_at_once(accounts_app):
    world = await build_world(accounts_app)
    token = world.links["run"]
    async with client_for(accounts_app) as visitor:
        before = await visitor.get(f"{API}/shared/{token}")
        async with client_for(accounts_app, world.owner.cookies) as owner:
            revoked = await owner.delete(f"{API}/share-links/{world.link_ids['run']}")
            past = await owner.post(
                f"{API}/workflows/{world.workflow_id}/share-links",
                json={"scope": "view", "expires_at": "2020-01-01T00:00:00Z"},
            )
            soon = await create_link(
                owner,
                world.workflow_id,
                "view",
                expires_at=(datetime.now(UTC) + timedelta(hours=1)).isoformat(),
            )
        after = await visitor.get(f"{API}/shared/{token}")
        run = await visitor.post(f"{API}/shared/{token}/runs", json={"inputs": {"name": "x"}})
        expired = await visitor.get(f"{API}/shared/{world.links['expired']}")
        fresh = await visitor.get(f"{API}/shared/{soon['token']}")
    assert before.status_code == 200 and revoked.status_code == 204
    body = assert_problem(after, 404, "link_not_found")
    assert "no longer works" in body["detail"]
    assert_problem(run, 404, "link_not_found")
    assert_problem(expired, 404, "link_not_found")
    assert assert_problem(past, 422, "invalid_input")["errors"][0]["pointer"] == ""
    assert fresh.status_code == 200


async def test_edit_link_saves_are_versions_by_the_signed_in_visitor(accounts_app):
    world = await build_world(accounts_app)
    url = f"{API}/shared/{world.links['edit']}/workflow"
    changed = greeting() | {"description": "edited by a visitor"}
    async with client_for(accounts_app) as anonymous:
        refused = await anonymous.put(url, json=changed, headers={"If-Match": "2"})
    async with client_for(accounts_app, world.other.cookies) as visitor:
        saved = await visitor.put(url, json=changed, headers={"If-Match": "2"})
        stale = await visitor.put(url, json=changed, headers={"If-Match": "2"})
        copy = await visitor.post(f"{API}/shared/{world.links['edit']}/duplicate")
        mine = await visitor.get(f"{API}/workflows/{copy.json()['id']}")
    assert_problem(refused, 401, "not_signed_in")
    assert saved.status_code == 200 and saved.json()["version"] == 3
    assert_problem(stale, 409, "version_conflict")
    assert copy.status_code == 201 and mine.json()["description"] == "edited by a visitor"
    async with accounts_app.state.sessions() as session:
        version = await session.scalar(
            select(WorkflowVersionRecord).where(
                WorkflowVersionRecord.workflow_id == world.workflow_id,
                WorkflowVersionRecord.version == 3,
            )
        )
    assert (version.author, version.author_id) == ("Other", world.other.id)
    async with client_for(accounts_app, world.owner.cookies) as owner:
        assert (await owner.get(f"{API}/workflows/{copy.json()['id']}")).status_code == 404
        history = await owner.get(f"{API}/workflows/{world.workflow_id}/versions")
    assert history.json()["items"][0]["author"] == "Other"


# A key no save can store any more, in a workflow an earlier release stored.
PASTED_KEY = "sk-proj-Qm4Lp8Zx2Nv6Wb1Tc5Yd9Rf3Hg7Ks0JuQm4Lp8Zx2Nv6"


async def _legacy_shared(world, scope: str) -> tuple[str, str, str]:
    """A workflow of the owner's holding ``PASTED_KEY``, its template and a ``scope`` link."""
    pasted = greeting()
    template = "Hello, {who}! " + PASTED_KEY
    pasted["nodes"][1]["params"]["template"] = template
    workflow_id = await store_legacy_workflow(
        world.app.state.sessions, [pasted], owner_id=world.owner.id
    )
    async with client_for(world.app, world.owner.cookies) as owner:
        link = await create_link(owner, workflow_id, scope)
    return workflow_id, template, link["token"]


async def test_secret_looking_params_are_hidden_from_visitors(accounts_app):
    world = await build_world(accounts_app)
    _workflow_id, _template, token = await _legacy_shared(world, "view")
    async with client_for(accounts_app) as visitor:
        shared = await visitor.get(f"{API}/shared/{token}")
    assert PASTED_KEY not in shared.text
    params = shared.json()["workflow"]["document"]["nodes"][1]["params"]
    assert params["template"] == "[hidden: looks like a secret]"


async def test_an_edit_visitor_saving_a_hidden_value_cannot_overwrite_the_owners_value(
    accounts_app,
):
    world = await build_world(accounts_app)
    workflow_id, template, token = await _legacy_shared(world, "edit")
    async with client_for(accounts_app, world.other.cookies) as visitor:
        shown = (await visitor.get(f"{API}/shared/{token}")).json()["workflow"]
        document = shown["document"] | {"description": "tidied by a visitor"}
        resaved = await visitor.put(
            f"{API}/shared/{token}/workflow",
            json=document,
            headers={"If-Match": str(shown["version"])},
        )
    # The owner's value comes back in place of the placeholder, and a document holding a
    # key is stored by no one: the owner has to move it into a credential first.
    assert assert_problem(resaved, 422, "secret_in_params")["errors"][0]["node_id"] == "tpl"
    assert PASTED_KEY not in resaved.text
    async with client_for(accounts_app, world.owner.cookies) as owner:
        stored = (await owner.get(f"{API}/workflows/{workflow_id}")).json()
    assert stored["version"] == 1 and stored["description"] == ""
    assert stored["document"]["nodes"][1]["params"]["template"] == template  # not the placeholder
