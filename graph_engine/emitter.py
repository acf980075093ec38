"""The engine's side of the sink: numbering, ordering, scrubbing, and a clean close.

Node code calls ``Emitter.emit`` synchronously: the event gets the next ``seq`` (and its
``ts``) at that moment and is queued, so concurrent nodes can never reorder or skip
numbers even if the sink is slow. A pump task hands queued events to the sink in order;
it exists only while there is something to deliver (started by the first ``emit`` of a
burst, ended when the queue is empty), so an idle run holds no task and closing one
that has delivered everything costs nothing.

The hot path is cheap on purpose (it runs twice per node): ``emit`` checks its
arguments and queues a small tuple; the pump builds the event object just before
handing it to the sink, without validating it again (``events.trusted``: ``emit`` has
already checked everything validation would). Queued work therefore holds no event
objects, which keeps a burst of concurrent nodes from pushing short-lived events into
the garbage collector's old generation (a full collection costs tens of milliseconds in
a process that has imported LangGraph).

A ``PacedSink`` sets the pace of tokens: while the pump waits for its room, a node's
next tokens join the token queued last (same node), keeping that one's ``seq`` and
``ts``: the text is the same, the events fewer, and each event's latency still counts
from its first token.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from graph_engine.errors import EventSinkError
from graph_engine.events import TERMINAL_TYPES, EventSink, PacedSink, RunEvent, now, trusted
from graph_engine.preview import scrub

logger = logging.getLogger(__name__)


class _Kind:
    """What ``emit`` checks about one event type, and how to build it (once per type)."""

    __slots__ = ("data_type", "fields_set", "model", "node_event", "streamed", "terminal", "type")

    def __init__(self, event_type: type[BaseModel]) -> None:
        fields = event_type.model_fields
        self.model = event_type
        self.data_type = fields["data"].annotation
        self.node_event = "node_id" in fields
        self.type: str = fields["type"].default
        self.terminal = self.type in TERMINAL_TYPES
        self.streamed = self.type == "node.token"
        # what ``event_type(run_id=…, workflow_id=…, seq=…, ts=…, [node_id=…,] data=…)`` sets
        self.fields_set = frozenset(fields) - {"type"}


_KINDS: dict[type, _Kind] = {}

_Pending = tuple[_Kind, int, datetime, BaseModel, str | None]


class Emitter:
    def __init__(
        self, sink: EventSink, run_id: str, workflow_id: str | None, first_seq: int = 1
    ) -> None:
        self.run_id = run_id
        self.workflow_id = workflow_id
        self.secrets: set[str] = set()
        self.on_failure: Callable[[], None] | None = None
        """Called (once) when the sink fails, so the runner can stop the run at once."""
        self._sink = sink
        self._seq = first_seq
        self._pending: deque[_Pending] = deque()
        self._pump: asyncio.Task[None] | None = None
        self._closed = False
        self._error: BaseException | None = None
        self._room_for_token = sink.room_for_token if isinstance(sink, PacedSink) else None
        self._pacing = False
        """The pump is waiting for the sink's room for the next token."""
        # The envelope is checked here once instead of on every event.
        self._valid_envelope = isinstance(run_id, str) and (
            workflow_id is None or isinstance(workflow_id, str)
        )

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
            # Not the common shape: validate now, so a bad call fails here, as it should;
            # what is queued is then the validated data, which the pump may trust.
            event = self._validated(kind, self._seq, ts, data, node_id)
            data, node_id = event.data, getattr(event, "node_id", None)
        if kind.streamed and self._pacing and self._join_last_token(kind, data, node_id):
            return
        self._pending.append((kind, self._seq, ts, data, node_id))
        self._seq += 1
        if kind.terminal:
            self._closed = True
        if self._pump is None:
            self._pump = asyncio.get_running_loop().create_task(self._run_pump())

    def _join_last_token(self, kind: _Kind, data: Any, node_id: str | None) -> bool:
        """Append ``data``'s text to the last queued event if it is this node's token."""
        if not self._pending:
            return False
        last_kind, seq, ts, last_data, last_node = self._pending[-1]
        if last_kind is not kind or last_node != node_id:
            return False
        self._pending[-1] = (kind, seq, ts, last_data.followed_by(data), node_id)
        return True

    def _validated(
        self, kind: _Kind, seq: int, ts: datetime, data: Any, node_id: str | None
    ) -> RunEvent:
        fields = {"run_id": self.run_id, "workflow_id": self.workflow_id, "seq": seq, "ts": ts}
        if node_id is not None:
            fields["node_id"] = node_id
        fields["data"] = data
        event: RunEvent = kind.model.model_validate(fields)
        return event

    def _build(
        self, kind: _Kind, seq: int, ts: datetime, data: BaseModel, node_id: str | None
    ) -> RunEvent:
        # The field order of the models: the envelope, then node_id, then data.
        fields = {
            "type": kind.type,
            "run_id": self.run_id,
            "workflow_id": self.workflow_id,
            "seq": seq,
            "ts": ts,
        }
        if kind.node_event:
            fields["node_id"] = node_id
        fields["data"] = data
        event: RunEvent = trusted(kind.model, fields, set(kind.fields_set))
        return event

    @property
    def failed(self) -> BaseException | None:
        return self._error

    async def aclose(self) -> None:
        """Deliver everything queued, then return. Raises ``EventSinkError``.

        Cancelling the caller cancels the delivery too (awaiting a task does that), so
        nothing is left behind either way."""
        self._closed = True
        if self._pump is not None:
            await self._pump
        if self._error is not None:
            raise EventSinkError(f"The event sink failed: {self._error!r}") from self._error

    async def _run_pump(self) -> None:
        pending, sink, build = self._pending, self._sink, self._build
        room_for_token = self._room_for_token
        item = None
        try:
            while pending:
                item = pending[0]
                if room_for_token is not None and item[0].streamed:
                    self._pacing = True
                    try:
                        await room_for_token()
                    finally:
                        self._pacing = False
                item = pending.popleft()  # with the tokens that joined it meanwhile
                await sink.emit(build(*item))
        except Exception as error:  # any sink fault ends the run; reported by aclose
            assert item is not None
            logger.exception("Event sink failed on %s seq %s", item[0].type, item[1])
            self._error = error
            pending.clear()
            if self.on_failure is not None:
                self.on_failure()
        finally:
            self._pump = None
