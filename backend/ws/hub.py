"""The hub: this API process's one follower of the run events, fanned out by ``run_id``.

``follow`` reads every event published on the bus (a broadcast follower: no group) and
hands each to the subscriptions of its run. A subscription holds what it has not taken
yet, up to a bound; past it, events are dropped and the reader notices a gap in ``seq``
and fills it from the database. ``recorded`` wakes the subscriptions of runs the local
recorder just wrote, so a reader waiting to fill a gap does not wait for its next poll.
A caller that only waits for a run's end watches it instead (``watch_end``): woken when
the terminal event goes by and when the local recorder wrote it, not at every event.

The hub also keeps the recent events of recent runs (``Recent``): a new subscription
starts with what the hub already saw of its run, so a client that connects just after
starting a run gets the events published before it subscribed from memory, not from a
database the recorder may not have written yet. Those are the very events the recorder
writes (the database keeps the first copy of each ``(run_id, seq)``, and every copy is
the same), so the stream may use them in place of the database's; whatever they do not
cover (an older run, a long run's early events, a replica that started later) still
comes from the database.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

from backend.bus import BusError, EventBus
from graph_engine.events import TERMINAL_TYPES, RunEvent

log = logging.getLogger(__name__)
_T = TypeVar("_T")
SUBSCRIPTION_LIMIT = 10_000
RESTART_DELAY_S = 0.5
RECENT_RUNS = 2_000
"""How many runs the hub remembers events of (the least recently active go first)."""
RECENT_EVENTS_PER_RUN = 2_000
"""How many of a run's latest events the hub remembers (a long run's early ones go)."""
RECENT_FINISHED_S = 60.0
"""How long the hub remembers a run after its terminal event."""


class Subscription:
    def __init__(
        self, run_id: str, events: Sequence[RunEvent] = (), *, terminal_recorded: bool = False
    ) -> None:
        self.run_id = run_id
        self.events: list[RunEvent] = list(events)
        self.dropped = 0
        self.terminal_recorded = terminal_recorded
        """Whether this process's recorder wrote the run's terminal event."""
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

    async def wait(self, seconds: float) -> bool:
        """Until an event arrives (or ``wake``), at most ``seconds``; False if none came."""
        if self.events:
            return True
        try:
            async with asyncio.timeout(seconds):
                await self._wake.wait()
        except TimeoutError:
            return False
        return True


class EndWatch:
    """A run's end as this process sees it: whether its terminal event went by
    (``ended``), and whether this process's recorder wrote it (``recorded``)."""

    __slots__ = ("_wake", "ended", "recorded")

    def __init__(self, *, ended: bool, recorded: bool) -> None:
        self.ended = ended or recorded
        self.recorded = recorded
        self._wake = asyncio.Event()

    def saw_end(self, *, recorded: bool) -> None:
        self.ended = True
        self.recorded = self.recorded or recorded
        self._wake.set()

    async def wait(self, seconds: float) -> bool:
        """Until the end goes by or is recorded, at most ``seconds``; False if neither."""
        try:
            async with asyncio.timeout(seconds):
                await self._wake.wait()
        except TimeoutError:
            return False
        finally:
            self._wake.clear()
        return True


class _RunLog:
    __slots__ = ("events", "finished_at", "terminal_recorded")

    def __init__(self) -> None:
        self.events: dict[int, RunEvent] = {}
        self.finished_at: float | None = None
        self.terminal_recorded = False


