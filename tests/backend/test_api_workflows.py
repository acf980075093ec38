"""The workflow resource, on SQLite and PostgreSQL (see ``database_url``)."""

from __future__ import annotations

import asyncio
from datetime import datetime

import httpx
from api_support import API, assert_problem, create, document, edge, fetch, node, save


async def test_create_returns_the_workflow_with_location_and_etag(client: httpx.AsyncClient):
    response = await client.post(f"{API}/workflows", json={"name": "Support", "description": "RAG"})

    assert response.status_code == 201
    body = response.json()
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == f"{API}/workflows/{body['id']}"
    assert len(body["id"]) == 32 and int(body["id"], 16) >= 0
    assert (body["name"], body["description"], body["version"], body["node_count"]) == (
        "Support",
        "RAG",
        1,
        0,
    )
    assert body["document"] == document("Support", description="RAG") | {
        "viewport": {"x": 0.0, "y": 0.0, "zoom": 1.0},
        "credentials": [],
    }
    created = datetime.fromisoformat(body["created_at"])
    assert created.utcoffset() is not None and created.utcoffset().total_seconds() == 0
    assert body["created_at"] == body["updated_at"]


async def test_get_returns_what_was_created(client: httpx.AsyncClient):
    created = await create(client, "Read me")

    response = await client.get(f"{API}/workflows/{created['id']}")

    assert response.status_code == 200
    assert response.headers["etag"] == '"1"'
    assert response.json() == created


async def test_unknown_and_malformed_ids_are_404(client: httpx.AsyncClient):
    # (GET /workflows/import is the fixed import path's 405: tests/backend/test_http_methods.py)
    for workflow_id in ("0" * 32, "not-an-id", "%00"):
        response = await client.get(f"{API}/workflows/{workflow_id}")
        assert_problem(response, 404, "workflow_not_found")


async def test_save_stores_the_document_and_bumps_the_version(client: httpx.AsyncClient):
    workflow = await create(client)
    doc = document("Renamed by save", [node("a"), node("b")], [edge("e", "a", "b")])
    doc["description"] = "now with nodes"

    response = await save(client, workflow["id"], doc, '"1"', message="first edit")

    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    body = response.json()
    assert (body["version"], body["node_count"]) == (2, 2)
    assert (body["name"], body["description"]) == ("Renamed by save", "now with nodes")
    assert body["document"]["nodes"] == doc["nodes"]
    assert body["updated_at"] > body["created_at"]
    assert await fetch(client, workflow["id"]) == body


async def test_if_match_accepts_plain_quoted_and_weak_versions(client: httpx.AsyncClient):
    workflow = await create(client)
    for version, tag in enumerate(("1", '"2"', 'W/"3"', ' "4" '), start=1):
        response = await save(client, workflow["id"], document(f"v{version + 1}"), tag)
        assert response.status_code == 200, response.text
        assert response.json()["version"] == version + 1


async def test_save_without_if_match_is_428_and_changes_nothing(client: httpx.AsyncClient):
    workflow = await create(client)

    response = await save(client, workflow["id"], document("Lost"), None)

    assert_problem(response, 428, "precondition_required")
    assert await fetch(client, workflow["id"]) == workflow


async def test_unreadable_if_match_is_400_naming_the_header(client: httpx.AsyncClient):
    workflow = await create(client)
    for tag in ("abc", '"1', "*", '"1", "2"', "-1"):
        response = await save(client, workflow["id"], document(), tag)
        body = assert_problem(response, 400, "invalid_header")
        assert body["errors"][0]["parameter"] == "If-Match"
        assert body["errors"][0]["in"] == "header"


async def test_stale_save_is_409_with_current_version(client: httpx.AsyncClient):
    workflow = await create(client)
    first = await save(client, workflow["id"], document("Winner"), 1)
    assert first.status_code == 200

    stale = await save(client, workflow["id"], document("Loser"), 1)
    huge = await save(client, workflow["id"], document("Loser"), 10**15)

    for response in (stale, huge):
        body = assert_problem(response, 409, "version_conflict")
        assert body["current_version"] == 2
    assert (await fetch(client, workflow["id"]))["name"] == "Winner"


async def test_save_to_missing_workflow_is_404(client: httpx.AsyncClient):
    response = await save(client, "f" * 32, document(), 1)

    assert_problem(response, 404, "workflow_not_found")


