"""What a share link opens, under ``/shared/{token}``: the workflow (view), runs with the
owner's credentials (run, within the link's hourly limit), saves by a signed-in visitor
(edit), and a copy into the visitor's own workspace.

A visitor sees the runs they started through the link (known by their browser's visitor
cookie, ``backend.auth.visitors``) and, if the owner allows it on the link, the owner's
latest run; never another visitor's inputs or outputs.

The link is looked up on every request, so a revoked or expired one answers
``404 link_not_found`` at once. Values in params that look like secrets are hidden.
"""

from __future__ import annotations

import copy
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Request, Response
from pydantic import BaseModel, Field

from backend.api.deps import (
    BusDep,
    CurrentUser,
    DocumentBody,
    OptionalUser,
    QueuedRunsDep,
    RequiredIfMatchDep,
    SessionDep,
    SettingsDep,
    author_of,
)
from backend.api.documents import DOCUMENT_REQUEST_BODY
from backend.api.problems import problem_responses
from backend.api.run_queueing import queue_run
from backend.api.run_reads import AfterSeq, EventLimit, event_page, get_run_id
from backend.api.run_schemas import ListedRun, Run, RunEventPage, RunSummary, StartRun
from backend.api.schemas import Workflow
from backend.api.workflow_answers import CREATED, CURRENT, answer, copy_name
from backend.auth import link_access
from backend.auth.errors import NotSignedIn
from backend.auth.link_access import Scope, require_scope
from backend.auth.link_edits import check_credential_uses
from backend.auth.visitors import VISITOR_COOKIE, set_visitor_cookie, visitor_cookie, visitor_hash
from backend.db import run_store
from backend.db import workflow_store as store
from backend.db.models import ShareLinkRecord, UserRecord, WorkflowRecord
from backend.errors import NodeloomError, RunNotFound
from backend.exchange.secret_scan import scan_document
from graph_engine.document import WorkflowDocument

router = APIRouter(prefix="/shared/{token}", tags=["sharing"])

HIDDEN = "[hidden: looks like a secret]"
_RATE_LIMITED = {429: {"headers": {"Retry-After": {"schema": {"type": "string"}}}}}
YOUR_RUNS_SHOWN = 50


async def get_link(
    token: Annotated[str, Path(max_length=100, description="The link's token.")],
    session: SessionDep,
) -> ShareLinkRecord:
    return await link_access.live_link(session, token)


LinkDep = Annotated[ShareLinkRecord, Depends(get_link)]


async def get_visitor(request: Request) -> str | None:
    """The visitor asking, as their runs store them (``None``: they started none here)."""
    return visitor_hash(request.cookies.get(VISITOR_COOKIE))


VisitorDep = Annotated[str | None, Depends(get_visitor)]


class SharedWorkflow(BaseModel):
    scope: Scope
    workflow: Workflow = Field(description="Secret-looking param values are hidden.")
    owner_name: str


class SharedRuns(BaseModel):
    yours: list[ListedRun] = Field(
        description=f"The runs you started through this link in this browser, newest first "
        f"(the newest {YOUR_RUNS_SHOWN}), numbered among yours. No one else sees them."
    )
    owner_latest: RunSummary | None = Field(
        description="The owner's latest run, when the link shows it; else `null`."
    )


