"""What one run's events say to operators: metrics, spans and a few log lines.

The worker's sink hands every event of its run to a ``RunObserver`` as it publishes it,
so the figures are counted once, by the process that ran the run. Node types are learnt
from ``node.started`` (the end events name only the node).
"""

from __future__ import annotations

import logging
from typing import Any

from backend.observability.metrics import NODE_DURATION, RUNS
from backend.observability.tracing import run_spans

log = logging.getLogger("nodeloom.runs")
_NODE_ENDS = {"node.succeeded": "succeeded", "node.failed": "failed"}
_NODE_OTHERS = {"node.skipped": "skipped", "node.cached": "cached"}
_RUN_ENDS = {"run.succeeded": "succeeded", "run.failed": "failed", "run.cancelled": "cancelled"}


class RunObserver:
    __slots__ = ("_node_types", "_spans", "run_id", "workflow_id")

    def __init__(self, run_id: str, workflow_id: str | None) -> None:
        self.run_id = run_id
        self.workflow_id = workflow_id
        self._node_types: dict[str, str] = {}
        self._spans = run_spans(run_id, workflow_id)

    def observe(self, event: Any) -> None:
        kind = event.type
        if kind == "node.started":
            self._node_types[event.node_id] = event.data.node_type
            if self._spans is not None:
                self._spans.node_started(event.node_id, event.data.node_type, event.ts)
        elif kind in _NODE_ENDS:
            self._node_ended(event, _NODE_ENDS[kind])
        elif kind in _RUN_ENDS:
            self._run_ended(event, _RUN_ENDS[kind])
        elif kind == "run.started" and self._spans is not None:
            self._spans.run_started(event.ts)
        elif kind in _NODE_OTHERS and self._spans is not None:
            self._spans.node_started(event.node_id, "", event.ts)
            self._spans.node_ended(event.node_id, _NODE_OTHERS[kind], event.ts, None)

    def _node_ended(self, event: Any, status: str) -> None:
        node_type = self._node_types.pop(event.node_id, "unknown")
        NODE_DURATION.labels(node_type, status).observe(event.data.duration_ms / 1000)
        error = None
        if status == "failed":
            error = f"{event.data.error.type}: {event.data.error.message}"
            log.info("node failed: %s", error, extra=self._extra(event.node_id))
        if self._spans is not None:
            self._spans.node_ended(event.node_id, status, event.ts, error)

    def _run_ended(self, event: Any, status: str) -> None:
        RUNS.labels(status).inc()
        error = None
        duration = event.data.duration_ms
        if status == "failed":
            error = f"{event.data.error.type}: {event.data.error.message}"
            extra = self._extra(event.data.node_id)
            log.warning("run failed after %.0f ms: %s", duration, error, extra=extra)
        else:
            log.debug("run %s after %.0f ms", status, duration, extra=self._extra(None))
        if self._spans is not None:
            self._spans.run_ended(status, event.ts, error)

    def _extra(self, node_id: str | None) -> dict[str, str | None]:
        return {"run_id": self.run_id, "workflow_id": self.workflow_id, "node_id": node_id}
