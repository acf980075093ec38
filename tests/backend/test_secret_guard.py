"""A document whose params hold a key is refused on every path that stores one, with a
problem naming the node, the param and the kind and offering to store it as a
credential; the value is never repeated and nothing is stored."""

from __future__ import annotations

import logging

import httpx
import pytest
from api_support import API, assert_problem, create, document, fetch, node, save
from fastapi import FastAPI
from legacy_rows import store_legacy_workflow

KEY = "sk-proj-Ab3d_Ef6h-Ij9kLm2nOp5qRs8tUv1wXy4z"
TEMPLATE = f"Use {KEY} for {{question}}"


def _leaky(name: str = "Leaky") -> dict:
    prompt = node("p", "prompt.template", template=TEMPLATE)
    prompt["label"] = "Risky prompt"
    return document(name, [node("q", "io.input", name="question"), prompt])


def _clean(name: str = "Leaky") -> dict:
    return document(name, [node("q", "io.input", name="question")])


EXPECTED_ERROR = {
    "code": "secret_in_params",
    "message": "Node 'Risky prompt' (Prompt template) holds what looks like an OpenAI API key "
    "in template.",
    "pointer": "/nodes/1/params/template",
    "node_id": "p",
    "node_title": "Risky prompt",
    "param": "/template",
    "kind": "openai_key",
    "provider": "openai",
    "start": 4,
    "end": 4 + len(KEY),
    "action": "store_as_credential",
}


async def _versions(client: httpx.AsyncClient, workflow_id: str) -> int:
    response = await client.get(f"{API}/workflows/{workflow_id}/versions")
    return response.json()["total"]


async def test_a_save_holding_a_key_is_refused_and_stores_nothing(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
):
    workflow = await create(client, "Leaky")
    caplog.set_level(logging.DEBUG)

    response = await save(client, workflow["id"], _leaky(), 1)

    body = assert_problem(response, 422, "secret_in_params")
    assert body["errors"] == [EXPECTED_ERROR]
    assert "'Risky prompt'" in body["detail"] and "credential" in body["detail"]
    assert TEMPLATE[EXPECTED_ERROR["start"] : EXPECTED_ERROR["end"]] == KEY
    assert KEY not in response.text and KEY not in caplog.text
    assert (await fetch(client, workflow["id"]))["version"] == 1
    assert await _versions(client, workflow["id"]) == 1


async def test_the_same_workflow_with_a_credential_reference_saves(client: httpx.AsyncClient):
    workflow = await create(client, "Clean")
    llm = node("llm", "model.chat", provider="openai", credential={"$credential": "openai"})

    response = await save(client, workflow["id"], document("Clean", [llm]), 1)

    assert response.status_code == 200, response.text


async def test_an_import_holding_a_key_is_refused_and_stores_nothing(client: httpx.AsyncClient):
    response = await client.post(f"{API}/workflows/import", json=_leaky())

    body = assert_problem(response, 422, "secret_in_params")
    assert body["errors"] == [EXPECTED_ERROR]
    assert (await client.get(f"{API}/workflows")).json()["total"] == 0


async def test_restoring_a_version_that_holds_a_key_is_refused(
    client: httpx.AsyncClient, app: FastAPI
):
    workflow_id = await store_legacy_workflow(app.state.sessions, [_leaky(), _clean()])

    response = await client.post(
        f"{API}/workflows/{workflow_id}/versions/1/restore", headers={"If-Match": "2"}
    )

    body = assert_problem(response, 422, "secret_in_params")
    assert body["errors"] == [EXPECTED_ERROR]
    assert KEY not in response.text
    assert (await fetch(client, workflow_id))["version"] == 2


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "duplicate", None),
        ("PATCH", "", {"name": "Renamed"}),
    ],
)
async def test_copying_or_renaming_a_workflow_that_still_holds_a_key_is_refused(
    client: httpx.AsyncClient, app: FastAPI, method: str, path: str, body: dict | None
):
    workflow_id = await store_legacy_workflow(app.state.sessions, [_leaky()])

    url = f"{API}/workflows/{workflow_id}" + (f"/{path}" if path else "")
    response = await client.request(method, url, json=body)

    assert assert_problem(response, 422, "secret_in_params")["errors"] == [EXPECTED_ERROR]
    assert (await client.get(f"{API}/workflows")).json()["total"] == 1
    assert await _versions(client, workflow_id) == 1


async def test_every_secret_of_a_document_is_listed_with_its_own_place(
    client: httpx.AsyncClient,
):
    workflow = await create(client, "Two")
    anthropic = "sk-ant-api03-Zy9xWv8uTs7rQp6oNm5lKj4iHg3fEd2c"
    nodes = [
        node("a", "model.chat", provider="anthropic", system_prompt=f"key {anthropic}"),
        node("b", "vector.upsert", store="pgvector", connection="postgresql://u:pw-2x9@db/app"),
    ]

    response = await save(client, workflow["id"], document("Two", nodes), 1)

    errors = assert_problem(response, 422, "secret_in_params")["errors"]
    assert [
        (e["node_id"], e["node_title"], e["param"], e["kind"], e.get("provider")) for e in errors
    ] == [
        ("a", "Chat model", "/system_prompt", "anthropic_key", "anthropic"),
        ("b", "Vector upsert", "/connection", "url_password", "postgres"),
    ]
    assert anthropic not in response.text and "pw-2x9" not in response.text
