"""Every error is an RFC 9457 problem; nothing internal leaks."""

from __future__ import annotations

import logging

import httpx
import pytest
from api_support import API, assert_problem
from fastapi import FastAPI

from backend.api.problems import field_problem_from_pydantic, use_problem_media_type
from backend.errors import FieldProblem


async def test_unknown_api_paths_are_404_problems(client: httpx.AsyncClient):
    for path in ("/api/v1/nothing", "/api/v2/workflows", "/api", "/api/v1/workflows/x/y/z"):
        assert_problem(await client.get(path), 404, "not_found")


async def test_wrong_methods_are_405_problems(client: httpx.AsyncClient):
    response = await client.delete(f"{API}/health")

    assert_problem(response, 405, "method_not_allowed")
    assert "GET" in response.headers["allow"]


async def test_unexpected_errors_are_500_without_internals(
    app: FastAPI, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
):
    async def explode() -> None:
        raise RuntimeError("password=hunter2 in /secret/path")

    app.add_api_route(f"{API}/explode", explode, methods=["POST"])

    with caplog.at_level(logging.ERROR, logger="backend.api.problems"):
        response = await client.post(f"{API}/explode")

    body = assert_problem(response, 500, "internal_error")
    assert "hunter2" not in response.text and "secret" not in response.text
    assert len(body["error_id"]) == 32
    assert body["error_id"] in caplog.text and "hunter2" in caplog.text


def test_validation_locations_become_pointers_and_parameters():
    body_error = {"loc": ("body", "nodes", 3, "a/b~c"), "type": "missing", "msg": "Field required"}
    query_error = {"loc": ("query", "limit"), "type": "int_parsing", "msg": "Not an int"}
    header_error = {"loc": ("header", "if-match"), "type": "other_type", "msg": "Bad"}

    assert field_problem_from_pydantic(body_error) == FieldProblem(
        "missing_field", "Field required", pointer="/nodes/3/a~1b~0c"
    )
    assert field_problem_from_pydantic(query_error) == FieldProblem(
        "not_an_integer", "Not an int", parameter="limit", location="query"
    )
    assert field_problem_from_pydantic(header_error).as_dict() == {
        "code": "other_type",
        "message": "Bad",
        "parameter": "if-match",
        "in": "header",
    }


def test_openapi_errors_use_the_problem_media_type():
    problem_ref = {"schema": {"$ref": "#/components/schemas/Problem"}}
    schema = {
        "paths": {
            "/x": {
                "get": {
                    "responses": {
                        "200": {"description": "ok", "content": {"application/json": {}}},
                        "422": {
                            "description": "Validation Error",
                            "content": {"application/json": {}},
                        },
                    }
                }
            }
        },
        "components": {"schemas": {"HTTPValidationError": {}, "ValidationError": {}, "A": {}}},
    }

    result = use_problem_media_type(schema)

    responses = result["paths"]["/x"]["get"]["responses"]
    assert responses["200"]["content"] == {"application/json": {}}
    assert responses["422"]["content"] == {"application/problem+json": problem_ref}
    assert "HTTPValidationError" not in result["components"]["schemas"]
    assert list(result["components"]["schemas"]) == ["A"]
