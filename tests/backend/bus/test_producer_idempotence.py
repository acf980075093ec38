"""Whether the test broker serves idempotent producers to aiokafka (see ``_kafka_publish``).

The publisher keeps idempotence off because Tansu cannot hand aiokafka a producer id;
this test fails the day it can, on either storage, so that idempotence gets turned on.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import UnknownError
from services.kafka import kafka_or_fail


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
