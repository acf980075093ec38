"""The node-type catalogue as the API serves it: JSON bytes and their strong ETag.

The catalogue only changes with the code, so it is built once per process; start-up
builds it before the first request (``backend.app``), ``listNodeTypes`` serves it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache

from backend.api.schemas import NodeTypeCatalogue
from graph_engine import catalogue
from graph_engine.ports import compatibility_table


@dataclass(frozen=True, slots=True)
class ServedCatalogue:
    body: bytes
    etag: str


@cache
def served_catalogue() -> ServedCatalogue:
    """The catalogue as JSON bytes plus its ETag, computed once per process."""
    model = NodeTypeCatalogue.model_validate(
        {"items": catalogue(), "port_compatibility": compatibility_table()}
    )
    body = model.model_dump_json().encode("utf-8")
    return ServedCatalogue(body, f'"{hashlib.sha256(body).hexdigest()[:32]}"')
