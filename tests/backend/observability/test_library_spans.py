"""Spans of FastAPI, SQLAlchemy and aiokafka while tracing is on, sent to Nodeloom's own
provider: a request is a server span, a statement a client span inside it, a Kafka record
a producer span whose context the reader's consumer span carries on."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
from pathlib import Path

import aiokafka
import httpx
import pytest
import sqlalchemy.ext.asyncio
from api_support import make_settings
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from backend.api.share_links import SHARE_PATH
from backend.app import create_app
from backend.bus import KafkaBus, RunRequest
from backend.observability import tracing

API = "/api/v1"
BURST = 30


@pytest.fixture
def database_url(spans: InMemorySpanExporter, database_url: str) -> str:
    """The conftest's database, once tracing is on: its ``app`` and ``client`` are then
    made as ``nodeloom serve`` makes them, with tracing already configured."""
    return database_url


def server_spans(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    return [s for s in exporter.get_finished_spans() if s.kind == SpanKind.SERVER]


def statements(exporter: InMemorySpanExporter, trace_id: int) -> list[ReadableSpan]:
    return [
        s
        for s in exporter.get_finished_spans()
        if s.kind == SpanKind.CLIENT
        and s.context.trace_id == trace_id
        and s.attributes.get("db.statement")
    ]


async def test_a_request_is_a_server_span_with_its_statements_inside(
    client: httpx.AsyncClient, spans: InMemorySpanExporter, database_url: str
):
    response = await client.post(f"{API}/workflows", json={"name": "Traced"})
    assert response.status_code == 201, response.text
    (request,) = server_spans(spans)
    assert request.name == f"POST {API}/workflows"
    assert request.attributes["http.route"] == f"{API}/workflows"
    assert request.attributes["http.status_code"] == 201
    assert request.resource.attributes["service.name"] == "nodeloom-test"
    inserts = [
        s
        for s in statements(spans, request.context.trace_id)
        if s.attributes["db.statement"].startswith("INSERT INTO workflows")
    ]
    assert inserts, [s.name for s in spans.get_finished_spans()]
    system = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    for insert in inserts:
        assert insert.attributes["db.system"] == system
        assert request.start_time <= insert.start_time <= insert.end_time <= request.end_time
        # Values travel as parameters: a statement span holds no row's content.
        assert "Traced" not in insert.attributes["db.statement"]


async def test_concurrent_requests_keep_their_statements_apart(
    client: httpx.AsyncClient, spans: InMemorySpanExporter
):
    names = [f"burst {index}" for index in range(BURST)]
    responses = await asyncio.gather(
        *(client.post(f"{API}/workflows", json={"name": name}) for name in names)
    )
    assert [r.status_code for r in responses] == [201] * BURST
    requests = server_spans(spans)
    assert len(requests) == BURST
    assert len({s.context.trace_id for s in requests}) == BURST
    for request in requests:
        inserts = [
            s
            for s in statements(spans, request.context.trace_id)
            if s.attributes["db.statement"].startswith("INSERT INTO workflows")
        ]
        assert len(inserts) == 1, request.context.trace_id


async def test_scrapes_and_probes_make_no_span(
    client: httpx.AsyncClient, spans: InMemorySpanExporter
):
    assert (await client.get("/metrics")).status_code == 200
    assert (await client.get(f"{API}/health")).status_code == 200
    assert server_spans(spans) == []
    assert (await client.get(f"{API}/workflows")).status_code == 200
    assert [s.attributes["http.route"] for s in server_spans(spans)] == [f"{API}/workflows"]


async def test_a_share_token_never_reaches_a_span(
    client: httpx.AsyncClient, spans: InMemorySpanExporter
):
    token = secrets.token_urlsafe(24)
    await client.get(f"{API}/shared/{token}")
    await client.get(f"{API}/shared/{token}/runs")
    await client.get(f"{SHARE_PATH}{token}")
    requests = server_spans(spans)
    assert len(requests) == 3
    for span in spans.get_finished_spans():
        assert token not in span.name
        assert all(token not in str(value) for value in span.attributes.values()), span
    targets = sorted(str(s.attributes["http.target"]) for s in requests)
    hidden = "{secret}"
    assert targets == sorted(
        [f"{API}/shared/{hidden}", f"{API}/shared/{hidden}/runs", f"{SHARE_PATH}{hidden}"]
    )


async def test_a_kafka_record_is_a_producer_span_the_reader_continues(
    bus: KafkaBus, spans: InMemorySpanExporter, broker: str
):
    run_ids = [f"run-{index}" for index in range(BURST)]
    async with bus.requests() as requests:
        await asyncio.gather(
            *(
                bus.publish_request(RunRequest(run_id=run_id, workflow_id="wf", version=1))
                for run_id in run_ids
            )
        )
        async with asyncio.timeout(30):
            taken = [await anext(requests) for _ in run_ids]
    assert sorted(r.run_id for r in taken) == sorted(run_ids)
    finished = spans.get_finished_spans()
    sent = [s for s in finished if s.kind == SpanKind.PRODUCER]
    assert len(sent) == BURST  # one per record, none for the retries that did not happen
    assert {s.attributes["messaging.kafka.message.key"] for s in sent} == set(run_ids)
    for span in sent:
        assert span.name.endswith("nodeloom.run-requests send")
        assert span.attributes["messaging.system"] == "kafka"
    received = [s for s in finished if s.kind == SpanKind.CONSUMER]
    producer_traces = {s.context.trace_id for s in sent}
    assert producer_traces <= {s.context.trace_id for s in received}
    # The context rides on the record itself, for readers outside Nodeloom too.
    topic = str(sent[0].attributes["messaging.destination.name"])
    by_key = {s.attributes["messaging.kafka.message.key"]: s.context for s in sent}
    for record in await raw_records(broker, topic, BURST):
        context = by_key[record.key.decode()]
        headers = dict(record.headers)
        expected = f"00-{context.trace_id:032x}-{context.span_id:016x}-{context.trace_flags:02x}"
        assert headers == {"traceparent": expected.encode()}, record


async def raw_records(broker: str, topic: str, count: int) -> list[aiokafka.ConsumerRecord]:
    consumer = aiokafka.AIOKafkaConsumer(
        topic, bootstrap_servers=broker, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        records: list[aiokafka.ConsumerRecord] = []
        async with asyncio.timeout(30):
            while len(records) < count:
                batches = await consumer.getmany(timeout_ms=500)
                records.extend(r for batch in batches.values() for r in batch)
        return records
    finally:
        await consumer.stop()


WRAPPED = (
    (sqlalchemy.ext.asyncio, "create_async_engine"),
    (aiokafka.AIOKafkaProducer, "send"),
    (aiokafka.AIOKafkaConsumer, "getmany"),
)


async def test_off_again_no_library_makes_spans(
    spans: InMemorySpanExporter, database_url: str, tmp_path: Path
):
    assert all(hasattr(getattr(owner, name), "__wrapped__") for owner, name in WRAPPED)
    before = spans.get_finished_spans()  # a database template migrated just now, say
    tracing.shutdown_tracing()
    assert not any(hasattr(getattr(owner, name), "__wrapped__") for owner, name in WRAPPED)
    application = create_app(make_settings(tmp_path, database_url))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            assert (await client.post(f"{API}/workflows", json={"name": "x"})).status_code == 201
    assert spans.get_finished_spans() == before
    assert not trace.get_current_span().is_recording()


def test_an_app_made_with_tracing_off_loads_no_instrumentation():
    code = (
        "import sys\n"
        "from backend.app import create_app\n"
        "from backend.config import Settings\n"
        "from backend.observability import tracing\n"
        "tracing.configure_tracing(None, 'x')\n"
        "create_app(Settings(database_url=f'sqlite+aiosqlite:///{sys.argv[1]}'))\n"
        "print(sorted(m for m in sys.modules if m.startswith(('opentelemetry.sdk', "
        "'opentelemetry.instrumentation'))))\n"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("OTEL_")}
    done = subprocess.run(
        [sys.executable, "-c", code, "/nonexistent/never-opened.db"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
