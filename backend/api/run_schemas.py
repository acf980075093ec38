"""Request and response shapes of the run API (the table is ``backend.db.models.RunRecord``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Row

from backend.api.schemas import NO_NUL_PATTERN, StorableText
from backend.db.models import RunRecord
from backend.runs.summary import RunStatus
from graph_engine.events import ErrorInfo, RunEvent, TokenUsage

RunLike = RunRecord | Row[Any]
"""A run as stored: a record, or a row read with its columns."""


class StartRun(BaseModel):
    model_config = ConfigDict(extra="forbid")

    inputs: dict[StorableText, StorableText] = Field(
        default_factory=dict,
        description="A value for each of the workflow's `io.input` nodes, by name; inputs "
        "with a default may be left out.",
        json_schema_extra={"propertyNames": {"pattern": NO_NUL_PATTERN}},  # names too
    )


class NodeRunState(BaseModel):
    """Where one node of a run is, from its events."""

    status: str = Field(
        description="queued, running, succeeded, failed, skipped, cached or interrupted."
    )
    started_at: str | None = None
    finished_at: str | None = None
    duration_ms: float | None = None
    attempt: int | None = None
    preview: dict[str, Any] | None = Field(
        default=None, description="A JSON preview of each output port (succeeded, cached)."
    )
    truncated: bool | None = None
    usage: TokenUsage | None = None
    error: ErrorInfo | None = None
    reason: str | None = Field(default=None, description="Why the node was skipped.")


class RunSummary(BaseModel):
    id: str = Field(description="The run's id: 32 hexadecimal digits.")
    workflow_id: str
    workflow_version: int
    status: RunStatus
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration_ms: float | None = Field(description="As measured by the engine, when finished.")
    error: ErrorInfo | None

    @classmethod
    def from_record(cls, record: RunLike) -> Self:
        return cls.model_validate(_fields(record))


class Run(RunSummary):
    inputs: dict[str, Any]
    outputs: dict[str, Any] | None = Field(description="Each `io.output` by name, on success.")
    error_node_id: str | None = Field(description="The node whose failure failed the run.")
    nodes: dict[str, NodeRunState] = Field(description="Each node's state, by node id.")
    usage: TokenUsage = Field(description="Tokens of every model call in the run.")
    last_seq: int = Field(description="The `seq` of the newest event recorded.")
    worker_id: str | None
    heartbeat_at: datetime | None

    @classmethod
    def from_record(cls, record: RunLike) -> Self:
        fields = _fields(record)
        fields.update(
            inputs=record.inputs,
            outputs=record.outputs,
            error_node_id=record.error_node_id,
            nodes=record.nodes or {},
            usage=TokenUsage(
                input_tokens=record.input_tokens,
                output_tokens=record.output_tokens,
                total_tokens=record.input_tokens + record.output_tokens,
            ),
            last_seq=record.last_seq,
            worker_id=record.worker_id,
            heartbeat_at=record.heartbeat_at,
        )
        return cls.model_validate(fields)


def _fields(record: RunLike) -> dict[str, Any]:
    return {
        "id": record.id,
        "workflow_id": record.workflow_id,
        "workflow_version": record.workflow_version,
        "status": record.status,
        "created_at": record.created_at,
        "started_at": record.started_at,
        "finished_at": record.finished_at,
        "duration_ms": record.duration_ms,
        "error": record.error,
    }


class ListedRun(RunSummary):
    number: int = Field(
        description="The run's number in its workflow, 1 being the oldest: the same with "
        "or without a status filter."
    )

    @classmethod
    def numbered(cls, record: RunLike, number: int) -> Self:
        return cls.model_validate({**_fields(record), "number": number})


class RunPage(BaseModel):
    items: list[ListedRun]
    total: int = Field(description="Number of runs matching the filter, on every page.")
    limit: int
    offset: int


class RunEventPage(BaseModel):
    items: list[RunEvent] = Field(description="Recorded events in `seq` order.")
    next_after: int | None = Field(
        description="Pass as `after` for the next page; null when this page is the last."
    )
