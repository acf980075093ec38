"""Dependencies shared by the routers, each declared once as a named alias."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, Path, Request
from sqlalchemy.ext.asyncio import AsyncSession

from backend.api.documents import read_document
from backend.bus import EventBus
from backend.config import Settings
from backend.errors import FieldProblem, InvalidHeader, PreconditionRequired, WorkflowNotFound
from graph_engine.document import WorkflowDocument

API_PREFIX = "/api/v1"
_WORKFLOW_ID = re.compile(r"[0-9a-f]{32}")
_ENTITY_TAG = re.compile(r'(?:W/)?"?([0-9]{1,18})"?')


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_bus(request: Request) -> EventBus:
    return request.app.state.runtime.bus


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessions() as session:
        yield session


def get_workflow_id(
    workflow_id: Annotated[str, Path(description="The workflow's id (32 hexadecimal digits).")],
) -> str:
    # Anything that is not an id cannot name a workflow; no need to ask the database.
    if not _WORKFLOW_ID.fullmatch(workflow_id):
        raise WorkflowNotFound(workflow_id)
    return workflow_id


def get_if_match(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description='The version the change is based on: `3`, `"3"` or `W/"3"`.',
        ),
    ] = None,
) -> int | None:
    if if_match is None:
        return None
    found = _ENTITY_TAG.fullmatch(if_match.strip())
    if found is None or if_match.strip().count('"') == 1:
        raise InvalidHeader(
            'If-Match must name one workflow version, like 3 or "3".',
            [
                FieldProblem(
                    "invalid_if_match", "Not a version.", parameter="If-Match", location="header"
                )
            ],
        )
    return int(found.group(1))


def require_if_match(if_match: Annotated[int | None, Depends(get_if_match)]) -> int:
    if if_match is None:
        raise PreconditionRequired(
            "Saving needs an If-Match header with the version you edited (the ETag you got), "
            "so a newer save is never overwritten."
        )
    return if_match


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
BusDep = Annotated[EventBus, Depends(get_bus)]
WorkflowIdDep = Annotated[str, Depends(get_workflow_id)]
IfMatchDep = Annotated[int | None, Depends(get_if_match)]
RequiredIfMatchDep = Annotated[int, Depends(require_if_match)]
DocumentBody = Annotated[WorkflowDocument, Depends(read_document)]


def etag(version: int) -> str:
    return f'"{version}"'
