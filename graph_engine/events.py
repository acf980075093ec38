"""Run events: one discriminated union on ``type``, the source of the frontend's types.

Every event is ``{type, run_id, workflow_id, seq, ts, node_id?, data}``:

- ``seq`` increases by exactly one per event within a run. ``run.queued`` is ``seq`` 0
  (made by whoever queues the run, see ``queued_event``); the engine starts at 1.
- ``node_id`` is present on ``node.*`` events only; ``run.failed`` names the failing
  node in ``data.node_id``.
- ``run.succeeded``, ``run.failed`` and ``run.cancelled`` are terminal: nothing follows.
  A node that had started but not finished when the run ended is listed in the
  terminal event's ``data.interrupted``.
- Errors carry a type name, a code and a message — never a stack trace, never a
  credential value.

``events_json_schema()`` is what the frontend's TypeScript types are generated from.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

M = TypeVar("M", bound=BaseModel)

PREVIEW_LIMIT = 4096
"""Bytes of JSON a ``node.succeeded`` output preview may take."""


class _Data(BaseModel):
    # Serialized events always carry every field, so the schema marks them all required.
    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_serialization_defaults_required=True
    )


class ErrorInfo(_Data):
    type: str = Field(description="The error's class name, e.g. `NodeTimeout`.")
    code: str | None = Field(default=None, description="A stable code for engine errors.")
    message: str


class TokenUsage(_Data):
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0


class ProblemInfo(_Data):
    pointer: str
    code: str
    message: str
    severity: Literal["error", "warning"] = "error"
    node_id: str | None = None
    edge_id: str | None = None


class Empty(_Data):
    pass


class RunStartedData(_Data):
    node_ids: list[str] = Field(description="Every node in the run, in document order.")


class NodeStartedData(_Data):
    node_type: str
    attempt: int = Field(default=1, ge=1)
    previous_error: ErrorInfo | None = Field(
        default=None, description="Why the previous attempt failed (attempt > 1)."
    )


class NodeTokenData(_Data):
    text: str

    def followed_by(self, later: NodeTokenData) -> NodeTokenData:
        """One chunk: this text, then ``later``'s (tokens that waited for a slow sink)."""
        return NodeTokenData(text=self.text + later.text)


class NodeSucceededData(_Data):
    duration_ms: float
    outputs: dict[str, Any] = Field(description="A JSON preview of each output port.")
    truncated: bool = Field(default=False, description=f"Preview cut at {PREVIEW_LIMIT} bytes.")
    usage: TokenUsage | None = None
    attempt: int = 1


class NodeFailedData(_Data):
    error: ErrorInfo
    duration_ms: float
    attempt: int = 1


class NodeSkippedData(_Data):
    reason: str


class NodeCachedData(_Data):
    outputs: dict[str, Any]
    truncated: bool = False


class RunSucceededData(_Data):
    duration_ms: float
    outputs: dict[str, Any] = Field(description="Each io.output by name (JSON preview).")
    truncated: bool = False


class RunFailedData(_Data):
    error: ErrorInfo
    node_id: str | None = Field(default=None, description="The node that failed, if one did.")
    problems: list[ProblemInfo] = Field(
        default_factory=list, description="Validation errors when the workflow could not start."
    )
    interrupted: list[str] = Field(default_factory=list)
    duration_ms: float = 0.0


class RunCancelledData(_Data):
    interrupted: list[str] = Field(default_factory=list)
    duration_ms: float = 0.0


class _Event(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_serialization_defaults_required=True
    )

    type: str
    run_id: str
    workflow_id: str | None = None
    seq: int = Field(ge=0)
    ts: datetime


class _NodeEvent(_Event):
    node_id: str


class RunQueued(_Event):
    type: Literal["run.queued"] = "run.queued"
    data: Empty = Field(default_factory=Empty)


class RunStarted(_Event):
    type: Literal["run.started"] = "run.started"
    data: RunStartedData


class NodeStarted(_NodeEvent):
    type: Literal["node.started"] = "node.started"
    data: NodeStartedData


class NodeToken(_NodeEvent):
    type: Literal["node.token"] = "node.token"
    data: NodeTokenData


class NodeSucceeded(_NodeEvent):
    type: Literal["node.succeeded"] = "node.succeeded"
    data: NodeSucceededData


