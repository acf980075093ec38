"""What every store shares: stable record ids and metadata a store can hold."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from langchain_core.documents import Document

_NAMESPACE = uuid.UUID("6b1f4c36-61f8-4c2b-9a58-3d5e5b0f9a11")


def record_id(collection: str, document: Document) -> str:
    """A stable id from the collection, content and metadata: an upsert is idempotent."""
    key = json.dumps(
        [collection, document.page_content, document.metadata],
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return str(uuid.uuid5(_NAMESPACE, key))


def json_metadata(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """``metadata`` as plain JSON (anything else becomes its ``str``)."""
    return json.loads(json.dumps(dict(metadata), ensure_ascii=False, default=str))


def flat_metadata(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """Metadata Pinecone accepts: strings, numbers, booleans and lists of strings.

    ``None`` values are dropped; nested values are stored as JSON text.
    """
    flat: dict[str, Any] = {}
    for key, value in metadata.items():
        if value is None:
            continue
        if isinstance(value, str | bool | int | float):
            flat[str(key)] = value
        elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            flat[str(key)] = list(value)
        else:
            flat[str(key)] = json.dumps(value, ensure_ascii=False, default=str)
    return flat
