"""Publishing with delivery confirmation, retries and a deadline.

``publish`` returns once the broker acknowledged the record (``acks=all``). While the
broker is unreachable it retries until ``publish_timeout_s`` and then raises
``BusUnavailable``. A broker that lost its topics (the test broker keeps them in memory,
and acknowledges records for a missing topic without keeping them) is noticed three
ways: an acknowledged offset lower than one acknowledged before on that partition, a
metadata change, or the publisher having been idle; then the topics are re-created and
the record is sent again. Records may therefore arrive twice: readers drop duplicates.

Publishes may overlap (a caller need not wait for one acknowledgement before publishing
the next): records are appended to the producer in the order ``publish`` was called, and
only then is the acknowledgement awaited, so overlapping publishes share produce requests
and keep their order on a partition (aiokafka sends one request per partition at a time
and retries it before the next). A record sent again after a loss or a timeout may land
behind later ones; readers put a run's events back in ``seq`` order.

Idempotence is off unless ``KafkaSettings.idempotence`` turns it on (for a broker that
serves it: Apache Kafka does); a broker that refuses it fails ``start`` at once, with that
reason, instead of being retried. It is off by default, because the test broker cannot
serve it to aiokafka (tried with
Tansu 0.6.0 and aiokafka 0.14, memory and S3 storage alike): aiokafka knows only
version 0 of ``InitProducerId``, which carries no producer id or epoch; Tansu logs
``tansu_storage::dynostore: producer=None epoch=None`` and answers ``UNKNOWN_SERVER_ERROR``,
so ``start()`` fails with ``Unexpected error during InitProducerIdRequest:
<class 'aiokafka.errors.UnknownError'>``. librdkafka (confluent-kafka 2.16, a later
version of the request) gets a producer id from both storages, but after a restart of
the memory broker every produce fails with ``UNKNOWN_PRODUCER_ID`` and nothing is
delivered within 30 s, where the non-idempotent producer here re-creates the topic and
goes on. Duplicates therefore stay possible and every reader drops them by
``(run_id, seq)``; ``tests/backend/bus/test_producer_idempotence.py`` says when this
changes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError, UnknownError
from aiokafka.structs import RecordMetadata, TopicPartition

from ._kafka_settings import KafkaSettings
from ._kafka_topics import TopicKeeper
from .base import BusUnavailable
from .outage import RETRYING

log = logging.getLogger(__name__)


class Publisher:
    def __init__(self, settings: KafkaSettings, topics: TopicKeeper) -> None:
        self._settings = settings
        self._topics = topics
        self._producer = AIOKafkaProducer(
            **settings.client_options(),
            client_id=f"{settings.client_id}-producer",
            acks="all",
            linger_ms=0,
            enable_idempotence=settings.idempotence,
            request_timeout_ms=settings.request_timeout_ms,
            retry_backoff_ms=settings.retry_backoff_ms,
            metadata_max_age_ms=settings.metadata_max_age_ms,
        )
        self._acked: dict[TopicPartition, int] = {}
        self._suspect = True
        self._last_ok = 0.0
        self._in_flight = 0
        self._appending = asyncio.Lock()

    async def start(self) -> None:
        try:
            await self._producer.start()
        except UnknownError as error:
            if not self._settings.idempotence:
                raise
            # What a broker without idempotent producers answers (see above): no retry mends it.
            raise BusUnavailable(
                f"the Kafka broker at {self._settings.bootstrap_servers} refused an idempotent "
                f"producer ({type(error).__name__}); turn NODELOOM_KAFKA_IDEMPOTENCE off for it"
            ) from error
        self._producer.client.cluster.add_listener(self._on_metadata)

    async def stop(self) -> None:
        await self._producer.stop()

    def _on_metadata(self, _cluster: Any) -> None:
        self._suspect = True

    async def publish(self, topic: str, key: bytes, value: bytes) -> None:
        timeout = self._settings.publish_timeout_s
        deadline = time.monotonic() + timeout
        last_error: BaseException | None = None
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                async with asyncio.timeout(remaining):
                    if await self._delivered(topic, key, value):
                        return
                continue  # the broker lost the record: send it again at once
            except (KafkaError, TimeoutError) as error:
                last_error = error
                self._suspect = True
                log.warning("publishing to %s failed, retrying: %r", topic, error, extra=RETRYING)
            await asyncio.sleep(min(self._settings.retry_backoff_ms / 1000, remaining))
        raise BusUnavailable(
            f"could not publish to Kafka topic {topic} at {self._settings.bootstrap_servers} "
            f"within {timeout:g} s: {last_error!r}"
        ) from last_error

    async def _delivered(self, topic: str, key: bytes, value: bytes) -> bool:
        self._in_flight += 1
        try:
            async with self._appending:  # in call order; the acknowledgements overlap
                if self._suspect or time.monotonic() - self._last_ok > self._settings.idle_check_s:
                    self._suspect = False
                    if await self._topics.ensure():
                        await self._producer.client.force_metadata_update()
                    self._last_ok = time.monotonic()  # checked: the next ones need not
                acked = await self._producer.send(topic, value, key=key)
            metadata: RecordMetadata = await acked
        finally:
            self._in_flight -= 1
        previous = self._acked.get(metadata.topic_partition, -1)
        # Concurrent publishes may see their acknowledgements slightly out of order.
        if metadata.offset == previous or metadata.offset < previous - self._in_flight:
            log.warning(
                "Kafka acknowledged %s at offset %d after %d: the broker lost the topic; "
                "re-creating it and sending again",
                metadata.topic_partition,
                metadata.offset,
                previous,
            )
            self._acked = {tp: o for tp, o in self._acked.items() if tp.topic != topic}
            self._suspect = True
            await self._producer.client.force_metadata_update()
            return False
        self._acked[metadata.topic_partition] = max(previous, metadata.offset)
        self._last_ok = time.monotonic()
        return True
