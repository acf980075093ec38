"""OpenTelemetry traces: one span per run, a child span per node — only when configured.

``NODELOOM_OTEL_EXPORTER`` chooses the exporter: ``console`` (spans as JSON on stdout),
``otlp`` (OTLP over HTTP to ``OTEL_EXPORTER_OTLP_ENDPOINT``, needs the package
``opentelemetry-exporter-otlp-proto-http``), or ``none``. Unset, it is ``otlp`` when
``OTEL_EXPORTER_OTLP_ENDPOINT`` is set and ``none`` otherwise. With ``none`` nothing of
OpenTelemetry is imported: tracing then costs one ``is None`` check per event.

Spans are made from the run's events, with the events' own timestamps, so the engine
stays unaware of tracing; the provider is Nodeloom's own (not the global one), so a
library's instrumentation cannot double it and tests can swap exporters. The spans of
FastAPI, SQLAlchemy and aiokafka go to the same provider (``library_spans``).
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from backend.observability import library_spans

OTLP_ENDPOINT_ENV = "OTEL_EXPORTER_OTLP_ENDPOINT"
OTLP_PACKAGE = "opentelemetry-exporter-otlp-proto-http"

_tracer: Any = None
_provider: Any = None


class TracingUnavailable(Exception):
    """The configured exporter cannot run here (its package is missing)."""


def exporter_name(configured: str | None) -> str:
    """The exporter to use: the setting, or ``otlp`` when an OTLP endpoint is set."""
    if configured:
        return configured
    return "otlp" if os.environ.get(OTLP_ENDPOINT_ENV) else "none"


def configure_tracing(configured: str | None, service: str) -> None:
    """Set up the exporter the settings name (see the module docstring)."""
    name = exporter_name(configured)
    if name == "none":
        return
    try:
        if name == "console":
            from opentelemetry.sdk.trace.export import ConsoleSpanExporter

            use_exporter(ConsoleSpanExporter(), service, batch=False)
            return
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    except ImportError as error:
        raise TracingUnavailable(
            f"NODELOOM_OTEL_EXPORTER={name} needs the packages opentelemetry-sdk and "
            f"{OTLP_PACKAGE} (pip install 'nodeloom[otel]'): {error}"
        ) from None
    use_exporter(OTLPSpanExporter(), service, batch=True)


def use_exporter(exporter: Any, service: str = "nodeloom", *, batch: bool = True) -> None:
    """Send spans to ``exporter`` from now on (tests pass an in-memory one)."""
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    global _tracer, _provider
    shutdown_tracing()
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    processor = BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter)
    provider.add_span_processor(processor)
    _provider, _tracer = provider, provider.get_tracer("nodeloom")
    library_spans.start(provider)


def shutdown_tracing() -> None:
    """Flush what is queued and stop tracing (at process exit, or between tests)."""
    global _tracer, _provider
    library_spans.stop()
    if _provider is not None:
        _provider.shutdown()
    _tracer = _provider = None


def _ns(ts: datetime) -> int:
    return int(ts.timestamp() * 1e9)


class RunSpans:
    """The spans of one run, opened and closed by its events."""

    def __init__(self, tracer: Any, run_id: str, workflow_id: str | None) -> None:
        self._tracer = tracer
        self._attributes = {"run.id": run_id, "workflow.id": workflow_id or ""}
        self._run: Any = None
        self._nodes: dict[str, Any] = {}

    def run_started(self, ts: datetime) -> None:
        self._run = self._tracer.start_span(
            "nodeloom.run", start_time=_ns(ts), attributes=self._attributes
        )

    def node_started(self, node_id: str, node_type: str, ts: datetime) -> None:
        from opentelemetry import trace

        if self._run is None:
            self.run_started(ts)
        self._nodes[node_id] = self._tracer.start_span(
            f"nodeloom.node {node_type}" if node_type else "nodeloom.node",
            context=trace.set_span_in_context(self._run),
            start_time=_ns(ts),
            attributes={**self._attributes, "node.id": node_id, "node.type": node_type},
        )

    def node_ended(self, node_id: str, status: str, ts: datetime, error: str | None) -> None:
        span = self._nodes.pop(node_id, None)
        if span is not None:
            _end(span, status, ts, error)

    def run_ended(self, status: str, ts: datetime, error: str | None) -> None:
        if self._run is None:
            self.run_started(ts)  # failed before it started: a span of its own still
        for node_id in list(self._nodes):
            self.node_ended(node_id, "interrupted", ts, None)
        _end(self._run, status, ts, error)


def _end(span: Any, status: str, ts: datetime, error: str | None) -> None:
    from opentelemetry.trace import Status, StatusCode

    span.set_attribute("status", status)
    if error is not None:
        span.set_status(Status(StatusCode.ERROR, error))
    span.end(end_time=_ns(ts))


def run_spans(run_id: str, workflow_id: str | None) -> RunSpans | None:
    """The spans of a new run, or ``None`` when tracing is off."""
    return None if _tracer is None else RunSpans(_tracer, run_id, workflow_id)
