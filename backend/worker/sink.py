"""The worker's event sink: publishes each event on the bus and remembers where the run is.

Publishing is awaited, one event at a time (the engine hands them over in ``seq``
order), so a run's events reach the bus in order. What it remembers — the last ``seq``,
the nodes started but not finished, whether a terminal event went out — lets the worker
end a run the engine could not end itself (a timeout, a shutdown) with one more event.

A publish cut off by a forced cancel may or may not have reached the bus. ``fail``
publishes that event again before the run's end (readers drop a duplicate by ``seq``),
so the end neither reuses its ``seq`` (and is dropped as a duplicate) nor leaves a gap.
"""

from __future__ import annotations

from backend.bus import EventBus
from backend.observability.runs import RunObserver
from graph_engine.events import TERMINAL_TYPES, ErrorInfo, RunEvent, RunFailed, RunFailedData, now

_NODE_ENDS = frozenset({"node.succeeded", "node.failed", "node.skipped", "node.cached"})


class PublishingSink:
    def __init__(self, bus: EventBus, run_id: str, workflow_id: str) -> None:
        self._bus = bus
        self.run_id = run_id
        self.workflow_id = workflow_id
        self.last_seq = 0
        self.running: set[str] = set()
        self.finished = False
        self._publishing: RunEvent | None = None
        self._observer = RunObserver(run_id, workflow_id)  # metrics, spans, logs

    async def emit(self, event: RunEvent) -> None:
        self._publishing = event
        await self._bus.publish_event(event)
        self._publishing = None
        self._observer.observe(event)
        self.last_seq = max(self.last_seq, event.seq)
        node_id = getattr(event, "node_id", None)
        if event.type == "node.started" and node_id is not None:
            self.running.add(node_id)
        elif event.type in _NODE_ENDS and node_id is not None:
            self.running.discard(node_id)
        elif event.type in TERMINAL_TYPES:
            self.finished = True

    async def fail(self, error: ErrorInfo, duration_ms: float) -> None:
        """End the run with ``run.failed`` (unless a terminal event already went out)."""
        if self._publishing is not None:  # cut off: it may have landed, or not
            await self.emit(self._publishing)
        if self.finished:
            return
        data = RunFailedData(error=error, interrupted=sorted(self.running), duration_ms=duration_ms)
        event = RunFailed(
            run_id=self.run_id,
            workflow_id=self.workflow_id,
            seq=self.last_seq + 1,
            ts=now(),
            data=data,
        )
        await self.emit(event)
