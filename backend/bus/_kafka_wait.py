"""How long a reader lets the broker hold its fetches, raised for a broker on slow storage.

A short ``fetch_max_wait_ms`` keeps events quick on a broker that answers a fetch
within it (Apache Kafka answers as soon as a record arrives; Tansu on memory storage
holds each fetch that long). Tansu on S3 storage answers a fetch when the wait is over
even when its reads from S3 have not returned, so a fetch shorter than those reads comes
back without the records its log holds (measured with aiokafka and librdkafka alike: at
1 ms a reader gets nothing, ever; at 5 ms the median record waits 36 s; at 100 ms,
76 ms; see ``docs/persistent-broker.md``).

The sign is plain in what the broker answers: fetch responses keep coming, their high
watermark is past the reader's position, and no record comes with them. A reader that
sees this for ``STARVED_ROUNDS`` polls in a row waits ``slow_storage_fetch_max_wait_ms``
from then on. A broker that is down sends no responses, so an outage is not taken for it.

aiokafka takes the wait only when a consumer is made: the reader then opens its
consumer again (``KafkaReader``), once, as soon as the broker answers (the sign may come
just as the broker dies; a group member closed then cannot leave its group, which holds
the member's partitions until its session times out: measured 20 s without runs
recorded). The process remembers the broker, so that a
reader made later (after a bus error, say) starts with the slow wait and a group member
does not join its group twice for it.
"""

from __future__ import annotations

import asyncio
import logging
import time

from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError

log = logging.getLogger(__name__)
STARVED_ROUNDS = 3
POSITION_TIMEOUT_S = 0.1
_slow_brokers: set[str] = set()
"""The brokers (their ``bootstrap_servers``) that this process saw answer fetches before
reading their storage: a fact about the broker, learned once."""


class FetchWait:
    def __init__(self, brokers: str, topic: str, wait_ms: int, slow_ms: int) -> None:
        self._brokers = brokers
        self._topic = topic
        self.wait_ms = max(wait_ms, slow_ms) if brokers in _slow_brokers else wait_ms
        self._slow_ms = slow_ms
        self._empty_rounds = 0
        self._since_ms = _now_ms()
        self._raised_at_ms: float | None = None
        """When the wait was raised, while the consumer still has the old one."""

    async def after_poll(self, consumer: AIOKafkaConsumer, delivered: bool) -> bool:
        """Note one poll of the reader (``delivered``: it brought records to hand out);
        ``True`` when the consumer should be made again, with the raised wait: once the
        broker answered after the wait was raised (a consumer closed while the broker is
        down cannot leave its group, which then waits for it before letting it back)."""
        if self._raised_at_ms is not None:
            if not _answered_since(consumer, self._raised_at_ms):
                return False
            self._raised_at_ms = None
            return True
        if delivered or self.wait_ms >= self._slow_ms:
            self._empty_rounds = 0
            self._since_ms = _now_ms()
            return False
        self._empty_rounds += 1
        if self._empty_rounds < STARVED_ROUNDS:
            return False
        since, self._since_ms = self._since_ms, _now_ms()
        self._empty_rounds = 0
        if await _starved(consumer, since):
            self._raise()
        return False

    def _raise(self) -> None:
        log.warning(
            "the broker answers fetches of %s without the records its log holds (storage "
            "slower than a %d ms fetch, as Tansu on S3): fetches wait up to %d ms from now",
            self._topic,
            self.wait_ms,
            self._slow_ms,
        )
        self.wait_ms = self._slow_ms
        self._raised_at_ms = _now_ms()
        _slow_brokers.add(self._brokers)


def _now_ms() -> float:
    return time.time() * 1000  # the clock of aiokafka's ``last_poll_timestamp``


def _answered_since(consumer: AIOKafkaConsumer, since_ms: float) -> bool:
    return any(
        (answered := consumer.last_poll_timestamp(tp)) is not None and answered > since_ms
        for tp in consumer.assignment()
    )


async def _starved(consumer: AIOKafkaConsumer, since_ms: float) -> bool:
    """Whether a partition answered since ``since_ms`` with its log past the position."""
    for tp in consumer.assignment():
        high = consumer.highwater(tp)
        answered = consumer.last_poll_timestamp(tp)
        if high is None or answered is None or answered < since_ms:
            continue
        try:
            async with asyncio.timeout(POSITION_TIMEOUT_S):
                position = await consumer.position(tp)
        except (KafkaError, TimeoutError):
            continue
        if high > position:
            return True
    return False