async def test_50_concurrent_saves_from_one_version_accept_exactly_one(
    client: httpx.AsyncClient,
):
    workflow = await create(client)
    docs = [document(f"Writer {index}", [node(f"n{index}")]) for index in range(50)]

    responses = await asyncio.gather(*(save(client, workflow["id"], doc, 1) for doc in docs))

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] + [409] * 49
    winner = next(response.json() for response in responses if response.status_code == 200)
    assert all(
        response.json()["current_version"] == 2
        for response in responses
        if response.status_code == 409
    )
    current = await fetch(client, workflow["id"])
    assert current["version"] == 2 and current["document"] == winner["document"]
    history = (await client.get(f"{API}/workflows/{workflow['id']}/versions")).json()
    assert [item["version"] for item in history["items"]] == [2, 1]
    assert history["items"][0]["name"] == winner["name"]


async def test_concurrent_saves_in_sequence_keep_every_accepted_save(client: httpx.AsyncClient):
    workflow = await create(client)

    async def writer(index: int) -> list[int]:
        accepted = []
        for _ in range(3):
            current = await fetch(client, workflow["id"])
            response = await save(client, workflow["id"], document(f"w{index}"), current["version"])
            if response.status_code == 200:
                accepted.append(response.json()["version"])
            else:
                assert_problem(response, 409, "version_conflict")
        return accepted

    results = await asyncio.gather(*(writer(index) for index in range(8)))

    accepted = sorted(version for versions in results for version in versions)
    assert accepted == list(range(2, 2 + len(accepted)))  # no version accepted twice
    history = (await client.get(f"{API}/workflows/{workflow['id']}/versions?limit=200")).json()
    assert history["total"] == 1 + len(accepted)
    assert (await fetch(client, workflow["id"]))["version"] == 1 + len(accepted)


async def test_create_refuses_bad_bodies_with_pointers(client: httpx.AsyncClient):
    cases = [
        ({}, "/name", "missing_field"),
        ({"name": ""}, "/name", "empty"),
        ({"name": "x" * 201}, "/name", "too_long"),
        ({"name": 7}, "/name", "not_a_string"),
        ({"name": "ok", "colour": "red"}, "/colour", "unknown_field"),
        ({"name": "nul\x00"}, "/name", "invalid_name"),
        ({"name": " padded"}, "/name", "invalid_name"),
        ({"name": "two\nlines"}, "/name", "invalid_name"),
        ({"name": "spoof\u202eexe.txt"}, "/name", "invalid_name"),
    ]
    for body, pointer, code in cases:
        problem = assert_problem(
            await client.post(f"{API}/workflows", json=body), 422, "invalid_input"
        )
        assert [(item["pointer"], item["code"]) for item in problem["errors"]] == [(pointer, code)]
    assert (await client.get(f"{API}/workflows")).json()["total"] == 0


async def test_create_refuses_malformed_json_with_400(client: httpx.AsyncClient):
    response = await client.post(
        f"{API}/workflows", content=b'{"name": ', headers={"content-type": "application/json"}
    )

    body = assert_problem(response, 400, "malformed_json")
    assert body["errors"][0]["pointer"] == ""


async def test_rename_changes_name_and_document_as_a_new_version(client: httpx.AsyncClient):
    workflow = await create(client, "Old", description="kept")

    response = await client.patch(f"{API}/workflows/{workflow['id']}", json={"name": "New ✨"})

    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    body = response.json()
    assert (body["name"], body["description"], body["version"]) == ("New ✨", "kept", 2)
    assert (body["document"]["name"], body["document"]["description"]) == ("New ✨", "kept")
    latest = (await client.get(f"{API}/workflows/{workflow['id']}/versions")).json()["items"][0]
    assert (latest["version"], latest["message"], latest["name"]) == (2, "Renamed", "New ✨")


async def test_rename_description_only(client: httpx.AsyncClient):
    workflow = await create(client, "Same")

    response = await client.patch(
        f"{API}/workflows/{workflow['id']}", json={"description": "described"}
    )

    assert (response.json()["name"], response.json()["description"]) == ("Same", "described")


async def test_rename_with_stale_if_match_is_409(client: httpx.AsyncClient):
    workflow = await create(client, "Old")
    await save(client, workflow["id"], document("Saved"), 1)

    stale = await client.patch(
        f"{API}/workflows/{workflow['id']}", json={"name": "New"}, headers={"If-Match": '"1"'}
    )
    fresh = await client.patch(
        f"{API}/workflows/{workflow['id']}", json={"name": "New"}, headers={"If-Match": '"2"'}
    )

    assert assert_problem(stale, 409, "version_conflict")["current_version"] == 2
    assert fresh.status_code == 200 and fresh.json()["version"] == 3


