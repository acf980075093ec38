"""Every API router under ``/api/v1``."""

from __future__ import annotations

from fastapi import APIRouter

from backend.api import exchange, meta, versions, workflows
from backend.api.deps import API_PREFIX

api_router = APIRouter(prefix=API_PREFIX)
api_router.include_router(meta.router)
# Exchange first: its fixed path /workflows/import must win over /workflows/{workflow_id}.
api_router.include_router(exchange.router)
api_router.include_router(workflows.router)
api_router.include_router(versions.router)
