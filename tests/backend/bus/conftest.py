"""The bus under test, in-process and on a real Kafka-protocol broker.

``bus_factory`` is parametrized over both implementations; every test using it runs twice.
Calling it gives a started bus standing for one process (an API replica, a worker):
Kafka buses of one test share topics (a namespace unique to the test) and are separate
clients; the in-process bus is one per test, since it lives inside one process.

The broker is Tansu, started once per session on a free port (``tests/services/kafka.py``),
or the Kafka named by ``NODELOOM_TEST_KAFKA=host:port``. If it cannot be started the Kafka
tests fail with the reason; they are never skipped.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from bus_support import TEST_KAFKA_SETTINGS, Broker, BusFactory
from services.kafka import (
    TEST_KAFKA_ENV,
    KafkaServer,
    KafkaUnavailable,
    check_connection,
    kafka_or_fail,
    start_kafka,
)

from backend.bus import KafkaSettings
from backend.bus.outage import OutageFilter

BUSES = ["memory", "kafka"]


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    if configured := os.environ.get(TEST_KAFKA_ENV):
        try:
            check_connection(configured)
        except (OSError, RuntimeError) as error:
            pytest.fail(f"{TEST_KAFKA_ENV}={configured} is unreachable: {error}", pytrace=False)
        yield Broker(configured, server=None)
        return
    try:
        server = start_kafka(tmp_path_factory.mktemp("kafka"))
    except KafkaUnavailable as error:
        pytest.fail(
            f"the Kafka bus tests need a broker and none could be started: {error}\n"
            f"Set {TEST_KAFKA_ENV}=HOST:PORT to use an existing one.",
            pytrace=False,
        )
    try:
        yield Broker(server.bootstrap_servers, server)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def persistent_kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaServer]:
    """Tansu keeping its log on a local S3 server: ``kill()`` then ``start()`` keeps it.

    Always started here, even with ``NODELOOM_TEST_KAFKA`` set: the tests using it
    SIGKILL and restart the broker, which they cannot do to an external one.
    """
    directory = tmp_path_factory.mktemp("kafka-s3")
    with kafka_or_fail(directory, "the persistent-broker tests", storage="s3") as server:
        yield server


@pytest.fixture
def kafka_settings(request: pytest.FixtureRequest) -> KafkaSettings:
    broker: Broker = request.getfixturevalue("kafka_broker")
    return KafkaSettings(
        bootstrap_servers=broker.bootstrap_servers,
        client_id="nodeloom-test",
        namespace=f"t{uuid.uuid4().hex[:10]}.",
        **TEST_KAFKA_SETTINGS,  # type: ignore[arg-type]
    )


@pytest.fixture(params=BUSES)
async def bus_factory(request: pytest.FixtureRequest) -> AsyncIterator[BusFactory]:
    settings = request.getfixturevalue("kafka_settings") if request.param == "kafka" else None
    factory = BusFactory(request.param, settings)
    try:
        yield factory
    finally:
        await factory.close()
        await asyncio.sleep(0)


@pytest.fixture
def quiet_caplog(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """``caplog`` behind the broker-outage filter that the process's log handlers have."""
    outages = OutageFilter()
    caplog.handler.addFilter(outages)
    try:
        yield caplog
    finally:
        caplog.handler.removeFilter(outages)
