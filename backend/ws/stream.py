"""One client's view of a run's events: recorded ones after ``after``, then live ones.

The subscription to the hub is taken *before* the replay, so nothing published during
the replay is missed; it starts with the events the hub still holds of the run, and when
those continue right after ``after`` the database is not asked at all. Every event is
then sent exactly once and in ``seq`` order:

- a live event at or below the last sent ``seq`` is a duplicate and dropped;
- a live event past ``last + 1`` waits while the gap is filled from the database (the
  event may have reached this replica before the recorder wrote what precedes it);
- while nothing arrives, the database is polled, which also catches events this
  replica's follower missed (a broker restart, a bus error);
- after a terminal event (``run.succeeded``/``failed``/``cancelled``) the stream ends;
  the terminal event itself is sent once it is recorded (this process's recorder said
  so, or the database has it after ``GAP_POLL_S``), so a client that saw it finds the
  run final in the database — as when every event came from the database.

A gap the database cannot fill within ``GAP_TIMEOUT_S`` (an event lost for good) is
skipped, logged, so a client is never stuck.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from backend.db import event_store
from backend.ws.hub import Subscription
from graph_engine.events import TERMINAL_TYPES

log = logging.getLogger(__name__)
PAGE = 500
GAP_POLL_S = 0.05
IDLE_POLL_S = 1.0
GAP_TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class Outgoing:
    seq: int
    type: str
    text: str
    ts: datetime | None = None
    """When the engine made it, for live events (the event-lag metric); None for replays."""

    @property
    def terminal(self) -> bool:
        return self.type in TERMINAL_TYPES


class RunEventStream:
    def __init__(
        self,
        engine: AsyncEngine,
        subscription: Subscription,
        after: int,
        *,
        idle_poll_s: float = IDLE_POLL_S,
    ) -> None:
        self._engine = engine
        self._subscription = subscription
        self._idle_poll_s = idle_poll_s
        self.last = after
        self._pending: dict[int, Outgoing] = {}
        self._gap_since: float | None = None

    async def __aiter__(self) -> AsyncIterator[Outgoing]:
        next_poll = time.monotonic() + self._idle_poll_s
        if not self._held_by_hub():
            async for item in self._from_database():
                yield item
                if item.terminal:
                    return
        while True:
            for item in self._live():
                yield item
                if item.terminal:
                    return
            if (self._pending and not self._end_awaits_record()) or time.monotonic() >= next_poll:
                async for item in self._from_database():
                    yield item
                    if item.terminal:
                        return
                self._skip_lost_gap()
                next_poll = time.monotonic() + self._idle_poll_s
            if not self._pending:
                await self._subscription.wait(max(next_poll - time.monotonic(), 0.0))
            elif not self._subscription.events:
                await self._subscription.wait(GAP_POLL_S)

    def _held_by_hub(self) -> bool:
        """Whether the subscription already holds the next event to send."""
        return any(event.seq == self.last + 1 for event in self._subscription.events)

    def _live(self) -> list[Outgoing]:
        for event in self._subscription.take():
            if event.seq > self.last:
                text = event.model_dump_json()
                self._pending[event.seq] = Outgoing(event.seq, event.type, text, event.ts)
        return self._contiguous()

    def _contiguous(self) -> list[Outgoing]:
        ready = []
        while (item := self._pending.get(self.last + 1)) is not None:
            if item.terminal and not self._terminal_may_go():
                break  # wait until it is recorded: the database then serves it
            del self._pending[item.seq]
            ready.append(item)
            self.last = item.seq
        for seq in [seq for seq in self._pending if seq <= self.last]:
            del self._pending[seq]
        self._gap_since = (self._gap_since or time.monotonic()) if self._pending else None
        return ready

    def _end_awaits_record(self) -> bool:
        """Whether all that is pending is the terminal event, for less than ``GAP_POLL_S``:
        the local recorder's word that it wrote it (the hub wakes this stream) usually comes
        first, and the database would not have it yet either. Past that, the database is
        asked (the run's recorder may be another process's)."""
        ending = self._pending.get(self.last + 1)
        return (
            ending is not None
            and ending.terminal
            and self._gap_since is not None
            and time.monotonic() - self._gap_since < GAP_POLL_S
        )

    def _terminal_may_go(self) -> bool:
        if self._subscription.terminal_recorded:
            return True
        if self._gap_since is None:
            return False
        return time.monotonic() - self._gap_since >= GAP_TIMEOUT_S  # never recorded: send it

    async def _from_database(self) -> AsyncIterator[Outgoing]:
        while True:
            rows = await event_store.read_events(
                self._engine, self._subscription.run_id, after=self.last, limit=PAGE
            )
            for row in rows:
                if row.seq != self.last + 1:
                    return  # not recorded yet: live events or the next poll fill it
                self.last = row.seq
                self._pending.pop(row.seq, None)
                yield Outgoing(row.seq, row.type, json.dumps(row.payload, separators=(",", ":")))
            for item in self._contiguous():
                yield item
            if len(rows) < PAGE:
                return

    def _skip_lost_gap(self) -> None:
        if self._gap_since is None or time.monotonic() - self._gap_since < GAP_TIMEOUT_S:
            return
        first = min(self._pending)
        if first == self.last + 1:
            return  # no gap: a terminal event waits to be recorded (see ``_contiguous``)
        log.error(
            "run %s: events %d–%d never arrived; skipping them",
            self._subscription.run_id,
            self.last + 1,
            first - 1,
        )
        self.last = first - 1
        self._gap_since = None
