"""The distributed set-up: a Kafka-protocol broker (Tansu) and PostgreSQL, and
``nodeloom serve``/``nodeloom worker`` processes around them.

The broker here is this directory's own (the bus tests restart theirs), started once per
session, or the Kafka named by ``NODELOOM_TEST_KAFKA``. If it cannot be started the
tests fail with the reason; they are never skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from kafka_support import new_namespace, quick_kafka_settings
from services.databases import create_database, drop_database
from services.kafka import (
    TEST_KAFKA_ENV,
    KafkaServer,
    KafkaUnavailable,
    check_connection,
    start_kafka,
)

from backend.bus import EventBus, KafkaBus, MemoryBus


class RunsBroker:
    def __init__(self, bootstrap_servers: str, server: KafkaServer | None) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.server = server

    def restart(self) -> None:
        if self.server is None:
            pytest.skip(f"{TEST_KAFKA_ENV} points at an external broker that cannot restart")
        self.server.restart()


@pytest.fixture(scope="session")
def runs_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunsBroker]:
    if configured := os.environ.get(TEST_KAFKA_ENV):
        try:
            check_connection(configured)
        except (OSError, RuntimeError) as error:
            pytest.fail(f"{TEST_KAFKA_ENV}={configured} is unreachable: {error}", pytrace=False)
        yield RunsBroker(configured, None)
        return
    try:
        server = start_kafka(tmp_path_factory.mktemp("runs-kafka"))
    except KafkaUnavailable as error:
        pytest.fail(f"the run tests on Kafka need a broker: {error}", pytrace=False)
    try:
        yield RunsBroker(server.bootstrap_servers, server)
    finally:
        server.stop()


@pytest.fixture
async def postgres_url(postgres_admin_url: str, postgres_template: str) -> AsyncIterator[str]:
    """A fresh, migrated PostgreSQL database for this test alone."""
    name = f"nodeloom_test_{uuid.uuid4().hex[:16]}"
    url = await create_database(postgres_admin_url, name, template=postgres_template)
    try:
        yield url
    finally:
        await drop_database(postgres_admin_url, name)


SHARED_SECRET_KEY = "test-secret-key-shared-by-every-process-0123"


def kafka_environment(broker: RunsBroker, tmp_path: Path) -> dict[str, str]:
    """Settings for one distributed deployment on the test broker, with quick timeouts."""
    return {
        "NODELOOM_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
        "NODELOOM_SECRET_KEY": SHARED_SECRET_KEY,  # Kafka means several processes
        "NODELOOM_KAFKA_NAMESPACE": f"t{uuid.uuid4().hex[:10]}.",
        "NODELOOM_KAFKA_SESSION_TIMEOUT_MS": "1500",
        "NODELOOM_HEARTBEAT_INTERVAL_SECONDS": "0.5",
        "NODELOOM_WORKER_TIMEOUT_SECONDS": "5",
        "NODELOOM_SHUTDOWN_GRACE_SECONDS": "5",
        "NODELOOM_DATA_DIR": str(tmp_path / "data"),
        "NODELOOM_FRONTEND_DIR": str(tmp_path / "no-frontend"),
        "NODELOOM_LOG_LEVEL": "info",
    }


@pytest.fixture(params=["memory", "kafka"])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[EventBus]:
    """A started bus of each kind, in this process (a Kafka one on its own namespace)."""
    if request.param == "memory":
        chosen: EventBus = MemoryBus()
    else:
        broker = request.getfixturevalue("runs_broker")
        chosen = KafkaBus(quick_kafka_settings(broker.bootstrap_servers, new_namespace()))
    async with chosen:
        yield chosen
