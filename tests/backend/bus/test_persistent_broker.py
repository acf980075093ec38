"""The persistent test broker (Tansu on S3) keeps its log across a SIGKILL.

Checked with two client libraries, aiokafka (which Nodeloom's bus uses) and
confluent-kafka (librdkafka), so that a fault test failing on this broker can be told
apart from a broker that loses data: every message produced before the kill is read back
after the restart, and a consumer group resumes from the offset it committed.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Any, Protocol

import pytest
from services.kafka import KafkaServer

MESSAGES = 20
COMMITTED = 8
"""The group reads and commits this many before the kill, and resumes after them."""
DEADLINE_S = 15.0


class Client(Protocol):
    """One client library's way of doing what the test needs, blocking."""

    def create_topic(self, topic: str) -> None: ...
    def produce(self, topic: str, values: list[bytes]) -> None: ...
    def read_all(self, topic: str, count: int) -> list[bytes]: ...
    def consume_and_commit(self, topic: str, group: str, count: int) -> list[bytes]: ...
    def resume(self, topic: str, group: str, count: int) -> list[bytes]: ...


class AiokafkaClient:
    def __init__(self, bootstrap_servers: str) -> None:
        self.common = {"bootstrap_servers": bootstrap_servers, "request_timeout_ms": 3000}

    def create_topic(self, topic: str) -> None:
        asyncio.run(self._create_topic(topic))

    def produce(self, topic: str, values: list[bytes]) -> None:
        asyncio.run(self._produce(topic, values))

    def read_all(self, topic: str, count: int) -> list[bytes]:
        return asyncio.run(self._consume(topic, None, count, commit=False))

    def consume_and_commit(self, topic: str, group: str, count: int) -> list[bytes]:
        return asyncio.run(self._consume(topic, group, count, commit=True))

    def resume(self, topic: str, group: str, count: int) -> list[bytes]:
        return asyncio.run(self._consume(topic, group, count, commit=False))

    async def _create_topic(self, topic: str) -> None:
        from aiokafka.admin import AIOKafkaAdminClient, NewTopic

        admin = AIOKafkaAdminClient(**self.common)
        await admin.start()
        try:
            await admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
        finally:
            await admin.close()

    async def _produce(self, topic: str, values: list[bytes]) -> None:
        from aiokafka import AIOKafkaProducer

        producer = AIOKafkaProducer(acks="all", **self.common)
        await producer.start()
        try:
            for value in values:
                await producer.send_and_wait(topic, value)
        finally:
            await producer.stop()

    async def _consume(
        self, topic: str, group: str | None, count: int, commit: bool
    ) -> list[bytes]:
        from aiokafka import AIOKafkaConsumer, TopicPartition

        consumer = AIOKafkaConsumer(
            group_id=group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            session_timeout_ms=1000,
            heartbeat_interval_ms=100,
            **self.common,
        )
        await consumer.start()
        try:
            if group is None:
                consumer.assign([TopicPartition(topic, 0)])
            else:
                consumer.subscribe([topic])
            values: list[bytes] = []
            async with asyncio.timeout(DEADLINE_S):
                while len(values) < count:
                    values.append((await consumer.getone()).value)
            if commit:
                await consumer.commit({TopicPartition(topic, 0): count})
            return values
        finally:
            await consumer.stop()


class ConfluentClient:
    def __init__(self, bootstrap_servers: str) -> None:
        self.common = {"bootstrap.servers": bootstrap_servers, "socket.timeout.ms": 3000}

    def create_topic(self, topic: str) -> None:
        from confluent_kafka.admin import AdminClient, NewTopic

        admin = AdminClient(self.common)  # kept alive: its futures fail once it is collected
        admin.create_topics([NewTopic(topic, 1, 1)])[topic].result(timeout=DEADLINE_S)

    def produce(self, topic: str, values: list[bytes]) -> None:
        from confluent_kafka import Producer

        failures: list[object] = []
        producer = Producer({**self.common, "acks": "all"})
        for value in values:
            producer.produce(topic, value, on_delivery=lambda error, _: failures.append(error))
        assert producer.flush(DEADLINE_S) == 0, "not every message was delivered in time"
        assert [error for error in failures if error is not None] == []

    def read_all(self, topic: str, count: int) -> list[bytes]:
        from confluent_kafka import OFFSET_BEGINNING, TopicPartition

        def assign(consumer: Any) -> None:
            consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])

        return self._consume(f"reader-{uuid.uuid4().hex[:8]}", assign, count, commit=False)

    def consume_and_commit(self, topic: str, group: str, count: int) -> list[bytes]:
        return self._consume(group, lambda consumer: consumer.subscribe([topic]), count, True)

    def resume(self, topic: str, group: str, count: int) -> list[bytes]:
        return self._consume(group, lambda consumer: consumer.subscribe([topic]), count, False)

    def _consume(
        self, group: str, attach: Callable[[Any], None], count: int, commit: bool
    ) -> list[bytes]:
        from confluent_kafka import Consumer

        consumer = Consumer(
            {
                **self.common,
                "group.id": group,
                "enable.auto.commit": False,
                "auto.offset.reset": "earliest",
                "session.timeout.ms": 6000,
            }
        )
        try:
            attach(consumer)
            values: list[bytes] = []
            deadline = time.monotonic() + DEADLINE_S
            while len(values) < count and time.monotonic() < deadline:
                message = consumer.poll(0.2)
                if message is None:
                    continue
                assert message.error() is None, message.error()
                values.append(message.value())
            if commit and values:
                consumer.commit(asynchronous=False)  # the offset after the last one polled
            return values
        finally:
            consumer.close()


CLIENTS = {"aiokafka": AiokafkaClient, "confluent-kafka": ConfluentClient}


@pytest.mark.parametrize("library", CLIENTS)
def test_log_and_committed_offset_survive_a_broker_sigkill(
    library: str, persistent_kafka_broker: KafkaServer
) -> None:
    client: Client = CLIENTS[library](persistent_kafka_broker.bootstrap_servers)
    topic, group = f"persist-{uuid.uuid4().hex[:10]}", f"group-{uuid.uuid4().hex[:10]}"
    values = [f"message {index}".encode() for index in range(MESSAGES)]
    client.create_topic(topic)
    client.produce(topic, values)
    assert client.consume_and_commit(topic, group, COMMITTED) == values[:COMMITTED]

    persistent_kafka_broker.kill()
    persistent_kafka_broker.start()

    assert client.read_all(topic, MESSAGES) == values
    assert client.resume(topic, group, MESSAGES - COMMITTED) == values[COMMITTED:]