async def test_rename_refuses_empty_and_bad_changes(client: httpx.AsyncClient):
    workflow = await create(client, "Old")
    for body in ({}, {"name": ""}, {"name": None, "description": None}, {"title": "x"}):
        response = await client.patch(f"{API}/workflows/{workflow['id']}", json=body)
        assert_problem(response, 422, "invalid_input")
    assert (await fetch(client, workflow["id"])) == workflow


async def test_concurrent_renames_without_if_match_all_land(client: httpx.AsyncClient):
    workflow = await create(client, "Old")

    responses = await asyncio.gather(
        *(
            client.patch(f"{API}/workflows/{workflow['id']}", json={"name": f"n{index}"})
            for index in range(4)
        )
    )

    assert sorted(response.json()["version"] for response in responses) == [2, 3, 4, 5]


async def test_duplicate_copies_the_document_under_a_new_id(client: httpx.AsyncClient):
    workflow = await create(client, "Original")
    saved = (await save(client, workflow["id"], document("Original", [node("a")]), 1)).json()

    default = await client.post(f"{API}/workflows/{workflow['id']}/duplicate")
    named = await client.post(f"{API}/workflows/{workflow['id']}/duplicate", json={"name": "Mine"})

    assert default.status_code == 201 and named.status_code == 201
    assert default.headers["etag"] == '"1"'
    copy = default.json()
    assert copy["id"] != workflow["id"] and default.headers["location"].endswith(copy["id"])
    assert (copy["name"], copy["version"]) == ("Original (copy)", 1)
    assert copy["document"] == {**saved["document"], "name": "Original (copy)"}
    assert named.json()["name"] == "Mine"
    assert (await fetch(client, workflow["id"])) == saved


async def test_duplicate_of_a_long_name_stays_within_the_limit(client: httpx.AsyncClient):
    workflow = await create(client, "x" * 200)

    copy = (await client.post(f"{API}/workflows/{workflow['id']}/duplicate")).json()

    assert len(copy["name"]) == 200 and copy["name"].endswith(" (copy)")


async def test_duplicate_of_missing_workflow_is_404(client: httpx.AsyncClient):
    response = await client.post(f"{API}/workflows/{'a' * 32}/duplicate")

    assert_problem(response, 404, "workflow_not_found")


async def test_delete_removes_the_workflow_and_its_history(client: httpx.AsyncClient):
    workflow = await create(client)
    await save(client, workflow["id"], document(), 1)
    other = await create(client, "Other")

    response = await client.delete(f"{API}/workflows/{workflow['id']}")

    assert response.status_code == 204 and response.content == b""
    assert_problem(await client.get(f"{API}/workflows/{workflow['id']}"), 404, "workflow_not_found")
    versions = await client.get(f"{API}/workflows/{workflow['id']}/versions")
    assert_problem(versions, 404, "workflow_not_found")
    again = await client.delete(f"{API}/workflows/{workflow['id']}")
    assert_problem(again, 404, "workflow_not_found")
    assert [item["id"] for item in (await client.get(f"{API}/workflows")).json()["items"]] == [
        other["id"]
    ]


async def test_unicode_everywhere_round_trips(client: httpx.AsyncClient):
    name = "Ünïcödé 🚀 工作流 — עברית"
    nodes = [
        node(
            "节点-1 🧠", "prompt.template", template="Héllo {名前} 👋", nested={"ключ": ["ü", "🙂"]}
        ),
        node("n\\2/~", "data.text", text='tab\tnewline\n"quote"'),
    ]
    doc = document(name, nodes, [edge("→ edge", "节点-1 🧠", "n\\2/~")])
    workflow = await create(client, name)

    saved = await save(client, workflow["id"], doc, 1)

    assert saved.status_code == 200, saved.text
    current = await fetch(client, workflow["id"])
    assert current["name"] == name
    assert current["document"]["nodes"] == nodes
    assert current["document"]["edges"][0]["id"] == "→ edge"
    listed = (await client.get(f"{API}/workflows", params={"q": "工作流"})).json()
    assert [item["id"] for item in listed["items"]] == [workflow["id"]]


async def test_search_ignores_case_and_how_an_accent_was_typed(client: httpx.AsyncClient):
    composed = await create(client, "Caf\u00e9 menu")
    decomposed = await create(client, "Cafe\u0301 bar")
    await create(client, "Cafeteria")

    for query in ("café", "CAFE\u0301", "Café"):
        listed = (
            await client.get(f"{API}/workflows", params={"q": query, "sort": "name_asc"})
        ).json()
        assert [item["id"] for item in listed["items"]] == [decomposed["id"], composed["id"]], query
