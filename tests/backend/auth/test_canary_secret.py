"""Must-hold 2: a canary secret stored in a credential, and another pasted into a node's
params, appear in no API response, export, share view, run event, error message or log
line — read as every kind of visitor, over REST and the WebSocket.

The one place the pasted canary may show is its owner's own editor data (``getWorkflow``
and the version history of that workflow): it is what they typed. Everyone else — share
links, copies, exports — gets it hidden or refused.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import websockets
from accounts_support import SECRET_KEY, build_world, client_for, create_link, wait_finished
from api_support import API, document, make_settings, node
from fakes.openai_server import fake_openai
from legacy_rows import store_legacy_workflow
from run_support import link, live_server
from sqlalchemy import select

from backend.db.models import CredentialRecord
from backend.web_origin import origin_of

CRED_CANARY = f"sk-credcanary{uuid.uuid4().hex}"
PARAM_CANARY = f"sk-proj-paramcanary{uuid.uuid4().hex}"


def echo_workflow(base_url: str) -> dict[str, Any]:
    """question → a chat model that echoes its API key (the fake at ``base_url``, set on
    the credential) → answer."""
    return document(
        "Echo",
        [
            node("q", "io.input", name="question"),
            node(
                "llm",
                "model.chat",
                provider="openai_compatible",
                model="echo",
                credential={"$credential": "canary"},  # which carries base_url
            ),
            node("out", "io.output", name="answer"),
        ],
        [link("e1", "q", "llm", "value", "prompt"), link("e2", "llm", "out", "text", "value")],
    )


def pasted_workflow() -> dict[str, Any]:
    return document("Pasted", [node("tpl", "prompt.template", template=f"Key: {PARAM_CANARY}")])


async def _store_pasted(world) -> str:
    """The pasted workflow as an earlier release stored it (no save stores a key now):
    version 1 empty, version 2 with the key."""
    versions = [document("Pasted"), pasted_workflow()]
    return await store_legacy_workflow(world.app.state.sessions, versions, owner_id=world.owner.id)


async def test_canaries_reach_no_response_event_export_or_log(
    database_url: str, tmp_path: Path, caplog
):
    caplog.set_level(logging.INFO)
    settings = make_settings(tmp_path, database_url, auth="on", secret_key=SECRET_KEY)
    seen: list[tuple[str, str]] = []  # (where, text) of everything read
    owner_editor: list[str] = []  # the owner's own reads of the pasted workflow
    with fake_openai() as base_url:
        async with live_server(settings) as server:
            app = server.app
            world = await build_world(app, finished_run=True)
            async with client_for(app, world.owner.cookies) as owner:
                echo_id = await _workflow(owner, echo_workflow(base_url))
                pasted_id = await _store_pasted(world)
                credential = await owner.post(
                    f"{API}/credentials",
                    json={
                        "name": "canary",
                        "provider": "openai_compatible",
                        "secret": CRED_CANARY,
                        "base_url": base_url,
                    },
                )
                seen.append(("createCredential", credential.text))
                assert credential.status_code == 201, credential.text
                run_link = await create_link(owner, echo_id, "run")
                view_link = await create_link(owner, pasted_id, "view")
                edit_link = await create_link(owner, pasted_id, "edit")
                run = await owner.post(
                    f"{API}/workflows/{echo_id}/runs", json={"inputs": {"question": "hi"}}
                )
                finished = await wait_finished(owner, f"{API}/runs/{run.json()['id']}")
                assert finished["status"] == "succeeded", finished
                # The fake echoed the key it got; the engine scrubbed it.
                assert "***" in json.dumps(finished["outputs"])
                # A run of the workflow with the pasted key: its events must not show it.
                pasted_run = await owner.post(f"{API}/workflows/{pasted_id}/runs", json={})
                assert pasted_run.status_code == 202, pasted_run.text
                pasted_finished = await wait_finished(
                    owner, f"{API}/runs/{pasted_run.json()['id']}"
                )
                assert pasted_finished["status"] == "succeeded", pasted_finished
                assert "***" in json.dumps(pasted_finished["nodes"])  # scrubbed, not absent
                shared_run = await owner.post(
                    f"{API}/shared/{run_link['token']}/runs", json={"inputs": {"question": "x"}}
                )
                assert shared_run.status_code == 202, shared_run.text
                await wait_finished(
                    owner, f"{API}/shared/{run_link['token']}/runs/{shared_run.json()['id']}"
                )
                visitor = owner.cookies.get("nodeloom_visitor")  # whose run it is
                ids = {
                    "workflow_id": [echo_id, pasted_id],
                    "run_id": [run.json()["id"], shared_run.json()["id"], pasted_run.json()["id"]],
                    "credential_id": [credential.json()["id"]],
                    "version": ["1", "2"],
                    "token": [run_link["token"], view_link["token"], edit_link["token"]],
                }
                await _errors_and_checks(owner, credential.json()["id"], seen)
                # Copies made through the edit link, read back by their new owner.
                async with client_for(app, world.other.cookies) as other:
                    copy = await other.post(f"{API}/shared/{edit_link['token']}/duplicate")
                    assert copy.status_code == 201, copy.text
                    seen.append(("duplicateShared", copy.text))
                    ids["workflow_id"].append(copy.json()["id"])
                    exported = await owner.get(f"{API}/workflows/{pasted_id}/export")
                    seen.append(("export pasted", exported.text))
                    assert exported.status_code in (200, 422)
                    seen.append(
                        ("export echo", (await owner.get(f"{API}/workflows/{echo_id}/export")).text)
                    )
                    await _every_get(app, world, ids, seen, owner_editor, pasted_id)
            for run_id in ids["run_id"]:
                seen.append(("ws", await _socket_text(server.ws_base, run_id, world)))
            shared_run_id = shared_run.json()["id"]
            seen.append(
                (
                    "shared ws",
                    await _socket_text(
                        server.ws_base, shared_run_id, world, run_link["token"], visitor
                    ),
                )
            )
            async with app.state.sessions() as session:
                stored = await session.scalar(
                    select(CredentialRecord.ciphertext).where(CredentialRecord.name == "canary")
                )
            assert stored and CRED_CANARY not in stored  # encrypted at rest
    assert len(seen) > 100, len(seen)
    leaks = [where for where, text in seen if CRED_CANARY in text or PARAM_CANARY in text]
    assert leaks == []
    assert CRED_CANARY not in caplog.text and PARAM_CANARY not in caplog.text
    # The owner's own editor does show what they typed (so the test reads real data).
    assert any(PARAM_CANARY in text for text in owner_editor)


async def _workflow(owner: httpx.AsyncClient, doc: dict[str, Any]) -> str:
    created = await owner.post(f"{API}/workflows", json={"name": doc["name"]})
    workflow_id = created.json()["id"]
    saved = await owner.put(f"{API}/workflows/{workflow_id}", json=doc, headers={"If-Match": "1"})
    assert saved.status_code == 200, saved.text
    return workflow_id


async def _errors_and_checks(
    owner: httpx.AsyncClient, credential_id: str, seen: list[tuple[str, str]]
) -> None:
    """Error answers that had the secret in their request, and the provider check."""
    attempts = [
        (
            "POST",
            f"{API}/credentials",
            {"name": "canary", "provider": "openai", "secret": CRED_CANARY},
        ),  # name taken
        (
            "POST",
            f"{API}/credentials",
            {"name": "bad name!", "provider": "openai", "secret": CRED_CANARY},
        ),
        (
            "POST",
            f"{API}/credentials",
            {"name": "pg", "provider": "postgres", "secret": CRED_CANARY},
        ),
        ("POST", f"{API}/credentials", {"name": "x", "provider": "nope", "secret": CRED_CANARY}),
        (
            "PATCH",
            f"{API}/credentials/{credential_id}",
            {"secret": CRED_CANARY, "base_url": "ftp://x"},
        ),
        ("POST", f"{API}/credentials/{credential_id}/check", None),
    ]
    for method, url, body in attempts:
        response = await owner.request(method, url, json=body)
        assert response.status_code < 500, response.text
        seen.append((f"{method} {url}", response.text + json.dumps(dict(response.headers))))


async def _every_get(app, world, ids, seen, owner_editor, pasted_id) -> None:
    """Every GET operation of the API, with every id we have, as every kind of visitor."""
    paths = app.openapi()["paths"]
    visitors = {
        "owner": world.owner.cookies,
        "other": world.other.cookies,
        "anonymous": {},
    }
    for template, operations in paths.items():
        if "get" not in operations:
            continue
        for url in _fill(template, ids):
            for name, cookies in visitors.items():
                async with client_for(app, cookies) as client:
                    response = await client.get(url)
                text = response.text + json.dumps(dict(response.headers))
                editor = name == "owner" and f"/workflows/{pasted_id}" in url
                if editor:
                    owner_editor.append(text)
                else:
                    seen.append((f"{name} GET {url}", text))


def _fill(template: str, ids: dict[str, list[str]]) -> list[str]:
    urls = [template]
    for name in re.findall(r"{(\w+)}", template):
        urls = [url.replace(f"{{{name}}}", value) for url in urls for value in ids.get(name, ["x"])]
    return urls


async def _socket_text(
    ws_base: str, run_id: str, world, token: str | None = None, visitor: str | None = None
) -> str:
    path = f"/shared/{token}/runs/{run_id}/events" if token else f"/runs/{run_id}/events"
    cookie = f"nodeloom_session={world.owner.session}"
    headers = {
        "Cookie": cookie if visitor is None else f"{cookie}; nodeloom_visitor={visitor}",
        "Origin": origin_of(ws_base.replace("ws://", "http://", 1)),
    }
    messages = []
    async with websockets.connect(f"{ws_base}{API}{path}", additional_headers=headers) as socket:
        try:
            async for message in socket:
                messages.append(message)
        except websockets.ConnectionClosed:
            pass
    assert messages, f"no events on {path}"
    return "\n".join(messages)
