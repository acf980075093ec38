"""The world the authorisation matrix asks in, built once per database: an admin; the
owner's workflow, finished run, credential and links (``build_world``); a live and a
revoked API key of the owner; and an edit link whose owner ("Dora") is then disabled.

A request that changes something gets things made for it alone (``fresh``), so no
cell's answer depends on what another cell did.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from accounts_support import (
    Person,
    World,
    add_person,
    build_world,
    client_for,
    create_link,
    second_session,
    wait_finished,
)
from api_support import API
from fastapi import FastAPI
from run_support import greeting
from sqlalchemy import select

from backend.auth.sessions import COOKIE_NAME
from backend.db import run_store
from backend.db.models import WorkflowRecord


@dataclass(frozen=True)
class Guise:
    """How a principal presents itself."""

    person: str | None = None  # whose session cookie: "owner", "other" or "admin"
    key: str | None = None  # "live" or "revoked": the owner's API key
    link: str | None = None  # the kind of share link it holds


ELSEWHERE = "http://dashboard.example"  # another site's page, calling with a key
GUISES = {
    "owner": Guise(person="owner"),
    "owner-key": Guise(key="live"),
    "other": Guise(person="other"),
    "admin": Guise(person="admin"),
    "anonymous": Guise(),
    "revoked-key": Guise(key="revoked"),
    "view": Guise(link="view"),
    "run": Guise(link="run"),
    "edit": Guise(person="other", link="edit"),
    "revoked-link": Guise(person="other", link="revoked"),
    "expired-link": Guise(person="other", link="expired"),
    "disabled-link": Guise(person="other", link="disabled"),
}


@dataclass
class MatrixWorld:
    app: FastAPI
    world: World
    admin: Person
    revoked_key: str
    disabled_token: str  # Dora's edit link
    disabled_workflow_id: str
    disabled_run_id: str

    def person(self, name: str) -> Person:
        return {"owner": self.world.owner, "other": self.world.other, "admin": self.admin}[name]

    async def headers(
        self, principal: str, origin: str | None = None, *, own_session: bool = False
    ) -> dict[str, str]:
        """What ``principal`` sends from a page at ``origin``. ``own_session``: a session
        made for this request alone (signing out, say, ends only that one). An API key is
        sent from a page on another site: a key needs no Origin check."""
        guise = GUISES[principal]
        if guise.key is not None:
            key = self.world.api_key if guise.key == "live" else self.revoked_key
            return {"Origin": ELSEWHERE, "Authorization": f"Bearer {key}"}
        headers = {} if origin is None else {"Origin": origin}
        if guise.person is not None:
            person = self.person(guise.person)
            if own_session:
                person = await second_session(self.app, person)
            headers["Cookie"] = f"{COOKIE_NAME}={person.session}"
        return headers

    def token(self, principal: str) -> str:
        """The share token ``principal`` holds (one never issued, for those without)."""
        link = GUISES[principal].link
        if link == "disabled":
            return self.disabled_token
        return self.world.links.get(link or "", self.world.forged)

    def shared_workflow_id(self, principal: str) -> str:
        """The workflow behind the principal's link (the owner's, for a forged one)."""
        link = GUISES[principal].link
        return self.disabled_workflow_id if link == "disabled" else self.world.workflow_id

    def shared_run_id(self, principal: str) -> str:
        """A run the principal's link would show: the owner's latest (the links show it)."""
        link = GUISES[principal].link
        return self.disabled_run_id if link == "disabled" else self.world.run_id

    async def version(self, workflow_id: str) -> int:
        async with self.app.state.sessions() as session:
            version = await session.scalar(
                select(WorkflowRecord.version).where(WorkflowRecord.id == workflow_id)
            )
        return version or 1

    async def fresh(self, parameter: str) -> str:
        """A new thing of the owner's for a changing request to act on, by path parameter."""
        async with client_for(self.app, self.world.owner.cookies) as owner:
            if parameter == "workflow_id":
                return await _created(owner, "/workflows/import", greeting())
            if parameter == "credential_id":
                return await _created(owner, "/credentials", new_credential())
            if parameter == "link_id":
                return (await create_link(owner, self.world.workflow_id, "view"))["id"]
            if parameter == "key_id":
                return await _created(owner, "/auth/api-keys", {"name": "fresh"})
        if parameter == "run_id":  # queued, never handed to a worker: cancellable
            row, queued = run_store.new_queued_run(
                self.world.workflow_id, 2, {"name": "Q"}, owner_id=self.world.owner.id
            )
            async with self.app.state.sessions() as session:
                await run_store.insert_queued(session, [(row, queued)])
            return row["id"]
        raise KeyError(parameter)


FRESH = frozenset({"workflow_id", "credential_id", "link_id", "key_id", "run_id"})


def new_credential() -> dict[str, Any]:
    return {
        "name": f"key-{uuid.uuid4().hex[:8]}",
        "provider": "openai_compatible",
        "secret": "sk-test-0000000000000000",
        "base_url": "http://127.0.0.1:9/v1",  # nothing listens: a check fails fast
    }


async def _created(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> str:
    response = await client.post(f"{API}{path}", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def build_matrix_world(app: FastAPI) -> MatrixWorld:
    admin = await add_person(app, "Admin")  # the first account is the admin
    world = await build_world(app, finished_run=True)
    revoked_key = await _revoked_key(app, world)
    dora = await add_person(app, "Dora")
    async with client_for(app, dora.cookies) as client:
        workflow_id = await _created(client, "/workflows/import", greeting())
        run = await client.post(
            f"{API}/workflows/{workflow_id}/runs", json={"inputs": {"name": "Dora"}}
        )
        assert run.status_code == 202, run.text
        await wait_finished(client, f"{API}/runs/{run.json()['id']}")
        link = await create_link(client, workflow_id, "edit", show_owner_latest_run=True)
    run_id = run.json()["id"]
    async with client_for(app) as visitor:  # the link shows her run until she is disabled
        shown = await visitor.get(f"{API}/shared/{link['token']}/runs/{run_id}")
        assert shown.status_code == 200, shown.text
    async with client_for(app, admin.cookies) as console:
        me = await console.get(f"{API}/auth/me")
        assert me.json()["user"]["is_admin"] is True
        off = await console.patch(f"{API}/admin/users/{dora.id}", json={"disabled": True})
        assert off.status_code == 200, off.text
    return MatrixWorld(app, world, admin, revoked_key, link["token"], workflow_id, run_id)


async def _revoked_key(app: FastAPI, world: World) -> str:
    """An API key of the owner that worked, then was revoked."""
    async with client_for(app, world.owner.cookies) as owner:
        created = await owner.post(f"{API}/auth/api-keys", json={"name": "old"})
        key = created.json()["key"]
        async with client_for(app, Authorization=f"Bearer {key}") as script:
            assert (await script.get(f"{API}/auth/me")).json()["user"]["id"] == world.owner.id
        revoked = await owner.delete(f"{API}/auth/api-keys/{created.json()['id']}")
        assert revoked.status_code == 204, revoked.text
    return key
