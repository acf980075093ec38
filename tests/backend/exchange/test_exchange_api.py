"""Export refuses secrets and lists credentials; the import preview converts and stores nothing."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from api_support import API, assert_problem, create, document, node, save
from fastapi import FastAPI
from legacy_rows import store_legacy_workflow

from graph_engine.document import WorkflowDocument, export_bytes

CANARY = "sk-proj-CanaryCanaryCanary0123456789xyz"
PREVIEW = f"{API}/workflows/import/preview"


def _with_key_in_prompt() -> dict:
    prompt = node("p", "prompt.template", template=f"Use key {CANARY} for {{question}}")
    prompt["label"] = "Risky prompt"
    return document("Leaky", [node("q", "io.input", name="question"), prompt])


async def _count(client: httpx.AsyncClient) -> int:
    return (await client.get(f"{API}/workflows")).json()["total"]


async def test_export_refuses_a_key_in_prompt_text_naming_the_node(
    client: httpx.AsyncClient, app: FastAPI, caplog: pytest.LogCaptureFixture
):
    # No save stores a key any more; a workflow an earlier release stored may hold one.
    workflow_id = await store_legacy_workflow(app.state.sessions, [_with_key_in_prompt()])
    caplog.set_level(logging.DEBUG)  # everything logged while refusing

    response = await client.get(f"{API}/workflows/{workflow_id}/export")

    body = assert_problem(response, 422, "secrets_in_document")
    assert body["errors"] == [
        {
            "code": "secret_in_params",
            "pointer": "/nodes/1/params/template",
            "node_id": "p",
            "message": "Node 'Risky prompt' (Prompt template) holds what looks like an OpenAI "
            "API key in template.",
        }
    ]
    assert "'Risky prompt'" in body["detail"]
    assert "content-disposition" not in response.headers
    assert CANARY not in response.text
    assert CANARY not in caplog.text


async def test_export_refuses_a_url_with_a_password(client: httpx.AsyncClient, app: FastAPI):
    upsert = node("s", "vector.upsert", store="pgvector", collection="docs")
    upsert["params"]["connection"] = "postgresql://app:hunter2pw@db.internal/app"
    workflow_id = await store_legacy_workflow(app.state.sessions, [document("Store", [upsert])])

    response = await client.get(f"{API}/workflows/{workflow_id}/export")

    body = assert_problem(response, 422, "secrets_in_document")
    assert [item["pointer"] for item in body["errors"]] == ["/nodes/0/params/connection"]
    assert "hunter2pw" not in response.text


async def test_export_lists_the_credentials_the_nodes_refer_to(client: httpx.AsyncClient):
    workflow = await create(client, "Creds")
    llm = node("llm", "model.chat", provider="anthropic", credential={"$credential": "claude"})
    stale = document("Creds", [llm], credentials=[{"name": "gone", "provider": "openai"}])
    await save(client, workflow["id"], stale, 1)

    response = await client.get(f"{API}/workflows/{workflow['id']}/export")

    assert response.status_code == 200, response.text
    assert json.loads(response.content)["credentials"] == [
        {"name": "claude", "provider": "anthropic"}
    ]


async def test_import_refuses_a_document_holding_a_secret_and_stores_nothing(
    client: httpx.AsyncClient,
):
    response = await client.post(f"{API}/workflows/import", json=_with_key_in_prompt())

    body = assert_problem(response, 422, "secret_in_params")
    assert body["errors"][0]["node_id"] == "p"
    assert CANARY not in response.text
    assert await _count(client) == 0


async def test_import_recomputes_the_credentials_list(client: httpx.AsyncClient):
    llm = node("llm", "model.chat", provider="openai", credential={"$credential": "mine"})
    forged = document("Forged", [llm], credentials=[{"name": "x", "provider": "y"}])

    response = await client.post(f"{API}/workflows/import", json=forged)

    assert response.status_code == 201, response.text
    assert response.json()["document"]["credentials"] == [{"name": "mine", "provider": "openai"}]


async def test_preview_of_a_langflow_file_converts_and_stores_nothing(
    client: httpx.AsyncClient, load_fixture
):
    response = await client.post(
        PREVIEW, json={"source": load_fixture("langflow_basic_prompting.json")}
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["source_format"] == "langflow"
    assert len(body["document"]["nodes"]) == 6
    assert body["credentials_needed"] == [
        {"name": "openai", "provider": "openai", "mapped_to": None}
    ]
    assert [(p["code"], p["node_id"]) for p in body["problems"] if p["severity"] == "error"] == [
        ("missing_required_input", "Prompt-Lw8re")
    ]
    assert any("became a sticky note" in note for note in body["notes"])
    assert "EVIL-MARKER" not in response.text and "FAKE" not in response.text
    assert await _count(client) == 0


async def test_the_previewed_document_imports_with_the_credential_mapped(
    client: httpx.AsyncClient, load_fixture
):
    source = load_fixture("langflow_vector_rag.json")
    preview = await client.post(
        PREVIEW, json={"source": source, "credential_map": {"anthropic": "team-claude"}}
    )
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["credentials_needed"] == [
        {"name": "openai", "provider": "openai", "mapped_to": None},
        {"name": "anthropic", "provider": "anthropic", "mapped_to": "team-claude"},
    ]
    model = next(n for n in body["document"]["nodes"] if n["type"] == "model.chat")
    assert model["params"]["credential"] == {"$credential": "team-claude"}

    imported = await client.post(f"{API}/workflows/import", json=body["document"])

    assert imported.status_code == 201, imported.text
    exported = await client.get(f"{API}/workflows/{imported.json()['id']}/export")
    assert exported.status_code == 200, exported.text
    assert json.loads(exported.content)["credentials"] == [
        {"name": "openai", "provider": "openai"},
        {"name": "team-claude", "provider": "anthropic"},
    ]


async def test_preview_of_a_nodeloom_export_gives_the_same_document_back(
    client: httpx.AsyncClient,
):
    llm = node("llm", "model.chat", provider="openai", credential={"$credential": "openai"})
    source = document("Mine", [llm], credentials=[{"name": "openai", "provider": "openai"}])
    expected = export_bytes(WorkflowDocument.model_validate(source))

    response = await client.post(PREVIEW, json={"source": source})

    body = response.json()
    assert body["source_format"] == "nodeloom"
    assert export_bytes(WorkflowDocument.model_validate(body["document"])) == expected
    assert body["notes"] == []


async def test_preview_replaces_a_key_in_a_key_param_with_a_reference(client: httpx.AsyncClient):
    llm = node("llm", "model.chat", provider="openai", credential=CANARY)

    response = await client.post(PREVIEW, json={"source": document("Typed key", [llm])})

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["document"]["nodes"][0]["params"]["credential"] == {"$credential": "openai"}
    assert body["notes"] == [
        "Node 'llm': an OpenAI API key in credential was not imported; it now refers to the "
        "credential 'openai'."
    ]
    assert CANARY not in response.text


async def test_preview_refuses_a_key_it_cannot_cut_out(client: httpx.AsyncClient):
    response = await client.post(PREVIEW, json={"source": _with_key_in_prompt()})

    body = assert_problem(response, 422, "secrets_in_document")
    assert body["errors"][0]["pointer"] == "/nodes/1/params/template"
    assert CANARY not in response.text


@pytest.mark.parametrize(
    ("payload", "status", "code", "pointer"),
    [
        ({"source": {"what": "ever"}}, 422, "unknown_import_format", "/source"),
        ({"source": [1, 2, 3]}, 422, "unknown_import_format", "/source"),
        ({}, 422, "invalid_input", "/source"),
        ({"source": {"name": "x"}, "extra": 1}, 422, "invalid_input", "/extra"),
        (
            {"source": {"name": "x"}, "credential_map": {"openai": "bad name!"}},
            422,
            "invalid_input",
            "/credential_map/openai",
        ),
        (
            {"source": {"format": "nodeloom.workflow", "version": 2, "name": "x"}},
            422,
            "invalid_document",
            "/version",
        ),
        (
            {"source": {"name": "x", "nodes": [{"id": "a", "type": "t", "params": {"k": "\x00"}}]}},
            422,
            "invalid_document",
            "/nodes/0/params/k",
        ),
    ],
)
async def test_bad_previews_get_clear_problems(
    client: httpx.AsyncClient, payload: dict, status: int, code: str, pointer: str
):
    response = await client.post(PREVIEW, json=payload)

    body = assert_problem(response, status, code)
    assert pointer in [item.get("pointer") for item in body["errors"]]
    assert await _count(client) == 0


async def test_malformed_and_oversized_previews_are_refused(client: httpx.AsyncClient):
    malformed = await client.post(
        PREVIEW, content=b'{"source": {"nodes": [', headers={"content-type": "application/json"}
    )
    assert_problem(malformed, 400, "malformed_json")

    huge = json.dumps({"source": {"name": "x", "description": "a" * (11 * 1024 * 1024)}})
    oversized = await client.post(
        PREVIEW, content=huge, headers={"content-type": "application/json"}
    )
    assert_problem(oversized, 413, "payload_too_large")
    assert await _count(client) == 0
