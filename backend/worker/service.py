"""A worker: the executor, its heartbeat and its ear on the control topic, as one service.

``nodeloom worker`` runs one in its own process; the embedded mode runs one inside the
API process. ``start`` returns once the worker listens for cancellations and takes
requests; ``stop`` is the graceful shutdown (see ``Executor.drain``).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import socket
import uuid

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.bus import BusError, EventBus
from backend.config import Settings
from backend.credentials.resolver import RunCredentialsFactory
from backend.db import run_store
from backend.worker.executor import Executor, ExecutorLimits

log = logging.getLogger(__name__)
RESTART_DELAY_S = 1.0
END_RECORDED_WITHIN_S = 300.0
"""How long a run that ended here is reported alive while its end, published, waits for
the recorder; past this the worker records the end itself (see ``executor``)."""


def new_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class WorkerService:
    def __init__(
        self, bus: EventBus, sessions: async_sessionmaker[AsyncSession], settings: Settings
    ) -> None:
        self.settings = settings
        self.worker_id = new_worker_id()
        self._bus = bus
        self._sessions = sessions
        self.executor = Executor(
            bus,
            sessions,
            self.worker_id,
            ExecutorLimits(settings.worker_concurrency, settings.run_timeout_seconds),
            credentials=RunCredentialsFactory(settings, sessions, os.environ),
        )
        self._listening = asyncio.Event()
        self._taking: asyncio.Task[None] | None = None
        self._helpers: list[asyncio.Task[None]] = []

    async def start(self, *, embedded: bool = False) -> None:
        """``embedded`` (the API's worker): the engine warms up in the background and the
        model clients load on first use, so the server answers health checks at once."""
        warming = asyncio.create_task(asyncio.to_thread(warm_up, not embedded))
        if not embedded:
            await warming
        self._helpers = [
            asyncio.create_task(self._follow_control(), name="worker-control"),
            asyncio.create_task(self._heartbeat(), name="worker-heartbeat"),
        ]
        await self._listening.wait()
        self._taking = asyncio.create_task(self._take(warming), name="worker-requests")
        log.info(
            "worker %s takes runs (concurrency %d)",
            self.worker_id,
            self.settings.worker_concurrency,
        )

    async def stop(self, grace_s: float | None = None) -> None:
        grace = self.settings.shutdown_grace_seconds if grace_s is None else grace_s
        if self._taking is not None:
            await _cancel(self._taking)
        await self.executor.drain(grace)
        for task in self._helpers:
            await _cancel(task)

    async def _take(self, warming: asyncio.Task[None]) -> None:
        await warming  # the first run does not pay for the engine's imports
        while True:
            try:
                await self.executor.take_requests()
                return
            except (BusError, SQLAlchemyError) as error:  # the batch is delivered again
                log.warning("taking run requests failed, retrying: %r", error)
            await asyncio.sleep(RESTART_DELAY_S)

    async def _follow_control(self) -> None:
        while True:
            try:
                async with self._bus.follow_control() as control:
                    self._listening.set()
                    async for message in control:
                        if message.action == "cancel":
                            self.executor.cancel(message.run_id)
                return
            except BusError as error:
                log.warning("following the control topic failed, retrying: %r", error)
            await asyncio.sleep(RESTART_DELAY_S)

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.settings.heartbeat_interval_seconds)
            ended = self.executor.unrecorded()
            try:
                async with self._sessions() as session:
                    beat = await run_store.heartbeat(
                        session, self.worker_id, [*self.executor.active, *ended]
                    )
            except SQLAlchemyError as error:
                log.warning("heartbeat failed: %r", error)
                continue
            self.executor.forget_recorded(set(ended) - beat.running)
            await self.executor.record_overdue(END_RECORDED_WITHIN_S)
            for run_id in beat.cancelled:
                self.executor.cancel(run_id)


def warm_up(models: bool = True) -> None:
    """Import the engine and the model clients before the first run, so a first run does
    not hold the event loop (and with it the heartbeat) for seconds of imports. The API's
    embedded worker leaves the model clients (``models=False``) to the first run that
    needs them: they are most of the server's start-up time and memory."""
    import importlib

    from graph_engine import compile_workflow, default_registry  # noqa: F401

    default_registry()
    for module in ("langchain_openai", "langchain_anthropic") if models else ():
        try:
            importlib.import_module(module)
        except ImportError:
            log.info("%s is not installed: its models cannot run here", module)
    gc.freeze()  # what was just imported stays out of full collections (see app._warm_up)


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
