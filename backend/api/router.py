"""Every API router under ``/api/v1``."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from backend.api import (
    auth,
    credentials,
    exchange,
    meta,
    node_types,
    runs,
    share_links,
    shared,
    validation,
    versions,
    workflows,
)
from backend.api.deps import API_PREFIX, require_user

api_router = APIRouter(prefix=API_PREFIX)
SIGNED_IN = Depends(require_user)
# Public: health, the schema, the node catalogue, sign-in; everything else needs a
# signed-in caller (``CurrentUser``) or a live share link (``/shared/{token}``).
api_router.include_router(meta.router)
api_router.include_router(node_types.router)
api_router.include_router(auth.router)
# Fixed paths first: /workflows/import and /workflows/validate must win over
# /workflows/{workflow_id}. Then runs: a request is matched against the routes in
# order, and starting runs is the busiest of them.
for private in (
    exchange.router,
    validation.router,
    runs.router,
    workflows.router,
    versions.router,
    credentials.router,
    share_links.router,
):
    # Signed-in only, whatever a route itself asks for (a new route cannot forget it).
    api_router.include_router(private, dependencies=[SIGNED_IN])
api_router.include_router(shared.router)
