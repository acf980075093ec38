"""The recorder: every run event into ``run_events``, and each run's summary kept current.

It reads the events as a member of the ``nodeloom-recorder`` group and writes them in
batches (whatever arrived while the previous batch was written), so a burst costs one
transaction instead of one per event. Writes are idempotent (see ``event_store``); a
batch that fails because the database is unreachable is retried until it is written.

A batch counts as handled only when the next one is asked for, which is after it was
written: a recorder that dies mid-batch leaves it to be delivered again (at-least-once).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.bus import BusError, EventBus
from backend.db import event_store
from backend.db.availability import database_unavailable
from graph_engine.events import RunEvent

log = logging.getLogger(__name__)
MAX_BATCH = 500
RETRY_DELAY_S = 0.5
LIVE_FIRST_S = 0.001

Recorded = Callable[[Sequence[RunEvent]], None]


class Recorder:
    def __init__(
        self,
        bus: EventBus,
        sessions: async_sessionmaker[AsyncSession],
        on_recorded: Recorded | None = None,
    ) -> None:
        self._bus = bus
        self._sessions = sessions
        self._on_recorded = on_recorded
        self.recorded = 0

    async def run(self) -> None:
        """Record until cancelled."""
        while True:
            try:
                async with self._bus.recorded_events() as events:
                    while True:
                        try:
                            batch = await events.next_batch(MAX_BATCH)
                        except StopAsyncIteration:
                            break
                        # The live path first: the hub and its WebSockets got these events
                        # too, and a SQLite write holds the event loop while it lasts.
                        await asyncio.sleep(LIVE_FIRST_S)
                        await self._store(batch)
                return
            except BusError as error:
                log.warning("reading run events failed, retrying: %r", error)
            await asyncio.sleep(RETRY_DELAY_S)

    async def _store(self, batch: list[RunEvent]) -> None:
        while True:
            try:
                async with self._sessions() as session:
                    unknown = await event_store.record_events(session, batch)
                break
            except (OperationalError, DBAPIError) as error:
                if not _is_connection_problem(error):
                    log.exception("recording %d events failed; they are dropped", len(batch))
                    return
                log.warning("writing run events failed, retrying: %r", error)
            except SQLAlchemyError:
                log.exception("recording %d events failed; they are dropped", len(batch))
                return
            await asyncio.sleep(RETRY_DELAY_S)
        if unknown:
            log.warning("dropped %d events of unknown runs", len(unknown))
            missing = {event.run_id for event in unknown}
            batch = [event for event in batch if event.run_id not in missing]
        self.recorded += len(batch)
        if self._on_recorded is not None:
            self._on_recorded(batch)


_RETRY_SQLSTATES = frozenset({"40001", "40P01"})  # serialization failure, deadlock detected


def _is_connection_problem(error: DBAPIError) -> bool:
    """Worth retrying: the database is unreachable, or it chose this write as a deadlock's
    victim (writes are idempotent, so trying the batch again is safe)."""
    sqlstate = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return (
        isinstance(error, OperationalError)
        or database_unavailable(error)  # e.g. "the database system is starting up"
        or sqlstate in _RETRY_SQLSTATES
    )
