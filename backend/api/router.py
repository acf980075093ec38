"""Every API router under ``/api/v1``."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from backend.api import (
    asyncapi,
    auth,
    credentials,
    document_check,
    exchange,
    link_visits,
    meta,
    node_types,
    runs,
    share_links,
    versions,
    workflows,
)
from backend.api.deps import API_PREFIX, require_user

api_router = APIRouter(prefix=API_PREFIX)
# Signed-in only, whatever a route itself asks for (a new route cannot forget it).
SIGNED_IN = [Depends(require_user)]
# A request is matched against the routes in order. Starting runs is the busiest, so the
# runs go first (no path of theirs could be taken for another router's). Then the public
# ones: health, the schema, the node catalogue, sign-in, the bus's AsyncAPI document.
# Everything else needs a signed-in caller (``CurrentUser``) or a live share link
# (``/shared/{token}``); among those, fixed paths (/workflows/import, /workflows/validate)
# before /workflows/{id}.
api_router.include_router(runs.router, dependencies=SIGNED_IN)
for public in (meta.router, node_types.router, auth.router, asyncapi.router):
    api_router.include_router(public)
for private in (
    exchange.router,
    document_check.router,
    workflows.router,
    versions.router,
    credentials.router,
    share_links.router,
):
    api_router.include_router(private, dependencies=SIGNED_IN)
api_router.include_router(link_visits.router)
