"""``create_bus`` and the package's public surface."""

from __future__ import annotations

import backend.bus
from backend.bus import KafkaBus, MemoryBus, create_bus


def test_no_bootstrap_servers_means_the_in_process_bus() -> None:
    assert isinstance(create_bus(None), MemoryBus)


def test_bootstrap_servers_mean_kafka() -> None:
    bus = create_bus("kafka-1:9092,kafka-2:9092", client_id="api-1", namespace="staging.")
    assert isinstance(bus, KafkaBus)
    assert bus.settings.bootstrap_servers == "kafka-1:9092,kafka-2:9092"
    assert bus.settings.client_id == "api-1"
    assert bus.settings.fetch_max_wait_ms == 1
    assert bus.topic(backend.bus.messages.EVENTS) == "staging.nodeloom.run-events"
    assert bus.group(backend.bus.WORKERS_GROUP) == "staging.nodeloom-workers"


def test_public_surface() -> None:
    assert sorted(backend.bus.__all__) == sorted(
        [
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
    )
