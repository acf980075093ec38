"""Graph problems: stored with every save (drafts with errors are still saved), served
with workflows and versions, and checked without saving by ``POST /workflows/validate``."""

from __future__ import annotations

from typing import Any

import httpx
from api_support import API, assert_problem, create, document, fetch, node, save


def link(edge_id: str, source: str, target: str, target_handle: str | None = None) -> dict:
    return {
        "id": edge_id,
        "source": source,
        "sourceHandle": None,
        "target": target,
        "targetHandle": target_handle,
    }


def looping() -> dict[str, Any]:
    """Two templates feeding each other: a cycle."""
    return document(
        "Loop",
        [
            node("a", "prompt.template", template="{x}"),
            node("b", "prompt.template", template="{x}"),
        ],
        [link("ab", "a", "b", "x"), link("ba", "b", "a", "x")],
    )


def pipeline() -> dict[str, Any]:
    """io.input → prompt.template → io.output: valid, no warnings."""
    return document(
        "Loop",
        [
            node("q", "io.input", name="question"),
            node("a", "prompt.template", template="Answer: {x}"),
            node("out", "io.output", name="answer"),
        ],
        [link("qa", "q", "a", "x"), link("ao", "a", "out")],
    )


def codes(body: dict[str, Any]) -> list[str]:
    return [problem["code"] for problem in body["problems"]]


async def test_a_cycle_is_saved_as_a_draft_that_cannot_run(client: httpx.AsyncClient):
    workflow = await create(client, "Loop")

    response = await save(client, workflow["id"], looping(), 1)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["version"], body["runnable"]) == (2, False)
    assert codes(body) == ["cycle"]
    cycle = body["problems"][0]
    assert cycle["severity"] == "error"
    assert (cycle["node_id"], cycle["edge_id"], cycle["pointer"]) == ("a", None, "/nodes/0")
    assert cycle["message"] == (
        "These nodes form a loop: Prompt template 1 → Prompt template 2 → Prompt template 1. "
        "Workflows must not loop."
    )
    assert body["document"]["edges"] == looping()["edges"]
    assert await fetch(client, workflow["id"]) == body


async def test_fixing_the_graph_makes_it_runnable(client: httpx.AsyncClient):
    workflow = await create(client, "Loop")
    await save(client, workflow["id"], looping(), 1)

    response = await save(client, workflow["id"], pipeline(), 2)

    assert response.status_code == 200, response.text
    assert (response.json()["runnable"], response.json()["problems"]) == (True, [])
    listed = (await client.get(f"{API}/workflows")).json()["items"]
    assert [item["runnable"] for item in listed] == [True]


async def test_each_version_keeps_the_problems_it_was_saved_with(client: httpx.AsyncClient):
    workflow = await create(client, "Loop")
    await save(client, workflow["id"], looping(), 1)
    await save(client, workflow["id"], pipeline(), 2)
    versions = f"{API}/workflows/{workflow['id']}/versions"

    listed = (await client.get(versions)).json()["items"]
    second = (await client.get(f"{versions}/2")).json()
    restored = await client.post(f"{versions}/2/restore", headers={"If-Match": "3"})

    assert [(item["version"], item["runnable"]) for item in listed] == [
        (3, True),
        (2, False),
        (1, True),
    ]
    assert (second["runnable"], codes(second)) == (False, ["cycle"])
    assert restored.status_code == 200, restored.text
    assert (restored.json()["version"], codes(restored.json())) == (4, ["cycle"])


async def test_a_warning_alone_does_not_block_runs(client: httpx.AsyncClient):
    workflow = await create(client, "Loose end")
    doc = document("Loose end", [node("t", text="unused")])

    body = (await save(client, workflow["id"], doc, 1)).json()

    assert body["runnable"] is True
    assert body["problems"] == [
        {
            "code": "output_unused",
            "severity": "warning",
            "pointer": "/nodes/0",
            "node_id": "t",
            "edge_id": None,
            "message": "Text: nothing uses its output, so it runs for nothing.",
        }
    ]


