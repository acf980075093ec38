"""The in-process bus: the embedded default, with the semantics of the Kafka one.

Topics are partitioned by ``run_id`` like Kafka's, so one run's messages stay in order;
groups share partitions among their members and commit what was handled; followers see
everything published after they started. Each message is encoded to the JSON Kafka
carries, so what cannot be serialized fails here too, but readers get the published
message itself: messages are frozen models, and decoding the same JSON once per reader
cost more than everything else the bus does.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from graph_engine.events import RunEvent

from ._memory_topic import Follower, GroupReader, Topic, _Reader
from .base import (
    RECORDER_GROUP,
    WORKERS_GROUP,
    BusClosed,
    BusLifecycle,
    LogEnd,
    Subscription,
)
from .messages import CHANNELS, CONTROL, EVENTS, REQUESTS, Channel, ControlMessage, RunRequest
from .watched import WatchedRuns

T = TypeVar("T")

DEFAULT_PARTITIONS = 8
DEFAULT_CAPACITY = 1024


class MemoryBus(BusLifecycle):
    """An ``EventBus`` inside one process (one event loop)."""

    publish_window = 1

    def __init__(
        self, *, partitions: int = DEFAULT_PARTITIONS, capacity: int = DEFAULT_CAPACITY
    ) -> None:
        if partitions < 1 or capacity < 1:
            raise ValueError("partitions and capacity must be positive")
        self._partitions = partitions
        self._capacity = capacity
        self._topics: dict[str, Topic] = {}
        self._readers: set[_Reader[Any]] = set()
        self._started = False

    async def start(self) -> None:
        if not self._topics:
            self._topics = {
                ch.name: Topic(ch.name, self._partitions, self._capacity) for ch in CHANNELS
            }
        self._started = True

    async def close(self) -> None:
        self._started = False
        for reader in list(self._readers):
            await reader.close()
        self._readers.clear()
        for topic in self._topics.values():
            await topic.close()

    async def publish_request(self, request: RunRequest) -> None:
        await self._publish(REQUESTS, request)

    async def publish_event(self, event: RunEvent) -> None:
        await self._publish(EVENTS, event)

    async def publish_control(self, message: ControlMessage) -> None:
        await self._publish(CONTROL, message)

    def requests(self, group: str = WORKERS_GROUP) -> Subscription[RunRequest]:
        return self._track(GroupReader(self._topic(REQUESTS), REQUESTS, group))

    def recorded_events(self, group: str = RECORDER_GROUP) -> Subscription[RunEvent]:
        return self._track(GroupReader(self._topic(EVENTS), EVENTS, group))

    def follow_events(self, watched: WatchedRuns | None = None) -> Subscription[RunEvent]:
        # Every event: handing one over in process costs less than choosing.
        return self._track(Follower(self._topic(EVENTS), EVENTS))

    def follow_control(self) -> Subscription[ControlMessage]:
        return self._track(Follower(self._topic(CONTROL), CONTROL))

    async def event_log_end(self) -> LogEnd:
        return {partition: log.end for partition, log in enumerate(self._topic(EVENTS).logs)}

    async def recorded_through(self, end: LogEnd) -> bool:
        group = self._topic(EVENTS).groups.get(RECORDER_GROUP)
        if group is None:
            return all(offset == 0 for offset in end.values())
        return all(group.committed[partition] >= offset for partition, offset in end.items())

    async def _publish(self, channel: Channel[Any], message: BaseModel) -> None:
        channel.encode(message)  # refuse here what Kafka could not carry
        await self._topic(channel).append(channel.key(message), message)

    def _topic(self, channel: Channel[Any]) -> Topic:
        if not self._started:
            raise BusClosed("the in-process bus is not started")
        return self._topics[channel.name]

    def _track(self, reader: _Reader[T]) -> _Reader[T]:
        self._readers = {r for r in self._readers if not r.closed}
        self._readers.add(reader)
        return reader
