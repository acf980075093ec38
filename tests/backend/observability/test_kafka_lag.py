"""Kafka consumer lag on a real Kafka-protocol broker (Tansu): messages waiting for a
reader show as lag, and go once it has taken them."""

from __future__ import annotations

import asyncio

from backend.bus import KafkaBus, RunRequest
from backend.observability import kafka_lag
from backend.observability.metrics import KAFKA_LAG

WAIT_S = 30.0


def lag_of(topic_suffix: str, reader: str) -> float | None:
    for metric in KAFKA_LAG.collect():
        for sample in metric.samples:
            topic = sample.labels["topic"]
            if topic.endswith(topic_suffix) and sample.labels["reader"] == reader:
                return sample.value
    return None


async def until_lag(expected: float, reader: str = "GroupReader") -> None:
    seen = None
    async with asyncio.timeout(WAIT_S):
        while seen != expected:
            await kafka_lag.sample()
            seen = lag_of("run-requests", reader)
            if seen != expected:
                await asyncio.sleep(0.1)


async def test_waiting_requests_are_lag_until_a_worker_takes_them(bus: KafkaBus):
    async with bus.requests() as requests:
        for index in range(5):
            await bus.publish_request(RunRequest(run_id=f"r{index}", workflow_id="wf", version=1))
        await until_lag(5)
        taken = [await anext(requests) for _ in range(5)]
        await until_lag(0)
    assert sorted(r.run_id for r in taken) == [f"r{i}" for i in range(5)]
    assert lag_of("run-requests", "GroupReader") is None  # closed: its series is gone
