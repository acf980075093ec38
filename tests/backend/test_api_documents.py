"""Bad workflow documents on save and import: every problem located, nothing stored."""

from __future__ import annotations

import json

import httpx
import pytest
from api_support import API, assert_problem, create, document, edge, fetch, node, save

JSON = {"content-type": "application/json"}


@pytest.fixture
async def workflow(client: httpx.AsyncClient) -> dict:
    created = await create(client, "Stored")
    response = await save(client, created["id"], document("Stored", [node("a")]), 1)
    return response.json()


async def _refused_put(
    client: httpx.AsyncClient, workflow: dict, status: int, code: str, **request: object
) -> dict:
    headers = {**JSON, "If-Match": str(workflow["version"]), **request.pop("headers", {})}
    response = await client.put(f"{API}/workflows/{workflow['id']}", headers=headers, **request)
    body = assert_problem(response, status, code)
    assert await fetch(client, workflow["id"]) == workflow  # nothing changed
    history = (await client.get(f"{API}/workflows/{workflow['id']}/versions")).json()
    assert history["total"] == workflow["version"]
    return body


@pytest.mark.parametrize(
    ("raw", "line", "column"),
    [(b'{"name": "x",}', 1, 14), (b'{\n  "name": "x"\n  "nodes": []\n}', 3, 3), (b"[1, 2", 1, 6)],
)
async def test_malformed_json_is_400_with_its_location(
    client: httpx.AsyncClient, workflow: dict, raw: bytes, line: int, column: int
):
    body = await _refused_put(client, workflow, 400, "malformed_json", content=raw)

    assert (body["line"], body["column"]) == (line, column)
    assert f"line {line}, column {column}" in body["detail"]
    assert body["errors"] == [{"code": "malformed_json", "message": body["detail"], "pointer": ""}]


@pytest.mark.parametrize("raw", [b"", b"   ", b"\xff\xfe{}"])  # NaN: auth/test_document_numbers
async def test_unreadable_bodies_are_400(client: httpx.AsyncClient, workflow: dict, raw: bytes):
    await _refused_put(client, workflow, 400, "malformed_json", content=raw)


async def test_a_utf8_byte_order_mark_is_tolerated(client: httpx.AsyncClient, workflow: dict):
    raw = b"\xef\xbb\xbf" + json.dumps(document("With BOM")).encode()

    response = await client.put(
        f"{API}/workflows/{workflow['id']}", content=raw, headers={**JSON, "If-Match": "2"}
    )

    assert response.status_code == 200 and response.json()["name"] == "With BOM"


async def test_every_problem_is_reported_at_once(client: httpx.AsyncClient, workflow: dict):
    nodes = [
        node("a"),
        {"id": 5, "type": "data.text", "position": {"x": 0, "y": 0}},
        {"id": "c", "type": "data.text", "position": {"x": "left", "y": 0}},
        {"id": "d", "position": {"x": 0, "y": 0}},
        node("a"),
    ]
    doc = document("", nodes, [edge("e1", "a", "ghost"), edge("e1", "nowhere", "a")], extra=1)

    body = await _refused_put(client, workflow, 422, "invalid_document", json=doc)

    found = {(item["pointer"], item["code"]) for item in body["errors"]}
    assert found >= {
        ("/name", "empty"),
        ("/extra", "unknown_field"),
        ("/nodes/1/id", "id_not_a_string"),
        ("/nodes/2/position/x", "not_a_number"),
        ("/nodes/3/type", "missing_field"),
        ("/nodes/4/id", "duplicate_node_id"),
        ("/edges/0/target", "unknown_target_node"),
        ("/edges/1/id", "duplicate_edge_id"),
        ("/edges/1/source", "unknown_source_node"),
    }
    assert all(item["message"] for item in body["errors"])


