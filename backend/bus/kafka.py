"""The Kafka bus (aiokafka): for several API replicas and worker processes.

Topics are created when missing (``partitions`` each). Producers use ``acks="all"`` and
``linger_ms=0``, idempotent only when ``KafkaSettings.idempotence`` asks (a broker must
serve it; the test broker does not): duplicates are possible after a retry, so readers
drop them by ``(run_id, seq)``. Groups (workers, recorder)
start from the earliest record the first time; followers (API replicas, control)
assign themselves every partition and start at the end (an API replica's follower only
those its watched runs land on, see ``_kafka_follow``). Only the API replicas' followers
of the run events fetch with the short ``fetch_max_wait_ms``: they carry the live events
to the WebSockets; the other readers use ``background_fetch_max_wait_ms``, sparing the
broker and the processes most idle fetches. A publish may overlap others (see
``_kafka_publish``): the records keep the order of the calls.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from aiokafka.structs import TopicPartition
from pydantic import BaseModel

from graph_engine.events import RunEvent

from ._kafka_connection_failures import CONNECTION_FAILURES
from ._kafka_follow import Follower
from ._kafka_group import GroupReader
from ._kafka_publish import Publisher
from ._kafka_reader import KafkaReader
from ._kafka_settings import KafkaSecurity, KafkaSettings
from ._kafka_topics import TopicKeeper
from .base import (
    RECORDER_GROUP,
    WORKERS_GROUP,
    BusClosed,
    BusLifecycle,
    BusUnavailable,
    LogEnd,
    Subscription,
)
from .messages import CHANNELS, CONTROL, EVENTS, REQUESTS, Channel, ControlMessage, RunRequest
from .outage import BROKER, RETRYING, BrokerWatch
from .watched import WatchedRuns

__all__ = ["KafkaBus", "KafkaSecurity", "KafkaSettings"]

T = TypeVar("T")
log = logging.getLogger(__name__)


class KafkaBus(BusLifecycle):
    """An ``EventBus`` on Kafka (or any Kafka-protocol broker)."""

    def __init__(self, settings: KafkaSettings) -> None:
        self.settings = settings
        self.publish_window = settings.publish_window
        self._admin: AIOKafkaAdminClient | None = None
        self._publisher: Publisher | None = None
        self._readers: set[KafkaReader[Any]] = set()
        self._watch: BrokerWatch | None = None
        self._log_probe: AIOKafkaConsumer | None = None
        self._offsets_probe: AIOKafkaConsumer | None = None

    def topic(self, channel: Channel[Any]) -> str:
        return f"{self.settings.namespace}{channel.name}"

    def group(self, name: str) -> str:
        return f"{self.settings.namespace}{name}"

    async def start(self) -> None:
        if self._publisher is not None:
            return
        # See ``outage``: one line when the broker goes, one when it is back.
        self._watch = self._watch or BrokerWatch(self.settings.bootstrap_servers, self._answers)
        self._watch.start()
        try:
            await self._connect()
        except BaseException:
            await self._watch.stop()
            raise
        CONNECTION_FAILURES.watch()  # what the readers' places go by (``_kafka_places``)

    async def _connect(self) -> None:
        settings = self.settings
        deadline = time.monotonic() + settings.start_timeout_s
        admin = AIOKafkaAdminClient(
            **settings.client_options(),
            client_id=f"{settings.client_id}-admin",
            request_timeout_ms=settings.request_timeout_ms,
            retry_backoff_ms=settings.retry_backoff_ms,
        )
        await _until(deadline, settings, "connecting the Kafka admin client", admin.start)
        topics = TopicKeeper(admin, settings, [self.topic(ch) for ch in CHANNELS])
        publisher = Publisher(settings, topics)
        try:
            await _until(deadline, settings, "creating the Kafka topics", topics.ensure)
            await _until(deadline, settings, "connecting the Kafka producer", publisher.start)
        except BaseException:
            await publisher.stop()
            await admin.close()
            raise
        self._admin, self._publisher = admin, publisher

    async def close(self) -> None:
        readers, self._readers = self._readers, set()
        for reader in readers:
            await reader.close()
        publisher, admin, watch = self._publisher, self._admin, self._watch
        self._publisher = self._admin = self._watch = None
        if publisher is not None:  # started, and not closed since
            CONNECTION_FAILURES.unwatch()
        probes = (self._log_probe, self._offsets_probe)
        self._log_probe = self._offsets_probe = None
        for probe in probes:
            if probe is not None:
                await probe.stop()
        if watch is not None:
            await watch.stop()
        if publisher is not None:
            await publisher.stop()
        if admin is not None:
            await admin.close()

    async def publish_request(self, request: RunRequest) -> None:
        await self._publish(REQUESTS, request)

    async def publish_event(self, event: RunEvent) -> None:
        await self._publish(EVENTS, event)

    async def publish_control(self, message: ControlMessage) -> None:
        await self._publish(CONTROL, message)

    def requests(self, group: str = WORKERS_GROUP) -> Subscription[RunRequest]:
        return self._group_reader(REQUESTS, group)

    def recorded_events(self, group: str = RECORDER_GROUP) -> Subscription[RunEvent]:
        return self._group_reader(EVENTS, group)

    def follow_events(self, watched: WatchedRuns | None = None) -> Subscription[RunEvent]:
        return self._track(
            Follower(self._live(), self.topic(EVENTS), EVENTS, live=True, watched=watched)
        )

    def follow_control(self) -> Subscription[ControlMessage]:
        return self._track(Follower(self._live(), self.topic(CONTROL), CONTROL, live=False))

    async def event_log_end(self) -> LogEnd:
        try:
            async with asyncio.timeout(self.settings.request_timeout_ms / 1000):
                probe = await self._probe()
                topic = self.topic(EVENTS)
                await probe.topics()  # metadata now: a topic re-created since has new partitions
                partitions = [
                    TopicPartition(topic, p) for p in probe.partitions_for_topic(topic) or ()
                ]
                ends = await probe.end_offsets(partitions)
        except (KafkaError, OSError, TimeoutError) as error:
            raise BusUnavailable(f"cannot read where the run events end: {error!r}") from error
        return {tp.partition: offset for tp, offset in ends.items()}

    async def recorded_through(self, end: LogEnd) -> bool:
        now = await self.event_log_end()
        topic = self.topic(EVENTS)
        try:
            async with asyncio.timeout(self.settings.request_timeout_ms / 1000):
                checker = await self._recorder_offsets()
                handled = {
                    partition: await checker.committed(TopicPartition(topic, partition))
                    for partition in end
                }
        except (KafkaError, OSError, TimeoutError) as error:
            raise BusUnavailable(f"cannot read the recorder's offsets: {error!r}") from error
        return all(
            # A log that shrank was lost by the broker: its new end is what counts.
            (handled[partition] or 0) >= min(offset, now.get(partition, 0))
            for partition, offset in end.items()
        )

    async def _recorder_offsets(self) -> AIOKafkaConsumer:
        """A consumer named after the recorder group that never joins it (it subscribes to
        nothing): it only reads the group's committed offsets."""
        if self._offsets_probe is None:
            self._live()
            probe = AIOKafkaConsumer(
                **self.settings.client_options(),
                client_id=f"{self.settings.client_id}-recorder-offsets",
                group_id=self.group(RECORDER_GROUP),
                enable_auto_commit=False,
                request_timeout_ms=self.settings.request_timeout_ms,
            )
            await probe.start()
            self._offsets_probe = probe
        return self._offsets_probe

    async def _probe(self) -> AIOKafkaConsumer:
        """A consumer of no group, for reading where logs end."""
        if self._log_probe is None:
            self._live()
            probe = AIOKafkaConsumer(
                **self.settings.client_options(),
                client_id=f"{self.settings.client_id}-log-probe",
                enable_auto_commit=False,
                request_timeout_ms=self.settings.request_timeout_ms,
            )
            await probe.start()
            self._log_probe = probe
        return self._log_probe

    def _group_reader(self, channel: Channel[T], group: str) -> GroupReader[T]:
        reader = GroupReader(self._live(), self.topic(channel), channel, self.group(group))
        self._track(reader)
        return reader

    async def _publish(self, channel: Channel[Any], message: BaseModel) -> None:
        if self._publisher is None:
            raise BusClosed("the Kafka bus is not started")
        await self._publisher.publish(
            self.topic(channel), channel.key(message), channel.encode(message)
        )

    def _live(self) -> KafkaSettings:
        if self._publisher is None:
            raise BusClosed("the Kafka bus is not started")
        return self.settings

    def _track(self, reader: KafkaReader[T]) -> KafkaReader[T]:
        self._readers = {r for r in self._readers if not r.closed}
        self._readers.add(reader)
        return reader

    async def _answers(self) -> bool:
        """Whether the broker answers a metadata request now (asked during an outage)."""
        if self._admin is None:
            return False  # still starting: ``_until`` says when it answers
        try:
            async with asyncio.timeout(self.settings.request_timeout_ms / 1000):
                await self._admin.list_topics()
        except (KafkaError, OSError, TimeoutError):
            return False
        return True


