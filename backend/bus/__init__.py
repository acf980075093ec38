"""The event bus between the API and the workers: in-process, or Kafka.

``create_bus(None)`` is the in-process bus of the embedded mode; ``create_bus("host:9092")``
is Kafka. Both implement ``EventBus`` (see ``base``) and pass the same conformance suite.
"""

from __future__ import annotations

from .base import (
    RECORDER_GROUP,
    WORKERS_GROUP,
    BusClosed,
    BusError,
    BusUnavailable,
    EventBus,
    Subscription,
)
from .kafka import KafkaBus, KafkaSecurity, KafkaSettings
from .memory import MemoryBus
from .messages import ControlMessage, RunRequest

__all__ = [
    "RECORDER_GROUP",
    "WORKERS_GROUP",
    "BusClosed",
    "BusError",
    "BusUnavailable",
    "ControlMessage",
    "EventBus",
    "KafkaBus",
    "KafkaSecurity",
    "KafkaSettings",
    "MemoryBus",
    "RunRequest",
    "Subscription",
    "create_bus",
]


def create_bus(
    bootstrap_servers: str | None, *, client_id: str = "nodeloom", namespace: str = ""
) -> EventBus:
    """The Kafka bus for ``bootstrap_servers``, or the in-process bus when it is ``None``."""
    if bootstrap_servers is None:
        return MemoryBus()
    return KafkaBus(
        KafkaSettings(bootstrap_servers=bootstrap_servers, client_id=client_id, namespace=namespace)
    )