def hide_secrets(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with every param value that looks like a secret replaced."""
    findings = scan_document(document)
    if not findings:
        return document
    hidden = copy.deepcopy(document)
    for finding in findings:
        *parents, last = finding.param_path
        holder = hidden["nodes"][finding.node_index]["params"]
        for key in parents:
            holder = holder[key]
        holder[last] = HIDDEN
    return hidden


def shown(record: WorkflowRecord, response: Response) -> Workflow:
    workflow = answer(record, response)
    document = WorkflowDocument.model_validate(hide_secrets(record.document))
    return workflow.model_copy(update={"document": document})


@router.get(
    "",
    operation_id="getSharedWorkflow",
    response_model=SharedWorkflow,
    responses=problem_responses(404),
)
async def get_shared_workflow(
    link: LinkDep, session: SessionDep, response: Response
) -> SharedWorkflow:
    """The shared workflow and its owner's name (its runs: `listSharedRuns`)."""
    record = await store.get_workflow(session, link.workflow_id)
    owner = await session.get(UserRecord, link.owner_id)
    return SharedWorkflow(
        scope=Scope(link.scope),
        workflow=shown(record, response),
        owner_name=owner.name if owner else link.owner_id,
    )


@router.get(
    "/runs",
    operation_id="listSharedRuns",
    response_model=SharedRuns,
    responses=problem_responses(404),
)
async def list_shared_runs(link: LinkDep, visitor: VisitorDep, session: SessionDep) -> SharedRuns:
    """The runs this visitor may see: their own through this link, and the owner's latest
    if the link shows it."""
    runs, total = await link_access.visitor_runs(session, link, visitor, YOUR_RUNS_SHOWN)
    owners = None
    if link.show_owner_latest_run:
        owners = await link_access.owner_latest_run(session, link.workflow_id)
    return SharedRuns(
        yours=[ListedRun.numbered(run, total - index) for index, run in enumerate(runs)],
        owner_latest=None if owners is None else RunSummary.from_record(owners),
    )


@router.post(
    "/runs",
    operation_id="startSharedRun",
    status_code=202,
    response_model=Run,
    responses={**_RATE_LIMITED, **problem_responses(400, 403, 404, 413, 422, 429, 503)},
)
async def start_shared_run(
    link: LinkDep,
    session: SessionDep,
    bus: BusDep,
    queued_runs: QueuedRunsDep,
    request: Request,
    response: Response,
    settings: SettingsDep,
    body: Annotated[StartRun | None, Body()] = None,
) -> Run:
    """Run the workflow's current version with `inputs` (run and edit links), using the
    owner's credentials, within the link's hourly limit. The run is this browser's: the
    answer sets (or renews) the `nodeloom_visitor` cookie that lets only it see the run."""
    require_scope(link, Scope.run, "run the workflow")
    cookie = visitor_cookie(request.cookies.get(VISITOR_COOKIE))
    window = await link_access.reserve_run(session, link)
    inputs = (body or StartRun()).inputs
    try:
        run = await queue_run(
            session,
            bus,
            queued_runs,
            link.workflow_id,
            None,
            inputs,
            owner_id=link.owner_id,
            share_link_id=link.id,
            visitor_hash=visitor_hash(cookie),
        )
    except NodeloomError:  # refused (inputs, problems, bus): it does not count
        if window is not None:
            await link_access.refund_run(session, link, window)
        raise
    set_visitor_cookie(response, cookie, secure=settings.secure_cookies)
    return Run.from_record(run)


async def get_visible_run_id(
    link: LinkDep,
    run_id: Annotated[str, Path(description="The run's id (32 hexadecimal digits).")],
    visitor: VisitorDep,
    session: SessionDep,
) -> str:
    """A run this visitor may see; any other (another visitor's too) is not found."""
    run_id = get_run_id(run_id)
    if not await link_access.visible_run(session, link, run_id, visitor):
        raise RunNotFound(run_id)
    return run_id


VisibleRunId = Annotated[str, Depends(get_visible_run_id)]


@router.get(
    "/runs/{run_id}",
    operation_id="getSharedRun",
    response_model=Run,
    responses=problem_responses(404),
)
async def get_shared_run(run_id: VisibleRunId, session: SessionDep) -> Run:
    """A run you started through the link, or the owner's latest if the link shows it."""
    return Run.from_record(await run_store.get_run(session, run_id))


@router.get(
    "/runs/{run_id}/events",
    operation_id="listSharedRunEvents",
    response_model=RunEventPage,
    responses=problem_responses(404, 422),
)
async def list_shared_run_events(
    run_id: VisibleRunId,
    session: SessionDep,
    after: AfterSeq = -1,
    limit: EventLimit = 500,
) -> RunEventPage:
    """The run's recorded events, as `listRunEvents`."""
    return await event_page(session, run_id, after=after, limit=limit)


@router.put(
    "/workflow",
    operation_id="saveSharedWorkflow",
    response_model=Workflow,
    openapi_extra=DOCUMENT_REQUEST_BODY,
    responses={**CURRENT, **problem_responses(400, 401, 403, 404, 409, 413, 422, 428)},
)
async def save_shared_workflow(
    link: LinkDep,
    visitor: OptionalUser,
    expected_version: RequiredIfMatchDep,
    document: DocumentBody,
    session: SessionDep,
    response: Response,
) -> Workflow:
    """Save the document as the next version (edit links; the visitor must be signed in,
    and is the version's author)."""
    require_scope(link, Scope.edit, "save the workflow")
    if visitor is None:
        raise NotSignedIn("Sign in to save changes through an edit link.")
    current = await store.get_workflow(session, link.workflow_id)
    restore_hidden(document, current.document)
    await check_credential_uses(session, link, document)
    record = await store.save_document(
        session,
        link.workflow_id,
        document,
        expected_version=expected_version,
        message="Saved through a share link",
        author=author_of(visitor),
    )
    return shown(record, response)


def restore_hidden(document: WorkflowDocument, current: dict[str, Any]) -> None:
    """Put back the owner's values where the visitor left ``HIDDEN`` (what
    ``hide_secrets`` showed them), so saving through a link never stores the placeholder."""
    before = {node.get("id"): node.get("params") for node in current.get("nodes", [])}
    for node in document.nodes:
        if node.id in before:
            node.params = _restored(node.params, before[node.id])


def _restored(value: Any, before: Any) -> Any:
    if value == HIDDEN:
        return before if isinstance(before, str) else value
    if isinstance(value, dict) and isinstance(before, dict):
        return {key: _restored(item, before.get(key)) for key, item in value.items()}
    if isinstance(value, list) and isinstance(before, list):
        padded = [*before, *[None] * len(value)]
        return [_restored(item, old) for item, old in zip(value, padded, strict=False)]
    return value


@router.post(
    "/duplicate",
    operation_id="duplicateShared",
    status_code=201,
    response_model=Workflow,
    responses={**CREATED, **problem_responses(401, 404)},
)
async def duplicate_shared(
    link: LinkDep, visitor: CurrentUser, session: SessionDep, response: Response
) -> Workflow:
    """Copy the shared workflow into your own workspace (secret-looking values hidden)."""
    source = await store.get_workflow(session, link.workflow_id)
    document = WorkflowDocument.model_validate(hide_secrets(source.document))
    document = document.model_copy(update={"name": copy_name(source.name)})
    record = await store.create_workflow(
        session,
        document,
        message=f"Duplicated from a shared link to {source.name}"[:500],
        owner_id=visitor.user_id,
        author=author_of(visitor),
    )
    return answer(record, response, created=True)
