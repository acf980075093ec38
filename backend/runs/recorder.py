"""The recorder: every run event into ``run_events``, and each run's summary kept current.

It reads the events as a member of the ``nodeloom-recorder`` group and writes them in
batches (whatever arrived while the previous batch was written), so a burst costs one
transaction instead of one per event. Writes are idempotent (see ``event_store``).

Nothing is lost: a batch counts as handled (its offsets are committed) only when the next
one is asked for, which is after ``_store`` returned, so a recorder that dies or is
cancelled mid-batch leaves it to be delivered again. ``_store`` returns only once every
event of the batch is written, or found to be one the database refuses on its own:

- an error that says the database is unreachable or busy (a connection lost, a restart,
  a deadlock's victim) is retried until the write succeeds, for as long as it takes;
- any other error may be one bad event spoiling the batch: the events are then written
  one by one, and an event refused twice while the others go in is dropped and logged
  with its run id and seq. So a poison event does not block the partition forever, and
  costs nothing but itself.

Whatever else fails (the bus's reader raising something unforeseen), the subscription
ends without committing the batch in hand and the recorder subscribes again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.bus import BusError, EventBus
from backend.db import event_store
from backend.db.availability import database_unavailable
from graph_engine.events import RunEvent

log = logging.getLogger(__name__)
MAX_BATCH = 500
RETRY_DELAY_S = 0.5


class Recorder:
    def __init__(
        self,
        bus: EventBus,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        self._bus = bus
        self._sessions = sessions
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
                        # The live path first: the follower got these events too, and a
                        # SQLite write holds the event loop while it lasts. (A yield, not a
                        # wait: what readers get does not depend on who goes first.)
                        await asyncio.sleep(0)
                        await self._store(batch)
                return
            except BusError as error:
                log.warning("reading run events failed, retrying: %r", error)
            except Exception:  # a recorder that stopped here would record nothing more
                log.exception("the recorder failed; it reads again from the last commit")
            await asyncio.sleep(RETRY_DELAY_S)

    async def _store(self, batch: list[RunEvent]) -> None:
        try:
            recorded = await self._write(batch)
        except Exception as error:  # whatever the cause: one by one finds the bad events
            log.warning(
                "recording %d events failed, writing them one by one: %r", len(batch), error
            )
            recorded = await self._write_one_by_one(batch)
        self.recorded += len(recorded)  # readers hear of it from the commit itself

    async def _write(self, events: list[RunEvent]) -> list[RunEvent]:
        """Write ``events`` in one transaction, retrying while the database is unreachable;
        returns those written (not the events of unknown runs), raises what it refused."""
        while True:
            try:
                async with self._sessions() as session:
                    unknown = await event_store.record_events(session, events)
                break
            except Exception as error:
                if not _is_transient(error):
                    raise
                log.warning("writing run events failed, retrying: %r", error)
            await asyncio.sleep(RETRY_DELAY_S)
        if not unknown:
            return events
        log.warning("dropped %d events of unknown runs: %s", len(unknown), _names(unknown))
        missing = {event.run_id for event in unknown}
        return [event for event in events if event.run_id not in missing]

    async def _write_one_by_one(self, batch: list[RunEvent]) -> list[RunEvent]:
        recorded: list[RunEvent] = []
        for event in batch:
            for attempt in range(1, REFUSALS_TO_DROP + 1):
                try:
                    recorded += await self._write([event])
                    break
                except Exception as error:  # logged below; the event is dropped
                    if attempt == REFUSALS_TO_DROP:
                        log.error(
                            "the database refuses run event %s (%s); it is dropped: %r",
                            _names([event]),
                            event.type,
                            error,
                        )
                    else:
                        await asyncio.sleep(RETRY_DELAY_S)
        return recorded


REFUSALS_TO_DROP = 2  # the second attempt rules out a connection broken in a way not caught
# The database's state, not the data's fault: a serialization failure, a deadlock, a
# read-only transaction (a failover under way), a lock or statement timeout, and class 53,
# insufficient resources (disk full, out of memory, too many connections).
_RETRY_SQLSTATES = frozenset({"40001", "40P01", "25006", "55P03", "57014"})
_RETRY_SQLSTATE_CLASSES = ("53",)


def _is_transient(error: BaseException) -> bool:
    """Worth retrying as it is: the database is unreachable, its connection broke (asyncpg
    says "another operation is in progress" on one an outage broke), or it cannot write
    for now (writes are idempotent, so trying the batch again is safe)."""
    if database_unavailable(error) or isinstance(error, OSError):
        return True
    if not isinstance(error, DBAPIError):
        return False
    sqlstate = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None) or ""
    return (
        isinstance(error, OperationalError | InterfaceError)
        or sqlstate in _RETRY_SQLSTATES
        or sqlstate.startswith(_RETRY_SQLSTATE_CLASSES)
    )


def _names(events: Sequence[RunEvent]) -> str:
    """``run_id#seq`` of each event, for a log line."""
    return ", ".join(f"{event.run_id}#{event.seq}" for event in events)
