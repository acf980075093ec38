"""Export and import of workflow documents."""

from __future__ import annotations

from urllib.parse import unquote

import httpx
from api_support import API, assert_problem, create, document, edge, fetch, node, save

from graph_engine.document import WorkflowDocument, export_bytes


def _rich_document(name: str) -> dict:
    nodes = [
        node("q", "io.input", 0, name="question"),
        node(
            "llm",
            "model.chat",
            400.5,
            provider="openai",
            model="gpt-4o-mini",
            credential={"$credential": "openai"},
            temperature=0.2,
            stop=["\n", "🛑"],
        ),
    ]
    nodes[1]["label"] = "Answer ✍️"
    return document(
        name,
        nodes,
        [edge("e1", "q", "llm")],
        description="RAG over the help centre",
        viewport={"x": -12.5, "y": 3, "zoom": 0.75},
        credentials=[{"name": "openai", "provider": "openai"}],
    )


async def test_export_is_the_canonical_document_as_an_attachment(client: httpx.AsyncClient):
    workflow = await create(client, "Support answers")
    saved = (await save(client, workflow["id"], _rich_document("Support answers"), 1)).json()

    response = await client.get(f"{API}/workflows/{workflow['id']}/export")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-disposition"] == (
        'attachment; filename="support-answers.nodeloom.json"'
    )
    assert response.content == export_bytes(WorkflowDocument.model_validate(saved["document"]))


async def test_export_names_unicode_files_with_filename_star(client: httpx.AsyncClient):
    workflow = await create(client, 'Résumé 🚀 "bot"/v2')

    response = await client.get(f"{API}/workflows/{workflow['id']}/export")

    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="resume-bot-v2.nodeloom.json"; ')
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == "résumé-🚀-bot-v2.nodeloom.json"


async def test_export_of_a_name_without_letters_falls_back(client: httpx.AsyncClient):
    workflow = await create(client, "🚀🚀")

    response = await client.get(f"{API}/workflows/{workflow['id']}/export")

    assert 'filename="workflow.nodeloom.json"' in response.headers["content-disposition"]


async def test_export_import_export_is_byte_identical(client: httpx.AsyncClient):
    workflow = await create(client, "Round trip ♻️")
    await save(client, workflow["id"], _rich_document("Round trip ♻️"), 1)
    first = (await client.get(f"{API}/workflows/{workflow['id']}/export")).content

    imported = await client.post(
        f"{API}/workflows/import", content=first, headers={"content-type": "application/json"}
    )
    assert imported.status_code == 201, imported.text
    second = (await client.get(f"{API}/workflows/{imported.json()['id']}/export")).content

    assert second == first


async def test_import_creates_a_new_workflow_named_by_the_document(client: httpx.AsyncClient):
    doc = _rich_document("Imported ✓")

    response = await client.post(f"{API}/workflows/import", json=doc)

    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"{API}/workflows/{body['id']}"
    assert response.headers["etag"] == '"1"'
    assert (body["name"], body["description"], body["version"], body["node_count"]) == (
        "Imported ✓",
        "RAG over the help centre",
        1,
        2,
    )
    assert body["document"]["nodes"][1]["params"]["credential"] == {"$credential": "openai"}
    assert await fetch(client, body["id"]) == body
    history = (await client.get(f"{API}/workflows/{body['id']}/versions")).json()
    assert [item["message"] for item in history["items"]] == ["Imported"]


async def test_import_fills_defaults_for_optional_members(client: httpx.AsyncClient):
    response = await client.post(f"{API}/workflows/import", json={"name": "Minimal"})

    assert response.status_code == 201
    assert response.json()["document"] == {
        "format": "nodeloom.workflow",
        "version": 1,
        "name": "Minimal",
        "description": "",
        "nodes": [],
        "edges": [],
        "viewport": {"x": 0.0, "y": 0.0, "zoom": 1.0},
        "credentials": [],
    }


async def test_import_refuses_other_formats_and_versions(client: httpx.AsyncClient):
    response = await client.post(
        f"{API}/workflows/import", json=document("X", format="other", version=2)
    )

    body = assert_problem(response, 422, "invalid_document")
    assert {(item["pointer"], item["code"]) for item in body["errors"]} == {
        ("/format", "unsupported_format"),
        ("/version", "unsupported_version"),
    }
    assert (await client.get(f"{API}/workflows")).json()["total"] == 0


async def test_export_of_missing_workflow_is_404(client: httpx.AsyncClient):
    response = await client.get(f"{API}/workflows/{'c' * 32}/export")

    assert_problem(response, 404, "workflow_not_found")