@pytest.mark.parametrize(
    ("body", "pointer", "code"),
    [
        ([], "", "not_an_object"),
        ("just text", "", "not_an_object"),
        ({"nodes": []}, "/name", "missing_field"),
        (document(nodes="many"), "/nodes", "not_a_list"),
        (document(viewport={"x": 0, "y": 0, "zoom": 0}), "/viewport/zoom", "out_of_range"),
        (document("x" * 201), "/name", "too_long"),
    ],
)
async def test_wrong_types_and_missing_fields_are_pointed_at(
    client: httpx.AsyncClient, workflow: dict, body: object, pointer: str, code: str
):
    problem = await _refused_put(client, workflow, 422, "invalid_document", json=body)

    assert (pointer, code) in {(item["pointer"], item["code"]) for item in problem["errors"]}


async def test_5001_nodes_are_refused(client: httpx.AsyncClient, workflow: dict):
    doc = document("Huge", [node(f"n{index}") for index in range(5001)])

    body = await _refused_put(client, workflow, 422, "invalid_document", json=doc)

    assert [(item["pointer"], item["code"]) for item in body["errors"]] == [
        ("/nodes", "too_many_nodes")
    ]


async def test_5000_nodes_are_accepted(client: httpx.AsyncClient, workflow: dict):
    doc = document("Big", [node(f"n{index}", x=index) for index in range(5000)])

    response = await save(client, workflow["id"], doc, workflow["version"])

    assert response.status_code == 200, response.text[:500]
    assert response.json()["node_count"] == 5000
    assert (await fetch(client, workflow["id"]))["document"]["nodes"][4999]["id"] == "n4999"


@pytest.mark.parametrize(
    ("params", "pointer", "code"),
    [
        ({"text": "nul \x00 byte"}, "/nodes/1/params/text", "nul_character"),
        ({"bad\x00key": 1}, "/nodes/1/params/bad\x00key", "nul_character"),
        ({"text": "lone \ud800 surrogate"}, "/nodes/1/params/text", "invalid_unicode"),
    ],
)
async def test_text_no_database_can_store_is_refused(
    client: httpx.AsyncClient, workflow: dict, params: dict, pointer: str, code: str
):
    doc = document("Text", [node("a"), node("b", **params)])
    raw = json.dumps(doc).encode()  # ASCII escapes: \u0000 and \ud800 survive the trip

    body = await _refused_put(client, workflow, 422, "invalid_document", content=raw)

    assert [(item["pointer"], item["code"]) for item in body["errors"]] == [(pointer, code)]


async def test_absurd_nesting_is_refused(client: httpx.AsyncClient, workflow: dict):
    deep: object = "bottom"
    for _ in range(70):
        deep = {"d": deep}
    too_deep_to_parse = b'{"name": "x", "nodes": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"

    nested = await _refused_put(
        client, workflow, 422, "invalid_document", json=document("D", [node("a", deep=deep)])
    )
    await _refused_put(client, workflow, 400, "malformed_json", content=too_deep_to_parse)

    assert nested["errors"][0]["code"] == "too_deep"
    assert nested["errors"][0]["pointer"].startswith("/nodes/0/params/deep/d/d/")


async def test_import_reports_problems_the_same_way(client: httpx.AsyncClient):
    doc = document("Dup", [node("a"), node("a")])

    response = await client.post(f"{API}/workflows/import", json=doc)
    malformed = await client.post(f"{API}/workflows/import", content=b"{", headers=JSON)

    body = assert_problem(response, 422, "invalid_document")
    assert body["errors"][0] == {
        "code": "duplicate_node_id",
        "message": "Node id 'a' is used more than once.",
        "pointer": "/nodes/1/id",
    }
    assert_problem(malformed, 400, "malformed_json")
    assert (await client.get(f"{API}/workflows")).json()["total"] == 0


async def test_missing_if_match_is_reported_before_the_body_is_read(
    client: httpx.AsyncClient, workflow: dict
):
    response = await client.put(f"{API}/workflows/{workflow['id']}", content=b"{", headers=JSON)

    assert_problem(response, 428, "precondition_required")
