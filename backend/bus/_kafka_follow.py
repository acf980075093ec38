"""A follower: every record published after it started, on every partition, no group.

It assigns itself every partition and starts at the end (no group join, which costs
seconds); it follows changes in the partition count, and reads a partition again from
its start when the broker lost its log (see ``_kafka_places``). A *live* follower (the
run events an API replica forwards to WebSockets) fetches with the short
``fetch_max_wait_ms``, the others with ``background_fetch_max_wait_ms``.

A follower given the ``WatchedRuns`` of its process fetches only the partitions those
runs' keys land on and hands out only their records: the short fetch wait makes every
fetch cost the broker and the process alike, and a replica nobody watches through needs
none. A partition it starts following again is taken up at its end (what was published
meanwhile, a watcher reads from the database); one that nobody needs is paused.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TypeVar

from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.structs import TopicPartition

from ._kafka_places import Place, Places, Record
from ._kafka_reader import KafkaReader
from ._kafka_settings import KafkaSettings
from .base import BusError
from .messages import Channel
from .outage import RETRYING
from .watched import WatchedRuns

T = TypeVar("T")
log = logging.getLogger(__name__)
RECHECK_TIMEOUT_S = 2.0


def partition_of(key: bytes, partitions: list[int]) -> int:
    """The partition a record with ``key`` goes to: the producers' default partitioner."""
    return DefaultPartitioner()(key, partitions, None)  # type: ignore[no-any-return]


class Follower(KafkaReader[T]):
    _places: Places
    _suspect = False

    def __init__(
        self,
        settings: KafkaSettings,
        topic: str,
        channel: Channel[T],
        *,
        live: bool,
        watched: WatchedRuns | None = None,
    ) -> None:
        self._live = live  # before the reader's own set-up, which asks for the fetch wait
        super().__init__(settings, topic, channel)
        self._watched = watched
        self._paused: set[TopicPartition] = set()
        """Partitions no watched run lands on: not fetched (only with ``watched``)."""
        self._watch_changed = asyncio.Event()
        """Set when the watched runs change: a poll stops waiting, the next fill applies it."""
        self._stop_listening = (
            watched.listen(self._watch_changed.set) if watched is not None else None
        )
        self._unapplied = False
        """A change not applied yet (the broker did not say where a log ends)."""

    def partitions(self) -> frozenset[int]:
        if self._closed:
            return frozenset()
        return frozenset(tp.partition for tp in self._places.places)

    async def close(self, handled: bool = False) -> None:
        if self._stop_listening is not None:
            self._stop_listening()
            self._stop_listening = None
        await super().close(handled)

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
        if self._watched is not None:
            self._paused = set(partitions)
            self.consumer.pause(*partitions)
            self._watch_changed.set()  # the next fill resumes what is watched

    async def _resume(self) -> None:
        self._places.follow(self.consumer)
        places = self._places.places
        self.consumer.assign(list(places))
        for tp, place in places.items():
            self._places.check(tp, place)  # the next fetch carries on after the last handed out
        if self._paused:
            self.consumer.pause(*self._paused)

    async def _current_partitions(self) -> list[TopicPartition] | None:
        await self.consumer.topics()  # a fresh metadata request
        numbers = self.consumer.partitions_for_topic(self._topic)
        if not numbers:
            return None
        return [TopicPartition(self._topic, n) for n in sorted(numbers)]

    async def _fill(self) -> None:
        await self._follow_watched()
        batch = await self._poll()
        if self._places.stalled(set(self._places.places) - self._paused) or self._suspect:
            self._suspect = True
            await self._recheck()
            if self._suspect:  # the broker did not answer: fetch the batch again later
                for tp, records in batch.items():
                    self.consumer.seek(tp, records[0].offset)
            return  # after a check, what was fetched is fetched again
        watched = self._watched
        for tp, records in sorted(batch.items()):
            accepted = self._places.accept(tp, records)
            if watched is not None:  # the others share a partition with a watched run
                accepted = [r for r in accepted if r.key is not None and r.key.decode() in watched]
            self._buffer.extend(accepted)

    async def _poll(self) -> dict[TopicPartition, list[Record]]:
        """Records fetched within the poll interval; none, sooner, when the watched runs
        change (a run watched now may need a partition resumed)."""
        polling = asyncio.ensure_future(
            self.consumer.getmany(timeout_ms=self._settings.poll_interval_ms)
        )
        if self._watched is None:
            return await polling
        changed = asyncio.ensure_future(self._watch_changed.wait())
        try:
            await asyncio.wait({polling, changed}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            changed.cancel()
            polling.cancel()  # what it had not taken stays buffered in the consumer
        try:
            return await polling  # its records, if it had them already
        except asyncio.CancelledError:
            if (task := asyncio.current_task()) is not None and task.cancelling():
                raise
            return {}

    async def _follow_watched(self) -> None:
        """Resume the partitions the watched runs land on (at their end) and pause the
        others. A broker that cannot say where a log ends leaves it paused for now."""
        watched = self._watched
        if watched is None or not (self._watch_changed.is_set() or self._unapplied):
            return
        self._watch_changed.clear()
        self._unapplied = False
        places = self._places.places
        numbers = sorted(tp.partition for tp in places)
        wanted = {
            TopicPartition(self._topic, partition_of(run_id.encode(), numbers))
            for run_id in watched
        }
        idle = set(places) - wanted - self._paused
        if idle:
            self.consumer.pause(*idle)
            self._paused |= idle
        needed = self._paused & wanted
        if not needed:
            return
        try:
            async with asyncio.timeout(RECHECK_TIMEOUT_S):
                ends = await self.consumer.end_offsets(list(needed))
        except (KafkaError, TimeoutError) as error:
            log.info("follower of %s waits for the broker: %r", self._topic, error, extra=RETRYING)
            self._unapplied = True  # try again after the next poll
            return
        for tp in needed:
            self._places.restart(tp, ends[tp])
        self.consumer.resume(*needed)
        self._paused -= needed

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
            if self._watched is not None:  # the runs land elsewhere now: pause, then resume
                self._paused = set(partitions)
                self._watch_changed.set()
            self._places.places = places = {tp: places.get(tp, Place(next=0)) for tp in partitions}
            self.consumer.assign(partitions)
        for tp, place in places.items():
            if tp not in self._paused:  # a paused one is taken up at its end when resumed
                self._places.check(tp, place)
        if self._paused:
            self.consumer.pause(*(self._paused & set(places)))
        self._suspect = False
        self._places.checked()
