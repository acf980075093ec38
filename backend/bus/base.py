"""The ``EventBus`` protocol: three topics, two ways of reading them.

- **Run requests** (``nodeloom.run-requests``) are read by a consumer *group*
  (``nodeloom-workers``): members compete, each request goes to one of them.
- **Run events** (``nodeloom.run-events``) are read two ways: by the recorder *group*
  (``nodeloom-recorder``, competing, at-least-once) and by *followers*, one per API
  replica, each of which sees every event published after it started.
- **Run control** (``nodeloom.run-control``) is followed by every worker (cancel requests).

A subscription is an async context manager and an async iterator::

    async with bus.requests() as requests:
        async for request in requests:
            await handle(request)

In a group, a message counts as handled once the loop asks for the next one (or the next
batch: ``next_batch``), or when the ``async with`` block ends without an exception;
handled messages are committed, so a message whose handling raised (or a member that
died) is delivered again. Delivery is at-least-once everywhere: readers drop duplicates
by ``(run_id, seq)``. Messages with the same ``run_id`` reach a reader in the order they
were published.

``publish_*`` returns once the bus has the message (Kafka: the broker acknowledged it with
``acks=all``) and raises ``BusUnavailable`` when that cannot happen within the deadline.
When the bus closes, open subscriptions end: their loops finish.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Protocol, Self, TypeVar

from graph_engine.events import RunEvent

from .messages import ControlMessage, RunRequest
from .watched import WatchedRuns

T_co = TypeVar("T_co", covariant=True)

LogEnd = dict[int, int]
"""The next offset of each partition of the run-events log."""

WORKERS_GROUP = "nodeloom-workers"
RECORDER_GROUP = "nodeloom-recorder"


class BusError(Exception):
    """Something went wrong on the event bus."""


class BusClosed(BusError):
    """The bus is not started, or already closed."""


class BusUnavailable(BusError):
    """The broker could not be reached (or did not acknowledge) within the deadline."""


class Subscription(Protocol[T_co]):
    """Messages of one topic; use inside ``async with``, iterate with ``async for``."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    def __aiter__(self) -> AsyncIterator[T_co]: ...

    async def __anext__(self) -> T_co: ...

    async def next_batch(self, limit: int) -> list[T_co]:
        """The next messages already at hand: at least one (waiting for it), at most
        ``limit``. In a group they count as handled when the next batch is asked for."""
        ...

    def partitions(self) -> frozenset[int]:
        """The partitions this reader currently reads (a group member's share, or all)."""
        ...


class BusLifecycle(ABC):
    """``async with bus:`` starts the bus and closes it, for every implementation."""

    @abstractmethod
    async def start(self) -> None:
        """Connect (and create topics where needed); calling it again does nothing."""

    @abstractmethod
    async def close(self) -> None:
        """End every open subscription and disconnect."""

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()


class EventBus(Protocol):
    """Run requests, run events and control messages between the API and the workers."""

    publish_window: int
    """How many publishes of one run's events may be in flight at once: 1 where a publish
    returns at once (in-process), more where it waits for a broker."""

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    async def publish_request(self, request: RunRequest) -> None: ...

    async def publish_event(self, event: RunEvent) -> None: ...

    async def publish_control(self, message: ControlMessage) -> None: ...

    def requests(self, group: str = WORKERS_GROUP) -> Subscription[RunRequest]:
        """Run requests, shared among the members of ``group``."""
        ...

    def recorded_events(self, group: str = RECORDER_GROUP) -> Subscription[RunEvent]:
        """Every run event, shared among the members of ``group`` (at-least-once)."""
        ...

    def follow_events(self, watched: WatchedRuns | None = None) -> Subscription[RunEvent]:
        """Every run event published from now on (a broadcast: no group). With ``watched``,
        the events of other runs may be left out (a watcher reads what is missing from
        the database)."""
        ...

    def follow_control(self) -> Subscription[ControlMessage]:
        """Every control message published from now on (a broadcast: no group)."""
        ...

    async def event_log_end(self) -> LogEnd:
        """Where the run-events log ends now, per partition (``BusError`` if the bus cannot
        say): every event published so far lies before it."""
        ...

    async def recorded_through(self, end: LogEnd) -> bool:
        """Whether the recorder group has handled every run event before ``end`` (a
        partition whose log the broker lost since counts up to its new end)."""
        ...
