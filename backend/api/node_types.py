"""The node-type catalogue: what the palette lists and the inspector renders forms from.

The catalogue only changes with the code, so it is built once per process and served
as fixed bytes with a strong ETag: clients revalidate (``If-None-Match``) and get
``304 Not Modified`` until the server is upgraded.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response

from backend.api.catalogue_body import served_catalogue
from backend.api.problems import problem_responses
from backend.api.schemas import NodeTypeCatalogue

router = APIRouter(tags=["node types"])

# Stored by browsers and proxies, but revalidated on every use: a new release's
# catalogue is seen at once, and an unchanged one costs a 304.
CACHE_CONTROL = "public, no-cache"

_CACHE_HEADERS = {
    "ETag": {"description": "Changes whenever the catalogue does.", "schema": {"type": "string"}},
    "Cache-Control": {"description": f"`{CACHE_CONTROL}`.", "schema": {"type": "string"}},
}
RESPONSES = {
    200: {
        "description": "Every node type and which port types connect.",
        "headers": _CACHE_HEADERS,
    },
    304: {
        "description": "The catalogue named by `If-None-Match` is current.",
        "headers": _CACHE_HEADERS,
    },
}


@router.get(
    "/node-types",
    operation_id="listNodeTypes",
    response_model=NodeTypeCatalogue,
    responses={**RESPONSES, **problem_responses()},
)
async def list_node_types(
    if_none_match: Annotated[
        str | None,
        Header(
            alias="If-None-Match",
            description="The ETag of a catalogue you hold; unchanged gets `304`.",
        ),
    ] = None,
) -> Response:
    """Every node type with its params JSON Schema and ports, plus the port compatibility
    table. The same for every caller until the server is upgraded."""
    served = served_catalogue()
    headers = {"ETag": served.etag, "Cache-Control": CACHE_CONTROL}
    if if_none_match is not None and _matches(if_none_match, served.etag):
        return Response(status_code=304, headers=headers)
    return Response(served.body, media_type="application/json", headers=headers)


def _matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 weak comparison against a list of tags (or ``*``)."""
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags
