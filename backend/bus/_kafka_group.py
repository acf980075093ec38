"""A member of a consumer group: competing readers, at-least-once.

A message is committed once it has been handled (see ``base``), in the background: the
next fetch does not wait for the broker to take the commit (one commit runs at a time,
so they reach the broker in order; what was handled meanwhile goes with the next one).
Before partitions move
to another member, what was handled is committed and what was fetched but not handed out
is dropped: the new owner reads it from the committed offset. A partition whose log the
broker lost is read again from its start (see ``_kafka_places``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TypeVar

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener
from aiokafka.errors import KafkaError
from aiokafka.structs import ConsumerRecord, OffsetAndMetadata, TopicPartition

from ._kafka_places import Places
from ._kafka_reader import KafkaReader
from ._kafka_settings import KafkaSettings
from .messages import Channel
from .outage import RETRYING

T = TypeVar("T")
log = logging.getLogger(__name__)
Record = ConsumerRecord[bytes, bytes]
MAX_RECORDS = 100
CLOSE_COMMIT_TIMEOUT_S = 5.0
CHECK_TIMEOUT_S = 2.0


class GroupReader(KafkaReader[T]):
    def __init__(self, settings: KafkaSettings, topic: str, channel: Channel[T], group: str):
        super().__init__(settings, topic, channel)
        self._group = group
        self._pending: list[ConsumerRecord[bytes, bytes]] = []
        self._handled: dict[TopicPartition, int] = {}
        self._places: Places | None = None
        self._to_check: set[TopicPartition] = set()
        self._suspect = False
        self._committing: asyncio.Future[None] | None = None

    def partitions(self) -> frozenset[int]:
        if self._consumer is None or self._closed:
            return frozenset()
        return frozenset(tp.partition for tp in self._consumer.assignment())

    def _make_consumer(self) -> AIOKafkaConsumer:
        settings = self._settings
        return AIOKafkaConsumer(
            **self._consumer_options(),
            client_id=f"{settings.client_id}-{self._group}",
            group_id=self._group,
            session_timeout_ms=settings.session_timeout_ms,
            heartbeat_interval_ms=settings.heartbeat_interval_ms,
        )

    async def _setup(self) -> None:
        self._places = Places(self.consumer, self._settings.stall_threshold_ms)
        self.consumer.subscribe([self._topic], listener=_Rebalance(self))

    def _before_next(self) -> None:
        for record in self._pending:
            self._mark(record)
        self._pending = []

    def _delivered(self, record: ConsumerRecord[bytes, bytes]) -> None:
        self._pending.append(record)

    def _skipped(self, record: ConsumerRecord[bytes, bytes]) -> None:
        # Behind a delivered record of the batch, it must wait for that one to be handled.
        self._pending.append(record)

    def _mark(self, record: ConsumerRecord[bytes, bytes]) -> None:
        self._handled[TopicPartition(record.topic, record.partition)] = record.offset + 1

    async def _fill(self) -> None:
        if self._committing is None or self._committing.done():
            self._committing = asyncio.ensure_future(self._commit_handled())
        assert self._places is not None
        batch = await self.consumer.getmany(
            timeout_ms=self._settings.poll_interval_ms, max_records=MAX_RECORDS
        )
        assigned = self.consumer.assignment()
        checked: set[TopicPartition] = set()
        if self._places.stalled(assigned) or self._suspect or self._to_check & assigned:
            checked = await self._check(assigned, batch)
        for tp, records in sorted(batch.items()):
            if tp in checked:
                continue  # fetched again after the check
            if self._suspect:
                self.consumer.seek(tp, records[0].offset)  # to be fetched again after a check
            else:
                self._buffer.extend(self._places.accept(tp, records))

    async def _check(
        self, assigned: set[TopicPartition], batch: dict[TopicPartition, list[Record]]
    ) -> set[TopicPartition]:
        """See that the logs this member read from are still there (see ``_kafka_places``).

        Returns the partitions positioned anew (empty if the broker did not answer).
        """
        assert self._places is not None
        self._suspect = True
        places = self._places.places
        try:
            async with asyncio.timeout(CHECK_TIMEOUT_S):
                for tp in self._to_check & assigned:  # given (back) to this member
                    if tp in places and await self._position(tp, batch) != places[tp].next:
                        del places[tp]  # others read it meanwhile: nothing to compare
                known = [tp for tp in assigned if tp in places]
                await self.consumer.topics()  # the broker answers: it is worth checking now
        except (KafkaError, TimeoutError) as error:
            log.info("group %s waits for the broker: %r", self._group, error, extra=RETRYING)
            return set()
        for tp in known:
            self._places.check(tp, places[tp])
        self._to_check -= assigned
        self._suspect = False
        self._places.checked()
        return set(known)

    async def _commit_handled(self) -> None:
        try:
            await self.commit()
        except Exception:  # a background task: nobody else would hear of it
            log.exception("group %s: a commit failed (messages may come again)", self._group)

    async def commit_now(self, only: set[TopicPartition] | None = None) -> None:
        """Commit what was handled (of ``only``) once the commit under way is done."""
        if self._committing is not None:
            await asyncio.wait({self._committing})
        await self.commit(only)

    async def commit(self, only: set[TopicPartition] | None = None) -> None:
        assigned = self.consumer.assignment()
        offsets = {
            tp: OffsetAndMetadata(offset, "")
            for tp, offset in self._handled.items()
            if tp in assigned and (only is None or tp in only)
        }
        for tp in offsets:
            del self._handled[tp]
        if not offsets:
            return
        try:
            await self.consumer.commit(offsets)
        except KafkaError as error:
            log.warning(
                "group %s could not commit %s (those messages may be delivered again): %r",
                self._group,
                sorted(f"{tp.partition}@{o.offset}" for tp, o in offsets.items()),
                error,
            )

    async def _finish(self, handled: bool) -> None:
        if handled:
            self._before_next()
        self._pending = []
        try:
            async with asyncio.timeout(CLOSE_COMMIT_TIMEOUT_S):
                await self.commit_now()
        except TimeoutError:
            log.warning("group %s: the final commit timed out", self._group)

    async def _position(self, tp: TopicPartition, batch: dict[TopicPartition, list[Record]]) -> int:
        """Where ``tp`` was before ``batch`` was fetched."""
        return batch[tp][0].offset if batch.get(tp) else await self.consumer.position(tp)

    def revoke(self, partitions: set[TopicPartition]) -> None:
        """Drop what was fetched from ``partitions`` but not handed out: the new owner has it.

        A message being handled right now is not committed by this member any more (its
        partition is gone), so the new owner delivers it again: at-least-once.
        """
        kept = type(self._buffer)()
        for record in self._buffer:
            tp = TopicPartition(record.topic, record.partition)
            if tp not in partitions:
                kept.append(record)
            elif self._places is not None:
                self._places.places.pop(tp, None)  # its place is not where the handing out was
        self._buffer = kept

    def assigned(self, partitions: set[TopicPartition]) -> None:
        self._to_check |= partitions


class _Rebalance(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, reader: GroupReader[object]) -> None:
        self._reader = reader

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        await self._reader.commit_now(set(revoked))
        self._reader.revoke(set(revoked))

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        self._reader.assigned(set(assigned))
