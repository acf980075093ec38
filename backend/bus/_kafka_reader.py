"""What Kafka subscriptions share: the consumer's lifecycle, buffering and decoding.

A reader whose broker turns out to answer fetches before reading its storage raises its
fetch wait (see ``_kafka_wait``) and opens its consumer again with it, once: a group
member commits what it handled and joins again; a follower carries on from its places.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections import deque
from types import TracebackType
from typing import Generic, Self, TypeVar

from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError
from aiokafka.structs import ConsumerRecord
from pydantic import ValidationError

from backend.observability import kafka_lag

from ._kafka_settings import KafkaSettings
from ._kafka_wait import FetchWait
from .base import BusError
from .messages import Channel

T = TypeVar("T")
log = logging.getLogger(__name__)


class KafkaReader(ABC, Generic[T]):
    def __init__(self, settings: KafkaSettings, topic: str, channel: Channel[T]) -> None:
        self._settings = settings
        self._topic = topic
        self._channel = channel
        self._consumer: AIOKafkaConsumer | None = None
        self._wait = FetchWait(
            settings.bootstrap_servers,
            topic,
            self._fetch_max_wait_ms(),
            settings.slow_storage_fetch_max_wait_ms,
        )
        self._buffer: deque[ConsumerRecord[bytes, bytes]] = deque()
        self._lock = asyncio.Lock()
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def consumer(self) -> AIOKafkaConsumer:
        if self._consumer is None:
            raise RuntimeError("use the subscription inside `async with`")
        return self._consumer

    def _consumer_options(self) -> dict[str, object]:
        settings = self._settings
        return {
            **settings.client_options(),
            "enable_auto_commit": False,
            "auto_offset_reset": "earliest",
            "fetch_max_wait_ms": self._wait.wait_ms,
            "request_timeout_ms": settings.request_timeout_ms,
            "retry_backoff_ms": settings.retry_backoff_ms,
            "metadata_max_age_ms": settings.metadata_max_age_ms,
        }

    def _fetch_max_wait_ms(self) -> int:
        """How long the broker may hold this reader's fetches (see ``KafkaSettings``)."""
        return self._settings.background_fetch_max_wait_ms

    async def __aenter__(self) -> Self:
        await self._open(resume=False)
        return self

    async def _open(self, *, resume: bool) -> None:
        """Start a consumer; a broker that does not answer is a ``BusError``, which every
        caller of a subscription retries."""
        self._consumer = self._make_consumer()
        try:
            await self._consumer.start()
            await (self._resume() if resume else self._setup())
        except BaseException as error:
            await self._consumer.stop()
            if isinstance(error, KafkaError):
                raise BusError(f"reading {self._topic} failed: {error!r}") from error
            raise
        kafka_lag.watch(self._consumer, self._topic, type(self).__name__)

    async def _reopen(self) -> None:
        """Open the consumer again, with the raised fetch wait (nothing is buffered)."""
        kafka_lag.unwatch(self.consumer)
        try:
            await self._finish(False)
        finally:
            await self.consumer.stop()
        await self._open(resume=True)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close(handled=exc is None)

    async def close(self, handled: bool = False) -> None:
        if self._closed:
            return
        self._closed = True
        async with self._lock:
            self._buffer.clear()
            if self._consumer is not None:
                kafka_lag.unwatch(self._consumer)
                try:
                    await self._finish(handled)
                finally:
                    await self._consumer.stop()

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> T:
        return (await self.next_batch(1))[0]

    async def next_batch(self, limit: int) -> list[T]:
        self._before_next()
        batch: list[T] = []
        while True:
            while self._buffer and len(batch) < limit:
                record = self._buffer.popleft()
                message = self._decode(record)
                if message is not None:
                    self._delivered(record)
                    batch.append(message)
                else:
                    self._skipped(record)
            if batch:
                return batch
            async with self._lock:
                if self._closed:
                    raise StopAsyncIteration
                await self._fill()
                if await self._wait.after_poll(self.consumer, bool(self._buffer)):
                    await self._reopen()

    def _decode(self, record: ConsumerRecord[bytes, bytes]) -> T | None:
        try:
            return self._channel.decode(record.value or b"")
        except ValidationError as error:
            log.error(
                "skipping a malformed message on %s (partition %d, offset %d): %s",
                record.topic,
                record.partition,
                record.offset,
                error,
            )
            return None

    @abstractmethod
    def _make_consumer(self) -> AIOKafkaConsumer:
        """A consumer set up for this kind of reader (a group member or a follower)."""

    async def _setup(self) -> None:
        pass

    async def _resume(self) -> None:
        """Set a reopened consumer where the previous one was (default: as at the start)."""
        await self._setup()

    @abstractmethod
    async def _fill(self) -> None:
        """Wait up to the poll interval for records and append them to the buffer."""

    async def _finish(self, handled: bool) -> None:
        pass

    def _before_next(self) -> None:
        pass

    def _delivered(self, record: ConsumerRecord[bytes, bytes]) -> None:
        pass

    def _skipped(self, record: ConsumerRecord[bytes, bytes]) -> None:
        pass
