"""A small world for the accounts tests: two people, a workflow with a run, a credential,
an API key, and share links of every kind (live, revoked, expired).

People and sessions are written straight to the database (one argon2 hash per test
session), so building a world stays quick; everything else goes through the API.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from api_support import API
from argon2 import PasswordHasher
from fastapi import FastAPI
from run_support import greeting
from sqlalchemy import update

from backend.auth import api_keys, users
from backend.auth.sessions import COOKIE_NAME, start_session
from backend.auth.tokens import new_token
from backend.db.models import ShareLinkRecord, utcnow

PASSWORD = "correct horse battery staple"
SECRET_KEY = "test-secret-key-" + "x" * 32
PASSWORD_HASH = PasswordHasher().hash(PASSWORD)


@dataclass
class Person:
    id: str
    email: str
    name: str
    session: str  # a session cookie's token

    @property
    def cookies(self) -> dict[str, str]:
        return {COOKIE_NAME: self.session}


@dataclass
class World:
    app: FastAPI
    owner: Person
    other: Person
    edit_visitor: Person  # the other person, signed in in another browser, with the edit link
    workflow_id: str
    run_id: str
    credential_id: str
    api_key_id: str
    api_key: str
    links: dict[str, str] = field(default_factory=dict)  # kind → token
    link_ids: dict[str, str] = field(default_factory=dict)  # kind → id
    forged: str = field(default_factory=new_token)  # a share token never issued


def client_for(app: FastAPI, cookies: dict[str, str] | None = None, **headers: str):
    """A client of ``app``; like a browser on the app's own page, it sends its Origin."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    headers = {"Origin": "http://nodeloom.test", **headers}
    return httpx.AsyncClient(
        transport=transport, base_url="http://nodeloom.test", cookies=cookies, headers=headers
    )


async def add_person(app: FastAPI, name: str) -> Person:
    async with app.state.sessions() as session:
        user = await users.create_user(
            session,
            email=f"{name}-{uuid.uuid4().hex[:6]}@example.com",
            name=name,
            password_hash=PASSWORD_HASH,
            signup_open=True,
        )
        token = await start_session(session, user.id)
    return Person(user.id, user.email, user.name, token)


async def second_session(app: FastAPI, person: Person) -> Person:
    async with app.state.sessions() as session:
        token = await start_session(session, person.id)
    return Person(person.id, person.email, person.name, token)


async def create_link(client: httpx.AsyncClient, workflow_id: str, scope: str, **body: Any):
    response = await client.post(
        f"{API}/workflows/{workflow_id}/share-links", json={"scope": scope, **body}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def expire_link(app: FastAPI, link_id: str) -> None:
    async with app.state.sessions() as session:
        await session.execute(
            update(ShareLinkRecord)
            .where(ShareLinkRecord.id == link_id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await session.commit()


async def build_world(app: FastAPI, *, finished_run: bool = False) -> World:
    owner = await add_person(app, "Owner")
    other = await add_person(app, "Other")
    edit_visitor = await second_session(app, other)
    async with client_for(app, owner.cookies) as client:
        workflow_id = await _workflow(client)
        run = await client.post(
            f"{API}/workflows/{workflow_id}/runs", json={"inputs": {"name": "Ada"}}
        )
        assert run.status_code == 202, run.text
        run_id = run.json()["id"]
        if finished_run:
            await wait_finished(client, f"{API}/runs/{run_id}")
        credential = await client.post(
            f"{API}/credentials",
            json={
                "name": "local-llm",
                "provider": "openai_compatible",
                "secret": "sk-test-0000000000000000",
                "base_url": "http://127.0.0.1:9/v1",  # nothing listens: checks fail fast
            },
        )
        assert credential.status_code == 201, credential.text
        async with app.state.sessions() as session:
            key_record, key = await api_keys.create_key(session, owner.id, "matrix")
        world = World(
            app,
            owner,
            other,
            edit_visitor,
            workflow_id,
            run_id,
            credential.json()["id"],
            key_record.id,
            key,
        )
        for kind in ("view", "run", "edit", "revoked", "expired"):
            # Dead links had the widest scope, so being dead is all that refuses them.
            # Showing the owner's latest run (world.run_id), so a live link reads it.
            created = await create_link(
                client,
                workflow_id,
                {"revoked": "edit", "expired": "edit"}.get(kind, kind),
                show_owner_latest_run=True,
            )
            world.links[kind], world.link_ids[kind] = created["token"], created["id"]
        revoked = await client.delete(f"{API}/share-links/{world.link_ids['revoked']}")
        assert revoked.status_code == 204
    await expire_link(app, world.link_ids["expired"])
    return world


async def _workflow(client: httpx.AsyncClient) -> str:
    created = await client.post(f"{API}/workflows", json={"name": "Greeting"})
    assert created.status_code == 201, created.text
    workflow_id = created.json()["id"]
    saved = await client.put(
        f"{API}/workflows/{workflow_id}", json=greeting(), headers={"If-Match": "1"}
    )
    assert saved.status_code == 200, saved.text
    return workflow_id


async def wait_finished(client: httpx.AsyncClient, url: str, deadline_s: float = 30) -> dict:
    async with asyncio.timeout(deadline_s):
        while True:
            response = await client.get(url)
            assert response.status_code == 200, response.text
            if response.json()["status"] in ("succeeded", "failed", "cancelled"):
                return response.json()
            await asyncio.sleep(0.05)
