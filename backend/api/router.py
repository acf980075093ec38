"""Every API router under ``/api/v1``."""

from __future__ import annotations

from fastapi import APIRouter

from backend.api import exchange, meta, node_types, runs, validation, versions, workflows
from backend.api.deps import API_PREFIX

api_router = APIRouter(prefix=API_PREFIX)
api_router.include_router(meta.router)
api_router.include_router(node_types.router)
# Fixed paths first: /workflows/import and /workflows/validate must win over
# /workflows/{workflow_id}.
api_router.include_router(exchange.router)
api_router.include_router(validation.router)
api_router.include_router(workflows.router)
api_router.include_router(versions.router)
api_router.include_router(runs.router)
