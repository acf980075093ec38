"""Request and response shapes of the API (storage rows live in ``backend.db.models``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from backend.db.models import WorkflowRecord, WorkflowVersionRecord
from graph_engine.document import MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH, WorkflowDocument


def refuse_unstorable(value: str) -> str:
    """Refuse text no database can store: NUL characters and lone UTF-16 surrogates."""
    if "\x00" in value:
        raise ValueError("Text must not contain NUL (\\u0000) characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError("Text must be valid Unicode (it holds a lone surrogate).") from error
    return value


_Storable = AfterValidator(refuse_unstorable)
StorableText = Annotated[str, _Storable]
Name = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_NAME_LENGTH, strict=True), _Storable
]
Description = Annotated[
    str, StringConstraints(max_length=MAX_DESCRIPTION_LENGTH, strict=True), _Storable
]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CreateWorkflow(_Request):
    name: Name = Field(description="Name of the new workflow.")
    description: Description = Field(default="", description="What the workflow is for.")


class RenameWorkflow(_Request):
    name: Name | None = Field(default=None, description="The new name, if it changes.")
    description: Description | None = Field(
        default=None, description="The new description, if it changes."
    )

    @model_validator(mode="after")
    def _something_changes(self) -> Self:
        if self.name is None and self.description is None:
            raise ValueError("Give a new name, a new description or both.")
        return self


class DuplicateWorkflow(_Request):
    name: Name | None = Field(
        default=None, description='Name of the copy; defaults to "<name> (copy)".'
    )


class _FromRecord(BaseModel):
    # Built straight from ORM rows; the stored document is validated on the way out.
    model_config = ConfigDict(from_attributes=True)

    @classmethod
    def from_record(cls, record: WorkflowRecord | WorkflowVersionRecord) -> Self:
        return cls.model_validate(record)


class WorkflowSummary(_FromRecord):
    id: str = Field(description="The workflow's id: 32 hexadecimal digits.")
    name: str
    description: str
    version: int = Field(description="Number of accepted saves; the workflow's ETag.")
    node_count: int
    created_at: datetime
    updated_at: datetime


class Workflow(WorkflowSummary):
    document: WorkflowDocument


class VersionSummary(_FromRecord):
    version: int
    name: str
    author: str
    message: str | None
    created_at: datetime
    node_count: int


class Version(VersionSummary):
    document: WorkflowDocument


class WorkflowPage(BaseModel):
    items: list[WorkflowSummary]
    total: int = Field(description="Number of workflows matching the query, on every page.")
    limit: int
    offset: int


class VersionPage(BaseModel):
    items: list[VersionSummary]
    total: int = Field(description="Number of versions of the workflow.")
    limit: int
    offset: int


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    status: Literal["ok"] = "ok"
    database: Literal["ok"] = "ok"


class ProblemItem(BaseModel):
    """One fault in a request: ``pointer`` for the body, ``parameter``/``in`` otherwise."""

    model_config = ConfigDict(populate_by_name=True)

    code: str = Field(description="Stable code, e.g. `duplicate_node_id`.")
    message: str
    pointer: str | None = Field(
        default=None, description='RFC 6901 pointer into the request body, e.g. "/nodes/3/id".'
    )
    parameter: str | None = Field(default=None, description="Name of the faulty parameter.")
    in_: Literal["query", "header", "path", "cookie"] | None = Field(default=None, alias="in")


class Problem(BaseModel):
    """An RFC 9457 problem document; every error response of the API is one."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="`https://nodeloom.dev/problems/<code>`.")
    title: str
    status: int
    detail: str
    code: str = Field(description="The last part of `type`, e.g. `version_conflict`.")
    errors: list[ProblemItem] | None = Field(
        default=None, description="Every fault found in the request, each located."
    )
    current_version: int | None = Field(
        default=None, description="On `409 version_conflict`: the workflow's version now."
    )
    max_body_bytes: int | None = Field(
        default=None, description="On `413 payload_too_large`: the largest accepted body."
    )
    line: int | None = Field(default=None, description="On `400 malformed_json`: 1-based line.")
    column: int | None = Field(default=None, description="On `400 malformed_json`: 1-based column.")
    error_id: str | None = Field(
        default=None, description="On `500 internal_error`: the id under which it was logged."
    )
