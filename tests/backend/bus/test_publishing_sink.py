"""The worker's sink ends a run whose publish was cut off by a forced cancel, on both buses.

A forced cancel (a run that did not stop within ``STOP_TIMEOUT_S``) can land while an
event is being published: the broker may have the record without the acknowledgement
having come back, or may not have it at all. Either way the run's ``run.failed`` must
reach readers, after every earlier event and with no gap in ``seq``.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Any

import pytest
from bus_support import BusFactory, event, nothing_more, take

from backend.bus import BusError, EventBus, MemoryBus
from backend.worker.sink import PublishingSink
from graph_engine.emitter import Emitter
from graph_engine.events import (
    ErrorInfo,
    NodeStarted,
    NodeStartedData,
    NodeToken,
    NodeTokenData,
    RunEvent,
    RunSucceeded,
    RunSucceededData,
    now,
)

CUT_AT = 3
SHUTDOWN = ErrorInfo(type="WorkerShutdown", code="worker_shutdown", message="shut down")


class StalledPublish:
    """The real bus, except that the publish of ``CUT_AT`` stalls once until cancelled:
    after the record reached the bus (``landed``) or before (``lost``)."""

    def __init__(self, bus: EventBus, landed: bool) -> None:
        self._bus = bus
        self._landed = landed
        self.stalled = asyncio.Event()

    async def publish_event(self, event: RunEvent) -> None:
        stall = event.seq == CUT_AT and not self.stalled.is_set()
        if stall and self._landed:
            await self._bus.publish_event(event)
        if stall:
            self.stalled.set()
            await asyncio.Event().wait()  # no acknowledgement: only a cancel ends this
        await self._bus.publish_event(event)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._bus, name)


def as_readers_see(events: list[RunEvent]) -> list[RunEvent]:
    """A run's events once each by ``seq``, the first copy kept (as the recorder and
    the WebSocket stream do)."""
    kept: dict[int, RunEvent] = {}
    for item in events:
        kept.setdefault(item.seq, item)
    return [kept[seq] for seq in sorted(kept)]


@pytest.mark.parametrize("landed", [True, False], ids=["landed", "lost"])
async def test_a_run_cut_off_mid_publish_still_ends_failed(
    bus_factory: BusFactory, landed: bool
) -> None:
    """On Kafka the engine may have handed over events past the stalled one (publishes
    overlap); readers must get each event handed over, then ``run.failed``, no gap."""
    run_id = f"run-{uuid.uuid4().hex[:8]}"
    bus = StalledPublish(await bus_factory(), landed)
    sink = PublishingSink(bus, run_id, "wf")  # type: ignore[arg-type]
    reader = await bus_factory()
    handed_over: list[int] = []
    async with reader.follow_events() as follower:

        async def engine() -> None:
            for seq in range(CUT_AT + 2):
                handed_over.append(seq)
                await sink.emit(event(run_id, seq))

        task = asyncio.create_task(engine())
        await asyncio.wait_for(bus.stalled.wait(), 15)
        task.cancel()  # the worker's last resort (the engine may be done already)
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await sink.fail(SHUTDOWN, 1.0)

        received = await _until_the_end(follower)
        await nothing_more(follower)
    seen = as_readers_see(received)
    assert [item.seq for item in seen] == [*handed_over, len(handed_over)]
    assert CUT_AT in handed_over
    assert [item.type for item in seen[-2:]] == ["node.token", "run.failed"]
    assert seen[-1].data.error == SHUTDOWN
    assert sink.finished


async def _until_the_end(follower: Any) -> list[RunEvent]:
    received: list[RunEvent] = []
    while not received or received[-1].type != "run.failed":
        received += await take(follower, 1)
    return received


@pytest.mark.parametrize("window", [1, 4])
async def test_overlapping_publishes_keep_the_order_and_the_end_waits_for_all(
    bus_factory: BusFactory, window: int
) -> None:
    """Up to ``publish_window`` publishes in flight; the end returns once every one is
    acknowledged, and readers get the run in order."""
    bus = await bus_factory()
    bus.publish_window = window
    run_id = f"run-{uuid.uuid4().hex[:8]}"
    sink = PublishingSink(bus, run_id, "wf")
    reader = await bus_factory()
    async with reader.follow_events() as follower:
        for seq in range(20):
            await sink.emit(event(run_id, seq))
        assert len(sink._in_flight) <= window
        await sink.fail(SHUTDOWN, 1.0)  # the end: published after all, acknowledged
        assert sink.finished and sink.last_seq == 20 and not sink._in_flight
        received = await _until_the_end(follower)
    assert [item.seq for item in as_readers_see(received)] == list(range(21))


async def test_when_the_bus_takes_nothing_the_ending_is_the_cut_off_event_then_run_failed():
    run_id = f"run-{uuid.uuid4().hex[:8]}"
    sink = PublishingSink(MemoryBus(), run_id, "wf")  # never started: every publish fails
    started = NodeStarted(
        run_id=run_id,
        workflow_id="wf",
        seq=1,
        ts=now(),
        node_id="llm",
        data=NodeStartedData(node_type="model.chat"),
    )
    with pytest.raises(BusError):
        await sink.emit(started)

    ending = sink.ending(SHUTDOWN, 2.0)
    assert ending[0] is started  # it may have reached the bus: recorded again, same bytes
    assert [(e.seq, e.type) for e in ending] == [(1, "node.started"), (2, "run.failed")]
    assert ending[1].data.interrupted == ["llm"] and ending[1].data.error == SHUTDOWN
    assert not sink.finished  # nothing is out until the caller says so
    sink.delivered(ending)
    assert sink.finished and sink.last_seq == 2
    assert sink.ending(SHUTDOWN, 3.0) == []


class HeldAcks:
    """The real bus, with every publish held until ``release`` (a broker falling behind)."""

    def __init__(self, bus: EventBus) -> None:
        self._bus = bus
        self.released = asyncio.Event()

    async def publish_event(self, event: RunEvent) -> None:
        await self.released.wait()
        await self._bus.publish_event(event)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._bus, name)


@pytest.mark.parametrize("window", [1, 8])
async def test_tokens_streamed_while_publishes_wait_reach_readers_as_fewer_chunks(
    bus_factory: BusFactory, window: int
) -> None:
    """Through the engine's emitter: with publishes overlapping (a broker), the tokens
    a node streams while the one before is unacknowledged join it; awaited in place (the
    in-process bus), each token goes alone. Readers get the same text either way."""
    bus = await bus_factory()
    bus.publish_window = window
    held = HeldAcks(bus)
    run_id = f"run-{uuid.uuid4().hex[:8]}"
    sink = PublishingSink(held, run_id, "wf")  # type: ignore[arg-type]
    emitter = Emitter(sink, run_id, "wf")
    words = [f"w{index} " for index in range(30)]
    reader = await bus_factory()
    async with reader.follow_events() as follower:
        emitter.emit(NodeStarted, NodeStartedData(node_type="model.chat"), "llm")
        for word in words:
            emitter.emit(NodeToken, NodeTokenData(text=word), "llm")
            await asyncio.sleep(0)
        held.released.set()
        emitter.emit(RunSucceeded, RunSucceededData(outputs={}, duration_ms=1.0))
        await emitter.aclose()
        received: list[RunEvent] = []
        while not received or received[-1].type != "run.succeeded":
            received += await take(follower, 1)
    seen = as_readers_see(received)
    assert [item.seq for item in seen] == list(range(1, len(seen) + 1))
    tokens = [item.data.text for item in seen if item.type == "node.token"]
    assert "".join(tokens) == "".join(words)
    if window == 1:
        assert tokens == words
    else:
        assert len(tokens) <= 3  # the first went at once, the rest joined behind it