MAX_START_BACKOFF_S = 1.0


async def _until(
    deadline: float, settings: KafkaSettings, what: str, step: Callable[[], Awaitable[Any]]
) -> None:
    """Retry ``step`` until it succeeds or the deadline passes (then ``BusUnavailable``).

    A broker that is still starting (the usual case on a fresh deployment) is said once
    (by ``outage``, which holds back aiokafka's error for every refused connection
    meanwhile), and the pause between attempts doubles up to ``MAX_START_BACKOFF_S``."""
    pause = settings.retry_backoff_ms / 1000
    for attempt in itertools.count():
        try:
            await step()
            BROKER.answered()
            return
        except KafkaError as error:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                tls = await _tls_problem(settings) if settings.security.tls else None
                raise BusUnavailable(
                    f"{what} at {settings.bootstrap_servers} failed for "
                    f"{settings.start_timeout_s:g} s: {error!r}"
                    + (f"; the TLS handshake fails: {tls}" if tls else "")
                ) from error
            if attempt == 0:
                log.warning(
                    "%s at %s failed (%r); retrying for up to %.0f s",
                    what,
                    settings.bootstrap_servers,
                    error,
                    remaining,
                    extra=RETRYING,
                )
        await asyncio.sleep(min(pause, max(deadline - time.monotonic(), 0)))
        pause = min(pause * 2, MAX_START_BACKOFF_S)


async def _tls_problem(settings: KafkaSettings) -> str | None:
    """Why a TLS handshake with the first broker fails, if it does (aiokafka's own error
    says only that it could not connect: the reason is in its log)."""
    host, _, port = settings.bootstrap_servers.split(",")[0].strip().rpartition(":")
    try:
        async with asyncio.timeout(settings.request_timeout_ms / 1000):
            context = settings.security.ssl_context()
            _, writer = await asyncio.open_connection(host, int(port), ssl=context)
    except (OSError, ValueError, TimeoutError) as error:  # ssl.SSLError is an OSError
        return str(error) or type(error).__name__
    writer.close()
    return None
