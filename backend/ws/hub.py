"""The hub: this API process's one follower of the run events, fanned out by ``run_id``.

``follow`` reads every event published on the bus (a broadcast follower: no group) and
hands each to the subscriptions of its run. A subscription holds what it has not taken
yet, up to a bound; past it, events are dropped and the reader notices a gap in ``seq``
and fills it from the database. ``recorded`` wakes the subscriptions of runs the local
recorder just wrote, so a reader waiting to fill a gap does not wait for its next poll.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from backend.bus import BusError, EventBus
from graph_engine.events import RunEvent

log = logging.getLogger(__name__)
SUBSCRIPTION_LIMIT = 10_000
RESTART_DELAY_S = 0.5


class Subscription:
    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        self.events: list[RunEvent] = []
        self.dropped = 0
        self._wake = asyncio.Event()

    def put(self, event: RunEvent) -> None:
        if len(self.events) >= SUBSCRIPTION_LIMIT:
            self.dropped += 1
        else:
            self.events.append(event)
        self._wake.set()

    def wake(self) -> None:
        self._wake.set()

    def take(self) -> list[RunEvent]:
        taken, self.events = self.events, []
        self._wake.clear()
        return taken

    async def wait(self, seconds: float) -> None:
        """Until an event arrives (or ``wake``), at most ``seconds``."""
        if self.events:
            return
        try:
            async with asyncio.timeout(seconds):
                await self._wake.wait()
        except TimeoutError:
            pass


class Hub:
    def __init__(self) -> None:
        self._subscriptions: dict[str, set[Subscription]] = {}
        self.following = asyncio.Event()
        self.received = 0

    @contextmanager
    def subscribe(self, run_id: str) -> Iterator[Subscription]:
        subscription = Subscription(run_id)
        self._subscriptions.setdefault(run_id, set()).add(subscription)
        try:
            yield subscription
        finally:
            subscribers = self._subscriptions.get(run_id, set())
            subscribers.discard(subscription)
            if not subscribers:
                self._subscriptions.pop(run_id, None)

    def publish(self, event: RunEvent) -> None:
        self.received += 1
        for subscription in self._subscriptions.get(event.run_id, ()):
            subscription.put(event)

    def recorded(self, events: Sequence[RunEvent]) -> None:
        for run_id in {event.run_id for event in events}:
            for subscription in self._subscriptions.get(run_id, ()):
                subscription.wake()

    async def follow(self, bus: EventBus) -> None:
        """Feed the hub from the bus until cancelled (re-following after a bus error)."""
        while True:
            try:
                async with bus.follow_events() as events:
                    self.following.set()
                    async for event in events:
                        self.publish(event)
                return
            except BusError as error:
                log.warning("following run events failed, retrying: %r", error)
            await asyncio.sleep(RESTART_DELAY_S)
