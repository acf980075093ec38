"""The event bus between the API and the workers: in-process, or Kafka.

``MemoryBus`` is the in-process bus of the embedded mode, ``KafkaBus`` the distributed
one (``backend.runtime.bus_from_settings`` picks by the settings). Both implement
``EventBus`` (see ``base``) and pass the same conformance suite.
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
]
