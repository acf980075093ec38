"""A workflow's history: every accepted save, newest first, and restoring one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from backend.api.deps import CurrentUser, IfMatchDep, SessionDep, WorkflowIdDep, author_of
from backend.api.paging import Offset
from backend.api.problems import problem_responses
from backend.api.schemas import Version, VersionPage, VersionSummary, Workflow
from backend.api.workflow_answers import CURRENT, answer
from backend.db import workflow_store as store
from backend.db.workflow_store import MAX_VERSION
from graph_engine.document import WorkflowDocument

router = APIRouter(prefix="/workflows/{workflow_id}/versions", tags=["versions"])

VersionNumber = Annotated[int, Path(ge=1, le=MAX_VERSION, description="The version number.")]


@router.get(
    "",
    operation_id="listWorkflowVersions",
    response_model=VersionPage,
    responses=problem_responses(404, 422),
)
async def list_workflow_versions(
    workflow_id: WorkflowIdDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200, description="Page size.")] = 50,
    offset: Offset = 0,
) -> VersionPage:
    """The workflow's saved versions, newest first."""
    page = await store.list_versions(session, workflow_id, limit=limit, offset=offset)
    items = [VersionSummary.from_record(record) for record in page.items]
    return VersionPage(items=items, total=page.total, limit=limit, offset=offset)


@router.get(
    "/{version}",
    operation_id="getWorkflowVersion",
    response_model=Version,
    responses=problem_responses(404, 422),
)
async def get_workflow_version(
    workflow_id: WorkflowIdDep, version: VersionNumber, session: SessionDep
) -> Version:
    """One saved version with its document."""
    return Version.from_record(await store.get_version(session, workflow_id, version))


@router.post(
    "/{version}/restore",
    operation_id="restoreWorkflowVersion",
    response_model=Workflow,
    responses={**CURRENT, **problem_responses(400, 404, 409, 422)},
)
async def restore_workflow_version(
    workflow_id: WorkflowIdDep,
    version: VersionNumber,
    if_match: IfMatchDep,
    session: SessionDep,
    user: CurrentUser,
    response: Response,
) -> Workflow:
    """Make an old version current again, as a new version; the history stays intact."""
    old = await store.get_version(session, workflow_id, version)
    restored = WorkflowDocument.model_validate(old.document)
    record = await store.change_document(
        session,
        workflow_id,
        lambda _current: restored,
        expected_version=if_match,
        message=f"Restored version {version}",
        author=author_of(user),
    )
    return answer(record, response)
