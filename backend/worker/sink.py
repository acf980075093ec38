"""The worker's event sink: publishes each event on the bus and remembers where the run is.

The engine hands events over in ``seq`` order and they are published in that order. On a
bus whose publish waits for a broker (``publish_window`` > 1: Kafka), up to that many
publishes overlap: an event waits for the broker's acknowledgement of the ones before it
only when the window is full, and the run's terminal event only once all before it and
itself are acknowledged — so the engine is not held for a round trip per event, and
"the end went out" still means every event did. Tokens are paced: the next one waits
until the publishes before it are acknowledged, and the engine joins what a node streams
meanwhile into that one (``PacedSink``), so a broker that falls behind gets fewer,
larger chunks instead of a growing backlog. A publish that failed is raised at the
next event (or the end). On the in-process bus each publish is awaited before the next.
What it remembers — the last ``seq`` acknowledged,
the nodes started but not finished, whether a terminal event went out — lets the worker
end a run the engine could not end itself (a timeout, a shutdown) with one more event.

A publish cut off by a forced cancel (or not acknowledged when the run is failed) may or
may not have reached the bus. ``fail`` publishes those events again before the run's end
(readers drop a duplicate by ``seq``: it is the same event, the same bytes), so the end
neither reuses a ``seq`` (and is dropped as a duplicate) nor leaves a gap. When the bus
takes nothing (it is lost), ``ending`` gives the same events and the end for the worker
to record itself, and ``delivered`` counts them as out once it has.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque

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
        self._window = max(bus.publish_window, 1)
        self._in_flight: deque[tuple[RunEvent, asyncio.Future[None] | None]] = deque()
        """Published in this order, not yet known to be acknowledged (None: being awaited
        in place)."""
        self._observer = RunObserver(run_id, workflow_id)  # metrics, spans, logs

    async def emit(self, event: RunEvent) -> None:
        if self._window == 1:  # nothing overlaps: awaited in place (a task costs more)
            self._in_flight.append((event, None))
            await self._bus.publish_event(event)
            self._in_flight.pop()
            self._sent(event)
            return
        await self._confirm(keep=self._window - 1)
        self._in_flight.append((event, asyncio.ensure_future(self._bus.publish_event(event))))
        if event.type in TERMINAL_TYPES:
            await self._confirm(keep=0)

    async def room_for_token(self) -> None:
        """Hold the next token until every publish before it is acknowledged; the engine
        joins the tokens streamed meanwhile into one chunk (``PacedSink``)."""
        if self._window > 1:
            await self._confirm(keep=0)

    async def _confirm(self, keep: int) -> None:
        """Wait for the oldest publishes until at most ``keep`` are in flight (and take the
        ones done meanwhile); raise what a publish raised (its event stays unconfirmed)."""
        while self._in_flight:
            event, publish = self._in_flight[0]
            assert publish is not None  # only overlapping publishes wait here
            if not publish.done():
                if len(self._in_flight) <= keep:
                    return
                # A cancel of the caller (a forced stop) cuts this publish off too.
                try:
                    await asyncio.wait({publish})
                except asyncio.CancelledError:
                    publish.cancel()
                    raise
            publish.result()
            self._in_flight.popleft()
            self._sent(event)

    async def fail(self, error: ErrorInfo, duration_ms: float) -> None:
        """End the run with ``run.failed`` (unless a terminal event already went out)."""
        unconfirmed = self._cut_off()
        for event in unconfirmed:  # cut off: each may have landed, or not
            await self.emit(event)
        if self.finished:
            return
        await self.emit(self._failed(error, duration_ms))

    def _cut_off(self) -> list[RunEvent]:
        """Take the acknowledged publishes as sent; stop the others and return their
        events (to be published again), in order."""
        while self._in_flight and _succeeded(self._in_flight[0][1]):
            self._sent(self._in_flight.popleft()[0])
        unconfirmed = [event for event, _ in self._in_flight]
        self._drop_in_flight()
        return unconfirmed

    def ending(self, error: ErrorInfo, duration_ms: float) -> list[RunEvent]:
        """What ``fail`` would publish, for a caller that records it itself: the events
        cut off, if any, and ``run.failed`` after them (unless the run had ended)."""
        # Every event not known to be out: one acknowledged behind an unacknowledged one
        # is recorded again (the same bytes), rather than its seq taken by the end.
        events = [event for event, _ in self._in_flight]
        if self.finished or any(event.type in TERMINAL_TYPES for event in events):
            return events
        return [*events, self._failed(error, duration_ms)]

    def delivered(self, events: list[RunEvent]) -> None:
        """``events`` reached the run's readers without the bus (recorded directly)."""
        self._drop_in_flight()
        for event in events:
            self._sent(event)

    def _drop_in_flight(self) -> None:
        for _, publish in self._in_flight:
            if publish is not None and not _succeeded(publish):  # an error is taken, too
                publish.cancel()
        self._in_flight.clear()

    def _sent(self, event: RunEvent) -> None:
        self._observer.observe(event)
        self.last_seq = max(self.last_seq, event.seq)
        _track_node(self.running, event)
        if event.type in TERMINAL_TYPES:
            self.finished = True
            self.terminal = event

    def _failed(self, error: ErrorInfo, duration_ms: float) -> RunFailed:
        """``run.failed`` after every event handed over (out or in flight), naming the
        nodes those left running."""
        running = set(self.running)
        for event, _ in self._in_flight:
            _track_node(running, event)
        seq = max([self.last_seq, *(event.seq for event, _ in self._in_flight)]) + 1
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


def _succeeded(publish: asyncio.Future[None] | None) -> bool:
    if publish is None or not publish.done() or publish.cancelled():
        return False
    with contextlib.suppress(Exception):
        return publish.exception() is None
    return False
