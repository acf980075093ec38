"""The AsyncAPI document as a running app serves it (``backend.bus.asyncapi``): with the
app's version and its deployment's Kafka topic names; the JSON bytes built once."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from fastapi import FastAPI

from backend.bus.asyncapi import asyncapi_document


def served_asyncapi(app: FastAPI) -> dict[str, Any]:
    """The document ``app`` serves (its version, its settings' Kafka namespace)."""
    version, namespace = _identity(app)
    return asyncapi_document(version=version, namespace=namespace)


def asyncapi_bytes(app: FastAPI) -> bytes:
    """``served_asyncapi(app)`` as JSON bytes, built once per version and namespace."""
    return _document_bytes(*_identity(app))


def _identity(app: FastAPI) -> tuple[str, str]:
    return app.version, app.state.settings.kafka_namespace


@cache
def _document_bytes(version: str, namespace: str) -> bytes:
    document = asyncapi_document(version=version, namespace=namespace)
    return json.dumps(document, ensure_ascii=False).encode("utf-8")