class NodeFailed(_NodeEvent):
    type: Literal["node.failed"] = "node.failed"
    data: NodeFailedData


class NodeSkipped(_NodeEvent):
    type: Literal["node.skipped"] = "node.skipped"
    data: NodeSkippedData


class NodeCached(_NodeEvent):
    type: Literal["node.cached"] = "node.cached"
    data: NodeCachedData


class RunSucceeded(_Event):
    type: Literal["run.succeeded"] = "run.succeeded"
    data: RunSucceededData


class RunFailed(_Event):
    type: Literal["run.failed"] = "run.failed"
    data: RunFailedData


class RunCancelled(_Event):
    type: Literal["run.cancelled"] = "run.cancelled"
    data: RunCancelledData


RunEvent = Annotated[
    RunQueued
    | RunStarted
    | NodeStarted
    | NodeToken
    | NodeSucceeded
    | NodeFailed
    | NodeSkipped
    | NodeCached
    | RunSucceeded
    | RunFailed
    | RunCancelled,
    Field(discriminator="type"),
]
"""Any run event; ``parse_event`` turns JSON back into one."""

TERMINAL_TYPES = frozenset({"run.succeeded", "run.failed", "run.cancelled"})

_ADAPTER: TypeAdapter[RunEvent] = TypeAdapter(RunEvent)


def parse_event(data: dict[str, Any] | str | bytes) -> RunEvent:
    if isinstance(data, str | bytes):
        return _ADAPTER.validate_json(data)
    return _ADAPTER.validate_python(data)


def events_json_schema() -> dict[str, Any]:
    """The JSON Schema of ``RunEvent`` (serialization mode), for the frontend's types."""
    schema = _ADAPTER.json_schema(mode="serialization")
    schema["title"] = "RunEvent"
    return schema


def queued_event(run_id: str, workflow_id: str | None = None) -> RunQueued:
    """The ``run.queued`` event (``seq`` 0) for whoever queues a run."""
    return RunQueued(run_id=run_id, workflow_id=workflow_id, seq=0, ts=now())


def now() -> datetime:
    return datetime.now(UTC)


_new = object.__new__
_set = object.__setattr__


def trusted(model: type[M], fields: dict[str, Any], fields_set: set[str]) -> M:
    """``model(**fields)`` without validation, for fields the engine built itself.

    Validating costs more than the rest of emitting an event, and the engine's own values
    (floats from the clock, dicts from ``preview``, ids it checked once) are valid by
    construction. ``fields`` must hold every field, in declaration order; ``fields_set``
    the ones a validated call would have been given. The result equals the validated
    model (a test pins that); anything from outside the engine is validated as before.
    """
    instance = _new(model)
    _set(instance, "__dict__", fields)
    _set(instance, "__pydantic_fields_set__", fields_set)
    _set(instance, "__pydantic_extra__", None)
    _set(instance, "__pydantic_private__", None)
    return instance


class EventSink(Protocol):
    """Where the engine hands its events, one at a time, in ``seq`` order."""

    async def emit(self, event: RunEvent) -> None: ...


@runtime_checkable
class PacedSink(EventSink, Protocol):
    """A sink that sets the pace of streamed tokens.

    Before handing over a ``node.token`` the engine awaits ``room_for_token``; tokens a
    node streams meanwhile join the one waiting (one chunk, the first token's ``seq``
    and ``ts``), so a sink that falls behind gets fewer, larger chunks rather than a
    growing queue. A sink that keeps up sees every token on its own."""

    async def room_for_token(self) -> None: ...


class ListSink:
    """Keeps every event (tests, the CLI)."""

    def __init__(self) -> None:
        self.events: list[RunEvent] = []

    async def emit(self, event: RunEvent) -> None:
        self.events.append(event)

    def types(self) -> list[str]:
        return [event.type for event in self.events]

    def of(self, event_type: str, node_id: str | None = None) -> list[RunEvent]:
        return [
            event
            for event in self.events
            if event.type == event_type
            and (node_id is None or getattr(event, "node_id", None) == node_id)
        ]


class CallbackSink:
    """Calls ``callback(event)`` for every event; the callback may be sync or async."""

    def __init__(self, callback: Callable[[RunEvent], Awaitable[None] | None]) -> None:
        self._callback = callback

    async def emit(self, event: RunEvent) -> None:
        result = self._callback(event)
        if result is not None:
            await result
