"""Checking a workflow document without saving it (for editors and CI)."""

from __future__ import annotations

from fastapi import APIRouter

from backend.api.deps import DocumentBody
from backend.api.documents import DOCUMENT_REQUEST_BODY
from backend.api.problems import problem_responses
from backend.api.schemas import ValidationReport
from backend.graph_problems import check_document

router = APIRouter(prefix="/workflows", tags=["workflows"])


@router.post(
    "/validate",
    operation_id="validateWorkflow",
    response_model=ValidationReport,
    openapi_extra=DOCUMENT_REQUEST_BODY,
    responses={
        200: {"description": "The document's graph problems; nothing is stored."},
        **problem_responses(400, 413, 422),
    },
)
async def validate_workflow(document: DocumentBody) -> ValidationReport:
    """The problems a save of this document would store, without saving it.

    A document with graph problems (a cycle, say) gets `200` and `runnable: false`, as a
    save would; a structurally broken one gets `422`, as a save would.
    """
    problems = await check_document(document)
    errors = sum(problem["severity"] == "error" for problem in problems)
    return ValidationReport.model_validate(
        {
            "runnable": errors == 0,
            "error_count": errors,
            "warning_count": len(problems) - errors,
            "problems": problems,
        }
    )
