"""Health, readiness and the published workflow JSON Schema."""

from __future__ import annotations

import logging
from functools import cache
from importlib import resources
from typing import Any

from fastapi import APIRouter, Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from backend.api.deps import SessionDep
from backend.api.problems import problem_responses
from backend.api.schemas import Health, Readiness
from backend.errors import ServiceUnavailable

router = APIRouter(tags=["meta"])
logger = logging.getLogger(__name__)

SCHEMA_FILE = "workflow.schema.json"


@router.get("/health", operation_id="health", response_model=Health, responses=problem_responses())
async def health() -> Health:
    """The server is up (it may still be unable to reach the database; see `/ready`)."""
    return Health()


@router.get(
    "/ready", operation_id="ready", response_model=Readiness, responses=problem_responses(503)
)
async def ready(session: SessionDep) -> Readiness:
    """The server is up and its database answers."""
    try:
        await session.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError) as error:
        logger.warning("Readiness check failed: %s", error)
        raise ServiceUnavailable("The database does not answer.") from None
    return Readiness()


@router.get(
    "/schemas/workflow.json",
    operation_id="getWorkflowSchema",
    response_model=dict[str, Any],
    responses={
        200: {"description": "The JSON Schema of the workflow document (export format)."},
        **problem_responses(),
    },
)
async def get_workflow_schema() -> Response:
    """The JSON Schema of the workflow document, as checked in."""
    return Response(workflow_schema_bytes(), media_type="application/json")


@cache
def workflow_schema_bytes() -> bytes:
    return resources.files("graph_engine").joinpath(SCHEMA_FILE).read_bytes()
