"""The bus's AsyncAPI document, served at ``/api/v1/asyncapi.json`` and written by
``nodeloom asyncapi``: the same document, with the deployment's topic names."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from api_support import API, make_settings

from backend.app import create_app
from backend.bus.asyncapi import asyncapi_document
from backend.cli import EXIT_OK, main
from backend.config import Settings

SECRET_KEY = "asyncapi-test-key-0123456789abcdef"


async def test_anyone_gets_the_document_with_the_deployments_topic_names(tmp_path: Path):
    settings = make_settings(
        tmp_path,
        f"sqlite:///{tmp_path}/unused.db",
        auth="on",
        secret_key=SECRET_KEY,
        kafka_namespace="acme.",
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://nodeloom.test") as client:
        response = await client.get(f"{API}/asyncapi.json")  # signed out
        head = await client.head(f"{API}/asyncapi.json")

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    document = response.json()
    assert document == asyncapi_document(version=app.version, namespace="acme.")
    assert {c["address"] for c in document["channels"].values()} == {
        "acme.nodeloom.run-requests",
        "acme.nodeloom.run-events",
        "acme.nodeloom.run-control",
    }
    assert head.status_code == 200 and head.content == b""


def test_the_openapi_document_leaves_it_out_as_it_leaves_out_itself():
    paths = create_app(Settings()).openapi()["paths"]

    assert f"{API}/asyncapi.json" not in paths and "/openapi.json" not in paths


def test_nodeloom_asyncapi_writes_what_the_server_serves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setenv("NODELOOM_KAFKA_NAMESPACE", "acme.")
    written = tmp_path / "docs" / "asyncapi.json"

    assert main(["asyncapi", "--output", str(written)]) == EXIT_OK
    assert main(["asyncapi"]) == EXIT_OK

    printed = capsys.readouterr().out
    served = asyncapi_document(version=create_app(Settings()).version, namespace="acme.")
    assert json.loads(written.read_text(encoding="utf-8")) == served
    assert printed.startswith('{\n  "asyncapi": "3.0.0"') and printed.endswith("}\n")
    assert json.loads(printed) == served
