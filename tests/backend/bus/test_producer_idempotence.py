"""Whether the test broker serves idempotent producers to aiokafka (see ``_kafka_publish``).

The publisher keeps idempotence off because Tansu cannot hand aiokafka a producer id;
this test fails the day it can, on either storage, so that idempotence gets turned on.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from pathlib import Path
from typing import Literal

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import UnknownError
from services.kafka import kafka_or_fail

from backend.bus import BusUnavailable, KafkaBus, KafkaSettings
from backend.config import Settings
from backend.runtime import bus_from_settings


@pytest.mark.parametrize("storage", ["memory", "s3"])
async def test_tansu_refuses_aiokafka_a_producer_id(
    tmp_path: Path, storage: Literal["memory", "s3"]
) -> None:
    with kafka_or_fail(tmp_path, "the idempotence test", storage=storage) as server:
        producer = AIOKafkaProducer(
            bootstrap_servers=server.bootstrap_servers,
            acks="all",
            enable_idempotence=True,
            request_timeout_ms=5000,
        )
        try:
            with pytest.raises(UnknownError):
                await producer.start()  # InitProducerId v0: "producer=None epoch=None"
        finally:
            await producer.stop()
        log = re.sub(r"\x1b\[[0-9;]*m", "", server.log_path.read_text())  # colours off
        assert "producer=None epoch=None" in log, (
            "Tansu failed an idempotent producer for another reason than before, or served "
            "it: if it now works, set enable_idempotence=True in backend/bus/_kafka_publish.py"
        )


async def test_idempotence_asked_of_a_broker_without_it_stops_the_start_with_the_setting_named(
    kafka_settings: KafkaSettings,
) -> None:
    # Tried once, not retried until the start timeout: no retry makes the broker serve it.
    settings = replace(kafka_settings, idempotence=True, start_timeout_s=120.0)
    bus = KafkaBus(settings)
    try:
        async with asyncio.timeout(60):
            with pytest.raises(BusUnavailable) as raised:
                await bus.start()
    finally:
        await bus.close()
    assert "NODELOOM_KAFKA_IDEMPOTENCE" in str(raised.value)
    assert "refused an idempotent producer" in str(raised.value)


def test_the_setting_reaches_the_bus() -> None:
    kafka = {
        "kafka_bootstrap_servers": "broker.invalid:9092",
        "secret_key": "k" * 32,
        "database_url": "postgresql+asyncpg://nodeloom@db.invalid/nodeloom",
    }
    on = Settings(**kafka, kafka_idempotence=True)
    off = Settings(**kafka)
    assert bus_from_settings(on, "api").settings.idempotence is True  # type: ignore[attr-defined]
    assert bus_from_settings(off, "api").settings.idempotence is False  # type: ignore[attr-defined]
