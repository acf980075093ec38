"""A reader notices a broker that went away and came back, however quickly, through
aiokafka's connection failures counted while a bus runs (``_kafka_connection_failures``),
whatever the process's logging config holds the ``aiokafka`` logger at."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import (
    KafkaConnectionError,
    NodeNotReadyError,
    RequestTimedOutError,
    UnknownTopicOrPartitionError,
)
from bus_support import Broker
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.bus._kafka_connection_failures import (
    CONNECTION_FAILURES,
    HEARD_LEVEL,
    ConnectionFailures,
)
from backend.bus._kafka_places import Places
from backend.config import LogLevel
from backend.observability.logging import logging_config

CLIENT = "aiokafka"
# Where aiokafka logs its failed fetches and connections (its modules' loggers).
CLIENT_LOGGERS = ("aiokafka", "aiokafka.consumer.fetcher", "aiokafka.client", "aiokafka.conn")
APP_LEVELS: tuple[LogLevel, ...] = ("critical", "error", "warning", "info", "debug", "trace")
NEVER_STALLS_MS = 600_000
"""A stall threshold no pause in these tests reaches: only a failure can make a reader check."""


def app_level(name: LogLevel) -> int:
    """The level the app's logging config gives the ``aiokafka`` logger at ``name``."""
    level = logging_config("text", name)["loggers"][CLIENT]["level"]
    assert isinstance(level, int)
    return level


@pytest.fixture
def client_logger() -> Iterator[logging.Logger]:
    """The ``aiokafka`` logger, its level put back after the test."""
    logger = logging.getLogger(CLIENT)
    level = logger.level
    try:
        yield logger
    finally:
        logger.setLevel(level)


def log_failure(logger_name: str, error: BaseException) -> None:
    """As aiokafka's fetcher logs a fetch that failed."""
    logging.getLogger(logger_name).error("Failed fetch messages from %s: %s", 1, error)


CONNECTION_FAILURE_ERRORS = st.sampled_from(
    [
        KafkaConnectionError("Connection at 127.0.0.1:9092 closed"),
        NodeNotReadyError("Attempt to send a request to node which is not ready (node id 1)."),
        ConnectionRefusedError(111, "Connect call failed"),
        RequestTimedOutError(),
        TimeoutError(),
    ]
)
OTHER_ERRORS = st.sampled_from(
    [UnknownTopicOrPartitionError(), ValueError("bad record"), RuntimeError("unexpected")]
)


@settings(max_examples=60, deadline=None)
@given(
    level=st.sampled_from(APP_LEVELS),
    logger_name=st.sampled_from(CLIENT_LOGGERS),
    connection_errors=st.lists(CONNECTION_FAILURE_ERRORS, max_size=5),
    other_errors=st.lists(OTHER_ERRORS, max_size=5),
)
def test_connection_failures_count_at_every_level_the_app_may_set(
    level: LogLevel,
    logger_name: str,
    connection_errors: list[BaseException],
    other_errors: list[BaseException],
) -> None:
    logger = logging.getLogger(CLIENT)
    before = logger.level
    counter = ConnectionFailures()
    logger.setLevel(app_level(level))  # as the app's logging config leaves it
    counter.watch()
    try:
        start = counter.seen()
        for error in [*connection_errors, *other_errors]:
            log_failure(logger_name, error)
        assert counter.seen() - start == len(connection_errors)
    finally:
        counter.unwatch()
        assert logger.level == app_level(level), "the app's level comes back"
        logger.setLevel(before)
    assert counter not in logger.handlers


def test_a_level_set_while_a_bus_runs_does_not_silence_the_count(
    client_logger: logging.Logger,
) -> None:
    counter = ConnectionFailures()
    counter.watch()
    try:
        client_logger.setLevel(logging.CRITICAL)  # a config applied after the bus started
        start = counter.seen()
        assert client_logger.getEffectiveLevel() == HEARD_LEVEL
        log_failure("aiokafka.consumer.fetcher", KafkaConnectionError())
        assert counter.seen() == start + 1
    finally:
        counter.unwatch()
    assert client_logger.level == logging.CRITICAL


def test_a_burst_of_buses_starting_and_closing_leaves_the_logger_as_it_was(
    client_logger: logging.Logger,
) -> None:
    client_logger.setLevel(logging.CRITICAL)
    counter = ConnectionFailures()
    barrier = threading.Barrier(40)
    errors: list[BaseException] = []

    def bus() -> None:
        try:
            barrier.wait()
            counter.watch()
            log_failure("aiokafka.client", KafkaConnectionError())
            counter.seen()
            counter.unwatch()
        except BaseException as error:  # reported below, with the thread's failure
            errors.append(error)

    threads = [threading.Thread(target=bus) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert counter.count == 40, "every bus's failure counted once"
    assert counter not in client_logger.handlers
    assert client_logger.level == logging.CRITICAL


@pytest.mark.parametrize("level", [None, "critical"])
async def test_a_reader_notices_a_broker_restart_quicker_than_its_stall_threshold(
    kafka_broker: Broker, client_logger: logging.Logger, level: LogLevel | None
) -> None:
    """Only a consumer in the process, fetching: its own failures tell the reader."""
    if level is not None:
        client_logger.setLevel(app_level(level))
    topic = f"t{uuid.uuid4().hex[:10]}.restart"
    common = {"bootstrap_servers": kafka_broker.bootstrap_servers, "request_timeout_ms": 3000}
    admin = AIOKafkaAdminClient(**common)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)])
    finally:
        await admin.close()
    consumer = AIOKafkaConsumer(**common, fetch_max_wait_ms=5, retry_backoff_ms=20)
    CONNECTION_FAILURES.watch()
    try:
        await consumer.start()
        partitions = {TopicPartition(topic, p) for p in (0, 1)}
        consumer.assign(list(partitions))
        places = Places(consumer, NEVER_STALLS_MS)
        quiet_until = time.monotonic() + 0.5
        while time.monotonic() < quiet_until:  # a broker that stays: no reason to check
            await consumer.getmany(timeout_ms=50)
            assert not places.stalled(partitions)

        began = time.monotonic()
        await asyncio.to_thread(kafka_broker.restart)
        took = time.monotonic() - began
        noticed = False
        async with asyncio.timeout(10):
            while not noticed:
                await consumer.getmany(timeout_ms=50)
                noticed = places.stalled(partitions)
        print(f"the restart took {took:.2f} s; noticed {time.monotonic() - began:.2f} s after")
    finally:
        await consumer.stop()
        CONNECTION_FAILURES.unwatch()
