"""The reaper: no run stays ``running`` after its worker died, nor ``queued`` for good.

Every API process runs one. Each round it

- fails the runs whose heartbeat is older than ``NODELOOM_WORKER_TIMEOUT_SECONDS``
  ("worker stopped responding"), recording a ``run.failed`` event after the run's last
  recorded one — but only once that is after the worker's last event: the reaper notes
  where the run-events log ends (a fence) and waits until the recorder has handled
  everything before it; then it fails the runs whose heartbeat was already stale when
  the fence was noted. Their workers had stopped by then, so all they published lies
  before the fence and is recorded, and the failure's ``seq`` is not one a worker used
  (two events with one ``seq`` would make a watcher's stream differ from the replay);
- publishes again the request of each run still queued ``NODELOOM_QUEUE_TIMEOUT_SECONDS``
  after it was created (once), and fails the runs still queued as long after that
  (``QueueTimeout``; see ``backend.db.waiting_runs``);

and publishes the failures so live watchers see the runs end. Rounds on several replicas
race safely: every status change is a compare-and-swap, so each run is asked for again
once and failed once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import Row
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.bus import BusError, EventBus, RunRequest
from backend.bus.base import LogEnd
from backend.db import stale_runs, waiting_runs
from backend.db.models import utcnow
from backend.observability.runs import RunObserver
from graph_engine.events import RunFailed

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class ReaperRound:
    """What one round did."""

    worker_lost: list[RunFailed] = field(default_factory=list)
    requested_again: list[str] = field(default_factory=list)
    queue_timed_out: list[RunFailed] = field(default_factory=list)


class Reaper:
    def __init__(
        self,
        bus: EventBus,
        sessions: async_sessionmaker[AsyncSession],
        timeout_s: float,
        queue_timeout_s: float,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._bus = bus
        self._sessions = sessions
        self._clock = clock  # what a queued run's age is measured against
        self.timeout_s = timeout_s
        self.queue_timeout_s = queue_timeout_s
        self.interval_s = min(max(min(timeout_s, queue_timeout_s) / 4, 0.1), 5.0)
        self._fence: tuple[datetime, LogEnd] | None = None

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            await self.reap_once()

    async def reap_once(self) -> ReaperRound:
        done = ReaperRound()
        fenced_at = await self._passed_fence()
        if fenced_at is not None:
            done.worker_lost = await self._query(
                "looking for runs of dead workers",
                partial(stale_runs.reap, now=fenced_at),
                self.timeout_s,
            )
        for event in done.worker_lost:
            log.warning("run %s: its worker stopped responding; marked failed", event.run_id)
        now = self._clock()  # one moment for the round: a run is not asked for and failed in it
        requeued = await self._query(
            "looking for runs no worker took",
            partial(waiting_runs.requeue_waiting, now=now),
            self.queue_timeout_s,
        )
        for run in requeued:
            if await self._request_again(run):
                done.requested_again.append(run.id)
        done.queue_timed_out = await self._query(
            "failing runs no worker took",
            partial(waiting_runs.fail_waiting, now=now),
            self.queue_timeout_s,
        )
        for event in done.queue_timed_out:
            log.warning(
                "run %s: no worker took it within %g s; marked failed",
                event.run_id,
                2 * self.queue_timeout_s,
            )
        for event in done.worker_lost + done.queue_timed_out:
            await self._announce(event)
        return done

    async def _passed_fence(self) -> datetime | None:
        """When the current fence was noted, if the recorder has handled everything before
        it (then a new fence is noted for the next round); None while it has not, or while
        the bus cannot say (no run is failed as lost then). The bus is asked only while
        some run's heartbeat is stale."""
        if not await self._query(
            "looking for silent workers", stale_runs.a_stale_run, self.timeout_s
        ):
            self._fence = None
            return None
        try:
            fence = self._fence
            if fence is not None and not await self._bus.recorded_through(fence[1]):
                return None
            self._fence = (self._clock(), await self._bus.event_log_end())
        except BusError as error:
            log.info("cannot see the recorder's progress yet: %r", error)
            return None
        return None if fence is None else fence[0]

    async def _query(
        self,
        what: str,
        query: Callable[[AsyncSession, float], Awaitable[list[T]]],
        timeout_s: float,
    ) -> list[T]:
        try:
            async with self._sessions() as session:
                return await query(session, timeout_s)
        except SQLAlchemyError as error:  # the next round tries again
            log.warning("%s failed: %r", what, error)
            return []

    async def _request_again(self, run: Row[Any]) -> bool:
        run_id = run.id
        request = RunRequest(
            run_id=run_id,
            workflow_id=run.workflow_id,
            version=run.workflow_version,
            inputs=run.inputs or {},
        )
        try:
            await self._bus.publish_request(request)
        except BusError as error:
            log.warning("publishing the request of run %s again failed: %r", run_id, error)
            try:
                async with self._sessions() as session:
                    await waiting_runs.forget_requeue(session, run_id)
            except SQLAlchemyError as forget_error:  # it is failed a timeout later, then
                log.warning("run %s stays marked as requested: %r", run_id, forget_error)
            return False
        log.info(
            "run %s: no worker took it within %g s; its request was published again",
            run_id,
            self.queue_timeout_s,
        )
        return True

    async def _announce(self, event: RunFailed) -> None:
        RunObserver(event.run_id, event.workflow_id).observe(event)  # counted here
        try:
            await self._bus.publish_event(event)
        except BusError as error:  # recorded already: watchers find it in the database
            log.warning("publishing the failure of run %s failed: %r", event.run_id, error)
