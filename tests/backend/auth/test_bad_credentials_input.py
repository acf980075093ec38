"""Must-hold 5 (accounts part): forged, truncated and reused tokens, tampered cookies and
wrong API keys get a clear 401 or 404 — and change nothing."""

from __future__ import annotations

import pytest
from accounts_support import build_world, client_for
from api_support import API, assert_problem
from run_support import greeting

from backend.auth.sessions import COOKIE_NAME
from backend.auth.tokens import new_api_key


def tampered(token: str) -> str:
    flipped = "A" if token[10] != "A" else "B"
    return token[:10] + flipped + token[11:]


async def _state(app, world) -> tuple:
    """What a bad request must not change: the owner's workflows, runs, links, keys."""
    async with client_for(app, world.owner.cookies) as owner:
        workflow = (await owner.get(f"{API}/workflows/{world.workflow_id}")).json()
        runs = (await owner.get(f"{API}/workflows/{world.workflow_id}/runs")).json()["total"]
        listed = (await owner.get(f"{API}/workflows")).json()["total"]
        links = await owner.get(f"{API}/workflows/{world.workflow_id}/share-links")
        keys = await owner.get(f"{API}/auth/api-keys")
    return workflow["version"], workflow["name"], runs, listed, links.text, keys.text


async def _writes(client, world, token: str | None = None) -> list:
    """A save, a rename, a run, a delete, and (with a token) the share writes."""
    answers = [
        await client.put(
            f"{API}/workflows/{world.workflow_id}", json=greeting(), headers={"If-Match": "2"}
        ),
        await client.patch(f"{API}/workflows/{world.workflow_id}", json={"name": "Pwned"}),
        await client.post(f"{API}/workflows/{world.workflow_id}/runs", json={"inputs": {}}),
        await client.delete(f"{API}/workflows/{world.workflow_id}"),
    ]
    if token is not None:
        answers += [
            await client.post(f"{API}/shared/{token}/runs", json={"inputs": {"name": "x"}}),
            await client.put(
                f"{API}/shared/{token}/workflow", json=greeting(), headers={"If-Match": "2"}
            ),
            await client.post(f"{API}/shared/{token}/duplicate"),
        ]
    return answers


@pytest.mark.parametrize(
    "header",
    [
        "Bearer " + new_api_key(),  # forged, well-formed
        "Bearer nlk_short",
        "Bearer sk-not-ours-at-all",
        "Basic dXNlcjpwYXNz",
        "Bearer ",
        "nonsense",
    ],
)
async def test_wrong_api_keys_get_401_and_change_nothing(accounts_app, header: str):
    world = await build_world(accounts_app)
    before = await _state(accounts_app, world)
    # Even with a valid session cookie: a wrong Authorization header is never ignored.
    async with client_for(accounts_app, world.owner.cookies, Authorization=header) as client:
        answers = await _writes(client, world)
        me = await client.get(f"{API}/auth/me")
    for answer in [*answers, me]:
        assert_problem(answer, 401, "invalid_api_key")
    assert await _state(accounts_app, world) == before


async def test_a_truncated_or_revoked_api_key_gets_401(accounts_app):
    world = await build_world(accounts_app)
    before = await _state(accounts_app, world)
    async with client_for(accounts_app, Authorization=f"Bearer {world.api_key[:-1]}") as cut:
        truncated = await _writes(cut, world)
    async with client_for(accounts_app, world.owner.cookies) as owner:
        assert (await owner.delete(f"{API}/auth/api-keys/{world.api_key_id}")).status_code == 204
    before = before[:5] + (await _state(accounts_app, world))[5:]
    async with client_for(accounts_app, Authorization=f"Bearer {world.api_key}") as reused:
        revoked = await _writes(reused, world)
    for answer in [*truncated, *revoked]:
        assert_problem(answer, 401, "invalid_api_key")
    assert await _state(accounts_app, world) == before


@pytest.mark.parametrize(
    "cookie",
    ["tampered", "truncated", "empty", "garbage", "logged-out"],
)
async def test_bad_session_cookies_are_not_signed_in(accounts_app, cookie: str):
    world = await build_world(accounts_app)
    token = world.other.session
    if cookie == "logged-out":
        async with client_for(accounts_app, world.other.cookies) as browser:
            assert (await browser.post(f"{API}/auth/logout")).status_code == 204
    value = {
        "tampered": tampered(token),
        "truncated": token[:-2],
        "empty": "",
        "garbage": "' OR 1=1 --",
        "logged-out": token,
    }[cookie]
    before = await _state(accounts_app, world)
    async with client_for(accounts_app, {COOKIE_NAME: value}) as client:
        answers = await _writes(client, world)
        created = await client.post(f"{API}/workflows", json={"name": "Sneaky"})
        me = await client.get(f"{API}/auth/me")
    for answer in [*answers, created]:
        assert_problem(answer, 401, "not_signed_in")
    assert me.status_code == 200 and me.json()["user"] is None
    assert await _state(accounts_app, world) == before


@pytest.mark.parametrize("kind", ["forged", "truncated", "tampered", "revoked", "expired", "long"])
async def test_bad_share_tokens_get_404_and_change_nothing(accounts_app, kind: str):
    world = await build_world(accounts_app)
    token = {
        "forged": world.forged,
        "truncated": world.links["edit"][:-1],
        "tampered": tampered(world.links["edit"]),
        "revoked": world.links["revoked"],
        "expired": world.links["expired"],
        "long": "x" * 90,
    }[kind]
    before = await _state(accounts_app, world)
    # Signed in as the other user, so an edit-scope write would have been allowed.
    async with client_for(accounts_app, world.other.cookies) as visitor:
        answers = (await _writes(visitor, world, token))[4:]
        answers.append(await visitor.get(f"{API}/shared/{token}"))
        answers.append(await visitor.get(f"{API}/shared/{token}/runs/{world.run_id}"))
    for answer in answers:
        body = assert_problem(answer, 404, "link_not_found")
        assert token not in answer.text and body["detail"].startswith("This link no longer works")
    assert await _state(accounts_app, world) == before
    async with client_for(accounts_app, world.other.cookies) as visitor:
        assert (await visitor.get(f"{API}/workflows")).json()["total"] == 0  # no copy made
