"""What travels on the bus: run requests, run events and control messages.

Each message is JSON on the wire and carries a ``run_id``, which is its key: everything
about one run lands on one partition and so stays in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from graph_engine.events import RunEvent, parse_event

T = TypeVar("T")


class RunRequest(BaseModel):
    """Run ``version`` of workflow ``workflow_id`` as run ``run_id``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    run_id: str
    workflow_id: str
    version: int = Field(ge=1)
    inputs: dict[str, Any] = Field(default_factory=dict)
    document: dict[str, Any] | None = Field(
        default=None, description="The workflow document, when the worker should not load it."
    )


class ControlMessage(BaseModel):
    """An instruction to whichever worker runs ``run_id``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    action: Literal["cancel"] = "cancel"
    run_id: str


@dataclass(frozen=True)
class Channel(Generic[T]):
    """One topic: its name (without prefix) and how its messages are encoded."""

    name: str
    decode: Callable[[bytes], T]

    def encode(self, message: BaseModel) -> bytes:
        return message.model_dump_json().encode()

    @staticmethod
    def key(message: BaseModel) -> bytes:
        return str(message.run_id).encode()  # type: ignore[attr-defined]


REQUESTS: Channel[RunRequest] = Channel("nodeloom.run-requests", RunRequest.model_validate_json)
EVENTS: Channel[RunEvent] = Channel("nodeloom.run-events", parse_event)
CONTROL: Channel[ControlMessage] = Channel(
    "nodeloom.run-control", ControlMessage.model_validate_json
)
CHANNELS: tuple[Channel[Any], ...] = (REQUESTS, EVENTS, CONTROL)
