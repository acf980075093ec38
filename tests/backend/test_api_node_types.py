"""The node-type catalogue: shape, JSON Schemas of params, caching."""

from __future__ import annotations

import httpx
import pytest
from api_support import API

from graph_engine import catalogue
from graph_engine.ports import PortType, compatibility_table

CORE_TYPES = {
    "io.input",
    "io.output",
    "data.text",
    "data.join",
    "prompt.template",
    "logic.router",
}
PORT_KEYS = {"name", "type", "title", "required", "multiple", "description"}


@pytest.fixture
async def served(client: httpx.AsyncClient) -> httpx.Response:
    response = await client.get(f"{API}/node-types")
    assert response.status_code == 200, response.text
    return response


async def test_every_engine_type_is_served_with_its_ports(served: httpx.Response):
    body = served.json()

    assert set(body) == {"items", "port_compatibility"}
    assert [item["type_id"] for item in body["items"]] == [t["type_id"] for t in catalogue()]
    assert {item["type_id"] for item in body["items"]} >= CORE_TYPES
    for item in body["items"]:
        assert item["title"] and item["category"], item["type_id"]
        assert isinstance(item["description"], str)
        for port in item["inputs"] + item["outputs"]:
            assert set(port) == PORT_KEYS
            assert port["type"] in {member.value for member in PortType}


async def test_every_params_schema_is_a_json_schema_object(served: httpx.Response):
    for item in served.json()["items"]:
        schema = item["params_schema"]
        assert schema["type"] == "object", item["type_id"]
        assert isinstance(schema.get("properties", {}), dict), item["type_id"]
        assert schema.get("additionalProperties") is False, item["type_id"]


async def test_dynamic_ports_name_the_param_they_come_from(served: httpx.Response):
    by_type = {item["type_id"]: item for item in served.json()["items"]}

    assert by_type["prompt.template"]["dynamic_inputs_from"] == "template"
    assert by_type["prompt.template"]["inputs"] == []
    assert by_type["logic.router"]["dynamic_outputs_from"] == "rules"
    assert "template" in by_type["prompt.template"]["params_schema"]["properties"]
    assert by_type["io.input"]["outputs"] == [
        {
            "name": "value",
            "type": "text",
            "title": "Value",
            "required": True,
            "multiple": False,
            "description": "",
        }
    ]


async def test_port_compatibility_is_the_engines_table(served: httpx.Response):
    table = served.json()["port_compatibility"]

    assert table == compatibility_table()
    assert "messages" in table["text"] and "documents" not in table["text"]


async def test_the_catalogue_is_cacheable_and_revalidates_with_304(
    client: httpx.AsyncClient, served: httpx.Response
):
    tag = served.headers["etag"]
    assert tag.startswith('"') and tag.endswith('"') and len(tag) > 10
    assert served.headers["cache-control"] == "public, no-cache"

    again = await client.get(f"{API}/node-types")
    unchanged = await client.get(f"{API}/node-types", headers={"If-None-Match": tag})
    weak_in_list = await client.get(
        f"{API}/node-types", headers={"If-None-Match": f'"other", W/{tag}'}
    )
    stale = await client.get(f"{API}/node-types", headers={"If-None-Match": '"stale"'})

    assert again.content == served.content and again.headers["etag"] == tag
    assert (unchanged.status_code, unchanged.content, unchanged.headers["etag"]) == (304, b"", tag)
    assert weak_in_list.status_code == 304
    assert stale.status_code == 200 and stale.content == served.content
