"""``GET /api/v1/asyncapi.json``: the Kafka topics and message formats (``backend.bus.asyncapi``).

Public like ``/openapi.json``, and like it left out of the OpenAPI document: it describes
the bus, not the HTTP API. Built once per process, with this deployment's topic names.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response

from backend.bus.asyncapi import asyncapi_document

router = APIRouter()


@router.get("/asyncapi.json", include_in_schema=False)
async def get_asyncapi(request: Request) -> Response:
    return Response(_document_bytes(*_identity(request.app)), media_type="application/json")


def served_asyncapi(app: FastAPI) -> dict[str, Any]:
    """The document ``app`` serves (its version, its settings' Kafka namespace)."""
    version, namespace = _identity(app)
    return asyncapi_document(version=version, namespace=namespace)


def _identity(app: FastAPI) -> tuple[str, str]:
    return app.version, app.state.settings.kafka_namespace


@cache
def _document_bytes(version: str, namespace: str) -> bytes:
    document = asyncapi_document(version=version, namespace=namespace)
    return json.dumps(document, ensure_ascii=False).encode("utf-8")
