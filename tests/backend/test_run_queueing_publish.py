"""How a run's first event and its request go out (``backend.api.run_queueing._publish``):
together where a publish waits for a broker, and a refusal of either is raised after
both were tried (the caller then fails the run with 503)."""

from __future__ import annotations

import asyncio

import pytest

from backend.api.run_queueing import _publish
from backend.bus import BusUnavailable, RunRequest
from graph_engine.events import RunEvent, queued_event


class _Broker:
    """A bus's two publishes, each taking ``delay`` as a broker's acknowledgement would;
    it counts how many were waiting at once."""

    def __init__(self, window: int, *, refuse_request: bool = False, delay: float = 0.01):
        self.publish_window = window
        self.refuse_request = refuse_request
        self.delay = delay
        self.published: list[str] = []
        self.in_flight = self.most_in_flight = 0

    async def _acknowledged(self) -> None:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(self.delay)
        self.in_flight -= 1

    async def publish_event(self, event: RunEvent) -> None:
        await self._acknowledged()
        self.published.append(event.type)

    async def publish_request(self, request: RunRequest) -> None:
        await self._acknowledged()
        if self.refuse_request:
            raise BusUnavailable("the broker is down")
        self.published.append("request")


def _run() -> tuple[RunEvent, RunRequest]:
    return queued_event("r1", workflow_id="wf"), RunRequest(
        run_id="r1", workflow_id="wf", version=1
    )


async def test_on_a_broker_the_two_publishes_share_one_wait() -> None:
    bus = _Broker(window=32)
    await _publish(bus, *_run())  # type: ignore[arg-type]
    assert bus.most_in_flight == 2
    assert sorted(bus.published) == ["request", "run.queued"]


async def test_in_process_the_event_goes_first() -> None:
    bus = _Broker(window=1)
    await _publish(bus, *_run())  # type: ignore[arg-type]
    assert bus.most_in_flight == 1
    assert bus.published == ["run.queued", "request"]


async def test_a_refused_request_is_raised_after_the_event_went_out() -> None:
    bus = _Broker(window=32, refuse_request=True)
    with pytest.raises(BusUnavailable):
        await _publish(bus, *_run())  # type: ignore[arg-type]
    assert bus.published == ["run.queued"]
