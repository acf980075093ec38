"""A follower: every record published after it started, on every partition, no group.

It assigns itself every partition and starts at the end (no group join, which costs
seconds); it follows changes in the partition count, and reads a partition again from
its start when the broker lost its log (see ``_kafka_places``). A *live* follower (the
run events an API replica forwards to WebSockets) fetches with the short
``fetch_max_wait_ms``, the others with ``background_fetch_max_wait_ms``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TypeVar

from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError
from aiokafka.structs import TopicPartition

from ._kafka_places import Place, Places
from ._kafka_reader import KafkaReader
from ._kafka_settings import KafkaSettings
from .base import BusError
from .messages import Channel
from .outage import RETRYING

T = TypeVar("T")
log = logging.getLogger(__name__)
RECHECK_TIMEOUT_S = 2.0


class Follower(KafkaReader[T]):
    _places: Places
    _suspect = False

    def __init__(
        self, settings: KafkaSettings, topic: str, channel: Channel[T], *, live: bool
    ) -> None:
        self._live = live  # before the reader's own set-up, which asks for the fetch wait
        super().__init__(settings, topic, channel)

    def partitions(self) -> frozenset[int]:
        if self._closed:
            return frozenset()
        return frozenset(tp.partition for tp in self._places.places)

    def _fetch_max_wait_ms(self) -> int:
        if self._live:  # the run events on their way to the WebSockets
            return self._settings.fetch_max_wait_ms
        return self._settings.background_fetch_max_wait_ms

    def _make_consumer(self) -> AIOKafkaConsumer:
        return AIOKafkaConsumer(
            **self._consumer_options(), client_id=f"{self._settings.client_id}-follower"
        )

    async def _setup(self) -> None:
        self._places = Places(self.consumer, self._settings.stall_threshold_ms)
        partitions = await self._current_partitions()
        if partitions is None:
            raise BusError(f"Kafka topic {self._topic} does not exist")
        self.consumer.assign(partitions)
        ends = await self.consumer.end_offsets(partitions)
        for tp in partitions:
            # Start at the end: the record before it only marks the place.
            place = self._places.places[tp] = Place(next=ends[tp])
            self._places.check(tp, place)

    async def _resume(self) -> None:
        self._places.follow(self.consumer)
        places = self._places.places
        self.consumer.assign(list(places))
        for tp, place in places.items():
            self._places.check(tp, place)  # the next fetch carries on after the last handed out

    async def _current_partitions(self) -> list[TopicPartition] | None:
        await self.consumer.topics()  # a fresh metadata request
        numbers = self.consumer.partitions_for_topic(self._topic)
        if not numbers:
            return None
        return [TopicPartition(self._topic, n) for n in sorted(numbers)]

    async def _fill(self) -> None:
        batch = await self.consumer.getmany(timeout_ms=self._settings.poll_interval_ms)
        if self._places.stalled(set(self._places.places)) or self._suspect:
            self._suspect = True
            await self._recheck()
            if self._suspect:  # the broker did not answer: fetch the batch again later
                for tp, records in batch.items():
                    self.consumer.seek(tp, records[0].offset)
            return  # after a check, what was fetched is fetched again
        for tp, records in sorted(batch.items()):
            self._buffer.extend(self._places.accept(tp, records))

    async def _recheck(self) -> None:
        try:
            async with asyncio.timeout(RECHECK_TIMEOUT_S):
                await self._recheck_positions()
        except (KafkaError, TimeoutError) as error:
            log.info("follower of %s waits for the broker: %r", self._topic, error, extra=RETRYING)

    async def _recheck_positions(self) -> None:
        partitions = await self._current_partitions()
        if partitions is None:
            return  # the topic is missing for now: check again on the next round
        places = self._places.places
        if set(partitions) != set(places):
            log.warning("%s now has %d partitions", self._topic, len(partitions))
            self._places.places = places = {tp: places.get(tp, Place(next=0)) for tp in partitions}
            self.consumer.assign(partitions)
        for tp, place in places.items():
            self._places.check(tp, place)
        self._suspect = False
        self._places.checked()
