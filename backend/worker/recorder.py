"""The recorder: every run event into ``run_events``, and each run's summary kept current.

It reads the events as a member of the ``nodeloom-recorder`` group and writes them in
batches (whatever arrived while the previous batch was written), so a burst costs one
transaction instead of one per event. Writes are idempotent (see ``run_store``); a
batch that fails because the database is unreachable is retried until it is written.

Delivery is at-least-once from the bus, with one window: an event counts as handled
when the next one is read, which may be just before its batch is written; a recorder
process that dies inside that window (milliseconds) loses those rows.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.bus import BusError, EventBus
from backend.db import run_store
from graph_engine.events import RunEvent

log = logging.getLogger(__name__)
MAX_BATCH = 500
QUEUE_SIZE = 5000
RETRY_DELAY_S = 0.5

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
        self._queue: asyncio.Queue[RunEvent] = asyncio.Queue(QUEUE_SIZE)
        self.recorded = 0

    async def run(self) -> None:
        """Record until cancelled."""
        writer = asyncio.create_task(self._write(), name="recorder-writer")
        try:
            while True:
                try:
                    async with self._bus.recorded_events() as events:
                        async for event in events:
                            await self._queue.put(event)
                    return
                except BusError as error:
                    log.warning("reading run events failed, retrying: %r", error)
                await asyncio.sleep(RETRY_DELAY_S)
        finally:
            writer.cancel()

    async def _write(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < MAX_BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            await self._store(batch)

    async def _store(self, batch: list[RunEvent]) -> None:
        while True:
            try:
                async with self._sessions() as session:
                    unknown = await run_store.record_events(session, batch)
                break
            except (OperationalError, DBAPIError) as error:
                if not _is_connection_problem(error):
                    log.exception("recording %d events failed; they are dropped", len(batch))
                    return
                log.warning("the database is unreachable, retrying: %r", error)
            except SQLAlchemyError:
                log.exception("recording %d events failed; they are dropped", len(batch))
                return
            await asyncio.sleep(RETRY_DELAY_S)
        if unknown:
            log.warning("dropped %d events of unknown runs", len(unknown))
        self.recorded += len(batch)
        if self._on_recorded is not None:
            self._on_recorded(batch)


def _is_connection_problem(error: DBAPIError) -> bool:
    return isinstance(error, OperationalError) or bool(error.connection_invalidated)
