"""Request and response shapes of the API (storage rows live in ``backend.db.models``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StringConstraints,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from backend.db.models import WorkflowRecord, WorkflowVersionRecord
from graph_engine.document import MAX_DESCRIPTION_LENGTH, DisplayName, WorkflowDocument
from graph_engine.ports import PortType


def refuse_unstorable(value: str) -> str:
    """Refuse text no database can store: NUL characters and lone UTF-16 surrogates."""
    if "\x00" in value:
        raise ValueError("Text must not contain NUL (\\u0000) characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError("Text must be valid Unicode (it holds a lone surrogate).") from error
    return value


NO_NUL_PATTERN = "^[^\\u0000]*$"


@dataclass(frozen=True, slots=True)
class StatedPattern:
    """A ``pattern`` the JSON Schema states for what a validator checks, the validator
    keeping its own words for a refusal. ``weak``: a pattern the field already has stays."""

    pattern: str
    weak: bool = False

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        if not (self.weak and "pattern" in schema):
            schema["pattern"] = self.pattern
        return schema


# refuse_unstorable, stated: no NUL. Lone surrogates are left out: JSON text cannot carry one.
_NO_NUL_STATED = StatedPattern(NO_NUL_PATTERN, weak=True)


def at_least_one_of(*fields: str) -> dict[str, Any]:
    """JSON Schema for a change that must name something to change: one of ``fields``,
    not null (a model validator refuses the rest; this states it)."""
    return {
        "anyOf": [
            {"required": [name], "properties": {name: {"not": {"type": "null"}}}} for name in fields
        ]
    }


_Storable = AfterValidator(refuse_unstorable)
StorableText = Annotated[str, _Storable, _NO_NUL_STATED]
Name = DisplayName  # the rule a workflow document's name follows (graph_engine.names)
Description = Annotated[
    str,
    StringConstraints(max_length=MAX_DESCRIPTION_LENGTH, strict=True),
    _Storable,
    _NO_NUL_STATED,
]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CreateWorkflow(_Request):
    name: Name = Field(description="Name of the new workflow.")
    description: Description = Field(default="", description="What the workflow is for.")


class RenameWorkflow(_Request):
    model_config = ConfigDict(json_schema_extra=at_least_one_of("name", "description"))

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


class WorkflowProblem(BaseModel):
    """One problem ``graph_engine.validate`` found in a workflow's graph."""

    code: str = Field(description="Stable code, e.g. `cycle` or `incompatible_ports`.")
    severity: Literal["error", "warning"] = Field(
        description="`error` blocks runs (never saves); `warning` is only shown."
    )
    pointer: str = Field(description='RFC 6901 pointer into the document, e.g. "/edges/2".')
    node_id: str | None = Field(default=None, description="The node at fault, if one is.")
    edge_id: str | None = Field(default=None, description="The edge at fault, if one is.")
    message: str


_RUNNABLE = Field(description="True when no problem is an error: the workflow can run.")
_PROBLEMS = Field(
    description="What the graph check found when this document was saved, errors first."
)


class WorkflowSummary(_FromRecord):
    id: str = Field(description="The workflow's id: 32 hexadecimal digits.")
    name: str
    description: str
    version: int = Field(description="Number of accepted saves; the workflow's ETag.")
    node_count: int
    runnable: bool = _RUNNABLE
    created_at: datetime
    updated_at: datetime


class Workflow(WorkflowSummary):
    document: WorkflowDocument
    problems: list[WorkflowProblem] = _PROBLEMS


class VersionSummary(_FromRecord):
    version: int
    name: str
    author: str
    message: str | None
    created_at: datetime
    node_count: int
    runnable: bool = _RUNNABLE


class Version(VersionSummary):
    document: WorkflowDocument
    problems: list[WorkflowProblem] = _PROBLEMS


class ValidationReport(BaseModel):
    """The graph problems of a document, as a save would store them."""

    runnable: bool = _RUNNABLE
    error_count: int = Field(ge=0)
    warning_count: int = Field(ge=0)
    problems: list[WorkflowProblem] = Field(description="Every problem found, errors first.")


class Port(BaseModel):
    """A named input or output handle of a node type."""

    name: str
    type: PortType = Field(
        description="Decides which handles may connect; see `port_compatibility`."
    )
    title: str
    required: bool = Field(description="Inputs: the workflow cannot run while it is unconnected.")
    multiple: bool = Field(description="Inputs: several edges may feed it (a list arrives).")
    description: str


class NodeTypeInfo(BaseModel):
    """One node type of the catalogue: enough to draw it and render its inspector form."""

    type_id: str = Field(description="Part of the export format, e.g. `prompt.template`.")
    title: str
    category: str
    description: str
    params_schema: dict[str, Any] = Field(description="JSON Schema of the node's `params`.")
    inputs: list[Port] = Field(description="Fixed inputs (dynamic ones come from params).")
    outputs: list[Port] = Field(description="Fixed outputs (dynamic ones come from params).")
    dynamic_inputs_from: str | None = Field(
        description="The param that derives extra inputs (e.g. a template's variables)."
    )
    dynamic_outputs_from: str | None = Field(
        description="The param that derives extra outputs (e.g. a router's routes)."
    )


class NodeTypeCatalogue(BaseModel):
    items: list[NodeTypeInfo] = Field(description="Every node type, sorted by `type_id`.")
    port_compatibility: dict[PortType, list[PortType]] = Field(
        description="Port type of an output → the input port types it may connect to."
    )


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
    node_id: str | None = Field(
        default=None, description="The workflow node at fault, when the body is a workflow."
    )
    # On `secret_in_params`: which secret, where, and what to do with it (never its value).
    node_title: str | None = Field(default=None, description="What the canvas calls the node.")
    param: str | None = Field(
        default=None, description='RFC 6901 pointer inside the node\'s params, e.g. "/template".'
    )
    kind: str | None = Field(default=None, description="What it looks like, e.g. `openai_key`.")
    provider: str | None = Field(
        default=None, description="The credential provider its shape implies, e.g. `anthropic`."
    )
    start: int | None = Field(
        default=None, description="Where the secret starts in the param's text (code points)."
    )
    end: int | None = Field(default=None, description="Where it ends (exclusive).")
    action: Literal["store_as_credential"] | None = Field(
        default=None, description="What fixes it: move the value into a credential."
    )


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
