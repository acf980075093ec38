"""The executor: takes run requests from the workers' group and runs them.

Requests are taken in batches (whatever is at hand, up to the free slots). For a batch
it registers the runs (so a cancel that arrives at once is not lost), claims them with
one compare-and-swap statement (``queued → running``; a redelivered request for a run
that is running or finished is dropped: exactly-once execution in effect), and only then
asks for the next batch — which is what acknowledges this one to the bus. A worker that
dies between taking a request and claiming its run leaves the request to another worker.
Each claimed run's version is loaded and run with ``graph_engine.run`` and a
``PublishingSink``.

At most ``concurrency`` runs go at once: slots are taken before requests are.

A run that ended here stays in the heartbeat until its end is recorded (``unrecorded``,
``forget_recorded``). The worker published the terminal event with ``acks=all``: it is
in the log, and the recorder, which commits its offsets only after writing, will write
it — however far behind it is (on Tansu with S3 storage, measured minutes behind under a
burst before the readers' fixes). Until then the database says ``running``, and the
reaper must not take the run for one whose worker died: a worker that lives says so for
it. The database, not a timer, says when the end is recorded: the heartbeat's own
``UPDATE … WHERE status = 'running'`` stops matching the run once it is. Only a log that
lost the record (a broker that lost its storage) leaves the end unrecorded for good: a
run still unrecorded ``within_s`` after it ended gets its end recorded by the worker
itself (``record_overdue``, as when the bus is lost), with the status it really had. A
worker that dies meanwhile stops heartbeating, and the reaper fails the run as before.
A run is cancelled when a control message or the database (``cancel_requested``, read
by the heartbeat) says so; it is stopped and marked failed when it outlives the run
timeout, or when the worker shuts down and the grace period is over.

A run makes progress only through its events. When the bus takes none of them until its
publish deadline (the worker lost the bus), nobody can see the run go on: it is stopped,
and the worker records its end in the database itself (``EventBusLost``), as the
recorder would have, instead of heartbeating a run that shows nothing. A run whose end
reached neither the bus nor the database is not heartbeated any more: the reaper fails
it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.bus import BusError, EventBus, RunRequest
from backend.credentials.environment import EnvironmentCredentials
from backend.db import run_store
from backend.db.workflow_store import get_version
from backend.exchange.secret_scan import secret_values
from backend.observability.logging import bind_run
from backend.worker.sink import PublishingSink
from graph_engine.credentials import CredentialResolver
from graph_engine.errors import EventSinkError, GraphEngineError
from graph_engine.events import ErrorInfo, RunEvent
from graph_engine.node_runner import error_info

log = logging.getLogger(__name__)
COMPILED_CACHE_SIZE = 256
STOP_TIMEOUT_S = 10.0
"""How long a run the worker stopped (time limit, shutdown) has to end before it is
cancelled by force (and, at shutdown, before the worker exits anyway)."""
BUS_LOST = ErrorInfo(
    type="EventBusLost",
    code="event_bus_lost",
    message="The worker running this workflow lost its connection to the event bus, so "
    "nobody could see the run go on; it stopped the run.",
)


@dataclass
class ActiveRun:
    run_id: str
    cancel: asyncio.Event = field(default_factory=asyncio.Event)
    abort: ErrorInfo | None = None
    """Why the worker stopped the run, if it did: the run then ends failed, not cancelled."""

    def stop(self, reason: ErrorInfo) -> None:
        """Stop the run through the engine, which ends it with ``run.failed`` and ``reason``
        (the engine also stops a node that swallows one cancellation; see ``stopping``)."""
        self.abort = self.abort or reason
        self.cancel.set()


@dataclass(frozen=True)
class Ended:
    """A run that ended here: its terminal event went out, maybe not recorded yet."""

    at: float
    """When (``time.monotonic``)."""
    terminal: RunEvent


@dataclass(frozen=True)
class Prepared:
    workflow: Any
    """A ``CompiledWorkflow``, or the raw document when it does not compile."""
    pasted: frozenset[str]
    """Secret-looking values typed into the params: scrubbed from the run's events."""


@dataclass(frozen=True)
class ExecutorLimits:
    concurrency: int
    run_timeout_s: float


