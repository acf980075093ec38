"""Spans from the libraries under Nodeloom, beside its own run spans, while tracing is on:

- FastAPI: a server span per HTTP request and per WebSocket (``instrument_app``);
- SQLAlchemy: a client span per SQL statement, and one per connection opened, on every
  engine made while tracing is on (``backend.db.session`` makes its engines through the
  module attribute the instrumentation wraps);
- aiokafka: a producer span per record sent, which also puts the W3C ``traceparent``
  header on the record, and consumer spans per batch read, children of the producer's.

``tracing`` calls ``start`` with its own TracerProvider (never the global one) and
``stop`` when it shuts down. Nothing here imports OpenTelemetry before ``start``. The
instrumentation packages come with the ``otel`` extra; without one, its spans are missing
and a warning says which package to install.
"""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Iterable
from typing import Any

from backend.observability.path_secrets import HIDDEN, path_secret

log = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'nodeloom[otel]'"
# (module, class, library, options) of the instrumentations ``start`` turns on process-wide.
# The SQLAlchemy one declares "sqlalchemy < 2.1" (the newest it was tested with) and would
# refuse our 2.1: it only listens to public engine events, and test_library_spans shows
# its spans on 2.1 with SQLite and PostgreSQL.
GLOBAL_INSTRUMENTORS: tuple[tuple[str, str, str, dict[str, Any]], ...] = (
    (
        "opentelemetry.instrumentation.sqlalchemy",
        "SQLAlchemyInstrumentor",
        "sqlalchemy",
        {"skip_dep_check": True},
    ),
    ("opentelemetry.instrumentation.aiokafka", "AIOKafkaInstrumentor", "aiokafka", {}),
)
# Span attributes that carry the request's path or URL.
PATH_ATTRIBUTES = ("http.target", "http.url", "url.path", "url.full")

_provider: Any = None
_started: list[Any] = []


def start(provider: Any) -> None:
    """Turn on the SQLAlchemy and aiokafka spans, sent to ``provider``."""
    global _provider
    stop()
    _provider = provider
    for module, name, library, options in GLOBAL_INSTRUMENTORS:
        instrumentor_class = _load(module, name, library)
        if instrumentor_class is not None:
            instrumentor = instrumentor_class()
            instrumentor.instrument(tracer_provider=provider, **options)
            _started.append(instrumentor)


def stop() -> None:
    """Turn them off again; engines made meanwhile stop making spans too."""
    global _provider
    while _started:
        _started.pop().uninstrument()
    _provider = None


def instrument_app(app: Any, *, untraced_paths: Iterable[str] = ()) -> None:
    """Give ``app`` a server span per request when tracing is on, except on
    ``untraced_paths`` (Prometheus scrapes, probes). A share link's token in the path is
    written ``{secret}`` in the span's attributes (``path_secrets``)."""
    if _provider is None:
        return
    fastapi = _load("opentelemetry.instrumentation.fastapi", "FastAPIInstrumentor", "fastapi")
    if fastapi is None:
        return
    fastapi.instrument_app(
        app,
        tracer_provider=_provider,
        excluded_urls=",".join(f"{re.escape(path)}$" for path in untraced_paths),
        # One span per request or socket, not one more per ASGI message.
        exclude_spans=["receive", "send"],
        server_request_hook=_hide_secret,
    )


def _hide_secret(span: Any, scope: dict[str, Any]) -> None:
    token = path_secret(scope.get("path", ""))
    if token is None or not span.is_recording():
        return
    for key in PATH_ATTRIBUTES:
        value = span.attributes.get(key)
        if isinstance(value, str):
            span.set_attribute(key, value.replace(token, HIDDEN))


def _load(module: str, name: str, library: str) -> Any:
    package = f"opentelemetry-instrumentation-{library}"
    try:
        return getattr(importlib.import_module(module), name)
    except ImportError:
        log.warning("no %s spans: the package %s is missing (%s)", library, package, INSTALL_HINT)
        return None
