"""A run's summary, folded from its events: status, per-node state, outputs, error, tokens.

``RunSummary.apply(event)`` is pure bookkeeping (no I/O): the recorder loads a run's
summary, applies the new events in ``seq`` order and stores it again. Events at or below
``last_seq`` were applied before and are ignored, so a redelivered event changes
nothing; once the run is finished (``succeeded``, ``failed``, ``cancelled``) the summary
no longer changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from graph_engine.events import RunEvent


class RunStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    cancelled = "cancelled"

    @property
    def finished(self) -> bool:
        return self in FINISHED


FINISHED = frozenset({RunStatus.succeeded, RunStatus.failed, RunStatus.cancelled})
_TERMINAL = {
    "run.succeeded": RunStatus.succeeded,
    "run.failed": RunStatus.failed,
    "run.cancelled": RunStatus.cancelled,
}
_NODE_STATUS = {
    "node.started": "running",
    "node.succeeded": "succeeded",
    "node.failed": "failed",
    "node.skipped": "skipped",
    "node.cached": "cached",
}


@dataclass
class RunSummary:
    status: RunStatus
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    last_seq: int = 0
    outputs: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    error_node_id: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    duration_ms: float | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None

    def apply(self, event: RunEvent) -> bool:
        """Fold ``event`` in; ``False`` when it was already applied or the run is over."""
        if event.seq <= self.last_seq or self.status.finished:
            return False
        self.last_seq = event.seq
        if event.type == "run.started":
            self._started(event.ts, list(event.data.node_ids))
        elif event.type in _TERMINAL:
            self._finished(event)
        elif event.type in _NODE_STATUS:
            self._node(event)
        return True

    def _started(self, ts: datetime, node_ids: list[str]) -> None:
        self.status = RunStatus.running
        self.started_at = self.started_at or ts
        for node_id in node_ids:
            self.nodes.setdefault(node_id, {"status": "queued"})

    def _node(self, event: Any) -> None:
        if self.status is RunStatus.queued:
            self.status = RunStatus.running
        node = self.nodes.setdefault(event.node_id, {"status": "queued"})
        node["status"] = _NODE_STATUS[event.type]
        data = event.data
        if event.type == "node.started":
            node.update(started_at=_iso(event.ts), attempt=data.attempt)
            node.pop("error", None)
            return
        node["finished_at"] = _iso(event.ts)
        if event.type == "node.succeeded":
            node.update(
                duration_ms=data.duration_ms, preview=data.outputs, truncated=data.truncated
            )
            if data.usage is not None:
                node["usage"] = data.usage.model_dump()
                self.input_tokens += data.usage.input_tokens
                self.output_tokens += data.usage.output_tokens
        elif event.type == "node.failed":
            node.update(duration_ms=data.duration_ms, error=data.error.model_dump())
        elif event.type == "node.skipped":
            node["reason"] = data.reason
        elif event.type == "node.cached":
            node.update(preview=data.outputs, truncated=data.truncated)

    def _finished(self, event: Any) -> None:
        self.status = _TERMINAL[event.type]
        self.finished_at = event.ts
        data = event.data
        self.duration_ms = data.duration_ms
        if event.type == "run.succeeded":
            self.outputs = data.outputs
            return
        for node_id in data.interrupted:
            self.nodes.setdefault(node_id, {})["status"] = "interrupted"
        if event.type == "run.failed":
            self.error = data.error.model_dump()
            self.error_node_id = data.node_id


def _iso(ts: datetime) -> str:
    return ts.isoformat().replace("+00:00", "Z")