class Executor:
    def __init__(
        self,
        bus: EventBus,
        sessions: async_sessionmaker[AsyncSession],
        worker_id: str,
        limits: ExecutorLimits,
        environ: Mapping[str, str] | None = None,
        credentials: Callable[[str], CredentialResolver] | None = None,
    ) -> None:
        self._bus = bus
        self._sessions = sessions
        self.worker_id = worker_id
        self._limits = limits
        self._environ = os.environ if environ is None else environ
        # Each run's resolver (the run owner's stored credentials); default: the environment.
        self._credentials = credentials or (
            lambda _run_id: EnvironmentCredentials(self._environ, {})
        )
        self._slots = asyncio.Semaphore(limits.concurrency)
        self._tasks: set[asyncio.Task[None]] = set()
        self.active: dict[str, ActiveRun] = {}
        self._prepared: OrderedDict[tuple[str, int], Prepared] = OrderedDict()
        self._ended: OrderedDict[str, Ended] = OrderedDict()

    async def take_requests(self) -> None:
        """Take and start requests until cancelled (then no new one is taken)."""
        async with self._bus.requests() as requests:
            while True:
                slots = await self._take_slots()
                started = 0
                try:
                    batch = await requests.next_batch(slots)
                    started = await self._start(batch)
                finally:
                    for _ in range(slots - started):
                        self._slots.release()

    async def _take_slots(self) -> int:
        """Wait for a free slot, then take every free one (at most ``concurrency``)."""
        await self._slots.acquire()
        taken = 1
        while not self._slots.locked():
            await self._slots.acquire()
            taken += 1
        return taken

    async def _start(self, batch: list[RunRequest]) -> int:
        """Claim the batch's runs and start those claimed; returns how many started."""
        fresh = {r.run_id: r for r in batch if r.run_id not in self.active}  # not redeliveries
        for run_id in fresh:
            self.active[run_id] = ActiveRun(run_id)  # before the claim: a cancel finds it
        try:
            async with self._sessions() as session:
                claimed = await run_store.claim_runs(session, list(fresh), self.worker_id)
        except BaseException:
            for run_id in fresh:
                self.active.pop(run_id, None)
            raise
        for run_id in fresh.keys() - claimed:
            log.info("run %s is not queued any more: not running it", run_id)
            self.active.pop(run_id, None)
        for run_id in claimed:
            request = fresh[run_id]
            task = asyncio.create_task(self._handle(request), name=f"run-{run_id}")
            self._tasks.add(task)
            task.add_done_callback(self._done)
        return len(claimed)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._slots.release()

    def unrecorded(self) -> list[str]:
        """Runs that ended here and whose end is not known to be recorded."""
        return list(self._ended)

    def forget_recorded(self, run_ids: Iterable[str]) -> None:
        """The database no longer calls these runs running: their end is recorded (or
        someone else ended them); the heartbeat leaves them."""
        for run_id in run_ids:
            self._ended.pop(run_id, None)

    async def record_overdue(self, within_s: float) -> None:
        """Record the end of each run that ended more than ``within_s`` ago and whose end
        the recorder has not written (its record is not in the log any more)."""
        cutoff = time.monotonic() - within_s
        while self._ended:
            run_id, ended = next(iter(self._ended.items()))
            if ended.at > cutoff:
                return
            try:
                async with self._sessions() as session:
                    recorded = await run_store.record_own_ending(
                        session, run_id, self.worker_id, [ended.terminal]
                    )
            except SQLAlchemyError as error:  # the next heartbeat tries again
                log.warning("run %s: recording its end failed: %r", run_id, error)
                return
            self._ended.pop(run_id, None)
            if recorded:
                log.warning(
                    "run %s: its end was not recorded within %g s of its publication; "
                    "the worker recorded it",
                    run_id,
                    within_s,
                )

    def cancel(self, run_id: str) -> None:
        """Cancel ``run_id`` if it runs here (the engine then emits ``run.cancelled``)."""
        active = self.active.get(run_id)
        if active is not None:
            active.cancel.set()

    async def drain(self, grace_s: float) -> None:
        """Let running runs finish for ``grace_s``; stop the rest and mark them failed."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=grace_s)
        reason = ErrorInfo(
            type="WorkerShutdown",
            code="worker_shutdown",
            message="The worker shut down before the run finished.",
        )
        for active in list(self.active.values()):
            active.stop(reason)
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=STOP_TIMEOUT_S)

    async def _handle(self, request: RunRequest) -> None:
        active = self.active[request.run_id]
        sink = PublishingSink(self._bus, request.run_id, request.workflow_id)
        bind_run(request.run_id, request.workflow_id)  # this task's log lines name the run
        try:
            document: Any = self._prepared.get((request.workflow_id, request.version))
            if document is None:  # versions never change: a prepared one is reused
                async with self._sessions() as session:
                    version = await get_version(session, request.workflow_id, request.version)
                    document = version.document
            await self._run(request, document, active, sink)
        except Exception:
            log.exception("run %s failed in the worker", request.run_id)
        finally:
            self.active.pop(request.run_id, None)
            if sink.terminal is not None:  # else its end is nowhere: the reaper must see it silent
                self._ended[request.run_id] = Ended(time.monotonic(), sink.terminal)

    async def _run(
        self, request: RunRequest, document: Any, active: ActiveRun, sink: PublishingSink
    ) -> None:
        from graph_engine import run

        began = time.perf_counter()
        try:
            prepared = self._prepare(request, document)
        except Exception as error:  # an engine fault: the run must still end, visibly
            log.exception("run %s: the workflow did not compile", request.run_id)
            await self._fail(sink, error_info(error), 0.0)
            return
        engine_run = run(
            prepared.workflow,
            request.inputs,
            sink,
            run_id=request.run_id,
            workflow_id=request.workflow_id,
            cancel=active.cancel,
            abort_reason=lambda: active.abort,
            credentials=self._credentials(request.run_id),
            secrets=prepared.pasted,
        )
        task = asyncio.create_task(engine_run)
        done, _ = await asyncio.wait({task}, timeout=self._limits.run_timeout_s)
        if not done:
            active.stop(
                ErrorInfo(
                    type="RunTimeout",
                    code="run_timeout",
                    message=f"The run took longer than {self._limits.run_timeout_s:g} s "
                    "(NODELOOM_RUN_TIMEOUT_SECONDS) and was stopped.",
                )
            )
            done, _ = await asyncio.wait({task}, timeout=STOP_TIMEOUT_S)
        if not done:  # the engine could not stop its nodes: end the run without it
            log.error("run %s did not stop within %g s", request.run_id, STOP_TIMEOUT_S)
            task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            if active.abort is None:
                raise
        except EventSinkError as error:
            if not isinstance(error.__cause__, BusError):
                raise
            log.warning("run %s: stopped, its events cannot be published", request.run_id)
            duration_ms = (time.perf_counter() - began) * 1000
            await self._end_without_bus(sink, active.abort or BUS_LOST, duration_ms)
            return
        except GraphEngineError as error:
            log.info("run %s could not start: %s", request.run_id, error)
        except Exception as error:
            log.exception("run %s: the engine failed", request.run_id)
            active.abort = active.abort or error_info(error)
        if active.abort is not None:
            await self._fail(sink, active.abort, (time.perf_counter() - began) * 1000)

    async def _fail(self, sink: PublishingSink, reason: ErrorInfo, duration_ms: float) -> None:
        """End the run with ``run.failed``: on the bus or, if the bus takes nothing, in
        the database."""
        try:
            await sink.fail(reason, duration_ms)
        except BusError as error:
            log.warning("run %s: its end cannot be published: %r", sink.run_id, error)
            await self._end_without_bus(sink, reason, duration_ms)

    async def _end_without_bus(
        self, sink: PublishingSink, reason: ErrorInfo, duration_ms: float
    ) -> None:
        """Record the run's end in the database, as the recorder would have, then offer it
        to the bus for live watchers (if it is back; else they read it from the database).
        Its earlier events, on the bus already, are recorded when the recorder reads them."""
        ending = sink.ending(reason, duration_ms)
        try:
            async with self._sessions() as session:
                recorded = await run_store.record_own_ending(
                    session, sink.run_id, self.worker_id, ending
                )
        except SQLAlchemyError as error:  # no heartbeat either: the reaper fails it
            log.error("run %s: recording its end failed too: %r", sink.run_id, error)
            return
        if not recorded:
            log.info("run %s was ended elsewhere meanwhile", sink.run_id)
            return
        sink.delivered(ending)
        log.warning("run %s: its end is recorded (%s)", sink.run_id, reason.code)
        self.active.pop(sink.run_id, None)  # over: no heartbeat, whatever the bus does
        try:
            for event in ending:
                await self._bus.publish_event(event)
        except BusError:
            pass  # recorded: watchers read it from the database

    def _prepare(self, request: RunRequest, document: Any) -> Prepared:
        """This version, ready to run (cached: versions never change)."""
        from graph_engine import DocumentError, ValidationFailed, compile_workflow, parse_document

        key = (request.workflow_id, request.version)
        if isinstance(document, Prepared):
            self._prepared.move_to_end(key)
            return document
        pasted = frozenset(secret_values(document))
        try:
            compiled = compile_workflow(parse_document(document))
        except (DocumentError, ValidationFailed):
            return Prepared(document, pasted)  # ``run`` reports why, as an event
        prepared = self._prepared[key] = Prepared(compiled, pasted)
        if len(self._prepared) > COMPILED_CACHE_SIZE:
            self._prepared.popitem(last=False)
        return prepared
