"""``GET /api/v1/asyncapi.json``: the Kafka topics and message formats (``backend.bus.asyncapi``).

Public like ``/openapi.json``, and like it left out of the OpenAPI document: it describes
the bus, not the HTTP API. Built once per process, with this deployment's topic names.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from backend.api.asyncapi_body import asyncapi_bytes

router = APIRouter()


@router.get("/asyncapi.json", include_in_schema=False)
async def get_asyncapi(request: Request) -> Response:
    return Response(asyncapi_bytes(request.app), media_type="application/json")
