"""Where a reader is in each partition, and whether the log there is still the one it read.

Kafka brings a consumer back after a broker restart by itself. What needs care is a broker
that *lost* a log (the test broker keeps everything in memory; a deleted and re-created
topic does the same): offsets start again from 0, a fetch at the old position returns
nothing (no error from the test broker), or newer records at the same offsets; committed
offsets may point into the new log as if they belonged to it. So a reader remembers the
last record it handed out of each partition, and checks that this record is still at its
offset when fetch responses stopped for a while (``stall_threshold_ms``), when a
partition's high watermark fell below its position, or when a group gave it the partition
again. If the record is gone, or the log no longer reaches it, the partition is read again
from its start (at-least-once).

The proof is the record itself, or a high watermark (sent with every fetch response)
below the position. Not the end offsets of ListOffsets: the test broker's can lag behind
records it already served while producers write.

A restart can be quicker than the stall threshold; so a broker connection that failed
since the last poll is a reason to check too. aiokafka tells of those only in its log;
``_kafka_connection_failures`` counts them for the whole process while a Kafka bus runs,
and a reader compares the count with the one it saw last. A broker on slow storage (Tansu
on S3) pauses that long between fetch responses while it is well: every such pause
doubles the threshold (up to ``MAX_STALL_FACTOR`` times the setting), or such a reader
would check, and fetch again, after every response and never get on (measured: 22 of 200
records read in 120 s). A log found lost brings the threshold back to the setting.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord, TopicPartition

from ._kafka_connection_failures import CONNECTION_FAILURES

log = logging.getLogger(__name__)
MAX_STALL_FACTOR = 16
Record = ConsumerRecord[bytes, bytes]


@dataclass(frozen=True)
class _Mark:
    offset: int
    timestamp: int
    key: bytes | None
    value: bytes | None

    @classmethod
    def of(cls, record: Record) -> _Mark:
        return cls(record.offset, record.timestamp, record.key, record.value)


@dataclass
class Place:
    next: int
    """The offset of the next record to hand out."""
    mark: _Mark | None = None
    """The record at ``next - 1``, as it was handed out (None: not known yet)."""
    checking: bool = False
    """Positioned at ``next - 1`` to see that the record there is still ``mark``."""


class Places:
    def __init__(self, consumer: AIOKafkaConsumer, stall_threshold_ms: int) -> None:
        self._consumer = consumer
        self._stall_threshold_ms = stall_threshold_ms
        self._threshold_ms = stall_threshold_ms
        """The pause taken for a stall now: raised by each harmless one (see above)."""
        self._last_poll: int | None = None
        self._failures = CONNECTION_FAILURES.seen()
        self.places: dict[TopicPartition, Place] = {}
        self._restarted: dict[TopicPartition, int | None] = {}
        """Partitions taken up afresh (``restart``), with their last poll before that: what
        the consumer knows of them is older than the place until a fetch answers for them."""

    def follow(self, consumer: AIOKafkaConsumer) -> None:
        """Keep the places for ``consumer``, which replaces the one they were read with."""
        self._consumer = consumer  # the failure count goes on: one meanwhile still counts
        self._last_poll = None

    def stalled(self, partitions: set[TopicPartition]) -> bool:
        """Whether fetch responses paused, a broker connection failed, or a log ended below
        where this reader is."""
        failures, self._failures = self._failures, CONNECTION_FAILURES.seen()
        if failures != self._failures:
            return True
        polls = [self._last_poll_of(tp) for tp in partitions]
        latest = max((p for p in polls if p is not None), default=None)
        previous, self._last_poll = self._last_poll, latest
        if previous is not None and latest is not None:
            pause = latest - previous
            if pause > self._threshold_ms:
                self._threshold_ms = min(
                    2 * self._threshold_ms, MAX_STALL_FACTOR * self._stall_threshold_ms
                )  # brought back by ``read_again`` if the log was lost
                return True
        return any(
            (high := self._highwater(tp)) is not None and high < place.next
            for tp, place in self.places.items()
            if tp in partitions
        )

    def restart(self, tp: TopicPartition, offset: int) -> None:
        """Take ``tp`` up at ``offset``, forgetting what was read of it before (a follower
        resuming a partition at its end)."""
        self.places[tp] = Place(next=offset)
        self._restarted[tp] = self._consumer.last_poll_timestamp(tp)
        self._consumer.seek(tp, offset)

    def _last_poll_of(self, tp: TopicPartition) -> int | None:
        """When a fetch last answered for ``tp`` (None: not since it was taken up afresh)."""
        polled = self._consumer.last_poll_timestamp(tp)
        if tp in self._restarted:
            if polled == self._restarted[tp]:
                return None
            del self._restarted[tp]
        return polled

    def _highwater(self, tp: TopicPartition) -> int | None:
        """``tp``'s high watermark from the latest fetch response that answered for it
        since it was taken up (an older one may lie below the place)."""
        return self._consumer.highwater(tp) if self._last_poll_of(tp) is not None else None

    def accept(self, tp: TopicPartition, records: list[Record]) -> list[Record]:
        """The records of ``tp`` to hand out (after checking the log, when asked to)."""
        place = self.places.get(tp)
        accepted: list[Record] = []
        for record in records:
            if place is None:
                place = self.places[tp] = Place(next=record.offset)
            if place.checking and record.offset < place.next - 1:
                # The check's position was out of range and the consumer started over:
                # the log no longer reaches the marked record.
                self.read_again(tp, place)
                return accepted
            if record.offset < place.next - (1 if place.checking else 0):
                continue
            if place.checking:
                place.checking = False
                if record.offset == place.next - 1 and place.mark in (None, _Mark.of(record)):
                    place.mark = _Mark.of(record)
                    continue
                self.read_again(tp, place)
                return accepted
            accepted.append(record)
            place.next = record.offset + 1
            place.mark = _Mark.of(record)
        return accepted

    def read_again(self, tp: TopicPartition, place: Place) -> None:
        log.warning("Kafka lost the log of %s: reading it again from the start", tp)
        self._threshold_ms = self._stall_threshold_ms
        place.next, place.mark, place.checking = 0, None, False
        self._consumer.seek(tp, 0)

    def check(self, tp: TopicPartition, place: Place) -> None:
        """Position ``tp`` so that the next fetch shows whether the log is still the same."""
        high = self._highwater(tp)  # from the latest fetch response: never stale-low
        if high is not None and high < place.next:
            self.read_again(tp, place)  # the log now ends before the records handed out
            return
        place.checking = place.next > 0
        self._consumer.seek(tp, place.next - 1 if place.checking else 0)

    def checked(self) -> None:
        self._last_poll = None
