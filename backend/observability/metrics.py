"""Nodeloom's Prometheus series, in the process's default registry.

Every process exposes its own: ``nodeloom serve`` at ``/metrics``, ``nodeloom worker`` on
``NODELOOM_WORKER_METRICS_PORT`` (see ``worker_endpoint``). Labels stay few and bounded:
route *templates* (never raw paths), node *types*, final statuses.

- ``nodeloom_http_request_duration_seconds{method,route,status}``: each HTTP request.
- ``nodeloom_runs_total{status}``: runs that ended here, by final status (counted by the
  worker that ran them, or by the reaper that failed them when their worker died, so
  the sum over processes counts every run once).
- ``nodeloom_node_duration_seconds{node_type,status}``: each node attempt that ended.
- ``nodeloom_event_lag_seconds``: from the engine stamping an event (its ``ts``) to the
  server handing it to a WebSocket (live events only, not replays).
- ``nodeloom_websockets_open``: run-event sockets open now.
- ``nodeloom_kafka_consumer_lag{topic,reader}``: messages on the broker not yet fetched
  (see ``kafka_lag``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram
from prometheus_client import generate_latest as _generate_latest

__all__ = ["CONTENT_TYPE_LATEST", "render"]

HTTP_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
LAG_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
NODE_BUCKETS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300)

HTTP_LATENCY = Histogram(
    "nodeloom_http_request_duration_seconds",
    "Time to answer an HTTP request, by method, route template and status.",
    ("method", "route", "status"),
    buckets=HTTP_BUCKETS,
)
RUNS = Counter("nodeloom_runs", "Runs that ended in this process, by final status.", ("status",))
NODE_DURATION = Histogram(
    "nodeloom_node_duration_seconds",
    "Duration of each node attempt that ended, by node type and status.",
    ("node_type", "status"),
    buckets=NODE_BUCKETS,
)
EVENT_LAG = Histogram(
    "nodeloom_event_lag_seconds",
    "From the engine stamping a run event to this server sending it to a WebSocket.",
    buckets=LAG_BUCKETS,
)
WEBSOCKETS_OPEN = Gauge("nodeloom_websockets_open", "Run-event WebSockets open now.")
KAFKA_LAG = Gauge(
    "nodeloom_kafka_consumer_lag",
    "Messages on the broker this process's consumer has not fetched yet, per topic.",
    ("topic", "reader"),
)


def observe_event_lag(ts: datetime | None) -> None:
    """Record the lag of a live event just sent (``ts`` is ``None`` for a replayed one)."""
    if ts is not None:
        EVENT_LAG.observe(max((datetime.now(UTC) - ts).total_seconds(), 0.0))


def render() -> bytes:
    """Every series of this process in Prometheus' text format."""
    return _generate_latest(REGISTRY)
