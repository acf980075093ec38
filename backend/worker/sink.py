"""The worker's event sink: publishes each event on the bus and remembers where the run is.

Publishing is awaited, one event at a time (the engine hands them over in ``seq``
order), so a run's events reach the bus in order. What it remembers — the last ``seq``,
the nodes started but not finished, whether a terminal event went out — lets the worker
end a run the engine could not end itself (a timeout, a shutdown) with one more event.

A publish cut off by a forced cancel may or may not have reached the bus. ``fail``
publishes that event again before the run's end (readers drop a duplicate by ``seq``),
so the end neither reuses its ``seq`` (and is dropped as a duplicate) nor leaves a gap.
When the bus takes nothing (it is lost), ``ending`` gives the same two events for the
worker to record itself, and ``delivered`` counts them as out once it has.
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
        self.terminal: RunEvent | None = None
        """The run's terminal event, once it went out."""
        self._publishing: RunEvent | None = None
        self._observer = RunObserver(run_id, workflow_id)  # metrics, spans, logs

    async def emit(self, event: RunEvent) -> None:
        self._publishing = event
        await self._bus.publish_event(event)
        self._publishing = None
        self._sent(event)

    async def fail(self, error: ErrorInfo, duration_ms: float) -> None:
        """End the run with ``run.failed`` (unless a terminal event already went out)."""
        if self._publishing is not None:  # cut off: it may have landed, or not
            await self.emit(self._publishing)
        if self.finished:
            return
        await self.emit(self._failed(error, duration_ms, self.last_seq + 1, self.running))

    def ending(self, error: ErrorInfo, duration_ms: float) -> list[RunEvent]:
        """What ``fail`` would publish, for a caller that records it itself: the event cut
        off, if any, and ``run.failed`` after it (unless the run had ended)."""
        events = [] if self._publishing is None else [self._publishing]
        if self.finished or any(event.type in TERMINAL_TYPES for event in events):
            return events
        running = set(self.running)
        for event in events:
            _track_node(running, event)
        seq = max([self.last_seq, *(event.seq for event in events)]) + 1
        return [*events, self._failed(error, duration_ms, seq, running)]

    def delivered(self, events: list[RunEvent]) -> None:
        """``events`` reached the run's readers without the bus (recorded directly)."""
        self._publishing = None
        for event in events:
            self._sent(event)

    def _sent(self, event: RunEvent) -> None:
        self._observer.observe(event)
        self.last_seq = max(self.last_seq, event.seq)
        _track_node(self.running, event)
        if event.type in TERMINAL_TYPES:
            self.finished = True
            self.terminal = event

    def _failed(
        self, error: ErrorInfo, duration_ms: float, seq: int, running: set[str]
    ) -> RunFailed:
        data = RunFailedData(error=error, interrupted=sorted(running), duration_ms=duration_ms)
        return RunFailed(
            run_id=self.run_id, workflow_id=self.workflow_id, seq=seq, ts=now(), data=data
        )


def _track_node(running: set[str], event: RunEvent) -> None:
    """Keep ``running`` (the nodes started and not finished) current with ``event``."""
    node_id = getattr(event, "node_id", None)
    if node_id is None:
        return
    if event.type == "node.started":
        running.add(node_id)
    elif event.type in _NODE_ENDS:
        running.discard(node_id)
