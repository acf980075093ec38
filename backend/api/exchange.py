"""Export a workflow as its document file, and import one as a new workflow."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from fastapi import APIRouter, Response

from backend.api.deps import DocumentBody, SessionDep, WorkflowIdDep
from backend.api.documents import DOCUMENT_REQUEST_BODY
from backend.api.problems import problem_responses
from backend.api.schemas import Workflow
from backend.api.workflows import CREATED, answer
from backend.db import workflow_store as store
from graph_engine.document import WorkflowDocument, export_bytes

router = APIRouter(prefix="/workflows", tags=["exchange"])

FILE_SUFFIX = ".nodeloom.json"
_UNSAFE_IN_FILE_NAMES = re.compile(r'[\s\x00-\x1f\x7f/\\:*?"<>|;,%]+')

EXPORTED = {
    200: {
        "description": "The workflow document as a file (the canonical export bytes).",
        "headers": {
            "Content-Disposition": {
                "description": "`attachment` with the file name.",
                "schema": {"type": "string"},
            }
        },
    }
}


@router.get(
    "/{workflow_id}/export",
    operation_id="exportWorkflow",
    response_model=WorkflowDocument,
    responses={**EXPORTED, **problem_responses(404)},
)
async def export_workflow(workflow_id: WorkflowIdDep, session: SessionDep) -> Response:
    """Download the workflow's document; importing it again gives the same bytes."""
    record = await store.get_workflow(session, workflow_id)
    document = WorkflowDocument.model_validate(record.document)
    return Response(
        export_bytes(document),
        media_type="application/json",
        headers={"Content-Disposition": content_disposition(document.name)},
    )


@router.post(
    "/import",
    operation_id="importWorkflow",
    status_code=201,
    response_model=Workflow,
    openapi_extra=DOCUMENT_REQUEST_BODY,
    responses={**CREATED, **problem_responses(400, 413, 422)},
)
async def import_workflow(
    document: DocumentBody, session: SessionDep, response: Response
) -> Workflow:
    """A new workflow from an exported document; its name comes from the document."""
    record = await store.create_workflow(session, document, message="Imported")
    return answer(record, response, created=True)


def content_disposition(name: str) -> str:
    """`attachment` with an ASCII file name, plus the Unicode one (RFC 6266) if it differs."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-").lower()[:100] or "workflow"
    header = f'attachment; filename="{slug}{FILE_SUFFIX}"'
    unicode_slug = _UNSAFE_IN_FILE_NAMES.sub("-", name).strip("-.").lower()[:100] or slug
    if unicode_slug != slug:
        header += f"; filename*=UTF-8''{quote(unicode_slug + FILE_SUFFIX, safe='')}"
    return header
