"""Dependencies shared by the routers, each declared once as a named alias.

Every dependency is ``async def``, even one that only reads app state: FastAPI runs a
plain ``def`` dependency in a worker thread, a thread round trip per request that costs
more than the work itself (``tests/backend/test_dependencies.py`` holds every route to
this)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, Path, Request
from pydantic import WithJsonSchema
from sqlalchemy.ext.asyncio import AsyncSession

from backend.api.documents import read_document
from backend.auth.errors import NotSignedIn
from backend.auth.ownership import owns
from backend.auth.principal import LOCAL, Principal, identify
from backend.auth.sessions import COOKIE_NAME
from backend.bus import EventBus
from backend.config import Settings
from backend.db.models import WorkflowRecord
from backend.db.queued_runs import QueuedRunWriter
from backend.db.workflow_store import Author
from backend.errors import FieldProblem, InvalidHeader, PreconditionRequired, WorkflowNotFound
from graph_engine.document import WorkflowDocument

API_PREFIX = "/api/v1"
_WORKFLOW_ID = re.compile(r"[0-9a-f]{32}")
# One version, bare or as an entity tag (`3`, `"3"`, `W/"3"`); the schema states the same.
IF_MATCH_PATTERN = r'^[ \t]*(W/)?("[0-9]{1,18}"|[0-9]{1,18})[ \t]*$'
_IF_MATCH = re.compile(IF_MATCH_PATTERN)


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_bus(request: Request) -> EventBus:
    return request.app.state.runtime.bus


async def get_queued_runs(request: Request) -> QueuedRunWriter:
    return request.app.state.runtime.queued_runs


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessions() as session:
        yield session


async def get_principal(
    request: Request, session: Annotated[AsyncSession, Depends(get_session)]
) -> Principal | None:
    """Who asks: the local owner in single-person mode; else the account behind the API key
    or the session cookie, or ``None`` (anonymous). A wrong API key is refused (401)."""
    if not request.app.state.settings.accounts:
        return LOCAL
    principal = await identify(
        session,
        authorization=request.headers.get("authorization"),
        cookie=request.cookies.get(COOKIE_NAME),
    )
    await session.commit()  # end the read: the handler's writes start a fresh transaction
    return principal


async def require_user(principal: Annotated[Principal | None, Depends(get_principal)]) -> Principal:
    if principal is None:
        raise NotSignedIn()
    return principal


async def get_workflow_id(
    workflow_id: Annotated[str, Path(description="The workflow's id (32 hexadecimal digits).")],
    principal: Annotated[Principal, Depends(require_user)],
    session: Annotated[AsyncSession, Depends(get_session)],
) -> str:
    """The id of a workflow the caller owns; any other id is not found (never forbidden)."""
    # Anything that is not an id cannot name a workflow; no need to ask the database.
    if not _WORKFLOW_ID.fullmatch(workflow_id):
        raise WorkflowNotFound(workflow_id)
    if not await owns(session, principal, WorkflowRecord, workflow_id):
        raise WorkflowNotFound(workflow_id)
    return workflow_id


async def owner_scope(principal: Annotated[Principal, Depends(require_user)]) -> str | None:
    """The owner whose workflows a listing shows; ``None`` (everybody's) in single mode."""
    return None if principal.local else principal.user_id


def author_of(principal: Principal) -> Author:
    return Author(principal.name, None if principal.local else principal.user_id)


async def get_if_match(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description='The version the change is based on: `3`, `"3"` or `W/"3"`.',
        ),
        WithJsonSchema({"type": "string", "pattern": IF_MATCH_PATTERN}),  # a header is never null
    ] = None,
) -> int | None:
    if if_match is None:
        return None
    found = _IF_MATCH.fullmatch(if_match)
    if found is None:
        raise InvalidHeader(
            'If-Match must name one workflow version, like 3 or "3".',
            [
                FieldProblem(
                    "invalid_if_match", "Not a version.", parameter="If-Match", location="header"
                )
            ],
        )
    return int(found.group(2).strip('"'))


async def require_if_match(if_match: Annotated[int | None, Depends(get_if_match)]) -> int:
    if if_match is None:
        raise PreconditionRequired(
            "Saving needs an If-Match header with the version you edited (the ETag you got), "
            "so a newer save is never overwritten."
        )
    return if_match


SettingsDep = Annotated[Settings, Depends(get_settings)]
# The caller, if anyone (``None``: anonymous, accounts mode only).
OptionalUser = Annotated[Principal | None, Depends(get_principal)]
# The caller, who must be signed in (401 otherwise); ``.user_id`` owns what they create.
CurrentUser = Annotated[Principal, Depends(require_user)]
# ``owner_id`` filter for listings: the caller's id, or ``None`` in single-person mode.
OwnerScope = Annotated[str | None, Depends(owner_scope)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
BusDep = Annotated[EventBus, Depends(get_bus)]
QueuedRunsDep = Annotated[QueuedRunWriter, Depends(get_queued_runs)]
WorkflowIdDep = Annotated[str, Depends(get_workflow_id)]
IfMatchDep = Annotated[int | None, Depends(get_if_match)]
RequiredIfMatchDep = Annotated[int, Depends(require_if_match)]
DocumentBody = Annotated[WorkflowDocument, Depends(read_document)]


def etag(version: int) -> str:
    return f'"{version}"'
