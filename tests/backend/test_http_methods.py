"""Methods per path (issue 20, point 9): every path of the OpenAPI document answers each
method it does not declare with ``405`` and an ``Allow`` naming exactly what it serves:
its declared methods, ``HEAD`` where it has ``GET``, and ``OPTIONS``. ``OPTIONS`` itself
answers ``204`` with that ``Allow``. Unknown ``/api`` paths stay ``404``; pages stay pages.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import httpx
import pytest
from api_support import API, assert_problem
from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from backend.app import create_app
from backend.config import Settings

# Every method a client may send that HTTP or a common extension defines (QUERY is the
# new safe method with a body; schemathesis sends it too).
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "QUERY")
ANY_ID = "0a1b2c3d" * 4  # fills every path parameter; never one of a sibling's fixed words


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> str:
    # Methods are decided before any handler runs: one database kind is enough here.
    path = tmp_path / "nodeloom.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


def _declared(app: FastAPI) -> dict[str, set[str]]:
    paths = app.openapi()["paths"]
    return {path: {method.upper() for method in paths[path]} for path in paths}


def _allowed(declared: set[str]) -> set[str]:
    return declared | {"OPTIONS"} | ({"HEAD"} if "GET" in declared else set())


def _allow_header(response: httpx.Response) -> set[str]:
    return {method.strip() for method in response.headers["allow"].split(",")}


def _url(path: str) -> str:
    return re.sub(r"\{[^}]+\}", ANY_ID, path)


async def test_every_undeclared_method_is_405_naming_exactly_the_declared_ones(
    app: FastAPI, client: httpx.AsyncClient
):
    checked = 0
    for path, declared in _declared(app).items():
        allowed = _allowed(declared)
        for method in sorted(set(METHODS) - allowed):
            response = await client.request(method, _url(path))
            assert _allow_header(response) == allowed, f"{method} {path}"
            if method == "HEAD":  # the same answer, without its body
                assert response.status_code == 405 and response.content == b""
            else:
                body = assert_problem(response, 405, "method_not_allowed")
                assert method in body["detail"]
            checked += 1
    assert checked > 200  # every path, every method it lacks


async def test_options_answers_204_with_every_method_of_the_path(
    app: FastAPI, client: httpx.AsyncClient
):
    for path, declared in _declared(app).items():
        response = await client.options(_url(path))

        assert response.status_code == 204, f"OPTIONS {path}: {response.text}"
        assert _allow_header(response) == _allowed(declared), path
        assert response.content == b""


async def test_the_workflows_collection_allows_get_and_post(client: httpx.AsyncClient):
    # The report in the issue: OPTIONS said `Allow: GET` although POST exists.
    response = await client.options(f"{API}/workflows")

    assert _allow_header(response) == {"GET", "HEAD", "POST", "OPTIONS"}


async def test_get_on_post_only_routes_is_405_not_404(client: httpx.AsyncClient):
    for path in ("/auth/login", "/workflows/import", "/workflows/validate"):
        response = await client.get(f"{API}{path}")

        assert_problem(response, 405, "method_not_allowed")
        assert _allow_header(response) == {"POST", "OPTIONS"}


async def test_head_answers_like_get_without_a_body(client: httpx.AsyncClient):
    created = await client.post(f"{API}/workflows", json={"name": "Head"})
    url = f"{API}/workflows/{created.json()['id']}"

    get = await client.get(url)
    head = await client.head(url)

    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-type"] == get.headers["content-type"]
    assert (await client.head(f"{API}/health")).status_code == 200


async def test_unknown_api_paths_stay_404_whatever_the_method(client: httpx.AsyncClient):
    for path in (f"{API}/nothing", "/api", "/api/other", f"{API}/workflows/x/y/z"):
        for method in ("GET", "POST", "OPTIONS", "DELETE"):
            assert_problem(await client.request(method, path), 404, "not_found")


async def test_pages_stay_served_and_answer_options(client: httpx.AsyncClient):
    page = await client.get("/workflows/abc", headers={"accept": "text/html"})
    options = await client.options("/workflows/abc")
    post = await client.post("/workflows/abc")

    assert page.status_code == 200 and "<html" in page.text
    assert (options.status_code, _allow_header(options)) == (204, {"GET", "HEAD", "OPTIONS"})
    assert_problem(post, 405, "method_not_allowed")
    assert _allow_header(post) == {"GET", "HEAD", "OPTIONS"}


async def test_a_cors_layer_added_on_top_still_answers_preflights(tmp_path: Path):
    # Deployments may wrap the app in CORS; its preflight must not be taken for OPTIONS.
    app = create_app(
        Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'cors.db'}",
            data_dir=tmp_path,
            frontend_dir=tmp_path / "none",
        )
    )
    app.add_middleware(
        CORSMiddleware, allow_origins=["https://app.example"], allow_methods=["GET", "POST"]
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://nodeloom.test") as client:
        preflight = await client.options(
            f"{API}/workflows",
            headers={
                "Origin": "https://app.example",
                "Access-Control-Request-Method": "POST",
            },
        )
        plain = await client.options(f"{API}/workflows")

    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://app.example"
    assert (plain.status_code, _allow_header(plain)) == (204, {"GET", "HEAD", "POST", "OPTIONS"})
