"""Traces: one span per run with a child span per node, only when an exporter is set."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from run_support import LiveServer, chain, create_workflow, start_run, wait_for_run

from backend.observability import tracing


async def test_a_run_is_one_span_with_a_child_span_per_node(
    server: LiveServer, spans: InMemorySpanExporter
):
    async with server.client() as client:
        workflow_id = await create_workflow(client, chain(4))
        run_id = await start_run(client, workflow_id, text="traced")
        await wait_for_run(client, run_id)
    mine = [s for s in spans.get_finished_spans() if s.attributes.get("run.id") == run_id]
    (run,) = [s for s in mine if s.name == "nodeloom.run"]
    nodes = [s for s in mine if s.name.startswith("nodeloom.node")]
    assert run.attributes["status"] == "succeeded"
    assert run.attributes["workflow.id"] == workflow_id
    assert run.resource.attributes["service.name"] == "nodeloom-test"
    assert sorted(s.attributes["node.id"] for s in nodes) == ["in", "out", "t0", "t1"]
    for span in nodes:
        assert span.parent is not None and span.parent.span_id == run.context.span_id
        assert span.context.trace_id == run.context.trace_id
        assert span.attributes["status"] == "succeeded"
        assert span.name == f"nodeloom.node {span.attributes['node.type']}"
        assert run.start_time <= span.start_time <= span.end_time <= run.end_time
    types = {s.attributes["node.id"]: s.attributes["node.type"] for s in nodes}
    assert types == {
        "in": "io.input",
        "t0": "prompt.template",
        "t1": "prompt.template",
        "out": "io.output",
    }


async def test_without_an_exporter_no_span_is_made(server: LiveServer):
    assert tracing.run_spans("run", "wf") is None
    async with server.client() as client:
        workflow_id = await create_workflow(client, chain(3))
        run = await wait_for_run(client, await start_run(client, workflow_id, text="x"))
    assert run["status"] == "succeeded"


def test_the_console_exporter_is_chosen_by_setting_and_otlp_by_endpoint(monkeypatch):
    monkeypatch.delenv(tracing.OTLP_ENDPOINT_ENV, raising=False)
    assert tracing.exporter_name(None) == "none"
    assert tracing.exporter_name("console") == "console"
    monkeypatch.setenv(tracing.OTLP_ENDPOINT_ENV, "http://collector:4318")
    assert tracing.exporter_name(None) == "otlp"
    assert tracing.exporter_name("none") == "none"


def test_tracing_off_imports_no_opentelemetry_sdk():
    code = (
        "import sys\n"
        "from backend.observability import tracing\n"
        "tracing.configure_tracing(None, 'x')\n"
        "print('opentelemetry.sdk' in sys.modules)\n"
    )
    assert _python(code).strip() == "False"


def test_console_spans_are_printed():
    code = (
        "from datetime import UTC, datetime\n"
        "from backend.observability import tracing\n"
        "tracing.configure_tracing('console', 'nodeloom-api')\n"
        "spans = tracing.run_spans('run-1', 'wf-1')\n"
        "now = datetime.now(UTC)\n"
        "spans.node_started('n1', 'data.text', now)\n"
        "spans.node_ended('n1', 'succeeded', now, None)\n"
        "spans.run_ended('succeeded', now, None)\n"
    )
    printed = _python(code)
    assert '"name": "nodeloom.run"' in printed
    assert '"name": "nodeloom.node data.text"' in printed
    assert '"node.id": "n1"' in printed and '"run.id": "run-1"' in printed


def _python(code: str) -> str:
    """Run ``code`` in a fresh interpreter without OpenTelemetry settings; its stdout."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("OTEL_")}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_otlp_spans_reach_a_collector_over_http(monkeypatch):
    from datetime import UTC, datetime

    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    with _collector() as (endpoint, received):
        monkeypatch.setenv(tracing.OTLP_ENDPOINT_ENV, endpoint)
        tracing.configure_tracing(None, "nodeloom-worker")  # otlp: the endpoint is set
        spans = tracing.run_spans("run-otlp", "wf-otlp")
        assert spans is not None
        now = datetime.now(UTC)
        spans.node_started("n1", "data.text", now)
        spans.run_ended("failed", now, "NodeFailed: boom")
        tracing.shutdown_tracing()  # flushes the batch
    (path, content_type, body), *_ = received
    request = ExportTraceServiceRequest.FromString(body)
    names = {
        span.name
        for resource in request.resource_spans
        for scope in resource.scope_spans
        for span in scope.spans
    }
    assert path == "/v1/traces" and content_type == "application/x-protobuf"
    assert names == {"nodeloom.run", "nodeloom.node data.text"}


@contextmanager
def _collector() -> Iterator[tuple[str, list[tuple[str, str, bytes]]]]:
    """A minimal OTLP/HTTP collector: records each POST and answers 200."""
    received: list[tuple[str, str, bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, self.headers["Content-Type"], body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()
