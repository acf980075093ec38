"""The reaper: no run stays ``running`` after its worker died.

Every API process runs one. Each round it fails the runs whose heartbeat is older than
``NODELOOM_WORKER_TIMEOUT_SECONDS`` ("worker stopped responding"), records a
``run.failed`` event after the run's last recorded one, and publishes it so live
watchers see the run end. Rounds on several replicas race safely: the status change is
a compare-and-swap, so each run is failed once.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.bus import BusError, EventBus
from backend.db import run_store
from backend.observability.runs import RunObserver
from graph_engine.events import RunFailed

log = logging.getLogger(__name__)


class Reaper:
    def __init__(
        self, bus: EventBus, sessions: async_sessionmaker[AsyncSession], timeout_s: float
    ) -> None:
        self._bus = bus
        self._sessions = sessions
        self.timeout_s = timeout_s
        self.interval_s = min(max(timeout_s / 4, 0.1), 5.0)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            await self.reap_once()

    async def reap_once(self) -> list[RunFailed]:
        try:
            async with self._sessions() as session:
                failed = await run_store.reap(session, self.timeout_s)
        except SQLAlchemyError as error:
            log.warning("looking for runs of dead workers failed: %r", error)
            return []
        for event in failed:
            log.warning("run %s: its worker stopped responding; marked failed", event.run_id)
            RunObserver(event.run_id, event.workflow_id).observe(event)  # counted here
            try:
                await self._bus.publish_event(event)
            except BusError as error:  # recorded already: watchers find it in the database
                log.warning("publishing the failure of run %s failed: %r", event.run_id, error)
        return failed
