"""Which bus the settings give, and the package's public surface."""

from __future__ import annotations

import backend.bus
from backend.bus import KafkaBus, MemoryBus
from backend.config import Settings
from backend.runtime import bus_from_settings


def test_no_bootstrap_servers_means_the_in_process_bus() -> None:
    assert isinstance(bus_from_settings(Settings(), "api"), MemoryBus)


def test_bootstrap_servers_mean_kafka() -> None:
    settings = Settings(
        kafka_bootstrap_servers="kafka-1:9092,kafka-2:9092",
        secret_key="test-secret-key-shared-by-every-process-0123",
        kafka_namespace="staging.",
        kafka_session_timeout_ms=6000,
        kafka_start_timeout_seconds=2.5,
        database_url="postgresql://db/nodeloom",
    )
    bus = bus_from_settings(settings, "worker")
    assert isinstance(bus, KafkaBus)
    assert bus.settings.bootstrap_servers == "kafka-1:9092,kafka-2:9092"
    assert bus.settings.client_id == "nodeloom-worker"
    assert (bus.settings.session_timeout_ms, bus.settings.heartbeat_interval_ms) == (6000, 1200)
    assert bus.settings.fetch_max_wait_ms == 1
    assert bus.settings.start_timeout_s == 2.5
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
        ]
    )