async def test_errors_come_before_warnings_and_name_their_edge(client: httpx.AsyncClient):
    workflow = await create(client, "Wrong wire")
    doc = document(
        "Wrong wire",
        [node("t", text="x"), node("spare", text="y"), node("j", "data.join")],
        [link("tj", "t", "j", "documents")],
    )

    body = (await save(client, workflow["id"], doc, 1)).json()

    assert body["runnable"] is False
    # the wrong wire is the fault; the input it feeds counts as connected
    assert codes(body) == ["incompatible_ports", "output_unused", "output_unused"]
    assert (body["problems"][0]["edge_id"], body["problems"][0]["pointer"]) == ("tj", "/edges/0")


async def test_every_way_of_storing_a_document_checks_it(client: httpx.AsyncClient):
    imported = await client.post(f"{API}/workflows/import", json=looping())
    workflow_id = imported.json()["id"]
    renamed = await client.patch(f"{API}/workflows/{workflow_id}", json={"name": "Renamed"})
    duplicated = await client.post(f"{API}/workflows/{workflow_id}/duplicate")
    created = await create(client, "Empty")

    assert imported.status_code == 201, imported.text
    for response in (imported, renamed, duplicated):
        assert (response.json()["runnable"], codes(response.json())) == (False, ["cycle"])
    assert (created["runnable"], created["problems"]) == (True, [])


async def test_a_broken_structure_is_still_refused(client: httpx.AsyncClient):
    workflow = await create(client, "Broken")
    doc = document("Broken", [node("a")], [link("e", "a", "nowhere")])

    response = await save(client, workflow["id"], doc, 1)

    assert_problem(response, 422, "invalid_document")
    assert (await fetch(client, workflow["id"]))["version"] == 1


async def test_validate_reports_problems_without_saving(client: httpx.AsyncClient):
    response = await client.post(f"{API}/workflows/validate", json=looping())

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["runnable"], body["error_count"], body["warning_count"]) == (False, 1, 0)
    assert codes(body) == ["cycle"]
    assert (await client.get(f"{API}/workflows")).json()["total"] == 0


async def test_validate_a_clean_and_a_warning_only_document(client: httpx.AsyncClient):
    clean = await client.post(f"{API}/workflows/validate", json=pipeline())
    loose = await client.post(
        f"{API}/workflows/validate", json=document("x", [node("t"), node("u")])
    )

    assert clean.json() == {"runnable": True, "error_count": 0, "warning_count": 0, "problems": []}
    assert (loose.json()["runnable"], loose.json()["warning_count"]) == (True, 2)


async def test_validate_refuses_broken_structure_like_a_save(client: httpx.AsyncClient):
    malformed = await client.post(
        f"{API}/workflows/validate",
        content=b"{nope",
        headers={"content-type": "application/json"},
    )
    broken = await client.post(
        f"{API}/workflows/validate", json=document("x", [node("a"), node("a")])
    )

    assert_problem(malformed, 400, "malformed_json")
    body = assert_problem(broken, 422, "invalid_document")
    assert body["errors"][0]["pointer"].startswith("/nodes/1")


async def test_a_template_saved_before_its_feeders_runs(client: httpx.AsyncClient):
    from repro_documents import REPRO_INPUTS, REPRO_OUTPUTS, template_before_its_feeders

    workflow = await create(client, "Repro")
    saved = await save(client, workflow["id"], template_before_its_feeders(), 1)
    assert (saved.json()["runnable"], saved.json()["problems"]) == (True, [])

    started = await client.post(
        f"{API}/workflows/{workflow['id']}/runs",
        params={"wait": 30},
        json={"inputs": REPRO_INPUTS},
    )

    assert started.status_code == 200, started.text
    assert (started.json()["status"], started.json()["outputs"]) == ("succeeded", REPRO_OUTPUTS)
