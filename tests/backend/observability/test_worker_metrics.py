"""``nodeloom worker --metrics-port``: a worker process serves its own ``/metrics``,
with the consumer lag of its Kafka readers (Tansu and PostgreSQL, real processes)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from run_support import free_port
from services.databases import create_database, drop_database
from services.nodeloom import NodeloomProcess

from backend.observability.worker_endpoint import start_metrics_server


@pytest.fixture
async def postgres_url(postgres_admin_url: str, postgres_template: str) -> AsyncIterator[str]:
    name = f"nodeloom_test_{uuid.uuid4().hex[:16]}"
    url = await create_database(postgres_admin_url, name, template=postgres_template)
    try:
        yield url
    finally:
        await drop_database(postgres_admin_url, name)


@pytest.mark.postgres
async def test_a_worker_serves_its_metrics_with_kafka_lag(
    broker: str, postgres_url: str, tmp_path: Path
):
    port = free_port()
    env = {
        "NODELOOM_KAFKA_BOOTSTRAP_SERVERS": broker,
        "NODELOOM_SECRET_KEY": "test-secret-key-shared-by-every-process-0123",
        "NODELOOM_KAFKA_NAMESPACE": f"t{uuid.uuid4().hex[:10]}.",
        "NODELOOM_KAFKA_SESSION_TIMEOUT_MS": "1500",
        "NODELOOM_DATABASE_URL": postgres_url,
        "NODELOOM_DATA_DIR": str(tmp_path / "data"),
    }
    worker = NodeloomProcess(
        "worker", ["worker", "--metrics-port", str(port)], env, tmp_path / "worker.log"
    )
    worker.start()
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            metrics = await client.get(f"http://127.0.0.1:{port}/metrics")
            other = await client.get(f"http://127.0.0.1:{port}/")
    finally:
        assert worker.stop() == 0, worker.tail()
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain; version=")
    text = metrics.text
    assert "# TYPE nodeloom_runs_total counter" in text
    assert "# TYPE nodeloom_node_duration_seconds histogram" in text
    assert 'nodeloom_kafka_consumer_lag{reader="Follower",topic="' in text  # run-control
    assert other.status_code == 404


async def test_the_worker_endpoint_answers_get_metrics_only():
    server = await start_metrics_server("127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            ok = await client.get(f"http://127.0.0.1:{port}/metrics")
            missing = await client.post(f"http://127.0.0.1:{port}/metrics")
    finally:
        server.close()
        await server.wait_closed()
    assert ok.status_code == 200 and "nodeloom_websockets_open" in ok.text
    assert missing.status_code == 404
