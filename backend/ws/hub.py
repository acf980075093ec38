"""The hub: this API process's one follower of the run events, fanned out by ``run_id``,
and the word of what the database holds of each run.

``follow`` reads the events published on the bus (a broadcast follower: no group) of the
runs watched here (``watched``; on Kafka only those) and hands each to the
subscriptions of its run. ``recorded`` hands them the word that the
database now holds a run's events up to some ``seq`` (``backend.db.recorded_signal``:
from this process's writers, and on PostgreSQL from every process's); ``recorded_lost``
says that such word may have been missed (the listening connection came back), so every
subscription looks at the database again.

A subscription only collects; ``backend.ws.stream`` decides what to send from it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from backend.bus import BusError, EventBus
from backend.bus.watched import WatchedRuns
from backend.db.recorded_signal import Recorded
from graph_engine.events import RunEvent

log = logging.getLogger(__name__)
SUBSCRIPTION_LIMIT = 10_000
"""Live events a subscription holds for a slow reader; past it they are dropped (the
reader then finds them in the database)."""
RESTART_DELAY_S = 0.5
UNKNOWN = 2**63 - 1
"""A ``recorded_seq`` that makes a reader look at the database: word may have been missed."""


class Subscription:
    """A run's live events as this process's follower saw them, and the word of what the
    database holds of the run (``recorded_seq``, ``recorded_ended``; both only grow)."""

    def __init__(self, run_id: str, *, live: bool = True) -> None:
        self.run_id = run_id
        self.events: list[RunEvent] = []
        self.dropped = 0
        self.recorded_seq = -1
        self.recorded_ended = False
        self.words = 0
        """How many words of writes arrived (a reader compares it with what it last read)."""
        self._live = live
        self._wake = asyncio.Event()

    def put(self, event: RunEvent) -> None:
        if not self._live:
            return
        if len(self.events) >= SUBSCRIPTION_LIMIT:
            self.dropped += 1
        else:
            self.events.append(event)
        self._wake.set()

    def recorded(self, mark: Recorded) -> None:
        self.recorded_seq = max(self.recorded_seq, mark.seq)
        self.recorded_ended = self.recorded_ended or mark.ended
        self.words += 1
        self._wake.set()

    def take(self) -> list[RunEvent]:
        taken, self.events = self.events, []
        return taken

    async def wait(self, seconds: float | None = None) -> bool:
        """Until a live event or word of a write arrives since the last wait, at most
        ``seconds`` (None: no limit); False if nothing came."""
        try:
            async with asyncio.timeout(seconds):
                await self._wake.wait()
        except TimeoutError:
            return False
        self._wake.clear()
        return True


class Hub:
    def __init__(self) -> None:
        self._subscriptions: dict[str, set[Subscription]] = {}
        self.watched = WatchedRuns()
        """The runs whose live events some subscription here wants (the follower's filter)."""
        self.following = asyncio.Event()
        self.received = 0

    @contextmanager
    def subscribe(self, run_id: str, *, live: bool = True) -> Iterator[Subscription]:
        """A subscription to ``run_id`` while the block runs; ``live=False`` hears only the
        word of writes (for a caller that reads the run, not its events)."""
        subscription = Subscription(run_id, live=live)
        self._subscriptions.setdefault(run_id, set()).add(subscription)
        if live:
            self.watched.add(run_id)
        try:
            yield subscription
        finally:
            if live:
                self.watched.discard(run_id)
            subscriptions = self._subscriptions.get(run_id, set())
            subscriptions.discard(subscription)
            if not subscriptions:
                self._subscriptions.pop(run_id, None)

    def publish(self, event: RunEvent) -> None:
        self.received += 1
        for subscription in self._subscriptions.get(event.run_id, ()):
            subscription.put(event)

    def recorded(self, runs: Mapping[str, Recorded]) -> None:
        for run_id, mark in runs.items():
            for subscription in self._subscriptions.get(run_id, ()):
                subscription.recorded(mark)

    def recorded_lost(self) -> None:
        """Word may have been missed: every reader looks again (whether a run ended is not
        known, so ``recorded_ended`` stays as it was)."""
        for subscriptions in self._subscriptions.values():
            for subscription in subscriptions:
                subscription.recorded(Recorded(UNKNOWN))

    async def follow(self, bus: EventBus) -> None:
        """Feed the hub from the bus until cancelled (re-following after a bus error)."""
        while True:
            try:
                async with bus.follow_events(self.watched) as events:
                    self.following.set()
                    async for event in events:
                        self.publish(event)
                return
            except BusError as error:
                log.warning("following run events failed, retrying: %r", error)
            await asyncio.sleep(RESTART_DELAY_S)
