"""One in-process topic: partitioned logs, consumer groups and followers.

Everything runs on one event loop under one ``asyncio.Condition`` per topic. Memory
stays bounded: each partition keeps at most ``capacity`` records and each follower at
most ``capacity`` undelivered ones; a publisher waits (back-pressure) while a follower
or an active group member is that far behind. Records no group needs any more are
dropped; a group with no members does not hold publishers back (its oldest records go,
as Kafka's retention would drop them).
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from abc import ABC, abstractmethod
from collections import deque
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from .base import BusClosed
from .messages import Channel

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass
class _Log:
    start: int = 0
    records: deque[Any] = field(default_factory=deque)

    @property
    def end(self) -> int:
        return self.start + len(self.records)

    def trim_to(self, offset: int) -> None:
        while self.records and self.start < offset:
            self.records.popleft()
            self.start += 1


@dataclass
class _Group:
    committed: list[int]
    members: list[GroupReader[Any]] = field(default_factory=list)

    def rebalance(self) -> None:
        count = len(self.members)
        for index, member in enumerate(self.members):
            member.assign({p for p in range(len(self.committed)) if p % count == index})


class Topic:
    def __init__(self, name: str, partitions: int, capacity: int) -> None:
        self.name = name
        self.capacity = capacity
        self.logs = [_Log() for _ in range(partitions)]
        self.groups: dict[str, _Group] = {}
        self.followers: set[Follower[Any]] = set()
        self.changed = asyncio.Condition()
        self.closed = False

    def partition_of(self, key: bytes) -> int:
        return zlib.crc32(key) % len(self.logs)

    async def append(self, key: bytes, data: Any) -> None:
        partition = self.partition_of(key)
        async with self.changed:
            while not self._has_room(partition):
                await self.changed.wait()
            self.logs[partition].records.append(data)
            for follower in self.followers:
                follower.buffer.append(data)
            self.changed.notify_all()

    def _has_room(self, partition: int) -> bool:
        if self.closed:
            raise BusClosed(f"topic {self.name} is closed")
        if any(len(follower.buffer) >= self.capacity for follower in self.followers):
            return False
        part = self.logs[partition]
        part.trim_to(min((g.committed[partition] for g in self.groups.values()), default=0))
        if len(part.records) < self.capacity:
            return True
        if any(g.members and g.committed[partition] <= part.start for g in self.groups.values()):
            return False  # an active member still needs the oldest record
        log.warning(
            "in-process topic %s partition %d is full: dropping its oldest record",
            self.name,
            partition,
        )
        part.trim_to(part.start + 1)
        return True

    def group(self, name: str) -> _Group:
        if name not in self.groups:
            self.groups[name] = _Group(committed=[part.start for part in self.logs])
        return self.groups[name]

    async def close(self) -> None:
        async with self.changed:
            self.closed = True
            self.changed.notify_all()


class _Reader(ABC, Generic[T]):
    def __init__(self, topic: Topic, channel: Channel[T]) -> None:
        self._topic = topic
        self._channel = channel
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def __aiter__(self) -> Self:
        return self

    async def __aenter__(self) -> Self:
        async with self._topic.changed:
            self._join()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close(handled=exc is None)

    async def close(self, handled: bool = False) -> None:
        async with self._topic.changed:
            if not self._closed:
                self._closed = True
                self._leave(handled)
                self._topic.changed.notify_all()

    async def __anext__(self) -> T:
        return (await self.next_batch(1))[0]

    async def next_batch(self, limit: int) -> list[T]:
        async with self._topic.changed:
            self._handled()
            while (data := self._take()) is None:
                if self._closed or self._topic.closed:
                    raise StopAsyncIteration
                await self._topic.changed.wait()
            batch = [data]
            while len(batch) < limit and (data := self._take()) is not None:
                batch.append(data)
            self._topic.changed.notify_all()
        return batch

    @abstractmethod
    def _join(self) -> None:
        """Start reading: take a place in a group, or mark the end of the log."""

    @abstractmethod
    def _leave(self, handled: bool) -> None:
        """Stop reading; ``handled`` says whether the last record was handled."""

    def _handled(self) -> None:
        pass

    @abstractmethod
    def _take(self) -> T | None:
        """The next record for this reader, or ``None`` when there is none yet."""


class Follower(_Reader[T]):
    """Every record appended after ``__aenter__``."""

    def __init__(self, topic: Topic, channel: Channel[T]) -> None:
        super().__init__(topic, channel)
        self.buffer: deque[T] = deque()

    def partitions(self) -> frozenset[int]:
        return frozenset(range(len(self._topic.logs)))

    def _join(self) -> None:
        self._topic.followers.add(self)

    def _leave(self, handled: bool) -> None:
        self._topic.followers.discard(self)
        self.buffer.clear()

    def _take(self) -> T | None:
        return self.buffer.popleft() if self.buffer and not self._closed else None


class GroupReader(_Reader[T]):
    """A member of a consumer group: reads its share of the partitions, commits handled."""

    def __init__(self, topic: Topic, channel: Channel[T], group: str) -> None:
        super().__init__(topic, channel)
        self._group_name = group
        self._positions: dict[int, int] = {}
        self._pending: list[tuple[int, int]] = []
        self._next_partition = 0

    def partitions(self) -> frozenset[int]:
        return frozenset(self._positions)

    def assign(self, partitions: set[int]) -> None:
        group = self._topic.groups[self._group_name]
        kept = {p: pos for p, pos in self._positions.items() if p in partitions}
        self._positions = {p: kept.get(p, group.committed[p]) for p in sorted(partitions)}

    def _join(self) -> None:
        group = self._topic.group(self._group_name)
        group.members.append(self)
        group.rebalance()

    def _leave(self, handled: bool) -> None:
        if handled:
            self._handled()
        group = self._topic.groups[self._group_name]
        group.members.remove(self)
        self._positions = {}
        group.rebalance()

    def _handled(self) -> None:
        committed = self._topic.groups[self._group_name].committed
        for partition, offset in self._pending:
            if partition in self._positions:  # not revoked meanwhile
                committed[partition] = max(committed[partition], offset + 1)
        self._pending = []

    def _take(self) -> T | None:
        if self._closed:
            return None
        partitions = sorted(self._positions)
        for step in range(len(partitions)):
            partition = partitions[(self._next_partition + step) % len(partitions)]
            part = self._topic.logs[partition]
            offset = max(self._positions[partition], part.start)
            if offset < part.end:
                self._positions[partition] = offset + 1
                self._pending.append((partition, offset))
                self._next_partition = (self._next_partition + step + 1) % len(partitions)
                return part.records[offset - part.start]
        return None
