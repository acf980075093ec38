"""Kafka clients for in-process run tests: quick timeouts, a namespace of their own."""

from __future__ import annotations

import uuid
from typing import Any

from backend.bus import KafkaSettings

SECRET_KEY = "test-secret-key-of-an-in-process-deployment-0123"
"""Kafka settings ask for one (every process must share it); here one process holds all."""
QUICK: dict[str, Any] = {
    "session_timeout_ms": 1000,
    "heartbeat_interval_ms": 100,
    "fetch_max_wait_ms": 5,
    "request_timeout_ms": 3000,
    "retry_backoff_ms": 20,
    "poll_interval_ms": 50,
    "publish_timeout_s": 10.0,
    "start_timeout_s": 10.0,
}


def new_namespace() -> str:
    """Topic and group names no other test uses."""
    return f"t{uuid.uuid4().hex[:10]}."


def quick_kafka_settings(bootstrap_servers: str, namespace: str, **overrides: Any) -> KafkaSettings:
    return KafkaSettings(
        bootstrap_servers=bootstrap_servers,
        client_id="nodeloom-test",
        namespace=namespace,
        **{**QUICK, **overrides},
    )
