"""What runs beside the HTTP API in one process: the bus, the hub, the recorder, the
reaper and (in the embedded mode) a worker.

``Runtime.start`` brings them up in order — the word of recorded events for the hub
(this process's writes; on PostgreSQL every process's, through ``LISTEN``), the bus, the
follower feeding the hub (so WebSockets see events from the start), the recorder and the
reaper, and last the worker — and ``stop`` takes them down in reverse, letting the
worker drain and the recorder write what it has.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Coroutine
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from backend.bus import EventBus, KafkaBus, KafkaSettings, MemoryBus, RunRequest
from backend.config import Settings
from backend.db import recorded_signal, run_store
from backend.db.queued_runs import QueuedRunWriter
from backend.db.recorded_listener import RecordedListener
from backend.runs.reaper import Reaper
from backend.runs.recorder import Recorder
from backend.worker.service import WorkerService
from backend.ws.hub import Hub

log = logging.getLogger(__name__)
FOLLOW_TIMEOUT_S = 30.0
SETTLE_TIMEOUT_S = 5.0
REQUEUE_RETRY_S = 5.0


def bus_from_settings(settings: Settings, role: str) -> EventBus:
    """The bus the settings describe: Kafka when ``kafka_bootstrap_servers`` is set."""
    if settings.kafka_bootstrap_servers is None:
        return MemoryBus()
    session_ms = settings.kafka_session_timeout_ms
    return KafkaBus(
        KafkaSettings(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            client_id=f"nodeloom-{role}",
            namespace=settings.kafka_namespace,
            security=settings.kafka_security,
            session_timeout_ms=session_ms,
            heartbeat_interval_ms=max(session_ms // 5, 50),
            start_timeout_s=settings.kafka_start_timeout_seconds,
            idempotence=settings.kafka_idempotence,
        )
    )


class Runtime:
    def __init__(
        self,
        settings: Settings,
        engine: AsyncEngine,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        self.settings = settings
        self._engine = engine
        self._sessions = sessions
        self.bus = bus_from_settings(settings, "api")
        self.hub = Hub()
        self.queued_runs = QueuedRunWriter(sessions)
        self.recorder = Recorder(self.bus, sessions)
        self.recorded_listener = (
            RecordedListener(engine, self.hub.recorded, self.hub.recorded_lost)
            if engine.dialect.name == "postgresql"
            else None
        )
        self._stop_hearing = lambda: None
        self.reaper = Reaper(
            self.bus,
            sessions,
            settings.worker_timeout_seconds,
            queue_timeout_s=settings.queue_timeout_seconds,
        )
        self.worker = (
            WorkerService(self.bus, sessions, settings) if settings.runs_embedded_worker else None
        )
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self._stop_hearing = recorded_signal.listen(self._engine, self.hub.recorded)
        if self.recorded_listener is not None:
            self._spawn(self.recorded_listener.run(), "recorded-listener")
        await self.bus.start()
        self._spawn(self.hub.follow(self.bus), "hub-follower")
        try:
            async with asyncio.timeout(FOLLOW_TIMEOUT_S):
                await self.hub.following.wait()
        except TimeoutError:
            log.warning("the run-event follower is not ready yet; live events may lag")
        self._spawn(self.recorder.run(), "recorder")
        self._spawn(self.reaper.run(), "reaper")
        if self.worker is not None:
            await self.worker.start(embedded=True)  # warms up after start-up, see there
        if isinstance(self.bus, MemoryBus):
            self._spawn(self._requeue(), "requeue")

    async def _requeue(self) -> None:
        """Ask again for the runs still queued: the in-process bus lost their requests when
        the previous process stopped (Kafka keeps them), and no run may wait forever. A
        request sent twice is harmless: only one claim of a run succeeds."""
        while True:
            try:
                async with self._sessions() as session:
                    queued = await run_store.queued_runs(session)
                break
            except (SQLAlchemyError, OSError) as error:  # the server starts all the same
                log.warning("looking for runs left queued failed, retrying: %r", error)
                await asyncio.sleep(REQUEUE_RETRY_S)
        for run in queued:
            request = RunRequest(
                run_id=run.id,
                workflow_id=run.workflow_id,
                version=run.workflow_version,
                inputs=run.inputs or {},
            )
            await self.bus.publish_request(request)
        if queued:
            log.info("asked again for %d runs queued before this start", len(queued))

    async def stop(self) -> None:
        if self.worker is not None:
            await self.worker.stop()
            await self._settle()
        for task in reversed(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        self._stop_hearing()
        await self.bus.close()

    async def _settle(self) -> None:
        """Give the recorder a moment to write the last events of the drained runs."""
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        seen = -1
        while time.monotonic() < deadline and seen != self.recorder.recorded:
            seen = self.recorder.recorded
            await asyncio.sleep(0.1)

    def _spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        self._tasks.append(asyncio.create_task(work, name=name))
