"""A live server on the embedded default (SQLite, in-process bus), a Kafka-protocol broker
and a bus on it, an in-memory span exporter, and readers of ``/metrics``."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from api_support import make_settings
from fakes.openai_server import fake_openai
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client.parser import text_string_to_metric_families
from run_support import LiveServer, live_server
from services.kafka import KafkaUnavailable, start_kafka

from backend.bus import KafkaBus, KafkaSettings
from backend.observability import tracing


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "nodeloom.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
async def server(sqlite_url: str, tmp_path: Path) -> AsyncIterator[LiveServer]:
    async with live_server(make_settings(tmp_path, sqlite_url)) as running:
        yield running


@pytest.fixture(scope="module")
def openai_url() -> Iterator[str]:
    with fake_openai() as url:
        yield url


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Kafka-protocol broker (Tansu) for this directory's tests; never skipped."""
    try:
        server = start_kafka(tmp_path_factory.mktemp("observability-kafka"))
    except KafkaUnavailable as error:
        pytest.fail(f"the Kafka metrics tests need a broker: {error}", pytrace=False)
    try:
        yield server.bootstrap_servers
    finally:
        server.stop()


@pytest.fixture
async def bus(broker: str) -> AsyncIterator[KafkaBus]:
    """A Kafka bus on ``broker`` with topics of its own, and short group timeouts."""
    kafka = KafkaBus(
        KafkaSettings(
            bootstrap_servers=broker,
            client_id="nodeloom-observability-test",
            namespace=f"t{uuid.uuid4().hex[:10]}.",
            partitions=2,
            session_timeout_ms=1000,
            heartbeat_interval_ms=100,
            poll_interval_ms=50,
        )
    )
    await kafka.start()
    try:
        yield kafka
    finally:
        await kafka.close()


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """Tracing on, into memory, for the test; off after it."""
    exporter = InMemorySpanExporter()
    tracing.use_exporter(exporter, "nodeloom-test", batch=False)
    try:
        yield exporter
    finally:
        tracing.shutdown_tracing()


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(client: httpx.AsyncClient) -> Samples:
    """Every sample of ``GET /metrics``, by (name, labels)."""
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sample ``name`` with exactly ``labels`` (0 when absent)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum of the samples ``name`` whose labels include ``labels``."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= ls)