class Recent:
    """The latest events of the latest runs, bounded in runs, events and time."""

    def __init__(
        self,
        runs: int = RECENT_RUNS,
        events_per_run: int = RECENT_EVENTS_PER_RUN,
        finished_s: float = RECENT_FINISHED_S,
    ) -> None:
        self._runs: OrderedDict[str, _RunLog] = OrderedDict()
        self._limit_runs = runs
        self._limit_events = events_per_run
        self._finished_s = finished_s

    def __contains__(self, run_id: str) -> bool:
        return run_id in self._runs

    def add(self, event: RunEvent) -> None:
        run = self._runs.get(event.run_id)
        if run is None:
            run = self._runs[event.run_id] = _RunLog()
            self._trim()
        else:
            self._runs.move_to_end(event.run_id)
        if event.seq in run.events:
            return  # a duplicate: the first copy stays, as in the database
        run.events[event.seq] = event
        if len(run.events) > self._limit_events:
            del run.events[next(iter(run.events))]  # the oldest (events arrive in seq order)
        if event.type in TERMINAL_TYPES:
            run.finished_at = time.monotonic()

    def terminal_recorded(self, run_id: str) -> bool:
        run = self._runs.get(run_id)
        return run is not None and run.terminal_recorded

    def ended(self, run_id: str) -> bool:
        run = self._runs.get(run_id)
        return run is not None and run.finished_at is not None

    def mark_terminal_recorded(self, run_id: str) -> None:
        # The recorder may be ahead of this process's follower: remember it for when the
        # run's events arrive, or readers would poll the database for an end long known.
        run = self._runs.get(run_id)
        if run is None:
            run = self._runs[run_id] = _RunLog()
            self._trim()
        run.terminal_recorded = True
        run.finished_at = run.finished_at or time.monotonic()

    def events(self, run_id: str) -> list[RunEvent]:
        run = self._runs.get(run_id)
        return [] if run is None else sorted(run.events.values(), key=lambda e: e.seq)

    def _trim(self) -> None:
        while len(self._runs) > self._limit_runs:
            self._runs.popitem(last=False)
        cutoff = time.monotonic() - self._finished_s
        while self._runs:  # the least recently active first: stop at the first kept one
            oldest = next(iter(self._runs.values()))
            if oldest.finished_at is None or oldest.finished_at > cutoff:
                break
            self._runs.popitem(last=False)


class Hub:
    def __init__(self, recent: Recent | None = None) -> None:
        self._subscriptions: dict[str, set[Subscription]] = {}
        self._end_watches: dict[str, set[EndWatch]] = {}
        self.recent = Recent() if recent is None else recent
        self.following = asyncio.Event()
        self.received = 0

    def knows(self, run_id: str) -> bool:
        """Whether the hub saw events of ``run_id`` lately (then the run exists)."""
        return run_id in self.recent

    @contextmanager
    def subscribe(self, run_id: str) -> Iterator[Subscription]:
        subscription = Subscription(
            run_id,
            self.recent.events(run_id),
            terminal_recorded=self.recent.terminal_recorded(run_id),
        )
        with _registered(self._subscriptions, run_id, subscription):
            yield subscription

    @contextmanager
    def watch_end(self, run_id: str) -> Iterator[EndWatch]:
        watch = EndWatch(
            ended=self.recent.ended(run_id), recorded=self.recent.terminal_recorded(run_id)
        )
        with _registered(self._end_watches, run_id, watch):
            yield watch

    def publish(self, event: RunEvent) -> None:
        self.received += 1
        self.recent.add(event)
        for subscription in self._subscriptions.get(event.run_id, ()):
            subscription.put(event)
        if event.type in TERMINAL_TYPES:
            for watch in self._end_watches.get(event.run_id, ()):
                watch.saw_end(recorded=False)

    def recorded(self, events: Sequence[RunEvent]) -> None:
        finished = {event.run_id for event in events if event.type in TERMINAL_TYPES}
        for run_id in finished:
            self.recent.mark_terminal_recorded(run_id)
            for watch in self._end_watches.get(run_id, ()):
                watch.saw_end(recorded=True)
        for run_id in {event.run_id for event in events}:
            for subscription in self._subscriptions.get(run_id, ()):
                if run_id in finished:
                    subscription.terminal_recorded = True
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


@contextmanager
def _registered(registry: dict[str, set[_T]], run_id: str, item: _T) -> Iterator[None]:
    """``item`` among ``run_id``'s entries of ``registry`` while the block runs."""
    registry.setdefault(run_id, set()).add(item)
    try:
        yield
    finally:
        items = registry.get(run_id, set())
        items.discard(item)
        if not items:
            registry.pop(run_id, None)
