"""One client's view of a run's events: every event after ``after``, once, in ``seq`` order.

The invariant. A run has one ordered log: its events as the recorder stores them, the
first copy of each ``seq`` in the order the bus delivered them (``event_store`` keeps the
first copy; the follower feeding the hub reads the same partition in the same order, so
the first copy it sees is that one). The stream sends ``last + 1``, then ``last + 2``, …
and each from one of two places that agree byte for byte:

- **the database**, read after ``last`` first, then whenever word came
  (``backend.db.recorded_signal``) that it holds events past ``last`` and the hub does
  not hold ``last + 1``; rows are
  sent as stored (the JSON text the recorder wrote), and a read stops at its first gap;
- **the hub**, the live events of this run collected by the subscription, each sent as
  the JSON text of the event, which is what the recorder stores for it.

So the switch from recorded to live events, and back (a slow reader whose live events
were dropped, a follower that missed some), is made by ``seq`` alone. A gap is waited
for: the recorder writes the missing events and says so, or the bus brings them; it is
never skipped. The terminal event (``run.succeeded``/``failed``/``cancelled``) is always
sent from the database, so a client that saw it finds the run final there; the stream
ends with it. Nothing here is timed: the stream sleeps until a live event or word of a
write arrives (a stream quiet for ``QUIET_S`` says so in the log, and sleeps on).

A read that fails because the database cannot be reached (down, restarting, the reader's
pool out of time) is made again at the next word or after ``READ_AGAIN_S``, whichever
comes first: the word it was reading for has been heard, and none may follow (the run's
last events were recorded). That wait is a retry, not a switch: what is sent still
follows ``seq`` alone.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.db import event_store
from backend.db.availability import database_unavailable
from backend.ws.hub import Subscription
from graph_engine.events import TERMINAL_TYPES

log = logging.getLogger(__name__)
PAGE = 500
READ_AGAIN_S = 1.0
QUIET_S = 20.0
"""A stream that heard nothing this long says where it waits, in the log (and waits on)."""


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
        finished: bool = False,
    ) -> None:
        """``finished``: the run had ended when the client asked; the first read of the
        database then serves all that is left (nothing, if the client saw the end)."""
        self._engine = engine
        self._subscription = subscription
        self._finished = finished
        self.last = after
        self._pending: dict[int, Outgoing] = {}
        self._past_the_end = False
        self._read_failed = False
        self._words_read = 0
        """How many words of writes the subscription had heard when the database was last
        read: only a later word can make reading it again worthwhile."""

    async def __aiter__(self) -> AsyncIterator[Outgoing]:
        async for item in self._from_database():
            yield item
            if item.terminal:
                return
        if self._ended():
            return  # it had ended, and the client had seen the end
        while True:
            if self._database_has_next():
                async for item in self._from_database():
                    yield item
                    if item.terminal:
                        return
                if self._ended():
                    return
            for item in self._from_live():
                yield item
            if self._read_failed:
                await self._subscription.wait(READ_AGAIN_S)
            elif not self._database_has_next() and not await self._subscription.wait(QUIET_S):
                self._say_quiet()

    def _say_quiet(self) -> None:
        subscription = self._subscription
        log.info(
            "run %s: the stream waits after seq %d (heard up to seq %s%s, %d words, %d at the "
            "last read; live events held: %s)",
            subscription.run_id,
            self.last,
            subscription.recorded_seq,
            ", the end" if subscription.recorded_ended else "",
            subscription.words,
            self._words_read,
            sorted(self._pending)[:5],
        )

    def _ended(self) -> bool:
        """After a read of the database: nothing is left to send."""
        return not self._read_failed and (self._finished or self._past_the_end)

    def _database_has_next(self) -> bool:
        self._take_live()
        following = self._pending.get(self.last + 1)
        if following is not None and not following.terminal:
            return False  # the hub has it
        if self._read_failed:
            return True
        subscription = self._subscription
        newer = subscription.words > self._words_read
        return newer and (subscription.recorded_seq > self.last or subscription.recorded_ended)

    async def _from_database(self) -> AsyncIterator[Outgoing]:
        self._words_read = self._subscription.words  # word that comes later means a newer write
        ended = self._subscription.recorded_ended
        self._past_the_end = False
        self._read_failed = False
        while True:
            try:
                rows = await event_store.read_events(
                    self._engine, self._subscription.run_id, after=self.last, limit=PAGE
                )
            except SQLAlchemyError as error:
                if not database_unavailable(error):
                    raise
                run_id = self._subscription.run_id
                log.info("run %s: the database is out of reach; reading again soon", run_id)
                self._read_failed = True
                return
            if not rows:
                # After word of the end, nothing past ``last``: the client asked from past it.
                self._past_the_end = ended
                return
            for row in rows:
                if row.seq != self.last + 1:
                    return  # a gap: its events are not recorded yet
                self._sent(row.seq)
                yield Outgoing(row.seq, row.type, row.text)
                if row.type in TERMINAL_TYPES:
                    return
            if len(rows) < PAGE:
                return

    def _take_live(self) -> None:
        for event in self._subscription.take():
            if event.seq > self.last:
                text = event.model_dump_json()
                self._pending[event.seq] = Outgoing(event.seq, event.type, text, event.ts)

    def _from_live(self) -> list[Outgoing]:
        self._take_live()
        ready = []
        while (item := self._pending.get(self.last + 1)) is not None and not item.terminal:
            ready.append(item)
            self._sent(item.seq)
        return ready

    def _sent(self, seq: int) -> None:
        self.last = seq
        for old in [old for old in self._pending if old <= seq]:
            del self._pending[old]
