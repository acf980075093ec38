"""A signed-in visitor with an edit link tries to get the owner's key sent to a server
they control. Three paths, each ending with nothing of the owner's at the visitor's
listener — on SQLite and PostgreSQL, through a live server whose worker really runs:

1. endpoint swap: the chat node keeps the owner's credential and gets the visitor's URL;
2. credential swap: the node is pointed at another of the owner's credentials, or at the
   same one for another provider;
3. hidden param: a key pasted into a text node by an earlier release (hidden on the
   link) is wired into a prompt sent to a key-less model at the visitor's URL.

Each path has a positive control: the owner's own run does deliver the key to the
provider's URL set on the credential, and a key-less call does reach the visitor's
listener, so "nothing arrived" is not an artefact of a dead listener.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
from accounts_support import SECRET_KEY, add_person, client_for, create_link, wait_finished
from api_support import API, document, make_settings, node
from fakes.openai_server import fake_openai
from legacy_rows import store_legacy_workflow
from run_support import create_workflow, link, live_server

OWNER_KEY = f"sk-owner-{uuid.uuid4().hex}"
BILLING_KEY = f"sk-billing-{uuid.uuid4().hex}"
PASTED_KEY = f"sk-proj-pasted{uuid.uuid4().hex}"
OWNER_SECRETS = (OWNER_KEY, BILLING_KEY, PASTED_KEY)


def chat(**params: Any) -> dict[str, Any]:
    """question → chat model (``params``) → answer."""
    return document(
        "Ask",
        [
            node("q", "io.input", name="question"),
            node("llm", "model.chat", x=300, model="echo", **params),
            node("out", "io.output", x=600, name="answer"),
        ],
        [link("e1", "q", "llm", "value", "prompt"), link("e2", "llm", "out", "text", "value")],
    )


def pasted_text_into(**params: Any) -> dict[str, Any]:
    """A text node holding the (hidden) pasted key → chat model (``params``) → answer."""
    return document(
        "Ask",
        [
            node("notes", "data.text", text=f"internal: {PASTED_KEY}"),
            node("llm", "model.chat", x=300, model="echo", **params),
            node("out", "io.output", x=600, name="answer"),
        ],
        [
            link("e1", "notes", "llm", "text", "prompt"),
            link("e2", "llm", "out", "text", "value"),
        ],
    )


async def test_no_path_takes_the_owners_key_to_the_visitor(database_url: str, tmp_path: Path):
    settings = make_settings(tmp_path, database_url, auth="on", secret_key=SECRET_KEY)
    provider_got: list[str] = []
    visitor_got: list[str] = []
    with fake_openai(provider_got) as provider_url, fake_openai(visitor_got) as visitor_url:
        async with live_server(settings) as server:
            app = server.app
            owner, visitor = await add_person(app, "Owner"), await add_person(app, "Visitor")
            async with (
                client_for(app, owner.cookies) as own,
                client_for(app, visitor.cookies) as guest,
            ):
                for name, provider, secret in (
                    ("team", "openai_compatible", OWNER_KEY),
                    ("billing", "openai", BILLING_KEY),
                ):
                    made = await own.post(
                        f"{API}/credentials",
                        json={
                            "name": name,
                            "provider": provider,
                            "secret": secret,
                            "base_url": provider_url,
                        },
                    )
                    assert made.status_code == 201, made.text
                team = {"provider": "openai_compatible", "credential": {"$credential": "team"}}
                workflow_id = await create_workflow(own, chat(**team))
                edit = (await create_link(own, workflow_id, "edit"))["token"]
                shared = f"{API}/shared/{edit}"

                # Control: the owner's run takes the key to the credential's own URL.
                await _run(own, f"{API}/workflows/{workflow_id}", "succeeded")
                assert any(f"Bearer {OWNER_KEY}" in seen for seen in provider_got)

                # 1. Endpoint swap: stored with its problem, and refused at every run.
                swapped = chat(**team, base_url=visitor_url)
                saved = await _save(guest, shared, swapped)
                assert saved.status_code == 200, saved.text
                assert [p["code"] for p in saved.json()["problems"]] == ["invalid_params"]
                assert "base_url is only for calls without a credential" in saved.text
                for client, url in ((guest, shared), (own, f"{API}/workflows/{workflow_id}")):
                    refused = await client.post(f"{url}/runs", json={"inputs": {"question": "x"}})
                    assert refused.status_code == 422, refused.text
                    assert refused.json()["code"] == "workflow_not_runnable"

                # Control: a key-less call to the visitor's URL is theirs to make.
                keyless = chat(provider="openai_compatible", base_url=visitor_url)
                assert (await _save(guest, shared, keyless)).status_code == 200
                await _run(guest, shared, "succeeded")
                assert visitor_got and "Bearer not-needed" in visitor_got[-1]

                # 2. Credential swap: another of the owner's keys, or this one elsewhere.
                for params in (
                    {"provider": "openai", "credential": {"$credential": "billing"}},
                    {"provider": "openai", "credential": {"$credential": "team"}},
                ):
                    refused = await _save(guest, shared, chat(**params))
                    assert refused.status_code == 403, refused.text
                    body = refused.json()
                    assert body["code"] == "credential_not_shared"
                    assert body["errors"][0]["node_id"] == "llm"
                    assert body["errors"][0]["pointer"] == "/nodes/1/params/credential"

                # 3. A hidden pasted key (kept by an earlier release) wired into a prompt
                # for the visitor's server.
                legacy_id = await store_legacy_workflow(
                    app.state.sessions, [pasted_text_into(**team)], owner_id=owner.id
                )
                shared = f"{API}/shared/{(await create_link(own, legacy_id, 'edit'))['token']}"
                view = await guest.get(shared)
                assert view.status_code == 200 and PASTED_KEY not in view.text
                (notes,) = [
                    n for n in view.json()["workflow"]["document"]["nodes"] if n["id"] == "notes"
                ]
                rewired = pasted_text_into(provider="openai_compatible", base_url=visitor_url)
                rewired["nodes"][0]["params"] = notes["params"]  # the hidden value, as shown
                refused = await _save(guest, shared, rewired)
                assert refused.status_code == 422, refused.text
                assert refused.json()["code"] == "secret_in_params"
                assert PASTED_KEY not in refused.text
                await _run(guest, shared, "succeeded", inputs={})  # the owner's version runs
    leaks = [seen for seen in visitor_got if any(secret in seen for secret in OWNER_SECRETS)]
    assert leaks == []
    assert any(PASTED_KEY in seen for seen in provider_got)  # control: it was really in play


async def _save(client: httpx.AsyncClient, shared: str, doc: dict[str, Any]) -> httpx.Response:
    current = (await client.get(shared)).json()["workflow"]["version"]
    return await client.put(f"{shared}/workflow", json=doc, headers={"If-Match": str(current)})


async def _run(
    client: httpx.AsyncClient, url: str, status: str, inputs: dict[str, str] | None = None
) -> None:
    """Start a run at ``url`` (a workflow's or a link's) and wait for ``status``."""
    started = await client.post(
        f"{url}/runs", json={"inputs": {"question": "hi"} if inputs is None else inputs}
    )
    assert started.status_code == 202, started.text
    runs = f"{url}/runs" if "/shared/" in url else f"{API}/runs"
    finished = await wait_finished(client, f"{runs}/{started.json()['id']}")
    assert finished["status"] == status, (finished.get("error"), finished.get("nodes"))
