"""Numbers JSON cannot carry (``NaN``, ``Infinity``, ``-Infinity``, ``1e400``) are refused
where a document arrives — every route that takes one, on SQLite and PostgreSQL — with a
pointer to the number, and nothing is stored. (Here because an edit link needs accounts.)"""

from __future__ import annotations

import json

import httpx
import pytest
from accounts_support import build_world, client_for
from api_support import API, assert_problem, create, document, fetch, node, save

NUMBERS = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400"]
PLACES = {  # where the number goes, and the pointer the problem must carry
    "position": "/nodes/0/position/x",
    "param": "/nodes/0/params/weights/1",
    "viewport": "/viewport/zoom",
}
SENTINEL = 123456.789


def body_with(number: str, place: str) -> bytes:
    """A valid document's JSON text with ``number`` written, as is, at ``place``."""
    data = document("Numbers", [node("a", text="hi")], viewport={"x": 0, "y": 0, "zoom": 1})
    if place == "position":
        data["nodes"][0]["position"]["x"] = SENTINEL
    elif place == "param":
        data["nodes"][0]["params"]["weights"] = [1.5, SENTINEL]
    else:
        data["viewport"]["zoom"] = SENTINEL
    return json.dumps(data, ensure_ascii=False).replace(str(SENTINEL), number).encode()


def assert_refused_at(response: httpx.Response, pointer: str) -> None:
    body = assert_problem(response, 422, "invalid_document")
    assert [(error["code"], error["pointer"]) for error in body["errors"]] == [
        ("not_finite", pointer)
    ], body
    assert "JSON cannot carry" in body["errors"][0]["message"]


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("number", NUMBERS)
async def test_every_document_route_refuses_numbers_json_cannot_carry(
    client: httpx.AsyncClient, number: str, place: str
):
    created = await create(client, "Kept")
    kept = (await save(client, created["id"], document("Kept", [node("k")]), 1)).json()
    raw = body_with(number, place)
    json_body = {"content-type": "application/json"}

    saved = await client.put(
        f"{API}/workflows/{kept['id']}", content=raw, headers={**json_body, "If-Match": "2"}
    )
    checked = await client.post(f"{API}/workflows/validate", content=raw, headers=json_body)
    imported = await client.post(f"{API}/workflows/import", content=raw, headers=json_body)
    pasted = await client.post(
        f"{API}/workflows/import", content=raw, headers={"content-type": "text/plain"}
    )
    preview_raw = b'{"source": ' + raw + b"}"
    previewed = await client.post(
        f"{API}/workflows/import/preview", content=preview_raw, headers=json_body
    )

    pointer = PLACES[place]
    for response in (saved, checked, imported, pasted):
        assert_refused_at(response, pointer)
    assert_refused_at(previewed, pointer)
    assert await fetch(client, kept["id"]) == kept  # nothing changed, nothing added
    listed = (await client.get(f"{API}/workflows")).json()
    assert [item["id"] for item in listed["items"]] == [kept["id"]]


@pytest.mark.parametrize("number", ["NaN", "1e400"])
async def test_an_edit_link_save_refuses_them_too(accounts_app, number: str):
    world = await build_world(accounts_app)
    url = f"{API}/shared/{world.links['edit']}/workflow"
    async with client_for(accounts_app, world.other.cookies) as visitor:
        before = (await visitor.get(f"{API}/shared/{world.links['edit']}")).json()
        response = await visitor.put(
            url,
            content=body_with(number, "position"),
            headers={"content-type": "application/json", "If-Match": "2"},
        )
        after = (await visitor.get(f"{API}/shared/{world.links['edit']}")).json()
    assert_refused_at(response, PLACES["position"])
    assert after == before
