"""The engine's side of the sink: numbering, ordering, scrubbing, and a clean close.

Node code calls ``Emitter.emit`` synchronously: the event gets the next ``seq`` (and its
``ts``) at that moment and is queued, so concurrent nodes can never reorder or skip
numbers even if the sink is slow. One pump task hands queued events to the sink in order.

The hot path is cheap on purpose (it runs twice per node): ``emit`` checks its
arguments and queues a small tuple; the pump builds the validated event object just
before handing it to the sink. Queued work therefore holds no event objects, which
keeps a burst of concurrent nodes from pushing short-lived events into the garbage
collector's old generation (a full collection costs tens of milliseconds in a process
that has imported LangGraph).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from graph_engine.errors import EventSinkError
from graph_engine.events import TERMINAL_TYPES, EventSink, RunEvent, now
from graph_engine.preview import scrub

logger = logging.getLogger(__name__)


class _Kind:
    """What ``emit`` checks about one event type (computed once per type)."""

    __slots__ = ("data_type", "node_event", "terminal", "type")

    def __init__(self, event_type: type[BaseModel]) -> None:
        fields = event_type.model_fields
        self.data_type = fields["data"].annotation
        self.node_event = "node_id" in fields
        self.type: str = fields["type"].default
        self.terminal = self.type in TERMINAL_TYPES


_KINDS: dict[type, _Kind] = {}


class Emitter:
    def __init__(
        self, sink: EventSink, run_id: str, workflow_id: str | None, first_seq: int = 1
    ) -> None:
        self.run_id = run_id
        self.workflow_id = workflow_id
        self.secrets: set[str] = set()
        self._sink = sink
        self._seq = first_seq
        # (event type, seq, ts, data, node_id), built into events by the pump
        self._pending: deque[tuple[Any, int, datetime, BaseModel, str | None]] = deque()
        self._wakeup: asyncio.Future[None] | None = None
        self._stopping = False
        self._pump: asyncio.Task[None] | None = None
        self._closed = False
        self._error: BaseException | None = None
        # The envelope is checked here once instead of on every event.
        self._valid_envelope = isinstance(run_id, str) and (
            workflow_id is None or isinstance(workflow_id, str)
        )

    def start(self) -> None:
        self._pump = asyncio.get_running_loop().create_task(self._run_pump())

    def emit(self, event_type: type[RunEvent], data: BaseModel, node_id: str | None = None) -> None:
        """Number and queue one event. Raises ``EventSinkError`` once the sink has failed."""
        if self._error is not None:
            raise EventSinkError(f"The event sink failed: {self._error!r}") from self._error
        if self._closed:
            logger.warning("Event %s after the run ended was dropped.", event_type.__name__)
            return
        if self.secrets:
            data = type(data).model_validate(scrub(data.model_dump(), self.secrets))
        kind = _KINDS.get(event_type)
        if kind is None:
            kind = _KINDS[event_type] = _Kind(event_type)
        ts = now()
        if not (
            self._valid_envelope
            and type(data) is kind.data_type
            and (isinstance(node_id, str) if kind.node_event else node_id is None)
        ):
            # Not the common shape: validate now, so a bad call fails here, as it should.
            self._build(event_type, self._seq, ts, data, node_id)
        self._pending.append((event_type, self._seq, ts, data, node_id))
        self._seq += 1
        if kind.terminal:
            self._closed = True
        wakeup = self._wakeup
        if wakeup is not None and not wakeup.done():
            wakeup.set_result(None)

    def _build(
        self,
        event_type: Any,
        seq: int,
        ts: datetime,
        data: BaseModel,
        node_id: str | None,
    ) -> RunEvent:
        # Fully validated, as ``event_type(**fields)`` is, minus ``__init__``'s overhead.
        fields = {
            "run_id": self.run_id,
            "workflow_id": self.workflow_id,
            "seq": seq,
            "ts": ts,
            "data": data,
        }
        if node_id is not None:
            fields["node_id"] = node_id
        event: RunEvent = event_type.__pydantic_validator__.validate_python(fields)
        return event

    @property
    def failed(self) -> BaseException | None:
        return self._error

    async def aclose(self) -> None:
        """Deliver everything queued, then stop the pump. Raises ``EventSinkError``."""
        self._closed = True
        if self._pump is None:
            return
        self._stopping = True
        wakeup = self._wakeup
        if wakeup is not None and not wakeup.done():
            wakeup.set_result(None)
        try:
            await asyncio.shield(self._pump)
        except asyncio.CancelledError:
            self._pump.cancel()
            raise
        if self._error is not None:
            raise EventSinkError(f"The event sink failed: {self._error!r}") from self._error

    async def wait_failed(self) -> None:
        """Return when the pump has died (the sink raised); used to stop a run early."""
        if self._pump is not None:
            await asyncio.wait({self._pump})

    async def _run_pump(self) -> None:
        pending, sink, build = self._pending, self._sink, self._build
        loop = asyncio.get_running_loop()
        while True:
            if not pending:
                if self._stopping:
                    return
                self._wakeup = loop.create_future()
                await self._wakeup
                self._wakeup = None
                continue
            item = pending.popleft()
            try:
                await sink.emit(build(*item))
            except Exception as error:  # any sink fault ends the run; reported by aclose
                logger.exception("Event sink failed on %s seq %s", _KINDS[item[0]].type, item[1])
                self._error = error
                return
