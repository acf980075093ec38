"""A workflow's history: list, read, restore."""

from __future__ import annotations

import httpx
from api_support import API, assert_problem, create, document, fetch, node, save


async def _workflow_with_three_versions(client: httpx.AsyncClient) -> dict:
    workflow = await create(client, "History")
    await save(client, workflow["id"], document("History", [node("a")]), 1, message="add a")
    await save(client, workflow["id"], document("History 3", [node("a"), node("b")]), 2)
    return workflow


async def test_versions_are_listed_newest_first(client: httpx.AsyncClient):
    workflow = await _workflow_with_three_versions(client)

    response = await client.get(f"{API}/workflows/{workflow['id']}/versions")

    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["limit"], body["offset"]) == (3, 50, 0)
    assert [
        (item["version"], item["name"], item["message"], item["node_count"], item["author"])
        for item in body["items"]
    ] == [
        (3, "History 3", None, 2, "local"),
        (2, "History", "add a", 1, "local"),
        (1, "History", "Created", 0, "local"),
    ]
    assert "document" not in body["items"][0]


async def test_versions_page(client: httpx.AsyncClient):
    workflow = await _workflow_with_three_versions(client)

    response = await client.get(
        f"{API}/workflows/{workflow['id']}/versions", params={"limit": 1, "offset": 1}
    )

    body = response.json()
    assert ([item["version"] for item in body["items"]], body["total"]) == ([2], 3)


async def test_version_detail_holds_that_versions_document(client: httpx.AsyncClient):
    workflow = await _workflow_with_three_versions(client)

    response = await client.get(f"{API}/workflows/{workflow['id']}/versions/2")

    assert response.status_code == 200
    body = response.json()
    assert (body["version"], body["message"], body["node_count"]) == (2, "add a", 1)
    assert [item["id"] for item in body["document"]["nodes"]] == ["a"]


async def test_missing_versions_and_workflows_are_404(client: httpx.AsyncClient):
    workflow = await _workflow_with_three_versions(client)

    missing_version = await client.get(f"{API}/workflows/{workflow['id']}/versions/4")
    missing_workflow = await client.get(f"{API}/workflows/{'b' * 32}/versions/1")
    missing_history = await client.get(f"{API}/workflows/{'b' * 32}/versions")

    assert_problem(missing_version, 404, "version_not_found")
    assert_problem(missing_workflow, 404, "workflow_not_found")
    assert_problem(missing_history, 404, "workflow_not_found")


async def test_version_numbers_out_of_range_are_422(client: httpx.AsyncClient):
    workflow = await create(client)
    for version in ("0", "-1", "x", str(2**31)):
        response = await client.get(f"{API}/workflows/{workflow['id']}/versions/{version}")
        body = assert_problem(response, 422, "invalid_input")
        assert body["errors"][0]["parameter"] == "version"
        assert body["errors"][0]["in"] == "path"


async def test_restore_makes_a_new_version_and_keeps_history(client: httpx.AsyncClient):
    workflow = await _workflow_with_three_versions(client)
    old = (await client.get(f"{API}/workflows/{workflow['id']}/versions/2")).json()

    response = await client.post(f"{API}/workflows/{workflow['id']}/versions/2/restore")

    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"4"'
    body = response.json()
    assert (body["version"], body["name"], body["node_count"]) == (4, "History", 1)
    assert body["document"] == old["document"]
    history = (await client.get(f"{API}/workflows/{workflow['id']}/versions")).json()
    assert [item["version"] for item in history["items"]] == [4, 3, 2, 1]
    assert history["items"][0]["message"] == "Restored version 2"
    third = (await client.get(f"{API}/workflows/{workflow['id']}/versions/3")).json()
    assert third["name"] == "History 3" and len(third["document"]["nodes"]) == 2
    assert await fetch(client, workflow["id"]) == body


async def test_restore_honours_if_match(client: httpx.AsyncClient):
    workflow = await _workflow_with_three_versions(client)
    url = f"{API}/workflows/{workflow['id']}/versions/1/restore"

    stale = await client.post(url, headers={"If-Match": '"2"'})
    fresh = await client.post(url, headers={"If-Match": '"3"'})

    assert assert_problem(stale, 409, "version_conflict")["current_version"] == 3
    assert fresh.status_code == 200 and fresh.json()["version"] == 4
    assert fresh.json()["document"]["nodes"] == []


async def test_restore_of_missing_version_is_404_and_changes_nothing(client: httpx.AsyncClient):
    workflow = await _workflow_with_three_versions(client)
    before = await fetch(client, workflow["id"])

    response = await client.post(f"{API}/workflows/{workflow['id']}/versions/9/restore")

    assert_problem(response, 404, "version_not_found")
    assert await fetch(client, workflow["id"]) == before
