"""The workflow resource: list, create, read, save, rename, duplicate, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response

from backend.api.deps import (
    CurrentUser,
    DocumentBody,
    IfMatchDep,
    OwnerScope,
    RequiredIfMatchDep,
    SessionDep,
    WorkflowIdDep,
    author_of,
)
from backend.api.documents import DOCUMENT_REQUEST_BODY
from backend.api.paging import Offset
from backend.api.problems import problem_responses
from backend.api.schemas import (
    CreateWorkflow,
    DuplicateWorkflow,
    RenameWorkflow,
    StorableText,
    Workflow,
    WorkflowPage,
    WorkflowSummary,
)
from backend.api.workflow_answers import CREATED, CURRENT, answer, copy_name
from backend.db import workflow_store as store
from backend.db.workflow_store import WorkflowSort
from graph_engine.document import MAX_NAME_LENGTH, WorkflowDocument, empty_document

router = APIRouter(prefix="/workflows", tags=["workflows"])

Message = Annotated[
    StorableText | None,
    Query(max_length=500, description="A note about this save, shown in the history."),
]


@router.get(
    "",
    operation_id="listWorkflows",
    response_model=WorkflowPage,
    responses=problem_responses(422),
)
async def list_workflows(
    session: SessionDep,
    owner_id: OwnerScope,
    limit: Annotated[int, Query(ge=1, le=200, description="Page size.")] = 50,
    offset: Offset = 0,
    q: Annotated[
        StorableText | None,
        Query(max_length=MAX_NAME_LENGTH, description="Case-insensitive part of the name."),
    ] = None,
    sort: WorkflowSort = WorkflowSort.updated_desc,
) -> WorkflowPage:
    """Workflows, a page at a time, optionally filtered by name."""
    page = await store.list_workflows(
        session, limit=limit, offset=offset, query=q, sort=sort, owner_id=owner_id
    )
    items = [WorkflowSummary.from_record(record) for record in page.items]
    return WorkflowPage(items=items, total=page.total, limit=limit, offset=offset)


@router.post(
    "",
    operation_id="createWorkflow",
    status_code=201,
    response_model=Workflow,
    responses={**CREATED, **problem_responses(400, 413, 422)},
)
async def create_workflow(
    body: CreateWorkflow, session: SessionDep, user: CurrentUser, response: Response
) -> Workflow:
    """A new, empty workflow."""
    document = empty_document(body.name, body.description)
    record = await store.create_workflow(
        session, document, message="Created", owner_id=user.user_id, author=author_of(user)
    )
    return answer(record, response, created=True)


@router.get(
    "/{workflow_id}",
    operation_id="getWorkflow",
    response_model=Workflow,
    responses={**CURRENT, **problem_responses(404)},
)
async def get_workflow(
    workflow_id: WorkflowIdDep, session: SessionDep, response: Response
) -> Workflow:
    """The workflow with its document; the ETag is its version."""
    return answer(await store.get_workflow(session, workflow_id), response)


@router.put(
    "/{workflow_id}",
    operation_id="updateWorkflow",
    response_model=Workflow,
    openapi_extra=DOCUMENT_REQUEST_BODY,
    responses={**CURRENT, **problem_responses(400, 404, 409, 413, 422, 428)},
)
async def update_workflow(
    workflow_id: WorkflowIdDep,
    expected_version: RequiredIfMatchDep,
    document: DocumentBody,
    session: SessionDep,
    user: CurrentUser,
    response: Response,
    message: Message = None,
) -> Workflow:
    """Save the document as the next version, if `If-Match` still names the current one.

    The workflow's name and description follow the document's.
    """
    record = await store.save_document(
        session,
        workflow_id,
        document,
        expected_version=expected_version,
        message=message,
        author=author_of(user),
    )
    return answer(record, response)


@router.patch(
    "/{workflow_id}",
    operation_id="renameWorkflow",
    response_model=Workflow,
    responses={**CURRENT, **problem_responses(400, 404, 409, 413, 422)},
)
async def rename_workflow(
    workflow_id: WorkflowIdDep,
    body: RenameWorkflow,
    if_match: IfMatchDep,
    session: SessionDep,
    user: CurrentUser,
    response: Response,
) -> Workflow:
    """Change the name and/or description (a new version, "Renamed")."""

    def rename(document: WorkflowDocument) -> WorkflowDocument:
        changes = body.model_dump(exclude_none=True)
        return document.model_copy(update=changes)

    record = await store.change_document(
        session,
        workflow_id,
        rename,
        expected_version=if_match,
        message="Renamed",
        author=author_of(user),
    )
    return answer(record, response)


@router.post(
    "/{workflow_id}/duplicate",
    operation_id="duplicateWorkflow",
    status_code=201,
    response_model=Workflow,
    responses={**CREATED, **problem_responses(400, 404, 413, 422)},
)
async def duplicate_workflow(
    workflow_id: WorkflowIdDep,
    session: SessionDep,
    user: CurrentUser,
    response: Response,
    body: Annotated[DuplicateWorkflow | None, Body()] = None,
) -> Workflow:
    """A new workflow holding a copy of this one's current document."""
    source = await store.get_workflow(session, workflow_id)
    name = body.name if body and body.name else copy_name(source.name)
    document = WorkflowDocument.model_validate(source.document).model_copy(update={"name": name})
    message = f"Duplicated from version {source.version} of {source.name}"
    record = await store.create_workflow(
        session, document, message=message[:500], owner_id=user.user_id, author=author_of(user)
    )
    return answer(record, response, created=True)


@router.delete(
    "/{workflow_id}",
    operation_id="deleteWorkflow",
    status_code=204,
    response_class=Response,
    responses={204: {"description": "Deleted, with its history."}, **problem_responses(404)},
)
async def delete_workflow(workflow_id: WorkflowIdDep, session: SessionDep) -> Response:
    """Delete the workflow and its whole history."""
    await store.delete_workflow(session, workflow_id)
    return Response(status_code=204)
