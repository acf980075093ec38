"""Export a workflow as its document file, and import one (preview first) as a new workflow.

Export refuses a document whose params hold something that looks like a secret, and
lists the credentials the document needs. Import previews any supported file (a
Nodeloom document, a Langflow or Flowise export) without storing anything; the import
itself stores a Nodeloom document (the store refuses one that holds a secret).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from backend.api.deps import CurrentUser, DocumentBody, SessionDep, WorkflowIdDep, author_of
from backend.api.documents import DOCUMENT_REQUEST_BODY
from backend.api.problems import problem_responses
from backend.api.schemas import Workflow, WorkflowProblem
from backend.api.workflow_answers import CREATED, answer
from backend.db import workflow_store as store
from backend.exchange.credentials import with_credentials
from backend.exchange.importer import prepare_import
from backend.exchange.problems import secrets_error
from backend.exchange.secret_scan import scan_document
from backend.graph_problems import check_document
from graph_engine.document import MAX_NAME_LENGTH, WorkflowDocument, export_bytes

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
    responses={**EXPORTED, **problem_responses(404, 422)},
)
async def export_workflow(workflow_id: WorkflowIdDep, session: SessionDep) -> Response:
    """Download the workflow's document; importing it again gives the same bytes.

    Refused with `422 secrets_in_document` (naming every node and param) when a param
    holds something that looks like a secret: a key belongs in a credential. The
    document's `credentials` lists every credential its nodes refer to.
    """
    record = await store.get_workflow(session, workflow_id)
    refuse_secrets(record.document, "export")
    document = with_credentials(WorkflowDocument.model_validate(record.document))
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
    document: DocumentBody, session: SessionDep, user: CurrentUser, response: Response
) -> Workflow:
    """A new workflow from an exported document; its name comes from the document.

    Other tools' files go through `previewImport` first, which converts them. A document
    holding something that looks like a secret is refused, as every save is
    (`422 secret_in_params`).
    """
    record = await store.create_workflow(
        session,
        with_credentials(document),
        message="Imported",
        owner_id=user.user_id,
        author=author_of(user),
    )
    return answer(record, response, created=True)


CredentialName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]
NeededName = Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME_LENGTH)]


class ImportPreviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: Any = Field(
        description="The file's JSON: a Nodeloom document, a Langflow flow or a Flowise chatflow."
    )
    credential_map: dict[NeededName, CredentialName] | None = Field(
        default=None,
        description="For each credential the file needs (by name), one of yours to use instead.",
    )


class NeededCredential(BaseModel):
    name: str = Field(description="The name the file refers to.")
    provider: str = Field(description="e.g. `openai`, `anthropic`, `pinecone`, `postgres`.")
    mapped_to: str | None = Field(description="Your credential it will use, if mapped.")


class ImportPreview(BaseModel):
    source_format: Literal["nodeloom", "langflow", "flowise"]
    document: WorkflowDocument = Field(description="What the import will store (map applied).")
    credentials_needed: list[NeededCredential]
    notes: list[str] = Field(description="What was converted, replaced or left behind.")
    problems: list[WorkflowProblem] = Field(
        description="The graph problems the imported workflow will have, errors first."
    )


@router.post(
    "/import/preview",
    operation_id="previewImport",
    response_model=ImportPreview,
    responses={
        200: {"description": "What importing the file would create; nothing is stored."},
        **problem_responses(400, 413, 422),
    },
)
async def preview_import(body: ImportPreviewRequest, _user: CurrentUser) -> ImportPreview:
    """Convert and check a file to import, with the credential map applied; store nothing.

    `422 unknown_import_format` when the file is none of the supported formats;
    `422 invalid_document` when a Nodeloom document is broken; `422 secrets_in_document`
    when a secret sits somewhere it cannot be replaced by a credential reference.
    """
    prepared = prepare_import(body.source, body.credential_map or {})
    problems = await check_document(prepared.document)
    return ImportPreview.model_validate(
        {
            "source_format": prepared.source_format,
            "document": prepared.document,
            "credentials_needed": [asdict(item) for item in prepared.credentials_needed],
            "notes": prepared.notes,
            "problems": problems,
        }
    )


def refuse_secrets(document: dict[str, Any], action: str) -> None:
    """Raise ``SecretsInDocument`` if any node param of ``document`` looks like a secret."""
    findings = scan_document(document)
    if findings:
        raise secrets_error(document, findings, action)


def content_disposition(name: str) -> str:
    """`attachment` with an ASCII file name, plus the Unicode one (RFC 6266) if it differs."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-").lower()[:100] or "workflow"
    header = f'attachment; filename="{slug}{FILE_SUFFIX}"'
    unicode_slug = _UNSAFE_IN_FILE_NAMES.sub("-", name).strip("-.").lower()[:100] or slug
    if unicode_slug != slug:
        header += f"; filename*=UTF-8''{quote(unicode_slug + FILE_SUFFIX, safe='')}"
    return header
