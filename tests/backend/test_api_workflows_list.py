"""Listing workflows: paging, sorting and searching, on SQLite and PostgreSQL."""

from __future__ import annotations

import httpx
from api_support import API, assert_problem, create, document, save


async def test_list_pages_through_every_workflow(client: httpx.AsyncClient):
    ids = [(await create(client, f"Flow {index:02}"))["id"] for index in range(7)]

    pages = [
        (await client.get(f"{API}/workflows", params={"limit": 3, "offset": offset})).json()
        for offset in (0, 3, 6, 9)
    ]

    assert [page["total"] for page in pages] == [7, 7, 7, 7]
    assert [(page["limit"], page["offset"]) for page in pages] == [(3, 0), (3, 3), (3, 6), (3, 9)]
    listed = [item["id"] for page in pages for item in page["items"]]
    assert listed == list(reversed(ids))  # default: most recently updated first
    assert set(pages[0]["items"][0]) == {
        "id",
        "name",
        "description",
        "version",
        "node_count",
        "runnable",
        "created_at",
        "updated_at",
    }


async def test_list_default_limit_is_50(client: httpx.AsyncClient):
    body = (await client.get(f"{API}/workflows")).json()

    assert (body["items"], body["total"], body["limit"], body["offset"]) == ([], 0, 50, 0)


async def test_list_sorts(client: httpx.AsyncClient):
    names = ["banana", "Apple", "cherry", "ápple"]
    created = {name: await create(client, name) for name in names}
    await save(client, created["banana"]["id"], document("banana"), 1)  # updated last

    async def order(sort: str) -> list[str]:
        response = await client.get(f"{API}/workflows", params={"sort": sort})
        return [item["name"] for item in response.json()["items"]]

    assert await order("updated_desc") == ["banana", "ápple", "cherry", "Apple"]
    assert await order("updated_asc") == ["Apple", "cherry", "ápple", "banana"]
    assert await order("created_desc") == ["ápple", "cherry", "Apple", "banana"]
    assert (await order("name_asc"))[:3] == ["Apple", "banana", "cherry"]
    assert (await order("name_desc"))[-3:] == ["cherry", "banana", "Apple"]
    assert set(await order("name_asc")) == set(names)


async def test_list_searches_names_case_insensitively(client: httpx.AsyncClient):
    for name in ("Support answers", "SUPPORT triage", "Billing", "Straße 100%", "Émile 🚀"):
        await create(client, name)

    async def search(query: str) -> list[str]:
        response = await client.get(f"{API}/workflows", params={"q": query, "sort": "name_asc"})
        body = response.json()
        assert body["total"] == len(body["items"])
        return [item["name"] for item in body["items"]]

    assert await search("support") == ["Support answers", "SUPPORT triage"]
    assert await search("STRASSE") == ["Straße 100%"]
    assert await search("émile") == ["Émile 🚀"]
    assert await search("🚀") == ["Émile 🚀"]
    assert await search("100%") == ["Straße 100%"]
    assert await search("%") == ["Straße 100%"]  # wildcards are literal
    assert await search("_") == []
    assert await search("nothing") == []


async def test_list_refuses_bad_parameters_with_their_names(client: httpx.AsyncClient):
    cases = [
        ({"limit": 0}, "limit", "out_of_range"),
        ({"limit": 201}, "limit", "out_of_range"),
        ({"limit": "ten"}, "limit", "not_an_integer"),
        ({"offset": -1}, "offset", "out_of_range"),
        ({"sort": "random"}, "sort", "wrong_value"),
        ({"q": "x" * 201}, "q", "too_long"),
        ({"q": "a\x00b"}, "q", "invalid_value"),
    ]
    for params, name, code in cases:
        body = assert_problem(
            await client.get(f"{API}/workflows", params=params), 422, "invalid_input"
        )
        assert body["errors"] == [
            {
                "code": code,
                "message": body["errors"][0]["message"],
                "parameter": name,
                "in": "query",
            }
        ]
