"""The engine's side of the sink: numbering, ordering, scrubbing, and a clean close.

Node code calls ``Emitter.emit`` synchronously: the event gets the next ``seq`` at that
moment and is queued, so concurrent nodes can never reorder or skip numbers even if
the sink is slow. One pump task hands queued events to the sink in order.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from pydantic import BaseModel

from graph_engine.errors import EventSinkError
from graph_engine.events import TERMINAL_TYPES, EventSink, RunEvent, now
from graph_engine.preview import scrub

logger = logging.getLogger(__name__)

_STOP = object()


class Emitter:
    def __init__(
        self, sink: EventSink, run_id: str, workflow_id: str | None, first_seq: int = 1
    ) -> None:
        self.run_id = run_id
        self.workflow_id = workflow_id
        self.secrets: set[str] = set()
        self._sink = sink
        self._seq = first_seq
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._pump: asyncio.Task[None] | None = None
        self._closed = False
        self._error: BaseException | None = None

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
        fields: dict[str, Any] = {
            "run_id": self.run_id,
            "workflow_id": self.workflow_id,
            "seq": self._seq,
            "ts": now(),
            "data": data,
        }
        if node_id is not None:
            fields["node_id"] = node_id
        event = event_type(**fields)
        self._seq += 1
        if event.type in TERMINAL_TYPES:
            self._closed = True
        self._queue.put_nowait(event)

    @property
    def failed(self) -> BaseException | None:
        return self._error

    async def aclose(self) -> None:
        """Deliver everything queued, then stop the pump. Raises ``EventSinkError``."""
        self._closed = True
        if self._pump is None:
            return
        self._queue.put_nowait(_STOP)
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
        while True:
            event = await self._queue.get()
            if event is _STOP:
                return
            try:
                await self._sink.emit(event)
            except Exception as error:  # any sink fault ends the run; reported by aclose
                logger.exception("Event sink failed on %s seq %s", event.type, event.seq)
                self._error = error
                return
